"""Property-based tests (hypothesis): the recomputation, balanced test data, formula shifting,
Chinese numerals, range listings and the published-report splitter, each against a property
stated independently of the code under test."""

from __future__ import annotations

import functools
import random
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from faults import AGENCY, YEAR, balanced_report, previous_of
from hypothesis import event, given, settings
from hypothesis import strategies as st

from toolkit.check import rules
from toolkit.check.workbook import MAX_LISTED, cell_listing, check_bytes
from toolkit.format import compute
from toolkit.format.spec import address, col_letter, load_spec, parse_address
from toolkit.model import Filled
from toolkit.published.split import splits
from toolkit.published.tables import read_table, row_groups
from toolkit.published.tokens import Segment, Token
from toolkit.template.workbook import build_workbook
from toolkit.xlsx.book import shift_formula

EDITIONS = ("gb2021", "gb2019")
SPECS = {e: load_spec(e) for e in EDITIONS}
SPEC = SPECS["gb2021"]
QUICK = settings(database=None, deadline=None)  # no example database written into the tree
SLOW = settings(QUICK, max_examples=20)  # a workbook written and checked per example

editions = st.sampled_from(EDITIONS)
seeds = st.integers(0, 2**32 - 1)


def inputs_of(spec, scale: int = 1) -> st.SearchStrategy[dict]:
    """Every input of the format: a count (a Decimal of ``1/scale`` units if scale > 1) or blank."""
    def by_code(drawn: list[int]) -> dict:
        return {c: None if n < 0 else n if scale == 1 else Decimal(n) / scale for c, n in zip(spec.input_codes, drawn)}

    n = len(spec.input_codes)
    return st.lists(st.integers(-1, 10**7), min_size=n, max_size=n).map(by_code)


@functools.cache
def leaves(edition: str, code: str) -> tuple[str, ...]:
    """The inputs a cell adds up, through totals of totals."""
    cell = SPECS[edition].cell(code)
    return (code,) if cell.role == "input" else tuple(x for p in cell.sum_of for x in leaves(edition, p))


# --- the recomputation -------------------------------------------------------------------------------


@QUICK
@given(st.data(), editions)
def test_every_total_is_the_sum_of_its_parts_and_of_its_inputs(data, edition):
    spec = SPECS[edition]
    inputs = data.draw(inputs_of(spec))
    full = compute.full(spec, inputs)
    assert set(full) == {c.code for c in spec.cells}
    for c in spec.inputs:
        assert full[c.code] == (inputs[c.code] or 0)
    for c in spec.totals:
        assert full[c.code] == sum(full[p] for p in c.sum_of)
        assert full[c.code] == sum(inputs[x] or 0 for x in leaves(edition, c.code))
    assert compute.totals(spec, inputs) == {c: full[c] for c in spec.total_codes}


@QUICK
@given(st.data(), editions)
def test_totals_do_not_depend_on_the_order_of_the_inputs(data, edition):
    spec = SPECS[edition]
    inputs = data.draw(inputs_of(spec))
    shuffled = dict(data.draw(st.permutations(list(inputs.items()))))
    assert compute.full(spec, shuffled) == compute.full(spec, inputs)
    # the figures of a total's parts exchanged among themselves: that total and every total
    # that does not tell them apart stay
    total = data.draw(st.sampled_from([c for c in spec.totals if all(spec.cell(p).role == "input" for p in c.sum_of)]))
    parts = list(total.sum_of)
    moved = dict(zip(parts, data.draw(st.permutations([inputs[p] for p in parts]))))
    after = compute.full(spec, {**inputs, **moved})
    before = compute.full(spec, inputs)
    for c in spec.totals:
        if set(parts) <= set(leaves(edition, c.code)):
            assert after[c.code] == before[c.code], c.code


def corners(spec) -> list[tuple[str, list[str]]]:
    """Totals of totals (a table's corner), each with the totals that add up its inputs the other way."""
    out = []
    for corner in spec.totals:
        if not all(spec.cell(p).role == "total" for p in corner.sum_of):
            continue
        across = sorted(q for p in corner.sum_of for q in spec.cell(p).sum_of)
        other_way = [c.code for c in spec.totals if c.code != corner.code and c.code not in corner.sum_of
                     and set(c.sum_of) <= set(across)]
        if sorted(x for c in other_way for x in spec.cell(c).sum_of) == across:
            out.append((corner.code, other_way))
    return out


