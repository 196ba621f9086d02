"""The per-submission pieces of collect's data outputs, made by the process that checked the
file so the main process only joins them (toolkit.summary): data.json's record body and the
数据 sheet's number cells."""

from __future__ import annotations

import json

from .model import Filled
from .spec import Spec, col_letter

DATA_FIXED = ("agency_id", "agency", "status", "file")  # the 数据 sheet's text columns, then every cell
ROW = "\x00"  # stands for the row number in a data row (never in sheet XML, so never ambiguous)


def data_body(filled: Filled) -> str:
    """data.json's ``"values": {...}, "narratives": {...}`` of one agency (json's C encoder)."""
    return json.dumps({"values": filled.values, "narratives": filled.narratives},
                      ensure_ascii=False, default=str)[1:-1]


def data_cells(spec: Spec, values: list) -> str:
    """The 数据 sheet's number cells of one agency (``values`` in spec.cells order), with
    ``ROW`` for its row number. %s gives str() of each value, and str() of an int, float
    (shortest round-trip form) or Decimal is a valid xsd:double."""
    return _row_format(len(spec.cells)) % tuple(values)


_FORMATS: dict[int, str] = {}


def _row_format(n: int) -> str:
    """The cells of a row of ``n`` numbers as one %-format (column letters after the text columns)."""
    fmt = _FORMATS.get(n)
    if fmt is None:
        fmt = _FORMATS[n] = "".join(f'<c r="{col_letter(len(DATA_FIXED) + j)}{ROW}"><v>%s</v></c>' for j in range(n))
    return fmt
