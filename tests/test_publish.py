"""Website-ready outputs: the HTML report (valid HTML5, escaped text, the official tables' merged
cells as in the DOCX), the site index, the PDF printed from the DOCX, and the CLI options
(`report --format`, `collect --publish/--region`)."""

from __future__ import annotations

import subprocess
import sys

import html5lib
import pytest
from test_collect import YEAR, workbook
from test_render_docx import blocks, filled_random, grid, tables
from test_report_office import poppler
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.model import Filled
from toolkit.outputs.report_docx import render_combined, render_report, table_numbers
from toolkit.outputs.report_html import render_combined_html, render_report_html
from toolkit.outputs.site import Entry, index_html

HOSTILE = "一是<script>alert('x')</script>。\n二是{{ agency }}与{% if %}和&amp;及 & 符号\x01、\"引号\"。"


def parse(data: bytes):
    """The document tree; html5lib in strict mode raises on any HTML5 parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(data)


def text_of(el) -> str:
    return "".join(el.itertext())


def html_grid(table) -> dict[tuple[int, int], tuple[int, int, str]]:
    """Grid position of each cell's top-left corner -> (rowspan, colspan, text), spans resolved."""
    taken: set[tuple[int, int]] = set()
    out = {}
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for cell in tr:
            while (r, c) in taken:
                c += 1
            rs, cs = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            out[(r, c)] = (rs, cs, text_of(cell))
            taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            c += cs
    return out


def docx_grid(tbl) -> dict[tuple[int, int], tuple[int, int, str]]:
    """The same from a DOCX table: vertical merges counted into a rowspan."""
    g, _ = grid(tbl)
    out = {}
    for (r, c), cell in g.items():
        if cell["vmerge"] == "continue":
            continue
        rs = 1
        while cell["vmerge"] == "restart" and g.get((r + rs, c), {}).get("vmerge") == "continue":
            rs += 1
        out[(r, c)] = (rs, cell["colspan"], cell["text"].replace("\n", ""))
    return out


# --- the HTML page -------------------------------------------------------------------------------


def test_report_page_is_valid_self_contained_html5(spec):
    data = render_report_html(spec, filled_random(spec))
    doc = parse(data)
    assert doc.find("head/meta").get("charset") == "utf-8"
    assert doc.get("lang") == "zh-CN"
    assert not doc.findall(".//script") and not doc.findall(".//link") and not doc.findall(".//img")
    assert b"http" not in data and b"url(" not in data and b"@import" not in data  # no external asset
    style = text_of(doc.find("head/style"))
    assert "@media print" in style and "@page" in style and "size: A4" in style
    assert not doc.findall(".//*[@class='unverified']")
    marked = parse(render_report_html(spec, filled_random(spec), unverified=True))
    assert text_of(marked.find(".//body/p")) == "未通过校验"


def test_report_page_reads_as_the_docx(spec):
    """Title, lead, headings and every narrative paragraph: the DOCX's texts, in its order."""
    f = filled_random(spec)
    doc = parse(render_report_html(spec, f))
    page = [text_of(el) for el in doc.find("body").iter() if el.tag in ("h1", "h2", "h3", "p")]
    docx_texts = [b[2].replace("\n", "") for b in blocks(render_report(spec, f)) if b[0] == "p" and b[2]]
    assert page == docx_texts


def test_hostile_narrative_and_agency_text_is_escaped(spec):
    f = filled_random(spec)
    f.agency = "</title><script>alert(1)</script>局"
    f.narratives["problems"] = HOSTILE
    data = render_report_html(spec, f)
    doc = parse(data)  # still valid: nothing the clerk typed becomes markup
    assert not doc.findall(".//script")
    assert text_of(doc.find("head/title")).startswith(f.agency)
    paragraphs = [text_of(p) for p in doc.iter("p")]
    assert "一是<script>alert('x')</script>。" in paragraphs
    assert "二是{{ agency }}与{% if %}和&amp;及 & 符号、\"引号\"。" in paragraphs  # the control character dropped
    assert b"&lt;script&gt;" in data and b"&amp;amp;" in data


