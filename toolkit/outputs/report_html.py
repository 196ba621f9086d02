"""The annual report as one self-contained HTML page, for the website: the same format data and
words as the DOCX (``toolkit.outputs.report_docx``), laid out as semantic HTML5.

No external asset and no script: the style sheet is inline, with print rules for A4. The official
tables keep their merged cells (rowspan/colspan), each table's section heading is its
``<caption>``, and every label is a ``<th>`` with its scope. Every text from a workbook is
escaped: a narrative reading ``<script>`` prints as those characters.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence

from toolkit.format.spec import Label, Spec, Table
from toolkit.model import Filled
from toolkit.outputs import docx_writer as dx
from toolkit.outputs.report_docx import (
    EMPTY_NARRATIVE,
    EXCLUDED_HEADER,
    EXCLUDED_HEADING,
    INCLUDED_HEADER,
    INCLUDED_HEADING,
    UNVERIFIED,
    WIDE_TABLE_COLS,
    combined_lead_text,
    combined_title,
    included_list,
    is_subheading,
    is_vertical_label,
    lead_text,
    narrative_paragraphs,
    run_in_heading,
    summed_values,
    table_numbers,
)

# Characters HTML forbids in text (controls, noncharacters, lone surrogates): dropped, as the DOCX does.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def _family(font: str, *fallbacks: str) -> str:
    names = [font, dx.ALT_NAMES.get(font, font), *fallbacks]
    return ", ".join(f'"{n}"' for n in dict.fromkeys(names))


# The DOCX's typography (3号 仿宋 body, 2号 小标宋 title, 黑体 and 楷体 headings, 五号/小五 tables).
_BODY = _family(dx.FANGSONG, "FangSong", "STFangsong", "Noto Serif CJK SC") + ", serif"
_CSS = f"""
body {{ font-family: {_BODY}; font-size: {dx.BODY_HALF_PT / 2}pt; line-height: 1.8; color: #000; background: #fff;
  max-width: 160mm; margin: 2em auto; padding: 0 1em; }}
h1 {{ font-family: {_family(dx.XIAOBIAOSONG, "SimSun", "Noto Serif CJK SC")}, serif; font-size: {dx.TITLE_HALF_PT / 2}pt;
  font-weight: bold; text-align: center; line-height: 1.5; margin: 0 0 1em; }}
h2 {{ font-family: {_family(dx.HEITI, "SimHei", "Noto Sans CJK SC")}, sans-serif; font-size: {dx.BODY_HALF_PT / 2}pt; font-weight: normal;
  text-indent: 2em; margin: 0; }}
h3, .run-in {{ font-family: {_family(dx.KAITI, "KaiTi", "STKaiti")}, {_BODY}; font-weight: normal; }}
h3 {{ font-size: {dx.BODY_HALF_PT / 2}pt; text-indent: 2em; margin: 0; }}
caption {{ text-align: left; line-height: 1.8; }}
p {{ text-indent: 2em; text-align: justify; margin: 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: {dx.TABLE_STYLES["TableText"][0] / 2}pt; line-height: 1.4;
  margin: 0 0 1em; }}
