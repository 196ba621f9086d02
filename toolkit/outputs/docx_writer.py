"""A small, fast WordprocessingML writer: paragraphs, runs and tables as XML strings, and the
package (styles, settings, page-number footers, optional header) around them.

Why not python-docx: its ``Table.cell()`` rebuilds the grid on every call, and loading its
default template plus saving costs more than a whole report should (collect renders one DOCX
per workbook). The static parts below are built once; a report is one string join and a zip.

Typography follows GB/T 9704-2012 (党政机关公文格式): A4, type area 156 × 225 mm, body 3号
仿宋, title 2号 小标宋, headings 黑体 / 楷体, page numbers "— 1 —" in 4号 宋体, single pages
right-aligned and double pages left-aligned, one character in from the edge.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from toolkit.outputs import zipwrite

# --- typography ------------------------------------------------------------------------------

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
# Where an agency's machine lacks a GB2312 font, Word may use the alternative named here.
ALT_NAMES = {FANGSONG: "仿宋", KAITI: "楷体", XIAOBIAOSONG: "宋体"}

TWIPS_PER_MM = 1440 / 25.4
PAGE_W, PAGE_H = 11906, 16838  # A4
MARGIN_TOP, MARGIN_BOTTOM = round(37 * TWIPS_PER_MM), round(35 * TWIPS_PER_MM)
MARGIN_LEFT, MARGIN_RIGHT = round(28 * TWIPS_PER_MM), round(26 * TWIPS_PER_MM)
TEXT_WIDTH = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
HEADER_DIST = round(15 * TWIPS_PER_MM)
FOOTER_DIST = round(24 * TWIPS_PER_MM)  # puts the page number about 7 mm below the type area
BODY_HALF_PT = 32  # 3号 = 16 pt
TITLE_HALF_PT = 44  # 2号 = 22 pt
PAGE_NO_HALF_PT = 28  # 4号 = 14 pt
LINE_TWIPS = 579  # 22 lines in the 225 mm type area (28.95 pt)
CELL_MARGIN = 57  # 1 mm left/right inside table cells
RED = "FF0000"
# Table text styles: id -> (size in half-points, leading as a multiple of the size). Exact
# leading, because CJK fonts' own line height (~1.45) would make table 三 spill over a page.
TABLE_STYLES = {"TableText": (21, 1.6), "TableSmall": (18, 1.3)}  # 五号 and 小五

# Characters XML 1.0 cannot carry: dropped rather than corrupting the document.
_PLAIN = re.compile(r"[0-9A-Za-z.\-]+")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_xml(text: str) -> str:
    """Literal text as run content: escaped, tabs as <w:tab/>, never interpreted."""
    if _PLAIN.fullmatch(text):  # figures: nothing to escape (the common case, ~400 per report)
        return f"<w:t>{text}</w:t>"
    text = _INVALID_XML.sub("", text)
    parts = text.split("\t")
    out = []
    for i, part in enumerate(parts):
        if i:
            out.append("<w:tab/>")
        if part:
            out.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
    return "".join(out)


def fonts_xml(font: str) -> str:
    return f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}" w:hint="eastAsia"/>'


def run(text: str, *, font: str | None = None, half_pt: int | None = None, bold: bool = False,
        color: str | None = None) -> str:
    props = []
    if font:
        props.append(fonts_xml(font))
    if bold:
        props.append("<w:b/><w:bCs/>")
    if color:
        props.append(f'<w:color w:val="{color}"/>')
    if half_pt:
        props.append(f'<w:sz w:val="{half_pt}"/><w:szCs w:val="{half_pt}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    return f"<w:r>{rpr}{text_xml(text)}</w:r>"


def line_break() -> str:
    return "<w:r><w:br/></w:r>"


def paragraph(runs: str, *, style: str | None = None, align: str | None = None, keep_next: bool = False,
              extra_ppr: str = "") -> str:
    props = []
    if style:
        props.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        props.append("<w:keepNext/>")
    props.append(extra_ppr)
    if align:
        props.append(f'<w:jc w:val="{align}"/>')
    ppr = "".join(props)
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{runs}</w:p>"


# --- tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """One cell of a table grid: a merged area with its text, or a value slot (``slot`` set)."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str = ""
    align: str = "center"
    vertical: bool = False  # text runs top to bottom (a tall, one-character-wide label)
    bold: bool = False
    slot: str | None = None  # filled per document: the value's key


