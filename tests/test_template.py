"""The generated template, read back with openpyxl (no spreadsheet program involved)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from toolkit.format import compute
from toolkit.format.spec import STAMP_SHEET
from toolkit.model import Agency
from toolkit.template.workbook import build_workbook, stamp_values

AGENCY = Agency("beilun-media", "北仑区传媒中心")


@pytest.fixture(scope="module")
def blank(spec):
    data = build_workbook(spec, AGENCY, 2024)
    return data, openpyxl.load_workbook(io.BytesIO(data))


def test_sheets_and_stamp(spec, blank):
    _, wb = blank
    assert wb.sheetnames == [*spec.sheets, STAMP_SHEET]
    assert wb[STAMP_SHEET].sheet_state == "veryHidden"
    stamp = {r[0]: r[1] for r in wb[STAMP_SHEET].iter_rows(values_only=True)}
    assert stamp == stamp_values(spec, AGENCY, 2024)
    assert stamp["layout_hash"] == spec.layout_hash


def test_cells_labels_formulas(spec, blank):
    _, wb = blank
    for table in spec.tables:
        ws = wb[table.sheet]
        for lb in table.labels:
            assert ws[lb.address].value == lb.text
        merged = {str(r) for r in ws.merged_cells.ranges}
        for lb in table.labels:
            if lb.rowspan > 1 or lb.colspan > 1:
                assert lb.range in merged, lb
        for cell in table.cells:
            c = ws[cell.address]
            if cell.role == "total":
                assert c.value == "=" + spec.formula(cell)
                assert c.protection.locked
            else:
                assert c.value is None
                assert not c.protection.locked
        assert ws.protection.sheet


def test_every_input_has_validation(spec, blank):
    _, wb = blank
    for table in spec.tables:
        ws = wb[table.sheet]
        covered = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                covered[str(rng)] = dv
        for cell in table.inputs:
            dv = covered[cell.address]
            if cell.row_code == "carried_out":
                assert dv.type == "custom" and dv.errorStyle == "warning"
            else:
                assert dv.type == ("decimal" if cell.type == "decimal" else "whole")
                assert dv.operator == "greaterThanOrEqual" and dv.errorStyle in (None, "stop")
            assert dv.prompt and dv.error


def test_defined_names(spec, blank):
    _, wb = blank
    names = wb.defined_names
    for cell in spec.cells:
        sheet, ref = names[cell.code].attr_text.split("!")
        assert sheet.strip("'") == cell.sheet and ref.replace("$", "") == cell.address
    for n in spec.narratives:
        assert n.code in names


def test_workbook_structure_protected(blank):
    data, _ = blank
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    assert 'lockStructure="1"' in xml and "workbookPassword=" in xml
    assert xml.index("<workbookPr") < xml.index("<workbookProtection") < xml.index("<bookViews")


def test_prefilled_cached_totals(spec):
    values = {c.code: (i % 7) for i, c in enumerate(spec.inputs)}
    values["t2_fee_amount"] = 12.5
    data = build_workbook(spec, AGENCY, 2024, values=values, narratives={"overview": "=1+1 不是公式"})
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    expected = compute.totals(spec, values)
    for cell in spec.totals:
        assert wb[cell.sheet][cell.address].value == expected[cell.code]
    for cell in spec.inputs:
        assert wb[cell.sheet][cell.address].value == values[cell.code]
    n = spec.narrative("overview")
    assert wb[n.sheet][n.address].value == "=1+1 不是公式"
    assert wb[n.sheet][n.address].data_type == "s"


def _panel(spec, data: bytes) -> dict[str, tuple[str, str]]:
    from toolkit.template.workbook import panel_rows

    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[spec.cover_sheet]
    return {key: (ws.cell(r + 1, c + 1).value, ws.cell(r + 1, c + 2).value) for key, (r, c) in panel_rows(spec).items()}


def test_cover_panel_cached_results(spec):
    """A blank template says 未填写 (not 通过) on every line; a filled one says where it fails."""
    blank = _panel(spec, build_workbook(spec, AGENCY, 2024))
    assert {status for status, _ in blank.values()} == {"未填写"}
    assert {"R1", "R2", "R3", "R4", "R9", "contact", "blank:t3", "numbers:t3", "narrative:problems"} <= set(blank)
    unbalanced = _panel(spec, build_workbook(spec, AGENCY, 2024, values={"t3_new_natural": 5}))
    assert unbalanced["R1"] == ("未通过", "【自然人】【总计】")
    assert unbalanced["R2"][0] == unbalanced["R3"][0] == "通过"
    assert unbalanced["overall"][0] == "尚不能报送"


def test_cover_panel_clean_prefilled(spec):
    values = {c.code: 0 for c in spec.inputs}
    narratives = {"overview": "概况。", "problems": "问题。", "other_matters": "本年度未收取信息处理费。"}
    contact = {"meta_contact": "张三", "meta_phone": "123"}
    clean = _panel(spec, build_workbook(spec, AGENCY, 2024, values=values, narratives=narratives, contact=contact))
    assert all(status == "通过" and not detail for key, (status, detail) in clean.items() if key != "overall"), clean
    assert clean["overall"][0] == "可以报送"


def _parts(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None
    return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # core.xml holds a timestamp


@pytest.mark.parametrize("agency", [AGENCY, Agency("x-1", "A&B<局>\"某\"单位")])
def test_fast_path_equals_build_workbook(spec, agency):
    from toolkit.template.workbook import TemplateStamper

    fast = TemplateStamper(spec, 2024).build(agency)
    assert _parts(fast) == _parts(build_workbook(spec, agency, 2024))
    wb = openpyxl.load_workbook(io.BytesIO(fast))
    stamp = {r[0]: r[1] for r in wb[STAMP_SHEET].iter_rows(values_only=True)}
    assert stamp["agency"] == agency.name and stamp["agency_id"] == agency.id


def test_tables_freeze_headers_print_footer_and_name_groups(spec, blank):
    _, wb = blank
    for table in spec.tables:
        ws = wb[table.sheet]
        assert ws.freeze_panes == f"A{table.header_rows[-1] + 2}"
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
        assert ws.print_title_rows == f"$1:${table.header_rows[-1] + 1}"  # heading, agency line, headers
        assert AGENCY.name in ws.cell(2, 1).value
        assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
    prompts = {dv.prompt for dv in wb[spec.table("t4").sheet].data_validations.dataValidation}
    assert any(p.startswith("行政复议／结果维持") for p in prompts)
    assert any(p.startswith("行政诉讼·未经复议直接起诉／结果维持") for p in prompts)
    assert any(p.startswith("行政诉讼·复议后起诉／结果维持") for p in prompts)


def test_sheets_name_the_agency_only_in_the_printed_footer(spec):
    """The footer names the agency (its & doubled, as footer codes need); it is the only place a
    sheet does, and the reader leaves it out of a sheet's skeleton, so check reads the sheets of
    a whole roster by the plans it made for the first workbook."""
    from collections import Counter

    from toolkit.xlsx import scan

    names = ("甲乙丙丁局", "A&B 戊己局")
    books = [build_workbook(spec, Agency(f"x-{i}", n), 2024) for i, n in enumerate(names)]
    for data, name in zip(books, names, strict=True):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        for sheet in spec.sheets:
            assert wb[sheet].oddFooter.left.text == name.replace("&", "&&"), sheet
    first, second = (_parts(b) for b in books)
    sheets = [part for part in first if part.startswith("xl/worksheets/")]
    assert sum(names[0].encode() in first[part] for part in sheets) == len(spec.sheets)  # not the hidden stamp
    for part in sheets:
        assert _footless(first[part]) == _footless(second[part]) and names[0].encode() not in _footless(first[part])
    scanner = scan.Scanner()
    scanner.read_bytes(books[0], blanks=False)
    before = Counter(scanner.counts)
    scanner.read_bytes(books[1], blanks=False)
    learnt = scanner.counts - before
    assert learnt["sheet known"] == len(spec.sheets) + 1 and not learnt["sheet plan made"], learnt  # + the stamp


def _footless(xml: bytes) -> bytes:
    if b"<headerFooter>" not in xml:
        return xml
    return xml[: xml.index(b"<headerFooter>")] + xml[xml.index(b"</headerFooter>"):]


def test_a_long_agency_name_is_cut_in_the_footer(spec):
    from toolkit.template.workbook import FOOTER_NAME_CHARS

    name = "某" * 200
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(spec, Agency("x", name), 2024)))
    footer = wb[spec.cover_sheet].oddFooter.left.text
    assert footer == "某" * (FOOTER_NAME_CHARS - 1) + "…"


def test_faults_marked_by_conditional_formatting(spec, blank):
    _, wb = blank
    ws = wb[spec.table("t3").sheet]
    rules = [(str(rng.sqref), r.formula[0]) for rng in ws.conditional_formatting for r in rng.rules]
    natural = spec.cell("t3_new_natural")
    assert any(natural.address in sqref and "ISNUMBER" in f for sqref, f in rules)  # text in a number cell
    assert any(sqref.startswith(f"{natural.address}:") and "SUM(" in f for sqref, f in rules)  # its column's R1


def test_guide_on_cover_and_in_docs(spec, blank):
    from pathlib import Path

    _, wb = blank
    cover = " ".join(str(c) for row in wb[spec.cover_sheet].iter_rows(values_only=True) for c in row if c)
    guide = (Path(__file__).resolve().parent.parent / "docs" / "clerk-guide.md").read_text(encoding="utf-8")
    assert len(guide) < 1600  # one printed page
    for words in ("Ctrl+Enter", "Alt+Enter", "可以报送", "信息处理费", ".xlsx"):
        assert words in cover and words in guide, words
    from toolkit.template.ranges import input_rects

    assert "表三 " + "、".join(input_rects(spec.table("t3").inputs)) in cover  # where to select for the 0 gesture
