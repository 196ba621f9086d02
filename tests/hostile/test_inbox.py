"""What an inbox may hold: FIFOs, devices, links out of it, sparse giants, archives with
25,000 members, members packed by methods we do not read, two members of one name."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from faults import YEAR

from hostile.bounded import bounded, cli, ok
from hostile.make import Member, lying_bomb, package, workbook, zeros


def _collect(inbox: Path, out: Path, *more: str, seconds: float = 5.0) -> tuple[int, dict]:
    code, output, escaped = ok(bounded(cli, "collect", inbox, "--year", str(YEAR), "-o", out, "--no-docx",
                                       "--workers", "1", *more), seconds)
    assert escaped == "", output
    assert code in (0, 1), output
    return code, json.loads((out / "findings.json").read_text(encoding="utf-8"))


def _by_file(report: dict) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for f in report["findings"]:
        out.setdefault(f["file"], []).append((f["code"], f["message"]))
    return out


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "good.xlsx").write_bytes(workbook())
    return box


def _only(report: dict, name: str, code: str, *words: str) -> str:
    found = _by_file(report)[name]
    assert [c for c, _ in found] == [code], found
    for w in words:
        assert w in found[0][1], found
    assert name in found[0][1]
    assert next(s for s in report["submissions"] if s["file"] == name)["status"] == "rejected"
    return found[0][1]


def test_a_link_to_dev_zero_is_skipped(inbox, tmp_path):
    (inbox / "zero.xlsx").symlink_to("/dev/zero")
    code, report = _collect(inbox, tmp_path / "out")
    assert code == 1
    _only(report, "zero.xlsx", "link_outside", "/dev/zero")
    assert "good.xlsx" not in _by_file(report)


def test_a_link_to_dev_urandom_is_skipped(inbox, tmp_path):
    (inbox / "random.xlsx").symlink_to("/dev/urandom")
    _only(_collect(inbox, tmp_path / "out")[1], "random.xlsx", "link_outside", "/dev/urandom")


def test_a_link_to_a_file_outside_is_skipped(inbox, tmp_path):
    (tmp_path / "secret.xlsx").write_bytes(workbook("secret"))
    (inbox / "leak.xlsx").symlink_to(tmp_path / "secret.xlsx")
    _only(_collect(inbox, tmp_path / "out")[1], "leak.xlsx", "link_outside", "secret.xlsx")


def test_a_link_inside_the_inbox_is_read(inbox, tmp_path):
    (inbox / "sub").mkdir()
    (inbox / "sub" / "other.xlsx").write_bytes(workbook("other"))
    (inbox / "alias.xlsx").symlink_to(inbox / "sub" / "other.xlsx")
    code, report = _collect(inbox, tmp_path / "out")
    alias = next(s for s in report["submissions"] if s["file"] == "alias.xlsx")
    assert alias["status"] != "rejected" and alias["agency_id"] == "other"


def test_a_fifo_does_not_hang_collect(inbox, tmp_path):
    os.mkfifo(inbox / "pipe.xlsx")
    _only(_collect(inbox, tmp_path / "out")[1], "pipe.xlsx", "not_regular_file", "管道")


def test_a_link_to_a_fifo_inside_does_not_hang(inbox, tmp_path):
    os.mkfifo(inbox / ".pipe")
    (inbox / "to-pipe.xlsx").symlink_to(inbox / ".pipe")
    _only(_collect(inbox, tmp_path / "out")[1], "to-pipe.xlsx", "not_regular_file", "管道")


def test_a_sparse_2gb_file_is_refused_by_its_size_unread(inbox, tmp_path):
    with open(inbox / "huge.xlsx", "wb") as fh:
        fh.truncate(2 << 30)
    _only(_collect(inbox, tmp_path / "out", seconds=3)[1], "huge.xlsx", "file_too_large", "2048.0 MB")


def test_a_sparse_archive_is_refused_by_its_size_unread(inbox, tmp_path):
    with open(inbox / "huge.zip", "wb") as fh:
        fh.truncate(5 << 30)
    _only(_collect(inbox, tmp_path / "out", seconds=3)[1], "huge.zip", "file_too_large")


def test_a_fifo_named_zip_does_not_hang(inbox, tmp_path):
    os.mkfifo(inbox / "batch.zip")
    _only(_collect(inbox, tmp_path / "out")[1], "batch.zip", "not_regular_file")


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "sparse", "folder"])
def test_check_reads_only_regular_files(tmp_path, target):
    path = tmp_path / "x.xlsx"
    if target == "/dev/zero":
        path.symlink_to("/dev/zero")
    elif target == "fifo":
        os.mkfifo(path)
    elif target == "folder":
        path.mkdir()
    else:
        with open(path, "wb") as fh:
            fh.truncate(2 << 30)
    code, output, escaped = ok(bounded(cli, "check", path, "--json"), 3)
    assert (code, escaped) == (1, ""), output
    [f] = json.loads(output[output.index("{"):])["findings"]
    assert f["code"] == ("file_too_large" if target == "sparse" else "not_regular_file")


def _archive(path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(name, data)


def test_an_archive_of_25000_members_is_read_in_linear_time_and_the_rest_reported(inbox, tmp_path):
    _archive(inbox / "batch.zip", [(f"f{i:05d}.txt", b"x") for i in range(25_000)])
    code, report = _collect(inbox, tmp_path / "out", seconds=20)
    assert code == 1
    message = _only(report, "batch.zip", "archive_limits", "25000", "5000 个未读取", "f20000.txt")
    assert "上限 20000" in message
    assert len(report["submissions"]) == 20_000 + 2


def test_an_archive_member_lying_about_its_size(inbox, tmp_path):
    (inbox / "batch.zip").write_bytes(package([Member("a.xlsx", zeros(600), size=30_000, crc=1)]))
    found = _by_file(_collect(inbox, tmp_path / "out")[1])["batch.zip/a.xlsx"]
    assert [c for c, _ in found] == ["file_unreadable"] and "CRC" in found[0][1]


def test_a_workbook_bomb_inside_an_archive(inbox, tmp_path):
    _archive(inbox / "batch.zip", [("a.xlsx", lying_bomb())])
    found = _by_file(_collect(inbox, tmp_path / "out")[1])["batch.zip/a.xlsx"]
    assert [c for c, _ in found] == ["zip_corrupt"]


def test_an_archive_member_declaring_gigabytes(inbox, tmp_path):
    (inbox / "batch.zip").write_bytes(package([Member("a.xlsx", zeros(600), size=600 << 20)]))
    _only(_collect(inbox, tmp_path / "out")[1], "batch.zip/a.xlsx", "file_too_large", "600 MB")


@pytest.mark.parametrize(("method", "flags", "why"), [
    (9, 0x800, "Deflate64"), (99, 0x801, "AES"), (zipfile.ZIP_DEFLATED, 0x801, "密码"), (97, 0x800, "编号 97")])
def test_archive_members_we_cannot_read_are_named_and_the_rest_read(inbox, tmp_path, method, flags, why):
    good = Member.of("ok.xlsx", workbook("other"))
    (inbox / "batch.zip").write_bytes(package([Member.of("bad.xlsx", b"x" * 100, method=method, flags=flags), good]))
    code, report = _collect(inbox, tmp_path / "out")
    message = _only(report, "batch.zip/bad.xlsx", "zip_unsupported", why)
    assert "bad.xlsx" in message
    assert next(s for s in report["submissions"] if s["file"] == "batch.zip/ok.xlsx")["agency_id"] == "other"


def test_two_members_of_one_name_are_both_read_and_reported(inbox, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("a.xlsx", workbook("first"))
        zf.writestr("a.xlsx", workbook("second"))
    (inbox / "batch.zip").write_bytes(buf.getvalue())
    code, report = _collect(inbox, tmp_path / "out")
    subs = {s["file"]: s["agency_id"] for s in report["submissions"]}
    assert subs["batch.zip/a.xlsx"] == "first" and subs["batch.zip/a.xlsx（同名第2个）"] == "second"
    by_file = _by_file(report)
    for name, k in (("batch.zip/a.xlsx", 1), ("batch.zip/a.xlsx（同名第2个）", 2)):
        [message] = [m for c, m in by_file[name] if c == "archive_duplicate_name"]
        assert "2 个成员同名" in message and f"第 {k} 个" in message


def test_a_non_utf8_file_name(inbox, tmp_path):
    raw = os.fsencode(str(inbox)) + b"/\xff\xfe-report.xlsx"
    with open(raw, "wb") as fh:
        fh.write(b"not a workbook")
    code, report = _collect(inbox, tmp_path / "out")
    _only(report, "\\xff\\xfe-report.xlsx", "not_workbook")
    code, output, escaped = ok(bounded(cli, "collect", inbox, "--year", str(YEAR), "-o", tmp_path / "o2",
                                       "--no-docx", "--workers", "1"))
    assert (code, escaped) == (1, "") and "xff" in output


def test_an_archive_declaring_millions_of_members_is_refused_unparsed(inbox, tmp_path):
    import struct

    # An end record claiming 3,000,000 entries (zip64) over a directory of junk.
    junk = os.urandom(1000)
    zip64_end = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 3_000_000, 3_000_000, len(junk), 0)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(junk), 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    (inbox / "batch.zip").write_bytes(junk + zip64_end + locator + end)
    _only(_collect(inbox, tmp_path / "out")[1], "batch.zip", "archive_limits", "3000000")


def test_entries_declared_reads_plain_and_zip64_end_records(tmp_path):
    from toolkit.xlsx.zipdir import entries_declared

    _archive(tmp_path / "a.zip", [(f"{i}.txt", b"x") for i in range(70_000)])  # zipfile writes zip64 past 65,535
    assert entries_declared(str(tmp_path / "a.zip")) == 70_000
    _archive(tmp_path / "b.zip", [("x.txt", b"x")])
    assert entries_declared(str(tmp_path / "b.zip")) == 1
    (tmp_path / "c.zip").write_bytes(b"not a zip")
    assert entries_declared(str(tmp_path / "c.zip")) == 0


def test_two_bombs_and_a_million_cells_in_one_inbox_on_two_workers(inbox, tmp_path):
    from hostile.make import many_cells

    (inbox / "bomb1.xlsx").write_bytes(lying_bomb())
    (inbox / "bomb2.xlsx").write_bytes(lying_bomb("xl/sharedStrings.xml"))
    (inbox / "cells.xlsx").write_bytes(many_cells(1_000_000))
    (inbox / "more.xlsx").write_bytes(workbook("more"))
    code, report = _collect(inbox, tmp_path / "out", "--workers", "2", seconds=8)
    by_file = _by_file(report)
    assert [c for c, _ in by_file["bomb1.xlsx"]] == ["zip_corrupt"]
    assert [c for c, _ in by_file["bomb2.xlsx"]] == ["zip_corrupt"]
    assert [c for c, _ in by_file["cells.xlsx"]] == ["zip_limits"]  # 36 MB of sheet: over the member limit


def test_report_command_on_600000_cells(tmp_path):
    from hostile.make import many_cells

    path = tmp_path / "cells.xlsx"
    path.write_bytes(many_cells(600_000))  # 21 MB of sheet, under the member limit
    code, output, escaped = ok(bounded(cli, "report", path, "-o", tmp_path / "r.docx"))
    assert (code, escaped) == (1, "") and "too_many_cells" in output
    assert not (tmp_path / "r.docx").exists()
