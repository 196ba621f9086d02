"""Write the locked Excel template of one agency (optionally pre-filled) from the format data."""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.worksheet import Worksheet

from toolkit.format import compute
from toolkit.format.spec import NARRATIVE_ROW_CHARS, STAMP_SHEET, Cell, Label, Spec, Table, address, col_letter, load_spec, parse_address
from toolkit.model import Agency, Number, clean_name
from toolkit.outputs.atomic import write_bytes_atomic
from toolkit.outputs.safepath import inside, safe_stem
from toolkit.outputs.zipwrite import deflated_member, zip_of_deflated
from toolkit.pool import consume, ordered_map
from toolkit.template import panel
from toolkit.template.marks import mark_table
from toolkit.template.ranges import absolute, input_rects
from toolkit.template.wording import cell_name

DEFAULT_PASSWORD = "gkbg2021"
FONT = "宋体"
INPUT_FILL = "#FFF2B3"  # the "yellow cells" of the instructions
TOTAL_FILL = "#E7EEF7"
COVER_WIDTHS = (10, 50, 9, 30)  # 表格, 要求, 状态, 需核对
STARTED_COL = 5  # hidden: how many inputs hold anything (0 = an untouched template)
NARRATIVE_WIDTH = 72
MARK_RED, MARK_ORANGE = "#FF9999", "#FFC67A"

# The clerk's guide on the cover (docs/clerk-guide.md says the same at more length).
GUIDE = (
    "只填写黄色单元格；灰蓝色的“总计”由公式自动计算并已锁定。不要插入或删除行、列、工作表，不要从其他表格复制粘贴带格式的单元格。",
    "没有发生的事项填 0，不要留空。快速填 0：用鼠标选中一片黄色单元格（只选黄色的，选到灰蓝色的总计会被拒绝），"
    "键入 0，Excel、WPS 按 Ctrl+Enter，LibreOffice 按 Alt+Enter，选中的单元格一次全部填为 0；"
    "Excel、WPS 可按住 Ctrl 一次选几片，LibreOffice 一次只能选一片，逐片填。再把实际发生的数字改上去。"
    "各表的黄色区域：{input_ranges}。",
    "件数填非负整数；行政事业性收费金额以{amount_unit}为单位，可填小数。不要填“/”“—”“无”“0件”等文字，也不要填公式。",
    "文字部分在“{narrative_sheet}”工作表对应的黄色大单元格中填写（可从 Word 中复制文字粘贴到单元格的编辑栏里）；"
    "单元格内换行分段：Excel、WPS 按 Alt+Enter，LibreOffice 按 Ctrl+Enter。第六部分须写明信息处理费收取情况（未收取也要写明）。",
    "随时查看上方“即时校验”：橙色是尚未填写的单元格，红色是数字或文字不对的单元格；“需核对”一栏写明是哪一列、哪一行或哪一组。",
    "“即时校验”全部“通过”、结论为“可以报送”后，保存为 .xlsx 报送（不要另存为 .xls 或 .et，不要设置打开密码）。",
    "填报单位和报告年度由汇总单位预先填好；联系人和联系电话请在“{cover_sheet}”上方填写。",
)


def build_workbook(
    spec: Spec,
    agency: Agency,
    year: int,
    *,
    values: Mapping[str, Number | None] | None = None,
    narratives: Mapping[str, str] | None = None,
    contact: Mapping[str, str] | None = None,
    password: str = DEFAULT_PASSWORD,
    annotate: Callable[[xlsxwriter.Workbook], Callable[[], None]] | None = None,
) -> bytes:
    """The template as xlsx bytes. ``values``/``narratives``/``contact`` pre-fill inputs
    (import, samples, benchmarks); totals always carry correct cached results. ``annotate``
    (feedback) is called with the workbook before any sheet is added, and what it returns
    once every sheet is written."""
    values = dict(values or {})
    buf = io.BytesIO()
    wb = _ProtectedWorkbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    wb.structure_password = password
    wb.set_properties({"title": spec.report_title(agency.name, year), "company": agency.name,
                       "comments": f"{spec.id} {spec.version}"})
    fmt = {**formats(wb), **_clerk_formats(wb)}
    full = compute.full(spec, values)
    filled = panel.Filled(values, narratives or {}, contact or {})
    finish = annotate(wb) if annotate else None
    _cover(wb, fmt, spec, agency, year, filled, full, password)
    for table in spec.tables:
        _table_sheet(wb, fmt, spec, table, agency, year, values, full, password)
    _narrative_sheet(wb, fmt, spec, agency, year, narratives or {}, password)
    _stamp_sheet(wb, spec, agency, year, password)
    _defined_names(wb, spec)
    if finish:
        finish()
    wb.close()
    return buf.getvalue()


