"""The one-pass reader, cross-checked against openpyxl, and its handling of odd packages."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from faults import clean_workbook, members, rezip, sheet_part

from toolkit.format.spec import STAMP_SHEET, address
from toolkit.office.driver import cells_by_code
from toolkit.xlsx import ReadError, read_bytes
from toolkit.xlsx.book import parse_xml, shift_formula


@pytest.fixture(scope="module")
def filled(spec) -> bytes:
    return clean_workbook(spec)


@pytest.fixture(scope="module")
def lo_saved(spec, filled, office, tmp_path_factory) -> bytes:
    """The filled workbook after LibreOffice typed one more number and saved it."""
    d = tmp_path_factory.mktemp("read")
    (d / "in.xlsx").write_bytes(filled)
    office.fill(d / "in.xlsx", d / "out.xlsx", cells_by_code(spec, {"t3_new_natural": 99}), recalc=False)
    return (d / "out.xlsx").read_bytes()


def _same_as_openpyxl(data: bytes) -> None:
    book = read_bytes(data, validations=True)
    formulas = openpyxl.load_workbook(io.BytesIO(data))
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    assert [n for n, _ in book.sheet_names] == formulas.sheetnames
    for name, sheet in book.sheets.items():
        ws_f, ws_v = formulas[name], values[name]
        assert sheet.state == ws_f.sheet_state
        assert sheet.protected == bool(ws_f.protection.sheet)
        assert sorted(sheet.merged) == sorted(str(r) for r in ws_f.merged_cells.ranges)
        assert len(sheet.validations) == len(ws_f.data_validations.dataValidation)
        compared = 0
        for row in ws_f.iter_rows():
            for c in row:
                mine = sheet.at(c.row - 1, c.column - 1)
                cached = ws_v.cell(c.row, c.column).value
                if isinstance(c.value, str) and c.value.startswith("=") and c.data_type == "f":
                    assert mine.formula == c.value[1:], (name, c.coordinate)
                    assert mine.value == cached, (name, c.coordinate)
                else:
                    assert mine.formula is None, (name, c.coordinate)
                    assert mine.value == c.value, (name, c.coordinate)
                assert book.locked(mine) == bool(c.protection.locked), (name, c.coordinate)
                compared += 1
        assert compared
    for code, dn in formulas.defined_names.items():
        assert book.names[code].replace("'", "") == dn.attr_text.replace("'", "")


def test_reader_agrees_with_openpyxl_on_a_generated_workbook(filled):
    _same_as_openpyxl(filled)


SAMPLES = sorted((Path(__file__).parents[1] / "samples" / "inbox").glob("*.xlsx"))


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_reader_agrees_with_openpyxl_on_the_sample_inbox(path):
    _same_as_openpyxl(path.read_bytes())


@pytest.mark.office
def test_reader_agrees_with_openpyxl_after_libreoffice_saved_it(lo_saved, spec):
    _same_as_openpyxl(lo_saved)
    book = read_bytes(lo_saved)
    cell = spec.cell("t3_new_natural")
    total = spec.cell("t3_new_total")
    assert book.sheets[cell.sheet].at(cell.row, cell.col).value == 99
    assert book.sheets[total.sheet].at(total.row, total.col).formula == spec.formula(total)
    assert book.application.startswith("LibreOffice")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:]+Z", book.saved_at)


def test_only_the_sheets_asked_for_are_parsed(filled, spec):
    book = read_bytes(filled, [spec.cover_sheet, STAMP_SHEET])
    assert set(book.sheets) == {spec.cover_sheet, STAMP_SHEET}
    assert [n for n, _ in book.sheet_names] == [*spec.sheets, STAMP_SHEET]
    assert dict(book.sheet_names)[STAMP_SHEET] == "veryHidden"
    assert not book.sheets[spec.cover_sheet].validations  # not asked for


def test_sheets_are_found_through_relationships_not_file_order(filled, spec):
    parts = members(filled)
    a, b = sheet_part(parts, spec.sheets[0]), sheet_part(parts, spec.sheets[2])
    parts[a], parts[b] = parts[b], parts[a]
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    name_a, name_b = a.rsplit("/", 1)[1], b.rsplit("/", 1)[1]
    rels = rels.replace(name_a, "TMP").replace(name_b, name_a).replace("TMP", name_b)
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    book = read_bytes(rezip(parts))
    t3 = spec.table("t3")
    lb = t3.labels[0]
    assert book.sheets[t3.sheet].at(lb.row, lb.col).value == lb.text


def test_shared_formulas_are_moved_to_each_cell(filled, spec):
    """Excel writes a filled-down formula once (t="shared") and refers to it from the others."""
    t3 = spec.table("t3")
    column = [c for c in t3.totals if c.col_code == "total"][:3]
    parts = members(filled)
    path = sheet_part(parts, t3.sheet)
    xml = parts[path].decode()
    for i, cell in enumerate(column):
        f = (f'<f t="shared" ref="{column[0].address}:{column[-1].address}" si="0">{spec.formula(cell)}</f>'
             if i == 0 else '<f t="shared" si="0"/>')
        xml, n = re.subn(rf'(<c r="{cell.address}"[^>]*>)<f>[^<]*</f>', rf"\g<1>{f}", xml)
        assert n == 1
    parts[path] = xml.encode()
    book = read_bytes(rezip(parts))
    for cell in column:
        assert book.sheets[t3.sheet].at(cell.row, cell.col).formula == spec.formula(cell)


def test_shift_formula_moves_relative_references_only():
    assert shift_formula("SUM(D6:I6)", 1, 0) == "SUM(D7:I7)"
    assert shift_formula("SUM($D6:I$6)+LOG10(A1)", 2, 1) == "SUM($D8:J$6)+LOG10(B3)"
    assert shift_formula('IF(A1="B2",C3,0)', 1, 1) == 'IF(B2="B2",D4,0)'
    assert shift_formula("'表三申请处理'!D6*2", 0, 2) == "'表三申请处理'!F6*2"


def test_cell_types_inline_strings_booleans_errors(filled, spec):
    sheet = spec.table("t4").sheet
    parts = members(filled)
    path = sheet_part(parts, sheet)
    xml = parts[path].decode()
    odd = {"A6": '<c r="A6" t="inlineStr"><is><r><t>1</t></r><r><t>2件</t></r></is></c>',
           "B6": '<c r="B6" t="b"><v>1</v></c>',
           "C6": '<c r="C6" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
           "D6": '<c r="D6"><v>2.5E1</v></c>'}
    for ref, body in odd.items():
        xml = re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', body, xml, count=1)
    parts[path] = xml.encode()
    got = read_bytes(rezip(parts)).sheets[sheet]
    assert (got.get("A6").value, got.get("A6").kind) == ("12件", "s")
    assert (got.get("B6").value, got.get("B6").kind) == (True, "b")
    assert (got.get("C6").value, got.get("C6").kind, got.get("C6").formula) == ("#DIV/0!", "e", "1/0")
    assert (got.get("D6").value, got.get("D6").kind) == (25, "n") and isinstance(got.get("D6").value, int)


def test_xml_with_a_dtd_is_refused_by_defusedxml():
    with pytest.raises(ReadError) as e:
        parse_xml(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "p.xml")
    assert e.value.code == "xml_forbidden"
    with pytest.raises(ReadError) as e:
        parse_xml('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>'
                  .encode("utf-16"), "p.xml")
    assert e.value.code == "xml_forbidden"
    with pytest.raises(ReadError) as e:
        parse_xml(b"<x><y></x>", "p.xml")
    assert e.value.code == "xml_corrupt"


def test_a_dtd_hidden_by_a_declared_encoding_is_not_missed():
    """"<!DOCTYPE" in EBCDIC has none of its ASCII bytes: such a part never takes the fast path."""
    body = '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'.encode("cp037")
    assert b"<!DOCTYPE" not in body
    with pytest.raises(ReadError) as e:
        parse_xml(b'<?xml version="1.0" encoding="cp037"?>' + body, "p.xml")
    assert e.value.code in ("xml_forbidden", "xml_corrupt")
    with pytest.raises(ReadError) as e:
        parse_xml(b'<?xml version="1.0" encoding="no-such-codec"?><x/>', "p.xml")
    assert e.value.code == "xml_corrupt"


def test_utf16_parts_are_read():
    root = parse_xml('<?xml version="1.0" encoding="UTF-16"?><x a="表"/>'.encode("utf-16"))
    assert root.get("a") == "表"


def test_names_point_where_the_template_put_the_cells(filled, spec):
    book = read_bytes(filled)
    for cell in spec.cells:
        sheet, ref = book.names[cell.code].rsplit("!", 1)
        assert sheet.strip("'") == cell.sheet and ref.replace("$", "") == address(cell.row, cell.col)


def test_a_member_seen_before_is_still_checked_against_its_crc(filled):
    """The reader keeps members it has inflated and verified (the same bytes recur in every
    workbook of a template); the same packed bytes under another CRC are still damage."""
    read_bytes(filled)  # workbook.xml inflated, verified and kept
    raw = bytearray(filled)
    with zipfile.ZipFile(io.BytesIO(filled)) as zf:
        info = zf.getinfo("xl/workbook.xml")
    wrong = struct.pack("<I", info.CRC ^ 1)
    raw[info.header_offset + 14:info.header_offset + 18] = wrong  # local header
    central = next(m.start() for m in re.finditer(rb"PK\x01\x02", raw)
                   if raw[m.start() + 46:m.start() + 46 + len(info.filename)] == info.filename.encode())
    raw[central + 16:central + 20] = wrong  # central directory
    with pytest.raises(ReadError) as e:
        read_bytes(bytes(raw))
    assert e.value.code == "zip_corrupt" and e.value.part == "xl/workbook.xml"
    assert read_bytes(filled).names == read_bytes(filled, fast=False).names  # the kept member itself is fine


def test_truncated_member_is_a_read_error(filled):
    """A member whose bytes are damaged (CRC mismatch) raises ReadError, not zlib/zip noise."""
    raw = bytearray(filled)
    with zipfile.ZipFile(io.BytesIO(filled)) as zf:
        info = zf.getinfo("xl/sharedStrings.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + 40):
        raw[i] ^= 0xFF
    with pytest.raises(ReadError) as e:
        read_bytes(bytes(raw))
    assert e.value.code in ("zip_corrupt", "xml_corrupt")
