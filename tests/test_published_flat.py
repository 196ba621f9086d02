"""Flattened web text: a whole report on one line, cells glued to their labels and each other."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.format.spec import load_spec
from toolkit.published.audit import audit_report
from toolkit.published.reader import read_published

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "published"))
import pubfix as pf  # noqa: E402


def write(tmp_path: Path, text: str, name: str = "flat.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


report = pf.report_of


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def undecided(pub) -> list[tuple[str, str]]:
    return [(f.sheet, f.cell) for f in pub.findings if f.code in ("pub_ambiguous", "pub_row_unreadable")]


def wrong(spec, pub, figures) -> list[str]:
    """Cells read as a figure that is not the printed one (unknown cells are not wrong)."""
    stated, unknown = pub.stated("gb2021"), pub.unknown()
    return [c.code for c in spec.cells if c.code not in unknown and stated.get(c.code) != figures[c.code]]


def small_figures(spec) -> dict[str, int]:
    """The issue's example rows: 12|0|0|0|0|0|12 new, nothing carried, 7|0|0|0|0|0|7 granted…"""
    t3 = spec.table("t3")
    figs = dict(pf.zero_figures(spec))
    for row, v in (("new", 12), ("granted", 7), ("denied_secret", 2), ("unable_not_held", 3)):
        figs[t3.cell(row, "natural").code] = v
        figs[t3.cell(row, "total").code] = v
    figs["t3_closed_total_natural"] = figs["t3_closed_total_total"] = 12
    figs.update({"t2_regulation_issued": 1, "t2_regulation_valid": 5, "t2_license_decisions": 12,
                 "t2_fee_amount": 0, "t4_review_upheld": 1, "t4_review_total": 1})
    return figs


def test_the_issue_example_every_cell(spec, tmp_path):
    figs = small_figures(spec)
    text = pf.flat_text(report(spec, figs))
    assert "申请数量120000012二、上年结转政府信息公开申请数量0000000三、本年度办理结果（一）予以公开7000007（二）" in text
    assert text.startswith(pf.CHROME_BEFORE) and "附件下载" in text
    pub = read_published(write(tmp_path, text), spec)
    assert (pub.agency, pub.year) == (pf.Report.agency, 2024)
    assert {c.code: pub.stated("gb2021").get(c.code) for c in spec.cells} == figs
    assert undecided(pub) == []
    assert {k: _flat(v) for k, v in pub.narratives.items()} == {
        k: _flat(v) for k, v in pf.default_narratives(spec, figs, 2024).items()}
    assert audit_report(write(tmp_path, text), spec).status != "failed"


def test_spaces_inside_runs_but_not_on_every_boundary(spec, tmp_path):
    figs = small_figures(spec)
    t3 = spec.table("t3")
    for col, v in zip(t3.col_codes, (3, 0, 0, 0, 0, 0, 3)):
        figs[t3.cell("new", col).code] = v
    for col, v in zip(t3.col_codes, (2, 0, 0, 0, 0, 0, 2)):
        figs[t3.cell("granted", col).code] = v
    figs["t3_closed_total_natural"] = figs["t3_closed_total_total"] = 7
    figs["t3_denied_secret_natural"] = figs["t3_denied_secret_total"] = 2
    text = pf.flat_text(report(spec, figs), rows={"new": " 30 0 00 0 3", "granted": "2 0 0 0 0 02"})
    assert "申请数量 30 0 00 0 3二、" in text and "（一）予以公开2 0 0 0 0 02（二）" in text
    pub = read_published(write(tmp_path, text), spec)
    assert {c.code: pub.stated("gb2021").get(c.code) for c in spec.cells} == figs


