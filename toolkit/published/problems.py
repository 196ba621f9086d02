"""Findings for problems met while reading a published report (besides the format's R1–R9).

The codes (``pub_*``) live in the shared catalogue ``toolkit.codes`` (stage ``published``),
which gives their severity and remedy; docs/codes.md lists them. Each finding names the table
(``sheet`` = 表二/表三/表四, or the section heading), the row label and column label (``cell``),
and the format's cell code (``ref``).
"""

from __future__ import annotations

from toolkit import catalogue
from toolkit.model import Finding


def problem(code: str, message: str, *, file: str = "", sheet: str = "", cell: str = "", ref: str = "",
            expected=None, actual=None, severity: str | None = None) -> Finding:
    entry = catalogue.get(code)
    return Finding(code=code, severity=severity or entry.severity, message=message, file=file, sheet=sheet,
                   cell=cell, expected=expected, actual=actual, ref=ref)


def published_codes() -> list[catalogue.Code]:
    return [c for c in catalogue.CATALOGUE if c.stage == "published"]
