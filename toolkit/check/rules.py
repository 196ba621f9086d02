"""The format's consistency rules (R1–R9) on plain data, whatever it was read from.

Works on a ``Filled``: the inputs, and -- when the source states them, as a published report
does -- totals too. A stated total is what the report shows, so R1 and R5 use it and R2–R4
compare it with its parts; a total not stated is recomputed from the inputs (toolkit.format.compute),
and then R2–R4 hold by construction. ``check`` passes inputs only: a workbook's totals are
compared with the recomputation there, one finding per cell with the cause (overwritten,
altered formula, stale), so a broken total is never reported twice.

Every finding sits at the cell where the rule fails (sheet, A1 address, cell code), carries
both sides as ``expected``/``actual`` and says both in Chinese.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from toolkit import catalogue
from toolkit.format import compute
from toolkit.format.cache import per_spec
from toolkit.format.labels import narrative_text, nfkc
from toolkit.format.spec import Cell, Narrative, Rule, Spec
from toolkit.model import Filled, Finding, Number

COPY_SIMILARITY = 0.9  # narratives at least this similar to last year's count as copied


CROSS_YEAR = ("carry_over", "stock")  # rule kinds that compare with last year's report


def apply(spec: Spec, filled: Filled, *, previous: Filled | None = None,
          shown: Mapping[str, Number] | None = None) -> list[Finding]:
    """R1–R9 and the narrative checks; R5, R6 and copied narratives only with ``previous``.

    A table none of whose cells is in ``filled.values`` was not read (a workbook whose layout
    was changed, a published report missing the table): rules about it are skipped.
    ``shown`` is ``shown_values(spec, filled)`` when the caller already has it.
    """
    if shown is None:
        shown = shown_values(spec, filled)
    read = read_tables(spec, filled)
    out: list[Finding] = []
    for rule in spec.rules:
        if rule.kind not in CROSS_YEAR and _has_table(read, rule):
            out.extend(_kind(rule)(spec, rule, filled, shown, None))
    out.extend(_empty_narratives(spec, filled))
    if previous is not None:
        out.extend(cross_year(spec, filled, previous))
    return out


def cross_year(spec: Spec, filled: Filled, previous: Filled, *, file: str = "", agency_id: str = "") -> list[Finding]:
    """The rules that compare with last year's report (R5, R6, copied narratives), for callers
    that learn which report is last year's only after reading this one (collect)."""
    shown, prev = shown_values(spec, filled), shown_values(spec, previous)
    read, read_before = read_tables(spec, filled), read_tables(spec, previous)
    out: list[Finding] = []
    for rule in spec.rules:
        if rule.kind in CROSS_YEAR and _has_table(read, rule) and _has_table(read_before, rule):
            out.extend(_kind(rule)(spec, rule, filled, shown, prev))
    out.extend(_copied_narratives(spec, filled, previous))
    if file or agency_id:
        out = [replace(f, file=file or f.file, agency_id=agency_id or f.agency_id) for f in out]
    return out


def _kind(rule: Rule) -> _Check:
    check = _KINDS.get(rule.kind)
    if check is None:
        raise ValueError(f"rule {rule.id}: unknown kind {rule.kind!r} in the format data")
    return check


def read_tables(spec: Spec, filled: Filled) -> set[str]:
    """Tables with at least one cell present in the values (blank counts: it was read)."""
    values = filled.values
    return {t.id for t, codes_ in _table_codes(spec) if any(c in values for c in codes_)}


@per_spec
def _table_codes(spec: Spec) -> tuple[tuple, ...]:
    return tuple((t, tuple(c.code for c in t.cells)) for t in spec.tables)


def _has_table(read: set[str], rule: Rule) -> bool:
    table = rule.params.get("table")
    return table is None or table in read


def shown_values(spec: Spec, filled: Filled) -> dict[str, Number]:
    """Every cell's number as the report shows it: inputs (blank or non-number as 0), stated
    totals where given, otherwise recomputed totals."""
    get = filled.values.get
    inputs = {c: number(get(c)) for c in spec.input_codes}
    shown = compute.full(spec, inputs)
    for c in spec.total_codes:
        v = get(c)
        if v is not None:
            v = number(v)
            if v is not None:
                shown[c] = v
    return shown


def number(v: object) -> int | float | None:
    """A usable number, or None (blank, text, boolean, NaN)."""
    t = type(v)
    if t is int or t is float and math.isfinite(v):  # type: ignore[arg-type]
        return v  # type: ignore[return-value]
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) and not hasattr(v, "as_integer_ratio"):
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v  # type: ignore[return-value]


