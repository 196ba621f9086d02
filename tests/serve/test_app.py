"""What agencies and the coordinator see: findings, CSRF, size limits, hostile text, the board."""

from __future__ import annotations

import asyncio
import csv
import errno
import html
import io
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from faults import YEAR, entity_bomb, truncated, zip_bomb
from starlette.requests import Request

from toolkit.check import check_bytes
from toolkit.collect import collect
from toolkit.collect.roster import Roster
from toolkit.model import Agency
from toolkit.serve import app as app_module
from toolkit.serve.security import Throttle

from .helpers import AGENCIES, PASSWORD, make_env, workbook

FAULTY = {"t3_new_natural": 999}  # R1 on table three, and R8 against the overview's figure


def _cells(page: str) -> list[tuple[str, str]]:
    """(cell, message) of every finding row shown, in page order."""
    rows = re.findall(r'<td class="cell">(.*?)</td>.*?<td>(.*?)\n', page, re.S)
    return [(html.unescape(c), html.unescape(m.strip())) for c, m in rows]


def test_findings_shown_are_those_of_check(env, spec):
    data = workbook(spec, values=FAULTY)
    r = env.upload("a1", data, "第一稿.xlsx")
    assert r.status_code == 200 and "已收到" in r.text and "未通过校验" in r.text
    expected = check_bytes(data, "第一稿.xlsx", spec, year=YEAR).to_dict()
    sub = env.store.history("a1")[0]
    assert sub.report == expected  # the JSON of `toolkit check --json`
    assert expected["findings"] and {f["code"] for f in expected["findings"]} >= {"R1"}
    by_sheet: dict[str, list] = {}
    for f in expected["findings"]:
        by_sheet.setdefault(f["sheet"] or "文件", []).append(f)
    shown = [(f["cell"] or "—", f["message"]) for found in by_sheet.values() for f in found]
    assert _cells(r.text) == shown
    for sheet in by_sheet:
        assert f"<h3>{html.escape(sheet)}<" in r.text


