"""Screening a returned file by its bytes, before any parser runs.

Decides whether the bytes are an OOXML package (zip), an OLE compound file (old .xls, WPS
.et, or a password-encrypted xlsx) or something else, and enforces size limits on the zip
so that a hostile or broken file is rejected cheaply. XML safety (entities, DTDs) is
enforced by the reader, which parses every part with defusedxml.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

from toolkit import catalogue
from toolkit.model import Finding
from toolkit.xlsx import zipdir
from toolkit.xlsx.book import ZIP_ERRORS

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class Limits:
    """Far above any real template (~30 KB, ~15 members, ~1 MB unpacked)."""

    file_bytes: int = 20 * 1024 * 1024
    members: int = 300
    unpacked_bytes: int = 64 * 1024 * 1024
    member_bytes: int = 32 * 1024 * 1024
    ratio: int = 200  # unpacked / packed, checked for members above ratio_floor bytes
    ratio_floor: int = 1024 * 1024


LIMITS = Limits()


def finding(code: str, name: str, detail: str, *, actual=None, expected=None) -> Finding:
    """A screening finding: ``detail`` is the sentence saying what was found."""
    return catalogue.finding(code, file=name, detail=detail, actual=actual, expected=expected)


def open_package(data: bytes, name: str,
                 limits: Limits = LIMITS) -> tuple[zipfile.ZipFile | zipdir.Directory | None, list[Finding]]:
    """The opened zip of a workbook that passed screening, or None and why it was rejected."""
    if not data:
        return None, [finding("file_empty", name, "文件为空。")]
    if len(data) > limits.file_bytes:
        return None, [finding("file_too_large", name,
                              f"文件大小 {len(data) / 1048576:.1f} MB，超过上限 {limits.file_bytes // 1048576} MB。",
                              actual=len(data), expected=limits.file_bytes)]
    if data.startswith(OLE_MAGIC):
        return None, [_ole_finding(data, name)]
    if not data.startswith(ZIP_MAGICS):
        return None, [finding("not_workbook", name, f"文件内容不是 Excel 工作簿（看起来是{_guess(data)}）。")]
    try:
        zf = zipdir.directory(data) or zipfile.ZipFile(io.BytesIO(data))  # the plain form read quickly
        infos = zf.infolist()
    except ZIP_ERRORS as e:
        return None, [finding("zip_corrupt", name, f"压缩包无法打开（{e}）。")]
    problem = _limits_problem(infos, limits)
    if problem:
        return None, [finding("zip_limits", name, problem)]
    names = {i.filename for i in infos}
    try:
        if "xl/workbook.xml" not in names and not _has_workbook_part(zf):
            kind = _package_kind(zf, names)
            return None, [finding("not_spreadsheet", name, f"压缩文件不是 Excel 工作簿（看起来是{kind}）。")]
    except ZIP_ERRORS as e:
        return None, [finding("zip_corrupt", name, f"压缩包无法读取（{e}）。")]
    return zf, []


def _limits_problem(infos: list[zipfile.ZipInfo] | list[zipdir.Entry], limits: Limits) -> str:
    if len(infos) > limits.members:
        return f"压缩包含 {len(infos)} 个成员，超过上限 {limits.members}。"
    total = sum(i.file_size for i in infos)
    if total > limits.unpacked_bytes:
        return f"解压后共 {total / 1048576:.0f} MB，超过上限 {limits.unpacked_bytes // 1048576} MB。"
    for i in infos:
        if i.file_size > limits.member_bytes:
            return f"成员“{i.filename}”解压后 {i.file_size / 1048576:.0f} MB，超过上限。"
        if i.file_size > limits.ratio_floor and i.file_size > limits.ratio * max(i.compress_size, 1):
            return f"成员“{i.filename}”压缩比为 {i.file_size // max(i.compress_size, 1)}:1，疑为压缩炸弹。"
    return ""


def _has_workbook_part(zf: zipfile.ZipFile | zipdir.Directory) -> bool:
    """A workbook part under another name (the package's content types say where)."""
    try:
        ct = zf.read("[Content_Types].xml")
    except KeyError:
        return False
    return b"spreadsheetml.sheet.main+xml" in ct or b"ms-excel.sheet.macroEnabled.main+xml" in ct


def _package_kind(zf: zipfile.ZipFile | zipdir.Directory, names: set[str]) -> str:
    if "word/document.xml" in names:
        return " Word 文档（.docx）"
    if "ppt/presentation.xml" in names:
        return " PowerPoint 演示文稿"
    if "mimetype" in names:
        mime = zf.read("mimetype")[:100]
        if b"spreadsheet" in mime:
            return " ODS 表格（LibreOffice/WPS 的开放文档格式）"
        return " 开放文档格式文件"
    if "xl/workbook.bin" in names:
        return " Excel 二进制工作簿（.xlsb）"
    return "普通压缩包"


def _guess(data: bytes) -> str:
    head = data[:512].lstrip()
    if head.startswith(b"%PDF"):
        return " PDF 文件"
    if head[:4] in (b"\x89PNG", b"GIF8") or head[:3] == b"\xff\xd8\xff":
        return "图片"
    if b"<html" in head.lower() or b"<!doctype html" in head.lower():
        return "网页（HTML）"
    if head.startswith(b"{\\rtf"):
        return " RTF 文档"
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        return "压缩包（RAR/7z）"
    try:
        head.decode("utf-8")
        return "纯文本或 CSV 文件"
    except UnicodeDecodeError:
        try:
            head.decode("gbk")
            return "纯文本或 CSV 文件"
        except UnicodeDecodeError:
            return "未知格式"


# --- OLE compound files --------------------------------------------------------------------


def _ole_finding(data: bytes, name: str) -> Finding:
    streams = ole_stream_names(data)
    lower = name.lower()
    if {"EncryptionInfo", "EncryptedPackage"} & streams:
        return catalogue.finding("encrypted", file=name)
    if lower.endswith((".et", ".ett")):
        return catalogue.finding("wps_et", file=name)
    if {"Workbook", "Book"} & streams or not streams:
        return catalogue.finding("old_xls", "" if streams else "unsure", file=name)
    return catalogue.finding("ole_other", "doc" if "WordDocument" in streams else "", file=name)


def ole_stream_names(data: bytes) -> set[str]:
    """Names in the directory of an OLE compound file ([MS-CFB]); empty if it is unreadable.

    Every loop is bounded by the file size, so a crafted file cannot hang us.
    """
    try:
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            return set()
        size = 1 << shift
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        difat = struct.unpack_from("<109I", data, 0x4C)
        max_sectors = len(data) // size
        fat: list[int] = []
        for sid in difat[: min(n_fat, 109)]:
            if sid >= max_sectors:
                break
            fat.extend(struct.unpack_from(f"<{size // 4}I", data, (sid + 1) * size))
        names: set[str] = set()
        sid, seen = first_dir, 0
        while sid < 0xFFFFFFFA and seen <= max_sectors:
            base = (sid + 1) * size
            if base + size > len(data):
                break
            for off in range(base, base + size, 128):
                length = struct.unpack_from("<H", data, off + 64)[0]
                if 2 <= length <= 64 and data[off + 66] in (1, 2, 5):
                    names.add(data[off: off + length - 2].decode("utf-16-le", "replace"))
            sid = fat[sid] if sid < len(fat) else 0xFFFFFFFE
            seen += 1
        return names
    except (struct.error, IndexError):
        return set()
