"""The report policy shared by `toolkit report` and the previews: refuse, force, name."""

from __future__ import annotations

from faults import AGENCY, clean_report, clean_workbook

from toolkit.check import check_bytes
from toolkit.outputs.agency_report import agency_report, report_name


def test_a_clean_workbook_gives_its_report(spec):
    made = agency_report(spec, check_bytes(clean_workbook(spec), "a.xlsx", spec))
    assert made.docx and made.docx.startswith(b"PK") and not made.unverified and made.errors == 0


def test_errors_refuse_unless_forced_and_forced_is_marked(spec):
    r = clean_report(spec)
    r["narratives"] = {**r["narratives"], "problems": ""}  # narrative_empty: an error
    result = check_bytes(clean_workbook(spec, r), "a.xlsx", spec)
    refused = agency_report(spec, result)
    assert refused.docx is None and refused.errors >= 1
    forced = agency_report(spec, result, force=True)
    assert forced.docx is not None and forced.unverified


def test_unreadable_gives_nothing_even_forced(spec):
    made = agency_report(spec, check_bytes(b"not a workbook", "x.xlsx", spec), force=True)
    assert made.docx is None


def test_report_name_is_the_agency_id_or_a_safe_fallback(spec):
    result = check_bytes(clean_workbook(spec), "a.xlsx", spec)
    assert report_name(result, "whatever") == f"{AGENCY.id}.docx"
    unreadable = check_bytes(b"x", "x.xlsx", spec)
    assert report_name(unreadable, "../up") != "../up.docx" and "/" not in report_name(unreadable, "../up")
