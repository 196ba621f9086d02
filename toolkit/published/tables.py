"""Read one official table out of a published report's segments.

Rows are found by their labels, in the format's order, through the label normaliser; the
numbers of a row are the values that follow its label. Where a PDF extractor ran a row's
numbers together, the table's own arithmetic (a row's 总计 is the sum of its parts) finds the
split; more than one fitting split is reported, never guessed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from toolkit import catalogue
from toolkit.format.labels import core, published_key
from toolkit.format.spec import Cell, Table, load_spec
from toolkit.model import Finding
from toolkit.published.split import Equation, Pending, solve_table, split_row
from toolkit.published.tokens import Segment, Token, figure, in_unit, number, unit_of


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
    pending: list[tuple[Pending, str, str]] = field(default_factory=list)  # undecided runs: row, its name, raw
    undecided: list[tuple[Pending, str, str]] = field(default_factory=list)  # left ambiguous, with their readings

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
            if _in_header(published_key(lb.text), region_key):
                out.labels_found += 1
            elif lb.kind != "corner" and lb.text not in out.labels_missing:
                out.labels_missing.append(lb.text)
    groups = row_groups(table)
    labels = [_row_label(g[0]) for g in groups]
    p = 0
    for i, cells in enumerate(groups):
        if labels[i]:
            hit = _find(segs, p, labels[i]) or _similar(out, segs, p, labels, i, file)
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
            first = next((k for k in range(p, len(segs)) if any(not v.blank for v in segs[k].values)), None)
            if first is None:
                _missing(out, cells, file)
                continue
            values, p = segs[first].values, first + 1
        out.rows_found += 1
        _resolve(out, cells, values, file)
    _solve_pending(out, file)
    return out


SIMILAR = 0.7  # difflib ratio from which a deviating label is taken for the official one


def _similar(out: TableRead, segs: list[Segment], start: int, labels: list[str], i: int,
             file: str) -> tuple[int, int] | None:
    """A row label printed with characters missing or changed: the one segment with figures,
    between the previous row and the next label found, whose text ends most like the label."""
    full = published_key(labels[i])
    if len(core(full)) < 4:
        return None
    stop = min((hit[0] for lab in labels[i + 1:] if lab and (hit := _find(segs, start, lab))), default=len(segs))
    scored = []
    for j in range(start, stop):
        if any(v.text for v in segs[j].values):
            ratio, tail = _likeness(segs[j].key, full)
            scored.append((ratio, j, tail))
    scored.sort(reverse=True)
    if not scored or scored[0][0] < SIMILAR or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    _, j, tail = scored[0]
    row = locate(out.table, next(c for c in out.table.cells if _row_label(c) == labels[i])).split("／")[0]
    out.findings.append(catalogue.finding("pub_label_variant", found=tail, label=labels[i], file=file,
                                          sheet=sheet_name(out.table), cell=row, actual=tail, expected=labels[i]))
    return j, len(segs[j].key) - len(tail)


def _likeness(key: str, full: str) -> tuple[float, str]:
    """How like ``full`` the end of ``key`` is (best over tails a few characters longer or shorter)."""
    best = (0.0, "")
    for n in range(max(1, len(full) - 4), len(full) + 5):
        tail = key[-n:]
        best = max(best, (difflib.SequenceMatcher(None, tail, full, autojunk=False).ratio(), tail))
    return best


def _row_label(cell: Cell) -> str:
    return next((p for p in reversed(cell.row_path) if p), "")


WRAPPED_MIN = 6  # characters of a label's start that must show before its figures when it wraps


def _find(segs: list[Segment], start: int, label: str) -> tuple[int, int] | None:
    """The segment (and position in its key) where ``label`` is: the whole label, its core, or --
    a long label wrapped with its figures printed beside its first lines (PDF text) -- its
    start, running up to the figures."""
    full = published_key(label)
    short = core(full)
    for j in range(start, len(segs)):
        k = segs[j].key
        pos = k.find(full)
        if pos < 0 and len(short) >= 4 and short != full:
            pos = k.find(short)
        if pos < 0 and segs[j].values and len(full) > WRAPPED_MIN and not any(t.bound for t in segs[j].texts):
            pos = _wrapped(segs[j], full)
        if pos >= 0:
            return j, pos
    return None


def _wrapped(seg: Segment, full: str) -> int:
    """Where a start of ``full`` (at least WRAPPED_MIN characters) ends the segment's text, or -1.
    Single characters after it are left out: a tall merged label printed one character per line
    lands them on the line of the figures."""
    texts = list(seg.texts)
    while texts and len(texts[-1].text) == 1:
        texts.pop()
    key = published_key("".join(t.text for t in texts))
    for n in range(len(full) - 1, WRAPPED_MIN - 1, -1):
        if key.endswith(full[:n]):
            return len(key) - n
    return -1


def _in_header(label: str, region: str) -> bool:
    """A header label in the table's text: whole, or its characters in order within a short
    span (PDF text in columns prints a wrapped header cell's lines between its neighbours')."""
    if label in region:
        return True
    span = 4 * len(label) + 20
    start = region.find(label[0])
    while start >= 0:
        pos = start
        for ch in label[1:]:
            pos = region.find(ch, pos + 1, start + span)
            if pos < 0:
                break
        else:
            return True
        start = region.find(label[0], start + 1)
    return False


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
        readings = [_with_unit(out, c, t, _reading(c, t), file, where, row_name) for c, t in zip(cells, vals)]
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
    v = figure(tok.text)
    if v is None:
        return Reading(cell.code, 0, tok.text, "placeholder")
    return Reading(cell.code, v, tok.text, "ok")


def _with_unit(out: TableRead, cell: Cell, tok: Token, r: Reading, file: str, where: str, row_name: str) -> Reading:
    """A figure written with its unit (``35000元``, ``3件``): read in the table's unit, with a note."""
    unit = unit_of(tok.text)
    if not unit or r.value is None:
        return r
    target = load_spec(out.edition).amount_unit
    value = in_unit(r.value, unit, target) if cell.type == "decimal" else None
    column = locate(out.table, cell)
    if value is None or unit == target:
        out.findings.append(catalogue.finding("pub_unit", raw=tok.text, value=r.value, column=column, file=file,
                                              sheet=where, cell=column, ref=cell.code, actual=tok.text))
        return r
    out.findings.append(catalogue.finding("pub_unit", "converted", raw=tok.text, value=value, unit=target,
                                          column=column, file=file, sheet=where, cell=column, ref=cell.code,
                                          actual=tok.text, expected=value))
    return Reading(r.code, value, r.raw, r.status)


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
    """Cells run together (``3001530061 4 3119``): cut by the cell count, else by the row's total;
    a row still undecided waits for the table-wide search (:func:`_solve_pending`)."""
    index = {c.code: i for i, c in enumerate(cells)}
    checks = [(index[c.code], [index[x] for x in c.sum_of])
              for c in cells if c.sum_of and all(x in index for x in c.sum_of)]
    if not any(c.type == "signed" for c in cells):
        vals = _dash_apart(vals)
    found = split_row([v.text for v in vals], [v.digits for v in vals], len(cells), checks)
    raw = " ".join(v.text for v in vals)
    if found.pieces is not None:
        out.findings.append(catalogue.finding(
            "pub_run_together", "" if found.how == "row" else "count", row=row_name, raw=raw,
            pieces=" ".join(found.pieces), file=file, sheet=where, cell=row_name, ref=cells[0].code, actual=raw))
        return _pieces(cells, found.pieces, "split")
    if found.candidates:
        out.pending.append((Pending([c.code for c in cells], found.candidates), row_name, raw))
    elif found.shown:
        out.findings.append(_ambiguous(out, cells, row_name, raw, found.shown, file, where))
    else:
        out.findings.append(catalogue.finding(
            "pub_row_unreadable", "unsplit", row=row_name, count=len(cells), raw=raw,
            file=file, sheet=where, cell=row_name, ref=cells[0].code, actual=raw))
    return [Reading(c.code, None, raw, "ambiguous") for c in cells]


