"""The audit of a whole folder of published reports, as supervisors and researchers do it.

Every report under the folder (text, web page, Word, PDF) is audited on both cores
(:func:`toolkit.pool.ordered_map`, results in the files' order whatever the number of
workers) and written as ``audit.csv`` (one row per report; UTF-8 with BOM, text that Excel
would run as a formula quoted) and ``audit.xlsx`` (a sheet with one row per report, a sheet
with one row per finding).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import IO

import xlsxwriter

from toolkit.format.spec import DEFAULT_EDITION, Spec, load_spec
from toolkit.model import Finding
from toolkit.outputs.atomic import atomic_open, write_bytes_atomic
from toolkit.outputs.csvfile import csv_bytes
from toolkit.pool import consume, ordered_map
from toolkit.published.audit import audit_report
from toolkit.published.tables import locate, sheet_name

SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".shtml", ".xhtml", ".docx", ".pdf"})
# The figures a reader of many reports compares first (totals of tables 三 and 四, the fee).
KEY_FIGURES = ("t3_new_total", "t3_carried_in_total", "t3_closed_total_total", "t3_carried_out_total",
               "t3_granted_total", "t4_review_total", "t4_direct_total", "t4_after_total", "t2_fee_amount")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
REPORT_HEADERS = ["文件", "单位", "年度", "格式版本", "能否读取", "原因", "错误", "警告", "提示"]
FINDING_HEADERS = ["文件", "单位", "编号", "级别", "表格或部分", "位置", "期望值", "实际值", "说明"]


@dataclass
class Audited:
    """One report's audit, reduced to what the folder's outputs show."""

    file: str  # path under the folder, with /
    agency: str = ""
    year: int | None = None
    edition: str = ""  # the format edition(s) its tables use, in words
    readable: bool = False
    why: str = ""  # why it could not be read
    counts: dict[str, int] = field(default_factory=dict)  # by severity
    figures: dict[str, int | Decimal | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    exit_code: int = 2


def find_reports(root: Path) -> list[Path]:
    """Report files under ``root`` in the order of their paths (hidden files and Office lock
    files ``~$…`` left out)."""
    root = Path(root)
    out = [p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
           and not any(part.startswith((".", "~$")) for part in p.relative_to(root).parts)]
    return sorted(out, key=lambda p: p.relative_to(root).as_posix())


def audit_folder(root: Path, *, edition: str = DEFAULT_EDITION, workers: int | None = None,
                 progress: Callable[[Audited], None] | None = None) -> list[Audited]:
    root = Path(root)
    items = [(str(root), str(p), edition) for p in find_reports(root)]
    return consume(ordered_map(audit_one, items, workers=workers), progress)


def audit_one(item: tuple[str, str, str]) -> Audited:
    """Audit one file (a top-level function: run in a worker process)."""
    root, path, edition = item
    spec = load_spec(edition)
    name = Path(path).relative_to(root).as_posix()
    result = audit_report(Path(path), spec)
    findings = [replace(f, file=name) for f in result.findings]
    out = Audited(file=name, findings=findings, exit_code=result.exit_code, why=result.error)
    for f in findings:
        out.counts[f.severity] = out.counts.get(f.severity, 0) + 1
    pub = result.published
    if pub is None:
        return out
    out.readable, out.agency, out.year = True, pub.agency or "", pub.year
    out.edition = _editions(spec, pub.editions())
    stated: dict[str, int | Decimal | None] = {}
    for e in set(pub.editions().values()):
        stated.update(pub.stated(e))
    unknown = pub.unknown()
    out.figures = {c: None if c in unknown else stated.get(c) for c in KEY_FIGURES}
    return out


def _editions(spec: Spec, used: dict[str, str]) -> str:
    labels = {e: load_spec(e).label for e in set(used.values())}
    if len(labels) == 1:
        return next(iter(labels.values()))
    return "；".join(f"{sheet_name(spec.table(t))}{labels[e]}" for t, e in sorted(used.items()))


def exit_code(results: list[Audited]) -> int:
    """0: every report read, none with errors; 1: a report with errors or one that could not be
    read; 2 is the command's own (no such folder, no report in it)."""
    return 1 if any(not r.readable or r.counts.get("error") for r in results) else 0


# --- outputs -------------------------------------------------------------------------------------


def figure_headers(spec: Spec) -> list[str]:
    return [locate(spec.table(spec.cell(c).table), spec.cell(c)) for c in KEY_FIGURES]


def report_rows(results: list[Audited]) -> list[list[object]]:
    return [[r.file, r.agency, r.year, r.edition, "是" if r.readable else "否", r.why,
             r.counts.get("error", 0), r.counts.get("warning", 0), r.counts.get("info", 0),
             *(r.figures.get(c) for c in KEY_FIGURES)] for r in results]


def finding_rows(results: list[Audited]) -> list[list[object]]:
    return [[r.file, r.agency, f.code, SEVERITY_ZH.get(f.severity, f.severity), f.sheet, f.cell,
             _plain(f.expected), _plain(f.actual), f.message] for r in results for f in r.findings]


def _plain(v: object) -> object:
    if v is None or isinstance(v, (int, float, Decimal, str)):
        return v
    return "；".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)


def write_outputs(results: list[Audited], out: Path, spec: Spec | None = None) -> list[Path]:
    """``out/audit.csv`` and ``out/audit.xlsx``, each written atomically."""
    spec = spec or load_spec()
    out = Path(out)
    headers = REPORT_HEADERS + figure_headers(spec)
    rows = report_rows(results)
    paths = [out / "audit.csv", out / "audit.xlsx"]
    write_bytes_atomic(paths[0], csv_bytes(headers, rows))
    with atomic_open(paths[1], "wb") as fh:
        write_xlsx(fh, headers, rows, finding_rows(results))
    return paths


def write_xlsx(fh: IO[bytes], headers: list[str], rows: list[list[object]], findings: list[list[object]]) -> None:
    book = xlsxwriter.Workbook(fh, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for name, head, body in (("报告", headers, rows), ("问题", FINDING_HEADERS, findings)):
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, head, bold)
        ws.freeze_panes(1, 1)
        for r, row in enumerate(body, start=1):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
                    ws.write_number(r, c, float(v))
                else:
                    ws.write_string(r, c, str(v))
        ws.set_column(0, 0, 36)
        ws.set_column(1, len(head) - 1, 14)
        ws.autofilter(0, 0, max(len(body), 1), len(head) - 1)
    book.close()
