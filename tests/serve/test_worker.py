"""The check workers: a check past the time limit is abandoned, its worker killed and replaced."""

from __future__ import annotations

from faults import YEAR

from toolkit.serve.worker import Checker

from .helpers import workbook


def test_a_check_past_the_time_limit_is_refused_and_the_worker_replaced(spec):
    checker = Checker("gb2021", YEAR, workers=1, timeout=0.001)
    try:
        first = checker.pids()
        late = checker.check(workbook(spec), "慢.xlsx")
        assert late.status == "rejected" and [f["code"] for f in late.report["findings"]] == ["serve_check_failed"]
        assert "慢.xlsx" in late.report["findings"][0]["message"]
        assert len(checker.pids()) == 1 and checker.pids() != first
        checker.timeout = 30
        again = checker.check(workbook(spec), "好.xlsx")
        assert (again.status, again.agency_id, again.contact["meta_contact"]) == ("ok", "a1", "张三")
        assert checker.report_docx(workbook(spec), "好.xlsx")[:2] == b"PK"
    finally:
        checker.close()
