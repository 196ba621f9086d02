"""Flattened web text: a report whose narrative, headings and table rows run on with no breaks.

Archives of government web sites keep a report as the page's text with nothing between its
parts: ``…申请数量120000012二、上年结转政府信息公开申请数量0000000三、本年度办理结果（一）予以公开…``.
The format's own words are the anchors: the section headings in the format's order, then, in
each table's stretch of text, its row labels in the format's order. Between two row labels lie
the row's figures (and, after them, any group label such as （三）不予公开 or a header); the
item number that follows a row's last digit (``…00000002.其他法律…``) belongs to the next label,
which is found with its number. The result is ordinary rows -- one per heading, per table row
(label, then its digits set apart) and per paragraph -- read by the usual stages; cutting each
row's digits into cells is :mod:`toolkit.published.split`'s work.
"""

from __future__ import annotations

import re
from functools import cache

from toolkit.format.cache import per_spec
from toolkit.format.labels import ENUM, core, heading_key, nfkc, published_key, strip_enum
from toolkit.format.spec import Spec, Table, editions, load_spec
from toolkit.published import sections
from toolkit.published.doc import Doc, Row
from toolkit.published.tables import row_groups
from toolkit.published.tokens import COUNTS, MONEY

_DROP = re.compile(r"[\s\"'“”‘’「」『』]")
_DASHES = "‐‑‒–—―－"
_NUMERAL = "[一二三四五六七八九十]{1,2}[、.]"
# Web-page chrome that follows a report's last section on archived pages.
_CHROME_AFTER = re.compile(r"附件下载|相关附件|相关链接|打印本页|关闭窗口|【打印】|【关闭】|分享到|扫一扫")
# Units written after a figure (35000元, 3件): they stay with it when figures are set apart.
_UNITS = "(?:" + "|".join(sorted((*MONEY, *COUNTS), key=len, reverse=True)) + ")"
# Spaces between a figure and a word (PDF text: 淮安市人民政府 2024 年…).
_NUMBER_SPACE = re.compile(r"(?<=[0-9０-９])[ \t\u00a0\u3000]+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])[ \t\u00a0\u3000]+(?=[0-9０-９])")
# A PDF page footer run into the text (…769-5-法提供…); not when a figure or another placeholder
# follows (…—10——01: placeholder cells around a figure).
_PAGE_MARK = re.compile(r"[-—–－]\s*\d{1,3}\s*[-—–－](?!\s*[0-9\-—–－/／])")
# An item number glued after a row's last digit (…00000002.其他…).
_ITEM = re.compile(r"(?<=[0-9])(?=[1-9][.．、](?![0-9]))")
# Where a figure meets a word: a decimal point, a sign, a thousands separator and a unit stay
# with the figure; two dashes before a figure are placeholders, not a sign (…10--01…).
_BOUNDARY = re.compile(rf"(?<=[0-9０-９])(?=[^0-9０-９\s.．])(?!{_UNITS})(?!,\d{{3}}(?!\d))"
                       r"|(?<=[^0-9０-９\s.．+\-－])(?<!\d,)(?=[0-9０-９])|(?<=[\-－][\-－])(?=[0-9０-９])"
                       rf"|(?:(?<=[0-9０-９][{''.join(COUNTS)}元])|(?<=[0-9０-９][千万亿]元))(?=[^0-9０-９\s])")


