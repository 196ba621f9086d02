"""The per-submission pieces of collect's data outputs, made by the process that checked the
file so the main process only joins them (toolkit.outputs.summary): data.json's record body and the
数据 sheet's number cells."""

from __future__ import annotations

import json
import math

from toolkit.format.spec import Spec, col_letter
from toolkit.model import Filled

DATA_FIXED = ("agency_id", "agency", "status", "file")  # the 数据 sheet's text columns, then every cell
ROW = "\x00"  # stands for the row number in a data row (never in sheet XML, so never ambiguous)


# As json gives (tests/test_records.py holds it to that); the values never hold NaN or infinities,
# which the check refuses at their cell (number_invalid) before a record is made.
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode
_NONE = type(None)
_PLAIN = {int, float, _NONE}


def data_body(filled: Filled) -> str:
    """data.json's ``"values": {...}, "narratives": {...}`` of one agency: what json gives
    (ensure_ascii=False, default=str), the values through one %-format per set of codes when
    each is an int, a finite float or None, whose JSON is their str() ("null" for None)."""
    values = filled.values
    numbers: tuple = tuple(values.values())
    kinds = set(map(type, numbers))
    if kinds <= _PLAIN and (float not in kinds or all(map(math.isfinite, [v for v in numbers if type(v) is float]))):
        if _NONE in kinds:
            numbers = tuple(["null" if v is None else v for v in numbers])
        text = _values_format(tuple(values)) % numbers
    else:
        text = _ENCODE(values)
    return f'"values": {text}, "narratives": {_ENCODE(filled.narratives)}'


_VALUE_FORMATS: dict[tuple[str, ...], str] = {}


def _values_format(codes: tuple[str, ...]) -> str:
    """``{"code": %s, ...}`` for these codes, in this order (a format's own codes, so few)."""
    fmt = _VALUE_FORMATS.get(codes)
    if fmt is None:
        body = ", ".join(_ENCODE(c).replace("%", "%%") + ": %s" for c in codes)
        fmt = "{" + body + "}"
        if len(_VALUE_FORMATS) < 64:
            _VALUE_FORMATS[codes] = fmt
    return fmt


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
