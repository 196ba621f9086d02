"""Rosters, last year's data and published reports: refused with a message, never a traceback,
a hang or gigabytes."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from faults import YEAR

from hostile.bounded import bounded, cli, ok
from hostile.make import SHEET, Member, lying_bomb, many_cells, package, workbook, workbook_with, zeros

BOMB_DTD = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
            '&lol;&lol;&lol;&lol;&lol;">]>')


def _refused(*args, words: tuple[str, ...] = (), code: int = 2, seconds: float = 5.0) -> str:
    exit_code, output, escaped = ok(bounded(cli, *args), seconds)
    assert escaped == "", output
    assert exit_code == code, output
    flat = output.replace("\n", "")  # the console wraps long lines
    for w in words:
        assert w in flat, output
    assert "Traceback" not in output
    return flat


# --- rosters ------------------------------------------------------------------------------------


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "a.xlsx").write_bytes(workbook())
    return box


def _roster(inbox: Path, roster: Path, *words: str) -> str:
    return _refused("collect", inbox, "--year", str(YEAR), "--roster", roster, "-o", inbox.parent / "out",
                    "--no-docx", "--workers", "1", words=("名单文件", *words))


def test_a_roster_that_is_a_folder(inbox, tmp_path):
    (tmp_path / "roster.csv").mkdir()
    _roster(inbox, tmp_path / "roster.csv", "文件夹")


def test_a_roster_that_is_dev_zero(inbox, tmp_path):
    (tmp_path / "roster.csv").symlink_to("/dev/zero")
    _roster(inbox, tmp_path / "roster.csv", "字符设备")


def test_a_roster_that_is_a_fifo(inbox, tmp_path):
    os.mkfifo(tmp_path / "roster.csv")
    _roster(inbox, tmp_path / "roster.csv", "管道")


@pytest.mark.parametrize(("content", "words"), [
    (os.urandom(4000), ("不是 Excel 工作簿",)),
    (workbook()[:3000], ("压缩包无法打开",)),
    (lying_bomb(), ("损坏",)),
    (workbook_with(SHEET, Member(SHEET, zeros(600), size=600 << 20)), ("超过上限",)),
    (many_cells(400_000), ("超过上限 50000",)),
])
def test_a_roster_xlsx_that_is_not_one(inbox, tmp_path, content, words):
    (tmp_path / "roster.xlsx").write_bytes(content)
    _roster(inbox, tmp_path / "roster.xlsx", *words)


def test_a_roster_xlsx_with_an_entity_bomb(inbox, tmp_path):
    sheet = (BOMB_DTD + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>').encode()
    (tmp_path / "roster.xlsx").write_bytes(workbook_with("xl/worksheets/sheet1.xml", Member.of("", sheet)))
    _roster(inbox, tmp_path / "roster.xlsx", "不安全")


def test_a_roster_csv_with_a_field_over_128_kb(inbox, tmp_path):
    (tmp_path / "roster.csv").write_text('id,name\ndemo,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    _roster(inbox, tmp_path / "roster.csv", "第2行")


def test_a_roster_csv_too_large(inbox, tmp_path):
    with open(tmp_path / "roster.csv", "wb") as fh:
        fh.truncate(1 << 30)
    _roster(inbox, tmp_path / "roster.csv", "超过上限")


def test_a_roster_still_reads_from_xlsx(inbox, tmp_path):
    from toolkit.collect.roster import read_roster

    buf = io.BytesIO()
    import xlsxwriter

    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet()
    for r, row in enumerate([["id", "name"], ["demo", "示例单位"], [1001, "数字编号"]]):
        ws.write_row(r, 0, row)
    wb.close()
    (tmp_path / "roster.xlsx").write_bytes(buf.getvalue())
    assert [(a.id, a.name) for a in read_roster(tmp_path / "roster.xlsx").agencies] == [
        ("demo", "示例单位"), ("1001", "数字编号")]


# --- last year's data ---------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "words"), [
    ("[]", ("agencies",)),
    ("null", ("agencies",)),
    ('{"agencies": null}', ("agencies",)),
    ('{"agencies": [null]}', ("第 1 个",)),
    ('{"agencies": [{"agency_id": "demo", "values": []}]}', ("第 1 个",)),
    ('{"agencies": [{"agency_id": 5, "values": {}}]}', ("第 1 个",)),
    ('{"agencies": [{"agency_id": "demo", "values": {"a": NaN}}]}', ("NaN",)),
    ('{"agencies": [', ("JSONDecodeError",)),
    ("\udcff", ("UnicodeDecodeError",)),
])
def test_previous_data_of_the_wrong_shape(inbox, tmp_path, data, words):
    (tmp_path / "last").mkdir()
    (tmp_path / "last" / "data.json").write_bytes(data.encode("utf-8", "surrogateescape"))
    _refused("collect", inbox, "--year", str(YEAR), "--previous", tmp_path / "last", "-o", tmp_path / "out",
             "--no-docx", "--workers", "1", words=("上年数据文件", *words))


def test_previous_data_with_text_values_is_read_without_them(inbox, tmp_path):
    (tmp_path / "data.json").write_text(json.dumps({"year": YEAR - 1, "agencies": [
        {"agency_id": "demo", "agency": "示例单位", "values": {"x": "text", "y": None}, "narratives": {"n": 5}}]}))
    exit_code, output, escaped = ok(bounded(cli, "collect", inbox, "--year", str(YEAR), "--previous",
                                            tmp_path / "data.json", "-o", tmp_path / "out", "--no-docx"))
    assert escaped == "" and exit_code in (0, 1), output


# --- published reports --------------------------------------------------------------------------


def _docx(document: bytes | None = None, *, extra: list[Member] = (), member: Member | None = None) -> bytes:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("示例单位2024年政府信息公开工作年度报告")
    d.save(buf)
    out = []
    with zipfile.ZipFile(buf) as zf:
        for i in zf.infolist():
            data = zf.read(i)
            if i.filename == "word/document.xml" and member is not None:
                member.name = i.filename
                out.append(member)
                continue
            if i.filename == "word/document.xml" and document is not None:
                data = document
            out.append(Member.of(i.filename, data))
    return package(out + list(extra))


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_VARIED = "".join(chr(0x4E00 + i * 7919 % 20000) for i in range(400_000))  # 1.2 MB that does not compress away


@pytest.mark.parametrize(("name", "content", "words"), [
    ("malformed", f"<w:document {_W}><w:body><w:p>".encode(), ("不是格式正确的 XML",)),
    ("entities", (BOMB_DTD + f"<w:document {_W}><w:body/></w:document>").encode(), ("DTD",)),
    ("external", (f'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><w:document {_W}><w:body><w:p><w:r><w:t>&e;'
                  "</w:t></w:r></w:p></w:body></w:document>").encode(), ("DTD",)),
    ("nested", (f"<w:document {_W}><w:body>" + "<w:sdt>" * 5_000 + "</w:sdt>" * 5_000 + "</w:body></w:document>").encode(),
     ("嵌套超过 100 层",)),
    ("one-run", (f"<w:document {_W}><w:body><w:p><w:r><w:t>" + _VARIED + "</w:t></w:r></w:p></w:body></w:document>").encode(),
     ("连续",)),
])
@pytest.mark.parametrize("command", ["audit", "import"])
def test_a_hostile_docx(tmp_path, name, content, words, command):
    path = tmp_path / f"{name}.docx"
    path.write_bytes(_docx(content))
    _refused(command, path, *(["-o", tmp_path / "x.xlsx"] if command == "import" else []), words=(path.name, *words))


def test_a_docx_with_a_bombed_picture(tmp_path):
    path = tmp_path / "picture.docx"
    path.write_bytes(_docx(extra=[Member("word/media/image1.png", zeros(600), size=1000, crc=1)]))
    _refused("audit", path, words=("image1.png", "已损坏"))


def test_a_docx_with_a_huge_document(tmp_path):
    path = tmp_path / "huge.docx"
    path.write_bytes(_docx(member=Member("", zeros(300), size=300 << 20)))
    _refused("audit", path, words=("超过上限",))


def test_a_docx_member_packed_by_deflate64(tmp_path):
    path = tmp_path / "d64.docx"
    path.write_bytes(_docx(member=Member.of("", b"<x/>", method=9)))
    _refused("audit", path, words=("Deflate64", "word/document.xml"))


@pytest.mark.parametrize("command", ["audit", "import"])
def test_a_text_of_200_mb(tmp_path, command):
    path = tmp_path / "report.txt"
    with open(path, "wb") as fh:
        fh.truncate(200 << 20)
    _refused(command, path, words=("超过上限",), seconds=2)


@pytest.mark.parametrize(("suffix", "text"), [
    (".txt", "表二 " + "1 " * 300_000),
    (".txt", "主动公开政府信息情况" * 20_000),
    (".html", "<html><body><p>" + "公开" * 100_000 + "</p></body></html>"),
])
def test_a_text_on_one_line(tmp_path, suffix, text):
    """Flattened web pages are one line: a long line is read in linear time (these are no
    reports, so they are refused as such, quickly)."""
    path = tmp_path / f"report{suffix}"
    path.write_text(text, encoding="utf-8")
    _refused("audit", path, seconds=5)


def test_a_run_past_any_report_on_one_line(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("<html><body><p>" + "公开" * 400_000 + "</p></body></html>", encoding="utf-8")
    _refused("audit", path, words=("没有换行",), seconds=2)


def test_a_link_to_dev_zero_as_a_report(tmp_path):
    (tmp_path / "r.txt").symlink_to("/dev/zero")
    _refused("audit", tmp_path / "r.txt", seconds=2)
