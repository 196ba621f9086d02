"""Every label of tables 二, 三 and 四 against FORMAT.md, character for character."""

from __future__ import annotations

import re

from toolkit.format.spec import load_spec


def _section(md: str, heading: str) -> str:
    start = md.index(heading)
    end = md.index("\n## ", start + 1)
    return md[start:end]


def test_table3_rows_match_format(spec, format_md):
    text = _section(format_md, "## Table 三")
    leaves: list[str] = []
    groups: list[str] = []
    for line in text.splitlines():
        m = re.match(r"^(\d+)(?:–\d+)?\. (.+)$", line)
        if not m:
            continue
        parts = [p.strip() for p in m.group(2).split("→")]
        parts = [re.sub(r" \(total row\)$", "", p) for p in parts if p]
        groups.extend(parts[:-1])
        leaves.extend(x.strip() for x in parts[-1].split(" · "))
    t3 = spec.table("t3")
    assert len(leaves) == 25
    assert [t3.cell(r, "total").row_label for r in t3.row_codes] == leaves
    labels = {lb.text for lb in t3.labels if lb.kind == "row"}
    assert set(groups) <= labels  # 三、本年度办理结果, （三）不予公开 …


def test_table3_header_matches_format(spec, format_md):
    text = _section(format_md, "## Table 三")
    corner = re.search(r"`(（本列数据的勾稽关系为：[^`]+)`", text).group(1)
    t3 = spec.table("t3")
    by_kind = {(lb.kind, lb.text): lb for lb in t3.labels}
    assert ("corner", corner) in by_kind
    m = re.search(r"自然人 \| 法人或其他组织 \(over ([^)]+)\) \| 总计", text)
    legal = [x.strip() for x in m.group(1).split(",")]
    assert [c.col_label for c in (t3.cell("new", col) for col in t3.col_codes)] == ["自然人", *legal, "总计"]
    assert ("header", "申请人情况") in by_kind and by_kind[("header", "申请人情况")].colspan == 7
    assert by_kind[("header", "法人或其他组织")].colspan == 5
    assert not any(lb.text == "法人" for lb in t3.labels)  # no 法人 subtotal column
    assert len(t3.inputs) == 144 and len(t3.totals) == 31


def test_table2_matches_format(spec, format_md):
    text = _section(format_md, "## Table 二")
    t2 = spec.table("t2")
    titles = [lb.text for lb in t2.labels if lb.kind == "title"]
    blocks = []
    for line in text.splitlines():
        m = re.match(r"^\| (第二十条第（.）项) \| ([^|]+) \| ([^|]+) \|$", line)
        if m:
            rows = [r.strip() for r in m.group(2).split(";")]
            cols = [c.strip().split(" — ")[0] for c in m.group(3).split(" · ")]
            blocks.append((m.group(1), rows, cols))
    assert titles == [b[0] for b in blocks]
    for bi, (_, rows, cols) in enumerate(blocks):
        cells = [c for c in t2.cells if c.block == bi]
        assert list(dict.fromkeys(c.row_label for c in cells)) == rows
        assert list(dict.fromkeys(c.col_label for c in cells)) == cols
    assert sum(1 for lb in t2.labels if lb.kind == "corner" and lb.text == "信息内容") == 4
    assert len(t2.inputs) == 10 and not t2.totals
    assert spec.cell("t2_fee_amount").type == "decimal"
    assert all(c.type == "int" for c in t2.cells if c.code != "t2_fee_amount")


def test_table4_matches_format(spec, format_md):
    text = _section(format_md, "## Table 四")
    groups = re.search(r"Three groups of five columns: (.+?);", text).group(1).split(" | ")
    items = re.search(r"each group is (.+?)\.", text).group(1).split(" · ")
    t4 = spec.table("t4")
    paths = [[p for p in t4.cell("", col).col_path if p] for col in t4.col_codes]
    expected = [[*g.split(" → "), item] for g in groups for item in items]
    assert paths == expected
    assert len(t4.inputs) == 12 and [c.code for c in t4.totals] == ["t4_review_total", "t4_direct_total", "t4_after_total"]


def test_sections_and_headings(spec, format_md):
    for s in spec.sections:
        assert f"| {s.numeral} | {s.heading} |" in format_md


def test_every_label_is_canonical(spec):
    # Writers emit the canonical characters: full-width brackets, no ASCII quotes or spaces.
    for t in spec.tables:
        for lb in t.labels:
            assert not re.search(r"[()\"' ]", lb.text), lb.text


def test_layout_is_deterministic_and_hash_stable():
    from toolkit.format.spec import DEFAULT_EDITION, build_spec, edition_data

    a, b = load_spec(), build_spec(edition_data(DEFAULT_EDITION))  # a second, uncached load
    assert a is not b
    assert a.layout_hash == b.layout_hash
    assert a.to_dict() == b.to_dict()


def test_totals_are_single_sums(spec):
    assert spec.formula(spec.cell("t3_new_total")) == "SUM(D6:I6)"
    assert spec.formula(spec.cell("t3_closed_total_natural")) == "SUM(D8:D28)"
    assert spec.formula(spec.cell("t3_closed_total_total")) == "SUM(D29:I29)"
    assert spec.formula(spec.cell("t4_direct_total")) == "SUM(F6:I6)"


def test_edition_facts_match_format(format_md):
    """Notice numbers, report years, heading variants and the amount unit, as FORMAT.md states them."""
    new, old = load_spec("gb2021"), load_spec("gb2019")
    assert f"notice {new.notice.number}" in format_md and new.notice.number in new.name
    assert f"applies to reports for the\nyears {new.first_year} onwards" in format_md and new.last_year is None
    assert f"({old.notice.number}, reports for {old.first_year}–{old.last_year})" in format_md
    assert old.notice.number in old.name
    assert new.law in format_md
    m = re.search(r"四 written as\n(\S+), 五 as (\S+)\.", format_md)
    aliases = {s.numeral: s.aliases for s in new.sections}
    assert aliases["四"] == (m.group(1),) and aliases["五"] == (m.group(2),)
    fee = next(c for c in new.cells if c.type == "decimal")
    assert f"（单位：{new.amount_unit}）" in fee.col_label
