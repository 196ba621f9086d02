"""`toolkit serve` and `toolkit links`: added to the toolkit command by ``register``."""

from __future__ import annotations

import copy
import logging
import os
import re
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from toolkit.format.spec import DEFAULT_EDITION

if TYPE_CHECKING:  # the rest is imported when a command runs: other commands start faster
    from toolkit.serve.store import AgencyRow, SqliteStore, Store

PASSWORD_ENV = "TOOLKIT_COORDINATOR_PASSWORD"
MIN_PASSWORD = 8
DEFAULT_DATA = Path("toolkit-data")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误：{message}", err=True)
    return typer.Exit(2)


def _open_store(data: Path) -> SqliteStore:
    from toolkit.serve.store import SqliteStore, StorageError

    try:
        return SqliteStore(data)
    except StorageError as e:
        raise _fail(f"无法使用数据目录 {data}：{e}") from None


def serve(
    year: int = typer.Option(..., "--year", help="报告年度，如 2024"),
    roster: Path = typer.Option(..., "--roster", help="名单 CSV/XLSX（id,name；可有 联系人、联系电话 列）"),
    data: Path = typer.Option(DEFAULT_DATA, "--data", help="数据目录（数据库、收到的文件、链接清单）"),
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址（内网服务器上用 0.0.0.0 或本机内网 IP）"),
    port: int = typer.Option(8000, "--port", help="端口"),
    deadline: str | None = typer.Option(None, "--deadline", help="报送截止日期 YYYY-MM-DD"),
    url: str | None = typer.Option(None, "--url", help="各单位访问本服务的地址（默认 http://HOST:PORT），用于生成链接"),
    workers: int = typer.Option(2, "--workers", help="校验进程数"),
    max_upload_mb: int = typer.Option(10, "--max-upload-mb", help="单个上传文件的大小上限（MB）"),
    edition: str = typer.Option(DEFAULT_EDITION, help="格式版本"),
) -> None:
    """启动内网报送服务：各单位凭专属链接下载模板、上传报表并立即看到校验结果；协调人登录后查看状态看板。"""
    import uvicorn

    from toolkit.collect.roster import RosterError, read_roster
    from toolkit.format.spec import load_spec
    from toolkit.serve.app import create_app, has_password, set_password
    from toolkit.serve.contacts import roster_contacts
    from toolkit.serve.store import AgencyRow
    from toolkit.serve.worker import Checker

    try:
        due = date.fromisoformat(deadline) if deadline else None
    except ValueError:
        raise _fail(f"截止日期“{deadline}”应写作 YYYY-MM-DD，如 2025-01-20。") from None
    try:
        spec = load_spec(edition)
        names = read_roster(roster)
        agencies = names.agencies
        contacts = roster_contacts(roster)
    except (RosterError, ValueError) as e:
        raise _fail(str(e)) from None
    store = _open_store(data)
    season = store.setting("year")
    if season is not None and season != str(year):
        raise _fail(f"数据目录 {data} 属于 {season} 年度；{year} 年度请另用一个 --data 目录。")
    store.set_setting("year", str(year))
    store.sync_agencies(AgencyRow(a.id, a.name, *contacts.get(a.id, ("", ""))) for a in agencies)
    store.sync_inbox()
    _password(store, has_password, set_password)
    base = (url or f"http://{host}:{port}").rstrip("/")
    store.set_setting("url", base)
    linked = store.linked()
    unlinked = [a for a in store.agencies() if a.id not in linked]
    made = store.new_links(a.id for a in unlinked)
    if made:
        path = data / f"links-{datetime.now().strftime('%Y%m%d-%H%M%S')}.csv"
        write_links(path, [(a, f"{base}/a/{made[a.id]}") for a in unlinked])
        typer.echo(f"已为 {len(made)} 个单位生成专属链接，见 {path}（请妥善保管，链接只显示这一次）。")
    checker = Checker(edition, year, workers=workers)
    app = create_app(store, spec, year, checker, deadline=due, max_upload=max_upload_mb * 1024 * 1024,
                     roster=names)
    typer.echo(f"报送服务：{base}/ （协调人登录：{base}/login），数据目录 {data}，名单 {len(agencies)} 个单位。按 Ctrl+C 停止。")
    try:
        uvicorn.run(app, host=host, port=port, log_config=log_config())
    finally:
        checker.close()