def keyed(text: str) -> tuple[str, list[int]]:
    """``text`` compared as :func:`published_key` compares labels (NFKC, no whitespace or quotes,
    ``2、`` as ``2.``, 转结 as 结转), and for each character of the key its index in ``text``."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if _DROP.match(ch):
            continue
        c = "-" if ch in _DASHES else nfkc(ch)
        if c in ("、", ".") and chars and chars[-1].isdigit():
            c = "."
        for x in c:
            chars.append(x)
            where.append(i)
    return "".join(chars).replace("转结", "结转"), where


def unflatten(spec: Spec, doc: Doc) -> Doc | None:
    """The report cut into rows at its headings and row labels, or None when its headings
    cannot be found inside its lines either."""
    raw = "\n".join(r.text for r in doc.rows)
    k, at = keyed(raw)
    heads = find_headings(spec, k)
    if len(heads) < 2:
        return None
    cut = _Cutter(raw, k, at)
    rows: list[Row] = []
    rows += cut.words(0, heads[0][1])
    by = {s.numeral: s for s in spec.sections}
    for i, (numeral, start, end) in enumerate(heads):
        stop = heads[i + 1][1] if i + 1 < len(heads) else len(k)
        if i + 1 == len(heads):
            m = _CHROME_AFTER.search(k, end)
            stop = m.start() if m else stop
        if end > start:
            rows.append(cut.row(start, end))
        table = by[numeral].table
        if table:
            rows += _table_rows(cut, table, end, stop)
        else:
            rows += cut.lines(end, stop)
    return Doc(path=doc.path, kind=doc.kind, rows=[Row(r.cells, r.bound, n) for n, r in enumerate(rows, 1)],
               title=doc.title)


class _Cutter:
    """Rows cut from the raw text by positions in its key."""

    def __init__(self, raw: str, k: str, at: list[int]) -> None:
        self.raw, self.k, self.at = raw, k, at

    def text(self, a: int, b: int) -> str:
        if a >= b:
            return ""
        return self.raw[self.at[a]:self.at[b - 1] + 1]

    def row(self, a: int, b: int, extra: str = "") -> Row:
        return Row(((self.text(a, b) + extra).strip(),), False, 0)

    def lines(self, a: int, b: int) -> list[Row]:
        return [Row((x.strip(),), False, 0) for x in self.text(a, b).split("\n") if x.strip()]

    def words(self, a: int, b: int) -> list[Row]:
        """Text before the first heading (page chrome, title, lead): apart at each space, but for
        spaces between a figure and a word (PDF text writes ``淮安市人民政府 2024 年…``)."""
        text = _NUMBER_SPACE.sub("", self.text(a, b))
        return [Row((x,), False, 0) for x in text.split()]


# --- headings ---------------------------------------------------------------------------------


def find_headings(spec: Spec, k: str) -> list[tuple[str, int, int]]:
    """(numeral, start, end) of each section heading found inside the key, in the format's order;
    the first section and the problems section also by their looser wordings
    (:data:`sections.FIRST_LOOSE`, :data:`sections.PROBLEMS_LOOSE`)."""
    out = _in_order(spec, k, 0)
    crowded = next((i for i in range(len(out) - 1) if out[i + 1][1] - out[i][2] > TOC_GAP), len(out) - 1)
    if crowded >= TOC_MIN - 1:  # a table of contents: the headings themselves come after it
        out = _in_order(spec, k, out[crowded][2])
    found = {n for n, _, _ in out}
    order = [s.numeral for s in spec.sections]
    for numeral, pattern in (("一", sections.FIRST_LOOSE), ("五", sections.PROBLEMS_LOOSE)):
        if numeral in found:
            continue
        i = order.index(numeral)
        lo = max((e for n, _, e in out if order.index(n) < i), default=_title_end(spec, k))
        hi = min((b for n, b, _ in out if order.index(n) > i), default=len(k))
        loose = re.compile(f"{_NUMERAL}{pattern}").search(k, lo, hi)
        if loose:
            out.append((numeral, loose.start(), loose.end()))
    return sorted(out + _headless_tables(spec, k, out), key=lambda h: h[1])


def _headless_tables(spec: Spec, k: str, heads: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """A table whose heading is not found begins at its first title or header label between its
    neighbours' headings (an empty heading: no row is made for it)."""
    order = [s.numeral for s in spec.sections]
    found = {n for n, _, _ in heads}
    out = []
    for s in spec.sections:
        if not s.table or s.numeral in found:
            continue
        i = order.index(s.numeral)
        lo = max((e for n, _, e in heads if order.index(n) < i), default=0)
        hi = min((b for n, b, _ in heads if order.index(n) > i), default=len(k))
        hits = [k.find(w, lo, hi) for w in _header_words(s.table)]
        hits = [h for h in hits if h >= 0]
        if hits:
            out.append((s.numeral, min(hits), min(hits)))
    return out


@cache
def _header_words(table_id: str) -> tuple[str, ...]:
    words = {published_key(lb.text) for t in _tables(table_id) for lb in t.labels
             if lb.kind in ("title", "header", "corner")}
    return tuple(w for w in words if len(w) >= 4)


TOC_MIN = 3  # headings one after another, with nothing between them: a table of contents
TOC_GAP = 4  # characters (page numbers, dots) allowed between two entries of a table of contents


