"""Read a workbook back in one pass: zipfile + defusedxml on the package's XML.

Gives, per sheet, every cell's value, type, formula text and cached result together, plus
merged ranges, data validations, sheet protection and state; for the workbook the defined
names, the calculation settings, which styles lock a cell and the application that saved it.
Only the sheets asked for are parsed. Sheets are found through workbook.xml and its
relationships, never by assuming sheetN.xml order. Nothing is evaluated.

Two ways to the same result: the tree parser (ElementTree, defusedxml for anything with a
DTD) reads any part; by default the long runs of small elements -- a sheet's cells, the
shared strings, the defined names -- are read by strict regular expressions instead
(toolkit.xlsx.scan), about four times cheaper, and any part not in the narrow form those
accept is read by the tree parser. Members of an in-memory package are inflated straight
from its bytes by zlib-ng (zipfile's per-member machinery costs as much as the inflating,
and zlib-ng inflates about twice as fast as zlib), with zipfile itself reading any member
that is not plainly stored or deflated and intact.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cached_property
from xml.etree.ElementTree import Element, ParseError
from xml.etree.ElementTree import fromstring as _fast_fromstring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _defused_fromstring
from zlib_ng import zlib_ng

from toolkit.format.spec import col_letter, parse_address
from toolkit.xlsx import scan as xmlscan
from toolkit.xlsx.memo import Recent

MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
           "http://purl.oclc.org/ooxml/spreadsheetml/main")
REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "http://purl.oclc.org/ooxml/officeDocument/relationships")
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


# What reading a damaged member raises: CRC and header errors, truncated deflate streams,
# compression methods or flags zipfile does not implement, members marked encrypted.
ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, zlib_ng.error, NotImplementedError,
              RuntimeError)


class ReadError(Exception):
    """The package could not be parsed: ``code`` is a catalogue code (xml_forbidden, ...)."""

    def __init__(self, code: str, part: str, detail: str):
        super().__init__(f"{part}: {detail}")
        self.code, self.part, self.detail = code, part, detail


@dataclass(slots=True)
class XCell:
    value: object  # int | float | str | bool | None
    kind: str  # n (number) | s (text) | b (boolean) | e (error such as #REF!) | "" (empty)
    formula: str | None = None  # without the leading "="
    style: int = 0


EMPTY = XCell(None, "")


@dataclass
class Sheet:
    name: str
    state: str  # visible | hidden | veryHidden
    cells: dict[tuple[int, int], XCell] = field(default_factory=dict)  # 0-based (row, col)
    merged: list[str] = field(default_factory=list)
    validations: list[dict[str, str]] = field(default_factory=list)
    protected: bool = False

    def at(self, row: int, col: int) -> XCell:
        return self.cells.get((row, col), EMPTY)

    def get(self, ref: str) -> XCell:
        return self.at(*parse_address(ref))


@dataclass
class Book:
    sheet_names: list[tuple[str, str]]  # (name, state) in workbook order
    sheets: dict[str, Sheet]  # only the sheets that were asked for
    names: dict[str, str]  # workbook-level defined names -> their formula text
    calc: dict[str, str]  # attributes of <calcPr> (calcMode="manual" means recalculation is off)
    application: str  # docProps/app.xml <Application>, e.g. "LibreOffice/7.4..." or "Microsoft Excel"
    saved_at: str = ""  # docProps/core.xml <dcterms:modified> (W3CDTF, e.g. 2025-01-20T08:30:00Z)
    styles: Callable[[], list[bool]] = field(default=list, repr=False, compare=False)

    @cached_property
    def locked_styles(self) -> list[bool]:
        """Per cellXfs index: does the style lock the cell. Read from styles.xml on first use
        (the checks never need it); a damaged styles.xml raises ReadError here."""
        return self.styles()

    def locked(self, cell: XCell) -> bool:
        s = cell.style
        return self.locked_styles[s] if 0 <= s < len(self.locked_styles) else True


def read_bytes(data: bytes, only: Collection[str] | None = None, *, validations: bool = False,
               blanks: bool = True, fast: bool = True) -> Book:
    """Convenience for tests and tools: read a workbook from bytes (no screening)."""
    return read_workbook(zipfile.ZipFile(io.BytesIO(data)), only, validations=validations, blanks=blanks, fast=fast)


def read_workbook(zf: zipfile.ZipFile, only: Collection[str] | None = None, *, validations: bool = False,
                  blanks: bool = True, fast: bool = True) -> Book:
    """Parse the workbook; ``only`` names the sheets whose cells are wanted (default: all).
    Data validations are read only when asked (they are most of a sheet's XML). ``blanks=False``
    leaves out cells that hold nothing, no value and no formula (a template's styled blanks:
    all they carry is their style, i.e. whether they are locked). ``fast=False`` reads every
    part with the tree parser (the reference the fast path is tested against)."""
    pkg = _Package(zf, fast, blanks)
    wb_path = _office_document(pkg)
    wb, names = _workbook(pkg, wb_path)
    ns = _ns(wb)
    rels = _rels(pkg, wb_path)
    sheet_names: list[tuple[str, str]] = []
    targets: dict[str, str] = {}
    sheets_el = wb.find(f"{ns}sheets")
    rel_attr = _rel_attr(sheets_el[0] if sheets_el is not None and len(sheets_el) else None)
    for s in sheets_el if sheets_el is not None else ():
        name = s.get("name", "")
        sheet_names.append((name, s.get("state", "visible")))
        rel = rels.get(s.get(rel_attr, ""))
        if rel:
            targets[name] = rel[1]
    if names is None:
        names = {}
        dn = wb.find(f"{ns}definedNames")
        for d in dn if dn is not None else ():
            if d.get("localSheetId") is None:
                names[d.get("name", "")] = d.text or ""
    calc_el = wb.find(f"{ns}calcPr")
    calc = dict(calc_el.attrib) if calc_el is not None else {}
    by_type = {t.rsplit("/", 1)[-1]: p for t, p in rels.values()}
    strings = _shared_strings(pkg, by_type.get("sharedStrings"))
    styles_part = by_type.get("styles")
    wanted = set(targets) if only is None else set(only) & set(targets)
    states = dict(sheet_names)
    unplaced = sorted((set(states) if only is None else set(only) & set(states)) - set(targets))
    if unplaced:
        raise ReadError("xml_corrupt", wb_path, f"工作表“{unplaced[0]}”没有对应的部件")
    sheets = {name: _sheet(pkg, targets[name], name, states[name], strings, validations) for name in wanted}
    return Book(sheet_names, sheets, names, calc, _property(pkg, "docProps/app.xml", _APPLICATION),
                _property(pkg, "docProps/core.xml", _MODIFIED), lambda: _locked_styles(pkg, styles_part))


# --- parts -------------------------------------------------------------------------------------


class _Package:
    """The members of the package, and whether the fast path may be tried on them."""

    def __init__(self, zf: zipfile.ZipFile, fast: bool, blanks: bool = True):
        self.zf, self.fast, self.blanks = zf, fast, blanks
        fp = zf.fp
        self.raw = fp.getvalue() if fast and isinstance(fp, io.BytesIO) else None

    def has(self, part: str | None) -> bool:
        return bool(part) and part in self.zf.NameToInfo

    def read(self, part: str) -> bytes:
        info = self.zf.NameToInfo.get(part)
        if info is not None and self.raw is not None:
            data = _inflate(self.raw, info)
            if data is not None:
                return data
        return _member(self.zf, part)


def _inflate(raw: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A stored or deflated member taken from the package's bytes, or None for zipfile to
    read (and to raise its own error about) -- whenever anything is not plainly in order:
    the local header, the name in it, flags, method, lengths, the stream's end, the CRC.
    Inflated by zlib-ng (the same deflate, about twice as fast as zlib here); a member whose
    packed bytes, CRC and size were inflated and verified before is not inflated again."""
    if info.flag_bits & 0x61 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None  # encrypted, patched or strongly encrypted; other methods
    h = info.header_offset
    if raw[h:h + 4] != b"PK\x03\x04" or len(raw) < h + 30:
        return None
    flags, = struct.unpack_from("<H", raw, h + 6)
    n, m = struct.unpack_from("<HH", raw, h + 26)
    try:
        if raw[h + 30:h + 30 + n].decode("utf-8" if flags & 0x800 else "cp437") != info.orig_filename:
            return None
    except UnicodeDecodeError:
        return None
    start = h + 30 + n + m
    packed = raw[start:start + info.compress_size]
    if len(packed) != info.compress_size:
        return None
    key = (packed, info.CRC, info.file_size, info.compress_type)
    data = _INFLATED.get(key)
    if data is not None:
        return data
    if info.compress_type == zipfile.ZIP_STORED:
        data = packed
    else:
        d = zlib_ng.decompressobj(-15)
        try:
            data = d.decompress(packed, info.file_size + 1)
        except zlib_ng.error:
            return None
        if not d.eof:
            return None
    if len(data) != info.file_size or zlib_ng.crc32(data) != info.CRC:
        return None
    if info.file_size <= 65536:
        _INFLATED.put(key, data)
    return data


# Members that are the same bytes in every workbook of one template and one program
# (workbook.xml, relationships, unchanged sheets): bounded, whatever the collection's size.
_INFLATED: Recent[tuple[bytes, int, int, int], bytes] = Recent(48)


def _member(zf: zipfile.ZipFile, part: str) -> bytes:
    try:
        return zf.read(part)
    except KeyError:
        raise ReadError("xml_corrupt", part, "缺少此部件") from None
    except ZIP_ERRORS as e:
        raise ReadError("zip_corrupt", part, f"{type(e).__name__}: {e}") from None


def _xml(pkg: _Package, part: str) -> Element:
    """Parse one part."""
    data = pkg.read(part)
    return _parsed(data, part) if pkg.fast else parse_xml(data, part)


_PARSED: Recent[bytes, Element] = Recent(32)


def _parsed(data: bytes, part: str) -> Element:
    """parse_xml, remembered for small inputs seen before. Relationship parts and what is left
    of workbook.xml and of each sheet once their cells and names are cut out are the same
    bytes in every workbook made from one template and saved by one program. The trees are
    only read, never changed; errors are not remembered."""
    root = _PARSED.get(data)
    if root is None:
        root = parse_xml(data, part)
        if len(data) <= 16384:
            _PARSED.put(data, root)  # bounded, whatever the size of the collection
    return root


def parse_xml(data: bytes, part: str = "") -> Element:
    """defusedxml's verdict on anything with a DTD (entity bombs, external entities); the C
    parser on the rest, which cannot expand entities since only a DTD can declare them.
    (defusedxml parses in pure Python, ~5x slower, and collect has 2 ms per workbook.)"""
    try:
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data or not _ascii_compatible(data):
            return _defused_fromstring(data, forbid_dtd=True)
        return _fast_fromstring(data)
    except DefusedXmlException as e:
        raise ReadError("xml_forbidden", part, type(e).__name__) from None
    except (ParseError, ValueError, LookupError) as e:  # LookupError: an unknown declared encoding
        raise ReadError("xml_corrupt", part, str(e)) from None


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _ascii_compatible(data: bytes) -> bool:
    """UTF-8, declared or by default: markup bytes are then plain ASCII, so the DTD scan above
    is sound. Anything else (UTF-16, or a declared single-byte encoding such as EBCDIC that
    could hide "<!DOCTYPE") goes to defusedxml."""
    head = data[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return False
    m = _DECLARED.match(data[:200].lstrip(b"\xef\xbb\xbf"))
    return m is None or m.group(1).lower() in (b"utf-8", b"utf8")


def _cut(data: bytes, tag: bytes) -> bytes:
    """Remove ``<tag ...>...</tag>`` (unprefixed, as every producer writes it). Inside sheet XML
    a literal ``<tag`` can only be markup: text is escaped or lives in sharedStrings."""
    i = data.find(b"<" + tag)
    if i < 0:
        return data
    end = b"</" + tag + b">"
    j = data.find(end, i)
    return data[:i] + data[j + len(end):] if j >= 0 else data


def _ns(root: Element) -> str:
    tag = root.tag
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _rel_attr(sheet: Element | None) -> str:
    """The r:id attribute name (transitional or strict namespace) used on <sheet>."""
    for uri in REL_NS:
        if sheet is not None and f"{{{uri}}}id" in sheet.attrib:
            return f"{{{uri}}}id"
    return f"{{{REL_NS[0]}}}id"


def _office_document(pkg: _Package) -> str:
    try:
        root = _xml(pkg, "_rels/.rels")
    except ReadError:
        return "xl/workbook.xml"
    for r in root.iter(PKG_REL):
        if r.get("Type", "").endswith("/officeDocument"):
            return r.get("Target", "").lstrip("/")
    return "xl/workbook.xml"


def _rels(pkg: _Package, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, package path) for a part."""
    folder, base = posixpath.split(part)
    path = posixpath.join(folder, "_rels", base + ".rels")
    if not pkg.has(path):
        return {}
    data = pkg.read(path)
    known = _RELS.get((data, folder)) if pkg.fast else None
    if known is not None:
        return dict(known)
    out = {}
    for r in (_parsed(data, path) if pkg.fast else parse_xml(data, path)).iter(PKG_REL):
        target = r.get("Target", "")
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[r.get("Id", "")] = (r.get("Type", ""), full)
    if pkg.fast and len(data) <= 16384:
        _RELS.put((data, folder), dict(out))
    return out


_RELS: Recent[tuple[bytes, str], dict[str, tuple[str, str]]] = Recent(16)  # the same bytes in every workbook of a program


def _text(si: Element, ns: str) -> str:
    """A string item's text: plain <t>, or the runs of rich text (phonetic runs left out)."""
    t = si.find(f"{ns}t")
    if t is not None:
        return t.text or ""
    return "".join(r.findtext(f"{ns}t") or "" for r in si.iter(f"{ns}r"))


def _shared_strings(pkg: _Package, part: str | None) -> list[str]:
    if not pkg.has(part):
        return []
    data = pkg.read(part)
    if pkg.fast:
        try:
            return _shared_strings_fast(data, part)
        except (xmlscan.Unusual, ReadError, ValueError, IndexError, AttributeError):
            pass  # the tree parser reads it, or says what is wrong with it
    root = parse_xml(data, part)
    ns = _ns(root)
    return [_text(si, ns) for si in root.iter(f"{ns}si")]


_SST_OPEN = re.compile(rb"<sst\b[^>]*>")


def _shared_strings_fast(data: bytes, part: str) -> list[str]:
    """The <si> run scanned; the root and prolog around it parsed by the tree parser."""
    _utf8(data)
    m = _SST_OPEN.search(data)
    end = data.rfind(b"</sst>")
    if m is None or m.group(0).endswith(b"/>") or end < m.end() or data.find(b"<", _prolog_end(data)) != m.start():
        raise xmlscan.Unusual("no <sst> root in the usual form")
    _parsed(data[:m.end()] + data[end:], part)
    return xmlscan.shared_strings(data[m.end():end])


def _utf8(data: bytes) -> None:
    """The scanned region is decoded as UTF-8: so must the rest be (the tree parser's part).
    (A DTD, comment or processing instruction cannot hide in the region, whose grammar has
    none; in the rest the tree parser sees them.)"""
    if not _ascii_compatible(data):
        raise xmlscan.Unusual("not UTF-8")


def _prolog_end(data: bytes) -> int:
    i = data.find(b"<?")
    return 0 if i < 0 else data.index(b"?>", i) + 2


def _carve(data: bytes, tag: bytes) -> tuple[bytes, bytes]:
    """Split off the one top-level ``<tag>...</tag>`` (no attributes): (its content, the part
    with ``<tag/>`` in its place)."""
    i = data.find(b"<" + tag)
    end = b"</" + tag + b">"
    j = data.find(end, i)
    if i < 0 or j < 0 or data.count(b"<" + tag) != 1 or data.count(end) != 1 or not data.startswith(b"<" + tag + b">", i):
        raise xmlscan.Unusual(f"no single <{tag.decode()}>")
    return data[i + len(tag) + 2:j], data[:i] + b"<" + tag + b"/>" + data[j + len(end):]


def _workbook(pkg: _Package, part: str) -> tuple[Element, dict[str, str] | None]:
    """workbook.xml's root, and its defined names when the fast path read them (else None);
    remembered on the fast path, since the part is the same bytes in every workbook made from
    one template and saved by one program (the names: a copy each time)."""
    data = pkg.read(part)
    if not pkg.fast:
        return parse_xml(data, part), None
    known = _WORKBOOKS.get(data)
    if known is None:
        known = _workbook_fast(data, part)
        _WORKBOOKS.put(data, known)
    root, names = known
    return root, None if names is None else dict(names)


_WORKBOOKS: Recent[bytes, tuple[Element, dict[str, str] | None]] = Recent(8)


def _workbook_fast(data: bytes, part: str) -> tuple[Element, dict[str, str] | None]:
    if b"<definedNames>" in data:
        try:
            _utf8(data)
            region, rest = _carve(data, b"definedNames")
            root = _parsed(rest, part)
            if root.find(f"{_ns(root)}definedNames") is None:
                raise xmlscan.Unusual("<definedNames> is not a child of the root")
            return root, xmlscan.defined_names(xmlscan.text_of(region, xmlscan.DEFINED_NAMES))
        except (xmlscan.Unusual, ReadError, ValueError, IndexError, AttributeError):
            pass
    return parse_xml(data, part), None




def _locked_styles(pkg: _Package, part: str | None) -> list[bool]:
    """Per cell format (cellXfs index): does it lock the cell. Only <cellXfs> is parsed: fonts,
    fills, borders and named styles are most of styles.xml and of no interest here."""
    if not pkg.has(part):
        return []
    data = pkg.read(part)
    if b"<!DOCTYPE" in data or not _ascii_compatible(data):
        parse_xml(data, part)  # defusedxml's verdict on the whole part first
    m = re.search(rb"<(\w+:)?cellXfs\b.*?</(\w+:)?cellXfs>", data, re.S)
    if m is None:
        return []
    ns = re.search(rb'xmlns(?::\w+)?="([^"]+/spreadsheetml/[^"]*)"', data)
    fragment = m.group(0)
    if ns and b"xmlns" not in fragment[:200]:
        prefix = m.group(1) or b""
        decl = b"xmlns" + (b":" + prefix[:-1] if prefix else b"") + b'="' + ns.group(1) + b'"'
        fragment = re.sub(rb"^<(\w+:)?cellXfs", lambda x: x.group(0) + b" " + decl, fragment)
    root = parse_xml(fragment, part)
    ns_ = _ns(root)
    out = []
    for xf in root:
        prot = xf.find(f"{ns_}protection")
        out.append(prot is None or prot.get("locked", "1") not in ("0", "false"))
    return out


_APPLICATION = re.compile(rb"<(?:\w+:)?Application>([^<]{0,200})</(?:\w+:)?Application>")
_MODIFIED = re.compile(rb"<dcterms:modified\b[^>]*>([^<]{0,64})</dcterms:modified>")


def _property(pkg: _Package, part: str, pattern: re.Pattern) -> str:
    """One text element of a document-properties part, found without parsing the part (app.xml
    lists every defined name, ~10 KB). Text only, so no XML danger."""
    if not pkg.has(part):
        return ""
    try:
        m = pattern.search(pkg.read(part))
    except (ReadError, *ZIP_ERRORS):
        return ""
    return m.group(1).decode("utf-8", "replace").strip() if m else ""


# --- one sheet ---------------------------------------------------------------------------------


def _sheet(pkg: _Package, part: str, name: str, state: str, strings: list[str], validations: bool) -> Sheet:
    data = pkg.read(part)
    if not validations:
        data = _cut(data, b"dataValidations")
        if pkg.fast:
            skeleton = None
            if not pkg.blanks:  # the checks' reading: a sheet seen before is read by what was learnt then
                pieces = _V_BYTES.split(data)
                skeleton = b"<v></v>".join(pieces[0::2])
                sheet = _sheet_again(skeleton, pieces, name, state, strings)
                if sheet is not None:
                    return sheet
            try:
                return _sheet_fast(data, part, name, state, strings, pkg.blanks, skeleton)
            except (xmlscan.Unusual, ReadError, ValueError, IndexError, TypeError, AttributeError, KeyError):
                pass  # the tree parser reads it, or says what is wrong with it
    root = parse_xml(data, part)
    try:
        return _sheet_content(root, name, state, strings, pkg.blanks)
    except (ValueError, IndexError, TypeError) as e:  # well-formed XML, impossible content (r="A0", s="x")
        raise ReadError("xml_corrupt", part, f"{type(e).__name__}: {e}") from None


_ROOT_TAG = re.compile(rb"<worksheet\b[^>]*>")


# --- the same sheet again ---------------------------------------------------------------------
#
# xmlscan reads a <sheetData> run by the plan of its skeleton; the same holds for the whole
# part (validations cut out): two sheets with one skeleton -- the part with every <v> emptied --
# differ only in the texts of their values, so the verdicts on everything else (prolog,
# root, namespaces, protection, merged ranges, the run's grammar) are the ones reached for
# the first. A skeleton is kept only when every <v> of the part is inside <sheetData>, the
# values' characters are checked in every part, and anything unusual in them sends the part
# down the full path, which reads it or says what is wrong.

_V_BYTES = re.compile(rb"<v>([^<]*)</v>")  # on UTF-8 bytes: the same splits as on the text
_SHEETS: Recent[bytes, tuple] = Recent(24)  # skeleton -> (plan, merged ranges, protected)


def _sheet_again(skeleton: bytes, pieces: list[bytes], name: str, state: str, strings: list[str]) -> Sheet | None:
    """The sheet (blanks left out) if its skeleton was read before and its values are plain;
    else None."""
    known = _SHEETS.get(skeleton)
    if known is None:
        return None
    plan, merged, protected = known
    try:
        values = b"<".join(pieces[1::2]).decode("utf-8")  # "<": never inside a value
    except UnicodeDecodeError:
        return None
    if not values.isprintable() or "]]>" in values:  # isprintable: no control characters, no U+FFFE/F
        return None
    try:
        cells = plan.apply(values.split("<") if len(pieces) > 1 else [], strings, _value, XCell)
    except (xmlscan.Unusual, ValueError, IndexError, TypeError):
        return None
    return Sheet(name, state, cells, list(merged), [], protected)


def _sheet_fast(data: bytes, part: str, name: str, state: str, strings: list[str], blanks: bool,
                skeleton: bytes | None = None) -> Sheet:
    """The <sheetData> run scanned; the rest of the sheet (root, protection, merged ranges)
    parsed by the tree parser with an empty <sheetData/> in its place. ``skeleton``: the
    part's, to be kept for _sheet_again."""
    _utf8(data)
    if b"<sheetData/>" in data and data.count(b"<sheetData") == 1:
        region, rest = b"", data
    else:
        region, rest = _carve(data, b"sheetData")
    root = _parsed(rest, part)
    ns = _ns(root)
    if ns not in (f"{{{MAIN_NS[0]}}}", f"{{{MAIN_NS[1]}}}") or root.find(f"{ns}sheetData") is None:
        raise xmlscan.Unusual("<sheetData> is not a child of a SpreadsheetML root")
    if b"x14ac:" in region:  # an attribute prefix must be declared (on the root, sheetData's parent)
        tag = _ROOT_TAG.search(rest)
        if tag is None or b'xmlns:x14ac="' not in tag.group(0):
            raise xmlscan.Unusual("undeclared prefix")
    sheet = Sheet(name, state)
    if not blanks:  # the checks' reading: by a plan remembered for the run's skeleton
        plan, values = xmlscan.plan_of(region, XCell, _shared_formula)
        sheet.cells = plan.apply(values, strings, _value, XCell)  # type: ignore[assignment]
    else:
        text = xmlscan.text_of(region, xmlscan.SHEET_DATA) if region else ""
        sheet.cells = xmlscan.sheet_cells(text, strings, _value, XCell, _shared_formula)  # type: ignore[assignment]
    _sheet_settings(sheet, root, ns)
    if skeleton is not None and b"<v>" not in rest and not sheet.validations:
        _SHEETS.put(skeleton, (plan, tuple(sheet.merged), sheet.protected))
    return sheet


def _sheet_content(root: Element, name: str, state: str, strings: list[str], blanks: bool = True) -> Sheet:
    ns = _ns(root)
    sheet = Sheet(name, state)
    tag_row, tag_c, tag_v, tag_f, tag_is = (f"{ns}{t}" for t in ("row", "c", "v", "f", "is"))
    shared: dict[str, tuple[str, int, int]] = {}  # shared-formula index -> (text, row, col)
    data = root.find(f"{ns}sheetData")
    row_i = -1
    for row in data if data is not None else ():
        if row.tag != tag_row:
            continue
        r_attr = row.get("r")
        row_i = int(r_attr) - 1 if r_attr else row_i + 1
        col_i = -1
        for c in row:
            if c.tag != tag_c:
                continue
            ref = c.get("r")
            if ref:
                r, col_i = _address(ref)
            else:
                r, col_i = row_i, col_i + 1
            if not len(c):  # a styled blank (most cells of a template): no value, no formula
                if blanks:
                    sheet.cells[(r, col_i)] = XCell(None, "", None, int(c.get("s") or 0))
                continue
            cell, f = _cell(c, strings, tag_v, tag_f, tag_is, ns)
            if f is not None and f.get("t") == "shared":
                _shared_formula(cell, f.get("si", ""), shared, r, col_i)
            if blanks or cell.kind or cell.formula is not None:
                sheet.cells[(r, col_i)] = cell
    _sheet_settings(sheet, root, ns)
    return sheet


def _sheet_settings(sheet: Sheet, root: Element, ns: str) -> None:
    """Merged ranges, protection and data validations (the sheet's elements after its cells)."""
    merged = root.find(f"{ns}mergeCells")
    sheet.merged = [m.get("ref", "") for m in merged] if merged is not None else []
    prot = root.find(f"{ns}sheetProtection")
    sheet.protected = prot is not None and prot.get("sheet", "0") in ("1", "true")
    dvs = root.find(f"{ns}dataValidations")
    for dv in dvs if dvs is not None else ():
        sheet.validations.append({
            "sqref": dv.get("sqref", ""), "type": dv.get("type", "any"),
            "operator": dv.get("operator", ""), "error_style": dv.get("errorStyle", "stop"),
            "formula1": dv.findtext(f"{ns}formula1") or "",
        })


def _cell(c: Element, strings: list[str], tag_v: str, tag_f: str, tag_is: str, ns: str) -> tuple[XCell, Element | None]:
    """The cell, and its <f> element (for shared formulas)."""
    t = c.get("t", "n")
    v = formula = None
    f_el = is_el = None
    for ch in c:
        if ch.tag == tag_v:
            v = ch.text
        elif ch.tag == tag_f:
            f_el = ch
        elif ch.tag == tag_is:
            is_el = ch
    if f_el is not None and f_el.text:
        formula = f_el.text
    style = int(c.get("s", "0") or 0)
    inline = _text(is_el, ns) if t == "inlineStr" and is_el is not None else None
    return _value(t, v, formula, style, inline, strings), f_el


def _value(t: str, v: str | None, formula: str | None, style: int, inline: str | None, strings: list[str]) -> XCell:
    """A cell with content from its type attribute, <v> text, formula and <is> text (the one
    conversion both ways of reading use)."""
    if t == "inlineStr":
        return XCell(inline if inline is not None else "", "s", formula, style)
    if v is None:
        return XCell(None, "", formula, style)
    if t == "s":
        i = int(v)
        return XCell(strings[i] if 0 <= i < len(strings) else "", "s", formula, style)
    if t in ("str", "d"):
        return XCell(v, "s", formula, style)
    if t == "b":
        return XCell(v.strip() in ("1", "true"), "b", formula, style)
    if t == "e":
        return XCell(v, "e", formula, style)
    try:
        x = float(v)
    except ValueError:
        return XCell(v, "s", formula, style)
    return XCell(int(x) if x.is_integer() and abs(x) < 2**53 else x, "n", formula, style)


def _shared_formula(cell: XCell, si: str, shared: dict, row: int, col: int) -> None:
    """Register a shared formula's master, or give a dependent the master's text moved to
    its own place, as the spreadsheet program would."""
    if cell.formula is not None:
        shared[si] = (cell.formula, row, col)
    elif si in shared:
        text, mrow, mcol = shared[si]
        cell.formula = shift_formula(text, row - mrow, col - mcol)


_address = xmlscan._address  # parse_address, memoised (shared with the scanner)


_REF = re.compile(r"(\"[^\"]*\")|(?<![A-Za-z0-9_.])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(])")


def shift_formula(text: str, drow: int, dcol: int) -> str:
    """Move the relative A1 references of a formula by (drow, dcol); string literals untouched."""

    def move(m: re.Match) -> str:
        if m.group(1):
            return m.group(1)
        cabs, col, rabs, row = m.group(2), m.group(3), m.group(4), int(m.group(5))
        r, c = parse_address(f"{col}{row}")
        c2 = c if cabs else c + dcol
        r2 = r if rabs else r + drow
        return f"{cabs}{col_letter(c2)}{rabs}{r2 + 1}"

    return _REF.sub(move, text)


__all__ = ["Book", "EMPTY", "ReadError", "Sheet", "XCell", "read_bytes", "read_workbook", "shift_formula"]
