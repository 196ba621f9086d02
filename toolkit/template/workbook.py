"""Write the locked Excel template of one agency (optionally pre-filled) from the format data."""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.worksheet import Worksheet

from toolkit.format import compute
from toolkit.format.spec import STAMP_SHEET, Cell, Label, Spec, Table, address, col_letter, load_spec, parse_address
from toolkit.model import Agency
from toolkit.outputs.atomic import write_bytes_atomic
from toolkit.outputs.safepath import inside, safe_stem
from toolkit.pool import consume, ordered_map

DEFAULT_PASSWORD = "gkbg2021"
FONT = "宋体"
INPUT_FILL = "#FFF2B3"  # the "yellow cells" of the instructions
TOTAL_FILL = "#E7EEF7"
PASS, FAIL = "通过", "未通过"
COVER_WIDTHS = (14, 62, 12)
NARRATIVE_WIDTH = 72

INSTRUCTIONS = (
    "只填写黄色单元格；灰蓝色的“总计”单元格由公式自动计算，已锁定，请勿改动。",
    "没有发生的事项请填 0，不要留空，也不要填“/”“—”“无”或“0件”等文字。",
    "件数只能填非负整数；行政事业性收费金额以{amount_unit}为单位，可填小数。",
    "请直接键入数字，不要从其他表格复制粘贴带格式的单元格，不要插入或删除行、列、工作表。",
    "文字部分请在“{narrative_sheet}”工作表对应的大单元格内填写，可用 Alt+Enter 换行分段。",
    "填写完成后请查看下方“即时校验”，全部显示“通过”且未填写单元格为 0 后保存为 .xlsx 报送，不要设置打开密码。",
    "校验规则：{rules}",
)


def build_workbook(
    spec: Spec,
    agency: Agency,
    year: int,
    *,
    values: Mapping[str, int | float | None] | None = None,
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
    fmt = formats(wb)
    full = compute.full(spec, values)
    finish = annotate(wb) if annotate else None
    _cover(wb, fmt, spec, agency, year, values, full, contact or {}, password)
    for table in spec.tables:
        _table_sheet(wb, fmt, spec, table, agency, year, values, full, password)
    _narrative_sheet(wb, fmt, spec, narratives or {}, password)
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
                               balance.get(cell.code) or _validation(cell, spec.amount_unit))
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


def _validation(cell: Cell, unit: str) -> dict:
    what = f"收费金额（{unit}，可含小数）" if cell.type == "decimal" else "件数（非负整数）"
    return {
        "validate": "decimal" if cell.type == "decimal" else "integer",
        "criteria": ">=",
        "value": 0,
        "input_title": "请填写" + ("金额" if cell.type == "decimal" else "件数"),
        "input_message": f"{cell.row_label}／{cell.col_label}\n{what}，没有请填 0。",
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
                    "input_message": f"{cell.row_label}／{cell.col_label}\n非负整数，没有请填 0。",
                    "error_title": "请核对勾稽关系",
                    "error_message": f"{rule.description}。请核对本列各项数字（如确认无误可继续）。",
                    "error_type": "warning",
                }
    return out


# --- cover, narrative, stamp -------------------------------------------------------------


