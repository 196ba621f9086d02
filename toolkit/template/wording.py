"""How the template names a cell, a row, a column or a group to the clerk.

The official labels are nested (表四: 行政诉讼 › 未经复议直接起诉 › 结果维持); a prompt or a panel line
that quotes only the leaf ("结果维持") does not say which of three groups is meant. These names
keep the parts that tell cells apart and drop a heading every column shares (表三's 申请人情况).
"""

from __future__ import annotations

from toolkit.format.spec import Cell, Table


def col_name(table: Table, cell: Cell) -> str:
    """行政复议／结果维持, 行政诉讼·未经复议直接起诉／结果维持, 法人或其他组织／商业企业, 自然人."""
    parts = [p for p in cell.col_path if p]
    if len(parts) > 1 and _one_top(table):
        parts = parts[1:]
    return _joined(parts)


_ONE_TOP: dict[int, tuple[Table, bool]] = {}  # by the table's identity: hashing a Table walks all its cells


def _one_top(table: Table) -> bool:
    """Whether every column of the table shares its top heading (表三's 申请人情况)."""
    hit = _ONE_TOP.get(id(table))
    if hit is None or hit[0] is not table:
        hit = _ONE_TOP[id(table)] = (table, len({next((p for p in c.col_path if p), "") for c in table.cells}) == 1)
    return hit[1]


def row_name(cell: Cell) -> str:
    """（三）不予公开／1.属于国家秘密, 一、本年新收政府信息公开申请数量, 规章; "" for 表四's one row."""
    parts = [p for p in cell.row_path if p]
    return _joined(parts[1:] if len(parts) > 1 else parts)


def group_name(cell: Cell) -> str:
    """The headings above a column's leaf: 行政复议, 行政诉讼·未经复议直接起诉."""
    return "·".join(p for p in cell.col_path[:-1] if p)


def cell_name(table: Table, cell: Cell) -> str:
    """Row and column of a cell: 一、本年新收政府信息公开申请数量／自然人, 行政复议／结果维持."""
    return "／".join(p for p in (row_name(cell), col_name(table, cell)) if p)


def _joined(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return "·".join(parts[:-1]) + "／" + parts[-1]
