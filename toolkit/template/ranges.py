"""Cell ranges of the template as formulas quote them."""

from __future__ import annotations

from collections.abc import Iterable

from xlsxwriter.utility import quote_sheetname

from toolkit.format.spec import Cell, address, parse_address


def input_rects(cells: Iterable[Cell]) -> list[str]:
    """Cells as few rectangles as possible: per row runs, merged down equal runs."""
    runs: dict[int, list[tuple[int, int]]] = {}
    for c in cells:
        row_runs = runs.setdefault(c.row, [])
        if row_runs and row_runs[-1][1] + 1 == c.col:
            row_runs[-1] = (row_runs[-1][0], c.col + c.colspan - 1)
        else:
            row_runs.append((c.col, c.col))
    rects: list[list[int]] = []  # [top, bottom, first col, last col]
    for r in sorted(runs):
        for a, b in runs[r]:
            prev = next((x for x in rects if x[1] == r - 1 and x[2] == a and x[3] == b), None)
            if prev:
                prev[1] = r
            else:
                rects.append([r, r, a, b])
    return [f"{address(t, a)}:{address(b_, b)}" if (t, a) != (b_, b) else address(t, a) for t, b_, a, b in rects]


def rect_cells(rect: str) -> list[str]:
    """The cells of one of ``input_rects``' rectangles (D6:I7 or D6), row by row."""
    first, _, last = rect.partition(":")
    (r0, c0), (r1, c1) = parse_address(first), parse_address(last or first)
    return [address(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


def ref(sheet: str, where: str) -> str:
    """A reference to ``where`` (an A1 cell or range) on ``sheet`` from another sheet."""
    return f"{quote_sheetname(sheet)}!{where}"


def absolute(where: str) -> str:
    """D5:I6 -> $D$5:$I$6."""
    out = []
    for part in where.split(":"):
        letters = part.rstrip("0123456789")
        out.append(f"${letters}${part[len(letters):]}")
    return ":".join(out)
