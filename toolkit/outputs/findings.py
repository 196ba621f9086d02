"""The report of a check or a collection as findings.json (the whole report) and findings.csv
(its findings, for Excel)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from toolkit.outputs.atomic import atomic_open

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
FINDING_COLUMNS = ["code", "severity", "agency_id", "file", "sheet", "cell", "expected", "actual", "message"]
FINDING_HEADERS = ["编号", "级别", "单位编号", "文件", "工作表", "单元格", "期望值", "实际值", "说明"]
FILE_HEADERS = ["单位名称", "采用情况"]  # then, per finding, about its file (toolkit.outputs.summary.file_usage)


def write_report_json(report: dict, path: Path) -> None:
    """findings.json: each key of the report on a line, each submission and finding on a line
    of its own. Streamed in batches, and encoded by json's C encoder item by item (``indent=``
    would run the pure-Python encoder: 0.4 s at 10,000 files)."""
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    with atomic_open(path, "w", encoding="utf-8") as fh:
        sep = "{\n"
        for key, value in report.items():
            fh.write(f"{sep} {encode(key)}: ")
            sep = ",\n"
            if not isinstance(value, list) or not value:
                fh.write(encode(value))
                continue
            for i in range(0, len(value), 1000):
                fh.write(("[\n  " if i == 0 else ",\n  ") + ",\n  ".join(map(encode, value[i:i + 1000])))
            fh.write("\n ]")
        fh.write("\n}\n" if report else "{}\n")


def findings_csv(findings: list[dict], files: dict[str, tuple[str, str]] | None = None) -> bytes:
    """UTF-8 with BOM: Excel on Chinese Windows opens it without garbling. ``files`` gives
    each file's agency name and whether it was used (已采用, 已被替换, 未采用)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(FINDING_HEADERS + FILE_HEADERS)
    files = files or {}
    for f in findings:
        row: list = [f.get(k) for k in FINDING_COLUMNS] + list(files.get(f.get("file") or "", ("", "")))
        row[1] = SEVERITY_ZH.get(row[1], row[1])
        w.writerow(["" if v is None else _csv_safe(str(v)) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
