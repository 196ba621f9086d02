"""Totals recomputed in Python from the inputs and the format data.

Never from a workbook's formulas: this is the independent side of every comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from toolkit.format.cache import per_spec
from toolkit.format.spec import Spec

Number = int | float | Decimal


@per_spec
def order(spec: Spec) -> tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]:
    """Every total once, after the totals it adds up: (code, ((part code, part is a total), ...)).

    The order a depth-first walk from ``spec.totals`` would fill in, so that ``totals`` needs no
    recursion and its result keeps the same key order. Computed once per format."""
    seen: set[str] = set()
    out: list[tuple[str, tuple[tuple[str, bool], ...]]] = []

    def visit(code: str) -> None:
        cell = spec.cell(code)
        if cell.role == "input" or code in seen:
            return
        for part in cell.sum_of:
            visit(part)
        seen.add(code)
        out.append((code, tuple((p, spec.cell(p).role != "input") for p in cell.sum_of)))

    for cell in spec.totals:
        visit(cell.code)
    return tuple(out)


def totals(spec: Spec, inputs: Mapping[str, Number | None]) -> dict[str, Number]:
    """Every total cell's value; a blank or missing input counts as 0."""
    out: dict[str, Number] = {}
    get = inputs.get
    for code, parts in order(spec):
        s: Any = 0  # Number; a total never mixes float and Decimal parts (one column, one type)
        for part, is_total in parts:
            if is_total:
                s = s + out[part]
            else:
                v = get(part)
                if v is not None:
                    s = s + v
        out[code] = s
    return out


def full(spec: Spec, inputs: Mapping[str, Number | None]) -> dict[str, Number]:
    """Inputs (blank as 0) and recomputed totals together, by code."""
    get = inputs.get
    values: dict[str, Number] = {code: (get(code) or 0) for code in spec.input_codes}
    values.update(totals(spec, inputs))
    return values


def balance_sides(spec: Spec, values: Mapping[str, Number], rule_id: str = "R1") -> list[tuple[str, Number, Number]]:
    """For a balance rule: (column code, left side, right side) per column of its table."""
    rule = spec.rule(rule_id)
    table = spec.table(rule.params["table"])
    out = []
    for col in table.col_codes:
        lhs = sum(values.get(table.cell(r, col).code, 0) or 0 for r in rule.params["lhs"])
        rhs = sum(values.get(table.cell(r, col).code, 0) or 0 for r in rule.params["rhs"])
        out.append((col, lhs, rhs))
    return out
