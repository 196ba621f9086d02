"""PDF copies of the DOCX reports, printed by LibreOffice headless (the fonts it uses embedded).

The LibreOffice driver is imported only here and only when a PDF is asked for: checking and
collecting never load it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

NOT_INSTALLED = ("无法生成 PDF：本机未找到可用的 LibreOffice（PDF 由 LibreOffice 将 DOCX 报告转换而成）。"
                 "请安装 LibreOffice 后重试，或改用 docx、html 格式。（{reason}）")


class PdfError(RuntimeError):
    """No PDF can be made here (no LibreOffice), or LibreOffice failed: a message in Chinese."""


def unavailable() -> str | None:
    """Why no PDF can be made here (a Chinese message), or None when it can."""
    from toolkit.office.driver import unavailable_reason

    reason = unavailable_reason()
    return NOT_INSTALLED.format(reason=reason) if reason else None


def docx_to_pdf(docx_files: Sequence[Path], out_dir: Path) -> list[Path]:
    """``out_dir/<stem>.pdf`` for each DOCX, by one LibreOffice, in the files' order."""
    problem = unavailable()
    if problem:
        raise PdfError(problem)
    from toolkit.office.driver import Office, OfficeError

    try:
        with Office() as office:
            for path in docx_files:
                office.convert(path, "pdf", out_dir)
    except OfficeError as e:
        raise PdfError(f"LibreOffice 转换 PDF 失败：{e}") from e
    return [Path(out_dir) / f"{Path(path).stem}.pdf" for path in docx_files]


def pdf_bytes(docx: bytes) -> bytes:
    """One DOCX (as bytes) printed to PDF, through a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="toolkit-pdf-") as scratch:
        source = Path(scratch) / "report.docx"
        source.write_bytes(docx)
        (pdf,) = docx_to_pdf([source], Path(scratch))
        return pdf.read_bytes()