def _cover(wb, fmt, spec: Spec, agency: Agency, year: int, values, full, contact, password) -> None:
    ws = wb.add_worksheet(spec.cover_sheet)
    for i, width in enumerate(COVER_WIDTHS):
        ws.set_column(i, i, width)
    ws.merge_range(0, 0, 0, 2, spec.report_title(agency.name, year) + "　填报表", fmt["title"])
    ws.set_row(0, 36)
    ws.merge_range(1, 0, 1, 2, f"格式：{spec.name}　模板版本：{spec.version}", fmt["subtitle"])
    fixed = {spec.cover_code("agency"): agency.name, spec.cover_code("year"): f"{year}"}
    for f in spec.cover:
        ws.write_string(f.row, f.col - 1, f.label, fmt["field"])
        if f.role == "fixed":
            ws.write_string(f.row, f.col, fixed.get(f.code, ""), fmt["field_fixed"])
        else:
            text = contact.get(f.code)
            if text:
                ws.write_string(f.row, f.col, text, fmt["field_input"])
            else:
                ws.write_blank(f.row, f.col, None, fmt["field_input"])
            ws.data_validation(f.row, f.col, f.row, f.col, {
                "validate": "length", "criteria": "<=", "value": 100,
                "input_title": "请填写" + f.label, "input_message": f"请填写{f.label}。",
            })
    row = spec.cover[-1].row + 2
    ws.write_string(row, 0, "填写说明", fmt["section"])
    rules = "；".join(f"{r.id} {r.description}" for r in spec.rules if r.severity == "error")
    for i, line in enumerate(INSTRUCTIONS, 1):
        row += 1
        text = line.format(narrative_sheet=spec.narrative_sheet, rules=rules, amount_unit=spec.amount_unit)
        ws.merge_range(row, 0, row, 2, f"{i}. {text}", fmt["text"])
        ws.set_row(row, text_height(f"{i}. {text}", COVER_WIDTHS[0] + COVER_WIDTHS[1] + COVER_WIDTHS[2]))
    row += 2
    ws.write_string(row, 0, "即时校验", fmt["section"])
    ws.write_string(row, 1, "（随填写自动更新；“未通过”时请核对对应表格）", fmt["guidance"])
    for check_row, (label, description, formula, cached) in enumerate(_panel(spec, values, full), start=row + 1):
        ws.write_string(check_row, 0, label, fmt["field"])
        ws.write_string(check_row, 1, description, fmt["field_fixed"])
        ws.write_formula(check_row, 2, formula, fmt["status"], cached)
        good, bad = (("==", f'"{PASS}"'), ("!=", f'"{PASS}"')) if isinstance(cached, str) else (("==", 0), (">", 0))
        for (criteria, value), style in ((good, fmt["pass"]), (bad, fmt["fail"])):
            ws.conditional_format(check_row, 2, check_row, 2, {"type": "cell", "criteria": criteria,
                                                               "value": value, "format": style})
    _page(ws)
    ws.activate()
    _protect(ws, password)


def _panel(spec: Spec, values, full) -> list[tuple[str, str, str, object]]:
    """Live checks shown on the cover: (label, description, formula, cached result)."""
    out: list[tuple[str, str, str, object]] = []
    for rule in spec.rules:
        conds, ok = _rule_conditions(spec, rule, full)
        if conds:
            out.append((rule.id, rule.description, f'=IF(AND({",".join(conds)}),"{PASS}","{FAIL}")',
                        PASS if ok else FAIL))
    for table in spec.tables:
        rects = [_ref(table.sheet, r) for r in _input_rects(table)]
        blanks = sum(1 for c in table.inputs if values.get(c.code) is None)
        out.append((f"表{table.section}未填", f"表{table.section}中尚未填写的黄色单元格个数（应为 0；没有发生的事项请填 0）",
                    "=" + "+".join(f"COUNTBLANK({r})" for r in rects), blanks))
        texts = sum(1 for c in table.inputs if isinstance(values.get(c.code), str))
        out.append((f"表{table.section}非数字", f"表{table.section}中填了文字（如“无”“/”“—”“0件”）的单元格个数（应为 0）",
                    "=" + "+".join(f"COUNTA({r})-COUNT({r})" for r in rects), texts))
    return out


def _rule_conditions(spec: Spec, rule, full) -> tuple[list[str], bool]:
    if rule.kind == "balance":
        table = spec.table(rule.params["table"])
        conds, ok = [], True
        for col in table.col_codes:
            lhs = [table.cell(r, col) for r in rule.params["lhs"]]
            rhs = [table.cell(r, col) for r in rule.params["rhs"]]
            conds.append("+".join(_ref(c.sheet, c.address) for c in lhs) + "="
                         + "+".join(_ref(c.sheet, c.address) for c in rhs))
            ok &= sum(full[c.code] for c in lhs) == sum(full[c.code] for c in rhs)
        return conds, ok
    if rule.kind == "totals":
        table = spec.table(rule.params["table"])
        along_row = rule.params["axis"] == "row"
        conds, ok = [], True
        for cell in table.totals:
            parts = [spec.cell(c) for c in cell.sum_of]
            if along_row != all(p.row == cell.row for p in parts):
                continue
            conds.append(f"{_ref(cell.sheet, cell.address)}=SUM("
                         + ",".join(_ref(cell.sheet, r) for r in _sum_ranges(spec, cell)) + ")")
            ok &= full[cell.code] == sum(full[p.code] for p in parts)
        return conds, ok
    return [], True


