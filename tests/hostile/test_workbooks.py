"""Memory and time bounds of one workbook (``toolkit check``): bombs that lie about their size,
too many cells, members packed by methods we do not read, macros."""

from __future__ import annotations

import zipfile

import pytest

from hostile.bounded import bounded, cli, ok
from hostile.make import SHEET, Member, lying_bomb, many_cells, workbook, workbook_with, zeros
from toolkit.check.workbook import check_bytes


def _check(data: bytes, name: str = "x.xlsx"):
    r = check_bytes(data, name)
    return r.status, [(f.code, f.message) for f in r.findings]


def _rejected(data: bytes, code: str, *words: str, name: str = "x.xlsx", seconds: float = 5.0) -> str:
    status, found = ok(bounded(_check, data, name), seconds)
    assert status == "rejected", found
    assert [c for c, _ in found] == [code], found
    message = found[0][1]
    assert name in message
    for w in words:
        assert w in message, message
    return message


@pytest.mark.parametrize("part", [SHEET, "xl/sharedStrings.xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml"])
def test_a_member_lying_about_its_size_is_cut_at_the_size_it_claims(part):
    _rejected(lying_bomb(part), "zip_corrupt", "损坏")


def test_a_member_declaring_gigabytes_is_refused_unread():
    bomb = workbook_with(SHEET, Member(SHEET, zeros(600), size=600 << 20))
    _rejected(bomb, "zip_limits", "超过上限")


def test_a_bomb_within_the_total_limit_is_refused_by_its_ratio():
    bomb = workbook_with(SHEET, Member(SHEET, zeros(20), size=20 << 20))
    _rejected(bomb, "zip_limits", "压缩比")


def test_millions_of_cells_are_refused_before_parsing():
    _rejected(many_cells(400_000), "too_many_cells", "超过上限 50000", seconds=3)


def test_a_hundred_thousand_strings_are_refused_before_parsing():
    xml = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
           'main">' + "".join(f"<si><t>{i}</t></si>" for i in range(100_000)) + "</sst>").encode()
    _rejected(workbook_with("xl/sharedStrings.xml", Member.of("", xml)), "too_many_cells", "文字项")


def test_cells_up_to_the_cap_are_read():
    status, found = ok(bounded(_check, many_cells(49_000)))
    assert status != "rejected" and "too_many_cells" not in [c for c, _ in found]


@pytest.mark.parametrize(("method", "flags", "why"), [
    (9, 0x800, "Deflate64"),
    (99, 0x801, "AES"),
    (zipfile.ZIP_DEFLATED, 0x801, "密码"),
    (zipfile.ZIP_BZIP2, 0x800, "bzip2"),
    (zipfile.ZIP_LZMA, 0x800, "LZMA"),
    (0x41, 0x800, "编号 65"),
])
def test_members_packed_by_methods_we_do_not_read_are_named(method, flags, why):
    member = Member.of(SHEET, b"<worksheet/>", method=method, flags=flags)
    message = _rejected(workbook_with(SHEET, member), "zip_unsupported", why)
    assert SHEET in message


def test_too_many_members():
    extra = [Member.of(f"junk/{i}.xml", b"") for i in range(400)]
    _rejected(workbook_with(SHEET, extra=extra), "zip_limits", "415 个成员")


def test_a_styles_bomb_is_never_inflated_by_the_checks():
    status, found = ok(bounded(_check, lying_bomb("xl/styles.xml")))
    assert status == "ok", found


@pytest.mark.parametrize(("name", "extra", "what"), [
    ("x.xlsx", "xl/vbaProject.bin", "vbaProject.bin"),
    ("x.xlsx", "xl/macrosheets/sheet1.xml", "macrosheets"),
    ("x.xlsm", None, ".xlsm"),
])
def test_a_macro_enabled_workbook_is_reported_not_ok(name, extra, what):
    data = workbook_with(SHEET, extra=[Member.of(extra, b"\x00" * 64)]) if extra else workbook()
    status, found = ok(bounded(_check, data, name))
    assert status == "warnings", found
    [(code, message)] = [f for f in found if f[0] == "macro_enabled"]
    assert what in message and name in message


def test_check_command_on_a_bomb_exits_1_with_the_finding(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(lying_bomb())
    code, output, escaped = ok(bounded(cli, "check", path))
    assert (code, escaped) == (1, "")
    assert "zip_corrupt" in output
