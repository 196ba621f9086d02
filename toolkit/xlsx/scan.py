"""The accelerator behind ``read_bytes(..., fast=True)``: the reference reader's result, faster.

A returned workbook's parts are mostly three long runs of small elements: a sheet's
``<sheetData>``, the ``<si>`` items of sharedStrings.xml and workbook.xml's ``<definedNames>``.
Building an ElementTree for them is most of the time of a check on this machine. Here each
run is first matched whole against a strict grammar (one C-level ``fullmatch``): only the
elements, attribute orders and characters that Excel, WPS, LibreOffice and xlsxwriter write,
no whitespace between tags, attribute values without markup, references or whitespace to
normalise, text without control characters or ``]]>``. What matches is well-formed XML
whose meaning the extraction below reads exactly as the tree parser would; anything else
raises ``Unusual`` and the part is read by the reference reader (toolkit.xlsx.book), which
gives the same values or the usual verdict on a damaged part. The rest of each part (root,
prolog, small elements) always goes through the tree parser, so DTDs and malformed markup
there are judged as before. A sheet or shared-strings run whose skeleton (the run with its
value texts emptied) passed the grammar before is read by the plan made then (see "the same
sheet again" below).

Members of an in-memory package are inflated straight from its bytes by zlib-ng (zipfile's
per-member machinery costs as much as the inflating, and zlib-ng inflates about twice as fast
as zlib), with zipfile itself reading any member that is not plainly stored or deflated and
intact. Everything remembered from one workbook for the next lives in a ``Scanner``; the
differential tests hold ``read_bytes(..., fast=True)`` equal to ``fast=False``.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from itertools import compress, repeat
from operator import ne
from xml.etree.ElementTree import Element

from zlib_ng import zlib_ng

from toolkit.format.spec import parse_address
from toolkit.xlsx import book
from toolkit.xlsx.book import (
    MAIN_NS,
    Book,
    ReadError,
    Sheet,
    XCell,
    ascii_compatible,
    cell_value,
    ns_of,
    parse_xml,
    shared_formula,
    sheet_settings,
)
from toolkit.xlsx.memo import Recent
from toolkit.xlsx.zipdir import Directory, Entry


class Unusual(Exception):
    """The XML is not in the narrow form read here: parse it with the tree parser."""


# --- grammar ------------------------------------------------------------------------------------

_V = r'"[^"<>&\t\n\r]*"'  # an attribute value: nothing to unescape or normalise


def _attrs(*names: str) -> str:
    """Optional attributes in this order, each at most once (so never a duplicate)."""
    return "".join(f"(?: {n}={_V})?" for n in names)


_T = r"<t(?: xml:space=" + _V + r")?(?:/>|>[^<]*</t>)"
_RPR_CHILD = (r"<(?:(?:rFont|family|sz|b|charset|scheme|i|u|vertAlign|strike|condense|extend|outline|shadow)"
              + _attrs("val") + r"|color" + _attrs("auto", "indexed", "rgb", "theme", "tint") + r")/>")
_RUN = r"<r>(?:<rPr>(?:" + _RPR_CHILD + r")*+</rPr>|<rPr/>)?+" + _T + r"</r>"
_RST = (r"(?:" + _T + r")?+(?:" + _RUN + r")*+(?:<rPh" + _attrs("sb", "eb") + ">" + _T + r"</rPh>)*+"
        r"(?:<phoneticPr" + _attrs("fontId", "type", "alignment") + r"/>)?+")  # CT_Rst: <si>, <is>

_F = r"<f" + _attrs("t", "aca", "ref", "dt2D", "dtr", "del1", "del2", "r1", "r2", "ca", "si", "bx") + r"(?:/>|>[^<]*</f>)"
_CELL = (r'<c(?: r="[A-Z]{1,3}[0-9]{1,7}")?(?: s="[0-9]{1,9}")?(?: t="[a-zA-Z]{1,9}")?'
         r"(?:/>|>(?:" + _F + r")?+(?:<v>[^<]*</v>)?+(?:<is>" + _RST + r"</is>)?+</c>)")
_ROW = (r'<row(?: r="[0-9]{1,7}")?' + _attrs("spans", "s", "customFormat", "ht", "hidden", "customHeight",
                                             "outlineLevel", "collapsed", "thickTop", "thickBot", "ph",
                                             "x14ac:dyDescent")
        + r"(?:/>|>(?:" + _CELL + r")*+</row>)")
SHEET_DATA = re.compile(r"(?:" + _ROW + r")*+")
SHARED_STRINGS = re.compile(r"(?:<si>" + _RST + r"</si>)*+")

_DN_SCHEMA = ("name", "comment", "customMenu", "description", "help", "statusBar", "localSheetId", "hidden",
              "function", "vbProcedure", "xlm", "functionGroupId", "shortcutKey", "publishToServer",
              "workbookParameter")  # Excel, WPS and xlsxwriter write the schema's order, LibreOffice sorts
DEFINED_NAMES = re.compile(r"(?:<definedName(?:(?>" + _attrs(*_DN_SCHEMA) + r")|(?>" + _attrs(*sorted(_DN_SCHEMA))
                           + r"))(?:/>|>[^<]*</definedName>))*+")

# --- extraction (on text the grammar above accepted) ----------------------------------------------------

_CELL_X = re.compile(r'<c(?: r="([A-Z]{1,3}[0-9]{1,7})")?(?: s="([0-9]{1,9})")?(?: t="([a-zA-Z]{1,9})")?'
                     r"(?:/>|>(<f[^<]*(?:</f>)?)?(<v>[^<]*</v>)?(<is>.*?</is>)?</c>)"
                     r'|(<row)(?: r="([0-9]{1,7})")?[^>]*>', re.S)
_T_X = re.compile(r"<t(?: xml:space=\"[^\"]*\")?(?:/>|>([^<]*)</t>)")
_DN_X = re.compile(r"<definedName([^>]*?)(?:/>|>([^<]*)</definedName>)")
_ATTR_X = re.compile(r' ([\w:]+)="([^"]*)"')

_CONTROL = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))


def text_of(region: bytes, grammar: re.Pattern) -> str:
    """The region decoded, if it is UTF-8 of characters XML allows and matches the grammar."""
    text = decoded(region)
    if grammar.fullmatch(text) is None:
        raise Unusual("not in the narrow form")
    return text


def decoded(region: bytes) -> str:
    """The region decoded, if it is UTF-8 of characters XML allows (the grammar not tried)."""
    if (len(region.translate(None, _CONTROL)) != len(region) or b"\xef\xbf\xbe" in region
            or b"\xef\xbf\xbf" in region or b"]]>" in region):
        raise Unusual("characters XML does not allow")
    try:
        return region.decode("utf-8")
    except UnicodeDecodeError:
        raise Unusual("not UTF-8") from None


_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));|&")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _character(m: re.Match) -> str:
    if m.group(1):
        return _NAMED[m.group(1)]
    if m.group(2) is None and m.group(3) is None:
        raise Unusual("a bare '&'")
    code = int(m.group(2)) if m.group(2) is not None else int(m.group(3), 16)
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF):
        raise Unusual("a reference to a character XML does not allow")
    return chr(code)


def unescape(text: str) -> str:
    """Character data as the parser reports it: line ends normalised, then references replaced."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _REFERENCE.sub(_character, text)
    return text


