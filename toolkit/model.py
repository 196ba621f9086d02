"""The plain data that flows between stages: an agency, one agency's filled report, a
finding, and the report of a check, a collection or an audit.

``Finding`` is the one finding type of check, collect, audit and import; its codes are
catalogued in ``toolkit.catalogue`` (R1–R9 come from the format's rules). ``Report`` is the
one report shape (``--json`` of check, collect and audit, and findings.json); ``status_of``
the one verdict on a file's findings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

Number = int | float | Decimal
SEVERITIES = ("error", "warning", "info")


# Characters an agency's name cannot carry into a workbook, a page or a file name: C0/C1 controls
# (XML 1.0 has no place for them), U+FFFE/FFFF and lone surrogates.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def clean_name(name: str) -> str:
    """An agency's name as the templates and reports show it: control characters dropped,
    whitespace runs (line breaks, tabs) one space, no space at either end."""
    return " ".join(_UNPRINTABLE.sub("", name).split())


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
    code: str  # stable id: R1..R9 for the format's rules, see toolkit/catalogue.py for the rest
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


def status_of(findings: Sequence[Finding], rejected: bool = False) -> str:
    """A file's status, one of ok | warnings | errors | rejected (could not be read; else by its worst finding)."""
    if rejected:
        return "rejected"
    if any(f.severity == "error" for f in findings):
        return "errors"
    return "warnings" if any(f.severity == "warning" for f in findings) else "ok"


class _Undated(Enum):
    UNDATED = "undated"


UNDATED = _Undated.UNDATED  # a report without a "year" key (check: the file's year is in its submission)


@dataclass(frozen=True)
class Stats:
    files: int
    agencies: int
    errors: int
    warnings: int
    missing: int


@dataclass
class Report:
    """What check, collect and audit report, one shape for all three (frictionless-like).

    ``submissions`` are one dict per file, with the keys each command says about a file;
    ``failed`` is a report on input the command could not run on (audit: an unreadable
    report), counted as one error and exit code 2."""

    valid: bool
    template: dict[str, str]
    year: int | None | _Undated
    stats: Stats
    submissions: list[dict[str, Any]]
    missing: list[Agency]
    findings: list[Finding]
    failed: bool = False

    @classmethod
    def of(cls, template: dict[str, str], submissions: list[dict[str, Any]], findings: list[Finding], *,
           year: int | None | _Undated = UNDATED, missing: Sequence[Agency] = (), agencies: int | None = None,
           failed: bool = False) -> Report:
        """The report of these submissions and findings, its stats counted from them;
        ``agencies`` defaults to the distinct agency ids of the submissions."""
        if agencies is None:
            agencies = len({s["agency_id"] for s in submissions if s["agency_id"]})
        errors = count(findings, "error") + failed
        stats = Stats(len(submissions), agencies, errors, count(findings, "warning"), len(missing))
        return cls(errors == 0, template, year, stats, submissions, list(missing), findings, failed)

    @property
    def exit_code(self) -> int:
        """0 valid, 1 errors (a rejected file included), 2 the command could not run."""
        return 2 if self.failed else 0 if self.valid else 1

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``--json`` and findings.json (keys in this order)."""
        out: dict[str, Any] = {"valid": self.valid, "template": dict(self.template)}
        if self.year is not UNDATED:
            out["year"] = self.year
        out["stats"] = asdict(self.stats)
        out["submissions"] = self.submissions
        out["missing"] = [{"agency_id": a.id, "agency": a.name} for a in self.missing]
        out["findings"] = [f.to_dict() for f in self.findings]
        return out
