"""The store: a real SQLite file, hashed links, append-only submissions, the inbox view."""

from __future__ import annotations

import os
import sqlite3

import pytest

from toolkit.serve.store import AgencyRow, LinkState, NewSubmission, SqliteStore, digest


def _new(agency_id: str, data: bytes, own: bool = True, status: str = "ok") -> NewSubmission:
    return NewSubmission(agency_id, data, "报表.xlsx", status, 0, 0, own, {"meta_contact": "张三"}, {"findings": []})


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path)
    s.sync_agencies([AgencyRow("a1", "甲单位", "李四", "123"), AgencyRow("a2", "乙单位")])
    return s


def test_real_sqlite_file_in_wal_mode(store, tmp_path):
    assert (tmp_path / "toolkit.sqlite3").is_file()
    db = sqlite3.connect(tmp_path / "toolkit.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [r[0] for r in db.execute("SELECT id FROM agencies ORDER BY id")] == ["a1", "a2"]


def test_links_are_stored_hashed_and_revocable(store, tmp_path):
    token = store.new_link("a1")
    assert len(token) >= 32  # 24 bytes of randomness
    raw = (tmp_path / "toolkit.sqlite3").read_bytes() + (tmp_path / "toolkit.sqlite3-wal").read_bytes()
    assert token.encode() not in raw and digest(token).encode() in raw
    assert store.resolve(token) == (LinkState.OK, AgencyRow("a1", "甲单位", "李四", "123"))
    assert store.resolve(token + "x") == (LinkState.UNKNOWN, None)
    again = store.new_link("a1")  # a new link revokes the old one
    assert store.resolve(token) == (LinkState.REVOKED, None)
    assert store.resolve(again)[0] == LinkState.OK
    assert store.revoke_links("a1") == 1
    assert store.resolve(again) == (LinkState.REVOKED, None)
    assert store.linked() == set()
    with pytest.raises(KeyError):
        store.new_link("nobody")
    a2 = store.new_link("a2")
    store.sync_agencies([AgencyRow("a1", "甲单位")])  # a2 taken off the roster: its link stops working
    assert store.resolve(a2) == (LinkState.REVOKED, None) and store.linked() == set()
    store.sync_agencies([AgencyRow("a1", "甲单位"), AgencyRow("a2", "乙单位")])
    assert store.resolve(a2)[0] == LinkState.OK


def test_submissions_append_only_and_content_addressed(store, tmp_path):
    first = store.add_submission(_new("a1", b"one"))
    second = store.add_submission(_new("a1", b"two", status="errors"))
    assert store.file_path(first).read_bytes() == b"one"
    assert store.file_path(first).name == f"{first.sha256}.xlsx"
    assert [s.id for s in store.history("a1")] == [second.id, first.id]
    assert os.path.samefile(tmp_path / "inbox" / "a1.xlsx", store.file_path(second))
    p = store.progress()["a1"]
    assert (p.latest_id, p.rounds, p.first_pass_at, p.status, p.contact) == (second.id, 2, first.received_at, "errors", "张三")
    store.log("upload", "a1", "a note")
    db = sqlite3.connect(tmp_path / "toolkit.sqlite3")
    for sql in ("UPDATE submissions SET status = 'ok'", "DELETE FROM submissions", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(sql)


def test_inbox_follows_own_submissions_and_is_repaired(store, tmp_path):
    mine = store.add_submission(_new("a2", b"mine"))
    store.add_submission(_new("a2", b"someone else's template", own=False))
    target = tmp_path / "inbox" / "a2.xlsx"
    assert target.read_bytes() == b"mine"
    target.unlink()
    (tmp_path / "inbox" / ".a2.dead.tmp").write_bytes(b"")
    store.sync_inbox()
    assert os.path.samefile(target, store.file_path(mine))
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == ["a2.xlsx"]


def test_sessions(store):
    token, csrf = store.new_session(1)
    assert store.session_csrf(token) == csrf
    assert store.session_csrf("other") is None
    store.end_session(token)
    assert store.session_csrf(token) is None
    expired, _ = store.new_session(-1)
    assert store.session_csrf(expired) is None


def test_links_for_a_whole_roster_in_one_transaction(tmp_path):
    store = SqliteStore(tmp_path)
    store.sync_agencies([AgencyRow(f"a{i}", f"单位{i}") for i in range(2000)])
    tokens = store.new_links(f"a{i}" for i in range(2000))
    assert len(set(tokens.values())) == 2000 and store.linked() == set(tokens)
    assert store.resolve(tokens["a1999"])[1].name == "单位1999"
    assert [e["kind"] for e in store.events(3)] == ["link_created"] * 3
