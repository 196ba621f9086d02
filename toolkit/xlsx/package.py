"""Screening a returned file by its bytes, before any parser runs.

Reads only regular files, their size known before a byte is read (``read_file``: no FIFO,
device or sparse giant is ever read). Decides whether the bytes are an OOXML package (zip),
an OLE compound file (old .xls, WPS .et, or a password-encrypted xlsx) or something else, and
enforces size limits and the methods we read on the zip so that a hostile or broken file is
rejected cheaply. XML safety (entities, DTDs) and the cap on cells are enforced by the reader,
which parses every part with defusedxml; no member is inflated past its declared size.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

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
# Methods every reader here inflates: stored and deflated (what spreadsheet programs write).
# Others (Deflate64 from Windows Explorer, bzip2, lzma, WinZip AES = 99) are refused by name.
METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
METHOD_NAMES = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 99: "AES 加密", 93: "Zstandard", 95: "XZ", 98: "PPMd"}


class Refused(Exception):
    """A file not read at all: ``finding`` says why (built for the file's name)."""

    def __init__(self, code: str, **slots):
        super().__init__(code)
        self.code, self.slots = code, slots

    def finding(self, name: str) -> Finding:
        return catalogue.finding(self.code, file=name, **self.slots)


def regular(path: str | os.PathLike, limit: int) -> None:
    """Refused unless ``path`` is a regular file of at most ``limit`` bytes (nothing is read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        _regular(os.fstat(fd), limit)
    finally:
        os.close(fd)


def _regular(st: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise Refused("not_regular_file", kind=_KINDS.get(stat.S_IFMT(st.st_mode), "特殊文件"))
    if st.st_size > limit:
        raise Refused("file_too_large", detail=_too_large(st.st_size, limit), actual=st.st_size, expected=limit)


def read_file(path: str | os.PathLike, limit: int = LIMITS.file_bytes) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or Refused: a FIFO, a device
    (/dev/zero), a socket or a folder is never read, and a file's size is known before a byte
    of it is read (a sparse 2 GB file costs nothing). Opened without blocking (a FIFO would
    block ``open`` until a writer came). OSError for what the system refuses."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        _regular(os.fstat(fd), limit)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:  # it grew while we read it
            raise Refused("file_too_large", detail=_too_large(limit + 1, limit), actual=limit + 1, expected=limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


_KINDS = {stat.S_IFIFO: "命名管道（FIFO）", stat.S_IFCHR: "字符设备（如 /dev/zero）", stat.S_IFBLK: "块设备",
          stat.S_IFSOCK: "套接字", stat.S_IFDIR: "文件夹"}


def _too_large(size: int, limit: int) -> str:
    return f"文件大小 {size / 1048576:.1f} MB，超过上限 {limit // 1048576} MB。"


def display_name(name: str) -> str:
    """A file name as people see it: bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which no output could encode) written as \\xNN, so two names stay two."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def read_path(path: Path, name: str, limit: int = LIMITS.file_bytes) -> tuple[bytes | None, list[Finding]]:
    """``read_file`` with its refusal as a finding about ``name``."""
    try:
        return read_file(path, limit), []
    except Refused as e:
        return None, [e.finding(name)]


def finding(code: str, name: str, detail: str, *, actual=None, expected=None) -> Finding:
    """A screening finding: ``detail`` is the sentence saying what was found."""
    return catalogue.finding(code, file=name, detail=detail, actual=actual, expected=expected)


def open_package(data: bytes, name: str,
                 limits: Limits = LIMITS) -> tuple[zipfile.ZipFile | zipdir.Directory | None, list[Finding]]:
    """The opened zip of a workbook that passed screening, or None and why it was rejected."""
    if not data:
        return None, [finding("file_empty", name, "文件为空。")]
    if len(data) > limits.file_bytes:
        return None, [finding("file_too_large", name, _too_large(len(data), limits.file_bytes),
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
    problem = limits_problem(infos, limits)
    if problem:
        return None, [finding("zip_limits", name, problem)]
    unsupported = method_problem(infos)
    if unsupported:
        return None, [catalogue.finding("zip_unsupported", file=name, **unsupported)]
    names = {i.filename for i in infos}
    try:
        if "xl/workbook.xml" not in names and not _has_workbook_part(zf):
            kind = _package_kind(zf, names)
            return None, [finding("not_spreadsheet", name, f"压缩文件不是 Excel 工作簿（看起来是{kind}）。")]
    except ZIP_ERRORS as e:
        return None, [finding("zip_corrupt", name, f"压缩包无法读取（{e}）。")]
    return zf, []


def limits_problem(infos: list[zipfile.ZipInfo] | list[zipdir.Entry], limits: Limits = LIMITS) -> str:
    """What in a package's directory is over ``limits`` (empty when nothing is). Declared
    sizes: every reader inflates a member to its declared size at most, so a member that lies
    about its size is cut there (and fails its CRC) instead of filling memory."""
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


def method_problem(infos: list[zipfile.ZipInfo] | list[zipdir.Entry], methods=METHODS) -> dict[str, str]:
    """The first member encrypted or packed by a method not in ``methods``, as the
    ``zip_unsupported`` finding's slots; empty when there is none."""
    for i in infos:
        if i.flag_bits & 0x41 or i.compress_type not in methods:  # 0x01 encrypted, 0x40 strong encryption
            return {"member": i.filename, "why": unsupported_why(i)}
    return {}


def unsupported_why(info: zipfile.ZipInfo | zipdir.Entry) -> str:
    if info.compress_type == 99 or info.flag_bits & 0x40:
        return "使用 AES 加密"
    if info.flag_bits & 0x01:
        return "设置了密码（已加密）"
    method = METHOD_NAMES.get(info.compress_type, f"编号 {info.compress_type}")
    return f"使用了不支持的压缩方式（{method}）"


def macros(zf: zipfile.ZipFile | zipdir.Directory, name: str) -> Finding | None:
    """A warning for a workbook that carries macros (a VBA project or Excel 4 macro sheets):
    never run or read, but not a plain return either."""
    parts = [n for n in zf.NameToInfo if n.lower().endswith("vbaproject.bin") or "/macrosheets/" in n.lower()]
    if not parts and not name.lower().endswith((".xlsm", ".xltm")):
        return None
    what = "、".join(parts[:3]) if parts else "启用宏的工作簿格式 .xlsm"
    return catalogue.finding("macro_enabled", file=name, what=what)


def _has_workbook_part(zf: zipfile.ZipFile | zipdir.Directory) -> bool:
    """A workbook part under another name (the package's content types say where)."""
    try:
        ct = zipdir.read_member(zf, "[Content_Types].xml")
    except KeyError:
        return False
    return b"spreadsheetml.sheet.main+xml" in ct or b"ms-excel.sheet.macroEnabled.main+xml" in ct


def _package_kind(zf: zipfile.ZipFile | zipdir.Directory, names: set[str]) -> str:
    if "word/document.xml" in names:
        return " Word 文档（.docx）"
    if "ppt/presentation.xml" in names:
        return " PowerPoint 演示文稿"
    if "mimetype" in names:
        mime = zipdir.read_member(zf, "mimetype")[:100]
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