def _in_order(spec: Spec, k: str, cursor: int) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    for s in spec.sections:
        m = _heading_at(spec, s.numeral, k, cursor)
        if m:
            out.append((s.numeral, m[0], m[1]))
            cursor = m[1]
    return out


def _heading_at(spec: Spec, numeral: str, k: str, cursor: int) -> tuple[int, int] | None:
    numbered, bare = _heading_patterns(spec)[numeral]
    m = numbered.search(k, cursor)
    if m:
        return m.start(), m.end()
    for m in bare.finditer(k, cursor):
        if k[m.end():m.end() + 1] not in ("、", ",", "和", "及"):  # not a heading named in a list
            return m.start(), m.end()
    return None


@per_spec
def _heading_patterns(spec: Spec) -> dict[str, tuple[re.Pattern, re.Pattern]]:
    """Per section: its heading (or an alias) after a section number, and without one. Words the
    format's fillers add may come between any two characters."""
    filler = "(?:" + "|".join(map(re.escape, spec.heading_fillers)) + ")*" if spec.heading_fillers else ""
    out = {}
    for s in spec.sections:
        bodies = {heading_key(strip_enum(published_key(s.heading)), spec.heading_fillers)}
        bodies.update(heading_key(a, spec.heading_fillers) for a in s.aliases)
        alts = "|".join(filler + filler.join(map(re.escape, b)) for b in sorted(bodies, key=len, reverse=True))
        out[s.numeral] = (re.compile(f"{_NUMERAL}(?:{alts})"), re.compile(f"(?:{alts})"))
    return out


def _title_end(spec: Spec, k: str) -> int:
    m = sections.title_match(spec, k[:2000])
    return m.end() if m else 0


# --- tables -------------------------------------------------------------------------------------


def _table_rows(cut: _Cutter, table_id: str, a: int, b: int) -> list[Row]:
    anchors = max((_anchors(t, cut.k, a, b) for t in _tables(table_id)), key=len)
    if not anchors:
        return [Row((spaced(cut.text(a, b)),), False, 0)] if cut.text(a, b).strip() else []
    rows = []
    head = cut.text(a, anchors[0][0])
    if head.strip():
        rows.append(Row((spaced(head).strip(),), False, 0))
    for i, (s, e) in enumerate(anchors):
        nxt = anchors[i + 1][0] if i + 1 < len(anchors) else b
        rows.append(Row((f"{cut.text(s, e).strip()} {spaced(cut.text(e, nxt)).strip()}".strip(),), False, 0))
    return rows


@cache
def _tables(table_id: str) -> tuple[Table, ...]:
    """The table in every edition that has it, the current one first."""
    specs = sorted(map(load_spec, editions()), key=lambda s: -s.first_year)
    return tuple(s.table(table_id) for s in specs if any(t.id == table_id for t in s.tables))


def _anchors(table: Table, k: str, a: int, b: int) -> list[tuple[int, int]]:
    """Where each row label of ``table`` is, in the format's order (a label not found is skipped)."""
    out = []
    cursor = a
    for label in _labels(table):
        hit = _label_at(label, k, cursor, b)
        if hit:
            out.append(hit)
            cursor = hit[1]
    return out


@cache
def _labels(table: Table) -> tuple[str, ...]:
    labels = (next((p for p in reversed(g[0].row_path) if p), "") for g in row_groups(table))
    return tuple(published_key(x) for x in labels if x)


def _label_at(full: str, k: str, lo: int, hi: int) -> tuple[int, int] | None:
    pos = k.find(full, lo, hi)
    if pos >= 0:
        return pos, pos + len(full)
    short = core(full)
    if short == full or len(short) < 4:
        return None
    pos = k.find(short, lo, hi)
    if pos < 0:
        return None
    enum = ENUM.match(full)
    start = pos - len(enum.group(0)) if enum and k[:pos].endswith(enum.group(0)) else pos
    return start, pos + len(short)


def spaced(text: str) -> str:
    """Figures set apart from the words around them (``70000007（三）`` -> ``70000007 （三）``), and
    from an item number that follows them (``00000002.其他…``: a label not found as an anchor);
    a PDF page footer run into the text (``769-5-法提供``) dropped. A full-width minus reads as
    ``-`` (a sign where a cell may be negative, else a placeholder: see tables._dash_apart)."""
    return _ITEM.sub(" ", _BOUNDARY.sub(" ", _PAGE_MARK.sub(" ", text.replace("－", "-"))))