def write_template(path: Path, spec: Spec, agency: Agency, year: int, **kw) -> Path:
    write_bytes_atomic(path, build_workbook(spec, agency, year, **kw))
    return path


# --- formats ------------------------------------------------------------------------------


def formats(wb) -> dict:
    base = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "text_wrap": True}
    boxed = {**base, "border": 1}

    def f(*parts: dict, **kw):
        merged: dict = {}
        for part in (*parts, kw):
            merged.update(part)
        return wb.add_format(merged)

    return {
        "title": f(base, bold=True, font_size=16, align="center"),
        "subtitle": f(base, align="center", font_color="#444444"),
        "head": f(boxed, bold=True, align="center"),
        "corner": f(boxed, align="center", font_size=9),
        "label": f(boxed, align="left"),
        "label_center": f(boxed, align="center"),
        "vertical": f(boxed, align="center", rotation=270),
        "input_int": f(boxed, align="right", num_format="0", bg_color=INPUT_FILL, locked=False),
        "input_dec": f(boxed, align="right", num_format="General", bg_color=INPUT_FILL, locked=False),
        "total": f(boxed, align="right", num_format="0", bold=True, bg_color=TOTAL_FILL),
        "text": f(base, align="left", valign="top"),
        "guidance": f(base, align="left", font_color="#555555", font_size=9),
        "section": f(base, bold=True, font_size=12),
        "field": f(boxed, bold=True, align="left"),
        "field_fixed": f(boxed, align="left"),
        "field_input": f(boxed, align="left", bg_color=INPUT_FILL, locked=False),
        "narrative": f(boxed, align="left", valign="top", bg_color=INPUT_FILL, locked=False, font_size=11),
        "status": f(boxed, align="center", bold=True),
        "pass": wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"}),
        "fail": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "stamp": f(font_name=FONT),
    }


def _clerk_formats(wb) -> dict:
    """Formats of the template only (the summary workbook shares ``formats``)."""
    return {
        "detail": wb.add_format({"font_name": FONT, "font_size": 9, "valign": "vcenter", "text_wrap": True,
                                 "border": 1, "font_color": "#9C0006"}),
        "blank": wb.add_format({"bg_color": "#E0E0E0", "font_color": "#595959"}),
        "red": wb.add_format({"bg_color": MARK_RED}),
        "orange": wb.add_format({"bg_color": MARK_ORANGE}),
    }


FOOTER_NAME_CHARS = 60  # Excel refuses a header or footer over 255 characters


def footer_name(name: str) -> str:
    """The agency as the footer's codes spell it: ``&`` doubled (a lone one starts a code),
    controls dropped and line breaks flattened, long names cut to keep the footer within
    Excel's limit."""
    name = clean_name(name)
    if len(name) > FOOTER_NAME_CHARS:
        name = name[: FOOTER_NAME_CHARS - 1] + "…"
    return name.replace("&", "&&")


def _footer(ws, agency: Agency) -> None:
    """Agency, sheet and page number on every printed page. The reader leaves <headerFooter> out
    of a sheet's skeleton, so the agency here does not stop `check` reading a whole roster by
    the plans it made for the first workbook."""
    ws.set_footer(f"&L{footer_name(agency.name)}&C&A&R第 &P 页，共 &N 页")


def _protect(ws, password: str) -> None:
    ws.protect(password, {"select_locked_cells": True, "select_unlocked_cells": True,
                          "format_columns": True, "format_rows": True})


