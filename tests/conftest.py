from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="session")
def spec():
    from toolkit.format.spec import load_spec

    return load_spec()


@pytest.fixture(scope="session")
def format_md() -> str:
    return (REFERENCE / "FORMAT.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def office():
    """One LibreOffice for the whole session (toolkit.office.driver.Office). Missing LibreOffice is a
    skip on a developer machine and a failure in CI (TOOLKIT_REQUIRE_OFFICE=1)."""
    from toolkit.office.driver import Office, unavailable_reason

    reason = unavailable_reason()
    if reason:
        if os.environ.get("TOOLKIT_REQUIRE_OFFICE") == "1":
            pytest.fail(f"LibreOffice is required here (TOOLKIT_REQUIRE_OFFICE=1) but {reason}")
        pytest.skip(f"LibreOffice not available: {reason}")
    with Office() as running:
        yield running
