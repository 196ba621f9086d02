"""Every CSV we write (findings, reminders, the folder audit, the service's exports): UTF-8 with
BOM so Excel on Chinese Windows opens it without garbling, CRLF lines, and every text field
neutralised against CSV injection as OWASP recommends."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Text Excel or WPS will not run as a formula: text that starts with = + - @, a tab or a
    carriage return gets a leading apostrophe (text such as "+86" or "-3" too: it stays text)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_row(values: Sequence[object]) -> list[str]:
    """A row: None as empty, numbers as numbers, every text through ``csv_safe``."""
    return ["" if v is None else str(v) if isinstance(v, int | float) and not isinstance(v, bool)
            else csv_safe(str(v)) for v in values]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(csv_row(header))
    w.writerows(csv_row(row) for row in rows)
    return buf.getvalue().encode("utf-8-sig")
