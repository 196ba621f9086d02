"""The one finding type, and the validation report that carries them.

Shaped like frictionless' report: ``valid``, ``stats`` and a flat list of located findings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SEVERITIES = ("error", "warning", "info")


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
