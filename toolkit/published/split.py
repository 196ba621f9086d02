"""Digit runs cut into cells: a row's run alone, then a table's undecided rows together.

A published row whose numbers ran together (PDF text, web text flattened without separators)
is cut with what the format knows, in this order, and the first step that decides wins:

1. the number of cells alone (no leading zero in a multi-digit number): one way only;
2. the row's own arithmetic (its 总计 is the sum of its parts): one way only -- the reading
   leans on a rule and says so;
3. the table's arithmetic over the undecided rows together (the columns' balance and totals,
   R1 and R3 in table 三), a small constraint search over each row's remaining candidates.

What is left with more than one reading is ambiguous, never guessed; a run that fits no
reading is unreadable. A rule is used only where the cell count alone does not decide, so a
row that breaks a rule but reads one way is read as printed, and the audit reports the break.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from toolkit.published.tokens import PLACEHOLDERS, number, placeholder_run

SPLIT_BUDGET = 200_000  # search steps for one row before calling it ambiguous
CANDIDATES = 64  # a row's readings kept for the table-wide search
SOLUTIONS = 32  # table-wide readings enumerated before giving up on deciding
TABLE_BUDGET = 200_000

Check = tuple[int, list[int]]  # (index of a total, indexes of its parts) within a row


@dataclass
class RowSplit:
    pieces: list[str] | None = None  # the reading, when decided
    how: str = ""  # count | row: what decided it
    candidates: list[list[str]] = field(default_factory=list)  # undecided: readings passing the row's rules
    shown: list[list[str]] = field(default_factory=list)  # undecided: readings to show in the message


def split_row(texts: Sequence[str], splittable: Sequence[bool], n: int, checks: list[Check]) -> RowSplit:
    # Placeholders run together (——, //) may be one cell or several: —— is a placeholder, and so
    # is each of its dashes.
    splittable = [s or placeholder_run(t) for t, s in zip(texts, splittable, strict=True)]
    by_count, done = splits(texts, splittable, n, [], 2)
    if len(by_count) == 1 and done:
        return RowSplit(by_count[0], "count")
    if not by_count:
        return RowSplit()
    by_rule, done = splits(texts, splittable, n, checks, CANDIDATES + 1)
    if done and len(by_rule) == 1:
        return RowSplit(by_rule[0], "row")
    if done and by_rule and len(by_rule) <= CANDIDATES:
        return RowSplit(candidates=by_rule, shown=by_rule)
    return RowSplit(shown=by_rule or by_count)


def splits(texts: Sequence[str], splittable: Sequence[bool], n: int, checks: list[Check],
           limit: int) -> tuple[list[list[str]], bool]:
    """Ways (up to ``limit``) to cut the tokens into ``n`` numbers (no leading zeros) that pass
    ``checks``, and whether the search was complete (neither the limit nor the budget hit)."""
    done_at: dict[int, list[Check]] = {}
    for total, parts in checks:
        done_at.setdefault(max([total, *parts]), []).append((total, parts))
    found: list[list[str]] = []
    pieces: list[str] = []
    values: list[int | None] = []  # pieces as numbers (None: not a plain number)
    steps = 0

    def passes() -> bool:
        for total, parts in done_at.get(len(pieces) - 1, []):
            head = values[total]
            rest = [values[i] for i in parts]
            if head is not None and None not in rest and head != sum(rest):  # type: ignore[arg-type]
                return False
        return True

    def capacity(t: int, pos: int) -> tuple[int, int]:
        """Fewest and most numbers the rest of the tokens can still give."""
        rest = range(t, len(texts))
        most = sum((len(texts[k]) - (pos if k == t else _sign(texts[k]))) if splittable[k] else 1 for k in rest)
        return len(rest), most

    def cuts(text: str, pos: int) -> list[int]:
        """The lengths the next piece of ``text`` from ``pos`` may have."""
        if placeholder_run(text):  # one placeholder a piece (—— is one, or two —)
            return [k for k in (1, 2) if text[pos:pos + k] in PLACEHOLDERS]
        sign = _sign(text) if pos == 0 else 0  # a sign belongs to the first number of its run
        if text[pos + sign] == "0":
            return [sign + 1]
        return list(range(sign + 1, len(text) - pos + 1))

    def walk(t: int, pos: int) -> None:
        nonlocal steps
        steps += 1
        if len(found) >= limit or steps > SPLIT_BUDGET:
            return
        if t == len(texts):
            if len(pieces) == n:
                found.append(list(pieces))
            return
        least, most = capacity(t, pos)
        if not least <= n - len(pieces) <= most:
            return
        text = texts[t]
        options = cuts(text, pos) if splittable[t] else [len(text)]
        for k in options:
            piece = text[pos:pos + k]
            pieces.append(piece)
            values.append(_num(piece))
            if passes():
                walk(t + 1, 0) if pos + k == len(text) else walk(t, pos + k)
            pieces.pop()
            values.pop()

    walk(0, 0)
    return found, len(found) < limit and steps <= SPLIT_BUDGET


def _num(text: str) -> int | None:
    return int(text) if text.lstrip("+-").isdigit() and len(text) - len(text.lstrip("+-")) <= 1 else None


def _sign(text: str) -> int:
    return 1 if text[:1] in ("+", "-") and not placeholder_run(text) else 0


# --- the table as a whole ----------------------------------------------------------------------


Equation = tuple[tuple[str, ...], tuple[str, ...]]  # sum of the left cells = sum of the right cells


@dataclass
class Pending:
    codes: list[str]  # the row's cells, left to right
    candidates: list[list[str]]


def solve_table(pending: list[Pending], known: dict[str, int | Decimal | None],
                equations: list[Equation]) -> tuple[list[list[list[str]]], bool]:
    """Per pending row, the readings it takes in the table's consistent readings (one = decided),
    and whether the search was complete. ``known`` holds the other rows' figures (None where a
    figure is unknown: an equation involving it is not used)."""
    row_of = {code: i for i, p in enumerate(pending) for code in p.codes}
    usable: dict[int, list[Equation]] = {}
    for lhs, rhs in equations:
        cells = (*lhs, *rhs)
        if any(c not in row_of and known.get(c) is None for c in cells):
            continue
        rows = [row_of[c] for c in cells if c in row_of]
        if rows:
            usable.setdefault(max(rows), []).append((lhs, rhs))
    value: dict[str, int | Decimal] = {c: v for c, v in known.items() if v is not None}
    picks: list[int] = []
    solutions: list[list[int]] = []
    steps = 0

    def holds(i: int) -> bool:
        return all(sum(value[c] for c in lhs) == sum(value[c] for c in rhs) for lhs, rhs in usable.get(i, ()))

    def walk(i: int) -> None:
        nonlocal steps
        steps += 1
        if len(solutions) > SOLUTIONS or steps > TABLE_BUDGET:
            return
        if i == len(pending):
            solutions.append(list(picks))
            return
        for k, cand in enumerate(pending[i].candidates):
            for code, piece in zip(pending[i].codes, cand):
                value[code] = number(piece) or 0  # a placeholder reads as 0
            if holds(i):
                picks.append(k)
                walk(i + 1)
                picks.pop()
        for code in pending[i].codes:
            value.pop(code, None)

    walk(0)
    complete = len(solutions) <= SOLUTIONS and steps <= TABLE_BUDGET
    out = []
    for i, p in enumerate(pending):
        seen = sorted({s[i] for s in solutions})
        out.append([p.candidates[k] for k in seen])
    return out, complete
