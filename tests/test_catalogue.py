"""The catalogue's message templates, the one status function and the one report shape."""

from __future__ import annotations

import dataclasses
import string

import pytest
from faults import clean_report, previous_of

from toolkit import catalogue
from toolkit.check import rules
from toolkit.model import UNDATED, Agency, Report, status_of


def slots(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("code", catalogue.CATALOGUE, ids=lambda c: c.id)
def test_every_template_has_named_slots(code):
    for template in (code.message, *code.variants.values()):
        assert all(n.isidentifier() for n in slots(template)), template  # no positional {} or {0}


def test_a_finding_says_its_template_filled_in():
    f = catalogue.finding("sheet_missing", sheet="封面", expected="封面")
    assert f.message == "缺少“封面”工作表（被删除或改名）。" + catalogue.get("sheet_missing").remedy
    assert (f.code, f.severity, f.sheet, f.expected) == ("sheet_missing", "error", "封面", "封面")
    assert catalogue.finding("pub_old_layout", "earlier", severity="info", sheet="表三", cell="三、",
                             old_label="2019 年版", old_notice="").severity == "info"
    with pytest.raises(KeyError):
        catalogue.finding("label_changed", sheet="封面")  # a slot left out is a bug, not a blank


def test_narrative_findings_read_as_their_templates(spec):
    """The rules' narrative findings say what the catalogue's templates say."""
    report = clean_report(spec)
    prev = previous_of(spec, report)
    filled = dataclasses.replace(prev, narratives={**prev.narratives, "overview": ""})
    found = [f for f in rules.apply(spec, filled, previous=prev) if f.code.startswith("narrative_")]
    assert {f.code for f in found} == {"narrative_empty", "narrative_copied"}
    for f in found:
        n = next(n for n in spec.narratives if n.code == f.ref)
        same = f.message.split("）", 1)[1].removesuffix("。" + catalogue.get(f.code).remedy)
        again = catalogue.finding(f.code, sheet=n.sheet, cell=n.address, ref=n.code, heading=n.heading, same=same)
        assert f.message == again.message and f.severity == again.severity


def test_status_of():
    warn = catalogue.finding("sheet_extra", sheet="x")
    err = catalogue.finding("agency_missing")
    assert [status_of([]), status_of([warn]), status_of([warn, err]), status_of([warn], rejected=True)] == [
        "ok", "warnings", "errors", "rejected"]


def test_report_shape_and_exit_code():
    err = catalogue.finding("agency_missing", file="a.xlsx")
    sub = {"file": "a.xlsx", "agency_id": "a", "status": "errors"}
    r = Report.of({"id": "gb2021", "version": "1"}, [sub], [err], year=2024, missing=[Agency("b", "乙")])
    d = r.to_dict()
    assert list(d) == ["valid", "template", "year", "stats", "submissions", "missing", "findings"]
    assert d["stats"] == {"files": 1, "agencies": 1, "errors": 1, "warnings": 0, "missing": 1}
    assert d["missing"] == [{"agency_id": "b", "agency": "乙"}] and (d["valid"], r.exit_code) == (False, 1)
    undated = Report.of({}, [dict(sub, agency_id="")], [])
    assert "year" not in undated.to_dict() and undated.year is UNDATED and undated.exit_code == 0
    failed = Report.of({}, [sub], [], year=None, agencies=0, failed=True)
    assert (failed.valid, failed.stats.errors, failed.exit_code, failed.to_dict()["year"]) == (False, 1, 2, None)
