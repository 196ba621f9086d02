"""R8 beyond the total: the sub-counts published reports quote, compared with the tables."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from toolkit.format.spec import load_spec
from toolkit.published.audit import audit_report

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "published"))
import pubfix as pf  # noqa: E402


@pytest.fixture(scope="module")
def figures():
    return pf.random_figures(load_spec(), 7)


def audit(spec, figures, tmp_path, overview: str, layout: str = "html"):
    narr = {**pf.default_narratives(spec, figures, 2024), "overview": overview}
    data = pf.render(pf.Report(figures=figures, narratives=narr), layout)
    path = tmp_path / ("r" + pf.suffix(layout))
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return audit_report(path, spec)


@pytest.mark.parametrize("layout", ["html", "pdf"])
def test_sub_counts_that_agree(spec, figures, tmp_path, layout):
    result = audit(spec, figures, tmp_path, pf.quoting(figures), layout)
    assert [f for f in result.findings if f.code == "R8"] == []
    assert result.status == "ok"


def test_each_sub_count_that_disagrees_is_a_located_finding(spec, figures, tmp_path):
    result = audit(spec, figures, tmp_path, pf.quoting(figures, off=1))
    r8 = [f for f in result.findings if f.code == "R8"]
    assert {(f.severity, f.sheet, f.ref) for f in r8} == {("warning", "一、总体情况", "overview")}
    quoted = sorted(f.message.split("写有“")[1].split("”")[0] for f in r8)
    assert len(quoted) == 16, quoted  # every sub-count; 收到申请 and the two totals of table 四 agree
    assert all("表三" in f.message or "表四" in f.message for f in r8)
    assert not [f for f in r8 if "工作表" in f.message]
    granted = next(f for f in r8 if "写有“其中予以公开" in f.message or "写有“予以公开" in f.message)
    assert "表三“（一）予以公开／总计”" in granted.message and granted.expected == figures["t3_granted_total"]


def test_sub_counts_are_not_compared_with_figures_not_read(spec, figures, tmp_path):
    """A quoted figure whose cells could not be read is not compared (the reading problem is reported)."""
    figs = {**figures, "t3_granted_natural": "", "t3_granted_total": ""}
    narr = {**pf.default_narratives(spec, figures, 2024), "overview": pf.quoting(figures, off=1)}
    path = tmp_path / "r.html"
    path.write_text(pf.html_page(pf.Report(figures=figs, narratives=narr)), encoding="utf-8")
    r8 = [f for f in audit_report(path, spec).findings if f.code == "R8"]
    assert not [f for f in r8 if "“予以公开" in f.message or "其中予以公开" in f.message]


def test_workbooks_keep_their_phrases(spec, figures):
    """The sub-count phrases are declared for published reports only: a workbook's check (R8 of
    rules.apply) does not compare them, rules.published_figures does."""
    from toolkit.check import rules
    from toolkit.model import Filled

    scoped = [c for r in spec.rules for c in r.params.get("claims", ()) if c.get("scope") == "published"]
    assert {c["what"] for c in scoped} >= {"予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理",
                                          "办结", "结转下年度", "行政复议结果维持", "行政诉讼尚未审结"}
    narratives = {**pf.default_narratives(spec, figures, 2024), "overview": f"予以公开{figures['t3_granted_total'] + 1}件。"}
    filled = Filled(agency="示例局", year=2024, values=dict(figures), narratives=narratives)
    assert [f for f in rules.apply(spec, filled) if f.code == "R8"] == []
    [f] = rules.published_figures(spec, filled)
    assert (f.code, f.ref, f.expected) == ("R8", "overview", figures["t3_granted_total"])
