"""A service on a temporary data folder: agencies with links (one revoked), a coordinator."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from faults import YEAR, clean_report
from starlette.testclient import TestClient

from toolkit.model import Agency
from toolkit.serve.app import create_app, set_password
from toolkit.serve.cli import read_links
from toolkit.serve.store import AgencyRow, SqliteStore
from toolkit.template import build_workbook

PASSWORD = "correct horse battery"
AGENCIES = [AgencyRow("a1", "甲单位", "李四", "0574-1"), AgencyRow("a2", "乙单位"), AgencyRow("gone", "已撤链接单位")]


def workbook(spec, agency_id: str = "a1", *, values=None, narratives=None, contact=None) -> bytes:
    """A filled workbook of a roster agency: the clean report with some fields replaced."""
    r = clean_report(spec)
    name = {a.id: a.name for a in AGENCIES}.get(agency_id, "名单外单位")
    return build_workbook(spec, Agency(agency_id, name), YEAR, values={**r["values"], **(values or {})},
                          narratives={**r["narratives"], **(narratives or {})}, contact={**r["contact"], **(contact or {})})


@dataclass
class Env:
    client: TestClient
    store: SqliteStore
    tokens: dict[str, str]  # a1, a2 and gone (revoked)
    spec: object

    def login(self) -> None:
        page = self.client.get("/login")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        r = self.client.post("/login", data={"csrf": csrf, "password": PASSWORD}, follow_redirects=False)
        assert r.status_code == 303, r.text

    def csrf(self, path: str) -> str:
        return self.client.get(path).text.split('name="csrf" value="')[1].split('"')[0]

    def upload(self, agency: str, data: bytes, name: str = "报表.xlsx", **kw):
        path = f"/a/{self.tokens[agency]}"
        csrf = kw.pop("csrf", None) or self.csrf(path)
        return self.client.post(path + "/upload", data={"csrf": csrf}, files={"file": (name, data)},
                                follow_redirects=kw.pop("follow_redirects", True), **kw)


def make_env(tmp_path, spec, checker, **options) -> Env:
    store = SqliteStore(tmp_path / "data")
    store.sync_agencies(AGENCIES)
    tokens = {a.id: store.new_link(a.id) for a in AGENCIES}
    store.revoke_links("gone")
    set_password(store, PASSWORD)
    app = create_app(store, spec, YEAR, checker, **options)
    return Env(TestClient(app, base_url="http://127.0.0.1"), store, tokens, spec)


# --- a real server on a loopback port ------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_roster(path: Path) -> Path:
    lines = ["id,name,联系人,联系电话"] + [f"{a.id},{a.name},{a.contact},{a.phone}" for a in AGENCIES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    data: Path
    log: Path

    def links(self) -> dict[str, str]:
        """Agency id -> link, from every links file the server wrote."""
        return read_links(self.data)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(data: Path, roster: Path, *, deadline: str | None = None, workers: int = 2) -> Server:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TOOLKIT_COORDINATOR_PASSWORD": PASSWORD}
    args = [sys.executable, "-m", "toolkit", "serve", "--year", str(YEAR), "--roster", str(roster), "--data", str(data),
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if deadline:
        args += ["--deadline", deadline]
    data.mkdir(parents=True, exist_ok=True)
    log = data.parent / f"server-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=REPO, env=env)
    server = Server(process, f"http://127.0.0.1:{port}", data, log)
    deadline_at = time.monotonic() + 60
    while time.monotonic() < deadline_at:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text(encoding='utf-8', errors='replace')}")
        try:
            if httpx.get(server.url + "/login", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("the server did not start within 60 s")


def form_csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]