def _page(ws, landscape: bool = False) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.fit_to_pages(1, 0)


# --- table sheets ---------------------------------------------------------------------------


def _table_sheet(wb, fmt, spec: Spec, table: Table, agency: Agency, year: int, values, full, password) -> None:
    ws = wb.add_worksheet(table.sheet)
    who, when = (spec.cover_field(spec.cover_code(m)).label for m in ("agency", "year"))
    table_frame(ws, fmt, table, table.heading, f"{who}：{agency.name}　　{when}：{year}年")
    balance = _balance_guard(spec, table)
    for cell in table.cells:
        if cell.role == "total":
            write_value(ws, cell, "=" + spec.formula(cell), fmt["total"], cached=full[cell.code])
        else:
            v = values.get(cell.code)
            style = fmt["input_dec" if cell.type == "decimal" else "input_int"]
            write_value(ws, cell, v, style)
            ws.data_validation(cell.row, cell.col, cell.row, cell.col,
                               balance.get(cell.code) or _validation(table, cell, spec.amount_unit))
    mark_table(ws, spec, table, fmt["red"], fmt["orange"])
    ws.freeze_panes(table.header_rows[-1] + 1, 0)
    ws.repeat_rows(0, table.header_rows[-1])  # the heading and the agency line on every page
    _footer(ws, agency)
    _protect(ws, password)


def table_frame(ws, fmt, table: Table, heading: str, subtitle: str) -> None:
    """Everything of an official table but its numbers: heading, labels, widths, heights, print setup."""
    last_col = table.width - 1
    ws.merge_range(0, 0, 0, last_col, heading, fmt["title"])
    ws.merge_range(1, 0, 1, last_col, subtitle, fmt["subtitle"])
    ws.set_row(0, 30)
    widths = _column_widths(table)
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    for label in table.labels:
        _write_label(ws, fmt, label)
    _row_heights(ws, table, widths)
    ws.repeat_rows(table.header_rows[0], table.header_rows[-1])
    _page(ws, landscape=table.width >= 10)
    ws.print_area(0, 0, table.bottom, last_col)


def _column_widths(table: Table) -> list[float]:
    """Widths from the labels: long row labels wrap at 36, a tall one-column label is vertical."""
    widths = [9.0] * table.width
    label_cols = {lb.col for lb in table.labels if lb.kind == "row"}
    for col in label_cols:
        texts = [lb for lb in table.labels if lb.kind == "row" and lb.col == col and lb.colspan == 1]
        if texts and all(_is_vertical(lb) for lb in texts):
            widths[col] = 4.5
        elif texts:
            widths[col] = min(36, max(2.2 * len(lb.text) for lb in texts if not _is_vertical(lb)) + 2)
        else:
            widths[col] = 4.5
    for lb in table.labels:  # value columns: fit single-column headers, wrapping long ones
        if lb.kind == "header" and lb.colspan == 1 and lb.col not in label_cols:
            widths[lb.col] = max(widths[lb.col], min(11, 2.2 * len(lb.text) + 1))
    if table.width <= 4:  # a narrow table (表二) may be generous
        widths = [max(w, 20) if i == 0 else max(w, 16) for i, w in enumerate(widths)]
    return widths


def _is_vertical(label: Label) -> bool:
    return label.kind == "row" and label.colspan == 1 and label.rowspan > 3 and label.col == 0


def _write_label(ws, fmt, label: Label) -> None:
    if label.kind == "row":
        style = fmt["vertical"] if _is_vertical(label) else fmt["label"]
    elif label.kind == "corner":
        style = fmt["corner"]
    else:
        style = fmt["head"]
    if label.rowspan == 1 and label.colspan == 1:
        ws.write_string(label.row, label.col, label.text, style)
    else:
        ws.merge_range(label.row, label.col, label.row + label.rowspan - 1, label.col + label.colspan - 1,
                       label.text, style)