# --- how a cell is named in a message ---------------------------------------------------------


def label(spec: Spec, cell: Cell) -> str:
    """The cell's row and column labels, as short as stays unambiguous within its table."""
    known = _labels(spec).get(cell.code)
    return known[1] if known is not None and known[0] == cell else _label(spec, cell)


@per_spec
def _labels(spec: Spec) -> dict[str, tuple[Cell, str]]:
    return {c.code: (c, _label(spec, c)) for c in spec.cells}


def _label(spec: Spec, cell: Cell) -> str:
    table = spec.table(cell.table)
    leaves = [c.col_label for c in table.cells if c.row == cell.row]
    col = cell.col_label if leaves.count(cell.col_label) == 1 else "／".join(p for p in cell.col_path if p)
    rows = [p for p in cell.row_path if p]
    if not rows:
        return col
    row = rows[-1]
    if len(rows) > 1 and row[:1].isdigit():  # "1.属于国家秘密" needs its group "（三）不予公开"
        row = rows[-2] + row
    return f"{row}／{col}"


def formula(spec: Spec, cell: Cell) -> str:
    """spec.formula, memoised per format (it lays out ranges on every call)."""
    known = _formulas(spec).get(cell.code)
    return known[1] if known is not None and known[0] == cell else spec.formula(cell)


@per_spec
def _formulas(spec: Spec) -> dict[str, tuple[Cell, str]]:
    return {c.code: (c, spec.formula(c)) for c in spec.totals}


def where(spec: Spec, cell: Cell) -> str:
    return f"“{cell.sheet}”工作表 {cell.address} 单元格（{label(spec, cell)}）"


