"""The DOCX report read back with python-docx and compared with the data it was made from:
every table label, span and number, every narrative paragraph, the typography settings."""

from __future__ import annotations

import io
import random
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from faults import balanced_report

from toolkit.model import Filled
from toolkit.outputs.report_docx import render_combined, render_report

REFERENCE = Path(__file__).parent / "reference"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- reading a DOCX back -------------------------------------------------------------------------


def blocks(data: bytes) -> list[tuple]:
    """The body in order: ("p", style id, text) and ("tbl", element)."""
    doc = docx.Document(io.BytesIO(data))
    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            style = el.find(f"{W}pPr/{W}pStyle")
            out.append(("p", style.get(qn("w:val")) if style is not None else "Normal", _text(el)))
        elif el.tag == qn("w:tbl"):
            out.append(("tbl", el))
    return out


def _text(el) -> str:
    parts = []
    for node in el.iter(f"{W}t", f"{W}tab", f"{W}br"):
        parts.append(node.text or "" if node.tag == f"{W}t" else ("\t" if node.tag == f"{W}tab" else "\n"))
    return "".join(parts)


def grid(tbl) -> tuple[dict[tuple[int, int], dict], int]:
    """Grid position -> {text, colspan, vmerge ('restart' | 'continue' | None)}."""
    out = {}
    rows = tbl.findall(f"{W}tr")
    for r, tr in enumerate(rows):
        c = 0
        for tc in tr.findall(f"{W}tc"):
            pr = tc.find(f"{W}tcPr")
            span = pr.find(f"{W}gridSpan")
            vm = pr.find(f"{W}vMerge")
            colspan = int(span.get(qn("w:val"))) if span is not None else 1
            out[(r, c)] = {
                "text": "\n".join(_text(p) for p in tc.findall(f"{W}p")),
                "colspan": colspan,
                "vmerge": None if vm is None else (vm.get(qn("w:val")) or "continue"),
            }
            c += colspan
    return out, len(rows)


def tables(data: bytes) -> list:
    return [b[1] for b in blocks(data) if b[0] == "tbl"]


def paragraphs_between(bl: list[tuple], heading: str) -> list[tuple[str, str]]:
    """(style, text) of the paragraphs after a Heading1 up to the next heading or table."""
    i = next(i for i, b in enumerate(bl) if b[0] == "p" and b[1] == "Heading1" and b[2] == heading)
    out = []
    for b in bl[i + 1:]:
        if b[0] == "tbl" or b[1] == "Heading1":
            break
        out.append((b[1], b[2]))
    return out


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("转结", "结转")


# --- fixtures ------------------------------------------------------------------------------------


def filled_random(spec, seed: int = 7) -> Filled:
    rng = random.Random(seed)
    values = {c.code: rng.randint(0, 999) for c in spec.inputs}
    values["t2_fee_amount"] = 12.5
    values["t3_new_research"] = None  # blank prints as 0
    return Filled(
        agency="测试市测试局", year=2024, agency_id="test-bureau", values=values,
        narratives={
            "overview": "本年度工作概述。\n（一）主动公开情况\n主动公开信息100条。\r\n\n　　（二）依申请公开情况。全年收到申请5件。",
            "problems": "一是公开不够及时。\n二是形式单一。",
            "other_matters": "本机关未收取信息处理费。",
        },
        contact={"meta_contact": "张三", "meta_phone": "0517-83605210"},
    )


@pytest.fixture(scope="module")
def sample(spec):
    f = filled_random(spec)
    return f, render_report(spec, f)


# --- tables --------------------------------------------------------------------------------------


def expected_numbers(spec, values) -> dict[str, str]:
    """Independently of the renderer: inputs as given, totals as the plain sum of their parts."""
    def value(code):
        cell = spec.cell(code)
        if cell.role == "total":
            return sum(value(c) for c in cell.sum_of)
        return values.get(code) or 0

    return {c.code: str(value(c.code)) for c in spec.cells}


