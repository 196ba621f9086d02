"""The plain shape every published report is read into, whatever its file type.

A report becomes a list of rows in reading order. A *bound* row holds real table cells (an
HTML ``<tr>``, a DOCX table row, a ``label | 0 | 0`` line, a block of tab-indented lines):
one value per cell, so a blank cell is a blank value. A free row is one line of running text
(a paragraph, or a line of text extracted from a PDF), where cells can only be told apart by
the spaces between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class ReadError(ValueError):
    """A file that cannot be read as a published report; the message says why and what to do."""


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    bound: bool
    line: int  # where it starts in the source (line, paragraph or table row number), for messages

    @property
    def text(self) -> str:
        return " ".join(c for c in self.cells if c)


@dataclass
class Doc:
    path: Path
    kind: str  # text | pdf | html | docx
    rows: list[Row] = field(default_factory=list)
    title: str = ""  # an HTML page's <title>, if any


def read_document(path: Path) -> Doc:
    """Read a published report file into rows, choosing the reader by its extension."""
    from toolkit.published import docx, html, pdf, text

    path = Path(path)
    if not path.is_file():
        raise ReadError(f"找不到文件 {path}。")
    from toolkit.published.limits import screen_document  # size, and a DOCX's members and XML, before any reader
    screen_document(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".shtml", ".xhtml"):
        return html.read(path)
    if suffix == ".js":
        return html.read_js(path)
    if suffix == ".docx":
        return docx.read(path)
    if suffix == ".pdf":
        return pdf.read(path)
    if suffix in (".txt", ".text", ".md", ""):
        return text.read(path)
    raise ReadError(
        f"{path.name}：不支持的文件类型“{suffix}”。请提供纯文本（.txt，可由网页复制或由 PDF 提取）、"
        "网页（.html/.htm）、PDF（.pdf）或 Word 文档（.docx）。"
    )


def decode(data: bytes, path: Path) -> str:
    """Text files from Chinese Windows are often GBK; try UTF-8 first."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{path.name} 既不是 UTF-8 也不是 GBK 编码的文本，请另存为 UTF-8 后重试。")
