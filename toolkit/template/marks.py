"""Conditional formatting that marks a faulty cell where it is, as the clerk types.

Red: text in a number cell, a negative number or a fraction in a count, and every cell of a
column, row or group whose sum does not hold (R1–R4). Orange: a blank input, once the table
has anything in it (a blank template is not all orange). The cover's panel line names the table.
"""

from __future__ import annotations

import re

from toolkit.format.spec import Cell, Spec, Table, address
from toolkit.template.ranges import absolute, input_rects


def mark_table(ws, spec: Spec, table: Table, red, orange) -> None:
    for rule in spec.rules:
        if rule.params.get("table") != table.id:
            continue
        if rule.kind == "balance":
            _balance(ws, table, rule.params, red)
        elif rule.kind == "totals":
            _totals(ws, spec, table, rule.params["axis"] == "row", red)
    _inputs(ws, table, red, orange)


def _balance(ws, table: Table, params: dict, red) -> None:
    """R1: every cell of a column whose two sides differ."""
    items = []
    for col in table.col_codes:
        lhs = [table.cell(r, col) for r in params["lhs"]]
        rhs = [table.cell(r, col) for r in params["rhs"]]
        column = [c for c in table.cells if c.col_code == col]
        items.append((_span(column), f"{_sum(lhs)}<>{_sum(rhs)}"))
    _grouped(ws, items, "column", red)


def _totals(ws, spec: Spec, table: Table, along_row: bool, red) -> None:
    """R2/R3/R4: the parts and the total of a sum that does not hold."""
    items = []
    for cell in table.totals:
        parts = [spec.cell(c) for c in cell.sum_of]
        if along_row != all(p.row == cell.row for p in parts):
            continue
        items.append((_span([*parts, cell]), f"{cell.address}<>{_sum(parts)}"))
    _grouped(ws, items, "row" if along_row else "column", red)


def _grouped(ws, items: list[tuple[str, str]], axis: str, style) -> None:
    """One rule per shape: sums laid out alike along ``axis`` (every row of 表三 sums D:I into J)
    share one formula, relative along the axis and written for the first of their ranges; one
    rule per row would make the sheet several times larger, and every check reads it."""
    groups: dict[str, list[str]] = {}
    anchors: dict[str, tuple[str, str]] = {}
    for where, formula in items:
        m = _A1.match(where)
        assert m is not None
        col, row = m.groups()
        shape = _relative(formula, axis, col, row)
        anchors.setdefault(shape, (col, row))
        groups.setdefault(shape, []).append(where)
    for shape, ranges in groups.items():
        col, row = anchors[shape]
        _formula(ws, ranges[0], shape.format(col=col, row=row), style, " ".join(ranges))


def _relative(formula: str, axis: str, col: str, row: str) -> str:
    """The formula with the anchor's row (axis "row") or column as a placeholder, the rest absolute."""
    def one(m: re.Match) -> str:
        c, r = m.groups()
        if axis == "row" and r == row:
            return f"${c}{{row}}"
        if axis == "column" and c == col:
            return f"{{col}}${r}"
        return f"${c}${r}"
    return _A1.sub(one, formula)


def _inputs(ws, table: Table, red, orange) -> None:
    rects = input_rects(table.inputs)
    multi = " ".join(rects)
    first = rects[0].split(":")[0]  # relative formulas are written for the first cell
    anything = "+".join(f"COUNTA({absolute(r)})" for r in rects)
    _formula(ws, rects[0], f'AND({first}<>"",NOT(ISNUMBER({first})))', red, multi)
    _formula(ws, rects[0], f"IF(ISNUMBER({first}),{first}<0,FALSE)", red, multi)
    counts = input_rects([c for c in table.inputs if c.type == "int"])
    if counts:
        c0 = counts[0].split(":")[0]
        _formula(ws, counts[0], f"IF(ISNUMBER({c0}),{c0}<>INT({c0}),FALSE)", red, " ".join(counts))
    _formula(ws, rects[0], f'AND({first}="",{anything}>0)', orange, multi)


def _formula(ws, where: str, formula: str, style, multi: str | None = None) -> None:
    options = {"type": "formula", "criteria": "=" + formula, "format": style}
    if multi and multi != where:
        options["multi_range"] = multi
    ws.conditional_format(where, options)


def _span(cells: list[Cell]) -> str:
    top, left = min(c.row for c in cells), min(c.col for c in cells)
    bottom, right = max(c.row for c in cells), max(c.col + c.colspan - 1 for c in cells)
    return f"{address(top, left)}:{address(bottom, right)}"


def _sum(cells: list[Cell]) -> str:
    return "SUM(" + ",".join(c.address for c in cells) + ")"


_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")