@QUICK
@given(st.data(), editions)
def test_a_grand_total_is_the_same_added_by_rows_or_by_columns(data, edition):
    """表三's corner: the sum of the row totals equals the sum of the column totals."""
    spec = SPECS[edition]
    full = compute.full(spec, data.draw(inputs_of(spec)))
    found = corners(spec)
    assert [c for c, _ in found] == ["t3_closed_total_total"]
    for corner, other_way in found:
        assert full[corner] == sum(full[c] for c in other_way)


@QUICK
@given(st.data(), editions, st.integers(0, 1000))
def test_totals_are_monotone_and_grow_by_exactly_what_an_input_grows(data, edition, more):
    spec = SPECS[edition]
    inputs = data.draw(inputs_of(spec))
    code = data.draw(st.sampled_from(spec.input_codes))
    before = compute.full(spec, inputs)
    after = compute.full(spec, {**inputs, code: (inputs[code] or 0) + more})
    for c in spec.totals:
        assert after[c.code] >= before[c.code]
        assert after[c.code] - before[c.code] == more * leaves(edition, c.code).count(code)


@QUICK
@given(st.data(), editions)
def test_integer_inputs_give_integer_totals(data, edition):
    spec = SPECS[edition]
    full = compute.full(spec, data.draw(inputs_of(spec)))
    assert all(type(v) is int for v in full.values())


@QUICK
@given(st.data(), editions)
def test_decimal_inputs_give_exact_decimal_totals(data, edition):
    spec = SPECS[edition]
    inputs = data.draw(inputs_of(spec, scale=100))
    full = compute.full(spec, inputs)
    for c in spec.totals:
        exact = sum((Fraction(inputs[x] or 0) for x in leaves(edition, c.code)), Fraction(0))
        assert isinstance(full[c.code], (Decimal, int)) and Fraction(full[c.code]) == exact, c.code


# --- balanced test data --------------------------------------------------------------------------------


@QUICK
@given(seeds, editions)
def test_a_balanced_report_passes_every_rule(seed, edition):
    spec = SPECS[edition]
    r = balanced_report(spec, random.Random(seed))
    assert set(r["values"]) == set(spec.input_codes)
    assert all(type(v) is int and v >= 0 for c, v in r["values"].items() if spec.cell(c).type == "int")
    filled = Filled("示例单位", YEAR, agency_id="demo", values=r["values"], narratives=r["narratives"],
                    contact=r["contact"])
    assert rules.apply(spec, filled, previous=previous_of(spec, r)) == []


@SLOW
@given(seeds)
def test_a_workbook_of_a_balanced_report_checks_clean(seed):
    r = balanced_report(SPEC, random.Random(seed))
    data = build_workbook(SPEC, AGENCY, YEAR, values=r["values"], narratives=r["narratives"], contact=r["contact"])
    result = check_bytes(data, "balanced.xlsx", SPEC, year=YEAR, previous=previous_of(SPEC, r))
    assert result.findings == [] and result.status == "ok"
    assert result.filled.values == r["values"]


# --- formula shifting ----------------------------------------------------------------------------------

MAX_ROW, MAX_COL = 1_048_575, 16_383  # 0-based: row 1048576, column XFD


@st.composite
def refs(draw) -> tuple[bool, int, bool, int]:
    """(column absolute, column, row absolute, row), 0-based."""
    return (draw(st.booleans()), draw(st.integers(0, 40) | st.integers(0, MAX_COL)),
            draw(st.booleans()), draw(st.integers(0, 60) | st.integers(0, MAX_ROW)))


def ref_text(ref, drow: int = 0, dcol: int = 0) -> str:
    cabs, col, rabs, row = ref
    return f"{'$' if cabs else ''}{col_letter(col if cabs else col + dcol)}{'$' if rabs else ''}{row + 1 if rabs else row + 1 + drow}"


# the pieces a formula is made of; a reference is a tuple, the rest is text
LITERALS = st.sampled_from(['"A1"', '"B$2 text"', '"表三!C5"', "3", "1.5", "TRUE", "Sheet2!", "'表三申请处理'!",
                            "'A B'!"])
OPERATORS = st.sampled_from(["+", "-", "*", "/", ",", "&", "=", "<>"])