def _first_text(inner: str) -> str | None:
    """The text of the <t> that ``inner`` starts with (None for <t/>)."""
    m = _T_X.match(inner)
    if m is None:
        raise Unusual("no <t>")
    return m.group(1)


def rich_text(inner: str) -> str:
    """The text of a string item (<si>/<is> content): its <t>, or its runs joined; phonetic
    runs (<rPh>) left out -- as the reference reader reads the tree."""
    if inner.startswith("<t"):
        return unescape(_first_text(inner) or "")
    cut = inner.find("<rPh")
    if cut < 0:
        cut = inner.find("<phoneticPr")
    texts = _T_X.findall(inner if cut < 0 else inner[:cut])
    text = "".join(texts)
    if "&" in text or "\r" in text:  # each text on its own: a reference cannot span two
        return "".join(unescape(t) for t in texts)
    return text


# --- the three runs --------------------------------------------------------------------------------

_T_TEXT = re.compile(r">([^<]*)</t>")  # a <t>'s text (in the grammar's text, only there)
_SI_ITEM = re.compile(r"<si>(.*?)</si>", re.S)


def _strings_plan(skeleton: str) -> tuple[list[list[int]], bool]:
    """Per item, the indices of the texts that make it (as rich_text reads an item); and
    whether that is one text each, in order (every item one plain <t> with text)."""
    plan: list[list[int]] = []
    k = 0
    for inner in _SI_ITEM.findall(skeleton):
        n = inner.count("></t>")
        if inner.startswith("<t"):  # plain: its first <t>, unless that is empty (<t/>)
            take = [k] if _first_text(inner) is not None else []
        else:  # runs: their texts, phonetic runs left out
            cut = inner.find("<rPh")
            if cut < 0:
                cut = inner.find("<phoneticPr")
            take = list(range(k, k + (inner[:cut].count("></t>") if cut >= 0 else n)))
        plan.append(take)
        k += n
    return plan, all(take == [i] for i, take in enumerate(plan)) and k == len(plan)


