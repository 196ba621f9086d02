"""Read one official table out of a published report's segments.

Rows are found by their labels, in the format's order, through the label normaliser; the
numbers of a row are the values that follow its label. Where a PDF extractor ran a row's
numbers together, the table's own arithmetic (a row's 总计 is the sum of its parts) finds the
split; more than one fitting split is reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from toolkit import catalogue
from toolkit.format.labels import core, published_key
from toolkit.format.spec import Cell, Table
from toolkit.model import Finding
from toolkit.published.tokens import Segment, Token, number

SPLIT_BUDGET = 200_000  # search steps for one run-together row before calling it ambiguous


@dataclass(frozen=True)
class Reading:
    code: str
    value: int | Decimal | None
    raw: str
    status: str  # ok | blank | placeholder | split | ambiguous | unreadable | missing


@dataclass
class TableRead:
    table: Table
    edition: str
    readings: dict[str, Reading] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    rows_found: int = 0
    labels_found: int = 0
    labels_missing: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.rows_found + self.labels_found

    @property
    def found(self) -> bool:
        rows = len(row_groups(self.table))
        return self.rows_found * 2 >= rows if rows > 1 else self.rows_found == 1


def sheet_name(table: Table) -> str:
    return f"表{table.section}"


def row_groups(table: Table) -> list[list[Cell]]:
    """The table's data rows in order, each the list of its cells left to right."""
    groups: dict[tuple[int, str], list[Cell]] = {}
    for c in table.cells:
        groups.setdefault((c.block, c.row_code), []).append(c)
    return [sorted(g, key=lambda c: c.col) for g in groups.values()]


def locate(table: Table, cell: Cell) -> str:
    """Row label／column label, each the shortest tail of its path that is unique in the table."""
    rows = {c.row_code: [p for p in c.row_path if p] for c in table.cells}
    cols = {c.col_code: [p for p in c.col_path if p] for c in table.cells}
    parts = [_unique_tail(rows, cell.row_code), _unique_tail(cols, cell.col_code)]
    return "／".join(p for p in parts if p)


def _unique_tail(paths: dict[str, list[str]], code: str) -> str:
    path = paths[code]
    for n in range(1, len(path) + 1):
        tail = path[-n:]
        if sum(1 for p in paths.values() if p[-n:] == tail) == 1:
            return "·".join(tail)
    return "·".join(path)


def read_table(table: Table, edition: str, segs: list[Segment], file: str = "") -> TableRead:
    out = TableRead(table=table, edition=edition)
    region_key = "".join(s.key for s in segs)
    for lb in table.labels:
        if lb.kind in ("header", "title", "corner"):
            if published_key(lb.text) in region_key:
                out.labels_found += 1
            elif lb.kind != "corner" and lb.text not in out.labels_missing:
                out.labels_missing.append(lb.text)
    groups = row_groups(table)
    labels = [_row_label(g[0]) for g in groups]
    p = 0
    for i, cells in enumerate(groups):
        if labels[i]:
            hit = _find(segs, p, labels[i])
            if hit is None:
                _missing(out, cells, file)
                continue
            j, pos = hit
            nxt = _find(segs, j, labels[i + 1]) if i + 1 < len(labels) and labels[i + 1] else None
            if nxt is not None and nxt[0] == j and nxt[1] > pos:
                values: list[Token] = []  # the next row's label follows directly: no numbers here
                p = j
            else:
                values = segs[j].values
                p = j + 1
        else:  # a row without a label (table 四): the first values after the header
            j = next((k for k in range(p, len(segs)) if any(not v.blank for v in segs[k].values)), None)
            if j is None:
                _missing(out, cells, file)
                continue
            values, p = segs[j].values, j + 1
        out.rows_found += 1
        _resolve(out, cells, values, file)
    return out


def _row_label(cell: Cell) -> str:
    return next((p for p in reversed(cell.row_path) if p), "")


def _find(segs: list[Segment], start: int, label: str) -> tuple[int, int] | None:
    full = published_key(label)
    short = core(full)
    for j in range(start, len(segs)):
        k = segs[j].key
        pos = k.find(full)
        if pos < 0 and len(short) >= 4 and short != full:
            pos = k.find(short)
        if pos >= 0:
            return j, pos
    return None


def _missing(out: TableRead, cells: list[Cell], file: str) -> None:
    for c in cells:
        out.readings[c.code] = Reading(c.code, None, "", "missing")
    out.findings.append(catalogue.finding(
        "pub_row_missing", row=_row_label(cells[0]) or "数据行",
        file=file, sheet=sheet_name(out.table), cell=locate(out.table, cells[0]).split("／")[0], ref=cells[0].code))


# --- one row's values ------------------------------------------------------------------


def _resolve(out: TableRead, cells: list[Cell], values: list[Token], file: str) -> None:
    n = len(cells)
    vals = list(values)
    while len(vals) > n and vals[-1].blank:
        vals.pop()  # empty cells the page left after the row's last column
    where = sheet_name(out.table)
    row_name = locate(out.table, cells[0]).split("／")[0] if _row_label(cells[0]) else "数据行"
    if len(vals) == n:
        readings = [_reading(c, t) for c, t in zip(cells, vals)]
    elif len(vals) < n and vals and not any(v.bound for v in vals):
        readings = _split(out, cells, vals, file, where, row_name)
    else:
        readings = [Reading(c.code, None, "", "unreadable") for c in cells]
        shown = " ".join(v.text or "（空）" for v in vals) or "（无）"
        out.findings.append(catalogue.finding(
            "pub_row_unreadable", row=row_name, count=n, found=len(vals), shown=shown,
            file=file, sheet=where, cell=row_name, ref=cells[0].code, expected=n, actual=len(vals)))
    for r in readings:
        out.readings[r.code] = r
    _row_notes(out, cells, readings, file, where, row_name)