@pytest.mark.parametrize("seed", [1, 4, 9])
def test_random_tables_exact_ambiguous_rows(spec, tmp_path, seed):
    """Large figures: table 二's three-cell rows have no arithmetic and stay ambiguous, table 三
    is cut by its totals, table 四 by its group totals where those decide."""
    figs = pf.random_figures(spec, seed)
    pub = read_published(write(tmp_path, pf.flat_text(report(spec, figs), spaces=seed)), spec)
    assert wrong(spec, pub, figs) == []
    expected = {1: [("表二", "规章"), ("表二", "行政规范性文件"), ("表四", "数据行")],
                4: [],
                9: [("表二", "行政规范性文件"), ("表四", "数据行")]}[seed]
    assert undecided(pub) == expected
    t3 = {c.code for c in spec.table("t3").cells}
    assert not t3 & pub.unknown()
    for f in (f for f in pub.findings if f.code == "pub_ambiguous"):
        assert f.severity == "error" and len(f.expected) >= 2 and f.actual in f.message


def test_2019_layout_flattened(spec, tmp_path):
    old = load_spec("gb2019")
    figs = {c.code: 0 for c in old.cells}
    figs.update({"t3_new_natural": 5, "t3_new_total": 5, "t3_granted_natural": 5, "t3_granted_total": 5,
                 "t3_closed_total_natural": 5, "t3_closed_total_total": 5, "t2_procurement_amount": 12})
    rep = pf.Report(year=2020, figures=figs, editions={"t2": "gb2019", "t3": "gb2019", "t4": "gb2019"},
                    narratives=pf.default_narratives(old, figs, 2020))
    pub = read_published(write(tmp_path, pf.flat_text(rep)), spec)
    assert pub.editions() == {"t2": "gb2019", "t3": "gb2019", "t4": "gb2021"}
    stated = {**pub.stated("gb2019"), **pub.stated("gb2021")}
    assert {c.code: stated[c.code] for c in old.cells} == figs
    assert undecided(pub) == []


def _nonstandard(numeral: str, text: str) -> str:
    return {"一": "一、2024年政务公开工作情况", "五": "五、存在的主要问题", "六": "七、其他需要报告的事项"}.get(numeral, text)


@pytest.mark.parametrize("layout", ["flat", "tab"])
def test_nonstandard_headings(spec, tmp_path, layout):
    figs = small_figures(spec)
    narr = pf.default_narratives(spec, figs, 2024)
    narr["problems"] = "政策解读形式还不够丰富。\n六、改进措施\n下一步将加强培训，提升公开质量。"
    rep = pf.Report(figures=figs, narratives=narr, heading=_nonstandard)
    text = pf.flat_text(rep) if layout == "flat" else pf.tab_text(rep)
    pub = read_published(write(tmp_path, text), spec)
    assert {c.code: pub.stated("gb2021").get(c.code) for c in spec.cells} == figs
    assert {k: _flat(v) for k, v in pub.narratives.items()} == {k: _flat(v) for k, v in narr.items()}
    loose = [(f.code, f.severity, f.cell) for f in pub.findings if f.code == "pub_heading_nonstandard"]
    assert loose == [("pub_heading_nonstandard", "warning", "一、2024年政务公开工作情况"),
                     ("pub_heading_nonstandard", "warning", "五、存在的主要问题")]
    assert not [f for f in pub.findings if f.code == "pub_section_missing"]


def test_table2_without_its_regulation_row(spec, tmp_path):
    figs = small_figures(spec)
    pub = read_published(write(tmp_path, pf.flat_text(report(spec, figs), drop=("regulation",))), spec)
    [f] = [f for f in pub.findings if f.code == "pub_row_missing"]
    assert (f.sheet, f.cell) == ("表二", "规章")
    stated = pub.stated("gb2021")
    assert all(stated[c.code] == figs[c.code] for c in spec.cells if not c.code.startswith("t2_regulation"))


def test_a_row_one_cell_short_is_reported_not_guessed(spec, tmp_path):
    figs = small_figures(spec)
    text = pf.flat_text(report(spec, figs), rows={"new": "12000012"})  # 12|0|0|0|0|12: six cells for seven
    pub = read_published(write(tmp_path, text), spec)
    assert undecided(pub) == [("表三", "一、本年新收政府信息公开申请数量")]
    assert wrong(spec, pub, figs) == []


