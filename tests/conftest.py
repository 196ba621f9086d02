from __future__ import annotations

from pathlib import Path

import pytest

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="session")
def spec():
    from toolkit.spec import load_spec

    return load_spec()


@pytest.fixture(scope="session")
def format_md() -> str:
    return (REFERENCE / "FORMAT.md").read_text(encoding="utf-8")
