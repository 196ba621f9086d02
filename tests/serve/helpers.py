"""A service on a temporary data folder: agencies with links (one revoked), a coordinator."""

from __future__ import annotations

from dataclasses import dataclass

from faults import YEAR, clean_report
from starlette.testclient import TestClient

from toolkit.model import Agency
from toolkit.serve.app import create_app, set_password
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