def test_rule_breaks_are_read_as_printed_and_reported(spec, tmp_path):
    """A 总计 column left at 0 and outcome rows not adding up to （七）: where the cell count alone
    decides, the row is read as printed and the audit reports the broken rule."""
    figs = small_figures(spec)
    rows = {"new": "1200000", "granted": "8000008"}  # 1|2|0|0|0|0|0: 总计 left at 0; 8 granted, （七） counts 7
    figs.update({"t3_new_natural": 1, "t3_new_commercial": 2, "t3_new_total": 0, "t3_granted_natural": 8,
                 "t3_granted_total": 8})
    path = write(tmp_path, pf.flat_text(report(spec, figs), rows=rows))
    pub = read_published(path, spec)
    assert undecided(pub) == [] and wrong(spec, pub, figs) == []
    result = audit_report(path, spec)
    assert [f.ref for f in result.findings if f.code == "R2"] == ["t3_new_total"]
    assert [f.ref for f in result.findings if f.code == "R3"] == ["t3_closed_total_natural"]
    assert result.exit_code == 1


PLACEHOLDERS = ["—", "/", "-", "－", "——", "无"]


def with_placeholders(figs: dict, holder: str, seed: int, k: int = 12) -> dict:
    """``figs`` with ``k`` of its zeros printed as ``holder``, as clerks leave empty cells."""
    zeros = sorted(c for c, v in figs.items() if v == 0)
    out = dict(figs)
    for c in random.Random(seed).sample(zeros, min(k, len(zeros))):
        out[c] = holder
    return out


def as_read(figs: dict) -> dict:
    return {c: 0 if isinstance(v, str) else v for c, v in figs.items()}  # a placeholder reads as 0


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), spaces=st.one_of(st.none(), st.integers(0, 10_000)), old=st.booleans(),
       holder=st.one_of(st.none(), st.sampled_from(PLACEHOLDERS[:-1])))
def test_property_read_right_or_reported(spec, tmp_path, seed, spaces, old, holder):
    """Random consistent tables (the 2021 layout, or the 2019 one with its signed 本年增/减),
    some empty cells printed as dashes or slashes, rendered as flattened text: every cell is
    read right or its row reported undecided -- never read wrong. (Not 无: glued to a label it
    reads as the label's, and a row whose digits then split one way by count alone is read so.)"""
    if old:
        edition = load_spec("gb2019")
        printed = figs = pf.old_figures(seed)
        rep = pf.Report(year=2020, figures=figs, editions={t.id: "gb2019" for t in edition.tables},
                        narratives=pf.default_narratives(edition, figs, 2020))
    else:
        edition, figs = spec, pf.random_figures(spec, seed)
        printed = with_placeholders(figs, holder, seed) if holder else figs
        rep = report(spec, printed)
    figs = as_read(printed)
    pub = read_published(write(tmp_path, pf.flat_text(rep, spaces=spaces), f"p{seed}.txt"), spec)
    stated = {e: pub.stated(e) for e in ("gb2019", "gb2021")}
    unknown = pub.unknown()
    assert [c.code for c in edition.cells if c.code not in unknown
            and stated[pub.editions()[c.table]].get(c.code) != figs[c.code]] == []
    rows = {f.ref for f in pub.findings if f.code in ("pub_ambiguous", "pub_row_unreadable")}
    for u in unknown:  # every cell not read belongs to a row reported as such
        t = pub.tables[next(tid for tid, tr in pub.tables.items() if u in tr.readings)].table
        row = next(c.row_code for c in t.cells if c.code == u)
        assert any(c.code in rows for c in t.cells if c.row_code == row)


