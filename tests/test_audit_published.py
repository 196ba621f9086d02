"""toolkit audit: the format's rules on a published report, located by table, row and column label."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.format.spec import load_spec
from toolkit.published.audit import audit_report

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "published"))
import pubfix as pf  # noqa: E402

REFERENCE = Path(__file__).parent / "reference"
runner = CliRunner()


@pytest.fixture(scope="module")
def figures():
    return pf.random_figures(load_spec(), 5)


write = pf.write_report


report = pf.report_of


def located(findings, code: str) -> list[tuple[str, str, str]]:
    return [(f.sheet, f.cell, f.ref) for f in findings if f.code == code]


@pytest.mark.parametrize("name", ["000_154e5da753eb525e.txt", "huaian-2024-report.pdf.txt"])
def test_reference_reports_audit_clean(name):
    res = runner.invoke(app, ["audit", str(REFERENCE / name), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out) >= {"valid", "template", "stats", "submissions", "missing", "findings"}
    assert out["valid"] is True and out["stats"]["errors"] == 0
    assert out["submissions"][0]["status"] in ("ok", "warnings")
    assert not [f for f in out["findings"] if f["severity"] == "error"]


@pytest.mark.parametrize("layout", pf.LAYOUTS)
def test_clean_fixture_audits_clean(spec, figures, tmp_path, layout):
    result = audit_report(write(tmp_path, report(spec, figures), layout), spec)
    assert result.status == "ok", [(f.code, f.cell, f.message) for f in result.findings]


@pytest.mark.parametrize("layout", pf.LAYOUTS)
def test_broken_row_total_r2(spec, figures, tmp_path, layout):
    figs = {**figures, "t3_new_total": figures["t3_new_total"] + 1}
    result = audit_report(write(tmp_path, report(spec, figs), layout), spec)
    assert located(result.findings, "R2") == [("表三", "一、本年新收政府信息公开申请数量／总计", "t3_new_total")]
    [f] = [f for f in result.findings if f.code == "R2"]
    assert f.severity == "error" and f.actual == figs["t3_new_total"] and f.expected == figures["t3_new_total"]
    assert "表三" in f.message and "工作表" not in f.message  # located as published, not as a workbook
    assert result.exit_code == 1


def test_broken_balance_r1_column(spec, figures, tmp_path):
    figs = dict(figures)
    for code in ("t3_carried_out_natural", "t3_carried_out_total"):
        figs[code] = figures[code] + 2  # the row still adds up; the column does not balance
    result = audit_report(write(tmp_path, report(spec, figs), "pdf"), spec)
    assert located(result.findings, "R1") == [("表三", "四、结转下年度继续办理／自然人", "t3_carried_out_natural")]
    assert not located(result.findings, "R2") and not located(result.findings, "R3")


def test_broken_column_total_r3(spec, figures, tmp_path):
    figs = dict(figures)
    for code in ("t3_denied_internal_legal", "t3_denied_internal_total"):
        figs[code] = figures[code] + 1  # the row adds up, the printed （七）总计 no longer does
    result = audit_report(write(tmp_path, report(spec, figs), "html"), spec)
    assert located(result.findings, "R3") == [("表三", "（七）总计／法律服务机构", "t3_closed_total_legal")]
    assert not located(result.findings, "R1") and not located(result.findings, "R2")


def test_broken_table4_group_r4(spec, figures, tmp_path):
    figs = {**figures, "t4_direct_total": figures["t4_direct_total"] + 3}
    result = audit_report(write(tmp_path, report(spec, figs), "docx"), spec)
    assert located(result.findings, "R4") == [("表四", "未经复议直接起诉·总计", "t4_direct_total")]


def test_types_r7(spec, figures, tmp_path):
    figs = {**figures, "t2_penalty_decisions": "12.5", "t4_review_other": "-1",
            "t4_review_total": figures["t4_review_total"] - 1 - figures["t4_review_other"]}
    result = audit_report(write(tmp_path, report(spec, figs), "tab"), spec)
    assert sorted(located(result.findings, "R7")) == [("表二", "行政处罚／本年处理决定数量", "t2_penalty_decisions"),
                                                      ("表四", "行政复议·其他结果", "t4_review_other")]


def test_narrative_rules_r8_r9(spec, figures, tmp_path):
    narr = pf.default_narratives(spec, figures, 2024)
    narr["overview"] = narr["overview"].replace(f"申请{figures['t3_new_total']}件", f"申请{figures['t3_new_total'] + 7}件")
    narr["other_matters"] = "无其他需要报告的事项。"
    result = audit_report(write(tmp_path, pf.Report(figures=figures, narratives=narr), "html"), spec)
    r8 = [f for f in result.findings if f.code == "R8"]
    assert [(f.severity, f.sheet, f.ref) for f in r8] == [("warning", "一、总体情况", "overview")]
    assert "工作表" not in r8[0].message and "表三" in r8[0].message
    assert located(result.findings, "R9") == [("六、其他需要报告的事项", "六、其他需要报告的事项", "other_matters")]
    assert result.exit_code == 0  # warnings only


def test_reading_problem_does_not_raise_rule_noise(spec, figures, tmp_path):
    """An unreadable row is reported once; R1/R3 that would only echo it are left out."""
    figs = dict(figures)
    t3 = spec.table("t3")
    for col, v in zip(t3.col_codes, (1, 10, 0, 0, 0, 0, 11)):
        figs[t3.cell("carried_in", col).code] = v
    result = audit_report(write(tmp_path, report(spec, figs), "pdf", run_together={"carried_in": ""}), spec)
    assert located(result.findings, "pub_ambiguous")
    assert not [f for f in result.findings if f.code in ("R1", "R2", "R3") and f.sheet == "表三"]


def test_old_layout_is_named_and_audited_with_its_own_rules(spec, tmp_path):
    old = load_spec("gb2019")
    figs = pf.old_figures()
    figs["t3_other_handling_total"] += 1  # R2 on the 2019 row that 2021 does not have
    rep = pf.Report(year=2023, figures=figs, editions={"t2": "gb2019", "t3": "gb2019"},
                    narratives=pf.default_narratives(old, figs, 2023))
    result = audit_report(write(tmp_path, rep, "tab"), spec)
    outdated = [(f.sheet, f.severity) for f in result.findings if f.code == "pub_old_layout"]
    assert outdated == [("表二", "error"), ("表三", "error")]  # a 2023 report must use the 2021 format
    assert located(result.findings, "R2") == [("表三", "（六）其他处理／总计", "t3_other_handling_total")]
    assert not located(result.findings, "R7")  # 本年增/减 may be negative in the old table 二
    assert result.exit_code == 1


def test_could_not_run_exit_2(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>页面不存在</p></body></html>", encoding="utf-8")
    res = runner.invoke(app, ["audit", str(path)])
    assert res.exit_code == 2 and "不是可读取的政府信息公开工作年度报告" in res.output
    res = runner.invoke(app, ["audit", str(path), "--json"])
    out = json.loads(res.output)
    assert res.exit_code == 2 and out["valid"] is False and out["submissions"][0]["status"] == "rejected"


def test_human_output_names_table_row_and_column(spec, figures, tmp_path):
    figs = {**figures, "t3_granted_research": "/", "t3_granted_total": figures["t3_granted_total"] + 5}
    res = runner.invoke(app, ["audit", str(write(tmp_path, report(spec, figs), "tab"))])
    assert res.exit_code == 1
    assert "表三／（一）予以公开／总计" in res.output
    assert "表三／（一）予以公开／科研机构" in res.output and "pub_placeholder" in res.output


def test_every_reading_code_is_in_the_catalogue():
    import re

    from toolkit import catalogue

    root = Path(__file__).parent.parent / "toolkit" / "published"
    used = {m for p in root.glob("*.py") for m in re.findall(r"\"(pub_[a-z_]+)\"", p.read_text(encoding="utf-8"))}
    catalogue = {c.id for c in catalogue.CATALOGUE if c.stage == "published"}
    assert used and used <= catalogue
    docs = (Path(__file__).parent.parent / "docs" / "codes.md").read_text(encoding="utf-8")
    assert all(f"`{c}`" in docs for c in catalogue)
