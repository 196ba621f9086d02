"""The service's storage behind one small interface: ``Store``; ``SqliteStore`` is the default.

Rows (agencies, links, submissions, events, settings, sessions) live in SQLite in WAL mode
with ``synchronous=FULL``: a committed row survives a kill or a power cut. Uploaded files
are content-addressed and write-once under ``DATA/files/<agency-id>/<sha256>.xlsx``; the file
is written and fsynced (and its folder) before its row is committed, so an acknowledged upload
is never half there. ``DATA/inbox/<agency-id>.xlsx`` is a hard link to the file of each
agency's latest submission of its own template, so ``toolkit collect DATA/inbox`` reads what
the board shows. Submissions and events are append-only (the database refuses updates).

Link tokens and session tokens are never stored, only their SHA-256: a copy of the database
gives no access.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TOKEN_BYTES = 24  # 192 random bits per agency link
SESSION_BYTES = 32

SCHEMA = """
CREATE TABLE IF NOT EXISTS agencies (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, contact TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '', in_roster INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS links (
    id INTEGER PRIMARY KEY, agency_id TEXT NOT NULL REFERENCES agencies(id),
    token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
CREATE INDEX IF NOT EXISTS links_agency ON links(agency_id);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, agency_id TEXT NOT NULL REFERENCES agencies(id),
    sha256 TEXT NOT NULL, file_name TEXT NOT NULL, size INTEGER NOT NULL, received_at TEXT NOT NULL,
    status TEXT NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL,
    own INTEGER NOT NULL, contact TEXT NOT NULL, report TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_agency ON submissions(agency_id, id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL,
    agency_id TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, csrf TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS submissions_append_only_u BEFORE UPDATE ON submissions
    BEGIN SELECT RAISE(ABORT, 'submissions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS submissions_append_only_d BEFORE DELETE ON submissions
    BEGIN SELECT RAISE(ABORT, 'submissions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_u BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_d BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class AgencyRow:
    id: str
    name: str
    contact: str = ""  # from the roster's 联系人 / 联系电话 columns, when it has them
    phone: str = ""


@dataclass(frozen=True)
class NewSubmission:
    """What the upload handler knows once the check has run."""

    agency_id: str
    data: bytes
    file_name: str  # as the browser sent it: text only, never a path
    status: str  # ok | warnings | errors | rejected
    errors: int
    warnings: int
    own: bool  # the workbook's stamp names this agency
    contact: dict[str, str]  # the workbook's cover fields
    report: dict[str, Any]  # the JSON of `toolkit check --json`


@dataclass(frozen=True)
class Submission:
    id: int
    agency_id: str
    sha256: str
    file_name: str
    size: int
    received_at: str  # UTC, ISO 8601
    status: str
    errors: int
    warnings: int
    own: bool
    contact: dict[str, str]
    report: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Progress:
    """One agency's state for the board: its latest submission, rounds, first pass."""

    latest_id: int
    received_at: str
    status: str
    errors: int
    warnings: int
    contact: str  # the latest workbook's cover: contact person and phone
    phone: str
    rounds: int
    first_pass_at: str | None  # received time of the first submission without error


class LinkState:
    OK, REVOKED, UNKNOWN = "ok", "revoked", "unknown"


class StorageError(Exception):
    """The data folder cannot be written (full disk, read-only): nothing was recorded."""


class Store(ABC):
    """Everything the service keeps. A second SQL database would implement this class."""

    data: Path

    @abstractmethod
    def sync_agencies(self, agencies: Iterable[AgencyRow]) -> None:
        """The roster's agencies; agencies no longer in it keep their history."""

    @abstractmethod
    def agencies(self) -> list[AgencyRow]: ...

    @abstractmethod
    def agency(self, agency_id: str) -> AgencyRow | None: ...

    @abstractmethod
    def new_links(self, agency_ids: Iterable[str]) -> dict[str, str]:
        """A fresh link token for each agency (one transaction); their earlier links are revoked."""

    def new_link(self, agency_id: str) -> str:
        return self.new_links([agency_id])[agency_id]

    @abstractmethod
    def revoke_links(self, agency_id: str) -> int: ...

    @abstractmethod
    def linked(self) -> set[str]:
        """Agencies that have a link in force."""

    @abstractmethod
    def resolve(self, token: str) -> tuple[str, AgencyRow | None]:
        """(LinkState, the agency) for a link token."""

    @abstractmethod
    def add_submission(self, new: NewSubmission) -> Submission:
        """The file stored (write-once, fsync) and then its row and its event committed together;
        durable on return."""

    @abstractmethod
    def submission(self, submission_id: int) -> Submission | None: ...

    @abstractmethod
    def history(self, agency_id: str) -> list[Submission]:
        """The agency's submissions, latest first."""

    @abstractmethod
    def progress(self) -> dict[str, Progress]:
        """Per agency with any submission: what the board shows."""

    @abstractmethod
    def file_path(self, sub: Submission) -> Path: ...

    @abstractmethod
    def latest_files(self) -> list[tuple[str, Path]]:
        """(agency id, file) of each agency's latest submission of its own template."""

    @abstractmethod
    def log(self, kind: str, agency_id: str = "", detail: str = "") -> None:
        """An event for the audit trail; never given a secret."""

    @abstractmethod
    def events(self, limit: int = 100) -> list[dict[str, str]]: ...

    @abstractmethod
    def setting(self, key: str) -> str | None: ...

    @abstractmethod
    def set_setting(self, key: str, value: str) -> None: ...

    @abstractmethod
    def new_session(self, hours: float) -> tuple[str, str]:
        """(session token, its CSRF token)."""

    @abstractmethod
    def session_csrf(self, token: str) -> str | None:
        """The CSRF token of a live session, else None."""

    @abstractmethod
    def end_session(self, token: str) -> None: ...

    @abstractmethod
    def sync_inbox(self) -> None:
        """Point every agency's inbox file at its latest own submission (after a crash)."""


class SqliteStore(Store):
    def __init__(self, data: Path | str) -> None:
        self.data = Path(data)
        self.db_path = self.data / "toolkit.sqlite3"
        self._local = threading.local()
        try:
            for sub in ("files", "inbox"):
                (self.data / sub).mkdir(parents=True, exist_ok=True)
            self._db().executescript(SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise StorageError(str(e)) from e

    # --- connections ---------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; writers queue on the database lock (BEGIN IMMEDIATE)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # --- agencies and links --------------------------------------------------------------

    def sync_agencies(self, agencies: Iterable[AgencyRow]) -> None:
        rows = [(a.id, a.name, a.contact, a.phone) for a in agencies]
        with self._write() as db:
            db.execute("UPDATE agencies SET in_roster = 0")
            db.executemany("INSERT INTO agencies(id, name, contact, phone, in_roster) VALUES (?, ?, ?, ?, 1) "
                           "ON CONFLICT(id) DO UPDATE SET name = excluded.name, contact = excluded.contact, "
                           "phone = excluded.phone, in_roster = 1", rows)

    def agencies(self) -> list[AgencyRow]:
        rows = self._db().execute("SELECT id, name, contact, phone FROM agencies WHERE in_roster = 1 ORDER BY rowid")
        return [AgencyRow(*r) for r in rows]

    def agency(self, agency_id: str) -> AgencyRow | None:
        r = self._db().execute("SELECT id, name, contact, phone FROM agencies WHERE id = ?", (agency_id,)).fetchone()
        return AgencyRow(*r) if r else None

    def _in_roster(self, agency_id: str) -> bool:
        return self._db().execute("SELECT in_roster FROM agencies WHERE id = ?", (agency_id,)).fetchone()[0] == 1

    def new_links(self, agency_ids: Iterable[str]) -> dict[str, str]:
        tokens = {agency_id: secrets.token_urlsafe(TOKEN_BYTES) for agency_id in agency_ids}
        with self._write() as db:
            for agency_id, token in tokens.items():
                if db.execute("SELECT 1 FROM agencies WHERE id = ?", (agency_id,)).fetchone() is None:
                    raise KeyError(agency_id)
                at = now()
                db.execute("UPDATE links SET revoked_at = ? WHERE agency_id = ? AND revoked_at IS NULL", (at, agency_id))
                db.execute("INSERT INTO links(agency_id, token_hash, created_at) VALUES (?, ?, ?)",
                           (agency_id, digest(token), at))
                db.execute("INSERT INTO events(at, kind, agency_id) VALUES (?, 'link_created', ?)", (at, agency_id))
        return tokens

    def revoke_links(self, agency_id: str) -> int:
        with self._write() as db:
            n = db.execute("UPDATE links SET revoked_at = ? WHERE agency_id = ? AND revoked_at IS NULL",
                           (now(), agency_id)).rowcount
        self.log("link_revoked", agency_id, f"{n}")
        return n

    def linked(self) -> set[str]:
        return {r[0] for r in self._db().execute(
            "SELECT DISTINCT l.agency_id FROM links AS l JOIN agencies AS a ON a.id = l.agency_id"
            " WHERE l.revoked_at IS NULL AND a.in_roster = 1")}

    def resolve(self, token: str) -> tuple[str, AgencyRow | None]:
        wanted = digest(token)
        row = self._db().execute("SELECT agency_id, token_hash, revoked_at FROM links WHERE token_hash = ?",
                                 (wanted,)).fetchone()
        # The lookup is by a hash of the token, so its timing says nothing about the token;
        # the comparison is constant-time all the same.
        if row is None or not hmac.compare_digest(row["token_hash"], wanted):
            return LinkState.UNKNOWN, None
        agency = self.agency(row["agency_id"])
        if row["revoked_at"] is not None or agency is None or not self._in_roster(agency.id):
            return LinkState.REVOKED, None  # an agency taken off the roster keeps its history, not its link
        return LinkState.OK, agency

    # --- submissions ---------------------------------------------------------------------

    def add_submission(self, new: NewSubmission) -> Submission:
        sha = hashlib.sha256(new.data).hexdigest()
        try:
            path = self._put_file(new.agency_id, sha, new.data)
            with self._write() as db:
                cur = db.execute(
                    "INSERT INTO submissions(agency_id, sha256, file_name, size, received_at, status, errors, warnings,"
                    " own, contact, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (new.agency_id, sha, new.file_name, len(new.data), now(), new.status, new.errors, new.warnings,
                     int(new.own), json.dumps(new.contact, ensure_ascii=False),
                     json.dumps(new.report, ensure_ascii=False, default=str)))
                submission_id = int(cur.lastrowid or 0)
                db.execute("INSERT INTO events(at, kind, agency_id, detail) VALUES (?, 'upload', ?, ?)",
                           (now(), new.agency_id, f"#{submission_id} {new.status}"))
                if new.own:  # under the write lock, so the inbox follows the rows' order
                    self._link_inbox(new.agency_id, path)
        except (OSError, sqlite3.OperationalError) as e:
            raise StorageError(str(e)) from e
        sub = self.submission(submission_id)
        assert sub is not None
        return sub

    def submission(self, submission_id: int) -> Submission | None:
        r = self._db().execute("SELECT * FROM submissions WHERE id = ?", (submission_id,)).fetchone()
        return _submission(r) if r else None

    def history(self, agency_id: str) -> list[Submission]:
        rows = self._db().execute("SELECT * FROM submissions WHERE agency_id = ? ORDER BY id DESC", (agency_id,))
        return [_submission(r) for r in rows]

    def progress(self) -> dict[str, Progress]:
        rows = self._db().execute(
            "SELECT s.agency_id, s.id, s.received_at, s.status, s.errors, s.warnings,"
            " coalesce(json_extract(s.contact, '$.meta_contact'), ''), coalesce(json_extract(s.contact, '$.meta_phone'), ''),"
            " g.rounds, g.first_pass"
            " FROM (SELECT agency_id, COUNT(*) AS rounds, MAX(id) AS last,"
            "       MIN(CASE WHEN errors = 0 AND status != 'rejected' THEN received_at END) AS first_pass"
            "       FROM submissions GROUP BY agency_id) AS g JOIN submissions AS s ON s.id = g.last")
        return {r[0]: Progress(*r[1:]) for r in rows}

    def file_path(self, sub: Submission) -> Path:
        return self.data / "files" / sub.agency_id / f"{sub.sha256}.xlsx"

    def latest_files(self) -> list[tuple[str, Path]]:
        rows = self._db().execute(
            "SELECT agency_id, sha256 FROM submissions WHERE id IN (SELECT MAX(id) FROM submissions WHERE own = 1"
            " GROUP BY agency_id) ORDER BY agency_id").fetchall()
        return [(agency_id, self.data / "files" / agency_id / f"{sha}.xlsx") for agency_id, sha in rows]

    def _put_file(self, agency_id: str, sha: str, data: bytes) -> Path:
        """Write-once: a file already there has these very bytes (its name is their hash)."""
        folder = self.data / "files" / agency_id
        path = folder / f"{sha}.xlsx"
        if path.exists():
            return path
        new_folder = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{sha}.{secrets.token_hex(8)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(folder)
        if new_folder:
            _fsync_dir(folder.parent)
        return path

    def _link_inbox(self, agency_id: str, path: Path) -> None:
        """Not fsynced: the rows are the record, and ``sync_inbox`` repairs the view at start."""
        inbox = self.data / "inbox"
        target = inbox / f"{agency_id}.xlsx"
        tmp = inbox / f".{agency_id}.{secrets.token_hex(8)}.tmp"
        os.link(path, tmp)
        os.replace(tmp, target)

    def sync_inbox(self) -> None:
        inbox = self.data / "inbox"
        for leftover in inbox.glob(".*.tmp"):
            leftover.unlink()
        for agency_id, path in self.latest_files():
            target = inbox / f"{agency_id}.xlsx"
            if not (target.exists() and os.path.samefile(path, target)):
                self._link_inbox(agency_id, path)

    # --- events, settings, sessions ------------------------------------------------------

    def log(self, kind: str, agency_id: str = "", detail: str = "") -> None:
        with self._write() as db:
            db.execute("INSERT INTO events(at, kind, agency_id, detail) VALUES (?, ?, ?, ?)", (now(), kind, agency_id, detail))

    def events(self, limit: int = 100) -> list[dict[str, str]]:
        rows = self._db().execute("SELECT at, kind, agency_id, detail FROM events ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(r) for r in rows]

    def setting(self, key: str) -> str | None:
        r = self._db().execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return r[0] if r else None

    def set_setting(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       (key, value))

    def new_session(self, hours: float) -> tuple[str, str]:
        token, csrf = secrets.token_urlsafe(SESSION_BYTES), secrets.token_urlsafe(SESSION_BYTES)
        expires = (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="microseconds")
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (now(),))
            db.execute("INSERT INTO sessions(token_hash, csrf, expires_at) VALUES (?, ?, ?)", (digest(token), csrf, expires))
        return token, csrf

    def session_csrf(self, token: str) -> str | None:
        r = self._db().execute("SELECT csrf, expires_at FROM sessions WHERE token_hash = ?", (digest(token),)).fetchone()
        if r is None or r["expires_at"] < now():
            return None
        return r["csrf"]

    def end_session(self, token: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (digest(token),))


def _submission(r: sqlite3.Row) -> Submission:
    return Submission(r["id"], r["agency_id"], r["sha256"], r["file_name"], r["size"], r["received_at"], r["status"],
                      r["errors"], r["warnings"], bool(r["own"]), json.loads(r["contact"]), json.loads(r["report"]))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
