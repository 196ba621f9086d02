"""toolkit import: published reports (text, PDF text, HTML, DOCX) read into the current template."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.format.spec import load_spec
from toolkit.published.importer import import_report
from toolkit.published.reader import read_published

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "published"))
import pubfix as pf  # noqa: E402

REFERENCE = Path(__file__).parent / "reference"
BEILUN = REFERENCE / "000_154e5da753eb525e.txt"
HUAIAN = REFERENCE / "huaian-2024-report.pdf.txt"
runner = CliRunner()


write = pf.write_report


def errors(findings) -> list:
    return [f for f in findings if f.severity == "error"]


def workbook_values(path: Path) -> dict[str, object]:
    """Every defined name (= cell code) of a written workbook and its value."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name, dn in wb.defined_names.items():
        for sheet, ref in dn.destinations:
            out[name] = wb[sheet][ref.replace("$", "")].value
    return out


# --- the two real reports ------------------------------------------------------------------------


def _paragraphs_between(path: Path, start: str, end: str | None) -> str:
    lines = path.read_text(encoding="utf-8").split("\n")
    i = lines.index(start) + 1
    j = lines.index(end, i) if end else len(lines)
    return "\n".join(x.strip() for x in lines[i:j] if x.strip())


def test_beilun_imports_exactly(spec, tmp_path):
    pub = read_published(BEILUN, spec)
    assert (pub.agency, pub.year) == ("北仑区传媒中心", 2023)
    assert pub.editions() == {"t2": "gb2021", "t3": "gb2021", "t4": "gb2021"}
    stated = pub.stated("gb2021")
    assert len(spec.cells) == 200
    assert {c.code: stated.get(c.code) for c in spec.cells} == {c.code: 0 for c in spec.cells}
    assert pub.narratives == {
        "overview": _paragraphs_between(BEILUN, "一、总体情况", "主动公开政府信息情况"),
        "problems": _paragraphs_between(BEILUN, "五、存在的主要问题及改进情况", "六、其他需要报告的事项"),
        "other_matters": _paragraphs_between(BEILUN, "六、其他需要报告的事项", None),
    }
    assert pub.narratives["overview"].count("\n") == 6  # lead paragraph + three sub-headings and their text
    assert not errors(pub.findings)

    out = tmp_path / "beilun.xlsx"
    res = runner.invoke(app, ["import", str(BEILUN), "-o", str(out)])
    assert res.exit_code == 0, res.output
    values = workbook_values(out)
    assert all(values[c.code] == 0 for c in spec.cells)
    assert values["meta_agency"] == "北仑区传媒中心" and values["meta_year"] in (2023, "2023")
    assert values["overview"] == pub.narratives["overview"]


def _huaian_expected(spec) -> dict[str, object]:
    """The figures of the PDF text, read independently: t三 rows are the lines ending in seven
    numbers, t四 the line of fifteen, t二 the lines of a row label and its numbers."""
    lines = HUAIAN.read_text(encoding="utf-8").split("\n")
    t3, t2, t4 = spec.table("t3"), spec.table("t2"), spec.table("t4")
    seven = [m.groups() for m in (re.search(r"(?:^|[^\d ] ?)(\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", x)
                                  for x in lines) if m]
    fifteen = [x.split() for x in lines if re.fullmatch(r"(\d+ ){14}\d+", x)]
    assert len(seven) == 25 and len(fifteen) == 1
    out: dict[str, object] = {}
    for row, nums in zip(t3.row_codes, seven):
        for col, n in zip(t3.col_codes, nums):
            out[t3.cell(row, col).code] = int(n)
    for c, n in zip(t4.cells, fifteen[0]):
        out[c.code] = int(n)
    for row in t2.row_codes:
        cells = [c for c in t2.cells if c.row_code == row]
        line = next(x for x in lines if x.startswith(cells[0].row_label + " "))
        for c, n in zip(cells, line.split()[1:]):
            out[c.code] = Decimal(n) if c.type == "decimal" else int(n)
    assert len(out) == 200
    return out


def test_huaian_every_figure(spec, tmp_path):
    pub = read_published(HUAIAN, spec)
    assert (pub.agency, pub.year) == ("淮安市人民政府", 2024)
    expected = _huaian_expected(spec)
    stated = pub.stated("gb2021")
    assert {c: stated.get(c) for c in expected} == expected
    t3 = spec.table("t3")
    assert [stated[t3.cell(r, "total").code] for r in ("new", "carried_in", "closed_total", "carried_out")] == \
        [3119, 34, 3050, 103]
    assert stated["t2_fee_amount"] == Decimal("96171.6")
    assert "3940" in pub.narratives["other_matters"]
    assert pub.contact["meta_phone"] == "0517-83605210"
    assert not [f for f in pub.findings if f.severity != "info"]

    out = tmp_path / "huaian.xlsx"
    res = runner.invoke(app, ["import", str(HUAIAN), "-o", str(out), "--agency-id", "huaian"])
    assert res.exit_code == 0, res.output
    values = workbook_values(out)
    for c in spec.cells:  # inputs as read, totals recomputed by the template: equal to the printed ones
        assert values[c.code] == pytest.approx(float(expected[c.code])), c.code