def write_value(ws, cell: Cell, content, style, cached=0) -> None:
    """A number, a blank or a formula (with its cached result) at a cell, merged if it spans."""
    if cell.colspan > 1:
        ws.merge_range(cell.row, cell.col, cell.row, cell.col + cell.colspan - 1, None, style)
    value = content
    if isinstance(value, str) and value.startswith("="):
        ws.write_formula(cell.row, cell.col, value, style, cached)
    elif value is None:
        ws.write_blank(cell.row, cell.col, None, style)
    else:
        ws.write_number(cell.row, cell.col, value, style)


def _row_heights(ws, table: Table, widths: list[float]) -> None:
    """Tall enough for every wrapped label; a merged label shares its height over its rows."""
    need: dict[int, float] = {}
    for lb in table.labels:
        if _is_vertical(lb):
            continue
        width = sum(widths[lb.col:lb.col + lb.colspan])
        per_row = text_height(lb.text, width, 9 if lb.kind == "corner" else 10) / lb.rowspan
        for r in range(lb.row, lb.row + lb.rowspan):
            need[r] = max(need.get(r, 0.0), per_row)
    for r, h in need.items():
        if h > 16:
            ws.set_row(r, h)


def text_height(text: str, width: float, size: float = 10) -> float:
    """Points needed for ``text`` wrapped in a column ``width`` characters wide
    (a CJK character takes two width units)."""
    lines = 0
    for para in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in para) * size / 10
        lines += max(1, math.ceil(units / max(width - 1, 1)))
    return lines * size * 1.45 + 3


def _validation(table: Table, cell: Cell, unit: str) -> dict:
    what = f"收费金额（{unit}，可含小数）" if cell.type == "decimal" else "件数（非负整数）"
    return {
        "validate": "decimal" if cell.type == "decimal" else "integer",
        "criteria": ">=",
        "value": 0,
        "input_title": "请填写" + ("金额" if cell.type == "decimal" else "件数"),
        "input_message": f"{cell_name(table, cell)}\n{what}，没有请填 0。",
        "error_title": "输入有误",
        "error_message": f"此处只能填{what}，不能填文字或负数；没有请填 0。",
        "error_type": "stop",
    }


def _balance_guard(spec: Spec, table: Table) -> dict[str, dict]:
    """Warning-style validations derived from balance rules (R1), on the right-hand input
    rows that a clerk types last (四、结转下年度): the clerk is warned but may continue."""
    out: dict[str, dict] = {}
    for rule in spec.rules:
        if rule.kind != "balance" or rule.params["table"] != table.id:
            continue
        for col in table.col_codes:
            lhs = [table.cell(r, col).address for r in rule.params["lhs"]]
            rhs = [table.cell(r, col).address for r in rule.params["rhs"]]
            for r in rule.params["rhs"]:
                cell = table.cell(r, col)
                if cell.role != "input":
                    continue
                a = cell.address
                out[cell.code] = {
                    "validate": "custom",
                    "value": f"=AND(ISNUMBER({a}),{a}>=0,{a}=INT({a}),{'+'.join(lhs)}={'+'.join(rhs)})",
                    "ignore_blank": True,
                    "input_title": "请填写件数",
                    "input_message": f"{cell_name(table, cell)}\n非负整数，没有请填 0。",
                    "error_title": "请核对勾稽关系",
                    "error_message": f"{rule.description}。请核对本列各项数字（如确认无误可继续）。",
                    "error_type": "warning",
                }
    return out


# --- cover, narrative, stamp -------------------------------------------------------------


