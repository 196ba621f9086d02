"""Every route under every credential: no credentials, another agency's link, a revoked link,
the right link, the coordinator's session."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from toolkit.serve.security import agency_csrf

from .helpers import PASSWORD, make_env, workbook

CREDENTIALS = ("none", "other", "revoked", "right", "coordinator")
BAD = "x" * 32  # a token nobody was given

# route: (method, path with {t} for the link token, {sid} for a1's clean submission and {fid} for
# its faulty one), then the expected status per credential.
A = {"none": 404, "other": 200, "revoked": 403, "right": 200, "coordinator": 404}
A_OWN = {**A, "other": 404}
COORD = {"none": 303, "other": 303, "revoked": 303, "right": 303, "coordinator": 200}
TABLE = [
    ("GET", "/", dict.fromkeys(CREDENTIALS, 303)),
    ("GET", "/login", {**dict.fromkeys(CREDENTIALS, 200), "coordinator": 303}),
    ("GET", "/static/style.css", dict.fromkeys(CREDENTIALS, 200)),
    ("GET", "/a/{t}", A),
    ("GET", "/a/{t}/template.xlsx", A),
    ("POST", "/a/{t}/upload", {**A, "other": 303, "right": 303}),
    ("GET", "/a/{t}/s/{sid}", A_OWN),
    ("GET", "/a/{t}/s/{sid}/report.docx", A_OWN),
    ("GET", "/a/{t}/s/{sid}/report.html", A_OWN),
    ("GET", "/a/{t}/s/{fid}/feedback.xlsx", A_OWN),
    ("GET", "/a/{t}/s/{sid}/feedback.xlsx", {**A_OWN, "right": 409}),  # no finding to mark
    ("GET", "/a/{t}/s/99999", {**A_OWN, "right": 404}),
    ("GET", "/a/{t}/s/99999999999999999999999", {**A_OWN, "right": 404}),
    ("GET", "/a/{t}/s/-1", {**A_OWN, "right": 404}),
    ("GET", "/board", COORD),
    ("GET", "/board?state=errors&sort=last&desc=1&q=%E7%94%B2&late=1", COORD),
    ("GET", "/board/agency/a1", COORD),
    ("GET", "/board/agency/nobody", {**COORD, "coordinator": 404}),
    ("GET", "/board/s/{sid}", COORD),
    ("GET", "/board/s/{sid}/workbook.xlsx", COORD),
    ("GET", "/board/s/99999999999999999999999", {**COORD, "coordinator": 404}),
    ("GET", "/board/findings.csv", COORD),
    ("GET", "/board/chase.csv", COORD),
    ("GET", "/board/latest.zip", COORD),
    ("GET", "/board/summary.xlsx", COORD),
    ("GET", "/board/reports.zip", COORD),
    ("POST", "/logout", {**dict.fromkeys(CREDENTIALS, 403), "coordinator": 303}),
]


def coordinator(app) -> tuple[TestClient, str]:
    """A client logged in as the coordinator, and its session's CSRF token."""
    client = TestClient(app, base_url="http://127.0.0.1")
    page = client.get("/login")
    login_csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    assert client.post("/login", data={"csrf": login_csrf, "password": PASSWORD}, follow_redirects=False).status_code == 303
    return client, client.get("/board").text.split('name="csrf" value="')[1].split('"')[0]


@pytest.fixture(scope="module")
def world(tmp_path_factory, spec, checker):
    env = make_env(tmp_path_factory.mktemp("routes"), spec, checker)
    env.upload("a1", workbook(spec, values={"t3_new_natural": 999}))
    env.upload("a1", workbook(spec))
    history = env.store.history("a1")
    return env, history[0].id, history[1].id


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize(("method", "path", "expected"), TABLE, ids=[f"{m} {p}" for m, p, _ in TABLE])
def test_route_access(world, spec, method, path, expected, credential):
    env, sid, fid = world
    app = env.client.app
    token = {"none": BAD, "other": env.tokens["a2"], "revoked": env.tokens["gone"], "right": env.tokens["a1"],
             "coordinator": BAD}[credential]
    client, board_csrf = coordinator(app) if credential == "coordinator" else (TestClient(app, base_url="http://127.0.0.1"), "")
    url = path.format(t=token, sid=sid, fid=fid)
    if method == "GET":
        r = client.get(url, follow_redirects=False)
    elif "/upload" in url:
        r = client.post(url, data={"csrf": agency_csrf(app.state.service.secret, token)},
                        files={"file": ("r.xlsx", workbook(spec))}, follow_redirects=False)
    else:
        r = client.post(url, data={"csrf": board_csrf}, follow_redirects=False)
    assert r.status_code == expected[credential], r.text[:500]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    if r.status_code == 303 and credential != "coordinator" and path.startswith("/board"):
        assert r.headers["location"] == "/login"