def test_tables_have_the_docx_spans_captions_and_header_scopes(spec):
    f = filled_random(spec)
    doc = parse(render_report_html(spec, f))
    html_tables = doc.findall(".//table")
    docx_tables = tables(render_report(spec, f))
    numbers = table_numbers(spec, f.values)
    assert len(html_tables) == len(spec.tables) == len(docx_tables)
    for table, el, tbl in zip(spec.tables, html_tables, docx_tables):
        assert text_of(el.find("caption")) == next(s.heading for s in spec.sections if s.table == table.id)
        assert html_grid(el) == docx_grid(tbl), table.id
        g = html_grid(el)
        for cell in table.cells:
            assert g[(cell.row - table.top, cell.col)][2] == numbers[cell.code]
        heads = el.findall(".//th")
        assert len(heads) == len(table.labels)
        assert all(th.get("scope") in {"row", "col", "colgroup"} for th in heads)
        rows = {lb.text: th.get("scope") for lb, th in zip(table.labels, heads)}
        assert all(rows[lb.text] == "row" for lb in table.labels if lb.kind == "row")
    t3 = html_tables[1]
    assert len(t3.find("thead").findall("tr")) == len(spec.table("t3").header_rows)  # repeated when printed
    assert len(html_tables[0].findall("tbody")) == 4  # 表二: one body per block


def test_combined_page_with_region_lists_agencies_by_name(spec):
    a, b = filled_random(spec, 1), filled_random(spec, 2)
    b.agency, b.agency_id = "另一局&<i>", "other"
    excluded = [("bad-1", "某局：x.xlsx 有 1 个错误"), ("late", "迟报局：未报送")]
    data = render_combined_html(spec, 2024, [a, b], excluded, region="北仑区")
    doc = parse(data)
    assert text_of(doc.find("head/title")) == "北仑区2024年政府信息公开工作年度报告汇总"
    assert text_of(doc.find(".//h1")) == "北仑区2024年政府信息公开工作年度报告汇总"
    html_tables = doc.findall(".//table")
    docx_tables = tables(render_combined(spec, 2024, [a, b], excluded, region="北仑区"))
    for el, tbl in zip(html_tables, docx_tables):  # the summed tables and both lists
        assert html_grid(el) == docx_grid(tbl)
    assert [text_of(td) for td in html_tables[3].findall(".//tbody/tr/td")] == [
        "1", "test-bureau", "测试市测试局", "2", "other", "另一局&<i>"]
    docx_title = blocks(render_combined(spec, 2024, [a], [], region="北仑区"))[0][2]
    assert docx_title == "北仑区\n2024年政府信息公开工作年度报告汇总"


def test_empty_combined_page_is_valid(spec):
    doc = parse(render_combined_html(spec, 2024, [], []))
    assert [text_of(td) for td in doc.findall(".//table")[3].findall(".//td")] == ["无"]


def test_site_index_lists_each_report_by_name(spec):
    entries = [Entry("示例一局", "a01"), Entry("<b>局</b>", "id-1")]
    data = index_html("北仑区2024年政府信息公开工作年度报告", Entry("汇总报告", "汇总"), entries, ["pdf", "html"])
    doc = parse(data)
    rows = doc.findall(".//tbody/tr")
    assert [text_of(r.find("th")) for r in rows] == ["示例一局", "<b>局</b>"]
    assert [a.get("href") for a in rows[0].iter("a")] == ["../reports/a01.html", "../reports/a01.html",
                                                           "../reports/a01.pdf"]
    assert doc.find(".//nav//a").get("href") == "../reports/%E6%B1%87%E6%80%BB.html"


# --- the CLI -------------------------------------------------------------------------------------


@pytest.fixture()
def inbox(spec, tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "a01.xlsx").write_bytes(workbook(spec, "a01", "示例一局", 1))
    (box / "a02.xlsx").write_bytes(workbook(spec, "a02", "示例<二>局", 2))
    return box


def run(*args: str):
    return CliRunner().invoke(app, [*args])


def test_report_format_html_names_the_file_by_agency(spec, inbox, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("report", str(inbox / "a02.xlsx"), "--format", "html")
    assert res.exit_code == 0, res.output
    doc = parse((tmp_path / "a02.html").read_bytes())
    assert text_of(doc.find("head/title")) == "示例<二>局2024年政府信息公开工作年度报告"
    assert not (tmp_path / "a02.docx").exists()


def test_report_format_refuses_unknown_and_pdf_without_libreoffice(inbox, tmp_path, monkeypatch):
    from toolkit.office import driver

    res = run("report", str(inbox / "a01.xlsx"), "--format", "odt")
    assert res.exit_code == 2 and "未知的报告格式" in res.output
    monkeypatch.setattr(driver, "unavailable_reason", lambda: "soffice not found on PATH")
    res = run("report", str(inbox / "a01.xlsx"), "--format", "pdf", "-o", str(tmp_path / "x.pdf"))
    assert res.exit_code == 2 and "无法生成 PDF" in res.output and "LibreOffice" in res.output
    res = run("collect", str(inbox), "--year", str(YEAR), "-o", str(tmp_path / "o"), "--publish", "pdf")
    assert res.exit_code == 2 and "无法生成 PDF" in res.output
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "o").exists()


