"""Totals recomputed in Python from the inputs and the format data.

Never from a workbook's formulas: this is the independent side of every comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .spec import Spec

Number = int | float | Decimal


def totals(spec: Spec, inputs: Mapping[str, Number | None]) -> dict[str, Number]:
    """Every total cell's value; a blank or missing input counts as 0."""
    out: dict[str, Number] = {}

    def value(code: str) -> Number:
        if code in out:
            return out[code]
        cell = spec.cell(code)
        if cell.role == "input":
            v = inputs.get(code)
            return 0 if v is None else v
        out[code] = sum((value(c) for c in cell.sum_of), 0)
        return out[code]

    for cell in spec.totals:
        value(cell.code)
    return out


def full(spec: Spec, inputs: Mapping[str, Number | None]) -> dict[str, Number]:
    """Inputs (blank as 0) and recomputed totals together, by code."""
    values: dict[str, Number] = {c.code: (inputs.get(c.code) or 0) for c in spec.inputs}
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
