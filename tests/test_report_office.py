"""The report through real applications: LibreOffice types a clerk's figures into a template,
`toolkit report` writes the DOCX, LibreOffice prints it to PDF, and the PDF's text (poppler's
pdftotext) carries the title, headings, table labels, figures and page numbers -- so the
fonts, the encoding and the page-number field survive a real word processor."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from test_render_docx import balanced_values, expected_numbers, grid, tables
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.model import Agency
from toolkit.office.driver import cells_by_code
from toolkit.outputs import docx_writer as dx
from toolkit.outputs.report_docx import narrative_paragraphs, render_report
from toolkit.template.workbook import build_workbook

pytestmark = pytest.mark.office

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
AGENCY = Agency("demo-media", "示例区传媒中心")
YEAR = 2023
NARRATIVES = {
    "overview": "2023年，本中心坚持以公开为常态、不公开为例外。\n（一）主动公开情况\n全年主动公开政府信息99条。",
    "problems": "一是公开内容不够全面。\n二是解读形式单一。",
    "other_matters": "本年度未收取信息处理费。",
}
CONTACT = {"meta_contact": "王五", "meta_phone": "0574-86781234"}


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        if os.environ.get("TOOLKIT_REQUIRE_OFFICE") == "1":
            pytest.fail(f"{tool} (poppler-utils) is required here but not installed")
        pytest.skip(f"{tool} not installed")
    return path


def pdf_text(pdf: Path) -> str:
    return subprocess.run([poppler("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def typed_report(spec, office, tmp_path_factory):
    """A template filled by LibreOffice as a clerk would (only dependents recalculated), the
    DOCX `toolkit report` made of it, and that DOCX printed to PDF by LibreOffice."""
    tmp = tmp_path_factory.mktemp("report_office")
    blank = tmp / "blank.xlsx"
    blank.write_bytes(build_workbook(spec, AGENCY, YEAR))
    values = balanced_values(spec, seed=11)
    filled = office.fill(blank, tmp / "filled.xlsx", cells_by_code(spec, {**values, **NARRATIVES, **CONTACT}),
                         recalc=False)
    out = tmp / "out" / "report.docx"
    res = CliRunner().invoke(app, ["report", str(filled), "-o", str(out)])
    assert res.exit_code == 0, res.output
    pdf = office.convert(out, "pdf", tmp / "pdf")
    return values, out, pdf


def test_docx_from_a_libreoffice_filled_workbook_carries_the_typed_figures(spec, typed_report):
    values, out, _ = typed_report
    expected = expected_numbers(spec, values)
    expected["t2_fee_amount"] = "3.75"
    for table, tbl in zip(spec.tables, tables(out.read_bytes())):
        g, _ = grid(tbl)
        for cell in table.cells:
            assert g[(cell.row - table.top, cell.col)]["text"] == expected[cell.code], cell.code


def test_pdf_text_has_title_headings_narratives_and_page_numbers(spec, typed_report):
    _, _, pdf = typed_report
    text = pdf_text(pdf)
    flat = squash(text)
    assert squash(f"{AGENCY.name}{spec.report_title('', YEAR)}") in flat
    for s in spec.sections:
        assert s.heading in text, s.heading
    for body in NARRATIVES.values():
        for para in narrative_paragraphs(body):
            assert squash(para) in flat, para
    assert "国办公开办函〔2021〕30号" in flat and "联系人：王五" in flat
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for n, page in enumerate(pages, 1):  # every page ends with its "— n —"
        assert re.search(rf"—\s*{n}\s*—\s*$", page), page[-200:]


def test_pdf_text_has_every_table_label_that_fits_one_line(spec, typed_report):
    """Labels whose text fits the width of their cell come out of the PDF whole; the long ones
    wrap and interleave with their neighbours in the text, so they are checked in the DOCX."""
    _, out, pdf = typed_report
    flat = squash(pdf_text(pdf))
    checked = 0
    for table, tbl in zip(spec.tables, tables(out.read_bytes())):
        widths = [int(gc.get(qn("w:w"))) for gc in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        style = tbl.find(f".//{W}pStyle").get(qn("w:val"))
        char = dx.TABLE_STYLES[style][0] * 10
        for lb in table.labels:
            room = sum(widths[lb.col:lb.col + lb.colspan]) - 2 * dx.CELL_MARGIN
            if lb.rowspan > 3 and lb.colspan == 1:  # the vertical 三、本年度办理结果
                continue
            if len(lb.text) * char <= room:
                assert squash(lb.text) in flat, (table.id, lb.text)
                checked += 1
    assert checked >= 45  # most labels, in all three tables


def test_pdf_uses_embedded_cjk_fonts(typed_report):
    _, _, pdf = typed_report
    fonts = subprocess.run([poppler("pdffonts"), str(pdf)], capture_output=True, text=True, check=True,
                           timeout=60).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in r for r in rows)  # every font embedded
    assert any("CJK" in r or "Song" in r or "Hei" in r or "Fang" in r or "Kai" in r for r in rows)


def test_unverified_mark_on_every_printed_page(spec, office, tmp_path):
    from test_render_docx import filled_random

    f = filled_random(spec)
    f.narratives["overview"] = "\n".join(["本年度工作概述，内容较长，用于撑满页面。" * 6] * 12)
    path = tmp_path / "unverified.docx"
    path.write_bytes(render_report(spec, f, unverified=True))
    pages = [p for p in pdf_text(office.convert(path, "pdf", tmp_path)).split("\f") if p.strip()]
    assert len(pages) >= 3
    for page in pages:
        assert "未通过校验" in page.strip().splitlines()[0]


def test_docx_is_a_valid_package_for_word(typed_report):
    """The parts Word insists on: content types for every part, and the relationships resolve."""
    _, out, _ = typed_report
    z = zipfile.ZipFile(out)
    names = set(z.namelist())
    types = z.read("[Content_Types].xml").decode()
    for name in names:
        if name.endswith(".xml") and not name.startswith("[") and "_rels" not in name:
            assert f'PartName="/{name}"' in types, name
    rels = z.read("word/_rels/document.xml.rels").decode()
    for target in re.findall(r'Target="([^"]+)"', rels):
        assert f"word/{target}" in names
    doc = docx.Document(str(out))  # python-docx opens it
    assert doc.core_properties.title == f"{AGENCY.name}{YEAR}年政府信息公开工作年度报告"
