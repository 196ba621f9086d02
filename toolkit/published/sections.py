"""The report's frame: title (agency, year), the six section headings, the narrative text.

Headings are recognised from the format's own headings (``spec.sections``, with the other
wordings the format data declares) through the label normaliser, accepting what published
reports do with them: no number (``主动公开政府信息情况``), the wording of 条例 art. 50
(``行政机关收到和处理政府信息公开申请的情况``), trailing punctuation. Sub-headings that reuse
``一、`` inside 总体情况 do not match a section and stay narrative.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from toolkit.format.cache import per_spec
from toolkit.format.labels import ENUM, heading_key, published_key
from toolkit.format.spec import Spec
from toolkit.published.doc import Row

_STATS_YEAR = re.compile(r"统计(?:期限|时限|时间|期间|区间)?(?:为|是)?(?:自|从)?(\d{4})年(?:度)?1月1日")
_PHONE = re.compile(r"(?:联系)?电话[:：]?\s*([0-9０-９][0-9０-９\-－—()（） ]{5,24}[0-9０-９])")
_CONTACT = re.compile(r"联系人[:：]?\s*([\u4e00-\u9fff]{2,4})")
_ASK = re.compile(r"请与\s*([\u4e00-\u9fff（）()]{2,40}?)\s*联系")
WRAP_SLACK = 4  # display columns: lines within this of the common width count as full
WRAP_SHARE = 0.6  # hard-wrapped when this share of the longer lines is full


@dataclass(frozen=True)
class Heading:
    numeral: str
    row: int  # index into the report's rows
    numbered: bool
    standard: bool = True  # False: found by a looser wording (FIRST_LOOSE, PROBLEMS_LOOSE)


def heading_of(spec: Spec, text: str) -> tuple[str, bool] | None:
    """The section numeral a line is the heading of, and whether it carries its number."""
    k = heading_key(text)
    if not k or len(k) > 40:
        return None
    m = ENUM.match(k)
    numbered = bool(m) and not k.startswith("(")
    body = heading_key(k[m.end():] if m else k, spec.heading_fillers)
    for s in spec.sections:
        names = {heading_key(ENUM.sub("", published_key(s.heading), count=1), spec.heading_fillers)}
        names.update(heading_key(a, spec.heading_fillers) for a in s.aliases)
        if body in names:
            return s.numeral, numbered
    return None


# Looser wordings of two sections, after a section number: the first section named after the
# year's work (一、2023年政务公开工作情况), and problems and measures split in two sections
# (五、存在的主要问题 / 六、改进措施: the second is read as part of the first).
FIRST_LOOSE = r"[^。,;:!?]{0,24}(?:情况|工作)"
PROBLEMS_LOOSE = r"[^。,;:!?]{0,12}?问题(?:及|和)?(?:改进(?:情况|措施))?"
_NUMBERED = "[一二三四五六七八九十]{1,2}[、.]"


TOC_MIN = 3  # heading rows one after another (blank rows aside): a table of contents


def find_headings(spec: Spec, rows: list[Row]) -> list[Heading]:
    """Section headings in order; each section's heading must come after the previous one's.
    Headings listed one after another at first are a table of contents: skipped."""
    out = _in_order(spec, rows, 0)
    crowded = next((i for i in range(len(out) - 1)
                    if any(r.text.strip() for r in rows[out[i].row + 1:out[i + 1].row])), len(out) - 1)
    if crowded >= TOC_MIN - 1:
        out = _in_order(spec, rows, out[crowded].row + 1)
    return _loose(spec, rows, out)


def _in_order(spec: Spec, rows: list[Row], start: int) -> list[Heading]:
    order = [s.numeral for s in spec.sections]
    out: list[Heading] = []
    last = -1
    for i in range(start, len(rows)):
        row = rows[i]
        cells = [c for c in row.cells if c.strip()]
        if len(cells) != 1:
            continue
        hit = heading_of(spec, cells[0])
        if hit and order.index(hit[0]) > last:
            out.append(Heading(hit[0], i, hit[1]))
            last = order.index(hit[0])
    return out


def _loose(spec: Spec, rows: list[Row], heads: list[Heading]) -> list[Heading]:
    """The first and the problems section by their looser wordings, between their neighbours."""
    order = [s.numeral for s in spec.sections]
    for numeral, pattern in (("一", FIRST_LOOSE), ("五", PROBLEMS_LOOSE)):
        if any(h.numeral == numeral for h in heads):
            continue
        i = order.index(numeral)
        lo = max((h.row for h in heads if order.index(h.numeral) < i), default=-1) + 1
        hi = min((h.row for h in heads if order.index(h.numeral) > i), default=len(rows))
        loose = re.compile(_NUMBERED + pattern)
        for j in range(lo, hi):
            cells = [c for c in rows[j].cells if c.strip()]
            if len(cells) == 1 and loose.fullmatch(heading_key(cells[0])):
                heads = sorted([*heads, Heading(numeral, j, True, standard=False)], key=lambda h: h.row)
                break
    return heads


# --- title: agency and year ---------------------------------------------------------------


MAX_AGENCY = 80  # characters of an agency's name in a title (the longest seen are about 30)


@per_spec
def _title_pattern(spec: Spec) -> re.Pattern:
    """The format's title ``{agency}{year}年…`` as a pattern over label keys (年 or 年度)."""
    parts = re.split(r"(\{agency\}|\{year\})", spec.title)
    out = []
    for p in parts:
        if p == "{agency}":
            out.append(rf"(?P<agency>.{{0,{MAX_AGENCY}}}?)")  # bounded: a search stays linear on a long line
        elif p == "{year}":
            out.append(r"(?P<year>(?:19|20)\d{2})")
        elif p:
            lit = re.escape(published_key(p))
            out.append(lit.replace("年", "年度?", 1) if lit.startswith("年") else lit)
    return re.compile("".join(out))


