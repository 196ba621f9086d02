"""Rounds of a collection: when each file was first seen, and what it was then.

Coordinators run ``collect`` again into the same output folder as corrected files come in.
``OUT/history.json`` keeps, for every file ever collected there (by its sha256): the round it
first came in, when that round ran, its name, the agency it belongs to (by stamp, or by name
for a rejected file) and its status then; and per agency the contact from its latest readable
cover. An output folder written before the history existed starts it from its findings.json.
A folder last used for another report year starts a new history.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.collect.attribution import attribute
from toolkit.collect.collection import Collection
from toolkit.collect.roster import Contact

HISTORY_FILE = "history.json"
FINDINGS_FILE = "findings.json"
VERSION = 1


@dataclass(frozen=True)
class Seen:
    """A file the first time a collection saw it."""

    sha256: str
    file: str
    agency_id: str  # "" when no agency could be told
    round: int
    first_seen: str  # when that round ran, ISO 8601 to the second
    status: str  # ok | warnings | errors | rejected, as that round found it


@dataclass
class History:
    year: int
    rounds: list[dict[str, Any]] = field(default_factory=list)  # {"round", "at", "files", "new"}
    files: list[Seen] = field(default_factory=list)
    contacts: dict[str, Contact] = field(default_factory=dict)  # by agency id, the latest cover's

    def of(self, agency_id: str) -> list[Seen]:
        return self._index()[0].get(agency_id, [])

    def first_seen(self, sha256: str) -> str:
        seen = self._index()[1].get(sha256)
        return seen.first_seen if seen else ""

    def _index(self) -> tuple[dict[str, list[Seen]], dict[str, Seen]]:
        """Files by agency and by sha256, rebuilt when files were added (thousands of agencies)."""
        if getattr(self, "_indexed", None) != len(self.files):
            by_agency: dict[str, list[Seen]] = {}
            for s in self.files:
                by_agency.setdefault(s.agency_id, []).append(s)
            self._by = (by_agency, {s.sha256: s for s in reversed(self.files)})
            self._indexed = len(self.files)
        return self._by

    def received(self, agency_id: str) -> tuple[str, str, int]:
        """(first received, last received, rounds it sent files in); ("", "", 0) if never."""
        seen = self.of(agency_id)
        if not seen:
            return "", "", 0
        return min(s.first_seen for s in seen), max(s.first_seen for s in seen), len({s.round for s in seen})

    def late(self, agency_id: str, deadline: str) -> str:
        """"逾期" when the agency's first file came after the deadline day, "逾期未报" when none
        came and the last round ran after it, else ""."""
        if not deadline:
            return ""
        first, _, _ = self.received(agency_id)
        if first:
            return "逾期" if first[:10] > deadline else ""
        now = self.rounds[-1]["at"] if self.rounds else ""
        return "逾期未报" if now[:10] > deadline else ""

    def covers(self) -> dict[str, Contact]:
        return dict(self.contacts)

    def to_dict(self) -> dict[str, Any]:
        return {"version": VERSION, "year": self.year, "rounds": self.rounds,
                "files": [asdict(s) for s in self.files],
                "contacts": {k: asdict(c) for k, c in sorted(self.contacts.items())}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        return cls(int(data["year"]), list(data.get("rounds", [])), [Seen(**s) for s in data.get("files", [])],
                   {k: Contact(**c) for k, c in data.get("contacts", {}).items()})


def load_history(out: Path, year: int) -> History | None:
    """The history kept in the output folder ``out`` for ``year``, or one started from an
    earlier collection's findings.json there (its round dated by the file's time); None when
    the folder holds no collection of that year."""
    out = Path(out)
    path = out / HISTORY_FILE
    try:
        if path.is_file():
            history = History.from_dict(json.loads(path.read_text(encoding="utf-8")))
            return history if history.year == year else None
        path = out / FINDINGS_FILE
        if path.is_file():
            return _from_findings(json.loads(path.read_text(encoding="utf-8")), year,
                                  _stamp(dt.datetime.fromtimestamp(path.stat().st_mtime)))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable: a new history starts (the old file is replaced)
    return None


def _from_findings(report: dict[str, Any], year: int, at: str) -> History | None:
    if report.get("year") != year:
        return None
    subs = report.get("submissions", [])
    history = History(year, [{"round": 1, "at": at, "files": len(subs), "new": len(subs)}])
    history.files = [Seen(s["sha256"], s["file"], s.get("agency_id") or "", 1, at, s["status"]) for s in subs
                     if s.get("sha256")]
    return history


def advance(before: History | None, coll: Collection, at: dt.datetime) -> History:
    """The history with this collection as its next round: files not seen before are added
    (each with the agency it belongs to), and the covers of the new readable files update the
    contacts."""
    history = History(coll.year) if before is None or before.year != coll.year else \
        History(before.year, list(before.rounds), list(before.files), dict(before.contacts))
    number = len(history.rounds) + 1
    when = _stamp(at)
    known = {s.sha256 for s in history.files}
    by_name = {f: agency_id for agency_id, files in attribute(coll).items() for f in files}
    new = [r for r in coll.results if r.sha256 and r.sha256 not in known]
    for r in _once(new):
        history.files.append(Seen(r.sha256, r.file, r.agency_id or by_name.get(r.file, ""), number, when,
                                  coll.status(r)))
        if r.agency_id and coll.readable(r):
            contact = cover_contact(coll, r)
            if contact:
                history.contacts[r.agency_id] = contact
    history.rounds.append({"round": number, "at": when, "files": len(coll.results), "new": len(new)})
    return history


def write_history(history: History, out: Path) -> Path:
    from toolkit.outputs.atomic import write_text_atomic

    path = Path(out) / HISTORY_FILE
    write_text_atomic(path, json.dumps(history.to_dict(), ensure_ascii=False, indent=1) + "\n")
    return path


def _once(results: Iterable) -> list:
    """One result per sha256 (the same bytes sent twice under two names: the first name)."""
    seen: set[str] = set()
    out = []
    for r in results:
        if r.sha256 not in seen:
            seen.add(r.sha256)
            out.append(r)
    return out


def cover_contact(coll: Collection, r) -> Contact:
    """The contact on a readable file's cover."""
    got = coll.filled(r).contact
    return Contact(person=got.get(coll.spec.cover_code("contact"), ""), phone=got.get(coll.spec.cover_code("phone"), ""))


def _stamp(at: dt.datetime) -> str:
    return at.replace(microsecond=0).isoformat()