def test_collect_publish_html_and_docx_with_region(inbox, tmp_path):
    out = tmp_path / "out"
    res = run("collect", str(inbox), "--year", str(YEAR), "-o", str(out), "--publish", "html,docx",
              "--region", "北仑区")
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (out / "reports").iterdir())
    assert names == ["a01.docx", "a01.html", "a02.docx", "a02.html", "汇总.docx", "汇总.html"]
    combined = parse((out / "reports" / "汇总.html").read_bytes())
    assert text_of(combined.find(".//h1")) == "北仑区2024年政府信息公开工作年度报告汇总"
    assert blocks((out / "reports" / "汇总.docx").read_bytes())[0][2] == "北仑区\n2024年政府信息公开工作年度报告汇总"
    index = parse((out / "site" / "index.html").read_bytes())
    assert text_of(index.find(".//h1")) == "北仑区2024年政府信息公开工作年度报告"
    links = [(text_of(a), a.get("href")) for a in index.findall(".//tbody/tr/th/a")]
    assert links == [("示例一局", "../reports/a01.html"), ("示例<二>局", "../reports/a02.html")]
    for _, href in links:
        assert (out / "site" / href).is_file()


def test_collect_default_is_docx_only_and_no_docx_still_works(inbox, tmp_path):
    res = run("collect", str(inbox), "--year", str(YEAR), "-o", str(tmp_path / "d"))
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "d" / "reports").iterdir()) == ["a01.docx", "a02.docx", "汇总.docx"]
    assert not (tmp_path / "d" / "site").exists()
    res = run("collect", str(inbox), "--year", str(YEAR), "-o", str(tmp_path / "n"), "--no-docx")
    assert res.exit_code == 0 and not (tmp_path / "n" / "reports").exists()
    res = run("collect", str(inbox), "--year", str(YEAR), "-o", str(tmp_path / "h"), "--publish", "html", "--no-docx")
    assert res.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "h" / "reports").iterdir()) == ["a01.html", "a02.html", "汇总.html"]
    res = run("collect", str(inbox), "--year", str(YEAR), "-o", str(tmp_path / "x"), "--publish", "html,rtf")
    assert res.exit_code == 2 and "rtf" in res.output


def test_the_report_stage_loads_no_office_driver_until_pdf():
    code = ("import sys, toolkit.outputs.reports, toolkit.outputs.report_html, toolkit.outputs.site\n"
            "print([m for m in sys.modules if m.startswith('toolkit.office')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- PDF through LibreOffice ---------------------------------------------------------------------


@pytest.mark.office
def test_collect_publish_pdf_text_and_embedded_fonts(spec, office, inbox, tmp_path):
    out = tmp_path / "out"
    res = run("collect", str(inbox), "--year", str(YEAR), "-o", str(out), "--publish", "pdf", "--region", "北仑区")
    assert res.exit_code == 0, res.output
    reports = out / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["a01.pdf", "a02.pdf", "汇总.pdf"]  # no DOCX left
    text = subprocess.run([poppler("pdftotext"), str(reports / "a02.pdf"), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    squashed = "".join(text.split())
    assert "示例<二>局" in squashed and "2024年政府信息公开工作年度报告" in squashed
    assert all(s.heading in squashed for s in spec.sections)
    combined = "".join(subprocess.run([poppler("pdftotext"), str(reports / "汇总.pdf"), "-"], capture_output=True,
                                      text=True, check=True, timeout=60).stdout.split())
    assert "北仑区2024年政府信息公开工作年度报告汇总" in combined and "示例一局" in combined
    fonts = subprocess.run([poppler("pdffonts"), str(reports / "a02.pdf")], capture_output=True, text=True,
                           check=True, timeout=60).stdout.splitlines()[2:]
    assert fonts and all(" yes " in row for row in fonts)  # every font embedded
    index = parse((out / "site" / "index.html").read_bytes())
    assert [a.get("href") for a in index.findall(".//tbody/tr/th/a")] == ["../reports/a01.pdf", "../reports/a02.pdf"]


@pytest.mark.office
def test_report_format_pdf_of_an_unverified_report(spec, office, tmp_path):
    from test_collect import figures

    bad = figures(spec, 3)
    bad["t3_new_other"] += 2
    src = tmp_path / "bad.xlsx"
    src.write_bytes(workbook(spec, "b01", "出错局", values=bad))
    target = tmp_path / "bad.pdf"
    res = run("report", str(src), "--format", "pdf", "--force", "-o", str(target))
    assert res.exit_code == 0, res.output
    text = subprocess.run([poppler("pdftotext"), str(target), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    assert "未通过校验" in text and "出错局" in text


def test_filled_without_year_renders(spec):
    parse(render_report_html(spec, Filled(agency="", year=None, agency_id=None, values={})))
