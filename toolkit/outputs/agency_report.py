"""One agency's report from its checked workbook: the policy of `toolkit report` and of the
previews (`check --preview`, the service), kept out of the CLI.

A workbook that could not be read gives no report; one with errors gives none unless forced,
and a forced one is marked 未通过校验 on every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.check.workbook import Result
from toolkit.format.spec import Spec
from toolkit.model import count
from toolkit.outputs.report_docx import render_report
from toolkit.outputs.safepath import is_safe_stem, safe_stem


@dataclass(frozen=True)
class AgencyReport:
    result: Result
    docx: bytes | None  # None: not made (unreadable, or errors without force)
    errors: int

    @property
    def unverified(self) -> bool:
        return self.docx is not None and self.errors > 0


def agency_report(spec: Spec, result: Result, *, force: bool = False) -> AgencyReport:
    errors = count(result.findings, "error")
    if result.filled is None or (errors and not force):
        return AgencyReport(result, None, errors)
    return AgencyReport(result, render_report(spec, result.filled, unverified=bool(errors)), errors)


def report_name(result: Result, fallback: str) -> str:
    """``<agency-id>.docx``, or the workbook's own (made safe) name when the id is unusable."""
    agency_id = result.agency_id or (result.filled.agency_id if result.filled else None)
    stem = agency_id if agency_id and is_safe_stem(agency_id) else safe_stem(fallback)
    return f"{stem}.docx"