_GLUED_DASH = re.compile(r"^([-－]+)([0-9].*)$")


def _dash_apart(vals: list[Token]) -> list[Token]:
    """In a row no cell of which can be negative, a dash glued to the digits after it (``2-100710``)
    is a placeholder cell, never a minus sign."""
    out = []
    for v in vals:
        m = _GLUED_DASH.match(v.text) if not v.bound else None
        if m:
            out += [Token("value", m.group(1), False, v.line), Token("value", m.group(2), False, v.line)]
        else:
            out.append(v)
    return out


def _pieces(cells: list[Cell], pieces: list[str], status: str) -> list[Reading]:
    return [Reading(c.code, number(p) if number(p) is not None else 0, p,
                    status if number(p) is not None else "placeholder") for c, p in zip(cells, pieces)]


def _ambiguous(out: TableRead, cells: list[Cell], row_name: str, raw: str, shown: list[list[str]],
               file: str, where: str) -> Finding:
    return catalogue.finding("pub_ambiguous", row=row_name, raw=raw, splits="；".join(" ".join(s) for s in shown[:3]),
                             file=file, sheet=where, cell=row_name, ref=cells[0].code, actual=raw,
                             expected=[" ".join(s) for s in shown])


def _solve_pending(out: TableRead, file: str) -> None:
    """Rows a cell count and their own total left undecided, read together with the table's
    column arithmetic; a row decided this way says which rules it leaned on."""
    if not out.pending:
        return
    rules, equations = _equations(out.table, out.edition)
    known = {code: r.value for code, r in out.readings.items() if r.status not in NO_FIGURE}
    pending = [p for p, _, _ in out.pending]
    for code in (c for p in pending for c in p.codes):
        known.pop(code, None)
    picks, complete = solve_table(pending, known, equations)
    cells = {c.code: c for c in out.table.cells}
    where = sheet_name(out.table)
    for (p, row_name, raw), chosen in zip(out.pending, picks):
        row = [cells[c] for c in p.codes]
        if complete and len(chosen) == 1 and equations:
            for r in _pieces(row, chosen[0], "split"):
                out.readings[r.code] = r
            out.findings.append(catalogue.finding(
                "pub_run_together", "table", row=row_name, raw=raw, pieces=" ".join(chosen[0]), rules=rules,
                file=file, sheet=where, cell=row_name, ref=p.codes[0], actual=raw))
            _row_notes(out, row, [out.readings[c] for c in p.codes], file, where, row_name)
        else:
            left = chosen if complete and chosen else p.candidates
            out.findings.append(_ambiguous(out, row, row_name, raw, left, file, where))
            out.undecided.append((Pending(p.codes, left), row_name, raw))
    out.pending = []