def _sum_ranges(spec: Spec, cell: Cell) -> list[str]:
    return spec.formula(cell)[4:-1].split(",")


def _input_rects(table: Table) -> list[str]:
    """Input cells as few rectangles as possible: per row runs, merged down equal runs."""
    runs: dict[int, list[tuple[int, int]]] = {}
    for c in table.inputs:
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


def _ref(sheet: str, ref: str) -> str:
    return f"{quote_sheetname(sheet)}!{ref}"


def _narrative_sheet(wb, fmt, spec: Spec, narratives, password) -> None:
    ws = wb.add_worksheet(spec.narrative_sheet)
    ws.set_column(0, 0, NARRATIVE_WIDTH)
    ws.write_string(0, 0, "文字部分（报告第一、五、六部分）", fmt["title"])
    ws.set_row(0, 30)
    for n in spec.narratives:
        ws.write_string(n.row - 2, 0, n.heading, fmt["section"])
        ws.write_string(n.row - 1, 0, "填写要求：" + n.guidance, fmt["guidance"])
        ws.set_row(n.row - 1, text_height("填写要求：" + n.guidance, NARRATIVE_WIDTH, 9))
        text = narratives.get(n.code)
        if text:
            ws.write_string(n.row, n.col, text, fmt["narrative"])
        else:
            ws.write_blank(n.row, n.col, None, fmt["narrative"])
        ws.set_row(n.row, 409)  # Excel's tallest row; a longer text scrolls inside the cell
        ws.data_validation(n.row, n.col, n.row, n.col, {
            "validate": "length", "criteria": ">=", "value": 0,
            "input_title": n.heading[:32],
            "input_message": ("请在本单元格填写全文，可用 Alt+Enter 换行分段；内容较长时单元格只显示开头，"
                              "全文都会读取。" + n.guidance)[:250],
        })
    ws.set_h_pagebreaks([n.row - 2 for n in spec.narratives[1:]])  # each section starts a page
    _page(ws)
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
        attrs = [("lockStructure", 1)]
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
        master = build_workbook(spec, Agency(_ID_MARK, _NAME_MARK), year, password=password)
        self._parts: list[tuple[str, bytes, bool]] = []  # name, data, mentions the agency
        with zipfile.ZipFile(io.BytesIO(master)) as zf:
            for info in zf.infolist():
                data = zf.read(info)
                marked = _ID_MARK.encode() in data or _NAME_MARK.encode() in data
                self._parts.append((info.filename, data, marked))
        self._static = {name: _deflate(data) for name, data, marked in self._parts if not marked}

    def build(self, agency: Agency) -> bytes:
        members = []
        for name, data, marked in self._parts:
            if marked:
                data = (data.replace(_ID_MARK.encode(), xml_escape(agency.id).encode())
                        .replace(_NAME_MARK.encode(), xml_escape(agency.name).encode()))
                members.append((name, _deflate(data)))
            else:
                members.append((name, self._static[name]))
        return _zip(members)


def xml_escape(text: str) -> str:
    # The agency only appears in element text (shared strings, document properties).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, crc32, uncompressed size) of one zip member."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def _zip(members: list[tuple[str, tuple[bytes, int, int]]]) -> bytes:
    """A plain zip of pre-deflated members (dated 1980-01-01, as xlsxwriter dates them)."""
    out = io.BytesIO()
    central = []
    for name, (blob, crc, size) in members:
        fname = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(blob), size, len(fname), 0))
        out.write(fname)
        out.write(blob)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(blob), size,
                                   len(fname), 0, 0, 0, 0, 0, offset) + fname)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


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