def defined_names(text: str) -> dict[str, str]:
    """Workbook-level defined names -> their formula text (``text``: the <definedName> run)."""
    out = {}
    for attrs, value in _DN_X.findall(text):
        if ' localSheetId="' in attrs:
            continue
        i = attrs.find(' name="')
        name = attrs[i + 7: attrs.index('"', i + 7)] if i >= 0 else ""
        out[name] = unescape(value) if "&" in value or "\r" in value else value
    return out


def sheet_cells(text: str, strings: list[str], address: Callable[[str], tuple[int, int]]) -> dict[tuple[int, int], XCell]:
    """Every cell of a <sheetData> (``text``: its content, validated), blanks included, keyed by
    0-based (row, col); ``address`` is parse_address, maybe remembered. (The checks leave
    blanks out and read through a plan.)"""
    cells: dict[tuple[int, int], XCell] = {}
    shared: dict = {}
    for rc, s, t, f, vw, inline in _placed(text, address):
        if not (f or vw or inline):
            cells[rc] = XCell(None, "", None, int(s) if s else 0)
            continue
        cells[rc] = cell_value(t or "n", unescape(vw[3:-4]) or None if vw else None, _formula(f, shared, rc),
                               int(s) if s else 0, rich_text(inline[4:-5]) if inline else None, strings)
    return cells


def _placed(text: str, address: Callable[[str], tuple[int, int]]) -> Iterator[tuple[tuple[int, int], str, str, str,
                                                                                  str, str]]:
    """Each cell of a <sheetData> run: its 0-based (row, col) -- rows and columns counted for
    cells and rows written without r -- and its s, t, <f>, <v> and <is> as written."""
    row_i = col_i = -1
    for ref, s, t, f, vw, inline, row_tag, row_r in _CELL_X.findall(text):
        if row_tag:
            row_i = int(row_r) - 1 if row_r else row_i + 1
            col_i = -1
            continue
        if ref:
            r, col_i = address(ref)
        else:
            r, col_i = row_i, col_i + 1
        yield (r, col_i), s, t, f, vw, inline


def _formula(f: str, shared: dict, rc: tuple[int, int]) -> str | None:
    """The text of an <f> element as written (None if absent or empty), a dependent shared
    formula's moved from its master's (``shared``: the sheet's masters so far)."""
    if not f:
        return None
    k = f.index(">")
    text = None if f[k - 1] == "/" else unescape(f[k + 1:-4]) or None
    if ' t="shared"' in f:
        a = dict(_ATTR_X.findall(f[2:k - 1] if f[k - 1] == "/" else f[2:k]))
        if a.get("t") == "shared":
            return shared_formula(text, a.get("si", ""), shared, rc[0], rc[1])
    return text