@dataclass(frozen=True)
class TableLayout:
    """A table's XML split into static fragments and value slots, built once per format."""

    parts: tuple[str | tuple[str, str], ...]  # str = static XML; (slot, paragraph start) = a value

    def xml(self, values: dict[str, str]) -> str:
        return "".join(p if isinstance(p, str) else f"{p[1]}{text_xml(values[p[0]])}</w:r></w:p>"
                       for p in self.parts)


def table_layout(boxes: list[Box], widths: list[int], *, style: str = "TableText", header_rows: int = 0,
                 keep_with_next: Iterable[int] = ()) -> TableLayout:
    """Lay boxes on a grid (rowspan as vMerge, colspan as gridSpan) and pre-render the XML.

    Every grid position must be covered by exactly one box. Text uses one of TABLE_STYLES.
    Rows never split across pages; the first ``header_rows`` rows repeat on each page; they and
    the rows in ``keep_with_next`` (e.g. a block's title) stay with the row below, and through
    the heading's keepNext the table's start stays with its heading. Whole
    tables are not kept together: LibreOffice chains such a table to whatever follows it and
    pushes both to a new page, leaving half a page blank."""
    if style not in TABLE_STYLES:
        raise ValueError(f"unknown table style {style!r}")
    nrows = max(b.row + b.rowspan for b in boxes)
    ncols = len(widths)
    cover: dict[tuple[int, int], Box] = {}
    for b in boxes:
        for r in range(b.row, b.row + b.rowspan):
            for c in range(b.col, b.col + b.colspan):
                if (r, c) in cover:
                    raise ValueError(f"table boxes overlap at row {r}, column {c}")
                cover[(r, c)] = b
    missing = [(r, c) for r in range(nrows) for c in range(ncols) if (r, c) not in cover]
    if missing:
        raise ValueError(f"table grid has holes at {missing[:5]}")

    keep = set(keep_with_next)
    parts: list[str | tuple[str, str]] = [_tbl_start(widths)]
    for r in range(nrows):
        keep_row = r < header_rows or r in keep
        trpr = "<w:cantSplit/>" + ("<w:tblHeader/>" if r < header_rows else "")
        parts.append(f"<w:tr><w:trPr>{trpr}</w:trPr>")
        c = 0
        while c < ncols:
            b = cover[(r, c)]
            tcpr = _tc_pr(b, sum(widths[b.col:b.col + b.colspan]), first=(b.row == r))
            align = "" if b.vertical or b.align == "center" else f'<w:jc w:val="{b.align}"/>'
            ppr = f'<w:pPr><w:pStyle w:val="{style}"/>{"<w:keepNext/>" if keep_row else ""}{align}</w:pPr>'
            rpr = "<w:rPr><w:b/><w:bCs/></w:rPr>" if b.bold else ""
            if b.row != r:  # a continuation of a vertical merge: an empty cell
                parts.append(f"<w:tc>{tcpr}<w:p>{ppr}</w:p></w:tc>")
            elif b.slot is not None:
                parts.append(f"<w:tc>{tcpr}")
                parts.append((b.slot, f"<w:p>{ppr}<w:r>{rpr}"))
                parts.append("</w:tc>")
            else:
                body = "".join(f"<w:p>{ppr}<w:r>{rpr}{text_xml(line)}</w:r></w:p>" for line in b.text.split("\n"))
                parts.append(f"<w:tc>{tcpr}{body}</w:tc>")
            c += b.colspan
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return TableLayout(tuple(_join_static(parts)))