def test_tables_follow_the_spec_layout_and_carry_the_numbers(spec, sample):
    f, data = sample
    expected = expected_numbers(spec, f.values)
    expected["t2_fee_amount"] = "12.5"
    docx_tables = tables(data)
    assert len(docx_tables) == len(spec.tables)
    for table, tbl in zip(spec.tables, docx_tables):
        g, nrows = grid(tbl)
        assert nrows == table.bottom - table.top + 1
        covered = set()
        for lb in table.labels:
            r, c = lb.row - table.top, lb.col
            assert g[(r, c)]["text"] == lb.text, (table.id, lb)
            assert g[(r, c)]["colspan"] == lb.colspan, (table.id, lb)
            assert g[(r, c)]["vmerge"] == ("restart" if lb.rowspan > 1 else None), (table.id, lb)
            for below in range(r + 1, r + lb.rowspan):
                assert g[(below, c)] == {"text": "", "colspan": lb.colspan, "vmerge": "continue"}, (table.id, lb)
            if (r + lb.rowspan, c) in g:
                assert g[(r + lb.rowspan, c)]["vmerge"] != "continue"
            covered |= {(rr, cc) for rr in range(r, r + lb.rowspan) for cc in range(c, c + lb.colspan)}
        for cell in table.cells:
            r = cell.row - table.top
            assert g[(r, cell.col)] == {"text": expected[cell.code], "colspan": cell.colspan, "vmerge": None}, cell.code
            covered |= {(r, cc) for cc in range(cell.col, cell.col + cell.colspan)}
        assert covered == {(r, c) for r in range(nrows) for c in range(table.width)}