def decide(out: TableRead, row: tuple[Pending, str, str], pieces: list[str], finding: Finding) -> None:
    """Read an undecided row as ``pieces`` (chosen by what the narrative quotes), noted by
    ``finding`` in place of the row's pub_ambiguous."""
    p = row[0]
    cells = {c.code: c for c in out.table.cells}
    for r in _pieces([cells[c] for c in p.codes], pieces, "split"):
        out.readings[r.code] = r
    out.findings = [finding if f.code == "pub_ambiguous" and f.ref == p.codes[0] else f for f in out.findings]
    out.undecided.remove(row)


NO_FIGURE = ("missing", "unreadable", "ambiguous", "blank")  # reading statuses that give no figure


def _equations(table: Table, edition: str) -> tuple[str, list[Equation]]:
    """The table's arithmetic across rows: column totals and the balance rules (R1, R3), and
    the ids of the rules they come from."""
    spec = load_spec(edition)
    ids: list[str] = []
    out: list[Equation] = []
    cells = {c.code: c for c in table.cells}
    for rule in spec.rules:
        if rule.params.get("table") != table.id:
            continue
        if rule.kind == "balance":
            for col in table.col_codes:
                out.append((tuple(table.cell(r, col).code for r in rule.params["lhs"]),
                            tuple(table.cell(r, col).code for r in rule.params["rhs"])))
            ids.append(rule.id)
        elif rule.kind == "totals" and rule.params.get("axis") == "column":
            across = [c for c in table.cells if c.sum_of and any(cells[x].row_code != c.row_code for x in c.sum_of
                                                                  if x in cells)]
            out += [((c.code,), tuple(c.sum_of)) for c in across]
            ids.append(rule.id)
    return "、".join(ids), out
