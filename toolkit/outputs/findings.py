"""The report of a check or a collection as findings.json (the whole report) and findings.csv
(its findings, for Excel)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolkit.outputs.atomic import atomic_open
from toolkit.outputs.csvfile import csv_bytes

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
FINDING_COLUMNS = ["code", "severity", "agency_id", "file", "sheet", "cell", "expected", "actual", "message"]
FINDING_HEADERS = ["编号", "级别", "单位编号", "文件", "工作表", "单元格", "期望值", "实际值", "说明"]
FILE_HEADERS = ["单位名称", "采用情况"]  # then, per finding, about its file (toolkit.outputs.summary.file_usage)


def json_safe(value: Any) -> Any:
    """``value`` with every NaN and infinity written as text: JSON has no such numbers, and a
    file with a bare NaN or Infinity is not JSON any reader accepts."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def encoder(**options: Any) -> Callable[[Any], str]:
    """json's C encoder (ensure_ascii=False, default=str) that never writes NaN or Infinity:
    a value holding one is encoded again through ``json_safe`` (never the case for a clean run)."""
    encode = json.JSONEncoder(ensure_ascii=False, default=str, allow_nan=False, **options).encode

    def safe(value: Any) -> str:
        try:
            return encode(value)
        except ValueError:
            return encode(json_safe(value))
    return safe


def dumps(value: Any, indent: int | None = None) -> str:
    """json.dumps for what we print (``--json``), valid JSON whatever the value holds."""
    return encoder(indent=indent)(value)


def write_report_json(report: dict, path: Path) -> None:
    """findings.json: each key of the report on a line, each submission and finding on a line
    of its own. Streamed in batches, and encoded by json's C encoder item by item (``indent=``
    would run the pure-Python encoder: 0.4 s at 10,000 files)."""
    encode = encoder()
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
    files = files or {}
    rows = []
    for f in findings:
        row: list = [f.get(k) for k in FINDING_COLUMNS] + list(files.get(f.get("file") or "", ("", "")))
        row[1] = SEVERITY_ZH.get(row[1], row[1])
        rows.append(row)
    return csv_bytes(FINDING_HEADERS + FILE_HEADERS, rows)
