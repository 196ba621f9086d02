"""Plain text: copied from a web page, or extracted from a PDF.

Four layouts share one file type: the web-page copy with one cell per tab-indented line and
rows separated by blank lines; rows copied from a spreadsheet (cells separated by tabs on one
line); pipe-separated rows (``label | 0 | 0``); and PDF text, where a table row is its label
(often wrapped over lines) followed by numbers separated by spaces.
"""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.published.doc import Doc, Row, decode

# Page footers and headers a PDF extractor leaves inside the text: "- 5 -", "— 5 —", "第 5 页 共 9 页".
_PAGE = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


def read(path: Path) -> Doc:
    return parse(decode(Path(path).read_bytes(), Path(path)), Path(path))


def parse(text: str, path: Path = Path("report.txt")) -> Doc:
    doc = Doc(path=path, kind="text")
    cells: list[str] = []  # the tab-indented lines of the current bound row
    start = 0
    for n, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.rstrip("\n")
        if line.startswith("\t"):
            if not cells:
                start = n
            cells.extend(_clean(c) for c in line.split("\t")[1:])
            continue
        if cells:
            doc.rows.append(Row(tuple(cells), True, start))
            cells = []
        if is_page_mark(line):
            continue
        if "\t" in line.strip():  # a row copied from a spreadsheet: cells separated by tabs
            doc.rows.append(Row(tuple(_clean(c) for c in line.split("\t")), True, n))
        elif line.count("|") >= 2 and not _PIPE_RULE.match(line):
            doc.rows.append(Row(_pipe_cells(line), True, n))
        elif line.strip():
            doc.rows.append(Row((line.strip(" \t\u00a0\u3000"),), False, n))
        else:
            doc.rows.append(Row((), False, n))  # a paragraph break
    if cells:
        doc.rows.append(Row(tuple(cells), True, start))
    return doc


def _clean(cell: str) -> str:
    return cell.strip(" \u00a0\u3000")


def is_page_mark(line: str) -> bool:
    return bool(_PAGE.match(line))


def _pipe_cells(line: str) -> tuple[str, ...]:
    parts = [p.strip(" \t\u00a0\u3000") for p in line.split("|")]
    if parts and not parts[0]:
        parts = parts[1:]  # "| a | b |": the outer pipes frame the row
    if parts and not parts[-1]:
        parts = parts[:-1]
    return tuple(parts)
