"""The real server on a loopback port: the CLI, concurrent uploads, kill -9 and restart."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from toolkit.serve.store import SqliteStore

from .helpers import PASSWORD, form_csrf, start_server, workbook, write_roster


def upload(client: httpx.Client, link: str, data: bytes, name: str = "报表.xlsx") -> httpx.Response:
    csrf = form_csrf(client.get(link).text)
    return client.post(link + "/upload", data={"csrf": csrf}, files={"file": (name, data)})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("server")
    s = start_server(base / "data", write_roster(base / "roster.csv"), deadline="2100-01-20")
    yield s
    s.stop()


def test_round_trip_and_nothing_secret_in_the_log(server, spec):
    links = server.links()
    assert set(links) == {"a1", "a2", "gone"} and all(link.startswith(server.url + "/a/") for link in links.values())
    with httpx.Client(timeout=30) as c:
        page = c.get(links["a1"])
        assert page.status_code == 200 and "甲单位" in page.text and "2100-01-20" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert c.get(links["a1"] + "/template.xlsx").content[:2] == b"PK"
        r = upload(c, links["a1"], workbook(spec, values={"t3_new_natural": 999}))
        assert r.status_code == 303
        findings = c.get(server.url + r.headers["location"])
        assert "未通过校验" in findings.text and "D30" in findings.text
        assert c.get(server.url + "/board", follow_redirects=False).headers["location"] == "/login"
        login = c.get(server.url + "/login")
        assert c.post(server.url + "/login", data={"csrf": form_csrf(login.text), "password": PASSWORD}).status_code == 303
        assert 'data-agency="a1"' in c.get(server.url + "/board").text
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "/a/***" in log
    assert not any(link.rsplit("/", 1)[1] in log for link in links.values()) and PASSWORD not in log


def test_two_uploads_of_one_agency_at_once_both_recorded_the_later_counts(server, spec):
    link = server.links()["a2"]
    bodies = [workbook(spec, "a2", values={"t3_new_natural": 999}), workbook(spec, "a2")]
    start = threading.Barrier(2)

    def send(data: bytes) -> httpx.Response:
        with httpx.Client(timeout=30) as c:
            csrf = form_csrf(c.get(link).text)
            start.wait()
            return c.post(link + "/upload", data={"csrf": csrf}, files={"file": ("r.xlsx", data)})

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(send, bodies))
    assert [r.status_code for r in responses] == [303, 303]
    store = SqliteStore(server.data)
    history = store.history("a2")
    assert sorted(s.sha256 for s in history) == sorted(hashlib.sha256(b).hexdigest() for b in bodies)
    latest = history[0]  # the later row counts: on the board and in the inbox
    assert store.progress()["a2"].latest_id == latest.id
    assert (server.data / "inbox" / "a2.xlsx").read_bytes() == store.file_path(latest).read_bytes()


def test_kill_9_during_a_burst_then_restart(tmp_path, spec):
    roster = write_roster(tmp_path / "roster.csv")
    server = start_server(tmp_path / "data", roster)
    links = server.links()
    bodies = [workbook(spec, agency, values={"t2_regulation_issued": i % 50}) for i in range(20) for agency in ("a1", "a2")]
    acknowledged: list[tuple[str, str, str]] = []  # (agency, submission page, sha256)
    lock = threading.Lock()
    stop = threading.Event()

    def burst(worker: int) -> None:
        with httpx.Client(timeout=30) as c:
            for i in range(worker, len(bodies), 4):
                if stop.is_set():
                    return
                agency = "a1" if i % 2 == 0 else "a2"
                try:
                    r = upload(c, links[agency], bodies[i])
                except httpx.HTTPError:
                    return
                if r.status_code == 303:
                    with lock:
                        acknowledged.append((agency, r.headers["location"], hashlib.sha256(bodies[i]).hexdigest()))

    threads = [threading.Thread(target=burst, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) >= 8

    again = start_server(tmp_path / "data", roster)
    try:
        store = SqliteStore(tmp_path / "data")
        db = sqlite3.connect(tmp_path / "data" / "toolkit.sqlite3")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = {s.id: s for agency in ("a1", "a2") for s in store.history(agency)}
        for agency, location, sha in acknowledged:  # every acknowledged upload is there, with its file
            sub = rows[int(location.rsplit("/", 1)[1])]
            assert (sub.agency_id, sub.sha256) == (agency, sha)
        for sub in rows.values():  # no half record: every row has its whole file
            assert hashlib.sha256(store.file_path(sub).read_bytes()).hexdigest() == sub.sha256
        for agency in ("a1", "a2"):  # the board and the inbox agree with the rows
            latest = max((s for s in rows.values() if s.agency_id == agency), key=lambda s: s.id)
            progress = store.progress()[agency]
            assert (progress.latest_id, progress.rounds) == (latest.id, sum(s.agency_id == agency for s in rows.values()))
            assert os.path.samefile(tmp_path / "data" / "inbox" / f"{agency}.xlsx", store.file_path(latest))
        assert again.links() == links  # the links made at the first start still work
        with httpx.Client(timeout=30) as c:
            assert c.get(links["a1"].replace(server.url, again.url)).status_code == 200
    finally:
        again.stop()


def test_links_command(server, tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    def links(*args: str):
        return CliRunner().invoke(app, ["links", "--data", str(server.data), *args])

    old = server.links()
    listed = links()
    assert listed.exit_code == 0 and "a1\t甲单位\t有效" in listed.stdout and "gone\t已撤链接单位\t有效" in listed.stdout
    made = links("--new", "a1", "--revoke", "gone")
    assert made.exit_code == 0, made.output
    new_a1 = made.stdout.strip().splitlines()[-1].split("\t")[2]
    with httpx.Client(timeout=30) as c:
        assert c.get(old["a1"]).status_code == 403 and c.get(new_a1).status_code == 200
        assert c.get(old["gone"]).status_code == 403
    exported = links("--export", str(tmp_path / "links.csv"))
    assert exported.exit_code == 0
    text = (tmp_path / "links.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and "gone" in text.decode("utf-8-sig") and "a1," not in text.decode("utf-8-sig")
    assert oct((tmp_path / "links.csv").stat().st_mode & 0o777) == "0o600"
    assert links("--new", "nobody").exit_code == 2


def test_oversize_upload_refused_by_the_real_server(server):
    link = server.links()["a2"]  # a1's first link was replaced by test_links_command
    before = sorted(p.name for p in (server.data / "files").rglob("*"))

    def body():  # no Content-Length: refused while streaming
        for _ in range(40):
            yield b"x" * (1024 * 1024)

    with httpx.Client(timeout=30) as c:
        csrf = form_csrf(c.get(link).text)
        r = c.post(link + "/upload", data={"csrf": csrf}, files={"file": ("big.xlsx", b"x" * (11 * 1024 * 1024))})
        assert r.status_code == 413 and "文件过大" in r.text
        r = c.post(link + "/upload", content=body(), headers={"content-type": "multipart/form-data; boundary=x"})
        assert r.status_code == 413
    assert sorted(p.name for p in (server.data / "files").rglob("*")) == before


def test_serve_refuses_to_start_without_a_password_or_with_another_years_data(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from toolkit.cli import app

    roster = write_roster(tmp_path / "roster.csv")
    monkeypatch.delenv("TOOLKIT_COORDINATOR_PASSWORD", raising=False)
    args = ["serve", "--roster", str(roster), "--data", str(tmp_path / "data")]
    r = CliRunner().invoke(app, [*args, "--year", "2024"])
    assert r.exit_code == 2 and "TOOLKIT_COORDINATOR_PASSWORD" in r.output
    monkeypatch.setenv("TOOLKIT_COORDINATOR_PASSWORD", "short")
    r = CliRunner().invoke(app, [*args, "--year", "2024"])
    assert r.exit_code == 2 and "至少 8 个字符" in r.output and "short" not in r.output
    r = CliRunner().invoke(app, [*args, "--year", "2025"])
    assert r.exit_code == 2 and "属于 2024 年度" in r.output
    r = CliRunner().invoke(app, [*args, "--year", "2024", "--deadline", "2025-13-01"])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output