def test_table_three_vertical_label_and_header_rows(spec, sample):
    _, data = sample
    t3 = spec.table("t3")
    tbl = tables(data)[[t.id for t in spec.tables].index("t3")]
    rows = tbl.findall(f"{W}tr")
    for i, tr in enumerate(rows):
        assert tr.find(f"{W}trPr/{W}cantSplit") is not None
        assert (tr.find(f"{W}trPr/{W}tblHeader") is not None) == (i < len(t3.header_rows))
    tall = [lb for lb in t3.labels if lb.rowspan == 22]
    assert [lb.text for lb in tall] == ["三、本年度办理结果"]
    first = rows[tall[0].row - t3.top].findall(f"{W}tc")[0]
    assert first.find(f"{W}tcPr/{W}textDirection").get(qn("w:val")) == "tbRl"
    widths = [int(gc.get(qn("w:w"))) for gc in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    sec = docx.Document(io.BytesIO(data)).sections[0]
    assert sum(widths) <= docx.shared.Length(sec.page_width - sec.left_margin - sec.right_margin).twips  # the 156 mm type area
    assert min(widths) >= 2 * 57 + 180  # a 9 pt character fits in every column


def test_decimals_print_as_entered_and_sums_are_exact(spec):
    f1 = Filled(agency="甲", year=2024, agency_id="a", values={"t2_fee_amount": 0.1, "t3_new_natural": 3.0})
    f2 = Filled(agency="乙", year=2024, agency_id="b", values={"t2_fee_amount": 0.2, "t3_new_natural": 2})
    f3 = Filled(agency="丙", year=2024, agency_id="c", values={"t2_fee_amount": Decimal("96171.60")})
    def cell_text(data, code):
        cell = spec.cell(code)
        table = next(t for t in spec.tables if t.id == cell.table)
        g, _ = grid(tables(data)[spec.tables.index(table)])
        return g[(cell.row - table.top, cell.col)]["text"]

    assert cell_text(render_report(spec, f1), "t2_fee_amount") == "0.1"
    assert cell_text(render_report(spec, f1), "t3_new_natural") == "3"
    assert cell_text(render_report(spec, f1), "t3_new_total") == "3"
    assert cell_text(render_report(spec, f3), "t2_fee_amount") == "96171.6"
    combined = render_combined(spec, 2024, [f1, f2], [])
    assert cell_text(combined, "t2_fee_amount") == "0.3"  # not 0.30000000000000004
    assert cell_text(combined, "t3_new_natural") == "5"
    assert cell_text(combined, "t3_closed_total_total") == "0"


# --- text ----------------------------------------------------------------------------------------


def test_title_lead_and_sections_in_official_order(spec, sample):
    f, data = sample
    bl = blocks(data)
    assert bl[0][:2] == ("p", "Title")
    assert bl[0][2].replace("\n", "") == spec.report_title(f.agency, f.year)
    lead = bl[1][2]
    for part in ("《中华人民共和国政府信息公开条例》", "国办公开办函〔2021〕30号", "六个部分",
                 "自2024年1月1日起至2024年12月31日止", "联系人：张三", "联系电话：0517-83605210"):
        assert part in lead
    for s in spec.sections:
        assert s.heading.split("、", 1)[1] in lead
    headings = [b[2] for b in bl if b[0] == "p" and b[1] == "Heading1"]
    assert headings == [s.heading for s in spec.sections]
    # each table right after its heading
    for s in spec.sections:
        if s.table:
            i = next(i for i, b in enumerate(bl) if b[0] == "p" and b[2] == s.heading)
            assert bl[i + 1][0] == "tbl"


def test_narratives_split_at_line_breaks_with_subheadings_verbatim(spec, sample):
    f, data = sample
    bl = blocks(data)
    heading = {s.narrative: s.heading for s in spec.sections if s.narrative}
    assert paragraphs_between(bl, heading["overview"]) == [
        ("Normal", "本年度工作概述。"),
        ("Heading2", "（一）主动公开情况"),
        ("Normal", "主动公开信息100条。"),
        ("Normal", "（二）依申请公开情况。全年收到申请5件。"),
    ]
    assert paragraphs_between(bl, heading["problems"]) == [("Normal", "一是公开不够及时。"), ("Normal", "二是形式单一。")]
    assert paragraphs_between(bl, heading["other_matters"]) == [("Normal", "本机关未收取信息处理费。")]
    # the run-in heading of the last overview paragraph is set in 楷体, the rest in the body face
    doc = docx.Document(io.BytesIO(data))
    p = next(p for p in doc.paragraphs if p.text.startswith("（二）依申请公开情况"))
    assert p.runs[0].text == "（二）依申请公开情况。"
    assert p.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"


def test_clerk_text_stays_literal(spec):
    hostile = "{PAGE} <b>粗体</b> =1+1 a\tb \\t & \"引号\" ]]> \x01控制符"
    f = Filled(agency="<机关> & {PAGE}", year=2024, agency_id="x", narratives={"overview": hostile},
               contact={"meta_contact": "=HYPERLINK(\"x\")"})
    data = render_report(spec, f)
    bl = blocks(data)
    paras = paragraphs_between(bl, spec.sections[0].heading)
    assert paras == [("Normal", hostile.replace("\x01", ""))]
    assert bl[0][2].startswith("<机关> & {PAGE}")
    assert "联系人：=HYPERLINK(\"x\")" in bl[1][2]
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "instrText" not in document and "fldSimple" not in document and "fldChar" not in document
    assert "<b>" not in document


def test_blank_narrative_is_marked_not_dropped(spec):
    data = render_report(spec, Filled(agency="甲", year=2024, agency_id="a"))
    for s in spec.sections:
        if s.narrative:
            assert paragraphs_between(blocks(data), s.heading) == [("Normal", "（未填写）")]


# --- typography and the unverified mark ----------------------------------------------------------


def test_page_setup_fonts_and_page_numbers(spec, sample):
    _, data = sample
    z = zipfile.ZipFile(io.BytesIO(data))
    doc = docx.Document(io.BytesIO(data))
    sec = doc.sections[0]
    assert (sec.page_width.mm, sec.page_height.mm) == (pytest.approx(210, abs=0.1), pytest.approx(297, abs=0.1))
    assert sec.top_margin.mm == pytest.approx(37, abs=0.1)
    assert sec.left_margin.mm == pytest.approx(28, abs=0.1)
    assert sec.right_margin.mm == pytest.approx(26, abs=0.1)
    assert sec.bottom_margin.mm == pytest.approx(35, abs=0.1)
    styles = z.read("word/styles.xml").decode()
    assert "Theme" not in styles  # no theme fonts to override the East Asian names
    defaults = re.search(r"<w:docDefaults>.*</w:docDefaults>", styles).group(0)
    assert 'w:eastAsia="仿宋_GB2312"' in defaults
    normal = doc.styles["Normal"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.font.size.pt == 16
    assert doc.styles["Title"].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert doc.styles["Title"].font.size.pt == 22
    assert doc.styles["heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert doc.styles["heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    for footer in (sec.footer, sec.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in xml and " —" in xml
        assert footer.paragraphs[0].style.name == "Footer"
    assert doc.styles["footer"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert doc.styles["footer"].font.size.pt == 14
    assert doc.settings.odd_and_even_pages_header_footer
    assert "header" not in " ".join(z.namelist())


def test_unverified_marks_every_page_header_in_red(spec):
    f = filled_random(spec)
    data = render_report(spec, f, unverified=True)
    doc = docx.Document(io.BytesIO(data))
    sec = doc.sections[0]
    for header in (sec.header, sec.even_page_header):
        assert not header.is_linked_to_previous
        assert header.paragraphs[0].text == "未通过校验"
        assert header.paragraphs[0].runs[0].font.color.rgb == docx.shared.RGBColor(0xFF, 0, 0)
    assert not sec.different_first_page_header_footer  # the first page uses the same header


# --- the combined report -------------------------------------------------------------------------


def test_combined_sums_included_and_lists_both(spec):
    a, b = filled_random(spec, 1), filled_random(spec, 2)
    b.agency, b.agency_id = "另一局", "other"
    data = render_combined(spec, 2024, [a, b], [("bad-1", "表三 R1 勾稽关系不成立"), ("late", "未报送")])
    summed = {c.code: (a.values.get(c.code) or 0) + (b.values.get(c.code) or 0) for c in spec.inputs}
    expected = expected_numbers(spec, summed)
    expected["t2_fee_amount"] = "25"
    docx_tables = tables(data)
    for table, tbl in zip(spec.tables, docx_tables):
        g, _ = grid(tbl)
        for cell in table.cells:
            assert g[(cell.row - table.top, cell.col)]["text"] == expected[cell.code], cell.code
    bl = blocks(data)
    assert bl[0][2] == "2024年政府信息公开工作年度报告汇总"
    headings = [x[2] for x in bl if x[0] == "p" and x[1] == "Heading1"]
    assert headings[:3] == [s.heading for s in spec.sections if s.table]
    included, excluded = docx_tables[3], docx_tables[4]
    gi, ni = grid(included)
    assert ni == 3 and [gi[(r, 2)]["text"] for r in (1, 2)] == ["测试市测试局", "另一局"]
    ge, ne = grid(excluded)
    assert ne == 3 and [(ge[(r, 1)]["text"], ge[(r, 2)]["text"]) for r in (1, 2)] == [
        ("bad-1", "表三 R1 勾稽关系不成立"), ("late", "未报送")]


# --- a real report: 北仑区传媒中心 2023 ------------------------------------------------------------


def beilun_reference() -> dict:
    """Sections, narrative paragraphs and table cell texts of the published page's text."""
    lines = (REFERENCE / "000_154e5da753eb525e.txt").read_text(encoding="utf-8").splitlines()
    text_lines = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("\t")]

    def after(start: str, stop: str | None) -> list[str]:
        i = text_lines.index(start)
        j = text_lines.index(stop) if stop else len(text_lines)
        return text_lines[i + 1:j]

    tables_, current = [], None
    for ln in lines:
        if ln.startswith("\t"):
            if current is None:
                current = []
                tables_.append(current)
            if ln.strip():
                current.append(ln.strip())
        elif ln.strip():
            current = None
    return {
        "overview": after("一、总体情况", "主动公开政府信息情况"),
        "problems": after("五、存在的主要问题及改进情况", "六、其他需要报告的事项"),
        "other_matters": after("六、其他需要报告的事项", None),
        "tables": tables_,
        "headings": [ln for ln in text_lines if ln in ("一、总体情况", "主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                                                         "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                                                         "六、其他需要报告的事项")],
    }


def test_beilun_2023_report_reproduced(spec):
    ref = beilun_reference()
    f = Filled(agency="北仑区传媒中心", year=2023, agency_id="beilun-media",
               values={c.code: 0 for c in spec.inputs},
               narratives={k: "\n".join(ref[k]) for k in ("overview", "problems", "other_matters")})
    data = render_report(spec, f)
    bl = blocks(data)
    assert bl[0][2] == "北仑区传媒中心\n2023年政府信息公开工作年度报告"
    assert "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止" in bl[1][2]
    headings = [b[2] for b in bl if b[0] == "p" and b[1] == "Heading1"]
    strip = lambda h: h.split("、", 1)[1] if h[1:2] == "、" else h  # noqa: E731 (the page drops 二、)
    assert [strip(h) for h in headings] == [strip(h) for h in ref["headings"]]
    heading = {s.narrative: s.heading for s in spec.sections if s.narrative}
    for code in ("overview", "problems", "other_matters"):
        got = [norm(t) for _, t in paragraphs_between(bl, heading[code])]
        assert got == [norm(t) for t in ref[code]], code
    # the clerk's sub-headings "一、提高思想认识……" are kept verbatim, as second-level headings
    styles = dict((t, s) for s, t in paragraphs_between(bl, heading["overview"]))
    assert styles["一、提高思想认识，压实信息公开责任"] == "Heading2"
    # every table: the same labels and figures, in the same reading order, as the published page
    assert len(ref["tables"]) == 3
    for tbl, ref_cells in zip(tables(data), ref["tables"]):
        g, nrows = grid(tbl)
        got = [norm(v["text"]) for (r, c), v in sorted(g.items()) if v["vmerge"] != "continue" and v["text"]]
        assert got == [norm(t) for t in ref_cells]


# --- the command: a workbook in, a DOCX out --------------------------------------------------------


def balanced_values(spec, seed: int = 3) -> dict:
    """Random figures that satisfy every rule (faults.balanced_report), the fee 3.75 万元."""
    return {**balanced_report(spec, random.Random(seed))["values"], "t2_fee_amount": 3.75}


def write_workbook(spec, path: Path, values: dict, agency=("jiangbei-bureau", "江北区某局")) -> Path:
    from toolkit.model import Agency
    from toolkit.template.workbook import build_workbook

    path.write_bytes(build_workbook(
        spec, Agency(*agency), 2024, values=values,
        narratives={"overview": "2024年，本局主动公开政府信息。\n（一）主动公开情况\n全年收到申请若干件。",
                    "problems": "一是公开不够及时。", "other_matters": "本机关未收取信息处理费。"},
        contact={"meta_contact": "李四", "meta_phone": "0574-87654321"}))
    return path


def test_report_command_renders_the_workbook_data(spec, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from toolkit.cli import app

    values = balanced_values(spec)
    (tmp_path / "in").mkdir()
    src = write_workbook(spec, tmp_path / "in" / "filled.xlsx", values)
    before = src.read_bytes()
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["report", str(src)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "jiangbei-bureau.docx"
    data = out.read_bytes()
    assert src.read_bytes() == before
    expected = expected_numbers(spec, values)
    expected["t2_fee_amount"] = "3.75"
    for table, tbl in zip(spec.tables, tables(data)):
        g, _ = grid(tbl)
        for cell in table.cells:
            assert g[(cell.row - table.top, cell.col)]["text"] == expected[cell.code], cell.code
    bl = blocks(data)
    assert bl[0][2] == "江北区某局\n2024年政府信息公开工作年度报告"
    assert "联系人：李四" in bl[1][2] and "联系电话：0574-87654321" in bl[1][2]
    assert paragraphs_between(bl, spec.sections[0].heading) == [
        ("Normal", "2024年，本局主动公开政府信息。"), ("Heading2", "（一）主动公开情况"), ("Normal", "全年收到申请若干件。")]
    assert "未通过校验" not in _all_xml(data)


def _all_xml(data: bytes) -> str:
    z = zipfile.ZipFile(io.BytesIO(data))
    return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))


def test_report_command_refuses_errors_unless_forced(spec, tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    values = balanced_values(spec)
    values["t3_carried_out_natural"] += 1  # breaks R1 in the 自然人 column
    src = write_workbook(spec, tmp_path / "bad.xlsx", values)
    out = tmp_path / "out" / "bad.docx"
    res = CliRunner().invoke(app, ["report", str(src), "-o", str(out)])
    assert res.exit_code == 1
    assert "R1" in res.output and "D30" in res.output and "--force" in res.output
    assert not out.exists()
    res = CliRunner().invoke(app, ["report", str(src), "-o", str(out), "--force"])
    assert res.exit_code == 0, res.output
    doc = docx.Document(str(out))
    assert doc.sections[0].header.paragraphs[0].text == "未通过校验"
    # the document shows what was typed, totals recomputed from it
    cell = spec.cell("t3_carried_out_natural")
    t3 = spec.table("t3")
    g, _ = grid(tables(out.read_bytes())[spec.tables.index(t3)])
    assert g[(cell.row - t3.top, cell.col)]["text"] == str(values["t3_carried_out_natural"])


def test_report_command_never_overwrites_its_input(spec, tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    src = write_workbook(spec, tmp_path / "same.xlsx", balanced_values(spec))
    before = src.read_bytes()
    res = CliRunner().invoke(app, ["report", str(src), "-o", str(src)])
    assert res.exit_code == 2
    assert src.read_bytes() == before
    res = CliRunner().invoke(app, ["report", str(tmp_path / "missing.xlsx")])
    assert res.exit_code == 2 and "找不到文件" in res.output


def test_report_command_rejects_an_unreadable_file(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    src = tmp_path / "not-a-workbook.xlsx"
    src.write_bytes(b"this is not a zip")
    res = CliRunner().invoke(app, ["report", str(src), "-o", str(tmp_path / "x.docx")])
    assert res.exit_code == 1
    assert not (tmp_path / "x.docx").exists()


def test_block_titles_stay_with_their_figures_and_only_one_block_headers_repeat(spec, sample):
    _, data = sample
    for table, tbl in zip(spec.tables, tables(data)):
        data_rows = {c.row - table.top for c in table.cells}
        one_block = len({c.block for c in table.cells}) == 1
        for i, tr in enumerate(tbl.findall(f"{W}tr")):
            keeps = {p.find(f"{W}pPr/{W}keepNext") is not None for p in tr.iter(f"{W}p")}
            assert keeps == {i not in data_rows}, (table.id, i)
            repeats = tr.find(f"{W}trPr/{W}tblHeader") is not None
            assert repeats == (one_block and i < len(table.header_rows)), (table.id, i)
    assert not any(tr.find(f"{W}trPr/{W}tblHeader") is not None
                   for tr in tables(data)[0].findall(f"{W}tr"))  # table 二: four blocks, no repeat


def test_a_report_is_the_same_bytes_whenever_it_is_made(spec, monkeypatch):
    """Fixed member times: a collection run again, or with another number of workers, writes
    byte-identical reports (with and without the 未通过校验 header)."""
    from toolkit.outputs import docx_writer as docx_fast

    filled = filled_random(spec, seed=3)
    before = [render_report(spec, filled), render_report(spec, filled, unverified=True)]
    monkeypatch.setattr(zipfile.time, "time", lambda: 2_000_000_000.0)  # zipfile's clock, a later day
    docx_fast._static_zip.cache_clear()
    assert [render_report(spec, filled), render_report(spec, filled, unverified=True)] == before
