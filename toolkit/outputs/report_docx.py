"""The annual report as a DOCX: one agency's (``render_report``) or the sum over many
(``render_combined``).

Everything placed here comes from the format data (``toolkit.spec``): section headings, table
labels, their order and merged cells. Numbers come from the inputs with every total
recomputed (``toolkit.compute``), never from a workbook's cached formula results. Text typed
by the clerk is inserted as literal text.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from toolkit.format import compute
from toolkit.format.spec import Label, Spec, Table
from toolkit.model import Filled
from toolkit.outputs import docx_writer as dx

UNVERIFIED = "未通过校验"
EMPTY_NARRATIVE = "（未填写）"
# The combined report's two lists: a numbered row per agency (the number is added when listed).
INCLUDED_HEADING, INCLUDED_HEADER = "附：纳入汇总的单位（{n}个）", ("序号", "单位编号", "单位名称")
EXCLUDED_HEADING, EXCLUDED_HEADER = "附：未纳入汇总的单位（{n}个）", ("序号", "单位编号", "未纳入原因")

# Table text: 五号 (10.5 pt) where it fits, 小五 (9 pt) for the wide tables (三 and 四).
TABLE_STYLE, WIDE_TABLE_STYLE, WIDE_TABLE_COLS = "TableText", "TableSmall", 10
VALUE_CHARS = 3  # width of a figure column: headers wrap (商业/企业), figures fit
SHORT_LABEL_CHARS = 8  # a label column whose labels all fit on one line gets that width

# A paragraph that is only a sub-heading the clerk typed: "（一）主动公开情况" or "一、提高思想认识".
_SUBHEADING = re.compile(r"^(?:（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)[^。；！？]{1,38}[。：]?$")
# A paragraph led by a run-in sub-heading: "（一）主动公开情况。2024年，……".
_RUN_IN = re.compile(r"^（[一二三四五六七八九十]+）[^。；！？：]{1,30}[。：]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")


# --- public API --------------------------------------------------------------------------------


def render_report(spec: Spec, filled: Filled, *, unverified: bool = False) -> bytes:
    """One agency's report as DOCX bytes; ``unverified`` puts 未通过校验 (red) on every page."""
    year = filled.year if filled.year is not None else ""
    title = spec.report_title(filled.agency, year)
    body = [_title(title, filled.agency), _lead(spec, filled)]
    numbers = table_numbers(spec, filled.values)
    layouts = _layouts(spec)
    for section in spec.sections:
        body.append(dx.paragraph(dx.run(section.heading), style="Heading1"))
        if section.table:
            body.append(layouts[section.table].xml(numbers))
        if section.narrative:
            body.extend(_narrative(filled.narratives.get(section.narrative)))
    return dx.package("".join(body), title=title, header=UNVERIFIED if unverified else None)


def render_combined(spec: Spec, year: int | str, included: Sequence[Filled], excluded: list[tuple[str, str]],
                    region: str = "") -> bytes:
    """The three tables summed over ``included``, then who is included and who is not and why;
    ``region`` (北仑区) leads the title."""
    title = combined_title(spec, year, region)
    body = [_title(title, region), dx.paragraph(dx.run(combined_lead_text(year, len(included), len(excluded))))]
    numbers = table_numbers(spec, summed_values(spec, (f.values for f in included)))
    layouts = _layouts(spec)
    for section in spec.sections:
        if section.table:
            body.append(dx.paragraph(dx.run(section.heading), style="Heading1"))
            body.append(layouts[section.table].xml(numbers))
    body.append(dx.paragraph(dx.run(INCLUDED_HEADING.format(n=len(included))), style="Heading1"))
    included_rows = _list_table(INCLUDED_HEADER, included_list(included))
    excluded_head = dx.paragraph(dx.run(EXCLUDED_HEADING.format(n=len(excluded))), style="Heading1")
    excluded_rows = _list_table(EXCLUDED_HEADER, excluded)
    end = dx.paragraph("")  # a document ends with a paragraph, not a table
    # the lists are written as they are made: thousands of rows never held at once
    return dx.package(itertools.chain(body, included_rows, [excluded_head], excluded_rows, [end]), title=title)