def test_fixed_upload_passes_and_previews_the_report(env, spec):
    env.upload("a1", workbook(spec, values=FAULTY))
    r = env.upload("a1", workbook(spec))
    assert "已通过校验，报送完成" in r.text
    sid = env.store.history("a1")[0].id
    docx = env.client.get(f"/a/{env.tokens['a1']}/s/{sid}/report.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "attachment" in docx.headers["content-disposition"]
    faulty = env.store.history("a1")[1].id
    assert env.client.get(f"/a/{env.tokens['a1']}/s/{faulty}/report.docx").status_code == 409
    page = env.client.get(f"/a/{env.tokens['a1']}/s/{sid}/report.html")
    assert page.status_code == 200 and "attachment" in page.headers["content-disposition"]
    assert page.headers["content-type"].startswith("text/html") and "<table" in page.text and "<script" not in page.text
    assert env.client.get(f"/a/{env.tokens['a1']}/s/{faulty}/report.html").status_code == 409
    page = env.client.get(f"/a/{env.tokens['a1']}")
    assert page.text.count("查看校验结果") == 2 and "已通过" in page.text


def test_feedback_workbook_marks_the_findings(env, spec):
    import openpyxl

    data = workbook(spec, values=FAULTY)
    page = env.upload("a1", data)
    sid = env.store.history("a1")[0].id
    link = f"/a/{env.tokens['a1']}/s/{sid}/feedback.xlsx"
    assert "下载标注了问题的反馈表" in page.text and f'href="{link}"' in page.text
    r = env.client.get(link)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert "校验意见" in book.sheetnames
    finding = next(f for f in check_bytes(data, "报表.xlsx", spec, year=YEAR).findings if f.code == "R1")
    comment = book[finding.sheet][finding.cell].comment
    assert comment is not None and comment.text.strip()
    clean = env.upload("a1", workbook(spec))  # no finding: no feedback link, and the route refuses
    assert "下载标注了问题的反馈表" not in clean.text
    assert env.client.get(f"/a/{env.tokens['a1']}/s/{env.store.history('a1')[0].id}/feedback.xlsx").status_code == 409


def test_template_download_is_the_agencys(env, spec):
    r = env.client.get(f"/a/{env.tokens['a2']}/template.xlsx")
    assert r.status_code == 200 and 'filename="a2.xlsx"' in r.headers["content-disposition"]
    result = check_bytes(r.content, "a2.xlsx", spec, year=YEAR)
    assert (result.agency_id, result.agency, result.year) == ("a2", "乙单位", YEAR)


@pytest.mark.parametrize("fault", [truncated, entity_bomb, lambda d: zip_bomb(d, 20 * 1024 * 1024), lambda d: b"not a workbook"])
def test_fault_corpus_gives_the_findings_of_check(env, spec, fault):
    data = fault(workbook(spec))
    r = env.upload("a1", data, "坏文件.xlsx")
    assert r.status_code == 200 and "未通过校验" in r.text
    assert env.store.history("a1")[0].report == check_bytes(data, "坏文件.xlsx", spec, year=YEAR).to_dict()


def test_another_agencys_workbook_is_an_error_and_stays_out_of_the_inbox(env, spec):
    r = env.upload("a1", workbook(spec, "a2"))
    assert "serve_wrong_agency" in r.text and "乙单位" not in r.text.split("校验结果")[0]
    sub = env.store.history("a1")[0]
    assert sub.status == "errors" and not sub.own
    assert not (env.store.data / "inbox" / "a1.xlsx").exists()


def test_csrf_missing_or_wrong_is_refused(env, spec):
    r = env.client.post(f"/a/{env.tokens['a1']}/upload", files={"file": ("r.xlsx", workbook(spec))})
    assert r.status_code == 403
    r = env.upload("a1", workbook(spec), csrf="forged")
    assert r.status_code == 403
    other = env.csrf(f"/a/{env.tokens['a2']}")  # a2's form token does not work on a1's link
    assert env.upload("a1", workbook(spec), csrf=other).status_code == 403
    assert env.store.history("a1") == [] and not any((env.store.data / "files").iterdir())
    assert env.client.post("/login", data={"password": PASSWORD}).status_code == 403
    env.login()
    assert env.client.post("/logout", data={}).status_code == 403
    assert env.client.get("/board").status_code == 200  # still logged in


def test_oversize_upload_is_refused_and_nothing_stored(tmp_path, spec, checker):
    env = make_env(tmp_path, spec, checker, max_upload=64 * 1024)
    big = workbook(spec) + bytes(200 * 1024)
    r = env.upload("a1", big)
    assert r.status_code == 413 and "文件过大" in r.text
    assert env.store.history("a1") == [] and not any((env.store.data / "files").iterdir())
    assert [e["kind"] for e in env.store.events(5)][0] == "upload_refused"


def test_body_is_refused_while_streaming():
    """No Content-Length: the body is read chunk by chunk and refused once past the limit."""
    chunks = [b"x" * 1024] * 100
    read = []

    async def receive():
        read.append(1)
        return {"type": "http.request", "body": chunks[len(read) - 1], "more_body": len(read) < len(chunks)}

    request = Request({"type": "http", "method": "POST", "headers": [], "path": "/"}, receive)
    with pytest.raises(app_module.TooLarge):
        asyncio.run(app_module._read_limited(request, 10 * 1024))
    assert len(read) == 11


def test_hostile_text_renders_as_text(env, spec):
    evil = "<script>alert(1)</script>{{ 7*7 }}../../etc/passwd"
    data = workbook(spec, values=FAULTY, narratives={"problems": evil}, contact={"meta_contact": evil})
    r = env.upload("a1", data, "..\\..\\" + evil + ".xlsx")
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in r.text
    env.login()
    for page in (env.client.get("/board"), env.client.get("/board/agency/a1"),
                 env.client.get(f"/board/s/{env.store.history('a1')[0].id}")):
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    files = [p.relative_to(env.store.data).as_posix() for p in env.store.data.rglob("*") if p.is_file()]
    sub = env.store.history("a1")[0]
    assert sub.file_name == "..\\..\\" + evil + ".xlsx"  # kept as text, never a path
    assert sorted(f for f in files if not f.startswith("toolkit.sqlite3")) == [f"files/a1/{sub.sha256}.xlsx", "inbox/a1.xlsx"]


def test_file_name_from_an_old_windows_browser():
    assert app_module._display_name("C:\\Users\\张三\\桌面\\报表.xlsx") == "报表.xlsx"
    assert app_module._display_name("a\x00b\n.xlsx") == "ab.xlsx"
    assert app_module._display_name(None) == "未命名.xlsx"


def test_board_counts_filters_and_downloads(env, spec):
    env.upload("a1", workbook(spec, values=FAULTY, contact={"meta_contact": "=HYPERLINK(\"http://x\")", "meta_phone": "@1"}))
    env.upload("a2", workbook(spec, "a2"))
    env.login()
    board = env.client.get("/board").text
    assert re.search(r'id="count-errors">有错误 <b>1</b>', board) and re.search(r'id="count-ok">已通过 <b>1</b>', board)
    assert re.search(r'id="count-none">未报送 <b>1</b>', board)  # "gone": in the roster, link revoked
    errors_only = env.client.get("/board?state=errors").text
    assert 'data-agency="a1"' in errors_only and 'data-agency="a2"' not in errors_only
    named = env.client.get("/board?q=乙").text
    assert 'data-agency="a2"' in named and 'data-agency="a1"' not in named
    by_name = env.client.get("/board?sort=name&desc=1").text
    # code point order: 甲 U+7532, 已 U+5DF2, 乙 U+4E59
    assert by_name.index('data-agency="a1"') < by_name.index('data-agency="gone"') < by_name.index('data-agency="a2"')
    chase = env.client.get("/board/chase.csv")
    assert chase.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(chase.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["a1", "gone"]
    assert rows[1][6:8] == ["'=HYPERLINK(\"http://x\")", "'@1"] and rows[1][8:] == ["李四", "0574-1"]
    found = list(csv.reader(io.StringIO(env.client.get("/board/findings.csv").content.decode("utf-8-sig"))))
    assert found[0][:3] == ["编号", "级别", "单位编号"]
    assert {r[2] for r in found[1:]} == {"a1"} and "R1" in {r[0] for r in found[1:]}


def test_late_after_the_deadline(tmp_path, spec, checker):
    import datetime as dt

    env = make_env(tmp_path, spec, checker, deadline=dt.date(2000, 1, 1))
    env.upload("a1", workbook(spec))
    env.login()
    board = env.client.get("/board?late=1").text
    assert 'data-agency="a1"' in board and "逾期" in board
    assert "已过截止日期" in env.client.get(f"/a/{env.tokens['a1']}").text


def test_collect_on_the_inbox_gives_the_same_findings(env, spec):
    env.upload("a1", workbook(spec))
    env.upload("a1", workbook(spec, values=FAULTY))  # the later one counts
    env.upload("a2", workbook(spec, "a2", values={"t2_regulation_issued": 3}))
    roster = Roster(Path("roster.csv"), tuple(Agency(a.id, a.name) for a in AGENCIES))
    coll = collect(env.store.data / "inbox", YEAR, spec=spec, roster=roster, workers=1)
    by_agency = {r.agency_id: r for r in coll.results}
    assert set(by_agency) == {"a1", "a2"} and [a.id for a in coll.missing] == ["gone"]
    for agency_id in ("a1", "a2"):
        served = env.store.history(agency_id)[0].report["findings"]
        collected = [f.to_dict() for f in by_agency[agency_id].findings]
        strip = lambda fs: [{k: v for k, v in f.items() if k not in ("file", "agency_id")} for f in fs]  # noqa: E731
        assert strip(collected) == strip(served)
    assert by_agency["a1"].status == "errors" and by_agency["a2"].status == env.store.history("a2")[0].status
    env.login()  # the coordinator's zip of the latest workbooks is the same inbox
    latest = env.client.get("/board/latest.zip")
    with zipfile.ZipFile(io.BytesIO(latest.content)) as zf:
        assert {i.filename: zf.read(i) for i in zf.infolist()} == {
            p.name: p.read_bytes() for p in (env.store.data / "inbox").iterdir()}


CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?")


def _sheet_cells(data: bytes) -> dict:
    """Cell values, clock readings masked (a run records when it first saw each file)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [[CLOCK.sub("<time>", c.value) if isinstance(c.value, str) else c.value for c in row]
                       for row in ws.iter_rows()] for ws in wb.worksheets}


def test_board_summary_and_reports_are_those_of_collect(env, spec, tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app as cli

    from .helpers import write_roster

    env.upload("a1", workbook(spec))
    env.upload("a2", workbook(spec, "a2", values=FAULTY))
    env.upload("a2", workbook(spec, "a1"))  # another agency's template stays out of the inbox
    out = tmp_path / "out"
    done = CliRunner().invoke(cli, ["collect", str(env.store.data / "inbox"), "--year", str(YEAR), "--roster",
                                    str(write_roster(tmp_path / "roster.csv")), "-o", str(out)])
    assert done.exit_code in (0, 1), done.output
    env.login()
    summary = env.client.get("/board/summary.xlsx")
    assert summary.status_code == 200 and "attachment" in summary.headers["content-disposition"]
    assert _sheet_cells(summary.content) == _sheet_cells((out / "summary.xlsx").read_bytes())
    reports = env.client.get("/board/reports.zip")
    assert reports.status_code == 200 and reports.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(reports.content)) as zf:
        names = sorted(zf.namelist())
        assert all(zf.read(n)[:2] == b"PK" for n in names)
    assert names == sorted(p.name for p in (out / "reports").iterdir()) == ["a1.docx", "汇总.docx"]
    page = env.client.get("/board").text
    assert 'href="/board/summary.xlsx"' in page and 'href="/board/reports.zip"' in page


def test_login_failures_are_throttled(tmp_path, spec, checker):
    env = make_env(tmp_path, spec, checker, throttle=Throttle(per_client=3, overall=10, window=60))
    for _ in range(3):
        csrf = env.csrf("/login")
        r = env.client.post("/login", data={"csrf": csrf, "password": "wrong"})
        assert r.status_code == 401 and "密码不正确" in r.text
    csrf = env.csrf("/login")
    assert env.client.post("/login", data={"csrf": csrf, "password": PASSWORD}).status_code == 429
    kinds = [e["kind"] for e in env.store.events(10)]
    assert kinds[:4] == ["login_blocked", "login_failed", "login_failed", "login_failed"]
    assert not any(PASSWORD in str(e) or "wrong" in str(e) for e in env.store.events(100))


def test_session_cookie_flags(env):
    csrf = env.csrf("/login")
    r = env.client.post("/login", data={"csrf": csrf, "password": PASSWORD}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert "toolkit_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")


def test_full_disk_gives_an_error_page(env, spec, monkeypatch):
    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(env.store, "_put_file", full)
    r = env.upload("a1", workbook(spec))
    assert r.status_code == 507 and "数据目录已满或不可写" in r.text and "Traceback" not in r.text
    assert env.store.history("a1") == []
    monkeypatch.undo()

    def read_only(*_args):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(env.store, "log", read_only)  # the refusal of an oversize upload is logged
    r = env.client.post(f"/a/{env.tokens['a1']}/upload", content=b"x" * (11 * 1024 * 1024),
                        headers={"content-type": "multipart/form-data; boundary=x"})
    assert r.status_code == 507 and "数据目录已满或不可写" in r.text


def test_board_pages(env, monkeypatch):
    monkeypatch.setattr(app_module, "BOARD_PAGE", 2)
    env.login()
    first = env.client.get("/board?sort=id&desc=1").text
    assert re.findall(r'data-agency="([^"]+)"', first) == ["gone", "a2"] and "第 1/2 页" in first
    second = env.client.get("/board?sort=id&desc=1&page=2").text
    assert re.findall(r'data-agency="([^"]+)"', second) == ["a1"]
    assert len(re.findall(r"data-agency=", env.client.get("/board?all=1").text)) == 3
    assert "第 1/2 页" in env.client.get("/board?page=99x").text