# --- the same sheet again -------------------------------------------------------------------------
#
# Workbooks made from one template and saved by one program differ, sheet by sheet, only in
# the text of their <v> elements: the rest of <sheetData> -- rows, addresses, styles, types,
# formulas, inline strings -- is the same bytes. That rest (the skeleton: every <v>...</v>
# emptied) is the key to a plan made once: for each cell with content, its place, type,
# style, formula (shared formulas resolved) and which <v> holds its value. A sheet whose
# skeleton has a plan is read by splitting out its <v> texts and applying the plan.
#
# Why that is the grammar's verdict and the extraction's result: in text the grammar accepts,
# "<v>" only ever opens a cell's value, whose text has no "<"; a skeleton contains no
# "<v>X</v>" but the emptied ones, so it splits back into the same pieces it was joined
# from. Two texts with one skeleton thus differ only inside those values, where the grammar
# accepts any text without "<"; the values' characters are checked in every text.
# Each value is converted as the extraction converts it, references in it unescaped.
#
# The same holds for the whole sheet part (validations cut out): two parts with one skeleton
# -- the part with every <v> emptied -- differ only in the texts of their values, so the
# verdicts on everything else (prolog, root, namespaces, protection, merged ranges, the run's
# grammar) are the ones reached for the first. A part's skeleton is kept only when every <v>
# of the part is inside <sheetData>, the values' characters are checked in every part, and
# anything unusual in them sends the part down the full path, which reads it or says what
# is wrong.

_V_RUN = re.compile(r"<v>([^<]*)</v>")
_V_BYTES = re.compile(rb"<v>([^<]*)</v>")  # on UTF-8 bytes: the same splits as on the text


def _entries(skeleton: str, address: Callable[[str], tuple[int, int]]) -> list[tuple]:
    """(address, type, style, formula, inline text, index of its <v> or -1) per cell with
    content, in document order."""
    entries = []
    shared: dict = {}
    k = 0
    for rc, s, t, f, vw, inline in _placed(skeleton, address):
        if not (f or vw or inline):
            continue
        entries.append((rc, t or "n", int(s) if s else 0, _formula(f, shared, rc),
                        rich_text(inline[4:-5]) if inline else None, k if vw else -1))
        k += 1 if vw else 0
    return entries


class _Plan:
    """How to read a sheet of one skeleton: its numbers and its plain shared-string cells in
    two batches (each converted in one go when every value is a digit string, as nearly all
    are), the other cells one by one. A batch's cell objects are reused where their texts are
    the last workbook's (see _again): sound because an XCell is immutable."""

    def __init__(self, entries: list[tuple]):
        addresses = [e[0] for e in entries]
        self.single = len(set(addresses)) == len(addresses)  # else: one by one, the last one winning
        self.entries = entries
        numbers = [e for e in entries if e[1] == "n" and e[5] >= 0]
        labels = [e for e in entries if e[1] == "s" and e[3] is None and e[5] >= 0]
        self.numbers = [e[0] for e in numbers], [e[5] for e in numbers], [e[3] for e in numbers], [e[2] for e in numbers]
        self.labels = [e[0] for e in labels], [e[5] for e in labels], [None] * len(labels), [e[2] for e in labels]
        batched = {id(e) for e in numbers + labels}
        self.others = [e for e in entries if id(e) not in batched]
        self.seen: dict[str, tuple] = {}  # per batch: (texts, their cells) last read

    def apply(self, values: list[str], strings: list[str]) -> dict[tuple[int, int], XCell]:
        if not self.single:
            return _one_by_one(self.entries, values, strings)
        cells: dict[tuple[int, int], XCell] = {}
        at, where, formulas, styles = self.numbers
        texts = list(map(values.__getitem__, where))
        if _digits(texts):  # counts, and totals' cached counts: exact as ints
            cells.update(self._again("numbers", texts, at, formulas, styles, "n", int))
        else:
            cells.update(_one_by_one(_rows(self.numbers, "n"), values, strings))
        at, where, formulas, styles = self.labels
        texts = list(map(values.__getitem__, where))
        indices = list(map(int, texts)) if _digits(texts) else None
        if indices is not None and (not indices or max(indices) < len(strings)):
            labels = list(map(strings.__getitem__, indices))
            cells.update(self._again("labels", labels, at, formulas, styles, "s", str))
        else:
            cells.update(_one_by_one(_rows(self.labels, "s"), values, strings))
        cells.update(_one_by_one(self.others, values, strings))
        return cells

    def _again(self, batch: str, texts: list[str], at: list, formulas: list, styles: list, kind: str,
               convert: Callable) -> dict[tuple[int, int], XCell]:
        """A batch's cells, ``XCell(convert(text), kind, formula, style)`` each, made only where
        the text differs from the last workbook this plan read: a template's labels are the same
        in every workbook, and most counts are the same few numbers (0 above all)."""
        seen = self.seen.get(batch)
        if seen is None:
            made = dict(zip(at, map(XCell, map(convert, texts), repeat(kind), formulas, styles)))
        elif seen[0] == texts:
            made = seen[1]
        else:
            made = dict(seen[1])
            for i in compress(range(len(texts)), map(ne, texts, seen[0])):
                made[at[i]] = XCell(convert(texts[i]), kind, formulas[i], styles[i])
        self.seen[batch] = (texts, made)
        return made