table.wide {{ font-size: {dx.TABLE_STYLES["TableSmall"][0] / 2}pt; }}
th, td {{ border: 1px solid #000; padding: 0.2em 1mm; font-weight: normal; text-align: center; vertical-align: middle; }}
th[scope="row"] {{ text-align: left; }}
th.title {{ font-weight: bold; }}
th.vertical {{ writing-mode: vertical-rl; text-orientation: upright; width: 1.5em; }}
td.list {{ text-align: left; }}
.unverified {{ color: #f00; text-align: right; font-family: {_family(dx.HEITI, "SimHei")}, sans-serif; }}
nav ul {{ list-style: none; padding: 0; }}
@media print {{
  @page {{ size: A4; margin: 37mm 26mm 35mm 28mm; }}
  body {{ max-width: none; margin: 0; padding: 0; }}
  tr {{ break-inside: avoid; }}
  thead {{ display: table-header-group; }}
  h1, h2, h3, caption {{ break-after: avoid; }}
  .unverified {{ position: fixed; top: 0; right: 0; }}
  a {{ color: inherit; text-decoration: none; }}
}}
"""


def text(value: object) -> str:
    """Any text as HTML: forbidden characters dropped, markup characters escaped."""
    return html.escape(_INVALID.sub("", str(value)), quote=True)


def page(title: str, body: Iterable[str], *, heading: str | None = None) -> Iterator[str]:
    """A whole HTML5 document, in pieces (long lists are never held as one string twice)."""
    yield ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f"<title>{text(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n")
    yield heading if heading is not None else f"<h1>{text(title)}</h1>\n"
    yield from body
    yield "</body>\n</html>\n"


def encode(pieces: Iterable[str]) -> bytes:
    return "".join(pieces).encode("utf-8")


# --- public API --------------------------------------------------------------------------------


def render_report_html(spec: Spec, filled: Filled, *, unverified: bool = False) -> bytes:
    """One agency's report as a UTF-8 HTML page; ``unverified`` marks it 未通过校验."""
    year = filled.year if filled.year is not None else ""
    title = spec.report_title(filled.agency, year)
    body = [f'<p class="unverified" role="note">{text(UNVERIFIED)}</p>\n'] if unverified else []
    body.append(f"<p>{text(lead_text(spec, filled))}</p>\n")
    numbers = table_numbers(spec, filled.values)
    for section in spec.sections:
        body.append("<section>\n")
        if section.table:
            body.append(table_html(spec.table(section.table), numbers, section.heading))
        else:
            body.append(f"<h2>{text(section.heading)}</h2>\n")
        if section.narrative:
            body.extend(_narrative(filled.narratives.get(section.narrative)))
        body.append("</section>\n")
    return encode(page(title, body, heading=_title(title, filled.agency)))


def render_combined_html(spec: Spec, year: int | str, included: Sequence[Filled], excluded: list[tuple[str, str]],
                         region: str = "") -> bytes:
    """The combined report as an HTML page: the summed tables, then the two lists."""
    title = combined_title(spec, year, region)
    body = [f"<p>{text(combined_lead_text(year, len(included), len(excluded)))}</p>\n"]
    numbers = table_numbers(spec, summed_values(spec, (f.values for f in included)))
    for section in spec.sections:
        if section.table:
            body.append(f"<section>\n{table_html(spec.table(section.table), numbers, section.heading)}</section>\n")
    lists = itertools.chain(
        list_table(INCLUDED_HEADING.format(n=len(included)), INCLUDED_HEADER, included_list(included)),
        list_table(EXCLUDED_HEADING.format(n=len(excluded)), EXCLUDED_HEADER, excluded))
    return encode(page(title, itertools.chain(body, lists), heading=_title(title, region)))


# --- parts ---------------------------------------------------------------------------------------


def _title(title: str, lead: str) -> str:
    # As in the DOCX: the agency (or region) on its own line above "YYYY年…报告".
    if lead and title.startswith(lead) and len(title) > len(lead):
        return f"<h1>{text(lead)}<br>{text(title[len(lead):])}</h1>\n"
    return f"<h1>{text(title)}</h1>\n"


def _narrative(raw: str | None) -> list[str]:
    paras = narrative_paragraphs(raw)
    if not paras:
        return [f"<p>{text(EMPTY_NARRATIVE)}</p>\n"]
    out = []
    for p in paras:
        lead = "" if is_subheading(p) else run_in_heading(p)
        if is_subheading(p):
            out.append(f"<h3>{text(p)}</h3>\n")
        elif lead:
            out.append(f'<p><span class="run-in">{text(lead)}</span>{text(p[len(lead):])}</p>\n')
        else:
            out.append(f"<p>{text(p)}</p>\n")
    return out


def list_table(heading: str, header: Sequence[str], rows: Iterable[tuple[str, str]], empty: str = "无") -> Iterator[str]:
    """A numbered list of two texts per row under a header, one row at a time."""
    cols = "".join(f'<th scope="col">{text(h)}</th>' for h in header)
    yield f"<section>\n<table>\n<caption><h2>{text(heading)}</h2></caption>\n<thead><tr>{cols}</tr></thead>\n<tbody>\n"
    n = 0
    for n, (a, b) in enumerate(rows, 1):
        yield f'<tr><td>{n}</td><td class="list">{text(a)}</td><td class="list">{text(b)}</td></tr>\n'
    if not n:
        yield f'<tr><td colspan="{len(header)}">{text(empty)}</td></tr>\n'
    yield "</tbody>\n</table>\n</section>\n"


def table_html(table: Table, numbers: dict[str, str], heading: str) -> str:
    """An official table: its labels and figures on the sheet's grid, merged cells as spans.
    A one-block table's header rows are its ``<thead>`` (repeated on printed pages); a table of
    several blocks (表二) gets one ``<tbody>`` per block, each led by its title row."""
    nrows = table.bottom - table.top + 1
    starts: dict[tuple[int, int], str] = {}
    covered: set[tuple[int, int]] = set()
    for lb in table.labels:
        starts[(lb.row - table.top, lb.col)] = _label_cell(lb)
        covered |= {(r - table.top, c) for r in range(lb.row, lb.row + lb.rowspan)
                    for c in range(lb.col, lb.col + lb.colspan)}
    for cell in table.cells:
        span = f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
        starts[(cell.row - table.top, cell.col)] = f"<td{span}>{text(numbers[cell.code])}</td>"
        covered |= {(cell.row - table.top, c) for c in range(cell.col, cell.col + cell.colspan)}
    rows = []
    for r in range(nrows):
        cells = [starts.get((r, c)) or ("" if (r, c) in covered else "<td></td>") for c in range(table.width)]
        rows.append(f"<tr>{''.join(cells)}</tr>\n")
    one_block = len({c.block for c in table.cells}) == 1
    wide = ' class="wide"' if table.width >= WIDE_TABLE_COLS else ""
    out = [f"<table{wide}>\n<caption><h2>{text(heading)}</h2></caption>\n"]
    if one_block:
        head = len(table.header_rows)
        out += ["<thead>\n", *rows[:head], "</thead>\n<tbody>\n", *rows[head:], "</tbody>\n"]
    else:
        block_starts = sorted({lb.row - table.top for lb in table.labels if lb.kind == "title"} | {0})
        for a, b in zip(block_starts, [*block_starts[1:], nrows]):
            out += ["<tbody>\n", *rows[a:b], "</tbody>\n"]
    out.append("</table>\n")
    return "".join(out)


def _label_cell(lb: Label) -> str:
    spans = (f' rowspan="{lb.rowspan}"' if lb.rowspan > 1 else "") + (f' colspan="{lb.colspan}"' if lb.colspan > 1 else "")
    if lb.kind == "row":
        scope, cls = "row", "vertical" if is_vertical_label(lb) else ""
    else:
        scope, cls = ("colgroup" if lb.colspan > 1 else "col"), ("title" if lb.kind == "title" else "")
    klass = f' class="{cls}"' if cls else ""
    return f'<th scope="{scope}"{spans}{klass}>{"<br>".join(text(t) for t in lb.text.split(chr(10)))}</th>'
