"""The cover's live check panel: one line per error `check` can find from inside the workbook.

Each line has a *detail* formula that lists what fails in the clerk's words ("【自然人】"), empty
when all is well, and a status derived from it: 通过, 未通过, or 未填写 while nothing at all has
been typed (a blank template). The overall line says 可以报送 only when every line says 通过.
Only functions Excel, WPS and LibreOffice share (SUM, IF, COUNTA, COUNT, COUNTBLANK, COUNTIF,
SUMPRODUCT, INT, ISNUMBER, SEARCH, TRIM, AND, OR); no macro, no dynamic array. Every formula's
result for the workbook as written is computed here too, so xlsxwriter caches the right value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.format.spec import Cell, Rule, Spec, Table
from toolkit.model import Number
from toolkit.template.ranges import input_rects, ref
from toolkit.template.wording import col_name, group_name, row_name

PASS, FAIL, BLANK = "通过", "未通过", "未填写"
READY, NOT_READY = "可以报送", "尚不能报送"
MENTION_GAP = 6  # check's window between a term's characters (rules.mentions)


@dataclass(frozen=True)
class Line:
    key: str  # stable id (tests, docs): R1…R4, blank:t3, numbers:t3, contact, narrative:overview, R9
    where: str  # the sheet to look at, as the clerk sees it: 表三, 封面, 文字部分
    text: str  # what must hold
    detail: str  # formula (no "="): what fails, "" when all passes
    cached: str  # the detail's value for the workbook as written


@dataclass(frozen=True)
class Filled:
    """What build_workbook writes into the inputs (for the cached results)."""

    values: Mapping[str, Number | None]
    narratives: Mapping[str, str]
    contact: Mapping[str, str]

    def started(self, spec: Spec) -> int:
        return (sum(1 for c in spec.inputs if self.values.get(c.code) is not None)
                + sum(1 for f in spec.cover if f.role == "input" and self.contact.get(f.code))
                + sum(1 for n in spec.narratives if self.narratives.get(n.code)))


def lines(spec: Spec, filled: Filled, full: Mapping[str, Any]) -> list[Line]:
    out: list[Line] = []
    for rule in spec.rules:
        if rule.kind in ("balance", "totals"):
            out.append(_rule_line(spec, rule, full))
    for table in spec.tables:
        out.append(_blank_line(table, filled.values))
        out.append(_numbers_line(table, filled.values))
    out.append(_contact_line(spec, filled.contact))
    for n in spec.narratives:
        out.append(_items(f"narrative:{n.code}", "文字部分", f"{n.heading}：已填写",
                          [(f'TRIM({ref(n.sheet, n.address)})<>""', "尚未填写",
                            bool((filled.narratives.get(n.code) or "").strip()))]))
    for rule in spec.rules:
        if rule.kind == "narrative_mentions":
            out.append(_mentions_line(spec, rule, filled.narratives))
    return out


def started_formula(spec: Spec) -> str:
    """How many inputs hold anything (0: an untouched template)."""
    counts = [f"COUNTA({ref(t.sheet, r)})" for t in spec.tables for r in input_rects(t.inputs)]
    counts += [f"COUNTA({ref(f.sheet, f.address)})" for f in spec.cover if f.role == "input"]
    counts += [f"COUNTA({ref(n.sheet, n.address)})" for n in spec.narratives]
    return "+".join(counts)


def status_formula(detail_cell: str, started_cell: str) -> str:
    return f'IF({started_cell}=0,"{BLANK}",IF({detail_cell}="","{PASS}","{FAIL}"))'


def status(cached_detail: str, started: int) -> str:
    return BLANK if not started else (PASS if not cached_detail else FAIL)


def overall_formula(status_range: str, count: int, started_cell: str) -> str:
    return f'IF({started_cell}=0,"{BLANK}",IF(COUNTIF({status_range},"{PASS}")={count},"{READY}","{NOT_READY}"))'


def overall(statuses: list[str], started: int) -> str:
    return BLANK if not started else (READY if all(s == PASS for s in statuses) else NOT_READY)


# --- the lines ---------------------------------------------------------------------------------


def _items(key: str, where: str, text: str, items: list[tuple[str, str, bool]]) -> Line:
    """A line made of (condition that holds when right, name shown when wrong, holds now)."""
    detail = "&".join(f'IF({cond},"","【{name}】")' for cond, name, _ in items)
    return Line(key, where, text, detail, "".join(f"【{name}】" for _, name, ok in items if not ok))


def _rule_line(spec: Spec, rule: Rule, full: Mapping[str, Any]) -> Line:
    table = spec.table(rule.params["table"])
    where = f"表{table.section}"
    if rule.kind == "balance":
        items = []
        for col in table.col_codes:
            lhs = [table.cell(r, col) for r in rule.params["lhs"]]
            rhs = [table.cell(r, col) for r in rule.params["rhs"]]
            items.append((f"{_sum(lhs)}={_sum(rhs)}", col_name(table, lhs[0]),
                          sum(full[c.code] for c in lhs) == sum(full[c.code] for c in rhs)))
        sides = ["＋".join(_short(table.cell(r, table.col_codes[0])) for r in rule.params[k]) for k in ("lhs", "rhs")]
        return _items(rule.id, where, f"{where}每一列：{sides[0]}＝{sides[1]}", items)
    along_row = rule.params["axis"] == "row"
    items = []
    for cell in table.totals:
        parts = [spec.cell(c) for c in cell.sum_of]
        if along_row != all(p.row == cell.row for p in parts):
            continue
        name = (row_name(cell) or group_name(cell)) if along_row else col_name(table, cell)
        items.append((f"{ref(cell.sheet, cell.address)}=SUM({','.join(ref(cell.sheet, r) for r in _sum_ranges(spec, cell))})",
                      name, full[cell.code] == sum(full[p.code] for p in parts)))
    return _items(rule.id, where, rule.description, items)


def _blank_line(table: Table, values) -> Line:
    count = "+".join(f"COUNTBLANK({ref(table.sheet, r)})" for r in input_rects(table.inputs))
    n = sum(1 for c in table.inputs if values.get(c.code) is None)
    where = f"表{table.section}"
    return Line(f"blank:{table.id}", where, f"{where}：黄色单元格都已填写（没有发生的事项填 0）",
                f'IF({count}=0,"",{count}&" 格未填")', f"{n} 格未填" if n else "")


def _numbers_line(table: Table, values) -> Line:
    """Text in a number cell, negatives, and fractions in counts (R7)."""
    rects = [ref(table.sheet, r) for r in input_rects(table.inputs)]
    counts = [ref(table.sheet, r) for r in input_rects([c for c in table.inputs if c.type == "int"])]
    text = "+".join(f"(COUNTA({r})-COUNT({r}))" for r in rects)
    negative = "+".join(f'COUNTIF({r},"<0")' for r in rects)
    fraction = "+".join(f"SUMPRODUCT(({r}<>INT({r}))*1)" for r in counts)  # only once no text is left
    detail = (f'IF({text}>0,{text}&" 格填了文字；","")&IF({negative}>0,{negative}&" 格是负数；","")'
              f'&IF({text}>0,"",IF({fraction}>0,{fraction}&" 格件数有小数；",""))')
    nums = {c.code: values.get(c.code) for c in table.inputs}
    n_text = sum(1 for v in nums.values() if isinstance(v, str))
    n_neg = sum(1 for v in nums.values() if isinstance(v, (int, float)) and v < 0)
    n_frac = sum(1 for c in table.inputs if c.type == "int" and isinstance(nums[c.code], float)
                 and nums[c.code] != int(nums[c.code]))
    cached = ((f"{n_text} 格填了文字；" if n_text else "") + (f"{n_neg} 格是负数；" if n_neg else "")
              + (f"{n_frac} 格件数有小数；" if n_frac and not n_text else ""))
    where = f"表{table.section}"
    return Line(f"numbers:{table.id}", where, f"{where}：只填数字（不填“无”“/”“—”“0件”等文字，不填负数；件数不带小数）（红色）",
                detail, cached)


def _contact_line(spec: Spec, contact) -> Line:
    fields = [f for f in spec.cover if f.role == "input"]
    return _items("contact", spec.cover_sheet, "、".join(f.label for f in fields) + "：已填写",
                  [(f'TRIM({ref(f.sheet, f.address)})<>""', f"{f.label}未填", bool((contact.get(f.code) or "").strip()))
                   for f in fields])


def _mentions_line(spec: Spec, rule: Rule, narratives) -> Line:
    n = spec.narrative(rule.params["narrative"])
    text = narratives.get(n.code) or ""
    terms = rule.params["terms"]
    where = ref(n.sheet, n.address)
    return _items(rule.id, "文字部分", f"{n.heading}：写明" + "、".join(terms) + "的收取情况（未收取也应写明）",
                  [("OR(" + ",".join(f'ISNUMBER(SEARCH("{p}",{where}))' for p in _spellings(t)) + ")",
                    f"未提及{t}", _mentioned(t, text)) for t in terms])


def _mentioned(term: str, text: str) -> bool:
    """What the SEARCH patterns of ``_spellings`` find ("?" is any one character)."""
    return re.search(re.escape(term[:-1]) + f".{{0,{MENTION_GAP}}}" + re.escape(term[-1]), text, re.S) is not None


def _spellings(term: str) -> list[str]:
    """SEARCH patterns for a term, with up to MENTION_GAP characters before its last one
    ("信息处理事项及费用" names 信息处理费), as `check` reads R9 (near enough for a formula)."""
    return [term[:-1] + "?" * k + term[-1] for k in range(MENTION_GAP + 1)]


# --- helpers -------------------------------------------------------------------------------------


def _sum(cells: list[Cell]) -> str:
    # SUM, not "+": a text in a cell is reported by its own line instead of breaking this one
    return "SUM(" + ",".join(ref(c.sheet, c.address) for c in cells) + ")"


def _sum_ranges(spec: Spec, cell: Cell) -> list[str]:
    return spec.formula(cell)[4:-1].split(",")


def _short(cell: Cell) -> str:
    """一, 二, （七）, 四: how the format itself names table 三's rows in R1."""
    label = row_name(cell)
    for end in ("、", "）"):
        if end in label:
            return label[: label.index(end) + (1 if end == "）" else 0)]
    return label