@per_spec
def _year_first(spec: Spec) -> re.Pattern:
    """The title with the year first: ``2020年某某局政府信息公开工作年度报告``."""
    after = published_key(spec.title.split("{year}", 1)[1])
    head, tail = after[:1], after[1:]
    return re.compile(rf"(?P<year>(?:19|20)\d{{2}}){re.escape(head)}度?(?P<agency>[^\d]{{1,{MAX_AGENCY}}}?){re.escape(tail)}")


def title_match(spec: Spec, key: str) -> re.Match | None:
    """The title in a label key, in the format's order or with the year first."""
    m = _title_pattern(spec).search(key)
    if m and _clean_agency(m.group("agency")):
        return m
    first = _year_first(spec).search(key)
    return first if first and _clean_agency(first.group("agency")) else m


def find_title(spec: Spec, rows: list[Row], page_title: str = "", limit: int = 12) -> tuple[str | None, int | None]:
    """Agency and year from the report's title, which may be split over two lines."""
    texts = [r.text for r in rows if r.text.strip()][:limit]
    for i, text in enumerate(texts):
        m = title_match(spec, published_key(text))
        if not m:
            continue
        agency = _clean_agency(m.group("agency"))
        if not agency and i:
            agency = _clean_agency(published_key(texts[i - 1]))  # 北仑区传媒中心 / 2023年政府信息公开工作年度报告
        return agency or None, int(m.group("year"))
    if page_title:
        m = title_match(spec, published_key(page_title))
        if m:
            return _clean_agency(m.group("agency")) or None, int(m.group("year"))
    return None, None


def _clean_agency(text: str) -> str:
    text = re.split(r"[>＞|｜»›:：]", text)[-1]  # a breadcrumb or a label glued before the title: 首页>…, 标题：…
    text = re.sub(r"^[\d\s\-—–－_|]+", "", text)  # a page number before the title: -1-淮安市…
    text = text.strip("-_|:：,，。 ")
    if len(text) > 40 or re.search(r"[。，,；;：:]", text):
        return ""
    return text


def stats_year(rows: list[Row]) -> int | None:
    """The year from the lead paragraph's statistics period (统计期限自2023年1月1日…)."""
    for r in rows[:60]:
        m = _STATS_YEAR.search(published_key(r.text))
        if m:
            return int(m.group(1))
    return None


def contact(spec: Spec, rows: list[Row]) -> dict[str, str]:
    """Contact and phone named in the lead paragraph, if any (keyed by the format's cover codes)."""
    text = "".join(r.text for r in rows)
    out: dict[str, str] = {}
    m = _CONTACT.search(text) or _ASK.search(text)
    if m:
        out[spec.cover_code("contact")] = m.group(1)
    m = _PHONE.search(text)
    if m:
        out[spec.cover_code("phone")] = re.sub(r"\s+", "", m.group(1))
    return out


# --- narrative text -------------------------------------------------------------------------


def narrative(rows: list[Row], *, wrap: int | None = None) -> str:
    """Running text as paragraphs joined by newlines.

    Blank lines separate paragraphs (web copies); each DOCX/HTML paragraph is one. In
    hard-wrapped text (PDF extraction, lines ``wrap`` wide, see :func:`wrap_width`) a
    paragraph's lines are joined: one ends at a short line or before a numbered line.
    """
    paragraphs: list[list[str]] = [[]]
    for r in rows:
        text = "\n".join(c for c in r.cells if c.strip()).strip()
        if not text:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        for line in text.split("\n"):
            paragraphs[-1].append(line.strip())
    out: list[str] = []
    for lines in paragraphs:
        out.extend(_reflow(lines, wrap) if wrap else lines)
    return "\n".join(p for p in out if p)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_width(rows: list[Row]) -> int | None:
    """The line width of hard-wrapped text, or None: wrapped when most longer lines are about
    as wide as the most common width."""
    widths = [display_width(r.text) for r in rows if not r.bound and len(r.text) >= 10]
    if len(widths) < 6:
        return None
    best = max(set(widths), key=lambda w: (sum(1 for x in widths if abs(x - w) <= WRAP_SLACK), w))
    near = sum(1 for x in widths if abs(x - best) <= WRAP_SLACK)
    return best if near >= WRAP_SHARE * len(widths) else None


def _reflow(lines: list[str], wrap: int) -> list[str]:
    paras: list[str] = []
    cur = ""
    prev = ""
    for line in lines:
        if cur and (ENUM.match(published_key(line)) or display_width(prev) < wrap - 2 * WRAP_SLACK):
            paras.append(cur)
            cur = ""
        cur += line
        prev = line
    paras.append(cur)
    return paras
