"""Fixtures of the service tests: the check workers (once per session) and a fresh service."""

from __future__ import annotations

import pytest
from faults import YEAR

from toolkit.serve.worker import Checker

from .helpers import make_env


@pytest.fixture(scope="session")
def checker():
    c = Checker("gb2021", YEAR, workers=2, timeout=10)
    yield c
    c.close()


@pytest.fixture
def env(tmp_path, spec, checker):
    return make_env(tmp_path, spec, checker)
