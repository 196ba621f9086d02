"""The coordinator's status board: one row per roster agency, its counts, filters and CSVs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from toolkit.outputs.csvfile import csv_bytes
from toolkit.serve.store import AgencyRow, Progress, Store, Submission

STATES = {"none": "未报送", "errors": "有错误", "warnings": "有警告", "ok": "已通过"}
SORTS = ("id", "name", "state", "last", "rounds", "late")
_PLAIN = re.compile(r"^[A-Za-z0-9._-]+$")  # an id that needs no quoting in a URL
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
FINDING_COLUMNS = ["code", "severity", "agency_id", "file", "sheet", "cell", "expected", "actual", "message"]
FINDING_HEADERS = ["编号", "级别", "单位编号", "文件", "工作表", "单元格", "期望值", "实际值", "说明"]


def state_of(sub: Submission | Progress | None) -> str:
    if sub is None:
        return "none"
    if sub.status in ("errors", "rejected") or sub.errors:
        return "errors"
    return "warnings" if sub.status == "warnings" else "ok"


def local(iso: str) -> datetime:
    """A stored UTC time in the server's time zone (the office's)."""
    return datetime.fromisoformat(iso).astimezone()


def is_late(progress: Progress | None, deadline: date | None, today: date) -> bool:
    """Late: no submission without error by the end of the deadline day."""
    if deadline is None:
        return False
    if progress is None or progress.first_pass_at is None:
        return today > deadline
    return local(progress.first_pass_at).date() > deadline


@dataclass(slots=True)
class Row:
    """One agency on the board, every cell ready to show (10,000 of them are rendered)."""

    agency: AgencyRow
    href: str  # the agency's page on the board
    state: str
    latest: Progress | None
    last: str  # the latest upload's local time, or ""
    late: bool
    contact: str  # the workbook cover's contact, else the roster's
    phone: str

    @property
    def rounds(self) -> int:
        return self.latest.rounds if self.latest else 0


def rows(store: Store, deadline: date | None, today: date | None = None) -> list[Row]:
    today = today or datetime.now().astimezone().date()
    progress = store.progress()
    out = []
    for a in store.agencies():
        p = progress.get(a.id)
        href = "/board/agency/" + (a.id if _PLAIN.match(a.id) else quote(a.id))
        if p is None:
            out.append(Row(a, href, "none", None, "", is_late(p, deadline, today), a.contact, a.phone))
        else:
            out.append(Row(a, href, state_of(p), p, local(p.received_at).strftime("%Y-%m-%d %H:%M"),
                           is_late(p, deadline, today), p.contact or a.contact, p.phone or a.phone))
    return out


def counts(all_rows: list[Row]) -> dict[str, int]:
    n = dict.fromkeys(STATES, 0)
    for r in all_rows:
        n[r.state] += 1
    return n


def select(all_rows: list[Row], *, state: str = "", q: str = "", late: bool = False, sort: str = "id",
           desc: bool = False) -> list[Row]:
    picked = [r for r in all_rows if (not state or r.state == state) and (not late or r.late)
              and (not q or q in r.agency.id or q in r.agency.name)]
    order = list(STATES)
    keys = {
        "id": lambda r: r.agency.id,
        "name": lambda r: r.agency.name,
        "state": lambda r: order.index(r.state),
        "last": lambda r: r.latest.received_at if r.latest else "",
        "rounds": lambda r: r.rounds,
        "late": lambda r: r.late,
    }
    return sorted(picked, key=keys.get(sort, keys["id"]), reverse=desc)


def _csv(header: list[str], body: Sequence[Sequence[object]]) -> bytes:
    return csv_bytes(header, body)


def chase_csv(all_rows: list[Row]) -> bytes:
    """The agencies still to chase: not submitted, or their latest submission has errors."""
    body = []
    for r in all_rows:
        if r.state not in ("none", "errors"):
            continue
        body.append([r.agency.id, r.agency.name, STATES[r.state], r.latest.errors if r.latest else "", r.last,
                     "是" if r.late else "", r.contact, r.phone, r.agency.contact, r.agency.phone])
    return _csv(["单位编号", "单位名称", "状态", "错误数", "最后上传", "逾期", "联系人", "联系电话",
                 "名单联系人", "名单联系电话"], body)


def findings_csv(store: Store, all_rows: list[Row]) -> bytes:
    """Every finding of each agency's latest submission, in the columns of collect's findings.csv."""
    body = []
    for r in all_rows:
        if r.latest is None:
            continue
        sub = store.submission(r.latest.latest_id)
        assert sub is not None
        for f in sub.report.get("findings", []):
            row = {**f, "agency_id": r.agency.id, "file": sub.file_name,
                   "severity": SEVERITY_ZH.get(f.get("severity"), f.get("severity"))}
            body.append([row.get(k) for k in FINDING_COLUMNS])
    return _csv(FINDING_HEADERS, body)