def _cover(wb, fmt, spec: Spec, agency: Agency, year: int, filled: panel.Filled, full, password) -> None:
    ws = wb.add_worksheet(spec.cover_sheet)
    last = len(COVER_WIDTHS) - 1
    for i, width in enumerate(COVER_WIDTHS):
        ws.set_column(i, i, width)
    ws.set_column(STARTED_COL, STARTED_COL, None, None, {"hidden": True})
    ws.merge_range(0, 0, 0, last, spec.report_title(agency.name, year) + "　填报表", fmt["title"])
    ws.set_row(0, 36)
    ws.merge_range(1, 0, 1, last, f"格式：{spec.name}　模板版本：{spec.version}", fmt["subtitle"])
    fixed = {spec.cover_code("agency"): agency.name, spec.cover_code("year"): f"{year}"}
    for f in spec.cover:
        ws.write_string(f.row, f.col - 1, f.label, fmt["field"])
        if f.role == "fixed":
            ws.write_string(f.row, f.col, fixed.get(f.code, ""), fmt["field_fixed"])
        else:
            text = filled.contact.get(f.code)
            if text:
                ws.write_string(f.row, f.col, text, fmt["field_input"])
            else:
                ws.write_blank(f.row, f.col, None, fmt["field_input"])
            ws.data_validation(f.row, f.col, f.row, f.col, {
                "validate": "length", "criteria": "<=", "value": 100,
                "input_title": "请填写" + f.label, "input_message": f"请填写{f.label}。",
            })
    row = _panel(ws, fmt, spec, filled, full, _panel_top(spec))
    ws.write_string(row + 1, 0, "填写指南", fmt["section"])
    row += 1
    for i, line in enumerate(GUIDE, 1):
        row += 1
        text = f"{i}. " + _guide_line(spec, line)
        ws.merge_range(row, 0, row, last, text, fmt["text"])
        ws.set_row(row, text_height(text, sum(COVER_WIDTHS)))
    _page(ws)
    _footer(ws, agency)
    ws.activate()
    _protect(ws, password)


def _guide_line(spec: Spec, line: str) -> str:
    ranges = "；".join(f"表{t.section} " + "、".join(input_rects(t.inputs)) for t in spec.tables)
    return line.format(narrative_sheet=spec.narrative_sheet, cover_sheet=spec.cover_sheet, input_ranges=ranges,
                       amount_unit=spec.amount_unit)


def _panel_top(spec: Spec) -> int:
    """The panel's title row: its header row follows, then its lines."""
    return spec.cover[-1].row + 2


def _panel(ws, fmt, spec: Spec, filled: panel.Filled, full, top: int) -> int:
    """The live check panel from sheet row ``top``; returns its last row."""
    ws.write_string(top, 0, "即时校验", fmt["section"])
    ws.merge_range(top, 1, top, len(COVER_WIDTHS) - 1,
                   "随填写自动更新。全部“通过”、结论为“可以报送”后再报送；“未通过”的项目请按“需核对”一栏到对应表格修改"
                   "（红色、橙色的单元格）。", fmt["guidance"])
    ws.set_row(top, 26)
    for col, head in enumerate(("表格", "要求", "状态", "需核对")):
        ws.write_string(top + 1, col, head, fmt["head"])
    started = absolute(address(top + 1, STARTED_COL))
    n_started = filled.started(spec)
    ws.write_formula(top + 1, STARTED_COL, "=" + panel.started_formula(spec), None, n_started)
    lines = panel.lines(spec, filled, full)
    first = top + 2
    statuses = []
    for r, line in enumerate(lines, start=first):
        ws.write_string(r, 0, line.where, fmt["field"])
        ws.write_string(r, 1, line.text, fmt["field_fixed"])
        statuses.append(panel.status(line.cached, n_started))
        ws.write_formula(r, 2, "=" + panel.status_formula(address(r, 3), started), fmt["status"], statuses[-1])
        ws.write_formula(r, 3, "=" + line.detail, fmt["detail"], line.cached)
        ws.set_row(r, max(16, text_height(line.text, COVER_WIDTHS[1])))
    last = first + len(lines) - 1
    overall = last + 1
    ws.write_string(overall, 0, "结论", fmt["field"])
    ws.write_string(overall, 1, "以上各项全部通过", fmt["field"])
    status_range = absolute(f"{address(first, 2)}:{address(last, 2)}")
    ws.write_formula(overall, 2, "=" + panel.overall_formula(status_range, len(lines), started), fmt["status"],
                     panel.overall(statuses, n_started))
    ws.write_blank(overall, 3, None, fmt["detail"])
    ws.set_row(overall, 22)
    for value, style in ((panel.PASS, "pass"), (panel.READY, "pass"), (panel.FAIL, "fail"),
                         (panel.NOT_READY, "fail"), (panel.BLANK, "blank")):
        ws.conditional_format(first, 2, overall, 2, {"type": "cell", "criteria": "==", "value": f'"{value}"',
                                                      "format": fmt[style]})
    return overall