@st.composite
def formulas(draw) -> list:
    items = draw(st.lists(st.one_of(refs(), st.tuples(refs(), refs()), LITERALS), min_size=1, max_size=6))
    out: list = [draw(st.sampled_from(["", "SUM(", "IF(", "LOG10("]))]
    for i, item in enumerate(items):
        if i:
            out.append(draw(OPERATORS))
        if isinstance(item, str) and item.endswith("!"):  # a sheet name goes with a reference
            out += [item, draw(refs())]
        elif isinstance(item, tuple) and len(item) == 2:
            out += [item[0], ":", item[1]]
        else:
            out.append(item)
    if out[0]:
        out.append(")")
    return out


def render(pieces: list, drow: int = 0, dcol: int = 0) -> str:
    return "".join(p if isinstance(p, str) else ref_text(p, drow, dcol) for p in pieces)


@QUICK
@given(formulas(), st.data())
def test_shifting_moves_relative_parts_only_and_shifting_back_restores(pieces, data):
    moving = [p for p in pieces if not isinstance(p, str)]
    rows = [p[3] for p in moving if not p[2]] or [0]
    cols = [p[1] for p in moving if not p[0]] or [0]
    drow = data.draw(st.integers(-min(rows), MAX_ROW - max(rows)))
    dcol = data.draw(st.integers(-min(cols), MAX_COL - max(cols)))
    text = render(pieces)
    moved = shift_formula(text, drow, dcol)
    assert moved == render(pieces, drow, dcol)  # every relative part moved, every $ part and literal kept
    assert shift_formula(moved, -drow, -dcol) == text


def test_a_quoted_sheet_name_is_not_a_reference():
    assert shift_formula("'Q1 data'!A1", 1, 1) == "'Q1 data'!B2"
    assert shift_formula("'It''s B2'!A1+B2", 1, 0) == "'It''s B2'!A2+B3"


# --- Chinese numerals ------------------------------------------------------------------------------------

CN_DIGITS = "零一二三四五六七八九"


def chinese(n: int, *, two: str = "二", zero: str = "零", bare_ten: bool = True) -> str:
    """n (< 10**8) in Chinese numerals as written in reports: 一百零五, 十二, 两千, 三千万零七."""
    if n == 0:
        return zero
    high, low = divmod(n, 10_000)
    out = _cn_section(high, two, zero, bare_ten) + "万" if high else ""
    if low:
        out += (zero if high and low < 1000 else "") + _cn_section(low, two, zero, bare_ten and not high)
    return out


def _cn_section(n: int, two: str, zero: str, bare_ten: bool) -> str:
    out, gap = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if not d:
            gap = bool(out)
            continue
        if gap:
            out, gap = out + zero, False
        if unit == 10 and d == 1 and not out and bare_ten:
            out += "十"  # 十二, not 一十二, at the head of a number
        else:
            out += (two if d == 2 and unit >= 100 else CN_DIGITS[d]) + name
    return out


def test_the_renderer_writes_the_usual_forms():
    assert [chinese(n) for n in (0, 10, 12, 105, 1050, 3119, 20000, 100_010, 30_000_007)] == [
        "零", "十", "十二", "一百零五", "一千零五十", "三千一百一十九", "二万", "十万零一十", "三千万零七"]
    assert chinese(2200, two="两") == "两千两百" and chinese(12, bare_ten=False) == "一十二"


@QUICK
@given(st.integers(0, 99_999_999), st.sampled_from("二两"), st.sampled_from("零〇"), st.booleans())
def test_chinese_numerals_parse_back(n, two, zero, bare_ten):
    assert rules.cn_number(chinese(n, two=two, zero=zero, bare_ten=bare_ten)) == n


@QUICK
@given(st.integers(0, 99_999_999))
def test_arabic_numerals_parse_back_in_both_widths(n):
    wide = str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert rules.cn_number(str(n)) == n and rules.cn_number(wide) == n


# --- range listings ------------------------------------------------------------------------------------

places = st.tuples(st.integers(0, 30), st.integers(0, 12))  # (row, col), 0-based


def expand(item: str) -> list[tuple[int, int]]:
    a, _, b = item.partition(":")
    (r1, c1), (r2, c2) = parse_address(a), parse_address(b or a)
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