# --- every layout, with figures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures():
    return pf.random_figures(load_spec(), 11)


def _report(spec, figures, **kw) -> pf.Report:
    return pf.Report(figures=figures, narratives=pf.default_narratives(spec, figures, 2024), **kw)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("layout", pf.LAYOUTS)
@pytest.mark.parametrize("labels", [pf.identity, pf.variant_labels], ids=["official", "variant-labels"])
def test_layout_figures(spec, figures, tmp_path, layout, labels):
    report = _report(spec, figures, label=labels)
    pub = read_published(write(tmp_path, report, layout), spec)
    assert (pub.agency, pub.year) == (report.agency, report.year)
    stated = pub.stated("gb2021")
    assert {c.code: stated.get(c.code) for c in spec.cells} == {c.code: figures[c.code] for c in spec.cells}
    if layout == "pdf":  # hard-wrapped text: compare the words, not the line breaks
        assert {k: _flat(v) for k, v in pub.narratives.items()} == {k: _flat(v) for k, v in report.narratives.items()}
    else:
        assert pub.narratives == report.narratives
    assert not [f for f in pub.findings if f.severity != "info"], pub.findings


@pytest.mark.parametrize("layout", ["tab", "pdf", "html"])
@pytest.mark.parametrize("heading", [pf.art50_headings, pf.unnumbered_headings])
def test_heading_variants(spec, figures, tmp_path, layout, heading):
    report = _report(spec, figures, heading=heading, title_split=False)
    pub = read_published(write(tmp_path, report, layout), spec)
    assert set(pub.tables) == {"t2", "t3", "t4"}
    stated = pub.stated("gb2021")
    assert all(stated[c.code] == figures[c.code] for c in spec.cells)
    assert _flat(pub.narratives["problems"]) == _flat(report.narratives["problems"])
    unnumbered = [f for f in pub.findings if f.code == "pub_heading_unnumbered"]
    assert len(unnumbered) == (2 if heading is pf.unnumbered_headings else 0)
    assert not errors(pub.findings)


