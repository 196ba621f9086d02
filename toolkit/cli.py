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


# --- published reports: import and audit ------------------------------------------------------


def _print_published_findings(findings) -> None:
    for f in findings:
        where = "／".join(x for x in (f.sheet, f.cell) if x)
        typer.echo(f"[{f.severity}] {f.code}  {where}\n    {f.message}")


@app.command("import")
def import_(
    report: Path = typer.Argument(..., help="已发布的年度报告：.txt（网页复制或 PDF 提取的文字）、.html/.htm 或 .docx"),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="输出的 .xlsx（默认 <单位编号>.xlsx）"),
    agency_id: Optional[str] = typer.Option(None, "--agency-id", help="单位编号（默认取单位名称）"),
    year: Optional[int] = typer.Option(None, "--year", help="报告年度（默认从标题识别）"),
    agency: Optional[str] = typer.Option(None, "--agency", help="单位名称（默认从标题识别）"),
) -> None:
    """把已发布的年度报告读入为填好的 2021 年版 Excel 模板。"""
    from .atomic import write_bytes_atomic
    from .published.doc import ReadError
    from .published.importer import import_report

    try:
        result = import_report(report, agency_id=agency_id, year=year, agency_name=agency)
    except ReadError as e:
        raise fail(str(e))
    target = out or Path(f"{result.agency.id}.xlsx")
    if target.resolve() == report.resolve():
        raise fail(f"输出文件不能与输入文件相同：{target}")
    write_bytes_atomic(target, result.data)
    _print_published_findings(result.findings)
    layout = "，".join(f"{t}={e}" for t, e in result.published.editions().items())
    console.print(f"已导入 {result.agency.name}（{result.agency.id}）{result.year} 年度报告 → {target}（{layout}）")
    errors = sum(1 for f in result.findings if f.severity == "error")
    if errors:
        console.print(f"[yellow]有 {errors} 个错误，请运行 toolkit audit 查看并核对原文。[/yellow]")
        raise typer.Exit(1)


@app.command()
def audit(
    report: Path = typer.Argument(..., help="已发布的年度报告：.txt、.html/.htm 或 .docx"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（与 check --json 同一结构）"),
) -> None:
    """对已发布的年度报告运行全部适用的校验规则，按表、行、列标签定位问题。"""
    from .published.audit import audit_report

    result = audit_report(report)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif result.error:
        console.print(f"[red]错误：[/red]{result.error}")
    else:
        p = result.published
        _print_published_findings(result.findings)
        errors = sum(1 for f in result.findings if f.severity == "error")
        warnings = sum(1 for f in result.findings if f.severity == "warning")
        console.print(f"{p.agency or '（未识别单位）'} {p.year or '（未识别年度）'} 年度报告：{errors} 个错误，{warnings} 个警告。")
    raise typer.Exit(result.exit_code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
