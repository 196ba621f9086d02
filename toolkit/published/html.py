"""HTML pages: paragraphs become free rows, each ``<tr>`` a bound row of its cells.

Only the standard library's tokenizer is used: published pages are often malformed, and the
reader needs no more than text, table rows and cell boundaries (rowspan/colspan cells appear
once, where they start, as in the page's own markup).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from toolkit.published.doc import Doc, ReadError, Row, decode
from toolkit.published.text import is_page_mark

_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
          "header", "footer", "center", "blockquote", "pre", "hr", "dd", "dt", "table", "caption"}
_SKIP = {"script", "style", "noscript", "template", "head"}
_WS = re.compile(r"[ \t\r\n\f\u00a0\u3000]+")
_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", re.I)


def read(path: Path) -> Doc:
    data = Path(path).read_bytes()
    m = _CHARSET.search(data[:4096])
    text = None
    if m and m.group(1).lower() in (b"gbk", b"gb2312", b"gb18030"):
        text = data.decode("gb18030", errors="replace")
    return parse(text if text is not None else decode(data, Path(path)), Path(path))


def parse(markup: str, path: Path = Path("report.html")) -> Doc:
    p = _Parser()
    try:
        p.feed(markup)
        p.close()
    except Exception as e:  # html.parser is lenient; this is a last resort
        raise ReadError(f"{path.name} 不是可读的网页：{e}") from None
    p.flush_text()
    p.end_row()
    doc = Doc(path=path, kind="html", rows=p.rows, title=_WS.sub(" ", p.title).strip())
    script = script_markup("\n".join(p.scripts))
    if "<table" in script.lower() and not any(r.bound for r in doc.rows):
        inner = parse(script, path)  # a page that writes its report from a script
        return Doc(path=path, kind="html", rows=inner.rows, title=doc.title or inner.title)
    return doc


# --- HTML written by JavaScript -----------------------------------------------------------------------

_JS_STRING = re.compile(r"""'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`""", re.S)
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_JS_CHARS = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", "v": "", "0": ""}


def read_js(path: Path) -> Doc:
    """A JavaScript file that writes the report's page (``document.write('<table>…')``, a
    variable holding the markup): its string literals, in order, read as HTML."""
    path = Path(path)
    markup = script_markup(decode(path.read_bytes(), path))
    if "<" not in markup:
        raise ReadError(f"{path.name} 中没有找到网页内容（JavaScript 字符串中的 HTML）。请保存报告所在的网页或复制全文为文本。")
    return parse(markup, path)


def script_markup(code: str) -> str:
    """The string literals of JavaScript code, unescaped and joined in order."""
    return "".join(_js_unescape(next(g for g in m.groups() if g is not None)) for m in _JS_STRING.finditer(code))


def _js_unescape(text: str) -> str:
    def one(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "u":
            return chr(int(e[1:].strip("{}"), 16)) if len(e) > 1 else "u"
        if e[0] == "x" and len(e) == 3:
            return chr(int(e[1:], 16))
        return _JS_CHARS.get(e, e)

    return _JS_ESCAPE.sub(one, text)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[Row] = []
        self.title = ""
        self._skip = 0
        self._in_title = False
        self._tables = 0
        self._text: list[str] = []  # running text outside table cells
        self._cells: list[str] | None = None  # cells of the open <tr>
        self._cell: list[str] | None = None  # text of the open <td>/<th>
        self._n = 0
        self.scripts: list[str] = []  # text of <script> elements
        self._script = False

    # --- structure -------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
            self._script = tag == "script"
        elif tag == "title":
            self._in_title = True
        elif tag == "table":
            self.flush_text()
            self._tables += 1
        elif tag == "tr" and self._tables:
            self.end_row()
            self._cells = []
        elif tag in ("td", "th") and self._tables:
            self.end_cell()
            if self._cells is None:
                self._cells = []
            self._cell = []
        elif tag in _BLOCK:
            self._break()

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self._break()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            self._script = False
        elif tag == "title":
            self._in_title = False
        elif tag in ("td", "th"):
            self.end_cell()
        elif tag == "tr":
            self.end_row()
        elif tag == "table" and self._tables:
            self.end_row()
            self._tables -= 1
        elif tag in _BLOCK:
            self._break()

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif self._skip:
            if self._script:
                self.scripts.append(data)
        elif self._cell is not None:
            self._cell.append(data)
        else:
            self._text.append(data)

    # --- output ----------------------------------------------------------------------
    def _break(self) -> None:
        if self._cell is not None:
            return  # <p> and <br> inside a cell: a wrapped label stays one cell
        self.flush_text()

    def flush_text(self) -> None:
        text = _WS.sub(" ", "".join(self._text)).strip()
        self._text = []
        self._n += 1
        if text and not is_page_mark(text):
            self.rows.append(Row((text,), False, self._n))
        elif not text and self.rows and self.rows[-1].cells:
            self.rows.append(Row((), False, self._n))  # paragraph break

    def end_cell(self) -> None:
        if self._cell is not None and self._cells is not None:
            self._cells.append(_WS.sub(" ", "".join(self._cell)).strip())
        self._cell = None

    def end_row(self) -> None:
        self.end_cell()
        if self._cells is not None:
            self._n += 1
            if self._cells:
                self.rows.append(Row(tuple(self._cells), True, self._n))
        self._cells = None
