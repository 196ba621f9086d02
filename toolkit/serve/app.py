"""The web application: agency pages by private link, the coordinator's board behind a login.

Pages are rendered on the server (Jinja2, autoescaped) in Chinese, with one stylesheet served
by the app and no script. Submitted text (file names, narratives, contact fields) is only
ever shown as text; a file's place on disk comes from its agency id (validated by the roster)
and its hash, never from anything the browser sent.

Not here yet: HTML/PDF report previews; the pages link to them once they exist.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import tempfile
import zipfile
from collections.abc import AsyncGenerator, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from toolkit import catalogue
from toolkit.collect.roster import Contact, Roster
from toolkit.format.spec import Spec
from toolkit.model import Agency
from toolkit.serve import board, collected
from toolkit.serve.security import SecurityHeaders, Throttle, agency_csrf, hash_password, same, verify_password
from toolkit.serve.store import AgencyRow, LinkState, NewSubmission, StorageError, Store, Submission
from toolkit.serve.worker import Checker
from toolkit.template import build_workbook

HERE = Path(__file__).parent
MB = 1024 * 1024
MAX_UPLOAD = 10 * MB  # a filled report is ~30 KB; anything near this is not one
FORM_OVERHEAD = 64 * 1024  # multipart headers and the small fields around the file
SESSION_COOKIE = "toolkit_session"
LOGIN_COOKIE = "toolkit_login"
SESSION_HOURS = 12.0
BOARD_PAGE = 500  # rows per page of the board; ?all=1 shows every row (to print)
PASSWORD_KEY = "coordinator_password"
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
MESSAGES = {
    400: "请求无效。请返回上一页重试。",
    403: "没有访问权限。",
    404: "页面不存在。如果您是通过链接进入的，请核对链接是否完整，或联系协调人。",
    405: "不支持此操作。",
    413: "文件过大，未被接受。",
    429: "登录失败次数过多，请稍后再试。",
}


class TooLarge(Exception):
    pass


def set_password(store: Store, password: str) -> None:
    store.set_setting(PASSWORD_KEY, hash_password(password))
    store.log("password_set")


def has_password(store: Store) -> bool:
    return store.setting(PASSWORD_KEY) is not None


def has_feedback(sub: Submission) -> bool:
    """A feedback workbook is offered for a checked file of the agency's own template with findings
    (another agency's template or an unreadable file has nothing of its own to mark)."""
    return sub.own and bool(sub.errors or sub.warnings)


class Service:
    """The routes and what they share: the store, the format, the year, the check workers."""

    def __init__(self, store: Store, spec: Spec, year: int, checker: Checker, *, deadline: date | None = None,
                 max_upload: int = MAX_UPLOAD, throttle: Throttle | None = None, roster: Roster | None = None) -> None:
        self.store, self.spec, self.year, self.checker = store, spec, year, checker
        self.deadline, self.max_upload, self._roster = deadline, max_upload, roster
        self.throttle = throttle or Throttle()
        secret = store.setting("secret")
        if secret is None:
            secret = secrets.token_urlsafe(32)
            store.set_setting("secret", secret)
        self.secret = secret
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                                 undefined=jinja2.StrictUndefined)
        env.filters["localtime"] = lambda iso: board.local(iso).strftime("%Y-%m-%d %H:%M") if iso else ""
        env.globals.update(states=board.STATES, state_of=board.state_of, severity_zh=SEVERITY_ZH, year=year, deadline=deadline,
                           has_feedback=has_feedback)
        self.templates = Jinja2Templates(env=env)

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    # --- agencies ------------------------------------------------------------------------

    def _agency(self, request: Request) -> tuple[str, AgencyRow]:
        token = request.path_params["token"]
        state, agency = self.store.resolve(token)
        if state == LinkState.REVOKED:
            raise HTTPException(403, "此链接已停用。请向协调人索取新的链接。")
        if agency is None:
            raise HTTPException(404)
        return token, agency

    def _submission(self, request: Request) -> Submission | None:
        sid = request.path_params["sid"]
        return self.store.submission(int(sid)) if sid.isdigit() and len(sid) < 19 else None  # SQLite's int64

    def _own(self, agency: AgencyRow, request: Request) -> Submission:
        sub = self._submission(request)
        if sub is None or sub.agency_id != agency.id:
            raise HTTPException(404)
        return sub

    def agency_page(self, request: Request) -> Response:
        token, agency = self._agency(request)
        history = self.store.history(agency.id)
        return self.page(request, "agency.html", agency=agency, token=token, history=history,
                         state=board.state_of(history[0] if history else None), days_left=self._days_left(),
                         csrf=agency_csrf(self.secret, token), max_mb=self.max_upload // MB)

    def _days_left(self) -> int | None:
        if self.deadline is None:
            return None
        return (self.deadline - datetime.now().astimezone().date()).days

    def template_file(self, request: Request) -> Response:
        _, agency = self._agency(request)
        data = build_workbook(self.spec, Agency(agency.id, agency.name), self.year)
        return _download(data, f"{agency.id}.xlsx", "template.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    async def upload(self, request: Request) -> Response:
        token, agency = self._agency(request)
        try:
            body = await _read_limited(request, self.max_upload + FORM_OVERHEAD)
        except TooLarge:
            await run_in_threadpool(self.store.log, "upload_refused", agency.id, "too large")
            raise HTTPException(413, f"文件过大（超过 {self.max_upload // MB} MB），未被接受。报表工作簿通常不到 1 MB，"
                                     "请确认选择的是本单位填好的 .xlsx 报表。") from None
        form = await _parse_form(request, body)
        if not same(_text(form.get("csrf")), agency_csrf(self.secret, token)):
            raise HTTPException(403, "表单已过期或来源不明。请刷新页面后重新上传。")
        upload = form.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        if not data:
            raise HTTPException(400, "没有收到文件。请点“选择文件”选中填好的报表后再上传。")
        if len(data) > self.max_upload:
            raise HTTPException(413, f"文件过大（超过 {self.max_upload // MB} MB），未被接受。")
        name = _display_name(upload.filename if isinstance(upload, UploadFile) else None)
        sub = await run_in_threadpool(self._receive, agency, data, name)
        return RedirectResponse(f"/a/{token}/s/{sub.id}", status_code=303)

    def _receive(self, agency: AgencyRow, data: bytes, name: str) -> Submission:
        checked = self.checker.check(data, name)
        report, status = checked.report, checked.status
        own = checked.agency_id == agency.id
        if checked.agency_id and not own:
            report, status = _wrong_agency(report, agency, checked.agency_id, name), "errors"
        findings = report.get("findings", [])
        return self.store.add_submission(NewSubmission(
            agency.id, data, name, status, sum(f["severity"] == "error" for f in findings),
            sum(f["severity"] == "warning" for f in findings), own, checked.contact, report))

    def submission_page(self, request: Request) -> Response:
        token, agency = self._agency(request)
        sub = self._own(agency, request)
        return self.page(request, "submission.html", agency=agency, token=token, sub=sub,
                         state=board.state_of(sub), groups=_by_sheet(sub.report.get("findings", [])))

    def report_docx(self, request: Request) -> Response:
        return self._preview(request, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    def report_html(self, request: Request) -> Response:
        """The web page the coordinator would publish (a download: the page carries its own style
        sheet, which this site's CSP would not apply inline)."""
        return self._preview(request, "html", "text/html; charset=utf-8")

    def _preview(self, request: Request, fmt: str, media_type: str) -> Response:
        """The report of a submission without error, as `toolkit report --format FMT` makes it."""
        _, agency = self._agency(request)
        sub = self._own(agency, request)
        if board.state_of(sub) not in ("ok", "warnings"):
            raise HTTPException(409, "这份报表有错误，改正并通过校验后才能预览报告。")
        make = self.checker.report_html if fmt == "html" else self.checker.report_docx
        data = make(self.store.file_path(sub).read_bytes(), sub.file_name)
        if data is None:
            raise HTTPException(409, "暂时无法生成报告预览，请稍后再试。")
        return _download(data, f"{agency.name}{self.year}年政府信息公开工作年度报告（预览）.{fmt}", f"report.{fmt}",
                         media_type)

    def feedback_xlsx(self, request: Request) -> Response:
        """The submission returned with its problems marked: what `toolkit feedback` writes."""
        _, agency = self._agency(request)
        sub = self._own(agency, request)
        if not has_feedback(sub):
            raise HTTPException(409, "这份报表没有可标注的问题，无需下载反馈表。")
        data = self.checker.feedback_xlsx(self.store.file_path(sub).read_bytes(), sub.file_name)
        if data is None:
            raise HTTPException(409, "暂时无法生成反馈表，请稍后再试。")
        return _download(data, f"{agency.name}-反馈表-第{sub.id}号.xlsx", "feedback.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    # --- the coordinator -----------------------------------------------------------------

    def _session(self, request: Request) -> str | None:
        token = request.cookies.get(SESSION_COOKIE)
        return self.store.session_csrf(token) if token else None

    def _coordinator(self, request: Request) -> str:
        csrf = self._session(request)
        if csrf is None:
            if request.method == "GET":
                raise HTTPException(303, headers={"location": "/login"})
            raise HTTPException(403, "请先登录。")
        return csrf

    def home(self, request: Request) -> Response:
        return RedirectResponse("/board" if self._session(request) else "/login", status_code=303)

    def login_page(self, request: Request) -> Response:
        if self._session(request):
            return RedirectResponse("/board", status_code=303)
        return self._login_form(request, 200, "")

    def _login_form(self, request: Request, status: int, error: str) -> Response:
        csrf = secrets.token_urlsafe(24)
        response = self.page(request, "login.html", status, csrf=csrf, error=error,
                             configured=has_password(self.store))
        response.set_cookie(LOGIN_COOKIE, csrf, httponly=True, samesite="strict", path="/login")
        return response

    async def login(self, request: Request) -> Response:
        client = request.client.host if request.client else ""
        form = await request.form(max_files=0, max_fields=5)
        if not same(_text(form.get("csrf")), request.cookies.get(LOGIN_COOKIE)):
            raise HTTPException(403, "表单已过期，请刷新登录页面后重试。")
        if self.throttle.blocked(client):
            self.store.log("login_blocked", detail=client)
            raise HTTPException(429)
        stored = self.store.setting(PASSWORD_KEY)
        if stored is None or not verify_password(_text(form.get("password")), stored):
            self.throttle.failed(client)
            self.store.log("login_failed", detail=client)
            return self._login_form(request, 401, "密码不正确。")
        token, _ = self.store.new_session(SESSION_HOURS)
        self.store.log("login", detail=client)
        response = RedirectResponse("/board", status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
                            max_age=int(SESSION_HOURS * 3600))
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    async def logout(self, request: Request) -> Response:
        csrf = self._coordinator(request)
        form = await request.form(max_files=0, max_fields=5)
        if not same(_text(form.get("csrf")), csrf):
            raise HTTPException(403, "表单已过期，请刷新页面后重试。")
        self.store.end_session(request.cookies.get(SESSION_COOKIE, ""))
        self.store.log("logout")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def board_page(self, request: Request) -> Response:
        csrf = self._coordinator(request)
        q = request.query_params
        all_rows = board.rows(self.store, self.deadline)
        state = q.get("state", "") if q.get("state", "") in board.STATES else ""
        sort = q.get("sort", "id") if q.get("sort") in board.SORTS else "id"
        desc = q.get("desc") == "1"
        late = q.get("late") == "1"
        shown = board.select(all_rows, state=state, q=q.get("q", "").strip(), late=late, sort=sort, desc=desc)
        pages = max(1, -(-len(shown) // BOARD_PAGE))
        number = min(max(1, int(q["page"]) if q.get("page", "").isdigit() else 1), pages)
        everything = q.get("all") == "1"
        visible = shown if everything else shown[(number - 1) * BOARD_PAGE:number * BOARD_PAGE]
        keep = urlencode({k: v for k, v in (("state", state), ("q", q.get("q", "")), ("late", "1" if late else ""),
                                            ("sort", sort), ("desc", "1" if desc else "")) if v})
        return self.page(request, "board.html", csrf=csrf, rows=visible, shown=len(shown), total=len(all_rows),
                         counts=board.counts(all_rows), late_count=sum(r.late for r in all_rows),
                         state=state, q=q.get("q", ""), late=late, sort=sort, desc=desc,
                         page=number, pages=1 if everything else pages, keep=keep)

    def board_agency(self, request: Request) -> Response:
        csrf = self._coordinator(request)
        agency = self.store.agency(request.path_params["agency_id"])
        if agency is None:
            raise HTTPException(404)
        history = self.store.history(agency.id)
        return self.page(request, "board_agency.html", csrf=csrf, agency=agency, history=history,
                         state=board.state_of(history[0] if history else None),
                         linked=agency.id in self.store.linked())

    def _any(self, request: Request) -> Submission:
        sub = self._submission(request)
        if sub is None:
            raise HTTPException(404)
        return sub

    def board_submission(self, request: Request) -> Response:
        csrf = self._coordinator(request)
        sub = self._any(request)
        agency = self.store.agency(sub.agency_id)
        return self.page(request, "board_submission.html", csrf=csrf, agency=agency, sub=sub,
                         state=board.state_of(sub), groups=_by_sheet(sub.report.get("findings", [])))

    def board_workbook(self, request: Request) -> Response:
        self._coordinator(request)
        sub = self._any(request)
        return _download(self.store.file_path(sub).read_bytes(), f"{sub.agency_id}-{sub.id}.xlsx", f"{sub.id}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def findings_csv(self, request: Request) -> Response:
        self._coordinator(request)
        data = board.findings_csv(self.store, board.rows(self.store, self.deadline))
        return _download(data, f"{self.year}年度问题清单.csv", "findings.csv", "text/csv; charset=utf-8")

    def latest_zip(self, request: Request) -> Response:
        """Each agency's latest workbook of its own template, as `<agency-id>.xlsx` in one zip:
        what `toolkit collect` reads from DATA/inbox (and reads from this zip as well)."""
        self._coordinator(request)
        spool = tempfile.SpooledTemporaryFile(max_size=64 * MB)
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_STORED) as zf:  # xlsx files are compressed already
            for agency_id, path in self.store.latest_files():
                zf.write(path, f"{agency_id}.xlsx")
        return _stream_zip(spool, f"{self.year}年度各单位最新报表.zip", "latest.zip")

    def roster(self) -> Roster:
        """The roster the service was started with, else the store's (its contacts without e-mail)."""
        if self._roster is not None:
            return self._roster
        rows = self.store.agencies()
        return Roster(Path("roster"), tuple(Agency(a.id, a.name) for a in rows),
                      {a.id: Contact(a.contact, a.phone) for a in rows if a.contact or a.phone})

    async def summary_xlsx(self, request: Request) -> Response:
        """summary.xlsx as `toolkit collect DATA/inbox` writes it."""
        self._coordinator(request)
        due = self.deadline.isoformat() if self.deadline else ""
        data = await run_in_threadpool(collected.summary_xlsx, self.store.data / "inbox", self.year, self.spec,
                                       self.roster(), due)
        return _download(data, f"{self.year}年度汇总表.xlsx", "summary.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    async def reports_zip(self, request: Request) -> Response:
        """The DOCX reports `toolkit collect DATA/inbox` writes (agencies with no error, and 汇总.docx)."""
        self._coordinator(request)
        spool = tempfile.SpooledTemporaryFile(max_size=64 * MB)
        await run_in_threadpool(collected.reports_zip, self.store.data / "inbox", self.year, self.spec,
                                self.roster(), spool)
        return _stream_zip(spool, f"{self.year}年度各单位年度报告.zip", "reports.zip")

    def chase_csv(self, request: Request) -> Response:
        self._coordinator(request)
        data = board.chase_csv(board.rows(self.store, self.deadline))
        return _download(data, f"{self.year}年度待催报单位.csv", "chase.csv", "text/csv; charset=utf-8")

    # --- errors --------------------------------------------------------------------------

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (301, 302, 303, 307):
            return Response(status_code=exc.status_code, headers=exc.headers)
        message = exc.detail if exc.detail and exc.detail != _phrase(exc.status_code) else MESSAGES.get(exc.status_code, "出错了。")
        return self.page(request, "error.html", exc.status_code, message=message)

    async def storage_error(self, request: Request, exc: Exception) -> Response:
        return self.page(request, "error.html", 507, message="服务器的数据目录已满或不可写，文件没有保存。"
                                                              "请稍后再试，并告知协调人检查服务器磁盘。")

    async def server_error(self, request: Request, exc: Exception) -> Response:
        return self.page(request, "error.html", 500, message="服务器内部错误，操作没有完成。请稍后再试，或告知协调人。")


def create_app(store: Store, spec: Spec, year: int, checker: Checker, **options: Any) -> Starlette:
    s = Service(store, spec, year, checker, **options)
    routes = [
        Route("/", s.home),
        Route("/login", s.login_page, methods=["GET"]),
        Route("/login", s.login, methods=["POST"]),
        Route("/logout", s.logout, methods=["POST"]),
        Route("/a/{token}", s.agency_page),
        Route("/a/{token}/template.xlsx", s.template_file),
        Route("/a/{token}/upload", s.upload, methods=["POST"]),
        Route("/a/{token}/s/{sid}", s.submission_page),
        Route("/a/{token}/s/{sid}/report.docx", s.report_docx),
        Route("/a/{token}/s/{sid}/report.html", s.report_html),
        Route("/a/{token}/s/{sid}/feedback.xlsx", s.feedback_xlsx),
        Route("/board", s.board_page),
        Route("/board/agency/{agency_id}", s.board_agency),
        Route("/board/s/{sid}", s.board_submission),
        Route("/board/s/{sid}/workbook.xlsx", s.board_workbook),
        Route("/board/findings.csv", s.findings_csv),
        Route("/board/chase.csv", s.chase_csv),
        Route("/board/latest.zip", s.latest_zip),
        Route("/board/summary.xlsx", s.summary_xlsx),
        Route("/board/reports.zip", s.reports_zip),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        HTTPException: s.http_error, StorageError: s.storage_error, OSError: s.storage_error,
        sqlite3.OperationalError: s.storage_error, Exception: s.server_error})
    app.state.service = s
    app.add_middleware(SecurityHeaders)
    return app


# --- helpers -------------------------------------------------------------------------------------


async def _read_limited(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to be longer than ``limit`` (before storage)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _parse_form(request: Request, body: bytes):
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(400, "请通过页面上的上传表单提交文件。")

    async def replay() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        return await MultiPartParser(request.headers, replay(), max_files=1, max_fields=3,
                                     max_part_size=FORM_OVERHEAD).parse()
    except MultiPartException:
        raise HTTPException(400, "上传的表单不完整，请重新选择文件上传。") from None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _display_name(raw: str | None) -> str:
    """The file's name as text for people (never a path): no control characters, and without
    the folder an old browser on Windows sends along (C:\\...\\报表.xlsx)."""
    name = raw or ""
    if re.match(r"^[A-Za-z]:\\", name):
        name = name.rsplit("\\", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    return name or "未命名.xlsx"


def _wrong_agency(report: dict, agency: AgencyRow, stamp_id: str, name: str) -> dict:
    """The upload is another agency's template: an error on top of the check's findings."""
    finding = catalogue.finding("serve_wrong_agency", file=name, agency_id=agency.id, expected=agency.id,
                                actual=stamp_id, stamp=stamp_id, agency=agency.name).to_dict()
    stats = dict(report.get("stats", {}))
    stats["errors"] = stats.get("errors", 0) + 1
    return {**report, "valid": False, "stats": stats, "findings": [finding, *report.get("findings", [])]}


def _by_sheet(findings: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for f in findings:
        groups.setdefault(f.get("sheet") or "文件", []).append(f)
    return list(groups.items())


def _download(data: bytes, name: str, fallback: str, media_type: str) -> Response:
    fallback = name if name.isascii() else fallback
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


def _stream_zip(spool: IO[bytes], name: str, fallback: str) -> Response:
    """A zip written into ``spool``, streamed from its start (and closed at the end)."""
    size = spool.tell()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(1024 * 1024):
                yield block

    return StreamingResponse(chunks(), media_type="application/zip", headers={
        "content-disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}",
        "content-length": str(size)})


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