def _digits(texts: list[str]) -> bool:
    """Every text 1 to 15 ASCII digits (an int as float() then int() would give it)."""
    joined = "".join(texts)
    return not texts or (joined.isdigit() and joined.isascii() and all(texts) and max(map(len, texts)) <= 15)


def _rows(batch: tuple, t: str) -> list[tuple]:
    """A batch back as entries, for reading one by one."""
    at, where, formulas, styles = batch
    return [(rc, t, s, f, None, vi) for rc, vi, f, s in zip(at, where, formulas, styles)]


def _one_by_one(entries: list[tuple], values: list[str], strings: list[str]) -> dict[tuple[int, int], XCell]:
    cells: dict[tuple[int, int], XCell] = {}
    n = len(strings)
    for rc, t, style, formula, inline, vi in entries:
        if vi >= 0:
            v = values[vi]
            if v.isdigit() and v.isascii() and len(v) <= 15:  # "" is not a digit string
                if t == "n":  # most cells: a count or a total's cached count (exact as an int)
                    cells[rc] = XCell(int(v), "n", formula, style)
                    continue
                if t == "s" and formula is None:  # and the labels
                    i = int(v)
                    cells[rc] = XCell(strings[i] if i < n else "", "s", None, style)
                    continue
            if "&" in v or "\r" in v:
                v = unescape(v)
        else:
            v = None
        cell = cell_value(t, v or None, formula, style, inline, strings)
        if cell.kind or cell.formula is not None:
            cells[rc] = cell
    return cells


# --- the accelerator's memory ----------------------------------------------------------------------


class Scanner:
    """The accelerator, and everything it remembers from one workbook for the next: what
    recurs byte for byte in every workbook of one template saved by one program (members,
    small parsed parts, relationships, workbook.xml, each sheet's skeleton and reading plan,
    the shared strings' plan, cell addresses). Every memo is bounded, whatever the size of the
    collection; a new Scanner starts with none. ``counts`` says how parts were read (plans
    made and reused, parts the tree parser read instead): a diagnostic, and what the tests
    use to see which way a part went.

    ``read_workbook`` gives the reference reader's (toolkit.xlsx.book) result, or raises what
    it raises, on any package: whatever is not in the narrow form read here is read by it."""

    def __init__(self) -> None:
        self.members: Recent[tuple[bytes, int, int, int], bytes] = Recent(48)  # inflated and verified
        self.trees: Recent[bytes, Element] = Recent(32)  # small parts parsed (only read, never changed)
        self.relationships: Recent[tuple[bytes, str], dict[str, tuple[str, str]]] = Recent(16)
        self.workbooks: Recent[bytes, tuple[Element, dict[str, str] | None]] = Recent(8)  # workbook.xml
        self.sheets: Recent[bytes, tuple[_Plan, tuple[str, ...], bool]] = Recent(24)  # whole-part skeletons
        self.sheet_plans: Recent[str, _Plan] = Recent(16)  # <sheetData> skeletons
        self.string_plans: Recent[str, tuple[list[list[int]], bool]] = Recent(16)  # <si> run skeletons
        self.addresses: dict[str, tuple[int, int]] = {}  # "D6" -> (5, 3), up to 100,000
        self.counts: Counter[str] = Counter()

    def read_bytes(self, data: bytes, only: Collection[str] | None = None, *, validations: bool = False,
                   blanks: bool = True) -> Book:
        """book.read_bytes, faster."""
        return self.read_workbook(zipfile.ZipFile(io.BytesIO(data)), only, validations=validations, blanks=blanks)

    def read_workbook(self, zf: zipfile.ZipFile | Directory, only: Collection[str] | None = None, *,
                      validations: bool = False, blanks: bool = True) -> Book:
        """book.read_workbook, faster."""
        return book.read_parts(_Parts(self, zf, blanks), only, validations=validations)

    def address(self, ref: str) -> tuple[int, int]:
        """parse_address, remembered: the same few hundred addresses recur in every workbook."""
        rc = self.addresses.get(ref)
        if rc is None:
            rc = parse_address(ref)
            if len(self.addresses) < 100_000:
                self.addresses[ref] = rc
        return rc


