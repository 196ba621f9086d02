"""The bundled sample inbox collects with exactly the findings its samples were made to have."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.collect.collection import collect
from toolkit.collect.roster import read_roster

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_sample_inbox_findings_are_exactly_the_planted_ones(spec):
    expected = json.loads((SAMPLES / "expected_findings.json").read_text(encoding="utf-8"))
    coll = collect(SAMPLES / "inbox", expected["year"], spec=spec, roster=read_roster(SAMPLES / "roster.csv"))
    got: dict[str, set] = {}
    for f in coll.all_findings:
        got.setdefault(f.file, set()).add((f.code, f.severity, f.sheet, f.cell))
    for name, sample in expected["files"].items():
        want = {(x["code"], x["severity"], x["sheet"], x["cell"]) for x in sample["findings"]}
        assert got.get(name, set()) == want, name
        assert coll.used[sample["agency_id"]].file == name
    assert set(got) <= set(expected["files"])
    assert sorted(a.id for a in coll.missing) == sorted(expected["not_submitted"])
    assert not got.get("beilun-media.xlsx")  # the real report is clean
