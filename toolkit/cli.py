"""The `toolkit` command: a thin layer that wires the library stages and prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .roster import RosterError, read_roster, validate_id
from .spec import DEFAULT_EDITION, load_spec
from .template import DEFAULT_PASSWORD, Agency, write_templates

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="政府信息公开工作年度报告 填报模板、汇总校验与报告生成工具。")
console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


def fail(message: str) -> typer.Exit:
    """Print a usage-level error and return the exit (code 2: the command could not run)."""
    console.print(f"[red]错误：[/red]{message}")
    return typer.Exit(2)


@app.command()
def spec(
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（供集成和测试使用）"),
    edition: str = typer.Option(DEFAULT_EDITION, help="格式版本"),
) -> None:
    """打印官方格式：每个单元格的编号、位置、角色和官方标签。"""
    s = load_spec(edition)
    if as_json:
        typer.echo(json.dumps(s.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"{s.name}  id={s.id} version={s.version} layout={s.layout_hash}")
    for t in s.tables:
        typer.echo(f"\n{t.heading}  [{t.sheet}]  输入 {len(t.inputs)}，总计 {len(t.totals)}")
        for c in t.cells:
            extra = f"  ={s.formula(c)}" if c.role == "total" else ""
            typer.echo(f"  {c.address:>5}  {c.code:<32} {c.role:<6} {c.type:<8} {c.row_label}／{c.col_label}{extra}")
    typer.echo("\n文字部分")
    for n in s.narratives:
        typer.echo(f"  {n.address:>5}  {n.code:<32} {n.heading}")
    typer.echo("\n校验规则")
    for r in s.rules:
        typer.echo(f"  {r.id:<3} {r.severity:<7} {r.description}")


@app.command()
def template(
    year: int = typer.Option(..., "--year", help="报告年度，如 2024"),
    agency: Optional[str] = typer.Option(None, "--agency", help="单位名称（生成单个模板）"),
    agency_id: Optional[str] = typer.Option(None, "--agency-id", help="单位编号（默认取单位名称）"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="名单 CSV/XLSX，至少含 id,name 两列"),
    out: Path = typer.Option(Path("templates"), "-o", "--out", help="输出目录"),
    password: str = typer.Option(DEFAULT_PASSWORD, "--password", help="工作表保护密码"),
    edition: str = typer.Option(DEFAULT_EDITION, help="格式版本"),
) -> None:
    """为每个单位生成锁定的 Excel 填报模板（<单位编号>.xlsx）。"""
    if (agency is None) == (roster is None):
        raise fail("请给出 --agency（单个单位）或 --roster（名单文件）二者之一。")
    if not 2021 <= year <= 2100:
        raise fail(f"年度 {year} 不适用 2021 年版格式（适用于 2021 年及以后的年度报告）。")
    try:
        if roster is not None:
            agencies = list(read_roster(roster).agencies)
        else:
            agencies = [Agency(validate_id(agency_id or agency), agency.strip())]
    except RosterError as e:
        raise fail(str(e))
    s = load_spec(edition)
    with _progress() as bar:
        task = bar.add_task("生成模板", total=len(agencies))
        paths = write_templates(s, agencies, year, out, password=password,
                                progress=lambda _p: bar.advance(task))
    for path in paths:
        typer.echo(str(path))
    console.print(f"已生成 {len(paths)} 个模板，位于 {out}/")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
