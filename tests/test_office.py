"""The LibreOffice driver does what a clerk's spreadsheet program does, and never hangs."""

from __future__ import annotations

import io
import os
import signal
import time

import openpyxl
import pytest

from toolkit.format.spec import STAMP_SHEET, address
from toolkit.model import Agency
from toolkit.office.driver import (
    Formula,
    Office,
    OfficeError,
    autocalc,
    delete_rows,
    insert_rows,
    remove_sheet,
    rename_sheet,
    set_cells,
    unprotect,
)
from toolkit.template.workbook import build_workbook

pytestmark = pytest.mark.office

AGENCY = Agency("demo", "示例单位")


@pytest.fixture(scope="module")
def template(spec, tmp_path_factory):
    path = tmp_path_factory.mktemp("office") / "template.xlsx"
    path.write_bytes(build_workbook(spec, AGENCY, 2023))
    return path


def _wb(path, data_only=False):
    return openpyxl.load_workbook(io.BytesIO(path.read_bytes()), data_only=data_only)


def test_typing_updates_dependents_without_recalc(spec, office, template, tmp_path):
    new = spec.cell("t3_new_natural")
    total = spec.cell("t3_new_total")
    seen = office.edit(template, tmp_path / "out.xlsx",
                       [{"do": "set", "sheet": new.sheet, "cell": new.address, "value": 5}],
                       read=[(total.sheet, total.address)])
    assert seen[f"{total.sheet}!{total.address}"]["value"] == 5
    assert _wb(tmp_path / "out.xlsx", data_only=True)[total.sheet][total.address].value == 5


def test_manual_calculation_leaves_totals_stale(spec, office, template, tmp_path):
    new = spec.cell("t3_new_natural")
    total = spec.cell("t3_new_total")
    office.edit(template, tmp_path / "out.xlsx", [autocalc(False), *set_cells({(new.sheet, new.address): 5})])
    ws = _wb(tmp_path / "out.xlsx", data_only=True)[total.sheet]
    assert ws[new.address].value == 5 and ws[total.address].value == 0  # stale: not 5


def test_overwriting_a_total_replaces_its_formula(spec, office, template, tmp_path):
    total = spec.cell("t3_closed_total_total")
    other = spec.cell("t3_new_total")
    dst = office.fill(template, tmp_path / "out.xlsx", {(total.sheet, total.address): 42})
    ws = _wb(dst)[total.sheet]
    assert ws[total.address].value == 42
    assert ws[other.address].value == "=" + spec.formula(other)


def test_text_formula_and_blank(spec, office, template, tmp_path):
    a, b, c = spec.inputs[:3]
    t3 = spec.cell("t3_new_natural")
    seen = office.edit(template, None, [
        {"do": "set", "sheet": a.sheet, "cell": a.address, "value": "无"},
        {"do": "set", "sheet": b.sheet, "cell": b.address, "value": "=1+1"},
        {"do": "set", "sheet": c.sheet, "cell": c.address, "value": {"formula": "=1+1"}},
        {"do": "set", "sheet": t3.sheet, "cell": t3.address, "value": 7},
        {"do": "set", "sheet": t3.sheet, "cell": t3.address, "value": None},
    ], read=[(x.sheet, x.address) for x in (a, b, c, t3)])
    got = [seen[f"{x.sheet}!{x.address}"] for x in (a, b, c, t3)]
    assert [g["type"] for g in got] == ["text", "text", "formula", "empty"]
    assert got[0]["string"] == "无" and got[1]["string"] == "=1+1" and got[2]["value"] == 2
    dst = office.fill(template, tmp_path / "out.xlsx", {(c.sheet, c.address): Formula("=2+3")})
    assert _wb(dst)[c.sheet][c.address].value == "=2+3"


def test_multiline_text(spec, office, template, tmp_path):
    n = spec.narratives[0]
    dst = office.fill(template, tmp_path / "out.xlsx", {(n.sheet, n.address): "第一段\n第二段"})
    assert _wb(dst)[n.sheet][n.address].value == "第一段\n第二段"


def test_insert_and_delete_rows(spec, office, template, tmp_path):
    t3 = spec.table("t3")
    first = next(lb for lb in t3.labels if lb.kind == "row")
    office.edit(template, tmp_path / "ins.xlsx", [insert_rows(t3.sheet, first.row + 1)])
    ws = _wb(tmp_path / "ins.xlsx")[t3.sheet]
    assert ws[first.address].value is None
    assert ws[address(first.row + 1, first.col)].value == first.text
    assert ws.protection.sheet  # the lifted protection is put back
    office.edit(template, tmp_path / "del.xlsx", [delete_rows(t3.sheet, first.row + 1)])
    assert _wb(tmp_path / "del.xlsx")[t3.sheet][first.address].value != first.text


def test_structure_changes_need_the_password(spec, office, template):
    sheet = spec.table("t3").sheet
    with pytest.raises(OfficeError, match="protected"):
        office.edit(template, None, [delete_rows(sheet, 8, password=None)])
    with pytest.raises(OfficeError, match="wrong password"):
        office.edit(template, None, [delete_rows(sheet, 8, password="not-it")])


def test_remove_and_rename_sheets(spec, office, template, tmp_path):
    t4 = spec.table("t4").sheet
    office.edit(template, tmp_path / "out.xlsx", [remove_sheet(t4), rename_sheet(spec.cover_sheet, "封面2"),
                                                  unprotect(spec.table("t2").sheet)])
    wb = _wb(tmp_path / "out.xlsx")
    assert t4 not in wb.sheetnames and "封面2" in wb.sheetnames and STAMP_SHEET in wb.sheetnames
    assert not wb[spec.table("t2").sheet].protection.sheet


def test_save_as_old_xls(spec, office, template, tmp_path):
    cell = spec.cell("t3_new_natural")
    total = spec.cell("t3_new_total")
    dst = office.fill(template, tmp_path / "old.xls", {(cell.sheet, cell.address): 3}, fmt="xls")
    assert dst.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2: BIFF8 workbook
    seen = office.read(dst, [(total.sheet, total.address)])
    assert seen[f"{total.sheet}!{total.address}"]["value"] == 3


def test_bad_file_is_an_error_and_office_goes_on(office, template, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(OfficeError):
        office.edit(tmp_path / "missing.xlsx", None, [])
    with pytest.raises(OfficeError):
        office.edit(junk, None, [])
    assert office.read(template, [("封面", "A1")])["封面!A1"]["string"]


def _gone(pid: int) -> bool:
    """Whether the process has ended (a zombie waiting for its parent counts as ended)."""
    for _ in range(100):
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False


def test_timeout_stops_libreoffice_and_next_request_restarts(template):
    office = Office(timeout=0.001)
    try:
        office.start()
        pid = office._soffice_pid
        with pytest.raises(OfficeError, match="did not answer"):
            office.read(template, [("封面", "A1")])
        assert not office.running and _gone(pid)
        office.timeout = 120
        assert office.read(template, [("封面", "A1")])["封面!A1"]["string"]
    finally:
        office.close()
    assert not office.running


def test_dead_soffice_is_restarted(template):
    with Office() as office:
        pid = office._soffice_pid
        os.killpg(pid, signal.SIGKILL)  # the group the worker started for soffice
        assert _gone(pid)
        assert office.read(template, [("封面", "A1")])["封面!A1"]["string"]
        assert office._soffice_pid != pid