def fmt(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _at(spec: Spec, rule: Rule, cell: Cell, message: str, expected, actual) -> Finding:
    return Finding(code=rule.id, severity=rule.severity, message=message, sheet=cell.sheet, cell=cell.address,
                   expected=expected, actual=actual, ref=cell.code)


def _equal(a, b) -> bool:
    """Equal up to float noise; float() since published figures may be Decimal."""
    return abs(float(a) - float(b)) < 1e-9


# --- table rules --------------------------------------------------------------------------------


def _balance(spec: Spec, rule: Rule, filled: Filled, shown, prev) -> list[Finding]:
    """R1, per column: lhs rows add up to rhs rows; reported at the last rhs row (the row a
    clerk types last, 四、结转下年度). The total column only when no applicant column failed:
    otherwise its imbalance is just their sum."""
    table = spec.table(rule.params["table"])
    lhs_rows, rhs_rows = rule.params["lhs"], rule.params["rhs"]
    out: list[Finding] = []
    for col in table.col_codes:
        lhs = sum(shown[table.cell(r, col).code] for r in lhs_rows)
        rhs = sum(shown[table.cell(r, col).code] for r in rhs_rows)
        if _equal(lhs, rhs):
            continue
        at = table.cell(rhs_rows[-1], col)
        if at.role == "total" and out:
            continue
        left = " ＋ ".join(f"{_row_name(table.cell(r, col))} {fmt(shown[table.cell(r, col).code])}" for r in lhs_rows)
        right = " ＋ ".join(f"{_row_name(table.cell(r, col))} {fmt(shown[table.cell(r, col).code])}" for r in rhs_rows)
        out.append(_at(spec, rule, at, (
            f"{where(spec, at)}：“{at.col_label}”列不平衡：{left} = {fmt(lhs)}，而{right} = {fmt(rhs)}。"
            f"{rule.description}。请核对本列各项数字后改正。"), lhs, rhs))
    return out


def _row_name(cell: Cell) -> str:
    """The numbered head of a row label: 一、二、（七）总计、四、 (the label up to its first comma-like break)."""
    text = next((p for p in reversed(cell.row_path) if p), "")
    m = re.match(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）总计|（[一二三四五六七八九十]+）)", text)
    return m.group(1).rstrip("、") if m else text


def _totals(spec: Spec, rule: Rule, filled: Filled, shown, prev) -> list[Finding]:
    """R2/R3/R4: a stated total equals the sum of its parts (axis row: parts on its row)."""
    table = spec.table(rule.params["table"])
    along_row = rule.params["axis"] == "row"
    out: list[Finding] = []
    totals = table.totals
    values = filled.values
    if not any(c.code in values for c in totals):  # no total stated (a workbook's: check compares them)
        return out
    for cell in totals:
        stated = number(values.get(cell.code))
        if stated is None:
            continue
        parts = [spec.cell(c) for c in cell.sum_of]
        if along_row != all(p.row == cell.row for p in parts):
            continue
        expected = sum(shown[p.code] for p in parts)
        if _equal(expected, stated):
            continue
        span = f"{parts[0].address}～{parts[-1].address}"
        out.append(_at(spec, rule, cell, (
            f"{where(spec, cell)}：总计为 {fmt(stated)}，而 {span} 各项之和为 {fmt(expected)}。"
            f"{rule.description}。请核对各项数字和总计后改正。"), expected, stated))
    return out


def _carry_over(spec: Spec, rule: Rule, filled: Filled, shown, prev) -> list[Finding]:
    """R5: this year's carried-in row equals last year's carried-out row, per column."""
    if prev is None:
        return []
    table = spec.table(rule.params["table"])
    out: list[Finding] = []
    for col in table.col_codes:
        this = table.cell(rule.params["this"], col)
        before = table.cell(rule.params["previous"], col)
        now, then = shown[this.code], prev[before.code]
        if _equal(now, then) or (this.role == "total" and out):
            continue
        out.append(_at(spec, rule, this, (
            f"{where(spec, this)}：本年填报 {fmt(now)}，上年报告“{_row_label(before)}”为 {fmt(then)}。"
            f"{rule.description}。请核对；如因机构调整等原因不一致，请在{spec.narrative_sheet}说明。"), then, now))
    return out


def _row_label(cell: Cell) -> str:
    return next((p for p in reversed(cell.row_path) if p), "")


def _stock(spec: Spec, rule: Rule, filled: Filled, shown, prev) -> list[Finding]:
    """R6: documents in force = last year's + issued − repealed, per row."""
    if prev is None:
        return []
    table = spec.table(rule.params["table"])
    p = rule.params
    out = []
    for row in p["rows"]:
        stock, plus, minus = (table.cell(row, p[k]) for k in ("stock", "plus", "minus"))
        expected = prev[stock.code] + shown[plus.code] - shown[minus.code]
        actual = shown[stock.code]
        if _equal(expected, actual):
            continue
        out.append(_at(spec, rule, stock, (
            f"{where(spec, stock)}：填报 {fmt(actual)}，按上年{stock.col_label} {fmt(prev[stock.code])} ＋ "
            f"{plus.col_label} {fmt(shown[plus.code])} － {minus.col_label} {fmt(shown[minus.code])} "
            f"应为 {fmt(expected)}。请核对；如有文件因有效期届满等失效，请在{spec.narrative_sheet}说明。"), expected, actual))
    return out


def _types(spec: Spec, rule: Rule, filled: Filled, shown, prev) -> list[Finding]:
    """R7: counts are non-negative integers, the fee a non-negative number."""
    out = []
    get = filled.values.get
    for cell in _cells(spec):
        v = get(cell.code)
        if v is None or type(v) is int and v >= 0:  # the usual case, fine for any cell
            continue
        problem = type_problem(spec, cell, v)
        if problem:
            out.append(_at(spec, rule, cell, f"{where(spec, cell)}：{problem}", _type_name(spec, cell), v))
    return out


@per_spec
def _cells(spec: Spec) -> tuple[Cell, ...]:
    return spec.cells


def type_problem(spec: Spec, cell: Cell, v: object) -> str:
    """What is wrong with a value for this cell, and what to type instead ('' if fine)."""
    what = _type_name(spec, cell)
    n = number(v)
    if n is None:
        return f"“{v}”不是数字。此处应填{what}；没有请填 0。"
    if n < 0:
        return f"填了负数 {fmt(n)}。此处应填{what}，请改为实际数字。"
    if cell.type == "int" and not float(n).is_integer():
        return f"件数填了小数 {fmt(n)}。此处应填{what}，请改为整数。"
    return ""


def _type_name(spec: Spec, cell: Cell) -> str:
    return f"非负数（单位：{spec.amount_unit}，可含小数）" if cell.type == "decimal" else "非负整数（件数）"


# --- narrative rules ------------------------------------------------------------------------------

_DIGITS = "0-9０-９零〇一二两三四五六七八九十百千万"
_NUM = f"([{_DIGITS}]+)"
_GAP = "[^，,。；;：:！？、\\d０-９]{0,14}?"  # words between a verb and its object, within a clause


@dataclass(frozen=True)
class _Phrase:
    """One of R8's phrases (format data): the pattern, a word every match contains, what the
    figure is, and the cells it must add up to (several alternatives: any may be meant)."""

    pattern: re.Pattern
    word: str
    what: str
    alternatives: tuple[tuple[str, ...], ...]


def _phrase(data: Mapping, alternatives: tuple[tuple[str, ...], ...]) -> _Phrase:
    pattern = data["pattern"].replace("{num}", _NUM).replace("{gap}", _GAP)
    return _Phrase(re.compile(pattern), data["word"], data["what"], alternatives)


@per_spec
def _phrases(spec: Spec) -> dict[tuple[str, str], tuple[tuple[_Phrase, ...], tuple[_Phrase, ...]]]:
    """Per R8-like rule and scope ("" for every report, "published" for published reports only):
    the phrases quoting a figure and those saying there was none."""
    return {(r.id, scope): (
        tuple(_phrase(c, tuple(map(tuple, c["cells"]))) for c in r.params.get("claims", ())
              if c.get("scope", "") == scope),
        tuple(_phrase(c, (tuple(c["cells"]),)) for c in r.params.get("none", ()) if c.get("scope", "") == scope))
        for r in spec.rules if r.kind == "narrative_figures" for scope in ("", "published")}


def published_figures(spec: Spec, filled: Filled) -> list[Finding]:
    """R8 with the phrases the format data declares for published reports (``scope: published``:
    the sub-counts reports quote). A figure the report's tables do not give (None) is not compared."""
    shown = shown_values(spec, filled)
    read = read_tables(spec, filled)
    return [f for rule in spec.rules if rule.kind == "narrative_figures" and _has_table(read, rule)
            for f in _narrative_figures(spec, rule, filled, shown, None, scope="published")]


@dataclass(frozen=True)
class Quoted:
    """A figure a narrative quotes: the words, the number, the cells it must add up to (any of
    several alternatives)."""

    what: str
    text: str
    value: int
    alternatives: tuple[tuple[str, ...], ...]


def quoted_figures(spec: Spec, narratives: Mapping[str, str]) -> list[Quoted]:
    """Every figure R8's phrases (of every scope) find in the narratives."""
    out: list[Quoted] = []
    seen: set[tuple[str, int]] = set()
    phrases = [p for (_, scope), (claims, _) in _phrases(spec).items() for p in claims]
    for n in spec.narratives:
        text = narrative_text(narratives.get(n.code) or "")
        for p in phrases:
            if p.word not in text:
                continue
            for m in p.pattern.finditer(text):
                value = cn_number(m.group(1))
                if value is not None and (p.what, value) not in seen:
                    seen.add((p.what, value))
                    out.append(Quoted(p.what, m.group(0), value, p.alternatives))
    return out


def _narrative_figures(spec: Spec, rule: Rule, filled: Filled, shown, prev, scope: str = "") -> list[Finding]:
    """R8: figures quoted in the text agree with the tables."""
    out: list[Finding] = []
    read = read_tables(spec, filled)
    claims, nones = _phrases(spec)[(rule.id, scope)]
    for n in spec.narratives:
        text = narrative_text(filled.narratives.get(n.code) or "")
        seen: set[tuple[str, int]] = set()
        for p in claims:
            if p.word not in text or spec.cell(p.alternatives[0][0]).table not in read:
                continue
            if scope and any(filled.values.get(c) is None for alt in p.alternatives for c in alt):
                continue
            for m in p.pattern.finditer(text):
                quoted = cn_number(m.group(1))
                if quoted is None or (p.what, quoted) in seen:
                    continue
                seen.add((p.what, quoted))
                sums = [(cells, sum(shown[c.code] for c in cells))
                        for cells in ([spec.cell(code) for code in alt] for alt in p.alternatives)]
                if any(_equal(quoted, s) for _, s in sums):
                    continue
                cells, total = sums[0]
                out.append(_narrative_finding(spec, rule, n, m.group(0), cells, total, quoted))
        for p in nones:
            hit = p.pattern.search(text) if p.word in text and spec.cell(p.alternatives[0][0]).table in read else None
            if not hit or (p.what, 0) in seen:
                continue
            seen.add((p.what, 0))
            cells = [spec.cell(code) for code in p.alternatives[0]]
            total = sum(shown[c.code] for c in cells)
            if not _equal(total, 0):
                out.append(_narrative_finding(spec, rule, n, hit.group(0), cells, total, 0))
    return out


def _narrative_finding(spec: Spec, rule: Rule, n: Narrative, quote: str, cells: list[Cell], total, quoted) -> Finding:
    refs = "＋".join(f"“{c.sheet}”{c.address}（{label(spec, c)}）" for c in cells)
    return Finding(code=rule.id, severity=rule.severity, sheet=n.sheet, cell=n.address, ref=n.code,
                   expected=total, actual=quoted, message=(
                       f"“{n.sheet}”工作表 {n.address} 单元格（{n.heading}）写有“{quote}”，"
                       f"而表格中{refs}为 {fmt(total)}。{rule.description}。请核对文字或表格后改正。"))


_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def cn_number(text: str) -> int | None:
    """Arabic (ASCII or full-width) or Chinese numerals (三, 十二, 一百零五, 三千一百一十九)."""
    text = nfkc(text)
    if text.isdigit():
        return int(text)
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            unit = _CN_UNIT[ch]
            if unit == 10000:
                total = (total + section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def _narrative_mentions(spec: Spec, rule: Rule, filled: Filled, shown, prev) -> list[Finding]:
    """R9: the narrative names each term (characters in order within a short window, so that
    "信息处理事项及费用" counts for 信息处理费)."""
    n = spec.narrative(rule.params["narrative"])
    text = narrative_text(filled.narratives.get(n.code) or "")
    if not text:
        return []  # reported as narrative_empty
    missing = [t for t in rule.params["terms"] if not mentions(text, t)]
    if not missing:
        return []
    terms = "、".join(missing)
    return [Finding(code=rule.id, severity=rule.severity, sheet=n.sheet, cell=n.address, ref=n.code,
                    expected=terms, actual="未提及", message=(
                        f"“{n.sheet}”工作表 {n.address} 单元格（{n.heading}）未提及{terms}。{rule.description}。"
                        f"请写明本年度{terms}的收取情况，未收取的写“未收取{terms}”。"))]


def mentions(text: str, term: str, slack: int = 6) -> bool:
    if term in text:
        return True
    pattern = ".{0,%d}?" % slack
    return re.search(pattern.join(map(re.escape, term)), text) is not None


def _empty_narratives(spec: Spec, filled: Filled) -> list[Finding]:
    """A report section left empty is an error (a missing section is a named fault)."""
    c = catalogue.get("narrative_empty")
    return [Finding(code=c.id, severity=c.severity, sheet=n.sheet, cell=n.address, ref=n.code,
                    expected="非空", actual="", message=f"“{n.sheet}”工作表 {n.address} 单元格（{n.heading}）为空。{c.remedy}")
            for n in spec.narratives if not (filled.narratives.get(n.code) or "").strip()]


def _copied_narratives(spec: Spec, filled: Filled, previous: Filled) -> list[Finding]:
    """A section (nearly) identical to last year's is a warning (内容雷同)."""
    c = catalogue.get("narrative_copied")
    out = []
    for n in spec.narratives:
        text = (filled.narratives.get(n.code) or "").strip()
        before = (previous.narratives.get(n.code) or "").strip()
        if not text or not before:
            continue
        ratio = similarity(text, before)
        if ratio >= COPY_SIMILARITY:
            same = "与上年报告完全相同" if ratio == 1.0 else f"与上年报告的相似度为 {ratio:.0%}"
            out.append(Finding(code=c.id, severity=c.severity, sheet=n.sheet, cell=n.address, ref=n.code,
                               expected=f"< {COPY_SIMILARITY:.0%}", actual=f"{ratio:.0%}",
                               message=f"“{n.sheet}”工作表 {n.address} 单元格（{n.heading}）{same}。{c.remedy}"))
    return out


def similarity(a: str, b: str) -> float:
    """Share of matching characters; below the threshold an upper bound is enough."""
    a, b = narrative_text(a), narrative_text(b)
    if a == b:
        return 1.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < COPY_SIMILARITY or m.quick_ratio() < COPY_SIMILARITY:
        return m.quick_ratio()
    return m.ratio()


_Check = Callable[[Spec, Rule, Filled, Mapping, "Mapping | None"], list[Finding]]
_KINDS: dict[str, _Check] = {
    "balance": _balance,
    "totals": _totals,
    "carry_over": _carry_over,
    "stock": _stock,
    "types": _types,
    "narrative_figures": _narrative_figures,
    "narrative_mentions": _narrative_mentions,
}