def panel_rows(spec: Spec) -> dict[str, tuple[int, int]]:
    """Where each panel line's status and detail are: key -> (0-based row, status column); the
    overall line is ``"overall"``. For tests and tools reading a recalculated cover."""
    first = _panel_top(spec) + 2
    keys = [line.key for line in panel.lines(spec, panel.Filled({}, {}, {}), compute.full(spec, {}))]
    rows = {key: (first + i, 2) for i, key in enumerate(keys)}
    rows["overall"] = (first + len(keys), 2)
    return rows


def _narrative_sheet(wb, fmt, spec: Spec, agency: Agency, year: int, narratives, password) -> None:
    ws = wb.add_worksheet(spec.narrative_sheet)
    ws.set_column(0, 0, NARRATIVE_WIDTH)
    ws.write_string(0, 0, "文字部分（报告第一、五、六部分）", fmt["title"])
    ws.write_string(1, 0, f"填报单位：{agency.name}　　报告年度：{year}年", fmt["subtitle"])
    ws.set_row(0, 30)
    ws.repeat_rows(0, 1)  # the agency on every printed page
    for n in spec.narratives:
        ws.write_string(n.row - 2, 0, n.heading, fmt["section"])
        ws.write_string(n.row - 1, 0, "填写要求：" + n.guidance, fmt["guidance"])
        ws.set_row(n.row - 1, text_height("填写要求：" + n.guidance, NARRATIVE_WIDTH, 9))
        # One cell merged over enough of Excel's tallest rows (409 pt) to show the section's
        # real length whole; spreadsheet programs print such a cell across page breaks.
        if n.rows > 1:
            ws.merge_range(n.row, n.col, n.row + n.rows - 1, n.col, None, fmt["narrative"])
        text = narratives.get(n.code)
        if text:
            ws.write_string(n.row, n.col, text, fmt["narrative"])
        else:
            ws.write_blank(n.row, n.col, None, fmt["narrative"])
        for r in range(n.row, n.row + n.rows):
            ws.set_row(r, 409)
        ws.data_validation(n.row, n.col, n.row, n.col, {
            "validate": "length", "criteria": ">=", "value": 0,
            "input_title": n.heading[:32],
            "input_message": ("请在本单元格填写全文，换行分段：Excel、WPS 按 Alt+Enter，LibreOffice 按 Ctrl+Enter；"
                              f"本格可显示约 {n.rows * NARRATIVE_ROW_CHARS} 字，更长的全文也都会读取。"
                              + n.guidance)[:250],
        })
    ws.set_h_pagebreaks([n.row - 2 for n in spec.narratives[1:]])  # each section starts a page
    _page(ws)
    _footer(ws, agency)
    _protect(ws, password)


def _stamp_sheet(wb, spec: Spec, agency: Agency, year: int, password) -> None:
    ws = wb.add_worksheet(STAMP_SHEET)
    stamp = stamp_values(spec, agency, year)
    for i, (k, v) in enumerate(stamp.items()):
        ws.write_string(i, 0, k)
        ws.write_string(i, 1, str(v))
    ws.very_hidden()
    _protect(ws, password)


def stamp_values(spec: Spec, agency: Agency, year: int) -> dict[str, str]:
    return {
        "template_id": spec.id,
        "template_version": spec.version,
        "agency_id": agency.id,
        "agency": agency.name,
        "year": str(year),
        "layout_hash": spec.layout_hash,
    }


def _defined_names(wb, spec: Spec) -> None:
    def name(code: str, sheet: str, ref: str) -> None:
        r, c = parse_address(ref)
        wb.define_name(code, f"={quote_sheetname(sheet)}!${col_letter(c)}${r + 1}")

    for cell in spec.cells:
        name(cell.code, cell.sheet, cell.address)
    for n in spec.narratives:
        name(n.code, n.sheet, n.address)
    for f in spec.cover:
        name(f.code, f.sheet, f.address)


