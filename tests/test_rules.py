"""The format's rules on plain data (toolkit.check.rules), independent of any workbook."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path

import pytest
from faults import YEAR, clean_report, previous_of

from toolkit.check import rules
from toolkit.format import compute, labels
from toolkit.format.spec import load_spec
from toolkit.model import Filled

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def report(spec):
    return clean_report(spec)


def filled(report, values=None, narratives=None, **kw) -> Filled:
    return Filled(agency="示例单位", year=YEAR, agency_id="demo",
                  values={**report["values"], **(values or {})},
                  narratives={**report["narratives"], **(narratives or {})}, contact=report["contact"], **kw)


def codes_of(findings):
    return sorted({f.code for f in findings})


def test_clean_report_passes_every_rule(spec, report):
    assert rules.apply(spec, filled(report), previous=previous_of(spec, report)) == []


def test_findings_are_located_at_format_cells(spec, report):
    broken = filled(report, {"t3_new_natural": report["values"]["t3_new_natural"] + 1, "t2_fee_amount": -1},
                    {"problems": ""})
    places = {c.code: (c.sheet, c.address) for c in spec.cells}
    places.update({n.code: (n.sheet, n.address) for n in spec.narratives})
    found = rules.apply(spec, broken)
    assert codes_of(found) == ["R1", "R7", "R8", "narrative_empty"]
    for f in found:
        assert (f.sheet, f.cell) == places[f.ref], f
        assert f.message.startswith(f"“{f.sheet}”工作表 {f.cell} 单元格")


# --- R1 --------------------------------------------------------------------------------------------


def test_r1_per_column_at_carried_out_with_both_sides(spec, report):
    v = report["values"]
    broken = filled(report, {"t3_new_legal": v["t3_new_legal"] + 2})
    (f,) = [f for f in rules.apply(spec, broken) if f.code == "R1"]
    full = compute.full(spec, broken.values)
    lhs = full["t3_new_legal"] + full["t3_carried_in_legal"]
    rhs = full["t3_closed_total_legal"] + full["t3_carried_out_legal"]
    assert (f.ref, f.severity, f.expected, f.actual) == ("t3_carried_out_legal", "error", lhs, rhs)
    assert f"= {lhs}" in f.message and f"= {rhs}" in f.message


def test_r1_total_column_alone_when_only_stated_totals_disagree(spec, report):
    """A published report whose 总计 column is off while every applicant column balances."""
    full = compute.full(spec, report["values"])
    stated = {c.code: full[c.code] for c in spec.totals}
    stated["t3_new_total"] += 1  # the stated total is wrong: R1 (total column) and R2
    found = rules.apply(spec, filled(report, stated))
    assert [(f.code, f.ref) for f in found if f.code in ("R1", "R2")] == [
        ("R1", "t3_carried_out_total"), ("R2", "t3_new_total")]


# --- R2–R4: stated totals (published reports) ----------------------------------------------------------


@pytest.mark.parametrize("code,rule", [("t3_partial_total", "R2"), ("t3_closed_total_total", "R2"),
                                       ("t3_closed_total_research", "R3"), ("t4_direct_total", "R4")])
def test_stated_total_that_is_not_the_sum(spec, report, code, rule):
    full = compute.full(spec, report["values"])
    values = {c.code: Decimal(full[c.code]) for c in spec.totals}
    values[code] += 3
    found = [f for f in rules.apply(spec, filled(report, values)) if f.code in ("R2", "R3", "R4")]
    hit = [f for f in found if f.ref == code]
    assert hit and hit[0].code == rule and hit[0].severity == "error"
    assert (hit[0].expected, hit[0].actual) == (full[code], values[code])
    assert f"总计为 {values[code]}" in hit[0].message


def test_recomputed_totals_never_break_r2_to_r4(spec, report):
    v = {c.code: 7 for c in spec.inputs}
    assert not [f for f in rules.apply(spec, filled(report, v)) if f.code in ("R2", "R3", "R4")]


# --- R5, R6 (with last year) ------------------------------------------------------------------------


def test_r5_and_r6_only_with_previous(spec, report):
    v = report["values"]
    broken = filled(report, {"t3_carried_in_research": v["t3_carried_in_research"] + 1,
                             "t3_carried_out_research": v["t3_carried_out_research"] + 1,
                             "t2_regulation_valid": v["t2_regulation_valid"] + 4})
    assert not [f for f in rules.apply(spec, broken) if f.code in ("R5", "R6")]
    prev = previous_of(spec, report)
    found = {f.code: f for f in rules.apply(spec, broken, previous=prev)}
    assert found["R5"].ref == "t3_carried_in_research" and found["R5"].severity == "warning"
    assert (found["R5"].expected, found["R5"].actual) == (v["t3_carried_in_research"], v["t3_carried_in_research"] + 1)
    assert found["R6"].ref == "t2_regulation_valid"
    assert found["R6"].actual - found["R6"].expected == 4


def test_cross_year_for_collect(spec, report):
    prev = previous_of(spec, report)
    broken = filled(report, narratives={"overview": prev.narratives["overview"]})
    found = rules.cross_year(spec, broken, prev, file="a.xlsx", agency_id="demo")
    assert [(f.code, f.file, f.agency_id) for f in found] == [("narrative_copied", "a.xlsx", "demo")]


# --- R7 --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value,fragment", [(-1, "负数"), (1.5, "小数"), ("3件", "不是数字"), (True, "不是数字"),
                                            (float("nan"), "不是数字")])
def test_r7_counts(spec, report, value, fragment):
    (f,) = [f for f in rules.apply(spec, filled(report, {"t4_after_other": value})) if f.code == "R7"]
    assert f.ref == "t4_after_other" and fragment in f.message and "非负整数" in f.message


def test_r7_fee_is_a_non_negative_decimal(spec, report):
    assert not [f for f in rules.apply(spec, filled(report, {"t2_fee_amount": Decimal("0.35")})) if f.code == "R7"]
    (f,) = [f for f in rules.apply(spec, filled(report, {"t2_fee_amount": -0.5})) if f.code == "R7"]
    assert f.ref == "t2_fee_amount" and "万元" in f.message


# --- R8, R9 and the narratives ------------------------------------------------------------------------------


def test_r8_quoted_numbers(spec, report):
    new = compute.full(spec, report["values"])["t3_new_total"]
    carried = compute.full(spec, report["values"])["t3_carried_in_total"]
    ok = [f"共收到政府信息公开申请{new}件", f"受理政府信息公开申请 {new} 件",
          f"共受理政府信息公开申请{new + carried}件（含上年结转{carried}件）",
          "北仑民生在线平台共计收到网友发帖6457件，已办结6327件"]
    for text in ok:
        assert not [f for f in rules.apply(spec, filled(report, narratives={"overview": text})) if f.code == "R8"], text
    (f,) = [f for f in rules.apply(spec, filled(report, narratives={"overview": f"收到申请{new + 1}件。"}))
            if f.code == "R8"]
    assert (f.ref, f.expected, f.actual) == ("overview", new, new + 1)


def test_r8_chinese_numerals_and_pdf_line_breaks(spec, report):
    values = {c.code: 0 for c in spec.inputs}
    values.update({"t3_new_natural": 3, "t3_granted_natural": 3})
    for text in ("全年共收到政府信息公开申请三件。", "全年共收到政府信息公\n开申请 ３ 件。"):
        assert not [f for f in rules.apply(spec, filled(report, values, {"overview": text})) if f.code == "R8"]
    (f,) = [f for f in rules.apply(spec, filled(report, values, {"overview": "收到申请十二件"})) if f.code == "R8"]
    assert f.actual == 12
    assert [rules.cn_number(x) for x in ("三千一百一十九", "一百零五", "两万", "十")] == [3119, 105, 20000, 10]


def test_r8_says_none_received_or_no_review(spec, report):
    texts = {"本机关本年度未收到政府信息公开申请。": "t3_new_total",
             "本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。": "t4_review_total"}
    for text, total in texts.items():
        found = [f for f in rules.apply(spec, filled(report, narratives={"overview": text})) if f.code == "R8"]
        assert found and found[0].expected == compute.full(spec, report["values"])[total]
        assert found[0].actual == 0


def test_r8_on_the_two_real_reports(spec):
    """The sample all-zero report and Huai'an 2024's figures agree with their own text."""
    zero = (REFERENCE / "000_154e5da753eb525e.txt").read_text(encoding="utf-8")
    six = zero[zero.index("六、其他需要报告的事项"):]
    f = Filled("北仑区传媒中心", 2023, values={c.code: 0 for c in spec.inputs},
               narratives={"overview": zero[:zero.index("主动公开政府信息情况")], "problems": "略",
                           "other_matters": six})
    assert rules.apply(spec, f) == []
    huaian = (REFERENCE / "huaian-2024-report.pdf.txt").read_text(encoding="utf-8")
    overview = huaian[:huaian.index("三、收到和处理政府信息公开申请情况")]
    t3, t4 = spec.table("t3"), spec.table("t4")
    values = {c.code: 0 for c in spec.inputs}
    for col, new, carried in zip(t3.col_codes, (3001, 53, 0, 0, 61, 4), (34, 0, 0, 0, 0, 0)):
        values[t3.cell("new", col).code] = new
        values[t3.cell("carried_in", col).code] = carried
    for col, n in zip([c for c in t4.col_codes if not c.endswith("total")],
                      (72, 64, 178, 37, 13, 4, 8, 1, 12, 1, 1, 6)):
        values[t4.cell("", col).code] = n
    found = rules.apply(spec, Filled("淮安市人民政府", 2024, values=values,
                                     narratives={"overview": overview, "problems": "略", "other_matters": huaian}))
    assert not [f for f in found if f.code in ("R8", "R9")], [f.message for f in found]
    values[t4.cell("", "review_upheld").code] += 1
    found = rules.apply(spec, Filled("淮安市人民政府", 2024, values=values, narratives={"overview": overview}))
    assert [(f.code, f.actual) for f in found if f.code == "R8"] == [("R8", 351)]


def test_r9_information_fee(spec, report):
    def r9(text):
        return [f for f in rules.apply(spec, filled(report, narratives={"other_matters": text})) if f.code == "R9"]
    assert r9("本年度无其他需要报告的事项。")[0].ref == "other_matters"
    assert not r9("本年度未收取信息处理费。")
    assert not r9("故未产生任何有关政府信息公开信息处理事项及费用。")  # the sample report's wording


def test_empty_and_copied_narratives(spec, report):
    found = rules.apply(spec, filled(report, narratives={"overview": "  \n"}))
    assert [(f.code, f.severity, f.ref) for f in found] == [("narrative_empty", "error", "overview")]
    prev = previous_of(spec, report)
    text = prev.narratives["problems"] * 3
    near = text[:-2] + "。。"
    prev2 = dataclasses.replace(prev, narratives={**prev.narratives, "problems": text})
    found = rules.apply(spec, filled(report, narratives={"problems": near}), previous=prev2)
    (f,) = [f for f in found if f.code == "narrative_copied"]
    assert f.ref == "problems" and f.severity == "warning" and "相似度" in f.message
    other = rules.apply(spec, filled(report), previous=prev2)
    assert not [f for f in other if f.code == "narrative_copied"]


def test_tables_not_read_are_skipped(spec, report):
    """A Filled without any 表三 cell (not read) gets no R1/R8 about 表三."""
    values = {k: v for k, v in report["values"].items() if not k.startswith("t3_")}
    f = Filled("x", YEAR, values=values, narratives={**report["narratives"], "overview": "收到申请99件"})
    assert not [x for x in rules.apply(spec, f) if x.code in ("R1", "R8")]


def test_every_rule_kind_of_every_edition_runs():
    for edition in ("gb2019", "gb2021"):
        s = load_spec(edition)
        f = Filled("x", 2020, values={c.code: 1 for c in s.cells}, narratives={n.code: "x" for n in s.narratives})
        found = rules.apply(s, f, previous=f)
        assert {"R2", "R3", "R4", "R9"} <= {x.code for x in found}
        assert all(re.fullmatch(r"R\d|narrative_\w+", x.code) for x in found)


def test_nfkc_is_unicodedata_nfkc():
    """labels.nfkc takes a shortcut for full-width punctuation: never a different result."""
    import random
    import unicodedata

    rng = random.Random(5)
    pool = ([chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xFF01, 0xFF5F)]
            + list("\u3000\u0301\u0338\u00e9\uf900\u4e00。、①㈱ｶ\uff9e\u2028"))
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert labels.nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
    assert labels.nfkc("收到申请１２件，（七）") == "收到申请12件,(七)"


def test_totals_in_order_equal_the_sums_of_their_parts(spec):
    """compute.totals walks a precomputed order: each total is the sum of its parts as the
    format declares them, whatever the inputs (blank, int, float, Decimal)."""
    import random

    rng = random.Random(3)
    for i in range(20):
        fraction = (lambda: rng.random() * 9) if i % 2 else (lambda: Decimal(rng.randint(0, 999)) / 100)
        inputs = {c.code: rng.choice([None, 0, rng.randint(0, 50), fraction()])
                  for c in spec.inputs if rng.random() < 0.9}
        got = compute.totals(spec, inputs)
        assert set(got) == {c.code for c in spec.totals}

        def value(code, inputs=inputs):
            cell = spec.cell(code)
            if cell.role == "input":
                v = inputs.get(code)
                return 0 if v is None else v
            return sum((value(p) for p in cell.sum_of), 0)

        for code, v in got.items():
            assert v == value(code), code