def _password(store: Store, has_password, set_password) -> None:
    """From the environment (replacing the stored one), else asked once at the first start."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        if len(given) < MIN_PASSWORD:
            raise _fail(f"{PASSWORD_ENV} 太短：至少 {MIN_PASSWORD} 个字符。")
        set_password(store, given)
        return
    if has_password(store):
        return
    if not sys.stdin.isatty():
        raise _fail(f"尚未设置协调人密码：请在终端中启动以设置，或设置环境变量 {PASSWORD_ENV}。")
    while True:
        password = typer.prompt("设置协调人登录密码（至少 8 个字符）", hide_input=True, confirmation_prompt=True)
        if len(password) >= MIN_PASSWORD:
            set_password(store, password)
            return
        typer.echo(f"密码至少 {MIN_PASSWORD} 个字符，请重新输入。")


class RedactLinks(logging.Filter):
    """The access log never shows an agency's link token."""

    PATTERN = re.compile(r"/a/[^/?\s]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.PATTERN.sub("/a/***", a) if isinstance(a, str) else a for a in record.args)
        return True


def log_config() -> dict:
    """uvicorn's logging, with the access log's link tokens redacted."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_links"] = {"()": RedactLinks}
    config["handlers"]["access"]["filters"] = ["redact_links"]
    return config


def write_links(path: Path, rows: list[tuple[AgencyRow, str]]) -> None:
    """The links as CSV (UTF-8 with BOM, for Excel), readable by the owner only."""
    from toolkit.outputs.csvfile import csv_bytes

    data = csv_bytes(["单位编号", "单位名称", "专属链接", "联系人", "联系电话"],
                     [(a.id, a.name, link, a.contact, a.phone) for a, link in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def read_links(data: Path) -> dict[str, str]:
    """Agency id -> link, from every links file ``serve`` wrote into ``data`` (oldest first, so a
    newer link wins): what the coordinator hands out, read back by the tests and the benchmark."""
    import csv
    import io

    out: dict[str, str] = {}
    for path in sorted(data.glob("links-*.csv")):
        for row in list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))[1:]:
            out[row[0]] = row[2]
    return out


def links(
    data: Path = typer.Option(..., "--data", help="toolkit serve 的数据目录"),
    export: Path | None = typer.Option(None, "--export", help="为还没有有效链接的单位（及 --new 的单位）生成链接，写入此 CSV"),
    new: list[str] = typer.Option([], "--new", help="为此单位生成新链接（原链接停用）；可重复"),
    revoke: list[str] = typer.Option([], "--revoke", help="停用此单位的链接；可重复"),
) -> None:
    """管理各单位的专属链接：生成新链接、停用链接、导出链接清单。链接只在生成时显示一次。"""
    if not (data / "toolkit.sqlite3").is_file():
        raise _fail(f"{data} 不是 toolkit serve 的数据目录（先运行 toolkit serve --data {data}）。")
    store = _open_store(data)
    known = {a.id: a for a in store.agencies()}
    for agency_id in [*new, *revoke]:
        if agency_id not in known:
            raise _fail(f"名单中没有单位编号 {agency_id}。")
    for agency_id in revoke:
        store.revoke_links(agency_id)
        typer.echo(f"已停用 {known[agency_id].name}（{agency_id}）的链接。")
    wanted = list(dict.fromkeys(new))
    if export is not None:
        linked = store.linked()
        wanted += [a for a in known if a not in linked and a not in wanted]
    base = store.setting("url") or "http://127.0.0.1:8000"
    made = [(known[i], f"{base}/a/{token}") for i, token in store.new_links(wanted).items()]
    for agency, link in made:
        if export is None:
            typer.echo(f"{agency.id}\t{agency.name}\t{link}")
    if export is not None:
        write_links(export, made)
        typer.echo(f"已把 {len(made)} 个新链接写入 {export}。")
    if not (new or revoke or export):
        linked = store.linked()
        for a in known.values():
            typer.echo(f"{a.id}\t{a.name}\t{'有效' if a.id in linked else '无有效链接'}")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("links")(links)