def _reading(cell: Cell, tok: Token) -> Reading:
    if tok.blank:
        return Reading(cell.code, None, "", "blank")
    v = number(tok.text)
    if v is None:
        return Reading(cell.code, 0, tok.text, "placeholder")
    return Reading(cell.code, v, tok.text, "ok")


def _row_notes(out: TableRead, cells: list[Cell], readings: list[Reading], file: str, where: str,
               row_name: str) -> None:
    by = {c.code: c for c in cells}

    def cols(status: str) -> list[Reading]:
        return [r for r in readings if r.status == status]

    def names(rs: list[Reading]) -> str:
        return "、".join(locate(out.table, by[r.code]).split("／")[-1] for r in rs)

    blanks, holders = cols("blank"), cols("placeholder")
    status = {r.code: r.status for r in readings}
    sums = [c for c in cells if c.sum_of and all(x in by for x in c.sum_of)]  # the row's 总计
    parts = [x for c in sums for x in c.sum_of]
    if sums and len(parts) > 1 and all(status[x] == "blank" for x in parts) and all(
            status[c.code] == "ok" for c in sums):
        out.findings.append(catalogue.finding(
            "pub_total_only", row=row_name, columns=names([r for r in readings if r.code in parts]),
            file=file, sheet=where, cell=locate(out.table, by[parts[0]]), ref=parts[0]))
        blanks = [r for r in blanks if r.code not in parts]
    if blanks:
        out.findings.append(catalogue.finding(
            "pub_blank", row=row_name, columns=names(blanks),
            file=file, sheet=where, cell=locate(out.table, by[blanks[0].code]), ref=blanks[0].code))
    if holders:
        out.findings.append(catalogue.finding(
            "pub_placeholder", row=row_name, columns=names(holders), shown="”“".join(sorted({r.raw for r in holders})),
            file=file, sheet=where, cell=locate(out.table, by[holders[0].code]), ref=holders[0].code,
            actual=holders[0].raw, expected=0))


def _split(out: TableRead, cells: list[Cell], vals: list[Token], file: str, where: str,
           row_name: str) -> list[Reading]:
    """Cells run together (``3001530061 4 3119``): find the split the row's totals allow."""
    index = {c.code: i for i, c in enumerate(cells)}
    checks = [(index[c.code], [index[x] for x in c.sum_of])
              for c in cells if c.sum_of and all(x in index for x in c.sum_of)]
    found = _splits([v.text for v in vals], [v.digits for v in vals], len(cells), checks)
    raw = " ".join(v.text for v in vals)
    if len(found) == 1:
        pieces = found[0]
        out.findings.append(catalogue.finding(
            "pub_run_together", row=row_name, raw=raw, pieces=" ".join(pieces),
            file=file, sheet=where, cell=row_name, ref=cells[0].code, actual=raw))
        return [Reading(c.code, number(p) if number(p) is not None else 0, p,
                        "split" if number(p) is not None else "placeholder") for c, p in zip(cells, pieces)]
    if found:
        said = catalogue.finding("pub_ambiguous", row=row_name, raw=raw, splits="；".join(" ".join(s) for s in found[:2]),
                                 file=file, sheet=where, cell=row_name, ref=cells[0].code, actual=raw)
    else:
        said = catalogue.finding("pub_row_unreadable", "unsplit", row=row_name, count=len(cells), raw=raw,
                                 file=file, sheet=where, cell=row_name, ref=cells[0].code, actual=raw)
    out.findings.append(said)
    return [Reading(c.code, None, raw, "ambiguous") for c in cells]


def _splits(texts: list[str], splittable: list[bool], n: int,
            checks: list[tuple[int, list[int]]]) -> list[list[str]]:
    """Every way to cut the tokens into ``n`` numbers (no leading zeros) that passes ``checks``.

    Stops at two solutions (enough to call it ambiguous) or when the search budget runs out.
    """
    done_at: dict[int, list[tuple[int, list[int]]]] = {}
    for total, parts in checks:
        done_at.setdefault(max([total, *parts]), []).append((total, parts))
    found: list[list[str]] = []
    pieces: list[str] = []
    steps = 0

    def passes() -> bool:
        for total, parts in done_at.get(len(pieces) - 1, []):
            vals = [number(pieces[i]) for i in (total, *parts)]
            if all(v is not None for v in vals) and vals[0] != sum(vals[1:]):
                return False
        return True

    def capacity(t: int, pos: int) -> tuple[int, int]:
        """Fewest and most numbers the rest of the tokens can still give."""
        rest = range(t, len(texts))
        least = len(rest)
        most = sum((len(texts[k]) - (pos if k == t else 0)) if splittable[k] else 1 for k in rest)
        return least, most

    def walk(t: int, pos: int) -> None:
        nonlocal steps
        steps += 1
        if len(found) >= 2 or steps > SPLIT_BUDGET:
            return
        if t == len(texts):
            if len(pieces) == n:
                found.append(list(pieces))
            return
        least, most = capacity(t, pos)
        if not least <= n - len(pieces) <= most:
            return
        text = texts[t]
        if not splittable[t]:
            options = [len(text)]
        else:
            options = [1] if text[pos] == "0" else list(range(1, len(text) - pos + 1))
        for k in options:
            pieces.append(text[pos:pos + k])
            if passes():
                walk(t + 1, 0) if pos + k == len(text) else walk(t, pos + k)
            pieces.pop()

    walk(0, 0)
    if steps > SPLIT_BUDGET and len(found) == 1:
        found.append(found[0])  # unfinished search: one solution is no proof of uniqueness
    return found