def format_number(value) -> str:
    """A figure as printed: integers plainly, decimals as entered (12.5, never 12.500000001)."""
    if type(value) is int:
        return str(value)
    value = exact(value)
    if value is None:
        return "0"
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        return str(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def exact(value) -> int | Decimal | None:
    """An input as an exact number: floats through their shortest repr, so sums carry no noise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def table_numbers(spec: Spec, values: Mapping[str, object]) -> dict[str, str]:
    """Every table cell's printed figure by code: inputs (blank as 0) and recomputed totals."""
    inputs = {c.code: exact(values.get(c.code)) for c in spec.inputs}
    return {code: format_number(v) for code, v in compute.full(spec, inputs).items()}


def summed_values(spec: Spec, many: Iterable[Mapping[str, object]]) -> dict[str, int | Decimal]:
    """Inputs summed over several reports (blank as 0), exactly."""
    out: dict[str, int | Decimal] = {c.code: 0 for c in spec.inputs}
    for values in many:
        for code in out:
            v = exact(values.get(code))
            if v is not None:
                out[code] += v
    return out


def narrative_paragraphs(text: str | None) -> list[str]:
    """The clerk's text split into paragraphs at line breaks, blank lines dropped."""
    if not text:
        return []
    return [p.strip() for p in _LINE_BREAKS.split(text) if p.strip()]


def is_subheading(paragraph: str) -> bool:
    return bool(_SUBHEADING.match(paragraph))


def run_in_heading(paragraph: str) -> str:
    """The run-in sub-heading leading a paragraph ("（一）主动公开情况。"), or ""."""
    m = _RUN_IN.match(paragraph)
    return m.group(0) if m else ""


# --- document parts ------------------------------------------------------------------------------


def _title(title: str, agency: str) -> str:
    # The agency on its own line above "YYYY年政府信息公开工作年度报告", as published reports do.
    if agency and title.startswith(agency) and len(title) > len(agency):
        runs = dx.run(agency) + dx.line_break() + dx.run(title[len(agency):])
    else:
        runs = dx.run(title)
    return dx.paragraph(runs, style="Title")


def lead_text(spec: Spec, filled: Filled) -> str:
    """The 编制说明: legal basis, the parts, the statistics period and whom to ask."""
    year = filled.year if filled.year is not None else ""
    basis = f"{spec.law}（以下简称《条例》）和{spec.notice.title}（{spec.notice.number}）"
    parts = "、".join(s.heading.split("、", 1)[-1] for s in spec.sections)
    by = f"由{filled.agency}" if filled.agency else ""
    text = (f"本报告{by}根据{basis}要求编制。全文包括{parts}，共{spec.sections[-1].numeral}个部分。"
            f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")
    contact = [f"{f.label}：{v}" for f in spec.cover if f.role == "input"
               for v in [(filled.contact.get(f.code) or "").strip()] if v]
    if contact:
        text += f"如对本报告有疑问，请与{filled.agency or '本机关'}联系（{'，'.join(contact)}）。"
    return text


def _lead(spec: Spec, filled: Filled) -> str:
    return dx.paragraph(dx.run(lead_text(spec, filled)))


def included_list(included: Iterable[Filled]) -> Iterator[tuple[str, str]]:
    """(agency id, agency name) of each included report, as the list prints them."""
    return ((f.agency_id or "", f.agency) for f in included)


def combined_title(spec: Spec, year: int | str, region: str = "") -> str:
    return spec.report_title(region, year) + "汇总"


def combined_lead_text(year, n_in: int, n_out: int) -> str:
    text = (f"本汇总根据{n_in}个单位报送的{year}年政府信息公开工作年度报告填报表生成。"
            "表中各项数字为纳入汇总单位的合计，总计栏按合计数重新计算。"
            f"统计期限自{year}年1月1日起至{year}年12月31日止。")
    if n_out:
        text += f"另有{n_out}个单位未纳入汇总，名单及原因见文末。"
    return text


def _narrative(text: str | None) -> list[str]:
    paras = narrative_paragraphs(text)
    if not paras:
        return [dx.paragraph(dx.run(EMPTY_NARRATIVE))]
    out = []
    for p in paras:
        if is_subheading(p):
            out.append(dx.paragraph(dx.run(p), style="Heading2"))
            continue
        lead = run_in_heading(p)
        if lead:  # the run-in heading in 楷体, the rest of the paragraph in the body face
            out.append(dx.paragraph(dx.run(lead, font=dx.KAITI) + dx.run(p[len(lead):])))
        else:
            out.append(dx.paragraph(dx.run(p)))
    return out


def _list_table(header: tuple[str, str, str], rows: Iterable[tuple[str, str]]) -> Iterator[str]:
    """Numbered rows of two texts, as XML pieces made one row at a time."""
    numbered = ((str(i), str(a), str(b)) for i, (a, b) in enumerate(rows, 1))
    return dx.list_table(header, numbered, _scale([900, 2800, 5144], dx.TEXT_WIDTH), aligns=("center", "left", "left"),
                         style=TABLE_STYLE)


# --- the official tables, laid out once per format ----------------------------------------------


_LAYOUTS: dict[int, tuple[Spec, dict[str, dx.TableLayout]]] = {}


def _layouts(spec: Spec) -> dict[str, dx.TableLayout]:
    # Keyed by identity (the spec is held, so its id stays unique): equal specs loaded twice
    # would otherwise be compared field by field on every lookup.
    hit = _LAYOUTS.get(id(spec))
    if hit is None:
        hit = _LAYOUTS[id(spec)] = (spec, {t.id: _table_layout(t) for t in spec.tables})
    return hit[1]


def _table_layout(table: Table) -> dx.TableLayout:
    style = WIDE_TABLE_STYLE if table.width >= WIDE_TABLE_COLS else TABLE_STYLE
    boxes = [_label_box(table, lb) for lb in table.labels]
    boxes += [dx.Box(c.row - table.top, c.col, 1, c.colspan, slot=c.code) for c in table.cells]
    # Rows of labels only (a block's title and header) stay with the figures below them. The
    # header repeats on a new page only for a one-block table: block (一)'s header over block
    # (八)'s figures (table 二) would mislabel them, and each block has its own title anyway.
    label_rows = set(range(table.bottom - table.top + 1)) - {c.row - table.top for c in table.cells}
    one_block = len({c.block for c in table.cells}) == 1
    return dx.table_layout(boxes, _widths(table, dx.TABLE_STYLES[style][0]), style=style,
                           header_rows=len(table.header_rows) if one_block else 0, keep_with_next=label_rows)


def _label_box(table: Table, lb: Label) -> dx.Box:
    return dx.Box(lb.row - table.top, lb.col, lb.rowspan, lb.colspan, text=lb.text,
                  align="left" if lb.kind == "row" else "center", vertical=is_vertical_label(lb),
                  bold=lb.kind == "title")


def is_vertical_label(lb: Label) -> bool:
    """A tall label in a one-character column (三、本年度办理结果) reads top to bottom."""
    return lb.kind == "row" and lb.colspan == 1 and lb.rowspan > 3 and lb.col == 0


def _widths(table: Table, half_pt: int) -> list[int]:
    """Column widths from the labels, filling the type area: a vertical label column one
    character wide, short label columns one character wider than their longest label, value columns alike
    (three characters), and what is left to the long label columns."""
    char = half_pt * 10  # one CJK character, in twips
    pad = 2 * dx.CELL_MARGIN
    value_cols = [c for c in range(table.width)
                  if any(cell.col <= c < cell.col + cell.colspan for cell in table.cells)]
    single = [lb for lb in table.labels if lb.colspan == 1]
    fixed: dict[int, int] = {}
    long_cols: list[int] = []
    for col in range(table.width):
        if col in value_cols:
            continue
        labels = [lb for lb in single if lb.col == col]
        longest = max((len(lb.text) for lb in labels), default=1)
        if labels and all(is_vertical_label(lb) for lb in labels):
            fixed[col] = char + pad + 100
        elif longest <= SHORT_LABEL_CHARS:
            fixed[col] = (longest + 1) * char + pad
        else:
            long_cols.append(col)
    free = dx.TEXT_WIDTH - sum(fixed.values())
    value_w = VALUE_CHARS * char + pad
    if long_cols:
        rest = _scale([1] * len(long_cols), max(free - value_w * len(value_cols), 2 * char + pad))
        widths = {**fixed, **dict(zip(long_cols, rest)), **{c: value_w for c in value_cols}}
    else:
        widths = {**fixed, **dict(zip(value_cols, _scale([1] * len(value_cols), free)))}
    out = [widths[c] for c in range(table.width)]
    return out if sum(out) <= dx.TEXT_WIDTH else _scale(out, dx.TEXT_WIDTH)


def _scale(widths: list[int], total: int) -> list[int]:
    out = [w * total // sum(widths) for w in widths]
    out[-1] += total - sum(out)
    return out
