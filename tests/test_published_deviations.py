"""Deviations real reports show: titles with the year first, figures with units, row labels with
characters missing or changed, an HTML table inside a JavaScript file."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from toolkit.format.spec import load_spec
from toolkit.published.reader import read_published

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "published"))
import pubfix as pf  # noqa: E402


@pytest.fixture(scope="module")
def figures():
    return pf.random_figures(load_spec(), 11)


write = pf.write_report


report = pf.report_of


def every_cell(spec, pub, figures, skip: tuple[str, ...] = ()) -> dict:
    stated = pub.stated("gb2021")
    return {c.code: (stated.get(c.code), figures[c.code]) for c in spec.cells
            if stated.get(c.code) != figures[c.code] and not c.code.startswith(skip)}


@pytest.mark.parametrize("layout", ["tab", "html", "flat", "pdf"])
def test_title_with_the_year_first(spec, figures, tmp_path, layout):
    pub = read_published(write(tmp_path, report(spec, figures, year_first=True), layout), spec)
    assert (pub.agency, pub.year) == (pf.Report.agency, 2024)


@pytest.mark.parametrize("layout", ["tab", "pdf", "html", "docx", "flat"])
def test_figures_with_units(spec, figures, tmp_path, layout):
    figs = {**figures, "t2_fee_amount": "35000元", "t2_license_decisions": f"{figures['t2_license_decisions']}件"}
    pub = read_published(write(tmp_path, report(spec, figs), layout), spec)
    stated = pub.stated("gb2021")
    assert stated["t2_fee_amount"] == Decimal("3.5")
    assert stated["t2_license_decisions"] == figures["t2_license_decisions"]
    units = {f.ref: f for f in pub.findings if f.code == "pub_unit"}
    assert set(units) == {"t2_fee_amount", "t2_license_decisions"}
    fee = units["t2_fee_amount"]
    assert fee.severity == "info" and fee.expected == Decimal("3.5") and "万元" in fee.message and "35000元" in fee.message
    ambiguous = ("t2_regulation", "t2_normative") if layout == "flat" else ()  # no arithmetic in table 二
    assert every_cell(spec, pub, figures, skip=("t2_fee", "t2_license", *ambiguous)) == {}


def test_amount_in_the_tables_unit(spec, figures, tmp_path):
    pub = read_published(write(tmp_path, report(spec, {**figures, "t2_fee_amount": "12.5万元"}), "html"), spec)
    assert pub.stated("gb2021")["t2_fee_amount"] == Decimal("12.5")
    [f] = [f for f in pub.findings if f.code == "pub_unit"]
    assert f.severity == "info" and f.cell == "行政事业性收费／本年收费金额（单位：万元）"


def _deviating(text: str) -> str:
    return text.replace("其他法律行政法规禁止公开", "其他法律行政禁公开").replace("本机关不掌握相关政府信息", "本机关不掌握相关信息")


@pytest.mark.parametrize("layout", ["tab", "pdf", "html", "docx", "flat"])
def test_row_label_with_characters_missing(spec, figures, tmp_path, layout):
    pub = read_published(write(tmp_path, report(spec, figures, label=_deviating), layout), spec)
    assert every_cell(spec, pub, figures, skip=("t2_regulation", "t2_normative") if layout == "flat" else ()) == {}
    variants = [(f.severity, f.sheet, f.cell, f.actual) for f in pub.findings if f.code == "pub_label_variant"]
    assert variants == [("warning", "表三", "2.其他法律行政法规禁止公开", "2.其他法律行政禁公开"),
                        ("warning", "表三", "1.本机关不掌握相关政府信息", "1.本机关不掌握相关信息")]
    assert not [f for f in pub.findings if f.code == "pub_row_missing"]


def test_a_missing_row_is_not_taken_for_a_deviating_label(spec, figures, tmp_path):
    pub = read_published(write(tmp_path, report(spec, figures), "flat", drop=("denied_law",)), spec)
    assert [(f.code, f.cell) for f in pub.findings if f.code in ("pub_row_missing", "pub_label_variant")] == [
        ("pub_row_missing", "2.其他法律行政法规禁止公开")]


def test_html_table_inside_a_javascript_file(spec, figures, tmp_path):
    path = write(tmp_path, report(spec, figures), "js")
    assert "document.write('" in path.read_text("utf-8") and "\\u" in path.read_text("utf-8")
    pub = read_published(path, spec)
    assert (pub.agency, pub.year) == (pf.Report.agency, 2024)
    assert every_cell(spec, pub, figures) == {}
    assert pub.narratives == pf.default_narratives(spec, figures, 2024)
    assert not [f for f in pub.findings if f.severity != "info"]


def test_page_writing_its_table_from_a_script(spec, figures, tmp_path):
    page = f"<html><head><title>年度报告</title></head><body><script>{pf.js_text(report(spec, figures))}</script></body></html>"
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert every_cell(spec, read_published(path, spec), figures) == {}


@pytest.mark.parametrize("title,agency,year", [
    ("2023年度某某县青年联合会政府信息公开工作年度报告", "某某县青年联合会", 2023),
    ("2020年某某市某某局政府信息公开工作年度报告", "某某市某某局", 2020),
    ("某某局2023年度政府信息公开工作年度报告", "某某局", 2023),
    ("标题：某某局2022年政府信息公开工作年度报告", "某某局", 2022),
])
def test_title_forms(spec, title, agency, year):
    from toolkit.published import sections
    from toolkit.published.doc import Row

    assert sections.find_title(spec, [Row((title,), False, 1)]) == (agency, year)