class _ProtectedWorkbook(xlsxwriter.Workbook):
    """xlsxwriter has no workbook-structure protection: emit <workbookProtection> right after
    <workbookPr>, where the schema wants it (a narrow hook on xlsxwriter's XML writer; a test
    checks the element and its place)."""

    structure_password: str = ""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        attrs: list[tuple[str, object]] = [("lockStructure", 1)]
        if self.structure_password:
            attrs.insert(0, ("workbookPassword", _legacy_hash(self.structure_password)))
        self._xml_empty_tag("workbookProtection", attrs)


def _legacy_hash(password: str) -> str:
    # The 16-bit hash of ECMA-376 Part 1 18.2.29, exactly as xlsxwriter hashes sheet passwords.
    return Worksheet._encode_password(None, password)


# --- many agencies at once -----------------------------------------------------------------
# A roster's templates differ only in the agency's id and name. The fast path builds the
# workbook once with placeholders, pre-compresses every part that does not mention the agency,
# and per agency only substitutes and compresses the few parts that do (a test checks that its
# output equals build_workbook's, part by part).

_ID_MARK, _NAME_MARK = "\u2983AGENCYID\u2984", "\u2983AGENCYNAME\u2984"


class TemplateStamper:
    """Blank templates for one (spec, year, password), one agency at a time."""

    def __init__(self, spec: Spec, year: int, password: str = DEFAULT_PASSWORD):
        self.spec, self.year, self.password = spec, year, password
        master = build_workbook(spec, Agency(_ID_MARK, _NAME_MARK), year, password=password)
        self._parts: list[tuple[str, bytes, bool]] = []  # name, data, mentions the agency
        with zipfile.ZipFile(io.BytesIO(master)) as zf:
            for info in zf.infolist():
                data = zf.read(info)
                marked = _ID_MARK.encode() in data or _NAME_MARK.encode() in data
                self._parts.append((info.filename, data, marked))
        self._static = {name: deflated_member(data) for name, data, marked in self._parts if not marked}

    def build(self, agency: Agency) -> bytes:
        if clean_name(agency.name) != agency.name:  # controls, or spaces to tidy: xlsxwriter spells them
            return build_workbook(self.spec, agency, self.year, password=self.password)
        members = []
        for name, data, marked in self._parts:
            if marked:  # a sheet names the agency in its footer only, spelt as footers spell it
                shown = footer_name(agency.name) if name.startswith("xl/worksheets/") else agency.name
                data = (data.replace(_ID_MARK.encode(), xml_escape(agency.id).encode())
                        .replace(_NAME_MARK.encode(), xml_escape(shown).encode()))
                members.append((name, deflated_member(data)))
            else:
                members.append((name, self._static[name]))
        return zip_of_deflated(members)


def xml_escape(text: str) -> str:
    # The agency only appears in element text (shared strings, document properties).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_STAMPERS: dict[tuple[str, int, str], TemplateStamper] = {}


def _write_one(job: tuple) -> str:
    edition, path, agency, year, password = job
    key = (edition, year, password)
    if key not in _STAMPERS:  # one master per worker process
        _STAMPERS[key] = TemplateStamper(load_spec(edition), year, password)
    write_bytes_atomic(Path(path), _STAMPERS[key].build(agency))
    return path


def write_templates(spec: Spec, agencies: list[Agency], year: int, out: Path, *,
                    password: str = DEFAULT_PASSWORD, workers: int | None = None,
                    progress=None) -> list[Path]:
    """One template per agency as ``out/<agency-id>.xlsx``, on a process pool for long rosters;
    the returned paths follow the roster's order whatever the number of workers."""
    jobs = [(spec.id, str(inside(out, f"{safe_stem(a.id)}.xlsx")), a, year, password) for a in agencies]
    done = ordered_map(_write_one, jobs, workers=workers, min_items=64, max_chunk=256)
    return [Path(p) for p in consume(done, progress and (lambda p: progress(Path(p))))]
