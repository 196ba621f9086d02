"""The committed sample inbox is in step with the current template and says what it holds.

A template change that forgets `make samples` (samples/make_samples.py) fails here."""

from __future__ import annotations

import io
import json
import zipfile
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from toolkit.collect.roster import read_roster
from toolkit.format import compute
from toolkit.format.spec import STAMP_SHEET

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
REFERENCE = Path(__file__).resolve().parent / "reference" / "000_154e5da753eb525e.txt"
EXPECTED = json.loads((SAMPLES / "expected_findings.json").read_text(encoding="utf-8"))
FILES = sorted(EXPECTED["files"])


@cache
def _load(name: str, data_only: bool = False):
    data = (SAMPLES / "inbox" / name).read_bytes()
    return data, openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


def test_inbox_matches_expected_findings():
    assert sorted(p.name for p in (SAMPLES / "inbox").iterdir()) == FILES
    for entry in EXPECTED["files"].values():
        for f in entry["findings"]:
            assert f["severity"] in ("error", "warning", "info")
            assert ("code" in f) != ("kind" in f), f
            assert f["sheet"] and f["cell"], f


@pytest.mark.parametrize("name", FILES)
def test_sample_made_from_current_template(spec, name):
    data, wb = _load(name)
    stamp = {r[0]: r[1] for r in wb[STAMP_SHEET].iter_rows(values_only=True)}
    assert stamp["layout_hash"] == spec.layout_hash, "template changed: run `make samples` and commit samples/"
    assert stamp["template_id"] == spec.id and stamp["template_version"] == spec.version
    assert stamp["year"] == str(EXPECTED["year"])
    assert stamp["agency_id"] == EXPECTED["files"][name]["agency_id"]
    assert stamp["agency"] == EXPECTED["files"][name]["agency"]
    assert wb.sheetnames == [*spec.sheets, STAMP_SHEET]
    assert "LibreOffice" in zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml").decode()


def test_roster_lists_every_sample_and_the_missing():
    roster = read_roster(SAMPLES / "roster.csv").by_id()
    for entry in EXPECTED["files"].values():
        assert roster[entry["agency_id"]].name == entry["agency"]
    for agency_id in EXPECTED["not_submitted"]:
        assert agency_id in roster
    assert len(roster) == len(EXPECTED["files"]) + len(EXPECTED["not_submitted"])


@pytest.mark.parametrize("name", [n for n in FILES if not EXPECTED["files"][n]["findings"]])
def test_clean_samples_are_complete_and_consistent(spec, name):
    _, wb = _load(name, data_only=True)
    values = {c.code: wb[c.sheet][c.address].value for c in spec.inputs}
    assert all(isinstance(v, (int, float)) for v in values.values()), "every input filled with a number"
    expected = compute.totals(spec, values)
    for cell in spec.totals:
        assert wb[cell.sheet][cell.address].value == expected[cell.code], cell.code
    for col, lhs, rhs in compute.balance_sides(spec, compute.full(spec, values)):
        assert lhs == rhs, col
    for n in spec.narratives:
        assert wb[n.sheet][n.address].value, n.code
    for f in spec.cover:
        assert wb[f.sheet][f.address].value, f.code


def test_beilun_is_the_published_report(spec):
    name = next(n for n, e in EXPECTED["files"].items() if e["agency_id"] == "beilun-media")
    _, wb = _load(name, data_only=True)
    assert all(wb[c.sheet][c.address].value == 0 for c in spec.cells)
    published = REFERENCE.read_text(encoding="utf-8")
    for n in spec.narratives:
        for p in wb[n.sheet][n.address].value.split("\n"):
            assert p and p in published, (n.code, p[:20])
