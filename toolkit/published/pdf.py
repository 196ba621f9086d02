"""PDF files: their text, extracted by poppler's ``pdftotext -layout`` when it is installed, else
by pypdf; then read as PDF-extracted text (:mod:`toolkit.published.text`).

``-layout`` keeps a table's columns apart by runs of spaces and prints a row's figures on the
line of its label (or of the label's middle line); pypdf prints a row's label and figures
separated by single spaces, a tall merged label one character per line. Both are read.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from toolkit.published.doc import Doc, ReadError
from toolkit.published.text import parse

TIMEOUT = 60  # seconds for pdftotext on one file


def read(path: Path) -> Doc:
    path = Path(path)
    doc = parse(extract(path), path)
    doc.kind = "pdf"
    return doc


def extract(path: Path) -> str:
    """The text of every page in order, pages separated by form feeds."""
    tool = shutil.which("pdftotext")
    if tool:
        try:
            done = subprocess.run([tool, "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                  timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            done = None
        if done is not None and done.returncode == 0:
            return done.stdout.decode("utf-8", errors="replace").replace("\f", "\n")
    return pypdf_text(path)


def pypdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, OSError, ValueError, KeyError) as e:
        raise ReadError(f"{path.name} 无法读取（可将全文另存为 .txt 后重试）：不是可读的 PDF 文件（{e}）。"
                        "如为扫描件，请先进行文字识别。") from None
