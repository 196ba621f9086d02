"""Limits on a published report before any reader sees it (``toolkit import`` / ``audit``).

A real annual report is tens of KB of text, an HTML page a few hundred KB, a DOCX with a few
pictures a few MB; the limits are far above that and far below what would cost a reader
seconds or gigabytes. A DOCX is screened as returned workbooks are (toolkit.xlsx.package: the
member count, declared sizes and ratios, methods we read), then every XML part is inflated to
its declared size at most -- so no member lies to the DOCX library, which inflates with
zipfile's unbounded read -- and checked before that library's parser sees it: no DTD (entity
bombs, external entities), well-formed, not nested deeper than any document is. Each refusal
is a ReadError whose message says what was found.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.parsers import expat

from toolkit.published.doc import ReadError
from toolkit.xlsx import ZIP_ERRORS, zipdir
from toolkit.xlsx import package as screen

TEXT_BYTES = 1024 * 1024  # .txt (a report is ~50 KB of text)
HTML_BYTES = 4 * 1024 * 1024  # .html (its markup too)
# The longest line of text (or run of text between tags). A report flattened from a web page is one
# line of tens of KB, and the readers are linear in a line's length, so only a run past the size of
# any report is refused here.
LINE_BYTES = 1024 * 1024
DOCX = screen.Limits(file_bytes=50 * 1024 * 1024, members=1000, unpacked_bytes=128 * 1024 * 1024,
                     member_bytes=64 * 1024 * 1024)
XML_BYTES = 16 * 1024 * 1024  # one XML part of a DOCX (document.xml of a long report: ~1 MB)
MAX_DEPTH = 100  # element nesting (a document with tables in tables is ~20 deep)


def screen_document(path: Path) -> None:
    """Refuse (ReadError) a report file that no reader should be given."""
    path = Path(path)
    suffix = path.suffix.lower()
    limit = DOCX.file_bytes if suffix == ".docx" else HTML_BYTES if suffix in _HTML else TEXT_BYTES
    try:
        data = screen.read_file(path, limit)
    except screen.Refused as e:
        raise ReadError(e.finding(path.name).message + _REMEDY) from None
    except OSError as e:
        raise ReadError(f"{path.name} 无法读取：{e.strerror or e}。") from None
    if suffix == ".docx":
        _docx(data, path.name)
    else:
        _lines(data, path.name, suffix in _HTML)


_HTML = (".html", ".htm", ".shtml", ".xhtml")
_MARKS = re.compile(rb"[<>]")


def _longest(data: bytes, markup: bool) -> int:
    """The longest line, or run of text between tags (in linear time)."""
    return max(map(len, _MARKS.split(data) if markup else data.splitlines()), default=0)


def _lines(data: bytes, name: str, markup: bool) -> None:
    n = _longest(data, markup)
    if n > LINE_BYTES:
        raise ReadError(f"{name} 中有一段连续 {n} 字节的文字没有换行，超过上限 {LINE_BYTES}（整篇报告压成一行也只有几十 KB）。"
                        "请确认提供的是报告本身，必要时在段落之间换行后重试。")


_REMEDY = "已发布的年度报告只有几十 KB 的文字，请确认提供的是报告本身（.txt、.html 或 .docx）。"


def _docx(data: bytes, name: str) -> None:
    if not data.startswith(screen.ZIP_MAGICS):
        return  # not a zip at all: the DOCX reader says so in its own words
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except ZIP_ERRORS:
        return  # likewise
    method = screen.method_problem(infos)
    problem = screen.limits_problem(infos, DOCX) or (f"成员“{method['member']}”{method['why']}" if method else "")
    if problem:
        raise ReadError(f"{name} 无法读取：{problem.rstrip('。')}。这不是正常的 Word 文档，请用 Word 或 WPS 打开后另存为 .docx 再试。")
    for info in infos:
        try:
            part = zipdir.read_member(zf, info.filename)  # a lying member fails its CRC here
        except ZIP_ERRORS as e:
            raise ReadError(f"{name} 已损坏（成员“{info.filename}”：{e}）。请重新保存为 .docx 后重试。") from None
        if info.filename.endswith((".xml", ".rels")):
            problem = xml_problem(part) or _run_problem(part)
            if problem:
                raise ReadError(f"{name} 的“{info.filename}”{problem}，不是由正常的文字处理软件保存的。"
                                "请用 Word 或 WPS 打开后另存为 .docx 再试。")


def xml_problem(data: bytes) -> str:
    """What makes an XML part unsafe or unreadable (empty when nothing does)."""
    if len(data) > XML_BYTES:
        return f"有 {len(data) // 1048576} MB，超过上限 {XML_BYTES // 1048576} MB"
    parser = expat.ParserCreate()
    depth = [0]

    def start(*_):
        depth[0] += 1
        if depth[0] > MAX_DEPTH:
            raise _Deep

    def end(*_):
        depth[0] -= 1

    def dtd(*_):
        raise _Dtd

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = dtd
    try:
        parser.Parse(data, True)
    except _Deep:
        return f"嵌套超过 {MAX_DEPTH} 层"
    except _Dtd:
        return "含有 DTD 或实体声明（可能是实体炸弹或外部实体）"
    except expat.ExpatError as e:
        return f"不是格式正确的 XML（{e}）"
    return ""


def _run_problem(data: bytes) -> str:
    n = _longest(data, True)
    return f"中有一段连续 {n} 字节的文字，超过上限 {LINE_BYTES}" if n > LINE_BYTES else ""


class _Deep(Exception):
    pass


class _Dtd(Exception):
    pass


__all__ = ["DOCX", "HTML_BYTES", "LINE_BYTES", "MAX_DEPTH", "TEXT_BYTES", "XML_BYTES", "screen_document",
           "xml_problem"]