SCANNER = Scanner()  # the one behind read_bytes(..., fast=True)


def read_bytes(data: bytes, only: Collection[str] | None = None, *, validations: bool = False,
               blanks: bool = True) -> Book:
    return SCANNER.read_bytes(data, only, validations=validations, blanks=blanks)


def read_workbook(zf: zipfile.ZipFile | Directory, only: Collection[str] | None = None, *, validations: bool = False,
                  blanks: bool = True) -> Book:
    return SCANNER.read_workbook(zf, only, validations=validations, blanks=blanks)


# What the scanning paths raise on a part they cannot read: the tree parser reads it instead,
# or says what is wrong with it.
_DECLINED = (Unusual, ReadError, ValueError, IndexError, TypeError, AttributeError, KeyError)


class _Parts(book.Parts):
    """The parts of one package read by the scanner: members inflated straight from the
    package's bytes, the long runs scanned, what recurs taken from the scanner's memory."""

    def __init__(self, scanner: Scanner, zf: zipfile.ZipFile | Directory, blanks: bool):
        super().__init__(zf, blanks)
        self.memo = scanner
        fp = zf.fp
        self.raw = fp.getvalue() if isinstance(fp, io.BytesIO) else None

    def read(self, part: str) -> bytes:
        info = self.zf.NameToInfo.get(part)
        if info is not None and self.raw is not None:
            data = self._inflate(info)
            if data is not None:
                return data
        return super().read(part)

    def _inflate(self, info: zipfile.ZipInfo | Entry) -> bytes | None:
        """A stored or deflated member taken from the package's bytes, or None for zipfile to
        read (and to raise its own error about) -- whenever anything is not plainly in order:
        the local header, the name in it, flags, method, lengths, the stream's end, the CRC.
        Inflated by zlib-ng (the same deflate, about twice as fast as zlib here); a member whose
        packed bytes, CRC and size were inflated and verified before is not inflated again."""
        raw = self.raw
        assert raw is not None
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
        data = self.memo.members.get(key)
        if data is not None:
            return data
        if info.compress_type == zipfile.ZIP_STORED:
            data = packed
        else:
            d = zlib_ng.decompressobj(-15)
            try:
                data = d.decompress(packed, info.file_size + 1)
            except zlib_ng.error:  # type: ignore[misc]  # an exception class, typed otherwise in its stubs
                return None
            if not d.eof:
                return None
        if len(data) != info.file_size or zlib_ng.crc32(data) != info.CRC:
            return None
        if info.file_size <= 65536:
            self.memo.members.put(key, data)
        return data

    def xml(self, part: str) -> Element:
        return self.parsed(self.read(part), part)

    def parsed(self, data: bytes, part: str) -> Element:
        """parse_xml, remembered for small inputs seen before. Relationship parts and what is left
        of workbook.xml and of each sheet once their cells and names are cut out are the same
        bytes in every workbook made from one template and saved by one program. The trees are
        only read, never changed, and never handed out; errors are not remembered."""
        root = self.memo.trees.get(data)
        if root is None:
            root = parse_xml(data, part)
            if len(data) <= 16384:
                self.memo.trees.put(data, root)
        return root

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        path = book.rels_path(part)
        if not self.has(path):
            return {}
        data = self.read(path)
        key = (data, part)
        known = self.memo.relationships.get(key)
        if known is None:
            known = book.relationships_of(self.parsed(data, path), part)
            if len(data) <= 16384:
                self.memo.relationships.put(key, known)
        return dict(known)

    # --- workbook.xml --------------------------------------------------------------------------

    def workbook(self, part: str) -> tuple[Element, dict[str, str] | None]:
        """Remembered, since the part is the same bytes in every workbook made from one template
        and saved by one program; its defined names scanned (a copy each time)."""
        data = self.read(part)
        known = self.memo.workbooks.get(data)
        if known is None:
            known = self._workbook(data, part)
            self.memo.workbooks.put(data, known)
        root, names = known
        if names is None:
            self.memo.counts["tree: names"] += 1
            return root, None
        return root, dict(names)

    def _workbook(self, data: bytes, part: str) -> tuple[Element, dict[str, str] | None]:
        if b"<definedNames>" in data:
            try:
                _utf8(data)
                region, rest = _carve(data, b"definedNames")
                root = self.parsed(rest, part)
                if root.find(f"{ns_of(root)}definedNames") is None:
                    raise Unusual("<definedNames> is not a child of the root")
                return root, defined_names(text_of(region, DEFINED_NAMES))
            except (Unusual, ReadError, ValueError, IndexError, AttributeError):
                pass
        return parse_xml(data, part), None

    # --- sharedStrings.xml ---------------------------------------------------------------------

    def shared_strings(self, part: str) -> list[str]:
        data = book.capped(self.read(part), part, b"si")
        try:
            return self._shared_strings(data, part)
        except (Unusual, ReadError, ValueError, IndexError, AttributeError):
            self.memo.counts["tree: strings"] += 1
            return book.strings_of_tree(data, part)

    def _shared_strings(self, data: bytes, part: str) -> list[str]:
        """The <si> run scanned; the root and prolog around it parsed by the tree parser."""
        _utf8(data)
        m = _SST_OPEN.search(data)
        end = data.rfind(b"</sst>")
        if m is None or m.group(0).endswith(b"/>") or end < m.end() or data.find(b"<", _prolog_end(data)) != m.start():
            raise Unusual("no <sst> root in the usual form")
        self.parsed(data[:m.end()] + data[end:], part)
        return self._strings(data[m.end():end])

    def _strings(self, region: bytes) -> list[str]:
        """The items of a run of <si> elements (not yet validated), read by a plan remembered
        for its skeleton -- every text of a <t> emptied -- as for sheets (see below): the labels
        and the order of items are the same from one workbook to the next, the texts typed differ."""
        text = decoded(region)
        parts = _T_TEXT.split(text)
        skeleton = "></t>".join(parts[0::2])
        known = self.memo.string_plans.get(skeleton)
        if known is None:
            if SHARED_STRINGS.fullmatch(text) is None:
                raise Unusual("not in the narrow form")
            known = _strings_plan(skeleton)
            self.memo.string_plans.put(skeleton, known)
            self.memo.counts["strings plan made"] += 1
        else:
            self.memo.counts["strings plan reused"] += 1
        plan, one_each = known
        pieces = parts[1::2]
        joined = "".join(pieces)
        if "&" in joined or "\r" in joined:  # each text on its own: a reference cannot span two
            pieces = [unescape(p) if "&" in p or "\r" in p else p for p in pieces]
        if one_each:
            return pieces
        return ["".join([pieces[i] for i in take]) for take in plan]

    # --- one sheet -----------------------------------------------------------------------------

    def sheet(self, part: str, name: str, state: str, strings: list[str], validations: bool) -> Sheet:
        if validations:
            self.memo.counts["tree: sheet"] += 1
            return super().sheet(part, name, state, strings, validations)
        # Without the footer (it names the agency), every agency's copy of a sheet has one skeleton.
        data = book.unread_cut(book.capped(self.read(part), part, b"c"), False)
        skeleton = None
        if not self.blanks:  # the checks' reading: a sheet seen before is read by what was learnt then
            pieces = _V_BYTES.split(data)
            skeleton = b"<v></v>".join(pieces[0::2])
            sheet = self._sheet_again(skeleton, pieces, name, state, strings)
            if sheet is not None:
                return sheet
        try:
            return self._sheet(data, part, name, state, strings, skeleton)
        except _DECLINED:
            self.memo.counts["tree: sheet"] += 1
            return book.sheet_of_tree(data, part, name, state, strings, self.blanks)

    def _sheet_again(self, skeleton: bytes, pieces: list[bytes], name: str, state: str,
                     strings: list[str]) -> Sheet | None:
        """The sheet (blanks left out) if its skeleton was read before and its values are plain;
        else None. (See "the same sheet again" below.)"""
        known = self.memo.sheets.get(skeleton)
        if known is None:
            return None
        self.memo.counts["sheet known"] += 1
        plan, merged, protected = known
        try:
            values = b"<".join(pieces[1::2]).decode("utf-8")  # "<": never inside a value
        except UnicodeDecodeError:
            return None
        if not values.isprintable() or "]]>" in values:  # isprintable: no control characters, no U+FFFE/F
            return None
        try:
            cells = plan.apply(values.split("<") if len(pieces) > 1 else [], strings)
        except (Unusual, ValueError, IndexError, TypeError):
            return None
        return Sheet(name, state, cells, list(merged), [], protected)

    def _sheet(self, data: bytes, part: str, name: str, state: str, strings: list[str],
               skeleton: bytes | None) -> Sheet:
        """The <sheetData> run scanned; the rest of the sheet (root, protection, merged ranges)
        parsed by the tree parser with an empty <sheetData/> in its place. ``skeleton``: the
        part's, to be kept for _sheet_again."""
        _utf8(data)
        if b"<sheetData/>" in data and data.count(b"<sheetData") == 1:
            region, rest = b"", data
        else:
            region, rest = _carve(data, b"sheetData")
        root = self.parsed(rest, part)
        ns = ns_of(root)
        if ns not in (f"{{{MAIN_NS[0]}}}", f"{{{MAIN_NS[1]}}}") or root.find(f"{ns}sheetData") is None:
            raise Unusual("<sheetData> is not a child of a SpreadsheetML root")
        if b"x14ac:" in region:  # an attribute prefix must be declared (on the root, sheetData's parent)
            tag = _ROOT_TAG.search(rest)
            if tag is None or b'xmlns:x14ac="' not in tag.group(0):
                raise Unusual("undeclared prefix")
        sheet = Sheet(name, state)
        plan = None
        if self.blanks:
            text = text_of(region, SHEET_DATA) if region else ""
            sheet.cells = sheet_cells(text, strings, self.memo.address)
        else:  # the checks' reading: by a plan remembered for the run's skeleton
            plan, values = self._plan(region)
            sheet.cells = plan.apply(values, strings)
        sheet_settings(sheet, root, ns)
        if plan is not None and skeleton is not None and b"<v>" not in rest and not sheet.validations:
            self.memo.sheets.put(skeleton, (plan, tuple(sheet.merged), sheet.protected))
        return sheet

    def _plan(self, region: bytes) -> tuple[_Plan, list[str]]:
        """The plan of a <sheetData> run given as bytes (not yet validated) and its <v> texts:
        ``plan.apply(texts, strings)`` gives its cells with content, blanks left out (as
        sheet_cells without its blanks), maybe in another order than the document's; an address
        written twice keeps its last cell, as there."""
        try:
            text = region.decode("utf-8")
        except UnicodeDecodeError:
            raise Unusual("not UTF-8") from None
        parts = _V_RUN.split(text)
        skeleton = "<v></v>".join(parts[0::2])
        plan = self.memo.sheet_plans.get(skeleton)
        if plan is not None:  # the skeleton passed every check before: only the values are new
            self.memo.counts["sheet plan reused"] += 1
            values = "".join(parts[1::2])
            if not values.isprintable() or "]]>" in values:  # isprintable: no control characters, no U+FFFE/F
                decoded(region)
        else:
            decoded(region)
            if SHEET_DATA.fullmatch(text) is None:
                raise Unusual("not in the narrow form")
            plan = _Plan(_entries(skeleton, self.memo.address))
            self.memo.sheet_plans.put(skeleton, plan)
            self.memo.counts["sheet plan made"] += 1
        return plan, parts[1::2]


def _utf8(data: bytes) -> None:
    """The scanned region is decoded as UTF-8: so must the rest be (the tree parser's part).
    (A DTD, comment or processing instruction cannot hide in the region, whose grammar has
    none; in the rest the tree parser sees them.)"""
    if not ascii_compatible(data):
        raise Unusual("not UTF-8")


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
        raise Unusual(f"no single <{tag.decode()}>")
    return data[i + len(tag) + 2:j], data[:i] + b"<" + tag + b"/>" + data[j + len(end):]


_SST_OPEN = re.compile(rb"<sst\b[^>]*>")
_ROOT_TAG = re.compile(rb"<worksheet\b[^>]*>")