def test_year_from_statistics_period(spec, figures, tmp_path):
    text = pf.tab_text(_report(spec, figures)).replace("2024年政府信息公开工作年度报告", "政府信息公开工作年度报告")
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    pub = read_published(path, spec)
    assert pub.year == 2024 and pub.agency is None  # the title carries neither any more
    res = runner.invoke(app, ["import", str(path), "-o", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and "--agency" in res.output and not (tmp_path / "x.xlsx").exists()
    res = runner.invoke(app, ["import", str(path), "-o", str(tmp_path / "x.xlsx"), "--agency", "示例局"])
    assert res.exit_code == 0, res.output


# --- blanks, placeholders, only 总计, numbers run together -----------------------------------------------


@pytest.mark.parametrize("layout", ["tab", "pipe", "html", "docx"])
def test_placeholders_and_blanks(spec, figures, tmp_path, layout):
    figs = dict(figures)
    figs.update({"t3_denied_secret_natural": "/", "t3_denied_secret_research": "—", "t3_denied_secret_total":
                 figures["t3_denied_secret_total"] - figures["t3_denied_secret_natural"]
                 - figures["t3_denied_secret_research"],
                 "t4_after_other": "", "t2_license_decisions": "无"})
    pub = read_published(write(tmp_path, _report(spec, figs), layout), spec)
    stated = pub.stated("gb2021")
    assert stated["t3_denied_secret_natural"] == 0 and stated["t3_denied_secret_research"] == 0
    assert stated["t2_license_decisions"] == 0
    assert stated["t4_after_other"] is None
    holders = {f.ref: f for f in pub.findings if f.code == "pub_placeholder"}
    assert set(holders) == {"t3_denied_secret_natural", "t2_license_decisions"}
    f = holders["t3_denied_secret_natural"]
    assert (f.sheet, f.cell) == ("表三", "1.属于国家秘密／自然人") and "科研机构" in f.message
    blank = [f for f in pub.findings if f.code == "pub_blank"]
    assert [(f.sheet, f.cell, f.ref) for f in blank] == [("表四", "复议后起诉·其他结果", "t4_after_other")]


def test_total_only_column(spec, figures, tmp_path):
    t3 = spec.table("t3")
    figs = {c: v for c, v in figures.items() if not (c.startswith("t3_") and spec.cell(c).col_code != "total")}
    pub = read_published(write(tmp_path, _report(spec, figs), "html"), spec)
    stated = pub.stated("gb2021")
    assert all(stated[t3.cell(r, "total").code] == figures[t3.cell(r, "total").code] for r in t3.row_codes)
    assert all(stated[t3.cell(r, "natural").code] is None for r in t3.row_codes)
    only = [f for f in pub.findings if f.code == "pub_total_only"]
    assert len(only) == 25 and only[0].cell == "一、本年新收政府信息公开申请数量／自然人"
    assert not [f for f in pub.findings if f.code == "pub_blank" and f.sheet == "表三"]


def test_run_together_split_by_arithmetic(spec, figures, tmp_path):
    path = write(tmp_path, _report(spec, figures), "pdf", run_together={"new": "", "granted": "", "": ""})
    assert "\n" + "".join(str(figures[c.code]) for c in spec.table("t4").cells) + "\n" in path.read_text("utf-8")
    pub = read_published(path, spec)
    stated = pub.stated("gb2021")
    split = {f.ref for f in pub.findings if f.code == "pub_run_together"}
    for row in ("new", "granted"):
        cells = [c for c in spec.table("t3").cells if c.row_code == row]
        assert all(stated[c.code] == figures[c.code] for c in cells)
    assert {"t3_new_natural", "t3_granted_natural"} <= split
    t4_ok = all(stated[c.code] == figures[c.code] for c in spec.table("t4").cells)
    assert t4_ok or "t4_review_upheld" in {f.ref for f in pub.findings if f.code == "pub_ambiguous"}


def test_run_together_ambiguous_is_reported_not_guessed(spec, figures, tmp_path):
    figs = dict(figures)
    # 1 10 0 0 0 0 11 and 11 0 0 0 0 0 11 print alike when run together: "110000011"
    t3 = spec.table("t3")
    row = dict(zip(t3.col_codes, (1, 10, 0, 0, 0, 0, 11)))
    for col, v in row.items():
        figs[t3.cell("carried_in", col).code] = v
    path = write(tmp_path, _report(spec, figs), "pdf", run_together={"carried_in": ""})
    assert "110000011" in path.read_text("utf-8")
    pub = read_published(path, spec)
    amb = [f for f in pub.findings if f.code == "pub_ambiguous"]
    assert [(f.sheet, f.cell, f.severity) for f in amb] == [("表三", "二、上年结转政府信息公开申请数量", "error")]
    assert all(pub.stated("gb2021")[t3.cell("carried_in", c).code] is None for c in t3.col_codes)


# --- the 2019 format ------------------------------------------------------------------------------------


def test_2019_report_maps_what_has_an_equivalent(spec, tmp_path):
    old = load_spec("gb2019")
    figs = pf.old_figures()
    report = pf.Report(year=2020, figures=figs, editions={"t2": "gb2019", "t3": "gb2019", "t4": "gb2019"},
                       narratives=pf.default_narratives(old, figs, 2020))
    path = write(tmp_path, report, "html")
    pub = read_published(path, spec)
    # table 四 is the same in both editions: read as the current one, not named outdated
    assert pub.editions() == {"t2": "gb2019", "t3": "gb2019", "t4": "gb2021"}
    stated = {**pub.stated("gb2019"), **pub.stated("gb2021")}
    assert {c.code: stated[c.code] for c in old.cells} == {c.code: figs[c.code] for c in old.cells}
    outdated = [f for f in pub.findings if f.code == "pub_old_layout"]
    assert [(f.sheet, f.severity) for f in outdated] == [("表二", "info"), ("表三", "info")]  # right for 2020

    result = import_report(path, spec=spec, agency_id="demo")
    shared = {c.code for c in old.inputs} & {c.code for c in spec.inputs}
    assert {"t2_license_decisions", "t2_penalty_decisions", "t3_new_natural", "t4_review_upheld"} <= shared
    assert all(result.values[c] == figs[c] for c in shared)
    assert all(result.values[c] is None for c in ("t2_regulation_issued", "t3_other_other_natural", "t2_fee_amount"))
    unmapped = {f.sheet: f for f in result.findings if f.code == "pub_not_mapped"}
    assert set(unmapped) == {"表二", "表三"}
    assert "（六）其他处理" in unmapped["表三"].message and "3.其他" in unmapped["表三"].message


def test_old_table2_in_a_2021_report(spec, figures, tmp_path):
    old = load_spec("gb2019")
    figs = {**figures, **{c.code: v for c, v in zip(old.table("t2").cells, range(3, 99))}}
    report = _report(spec, figs, editions={"t2": "gb2019"})
    pub = read_published(write(tmp_path, report, "pdf"), spec)
    assert pub.editions() == {"t2": "gb2019", "t3": "gb2021", "t4": "gb2021"}
    [f] = [f for f in pub.findings if f.code == "pub_old_layout"]
    assert (f.severity, f.sheet) == ("error", "表二") and "2019" in f.message
    stated = pub.stated("gb2021")
    assert all(stated[c.code] == figures[c.code] for c in spec.table("t3").cells)
    assert pub.stated("gb2019")["t2_procurement_amount"] == figs["t2_procurement_amount"]


# --- not a report, missing parts -----------------------------------------------------------------------------


def test_not_a_report_exit_2_nothing_written(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("关于做好2024年度政务公开工作的通知\n各单位：请认真做好政务公开工作。\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    res = runner.invoke(app, ["import", str(path), "-o", str(out)])
    assert res.exit_code == 2 and "不是可读取的政府信息公开工作年度报告" in res.output
    assert not out.exists()


@pytest.mark.parametrize("layout", ["tab", "html"])
def test_tables_missing_exit_2(spec, figures, tmp_path, layout):
    path = write(tmp_path, _report(spec, figures, omit=("t2", "t3", "t4")), layout)
    out = tmp_path / "out.xlsx"
    res = runner.invoke(app, ["import", str(path), "-o", str(out)])
    assert res.exit_code == 2 and "表二、表三、表四" in res.output
    assert not out.exists()


def test_one_table_missing_is_named(spec, figures, tmp_path):
    pub = read_published(write(tmp_path, _report(spec, figures, omit=("t4",)), "tab"), spec)
    assert set(pub.tables) == {"t2", "t3"}
    [f] = [f for f in pub.findings if f.code == "pub_section_missing"]
    assert (f.severity, f.sheet) == ("error", "表四")


def test_unsupported_and_unsafe_agency_id(spec, figures, tmp_path):
    bad = tmp_path / "r.pdf"
    bad.write_bytes(b"%PDF-1.4")
    res = runner.invoke(app, ["import", str(bad)])
    assert res.exit_code == 2 and ".txt" in res.output
    report = _report(spec, figures, agency="示例/局")
    path = write(tmp_path, report, "tab")
    res = runner.invoke(app, ["import", str(path), "-o", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and "--agency-id" in res.output and not (tmp_path / "x.xlsx").exists()


def test_default_output_named_by_agency(spec, figures, tmp_path, monkeypatch):
    path = write(tmp_path, _report(spec, figures), "docx")
    before = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["import", str(path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "示例县市场监督管理局.xlsx").exists()
    assert path.read_bytes() == before  # the input is never modified


# --- round trips ------------------------------------------------------------------------------------------------


def test_import_render_docx_import_round_trip(spec, tmp_path):
    """Published text -> workbook values -> the report engineer's DOCX -> read again: same figures."""
    from toolkit.model import Filled
    from toolkit.outputs.report_docx import render_report

    result = import_report(HUAIAN, spec=spec, agency_id="huaian")
    pub = result.published
    filled = Filled(agency=result.agency.name, year=result.year, agency_id=result.agency.id,
                    values=result.values, narratives=pub.narratives, contact=pub.contact)
    docx_path = tmp_path / "huaian.docx"
    docx_path.write_bytes(render_report(spec, filled))
    again = read_published(docx_path, spec)
    assert (again.agency, again.year) == ("淮安市人民政府", 2024)
    assert again.stated("gb2021") == pub.stated("gb2021")
    assert {k: _flat(v) for k, v in again.narratives.items()} == {k: _flat(v) for k, v in pub.narratives.items()}


def test_imported_workbook_passes_check(spec, tmp_path):
    check = pytest.importorskip("toolkit.check.workbook")
    out = tmp_path / "huaian.xlsx"
    assert runner.invoke(app, ["import", str(HUAIAN), "-o", str(out), "--agency-id", "huaian"]).exit_code == 0
    result = check.check_file(out)
    assert not [f for f in result.findings if f.severity == "error"], result.findings
    expected = _huaian_expected(spec)
    assert all(result.filled.values[c.code] == pytest.approx(float(expected[c.code])) for c in spec.inputs)


def test_imported_workbook_serves_as_previous_year(spec, tmp_path):
    """collect --previous accepts last year's reports imported from their published text."""
    from toolkit.collect.previous import load_previous

    inbox = tmp_path / "2024"
    inbox.mkdir()
    assert runner.invoke(app, ["import", str(HUAIAN), "-o", str(inbox / "huaian.xlsx"),
                               "--agency-id", "huaian"]).exit_code == 0
    previous = load_previous(inbox, 2025, spec)
    assert set(previous) == {"huaian"}
    expected = _huaian_expected(spec)
    assert all(previous["huaian"].values[c.code] == pytest.approx(float(expected[c.code])) for c in spec.inputs)