def list_table(header: Sequence[str], rows: Iterable[Sequence[str]], widths: list[int], *,
               aligns: Sequence[str], style: str = "TableText", empty: str = "无") -> Iterator[str]:
    """A plain table -- a header row that repeats on each page, then one row per item, no
    merged cells -- as XML pieces, one row at a time (a list of 10,000 agencies is never
    laid out as 30,000 boxes). The same XML as table_layout gives for those boxes."""
    head = table_layout([Box(0, c, text=h, bold=True) for c, h in enumerate(header)], widths, style=style,
                        header_rows=1).xml({})
    yield head[:-len("</w:tbl>")]
    start = _tbl_start(widths)
    one = table_layout([Box(0, c, slot=str(c), align=a) for c, a in enumerate(aligns)], widths, style=style)
    parts = [p[len(start):] if i == 0 else p[:-len("</w:tbl>")] if i == len(one.parts) - 1 else p
             for i, p in enumerate(one.parts)]
    any_row = False
    for values in rows:
        any_row = True
        yield "".join(p if isinstance(p, str) else f"{p[1]}{text_xml(values[int(p[0])])}</w:r></w:p>"
                      for p in parts)
    if not any_row:
        none = table_layout([Box(0, 0, colspan=len(widths), text=empty)], widths, style=style).xml({})
        yield none[len(start):-len("</w:tbl>")]
    yield "</w:tbl>"


def _join_static(parts: list[str | tuple[str, str]]) -> list[str | tuple[str, str]]:
    """Merge neighbouring strings (slots stay apart). Runs are joined once: ``+=`` on a list
    element copies the string every time, quadratic for a 10,000-row list table."""
    out: list[str | tuple[str, str]] = []
    run: list[str] = []
    for p in parts:
        if isinstance(p, str):
            run.append(p)
            continue
        if run:
            out.append("".join(run))
            run = []
        out.append(p)
    if run:
        out.append("".join(run))
    return out


def _tbl_start(widths: list[int]) -> str:
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    borders = "".join(f"<w:{side} {border}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        "<w:tbl><w:tblPr>"
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="{CELL_MARGIN}" w:type="dxa"/><w:right w:w="{CELL_MARGIN}" w:type="dxa"/>'
        "</w:tblCellMar>"
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    )


def _tc_pr(b: Box, width: int, *, first: bool) -> str:
    props = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if b.colspan > 1:
        props.append(f'<w:gridSpan w:val="{b.colspan}"/>')
    if b.rowspan > 1:
        props.append('<w:vMerge w:val="restart"/>' if first else "<w:vMerge/>")
    if b.vertical:
        props.append('<w:textDirection w:val="tbRl"/>')  # Word's 竖排: CJK upright
    props.append('<w:vAlign w:val="center"/>')
    return f"<w:tcPr>{''.join(props)}</w:tcPr>"


# --- the package -----------------------------------------------------------------------------

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def package(body: str | Iterable[str], *, title: str, header: str | None = None) -> bytes:
    """The DOCX bytes: ``body`` is the document's block content (paragraphs and tables), as
    one string or as pieces written one after the other; ``header`` (red) appears at the top
    of every page when given."""
    refs = ""
    if header is not None:
        refs += '<w:headerReference w:type="default" r:id="rIdH1"/><w:headerReference w:type="even" r:id="rIdH2"/>'
    refs += '<w:footerReference w:type="default" r:id="rIdF1"/><w:footerReference w:type="even" r:id="rIdF2"/>'
    sect = (
        f"<w:sectPr>{refs}"
        f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
        f'<w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" '
        f'w:left="{MARGIN_LEFT}" w:header="{HEADER_DIST}" w:footer="{FOOTER_DIST}" w:gutter="0"/>'
        '<w:cols w:space="425"/></w:sectPr>'
    )
    pieces = [body] if isinstance(body, str) else body
    buf = io.BytesIO()
    buf.write(_static_zip(header is not None))  # the parts every report shares, compressed once
    with zipwrite.archive(buf, "a", level=1) as z:  # fixed member times: the same report, the same bytes
        with zipwrite.stream(z, "word/document.xml") as fh:
            fh.write(f"{_DECL}<w:document {NS}><w:body>".encode())
            for piece in pieces:
                fh.write(piece.encode("utf-8"))
            fh.write(f"{sect}</w:body></w:document>".encode())
        if header is not None:
            hdr = _header_xml(header)
            zipwrite.write(z, "word/header1.xml", hdr, level=1)
            zipwrite.write(z, "word/header2.xml", hdr, level=1)
        zipwrite.write(z, "docProps/core.xml", _core_xml(title), level=1)
    return buf.getvalue()


