"""The reference reader: a workbook read back in one pass with zipfile and the tree parser.

Gives, per sheet, every cell's value, type, formula text and cached result together, plus
merged ranges, data validations, sheet protection and state; for the workbook the defined
names, the calculation settings, which styles lock a cell and the application that saved it.
Only the sheets asked for are parsed. Sheets are found through workbook.xml and its
relationships, never by assuming sheetN.xml order. Nothing is evaluated.

Every member is read through zipfile and every XML part parsed by ElementTree (defusedxml for
anything with a DTD); nothing is remembered from one workbook to the next. ``read_parts``
assembles the book from a ``Parts``, which reads the package's parts one by one: the
accelerator (toolkit.xlsx.scan) hands it a ``Parts`` of its own that reads the same parts
faster to the same result.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple, cast
from xml.etree.ElementTree import Element, ParseError
from xml.etree.ElementTree import fromstring as _fast_fromstring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _defused_fromstring
from zlib_ng import zlib_ng

from toolkit.format.spec import col_letter, parse_address
from toolkit.xlsx.zipdir import read_member

if TYPE_CHECKING:
    from toolkit.xlsx.zipdir import Directory

MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
           "http://purl.oclc.org/ooxml/spreadsheetml/main")
REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "http://purl.oclc.org/ooxml/officeDocument/relationships")
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


# What reading a damaged member raises: CRC and header errors, truncated deflate streams,
# compression methods or flags zipfile does not implement, members marked encrypted.
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, cast("type[Exception]", zlib_ng.error),
    NotImplementedError, RuntimeError)


class ReadError(Exception):
    """The package could not be parsed: ``code`` is a catalogue code (xml_forbidden, ...)."""

    def __init__(self, code: str, part: str, detail: str):
        super().__init__(f"{part}: {detail}")
        self.code, self.part, self.detail = code, part, detail


class XCell(NamedTuple):
    """One cell as read. Immutable (a tuple): the accelerator hands the same cell object to
    every book in which that cell reads alike (a template's labels, the common counts), and
    EMPTY stands for every missing cell -- sound only because no one can change a cell."""

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
               blanks: bool = True) -> Book:
    """Convenience for tests and tools: read a workbook from bytes (no screening)."""
    return read_workbook(zipfile.ZipFile(io.BytesIO(data)), only, validations=validations, blanks=blanks)


def read_workbook(zf: zipfile.ZipFile | Directory, only: Collection[str] | None = None, *, validations: bool = False,
                  blanks: bool = True) -> Book:
    """Parse the workbook; ``only`` names the sheets whose cells are wanted (default: all).
    Data validations are read only when asked (they are most of a sheet's XML). ``blanks=False``
    leaves out cells that hold nothing, no value and no formula (a template's styled blanks:
    all they carry is their style, i.e. whether they are locked)."""
    return read_parts(Parts(zf, blanks), only, validations=validations)


def read_parts(parts: Parts, only: Collection[str] | None = None, *, validations: bool = False) -> Book:
    """The book of a package whose parts ``parts`` reads (see read_workbook)."""
    wb_path = _office_document(parts)
    wb, names = parts.workbook(wb_path)
    ns = ns_of(wb)
    rels = parts.relationships(wb_path)
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
    strings_part = by_type.get("sharedStrings")
    strings = parts.shared_strings(strings_part) if strings_part and parts.has(strings_part) else []
    styles_part = by_type.get("styles")
    wanted = set(targets) if only is None else set(only) & set(targets)
    states = dict(sheet_names)
    unplaced = sorted((set(states) if only is None else set(only) & set(states)) - set(targets))
    if unplaced:
        raise ReadError("xml_corrupt", wb_path, f"工作表“{unplaced[0]}”没有对应的部件")
    sheets = {name: parts.sheet(targets[name], name, states[name], strings, validations) for name in wanted}
    return Book(sheet_names, sheets, names, calc, _property(parts, "docProps/app.xml", _APPLICATION),
                _property(parts, "docProps/core.xml", _MODIFIED), lambda: _locked_styles(parts, styles_part))


# --- parts -------------------------------------------------------------------------------------


class Parts:
    """The parts of one package as the reference reader reads them: each member through
    zipfile, each XML part through the tree parser, nothing remembered. The accelerator
    subclasses it: every method must give what this one gives, or raise what it raises."""

    def __init__(self, zf: zipfile.ZipFile | Directory, blanks: bool = True):
        self.zf, self.blanks = zf, blanks

    def has(self, part: str | None) -> bool:
        return bool(part) and part in self.zf.NameToInfo

    def read(self, part: str) -> bytes:
        try:
            return read_member(self.zf, part)
        except KeyError:
            raise ReadError("xml_corrupt", part, "缺少此部件") from None
        except ZIP_ERRORS as e:
            raise ReadError("zip_corrupt", part, f"{type(e).__name__}: {e}") from None

    def xml(self, part: str) -> Element:
        return parse_xml(self.read(part), part)

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, package path) for a part."""
        path = rels_path(part)
        return relationships_of(self.xml(path), part) if self.has(path) else {}

    def workbook(self, part: str) -> tuple[Element, dict[str, str] | None]:
        """workbook.xml's root, and its defined names if read apart from it (else None)."""
        return self.xml(part), None

    def shared_strings(self, part: str) -> list[str]:
        return strings_of_tree(capped(self.read(part), part, b"si"), part)

    def sheet(self, part: str, name: str, state: str, strings: list[str], validations: bool) -> Sheet:
        return sheet_of_tree(unread_cut(capped(self.read(part), part, b"c"), validations), part, name, state,
                             strings, self.blanks)


MAX_CELLS = 50_000  # per sheet, and strings per workbook: the template has a few hundred


def capped(data: bytes, part: str, tag: bytes) -> bytes:
    """``data`` unless it holds more than MAX_CELLS ``<tag>`` elements (prefixed or not), counted
    before any parser runs: millions of cells within the size limits would cost a parser
    seconds and gigabytes. A part too short to hold that many (an element is 4 bytes at
    least: ``<c/>``) is not counted -- every template's part, so the cap costs a returned
    workbook nothing."""
    if len(data) <= 4 * MAX_CELLS:
        return data
    n = data.count(b"<" + tag + b" ") + data.count(b"<" + tag + b">") + data.count(b"<" + tag + b"/")
    n += data.count(b":" + tag + b" ") + data.count(b":" + tag + b">")
    if n > MAX_CELLS:
        raise ReadError("too_many_cells", part, f"约有 {n} 个{'单元格' if tag == b'c' else '文字项'}，超过上限 {MAX_CELLS}")
    return data


def parse_xml(data: bytes, part: str = "") -> Element:
    """defusedxml's verdict on anything with a DTD (entity bombs, external entities); the C
    parser on the rest, which cannot expand entities since only a DTD can declare them.
    (defusedxml parses in pure Python, ~5x slower, and collect has 2 ms per workbook.)"""
    try:
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data or not ascii_compatible(data):
            return _defused_fromstring(data, forbid_dtd=True)
        return _fast_fromstring(data)
    except DefusedXmlException as e:
        raise ReadError("xml_forbidden", part, type(e).__name__) from None
    except (ParseError, ValueError, LookupError) as e:  # LookupError: an unknown declared encoding
        raise ReadError("xml_corrupt", part, str(e)) from None


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def ascii_compatible(data: bytes) -> bool:
    """UTF-8, declared or by default: markup bytes are then plain ASCII, so the DTD scan above
    is sound. Anything else (UTF-16, or a declared single-byte encoding such as EBCDIC that
    could hide "<!DOCTYPE") goes to defusedxml."""
    head = data[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return False
    m = _DECLARED.match(data[:200].lstrip(b"\xef\xbb\xbf"))
    return m is None or m.group(1).lower() in (b"utf-8", b"utf8")


def unread_cut(data: bytes, validations: bool) -> bytes:
    """A sheet part without what the checks never read: its data validations (unless asked
    for) and its printed header and footer (the template's footer names the agency)."""
    data = cut(data, b"headerFooter")
    return data if validations else cut(data, b"dataValidations")


def cut(data: bytes, tag: bytes) -> bytes:
    """Remove ``<tag ...>...</tag>`` (unprefixed, as every producer writes it). Inside sheet XML
    a literal ``<tag`` can only be markup: text is escaped or lives in sharedStrings."""
    i = data.find(b"<" + tag)
    if i < 0:
        return data
    end = b"</" + tag + b">"
    j = data.find(end, i)
    return data[:i] + data[j + len(end):] if j >= 0 else data


def ns_of(root: Element) -> str:
    """The root's namespace as ElementTree spells it in tags ("{uri}"), or ""."""
    tag = root.tag
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _rel_attr(sheet: Element | None) -> str:
    """The r:id attribute name (transitional or strict namespace) used on <sheet>."""
    for uri in REL_NS:
        if sheet is not None and f"{{{uri}}}id" in sheet.attrib:
            return f"{{{uri}}}id"
    return f"{{{REL_NS[0]}}}id"


def _office_document(parts: Parts) -> str:
    try:
        root = parts.xml("_rels/.rels")
    except ReadError:
        return "xl/workbook.xml"
    for r in root.iter(PKG_REL):
        if r.get("Type", "").endswith("/officeDocument"):
            return r.get("Target", "").lstrip("/")
    return "xl/workbook.xml"


def rels_path(part: str) -> str:
    """Where a part's relationships are: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relationships_of(root: Element, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, package path), from the parsed relationships of ``part``."""
    folder = posixpath.dirname(part)
    out = {}
    for r in root.iter(PKG_REL):
        target = r.get("Target", "")
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[r.get("Id", "")] = (r.get("Type", ""), full)
    return out


def _text(si: Element, ns: str) -> str:
    """A string item's text: plain <t>, or the runs of rich text (phonetic runs left out)."""
    t = si.find(f"{ns}t")
    if t is not None:
        return t.text or ""
    return "".join(r.findtext(f"{ns}t") or "" for r in si.iter(f"{ns}r"))


def strings_of_tree(data: bytes, part: str) -> list[str]:
    """The items of sharedStrings.xml, by the tree parser."""
    root = parse_xml(data, part)
    ns = ns_of(root)
    return [_text(si, ns) for si in root.iter(f"{ns}si")]


def _locked_styles(parts: Parts, part: str | None) -> list[bool]:
    """Per cell format (cellXfs index): does it lock the cell. Only <cellXfs> is parsed: fonts,
    fills, borders and named styles are most of styles.xml and of no interest here."""
    if not part or not parts.has(part):
        return []
    data = parts.read(part)
    if b"<!DOCTYPE" in data or not ascii_compatible(data):
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
    ns_ = ns_of(root)
    out = []
    for xf in root:
        prot = xf.find(f"{ns_}protection")
        out.append(prot is None or prot.get("locked", "1") not in ("0", "false"))
    return out


_APPLICATION = re.compile(rb"<(?:\w+:)?Application>([^<]{0,200})</(?:\w+:)?Application>")
_MODIFIED = re.compile(rb"<dcterms:modified\b[^>]*>([^<]{0,64})</dcterms:modified>")


def _property(parts: Parts, part: str, pattern: re.Pattern) -> str:
    """One text element of a document-properties part, found without parsing the part (app.xml
    lists every defined name, ~10 KB). Text only, so no XML danger."""
    if not parts.has(part):
        return ""
    try:
        m = pattern.search(parts.read(part))
    except (ReadError, *ZIP_ERRORS):  # type: ignore[misc]  # mypy reads a starred tuple as one type
        return ""
    return m.group(1).decode("utf-8", "replace").strip() if m else ""


# --- one sheet ---------------------------------------------------------------------------------


def sheet_of_tree(data: bytes, part: str, name: str, state: str, strings: list[str], blanks: bool) -> Sheet:
    """A sheet part by the tree parser, or the ReadError that says what is wrong with it."""
    root = parse_xml(data, part)
    try:
        return _sheet_content(root, name, state, strings, blanks)
    except (ValueError, IndexError, TypeError) as e:  # well-formed XML, impossible content (r="A0", s="x")
        raise ReadError("xml_corrupt", part, f"{type(e).__name__}: {e}") from None


def _sheet_content(root: Element, name: str, state: str, strings: list[str], blanks: bool = True) -> Sheet:
    ns = ns_of(root)
    sheet = Sheet(name, state)
    tags = f"{ns}v", f"{ns}f", f"{ns}is"
    tag_row, tag_c = f"{ns}row", f"{ns}c"
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
                r, col_i = parse_address(ref)
            else:
                r, col_i = row_i, col_i + 1
            if not len(c):  # a styled blank (most cells of a template): no value, no formula
                if blanks:
                    sheet.cells[(r, col_i)] = XCell(None, "", None, int(c.get("s") or 0))
                continue
            cell = _cell(c, strings, tags, ns, shared, r, col_i)
            if blanks or cell.kind or cell.formula is not None:
                sheet.cells[(r, col_i)] = cell
    sheet_settings(sheet, root, ns)
    return sheet


def sheet_settings(sheet: Sheet, root: Element, ns: str) -> None:
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


def _cell(c: Element, strings: list[str], tags: tuple[str, str, str], ns: str, shared: dict, row: int,
          col: int) -> XCell:
    """A cell with content; ``shared`` collects the sheet's shared formulas (see shared_formula)."""
    tag_v, tag_f, tag_is = tags
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
    if f_el is not None:
        formula = f_el.text or None
        if f_el.get("t") == "shared":
            formula = shared_formula(formula, f_el.get("si", ""), shared, row, col)
    style = int(c.get("s", "0") or 0)
    inline = _text(is_el, ns) if t == "inlineStr" and is_el is not None else None
    return cell_value(t, v, formula, style, inline, strings)


def cell_value(t: str, v: str | None, formula: str | None, style: int, inline: str | None,
               strings: list[str]) -> XCell:
    """A cell with content from its type attribute, <v> text, formula and <is> text (the one
    conversion both readers use)."""
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


def shared_formula(formula: str | None, si: str, shared: dict, row: int, col: int) -> str | None:
    """A t="shared" formula's text: a master's own (registered in ``shared``), or for a
    dependent the master's text moved to its own place, as the spreadsheet program would."""
    if formula is not None:
        shared[si] = (formula, row, col)
        return formula
    if si in shared:
        text, mrow, mcol = shared[si]
        return shift_formula(text, row - mrow, col - mcol)
    return None


# String literals and quoted sheet names ('Q1 data'!A1) are matched first, so they are kept whole.
_REF = re.compile(r"(\"[^\"]*\"|'(?:[^']|'')*')|(?<![A-Za-z0-9_.])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(])")


def shift_formula(text: str, drow: int, dcol: int) -> str:
    """Move the relative A1 references of a formula by (drow, dcol); string literals and quoted
    sheet names untouched."""

    def move(m: re.Match) -> str:
        if m.group(1):
            return m.group(1)
        cabs, col, rabs, row = m.group(2), m.group(3), m.group(4), int(m.group(5))
        r, c = parse_address(f"{col}{row}")
        c2 = c if cabs else c + dcol
        r2 = r if rabs else r + drow
        return f"{cabs}{col_letter(c2)}{rabs}{r2 + 1}"

    return _REF.sub(move, text)