@QUICK
@given(st.sets(places, min_size=1, max_size=60))
def test_a_listing_covers_exactly_the_addresses_it_lists(where):
    text = cell_listing([address(*rc) for rc in where])
    m = re.fullmatch(r"(.*?)(?: 等 (\d+) 处)?", text)
    items = m.group(1).split("、")
    covered = [rc for item in items for rc in expand(item)]
    assert len(covered) == len(set(covered))  # no cell twice
    assert all(len({r for r, _ in expand(i)}) == 1 for i in items)  # a run stays within its row
    runs = sum(1 for r, c in where if (r, c - 1) not in where)  # maximal runs within a row
    if runs <= MAX_LISTED:
        assert m.group(2) is None and set(covered) == where
    else:
        assert len(items) == MAX_LISTED and int(m.group(2)) == runs and set(covered) < where
        assert covered == sorted(covered)  # the first runs in reading order


def test_every_sum_formula_covers_exactly_its_parts():
    """The format's SUM ranges (spec.formula) name every part once and nothing else."""
    for spec in SPECS.values():
        for cell in spec.totals:
            ranges = re.fullmatch(r"SUM\((.*)\)", spec.formula(cell)).group(1).split(",")
            covered = [rc for r in ranges for rc in expand(r)]
            parts = [(spec.cell(p).row, spec.cell(p).col + k) for p in cell.sum_of for k in range(spec.cell(p).colspan)]
            assert sorted(covered) == sorted(parts), cell.code


# --- the published-report splitter -------------------------------------------------------------------------

figures = st.integers(0, 9) | st.integers(0, 999)


@st.composite
def run_together(draw, row: list[int]) -> list[str]:
    """The row's numbers as a PDF extractor may give them: some neighbours run together."""
    texts = [str(row[0])]
    for v in row[1:]:
        if draw(st.booleans()):
            texts[-1] += str(v)
        else:
            texts.append(str(v))
    return texts


@QUICK
@given(st.lists(figures, min_size=1, max_size=6), st.data())
def test_a_unique_split_is_the_true_row(parts, data):
    """A row whose first cell is the sum of the others, run together: the splitter finds it or
    says it is ambiguous, never a wrong unique split (read_table below is the same search
    through the reader)."""
    row = [sum(parts), *parts]
    texts = data.draw(run_together(row))
    found, complete = splits(texts, [True] * len(texts), len(row), [(0, list(range(1, len(row))))], 2)
    if not complete and len(found) == 1:
        found = found * 2  # an unfinished search proves no uniqueness
    truth = [str(v) for v in row]
    event(f"{min(len(found), 2)} found")
    if len(found) == 1:
        assert found[0] == truth
    elif len(texts) == len(row):
        assert found == [truth]  # nothing run together: the row as given


@pytest.mark.parametrize("table,row", [("t3", "new"), ("t3", "carried_out"), ("t4", "")])
@settings(QUICK, max_examples=50)
@given(data=st.data())
def test_a_published_row_read_run_together_is_the_true_row_or_reported(table, row, data):
    """Through the reader: a row of a published table (totals the sums of their parts) whose
    numbers ran together reads as exactly its figures, or is reported and not read."""
    t = SPEC.table(table)
    (cells,) = [g for g in row_groups(t) if g[0].row_code == row]
    small = st.integers(0, 9) | st.integers(0, 300)  # short numbers keep the search short
    inputs = {c.code: data.draw(small) for c in cells if c.role == "input"}
    full = compute.full(SPEC, inputs)
    truth = [full[c.code] for c in cells]
    texts = data.draw(run_together(truth))
    label = [Token("text", cells[0].row_path[0], False, 0)] if row else []
    seg = Segment(texts=label, values=[Token("value", x, False, 0) for x in texts])
    read = read_table(t, SPEC.id, [seg], "report.pdf")
    got = [read.readings[c.code] for c in cells]
    codes = {f.code for f in read.findings if f.ref == cells[0].code}
    if len(texts) == len(cells):
        assert [(r.value, r.status) for r in got] == [(v, "ok") for v in truth]
    elif {r.status for r in got} == {"split"}:
        event("split")
        assert [r.value for r in got] == truth and "pub_run_together" in codes
    else:
        event("not read")
        assert {r.status for r in got} == {"ambiguous"} and codes & {"pub_ambiguous", "pub_row_unreadable"}