@pytest.mark.parametrize("holder", PLACEHOLDERS)
def test_placeholders_glued_between_figures(spec, tmp_path, holder):
    """Empty cells printed as a dash or slash and glued to the figures around them (…2-100710…,
    …—10——01…) read as 0 and cost no more rows than zeros would: a dash there is no minus sign
    (no cell of these rows can be negative), two dashes may be two cells, and -10- between them
    is no page footer. Where ——, itself one placeholder, is used, ———— may be two cells or
    four, and 无 glued to Chinese labels may be part of one: such rows are decided by the
    table's arithmetic or reported undecided, never guessed."""
    figs = pf.random_figures(spec, 5)
    baseline = read_published(write(tmp_path, pf.flat_text(report(spec, figs)), "zeros.txt"), spec).unknown()
    printed = with_placeholders(figs, holder, 1)
    pub = read_published(write(tmp_path, pf.flat_text(report(spec, printed)), "holders.txt"), spec)
    assert wrong(spec, pub, as_read(printed)) == []
    if holder not in ("——", "无"):
        assert pub.unknown() <= baseline
        assert any(f.code == "pub_placeholder" for f in pub.findings)


def test_a_glued_minus_stays_a_sign_where_a_cell_may_be_negative(tmp_path):
    """The 2019 layout's 本年增/减 may be negative: there a dash glued to figures (…3-25…, or the
    full-width －) is read as a sign, or the row reported -- never as an empty cell."""
    edition = load_spec("gb2019")
    seeds = [s for s in range(60) if any(v < 0 for v in pf.old_figures(s).values())][:8]
    assert seeds
    for seed in seeds:
        figs = pf.old_figures(seed)
        rep = pf.Report(year=2020, figures=figs, editions={t.id: "gb2019" for t in edition.tables},
                        narratives=pf.default_narratives(edition, figs, 2020))
        for minus in ("-", "－"):
            text = pf.flat_text(rep).replace("-", minus)
            pub = read_published(write(tmp_path, text, f"old{seed}.txt"), load_spec())
            stated = {e: pub.stated(e) for e in ("gb2019", "gb2021")}
            unknown = pub.unknown()
            assert [c.code for c in edition.cells if c.code not in unknown
                    and stated[pub.editions()[c.table]].get(c.code) != figs[c.code]] == [], (seed, minus)


def test_narrative_breaks_a_tie_and_says_so(spec, tmp_path):
    """Table 四 of seed 1 cuts several ways by its group totals; the figures the overview quotes
    (results of reviews and lawsuits) agree with one cut only: read, and reported as such."""
    figs = pf.random_figures(spec, 1)
    narr = {**pf.default_narratives(spec, figs, 2024), "overview": pf.quoting(figs)}
    path = write(tmp_path, pf.flat_text(pf.Report(figures=figs, narratives=narr)))
    pub = read_published(path, spec)
    assert wrong(spec, pub, figs) == [] and undecided(pub) == [("表二", "规章"), ("表二", "行政规范性文件")]
    [f] = [f for f in pub.findings if f.sheet == "表四"]
    assert (f.code, f.severity) == ("pub_run_together", "info") and "文字部分所述的数字（行政诉讼" in f.message
    assert audit_report(path, spec).exit_code == 1  # table 二 still ambiguous


def test_title_after_a_labelled_page_header(spec, tmp_path):
    """Chrome on the title's line (标题：…) and many words before it."""
    figs = small_figures(spec)
    text = pf.flat_text(report(spec, figs, title_split=False), chrome=False)
    chrome = "网站首页 政务公开 信息公开目录 " * 4 + "标题："
    pub = read_published(write(tmp_path, chrome + text), spec)
    assert (pub.agency, pub.year) == (pf.Report.agency, 2024)
    assert {c.code: pub.stated("gb2021").get(c.code) for c in spec.cells} == figs


def test_a_flattened_web_page(spec, tmp_path):
    """An HTML page whose report is one paragraph of running text."""
    figs = small_figures(spec)
    body = pf.flat_text(report(spec, figs), chrome=False)
    path = tmp_path / "page.html"
    path.write_text(f"<html><body><div>首页 &gt; 政务公开</div><p>{body}</p></body></html>", encoding="utf-8")
    pub = read_published(path, spec)
    assert {c.code: pub.stated("gb2021").get(c.code) for c in spec.cells} == figs


