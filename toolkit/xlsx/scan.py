"""The bulk of a workbook's XML read with regular expressions, in the narrow form producers write.

A returned workbook's parts are mostly three long runs of small elements: a sheet's
``<sheetData>``, the ``<si>`` items of sharedStrings.xml and workbook.xml's ``<definedNames>``.
Building an ElementTree for them is most of the time of a check on this machine. Here each
run is first matched whole against a strict grammar (one C-level ``fullmatch``): only the
elements, attribute orders and characters that Excel, WPS, LibreOffice and xlsxwriter write,
no whitespace between tags, attribute values without markup, references or whitespace to
normalise, text without control characters or ``]]>``. What matches is well-formed XML
whose meaning the extraction below reads exactly as the tree parser would; anything else
raises ``Unusual`` and the caller parses the part with the tree parser (toolkit.xlsx.book), which
gives the same values or the usual verdict on a damaged part. The rest of each part (root,
prolog, small elements) always goes through the tree parser, so DTDs and malformed markup
there are judged as before. A sheet or shared-strings run whose skeleton (the run with its
value texts emptied) passed the grammar before is read by the plan made then (see "the same
sheet again" below).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import compress, repeat
from operator import ne

from toolkit.format.spec import parse_address
from toolkit.xlsx.memo import Recent


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


def rich_text(inner: str) -> str:
    """The text of a string item (<si>/<is> content): its <t>, or its runs joined; phonetic
    runs (<rPh>) left out -- as toolkit.xlsx.book._text reads the tree."""
    if inner.startswith("<t"):
        return unescape(_T_X.match(inner).group(1) or "")
    cut = inner.find("<rPh")
    if cut < 0:
        cut = inner.find("<phoneticPr")
    texts = _T_X.findall(inner if cut < 0 else inner[:cut])
    text = "".join(texts)
    if "&" in text or "\r" in text:  # each text on its own: a reference cannot span two
        return "".join(unescape(t) for t in texts)
    return text


# --- the three runs --------------------------------------------------------------------------------


def shared_strings(region: bytes) -> list[str]:
    """The items of sharedStrings.xml (``region``: the run of <si> elements, not yet validated),
    read by a plan remembered for its skeleton -- every text of a <t> emptied -- as for sheets
    (see below): the labels and the order of items are the same from one workbook to the next,
    the texts typed differ."""
    text = decoded(region)
    parts = _T_TEXT.split(text)
    skeleton = "></t>".join(parts[0::2])
    plan = _SST_PLANS.get(skeleton)
    if plan is None:
        if SHARED_STRINGS.fullmatch(text) is None:
            raise Unusual("not in the narrow form")
        plan = _sst_plan(skeleton)
        _SST_PLANS.put(skeleton, plan)
    pieces = parts[1::2]
    joined = "".join(pieces)
    if "&" in joined or "\r" in joined:  # each text on its own: a reference cannot span two
        pieces = [unescape(p) if "&" in p or "\r" in p else p for p in pieces]
    if plan is _ONE_EACH:
        return pieces
    return ["".join([pieces[i] for i in take]) for take in plan]


_T_TEXT = re.compile(r">([^<]*)</t>")  # a <t>'s text (in the grammar's text, only there)
_SI_ITEM = re.compile(r"<si>(.*?)</si>", re.S)
_SST_PLANS: Recent[str, object] = Recent(16)
_ONE_EACH = object()  # the plan of a run whose items are each one plain <t> with text


def _sst_plan(skeleton: str):
    """Per item, the indices of the texts that make it (as rich_text reads an item)."""
    plan: list[list[int]] = []
    k = 0
    for inner in _SI_ITEM.findall(skeleton):
        n = inner.count("></t>")
        if inner.startswith("<t"):  # plain: its first <t>, unless that is empty (<t/>)
            take = [k] if _T_X.match(inner).group(1) is not None else []
        else:  # runs: their texts, phonetic runs left out
            cut = inner.find("<rPh")
            if cut < 0:
                cut = inner.find("<phoneticPr")
            take = list(range(k, k + (inner[:cut].count("></t>") if cut >= 0 else n)))
        plan.append(take)
        k += n
    return _ONE_EACH if all(take == [i] for i, take in enumerate(plan)) and k == len(plan) else plan


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


def sheet_cells(text: str, strings: list[str], make: Callable, new: Callable,
                shared_formula: Callable) -> dict[tuple[int, int], object]:
    """Every cell of a <sheetData> (``text``: its content, validated), blanks included, keyed by
    0-based (row, col). (The checks leave blanks out and read through ``plan_of``.)

    ``make(t, value, formula, style, inline, strings)`` builds a cell with content (the
    reader's own conversion, shared with its tree path); ``new(value, kind, formula, style)``
    is the cell type itself; ``shared_formula(cell, si, shared, row, col)`` resolves
    t="shared" formulas."""
    cells: dict[tuple[int, int], object] = {}
    shared: dict = {}
    for rc, s, t, f, vw, inline in _placed(text):
        if not (f or vw or inline):
            cells[rc] = new(None, "", None, int(s) if s else 0)
            continue
        cell = make(t or "n", unescape(vw[3:-4]) or None if vw else None, _formula(f), int(s) if s else 0,
                    rich_text(inline[4:-5]) if inline else None, strings)
        if f and ' t="shared"' in f:
            _shared(cell, f, shared, rc, shared_formula)
        cells[rc] = cell
    return cells


def _placed(text: str) -> Iterator[tuple[tuple[int, int], str, str, str, str, str]]:
    """Each cell of a <sheetData> run: its 0-based (row, col) -- rows and columns counted for
    cells and rows written without r -- and its s, t, <f>, <v> and <is> as written."""
    row_i = col_i = -1
    for ref, s, t, f, vw, inline, row_tag, row_r in _CELL_X.findall(text):
        if row_tag:
            row_i = int(row_r) - 1 if row_r else row_i + 1
            col_i = -1
            continue
        if ref:
            r, col_i = _ADDRESSES.get(ref) or _address(ref)
        else:
            r, col_i = row_i, col_i + 1
        yield (r, col_i), s, t, f, vw, inline


def _formula(f: str) -> str | None:
    """The text of an <f> element as written (None if absent or empty)."""
    if not f:
        return None
    k = f.index(">")
    return None if f[k - 1] == "/" else unescape(f[k + 1:-4]) or None


def _shared(cell, f: str, shared: dict, rc: tuple[int, int], shared_formula: Callable) -> None:
    k = f.index(">")
    a = dict(_ATTR_X.findall(f[2:k - 1] if f[k - 1] == "/" else f[2:k]))
    if a.get("t") == "shared":
        shared_formula(cell, a.get("si", ""), shared, rc[0], rc[1])


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

_V_RUN = re.compile(r"<v>([^<]*)</v>")
_PLANS: Recent[str, _Plan] = Recent(16)


def plan_of(region: bytes, new: Callable, shared_formula: Callable) -> tuple[_Plan, list[str]]:
    """The plan of a <sheetData> run given as bytes (not yet validated) and its <v> texts:
    ``plan.apply(texts, strings, make, new)`` gives its cells with content, blanks left out
    (sheet_cells(..., blanks=False)), maybe in another order than the document's; an address
    written twice keeps its last cell, as there."""
    try:
        text = region.decode("utf-8")
    except UnicodeDecodeError:
        raise Unusual("not UTF-8") from None
    parts = _V_RUN.split(text)
    skeleton = "<v></v>".join(parts[0::2])
    plan = _PLANS.get(skeleton)
    if plan is not None:  # the skeleton passed every check before: only the values are new
        values = "".join(parts[1::2])
        if not values.isprintable() or "]]>" in values:  # isprintable: no control characters, no U+FFFE/F
            decoded(region)
    else:
        decoded(region)
        if SHEET_DATA.fullmatch(text) is None:
            raise Unusual("not in the narrow form")
        plan = _Plan(_entries(skeleton, new, shared_formula))
        _PLANS.put(skeleton, plan)  # bounded, whatever the number of programs and templates seen
    return plan, parts[1::2]


def _entries(skeleton: str, new: Callable, shared_formula: Callable) -> list[tuple]:
    """(address, type, style, formula, inline text, index of its <v> or -1) per cell with
    content, in document order."""
    entries = []
    shared: dict = {}
    k = 0
    for rc, s, t, f, vw, inline in _placed(skeleton):
        if not (f or vw or inline):
            continue
        formula = _formula(f)
        if f and ' t="shared"' in f:
            probe = new(None, "", formula, 0)
            _shared(probe, f, shared, rc, shared_formula)
            formula = probe.formula
        entries.append((rc, t or "n", int(s) if s else 0, formula,
                        rich_text(inline[4:-5]) if inline else None, k if vw else -1))
        k += 1 if vw else 0
    return entries


class _Plan:
    """How to read a sheet of one skeleton: its numbers and its plain shared-string cells in
    two batches (each converted in one go when every value is a digit string, as nearly all
    are), the other cells one by one. A batch's cell objects are reused where their texts are
    the last workbook's (see _again): cells are read-only, as read.EMPTY always was."""

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
        self.seen: dict[str, tuple] = {}  # per batch: (cell type, texts, their cells) last read

    def apply(self, values: list[str], strings: list[str], make: Callable, new: Callable) -> dict:
        if not self.single:
            return _one_by_one(self.entries, values, strings, make, new)
        cells: dict = {}
        at, where, formulas, styles = self.numbers
        texts = list(map(values.__getitem__, where))
        if _digits(texts):  # counts, and totals' cached counts: exact as ints
            cells.update(self._again("numbers", new, texts, at, formulas, styles, "n", int))
        else:
            cells.update(_one_by_one(_rows(self.numbers, "n"), values, strings, make, new))
        at, where, formulas, styles = self.labels
        texts = list(map(values.__getitem__, where))
        indices = list(map(int, texts)) if _digits(texts) else None
        if indices is not None and (not indices or max(indices) < len(strings)):
            labels = list(map(strings.__getitem__, indices))
            cells.update(self._again("labels", new, labels, at, formulas, styles, "s", str))
        else:
            cells.update(_one_by_one(_rows(self.labels, "s"), values, strings, make, new))
        cells.update(_one_by_one(self.others, values, strings, make, new))
        return cells

    def _again(self, batch: str, new: Callable, texts: list[str], at: list, formulas: list, styles: list,
               kind: str, convert: Callable) -> dict:
        """A batch's cells, ``new(convert(text), kind, formula, style)`` each, made only where the
        text differs from the last workbook this plan read: a template's labels are the same in
        every workbook, and most counts are the same few numbers (0 above all)."""
        seen = self.seen.get(batch)
        if seen is None or seen[0] is not new:
            made = dict(zip(at, map(new, map(convert, texts), repeat(kind), formulas, styles)))
        elif seen[1] == texts:
            made = seen[2]
        else:
            made = dict(seen[2])
            for i in compress(range(len(texts)), map(ne, texts, seen[1])):
                made[at[i]] = new(convert(texts[i]), kind, formulas[i], styles[i])
        self.seen[batch] = (new, texts, made)
        return made


def _digits(texts: list[str]) -> bool:
    """Every text 1 to 15 ASCII digits (an int as float() then int() would give it)."""
    joined = "".join(texts)
    return not texts or (joined.isdigit() and joined.isascii() and all(texts) and max(map(len, texts)) <= 15)


def _rows(batch: tuple, t: str) -> list[tuple]:
    """A batch back as entries, for reading one by one."""
    at, where, formulas, styles = batch
    return [(rc, t, s, f, None, vi) for rc, vi, f, s in zip(at, where, formulas, styles)]


def _one_by_one(entries: list[tuple], values: list[str], strings: list[str], make: Callable,
                new: Callable) -> dict[tuple[int, int], object]:
    cells: dict[tuple[int, int], object] = {}
    n = len(strings)
    for rc, t, style, formula, inline, vi in entries:
        if vi >= 0:
            v = values[vi]
            if v.isdigit() and v.isascii() and len(v) <= 15:  # "" is not a digit string
                if t == "n":  # most cells: a count or a total's cached count (exact as an int)
                    cells[rc] = new(int(v), "n", formula, style)
                    continue
                if t == "s" and formula is None:  # and the labels
                    i = int(v)
                    cells[rc] = new(strings[i] if i < n else "", "s", None, style)
                    continue
            if "&" in v or "\r" in v:
                v = unescape(v)
        else:
            v = None
        cell = make(t, v or None, formula, style, inline, strings)
        if cell.kind or cell.formula is not None:
            cells[rc] = cell
    return cells


_ADDRESSES: dict[str, tuple[int, int]] = {}


def _address(ref: str) -> tuple[int, int]:
    """parse_address, memoised: the same few hundred addresses recur in every workbook."""
    rc = _ADDRESSES.get(ref)
    if rc is None:
        rc = parse_address(ref)
        if len(_ADDRESSES) < 100_000:
            _ADDRESSES[ref] = rc
    return rc