@cache
def _static_zip(with_header: bool) -> bytes:
    buf = io.BytesIO()
    with zipwrite.archive(buf) as z:
        for name, data in _static_parts(with_header):
            zipwrite.write(z, name, data)
    return buf.getvalue()


@cache
def _static_parts(with_header: bool) -> tuple[tuple[str, str], ...]:
    overrides = {
        "/word/document.xml": f"{_CT_WML}.document.main+xml",
        "/word/styles.xml": f"{_CT_WML}.styles+xml",
        "/word/settings.xml": f"{_CT_WML}.settings+xml",
        "/word/fontTable.xml": f"{_CT_WML}.fontTable+xml",
        "/word/footer1.xml": f"{_CT_WML}.footer+xml",
        "/word/footer2.xml": f"{_CT_WML}.footer+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    }
    rels = {
        "rIdS": ("styles", "styles.xml"),
        "rIdT": ("settings", "settings.xml"),
        "rIdO": ("fontTable", "fontTable.xml"),
        "rIdF1": ("footer", "footer1.xml"),
        "rIdF2": ("footer", "footer2.xml"),
    }
    if with_header:
        overrides["/word/header1.xml"] = f"{_CT_WML}.header+xml"
        overrides["/word/header2.xml"] = f"{_CT_WML}.header+xml"
        rels["rIdH1"] = ("header", "header1.xml")
        rels["rIdH2"] = ("header", "header2.xml")
    content_types = (
        f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{k}" ContentType="{v}"/>' for k, v in overrides.items())
        + "</Types>"
    )
    root_rels = (
        f'{_DECL}<Relationships xmlns="{_PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL_NS}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    doc_rels = (
        f'{_DECL}<Relationships xmlns="{_PKG_REL_NS}">'
        + "".join(f'<Relationship Id="{k}" Type="{_REL_NS}/{t}" Target="{target}"/>'
                  for k, (t, target) in rels.items())
        + "</Relationships>"
    )
    app = (f'{_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           "<Application>toolkit</Application></Properties>")
    return (
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("word/_rels/document.xml.rels", doc_rels),
        ("word/styles.xml", _styles_xml()),
        ("word/settings.xml", _settings_xml()),
        ("word/fontTable.xml", _font_table_xml()),
        ("word/footer1.xml", _footer_xml("right")),
        ("word/footer2.xml", _footer_xml("left")),
        ("docProps/app.xml", app),
    )


def _core_xml(title: str) -> str:
    return (
        f"{_DECL}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(_INVALID_XML.sub('', title))}</dc:title><dc:language>zh-CN</dc:language>"
        "</cp:coreProperties>"
    )


def _settings_xml() -> str:
    # evenAndOddHeaders: GB/T 9704 puts odd page numbers right, even ones left.
    return (f'{_DECL}<w:settings {NS}><w:defaultTabStop w:val="420"/><w:evenAndOddHeaders/>'
            '<w:characterSpacingControl w:val="compressPunctuation"/>'
            '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word"'
            ' w:val="15"/></w:compat></w:settings>')


def _font_table_xml() -> str:
    fonts = (FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONGTI)
    body = "".join(
        f'<w:font w:name="{f}">' + (f'<w:altName w:val="{ALT_NAMES[f]}"/>' if f in ALT_NAMES else "")
        + '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        for f in fonts)
    return f"{_DECL}<w:fonts {NS}>{body}</w:fonts>"


def _indent_chars(chars: int) -> str:
    return f'<w:ind w:firstLineChars="{chars * 100}" w:firstLine="{chars * BODY_HALF_PT * 10}"/>'


def _styles_xml() -> str:
    body_rpr = f'{fonts_xml(FANGSONG)}<w:kern w:val="2"/><w:sz w:val="{BODY_HALF_PT}"/><w:szCs w:val="{BODY_HALF_PT}"/>' \
               '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
    exact = f'<w:spacing w:before="0" w:after="0" w:line="{LINE_TWIPS}" w:lineRule="exact"/>'

    def style(sid: str, name: str, ppr: str, rpr: str, *, kind: str = "paragraph", based: str = "Normal",
              extra: str = "") -> str:
        based_on = f'<w:basedOn w:val="{based}"/>' if based else ""
        return (f'<w:style w:type="{kind}" w:styleId="{sid}"><w:name w:val="{name}"/>{based_on}'
                f'{extra}<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>')

    styles = [
        f"<w:docDefaults><w:rPrDefault><w:rPr>{body_rpr}</w:rPr></w:rPrDefault>"
        "<w:pPrDefault><w:pPr><w:widowControl/></w:pPr></w:pPrDefault></w:docDefaults>",
        style("Normal", "Normal", f'{exact}{_indent_chars(2)}<w:jc w:val="both"/>', body_rpr, based=""),
        style("Title", "Title",
              '<w:spacing w:before="0" w:after="579" w:line="720" w:lineRule="exact"/>'
              '<w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/><w:outlineLvl w:val="9"/>',
              f'{fonts_xml(XIAOBIAOSONG)}<w:sz w:val="{TITLE_HALF_PT}"/><w:szCs w:val="{TITLE_HALF_PT}"/>'),
        style("Heading1", "heading 1", f'<w:keepNext/>{exact}{_indent_chars(2)}<w:outlineLvl w:val="0"/>',
              fonts_xml(HEITI)),
        style("Heading2", "heading 2", f'<w:keepNext/>{exact}{_indent_chars(2)}<w:outlineLvl w:val="1"/>',
              fonts_xml(KAITI)),
        *(style(sid, "表格文字" if sid == "TableText" else "表格小字",
                '<w:snapToGrid w:val="0"/>'
                f'<w:spacing w:before="0" w:after="0" w:line="{round(size * 10 * leading)}" w:lineRule="exact"/>'
                '<w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/>',
                f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
          for sid, (size, leading) in TABLE_STYLES.items()),
        style("Header", "header",
              '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
              '<w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="right"/>',
              f'{fonts_xml(HEITI)}<w:sz w:val="{PAGE_NO_HALF_PT}"/><w:szCs w:val="{PAGE_NO_HALF_PT}"/>'),
        style("Footer", "footer",
              '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
              '<w:ind w:firstLineChars="0" w:firstLine="0"/>',
              f'{fonts_xml(SONGTI)}<w:sz w:val="{PAGE_NO_HALF_PT}"/><w:szCs w:val="{PAGE_NO_HALF_PT}"/>'),
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        f'<w:left w:w="{CELL_MARGIN}" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        f'<w:right w:w="{CELL_MARGIN}" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
    ]
    return f"{_DECL}<w:styles {NS}>{''.join(styles)}</w:styles>"


def _page_field() -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText>'
            '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _footer_xml(side: str) -> str:
    # "— 1 —", one character (4号 = 280 twips) in from the outer edge.
    indent = f'<w:ind w:{side}="{PAGE_NO_HALF_PT * 10}"/>'
    para = (f'<w:p><w:pPr><w:pStyle w:val="Footer"/>{indent}<w:jc w:val="{side}"/></w:pPr>'
            f'{run("— ")}{_page_field()}{run(" —")}</w:p>')
    return f"{_DECL}<w:ftr {NS}>{para}</w:ftr>"


def _header_xml(text: str) -> str:
    para = f'<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>{run(text, bold=True, color=RED)}</w:p>'
    return f"{_DECL}<w:hdr {NS}>{para}</w:hdr>"