REFERENCE = Path(__file__).parent / "reference"


@pytest.mark.parametrize("name,sep,undecided_rows", [
    ("000_154e5da753eb525e.txt", "", []),
    ("000_154e5da753eb525e.txt", " ", []),
    ("huaian-2024-report.pdf.txt", "", [("表二", "规章"), ("表二", "行政规范性文件")]),  # 1011, 82666: no arithmetic
    ("huaian-2024-report.pdf.txt", " ", []),
])
def test_reference_reports_flattened(spec, tmp_path, name, sep, undecided_rows):
    """The two reference reports with every line break and indent removed (or made one space),
    page footers included: read as the original, or the exact rows reported."""
    original = read_published(REFERENCE / name, spec)
    text = re.sub(r"\s+", sep, (REFERENCE / name).read_text(encoding="utf-8"))
    pub = read_published(write(tmp_path, text), spec)
    assert (pub.agency, pub.year) == (original.agency, original.year)
    assert undecided(pub) == undecided_rows
    stated, expected = pub.stated("gb2021"), original.stated("gb2021")
    unknown = pub.unknown()
    assert {c.code: stated.get(c.code) for c in spec.cells if c.code not in unknown} == {
        c.code: expected[c.code] for c in spec.cells if c.code not in unknown}
    assert all(c.startswith(("t2_regulation", "t2_normative")) for c in unknown)


def test_a_table_whose_heading_is_not_found(spec, tmp_path):
    """二、主动公开情况 instead of the format's heading: table 二 begins at its first header label."""
    figs = small_figures(spec)
    rep = report(spec, figs, heading=lambda numeral, text: "二、主动公开工作" if numeral == "二" else text)
    pub = read_published(write(tmp_path, pf.flat_text(rep)), spec)
    assert {c.code: pub.stated("gb2021").get(c.code) for c in spec.cells} == figs


@pytest.mark.parametrize("layout", ["flat", "tab", "pdf"])
def test_a_table_of_contents_is_skipped(spec, tmp_path, layout):
    figs = small_figures(spec)
    rep = report(spec, figs)
    contents = [s.heading for s in spec.sections]
    text = pf.render(rep, layout)
    title = spec.report_title("", 2024)
    toc = "目录" + "".join(contents) if layout == "flat" else "\n目录\n" + "\n".join(contents) + "\n"
    text = text.replace(title, title + toc, 1)
    pub = read_published(write(tmp_path, text), spec)
    assert {c.code: pub.stated("gb2021").get(c.code) for c in spec.cells} == figs
    assert {k: _flat(v) for k, v in pub.narratives.items()} == {
        k: _flat(v) for k, v in pf.default_narratives(spec, figs, 2024).items()}


def test_a_long_real_report_flattened_on_one_line_reads_as_the_original(spec, tmp_path):
    """Real flattened pages are one line of tens of KB (long narratives): read in full, in
    linear time, with the same figures as the report laid out in lines."""
    original = Path(__file__).parent / "reference" / "000_154e5da753eb525e.txt"
    text = original.read_text(encoding="utf-8")
    flat = "".join(line.strip() for line in text.splitlines())
    cut = flat.index("二、")
    flat = flat[:cut] + flat[30:cut] * 12 + flat[cut:]  # section 一 ten times as long
    path = tmp_path / "flat.txt"
    path.write_text("当前位置：首页 > 政务公开 微信 微博 " + flat + " 附件下载", encoding="utf-8")
    assert len(path.read_bytes()) > 30_000 and "\n" not in path.read_text(encoding="utf-8")
    want, got = read_published(original, spec), read_published(path, spec)
    assert got.filled().values == want.filled().values
    assert (got.agency, got.year) == (want.agency, want.year)
