"""The plain data that flows between stages: one agency's filled report."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

Number = int | float | Decimal


@dataclass
class Filled:
    """One agency's report as data, whatever it was read from (workbook, published text).

    ``values`` holds input cells by code (None where blank); totals are never stored here:
    they are recomputed from the inputs (``toolkit.compute``).
    """

    agency: str
    year: int | None
    agency_id: str | None = None
    values: dict[str, Number | None] = field(default_factory=dict)
    narratives: dict[str, str] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)  # cover input fields by code
