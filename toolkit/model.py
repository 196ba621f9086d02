"""The plain data that flows between stages: an agency, one agency's filled report, a finding.

``Finding`` is the one finding type of check, collect, audit and import; its codes are
catalogued in ``toolkit.catalogue`` (R1–R9 come from the format's rules).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

Number = int | float | Decimal
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Agency:
    """One reporting agency: its id (a file-name-safe word) and its name."""

    id: str
    name: str


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


@dataclass(frozen=True)
class Finding:
    code: str  # stable id: R1..R9 for the format's rules, see toolkit/codes.py for the rest
    severity: str  # error | warning | info
    message: str  # Chinese, for the clerk: names sheet and cell, says what to do
    file: str = ""
    agency_id: str = ""
    sheet: str = ""
    cell: str = ""
    expected: Any = None
    actual: Any = None
    ref: str = ""  # the format's cell code (e.g. t3_new_total) when the finding is about one cell

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"bad severity {self.severity!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def count(findings: list[Finding], severity: str) -> int:
    return sum(1 for f in findings if f.severity == severity)
