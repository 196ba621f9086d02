"""The `toolkit` command: a thin layer that wires the library stages and prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from toolkit.collect.roster import RosterError, clean_name, read_roster, validate_id
from toolkit.format.spec import DEFAULT_EDITION, load_spec
from toolkit.model import Agency
from toolkit.outputs.findings import dumps
from toolkit.outputs.safepath import safe_stem
from toolkit.serve.cli import register as register_serve
from toolkit.template.workbook import DEFAULT_PASSWORD, write_templates

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="政府信息公开工作年度报告 填报模板、汇总校验与报告生成工具。")
console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


# Terminal escape sequences (CSI, OSC, other ESC) and the control characters left after them: text
# from a file name, a stamp or a report must not move the cursor, retitle the window or clear it.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: object) -> str:
    """Text from the input, safe to print: terminal escape codes and control characters removed."""
    return _ESCAPES.sub("", str(text))


def printable(text: object) -> str:
    """Text from the input inside rich markup: ``plain``, and its own brackets escaped (``[/red]``
    in a file or agency name would otherwise end a style that was never opened)."""
    return escape(plain(text))


def fail(message: str) -> typer.Exit:
    """Print a usage-level error and return the exit (code 2: the command could not run)."""
    console.print(f"[red]错误：[/red]{printable(message)}")
    return typer.Exit(2)


def _load(edition: str):
    try:
        return load_spec(edition)
    except ValueError as e:
        raise fail(f"未知的格式版本：{e}") from None


@app.command()
def spec(
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（供集成和测试使用）"),
    edition: str = typer.Option(DEFAULT_EDITION, help="格式版本"),
) -> None:
    """打印官方格式：每个单元格的编号、位置、角色和官方标签。"""
    s = _load(edition)
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
    agency: str | None = typer.Option(None, "--agency", help="单位名称（生成单个模板）"),
    agency_id: str | None = typer.Option(None, "--agency-id", help="单位编号（默认取单位名称）"),
    roster: Path | None = typer.Option(None, "--roster", help="名单 CSV/XLSX，至少含 id,name 两列"),
    out: Path = typer.Option(Path("templates"), "-o", "--out", help="输出目录"),
    password: str = typer.Option(DEFAULT_PASSWORD, "--password", help="工作表保护密码"),
    edition: str = typer.Option(DEFAULT_EDITION, help="格式版本"),
) -> None:
    """为每个单位生成锁定的 Excel 填报模板（<单位编号>.xlsx）。"""
    if (agency is None) == (roster is None):
        raise fail("请给出 --agency（单个单位）或 --roster（名单文件）二者之一。")
    try:
        if roster is not None:
            agencies = list(read_roster(roster).agencies)
        elif agency is not None:
            agencies = [Agency(validate_id(agency_id or agency), clean_name(agency))]
    except RosterError as e:
        raise fail(str(e)) from None
    s = _load(edition)
    if not s.writable:
        raise fail(f"格式版本 {edition} 仅用于读取已发布的报告，不能生成模板；请使用 {DEFAULT_EDITION}。")
    if problem := s.year_problem(year):
        raise fail(problem)
    with _progress() as bar:
        task = bar.add_task("生成模板", total=len(agencies))
        paths = write_templates(s, agencies, year, out, password=password,
                                progress=lambda _p: bar.advance(task))
    for path in paths:
        typer.echo(str(path))
    console.print(f"已生成 {len(paths)} 个模板，位于 {printable(out)}/")


# --- published reports: import and audit ------------------------------------------------------


def _print_published_findings(findings) -> None:
    for f in findings:
        where = "／".join(x for x in (f.sheet, f.cell) if x)
        typer.echo(plain(f"[{f.severity}] {f.code}  {where}\n    {f.message}"))


@app.command("import")
def import_(
    report: Path = typer.Argument(..., help="已发布的年度报告：.txt（网页复制或 PDF 提取的文字）、.html/.htm、.pdf 或 .docx"),
    out: Path | None = typer.Option(None, "-o", "--out", help="输出的 .xlsx（默认 <单位编号>.xlsx）"),
    agency_id: str | None = typer.Option(None, "--agency-id", help="单位编号（默认取单位名称）"),
    year: int | None = typer.Option(None, "--year", help="报告年度（默认从标题识别）"),
    agency: str | None = typer.Option(None, "--agency", help="单位名称（默认从标题识别）"),
) -> None:
    """把已发布的年度报告读入为填好的现行格式 Excel 模板。"""
    from toolkit.outputs.atomic import write_bytes_atomic
    from toolkit.published.doc import ReadError
    from toolkit.published.importer import import_report

    try:
        result = import_report(report, agency_id=agency_id, year=year, agency_name=agency)
    except ReadError as e:
        raise fail(str(e)) from None
    target = out or Path(f"{safe_stem(result.agency.id)}.xlsx")
    if target.resolve() == report.resolve():
        raise fail(f"输出文件不能与输入文件相同：{target}")
    write_bytes_atomic(target, result.data)
    _print_published_findings(result.findings)
    layout = "，".join(f"{t}={e}" for t, e in result.published.editions().items())
    console.print(printable(f"已导入 {result.agency.name}（{result.agency.id}）{result.year} 年度报告 → {target}（{layout}）"))
    errors = sum(1 for f in result.findings if f.severity == "error")
    if errors:
        console.print(f"[yellow]有 {errors} 个错误，请运行 toolkit audit 查看并核对原文。[/yellow]")
        raise typer.Exit(1)


@app.command()
def audit(
    report: Path = typer.Argument(..., help="已发布的年度报告（.txt、.html/.htm、.pdf 或 .docx），或存放报告的文件夹"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（与 check --json 同一结构；仅用于单个报告）"),
    out: Path = typer.Option(Path("audit-output"), "-o", "--out", help="审核文件夹时的输出目录（audit.csv、audit.xlsx）"),
) -> None:
    """对已发布的年度报告运行全部适用的校验规则，按表、行、列标签定位问题；给出文件夹时审核其中每一份报告。"""
    if report.is_dir():
        _audit_folder(report, out, as_json)
        return
    from toolkit.published.audit import audit_report

    result = audit_report(report)
    if as_json:
        typer.echo(dumps(result.to_dict(), indent=2))
    elif result.error or result.published is None:
        console.print(f"[red]错误：[/red]{printable(result.error)}")
    else:
        p = result.published
        _print_published_findings(result.findings)
        errors = sum(1 for f in result.findings if f.severity == "error")
        warnings = sum(1 for f in result.findings if f.severity == "warning")
        who = f"{p.agency or '（未识别单位）'} {p.year or '（未识别年度）'}"
        console.print(f"{printable(who)} 年度报告：{errors} 个错误，{warnings} 个警告。")
    raise typer.Exit(result.exit_code)


def _audit_folder(folder: Path, out: Path, as_json: bool) -> None:
    from toolkit.published import folder as audit_dir

    if as_json:
        raise fail("--json 仅用于单个报告；审核文件夹的结果见输出目录中的 audit.csv 和 audit.xlsx。")
    paths = audit_dir.find_reports(folder)
    if not paths:
        raise fail(f"{folder} 中没有找到年度报告文件（{'、'.join(sorted(audit_dir.SUFFIXES))}）。")
    with _progress() as bar:
        task = bar.add_task("审核报告", total=len(paths))
        results = audit_dir.audit_folder(folder, progress=lambda _r: bar.advance(task))
    written = audit_dir.write_outputs(results, out)
    unreadable = sum(1 for r in results if not r.readable)
    with_errors = sum(1 for r in results if r.readable and r.counts.get("error"))
    with_warnings = sum(1 for r in results if r.readable and not r.counts.get("error") and r.counts.get("warning"))
    console.print(f"已审核 {len(results)} 份报告：{unreadable} 份无法读取，{with_errors} 份有错误，"
                  f"{with_warnings} 份仅有警告。结果 → {'、'.join(map(str, written))}")
    raise typer.Exit(audit_dir.exit_code(results))


@app.command()
def report(
    workbook: Path = typer.Argument(..., help="一个单位填好的 .xlsx 填报表"),
    out: Path | None = typer.Option(None, "-o", "--out", help="输出文件（默认当前目录下 <单位编号>.<格式>）"),
    fmt: str = typer.Option("docx", "--format", help="报告格式：docx、html（网页）或 pdf（需安装 LibreOffice）"),
    force: bool = typer.Option(False, "--force", help="有错误时仍生成报告，页眉标注“未通过校验”"),
    edition: str = typer.Option(DEFAULT_EDITION, help="格式版本"),
) -> None:
    """由一个单位的填报表生成年度报告 DOCX、网页或 PDF（先校验；有错误时拒绝，除非 --force）。"""
    from toolkit.check.workbook import check_file
    from toolkit.outputs.agency_report import agency_report, report_name
    from toolkit.outputs.atomic import write_bytes_atomic
    from toolkit.outputs.report_pdf import PdfError, unavailable

    if fmt not in ("docx", "html", "pdf"):
        raise fail(f"未知的报告格式：{fmt}；可选 docx、html、pdf。")
    if fmt == "pdf" and (problem := unavailable()):
        raise fail(problem)
    if not workbook.is_file():
        raise fail(f"找不到文件：{workbook}")
    s = _load(edition)
    made = agency_report(s, check_file(workbook, s), force=force)
    _print_published_findings(made.result.findings)
    if made.result.filled is None:
        console.print(f"[red]无法读取 {printable(workbook)}，未生成报告。[/red]")
        raise typer.Exit(1)
    if made.docx is None:
        console.print(f"[red]{printable(workbook)} 有 {made.errors} 个错误，未生成报告。[/red]请按上面的提示改正后重新运行；"
                      "如确需先出稿，可加 --force（页眉将标注“未通过校验”）。")
        raise typer.Exit(1)
    target = out or Path(report_name(made.result, workbook.stem)).with_suffix(f".{fmt}")
    if target.resolve() == workbook.resolve():
        raise fail(f"输出文件不能与输入文件相同：{target}")
    try:
        write_bytes_atomic(target, _report_bytes(s, made, fmt))
    except PdfError as e:
        raise fail(str(e)) from None
    typer.echo(plain(target))
    mark = f"（有 {made.errors} 个错误，已标注“未通过校验”）" if made.unverified else ""
    console.print(printable(f"已生成 {made.result.filled.agency} 年度报告 → {target}{mark}"))


def _report_bytes(s, made, fmt: str) -> bytes:
    if fmt == "html":
        from toolkit.outputs.report_html import render_report_html

        return render_report_html(s, made.result.filled, unverified=made.unverified)
    if fmt == "pdf":
        from toolkit.outputs.report_pdf import pdf_bytes

        return pdf_bytes(made.docx)
    return made.docx


@app.command()
def collect(
    inbox: Path = typer.Argument(..., help="收件目录（递归读取）或 .zip 文件"),
    year: int = typer.Option(..., "--year", help="汇总的报告年度"),
    roster: Path | None = typer.Option(None, "--roster", help="名单 CSV/XLSX（用于查找未报送和名单外单位）"),
    previous: Path | None = typer.Option(None, "--previous", help="上年 collect 输出目录（或上年收件目录），用于跨年度校验"),
    out: Path = typer.Option(Path("collect-output"), "-o", "--out", help="输出目录"),
    as_json: bool = typer.Option(False, "--json", help="把校验结果 JSON 打印到标准输出"),
    docx: bool = typer.Option(True, "--docx/--no-docx", help="是否生成各单位及汇总 DOCX 报告"),
    publish: str | None = typer.Option(None, "--publish", help="报告格式，逗号分隔：docx,html,pdf（默认 docx）"),
    region: str = typer.Option("", "--region", help="汇总报告标题中的地区名称，如 北仑区"),
    workers: int | None = typer.Option(None, "--workers", help="并行进程数（默认按 CPU 核数，最多 2）"),
    edition: str = typer.Option(DEFAULT_EDITION, help="格式版本"),
    deadline: str | None = typer.Option(None, "--deadline", help="报送截止日期 YYYY-MM-DD（标出逾期报送，写入反馈通知）"),
) -> None:
    """汇总收件目录中的全部工作簿：逐一校验、对照名单、汇总，输出问题清单、汇总表和报告。"""
    import datetime as dt

    from toolkit.collect.collection import CollectError
    from toolkit.collect.collection import collect as run_collect
    from toolkit.collect.history import advance, load_history, write_history
    from toolkit.collect.previous import load_previous
    from toolkit.outputs.feedback import write_feedback
    from toolkit.outputs.folder import OutputError, output_set
    from toolkit.outputs.report_pdf import PdfError
    from toolkit.outputs.summary import STATUS_ZH, write_outputs

    s = _load(edition)
    formats = _publish_formats(publish, docx)
    due = _date(deadline)
    try:
        names = read_roster(roster) if roster else None
        # The whole set written beside OUT and switched in when complete (OUT locked meanwhile).
        with output_set(out) as work, _progress() as bar:
            prev = load_previous(previous, year, s, work.scratch) if previous else None
            task = bar.add_task("校验工作簿", total=None)
            with run_collect(inbox, year, spec=s, roster=names, previous=prev, workers=workers,
                             on_sources=lambda n: bar.update(task, total=n), scratch=work.scratch,
                             progress=lambda _r: bar.advance(task)) as coll:  # its store removed at the end
                outcome = coll.report()
                report = outcome.to_dict()
                history = advance(load_history(out, year), coll, dt.datetime.now())  # the old set's rounds
                write_outputs(coll, work.set, report, history=history, deadline=due)
                write_feedback(coll, work.set / "feedback", deadline=due, history=history, workers=workers)
                write_history(history, work.set)
                if formats:
                    from toolkit.outputs.reports import write_reports

                    task = bar.add_task("生成报告", total=len(coll.included()))
                    write_reports(coll, work.set / "reports", formats=formats, region=region,
                                  site_dir=work.set / "site", workers=workers, progress=lambda: bar.advance(task))
    except (RosterError, CollectError, PdfError, OutputError) as e:
        raise fail(str(e)) from None
    if as_json:
        typer.echo(dumps(report, indent=1))
    else:
        _print_collection(coll, report, STATUS_ZH)
    console.print(f"输出目录：{printable(out)}/（findings.json、findings.csv、summary.xlsx、data.json、reminders.csv、"
                  "history.json、feedback/" + ("、reports/" if formats else "")
                  + ("、site/" if {"html", "pdf"} & set(formats) else "") + "）")
    raise typer.Exit(outcome.exit_code)


def _publish_formats(publish: str | None, docx: bool) -> tuple[str, ...]:
    """The report formats collect makes: --publish (default docx), less docx under --no-docx;
    PDF refused up front where LibreOffice is missing."""
    from toolkit.outputs.report_pdf import unavailable
    from toolkit.outputs.reports import parse_formats

    try:
        formats = parse_formats(publish or "docx")
    except ValueError as e:
        raise fail(str(e)) from None
    if "pdf" in formats and (problem := unavailable()):
        raise fail(problem)
    return tuple(f for f in formats if docx or f != "docx")


def _date(text: str | None) -> str:
    """A deadline as given (YYYY-MM-DD), checked; "" when none."""
    import datetime as dt

    if not text:
        return ""
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise fail(f"截止日期“{text}”应为 YYYY-MM-DD 格式，如 2025-01-31。") from None


@app.command()
def feedback(
    file: Path = typer.Argument(..., help="一个单位报送的工作簿（.xlsx）"),
    out: Path | None = typer.Option(None, "-o", "--out", help="反馈表 .xlsx（默认 ./<单位编号>-反馈.xlsx；同名 .txt 为通知）"),
    year: int | None = typer.Option(None, "--year", help="应报告的年度（默认取工作簿中的年度）"),
    previous: Path | None = typer.Option(None, "--previous", help="本单位上年填报的工作簿（用于跨年度校验）"),
    deadline: str | None = typer.Option(None, "--deadline", help="重新报送的截止日期 YYYY-MM-DD（写入通知）"),
    edition: str = typer.Option(DEFAULT_EDITION, help="格式版本"),
) -> None:
    """生成反馈表：按当前模板填入该单位报送的内容，标出问题单元格并加批注，另附可粘贴到邮件的通知。"""
    from toolkit.check.workbook import check_file
    from toolkit.outputs.atomic import write_bytes_atomic
    from toolkit.outputs.feedback import agency_of, feedback_workbook, notice

    s = _load(edition)
    due = _date(deadline)
    try:
        prev = check_file(previous, s).filled if previous else None
        result = check_file(file, s, year=year, previous=prev)
    except OSError as e:
        raise fail(f"无法读取文件：{e}") from None
    _print_published_findings(result.findings)
    if result.filled is None:
        console.print(f"[red]无法读取 {file}，不能生成反馈表。[/red]请按上面的提示处理。")
        raise typer.Exit(1)
    agency = agency_of(result, file.stem)
    target = out or Path(f"{safe_stem(agency.id)}-反馈.xlsx")
    if target.resolve() == file.resolve():
        raise fail(f"输出文件不能与输入文件相同：{target}")
    the_year = year or result.year or s.first_year  # a stamp without a year: the edition's first
    write_bytes_atomic(target, feedback_workbook(s, result, result.filled, agency=agency, year=the_year))
    text = notice(s, agency, the_year, file.name, result.findings, deadline=due, attachment=target.name)
    write_bytes_atomic(target.with_suffix(".txt"), text.encode("utf-8"))
    typer.echo(str(target))
    console.print(f"已生成反馈表 {target} 和通知 {target.with_suffix('.txt')}（错误 "
                  f"{sum(f.severity == 'error' for f in result.findings)} 个）。")
    raise typer.Exit(result.report().exit_code)


TABLE_ROWS = 30  # a console table longer than this is for summary.xlsx, not the terminal


def _print_collection(coll, report: dict, status_zh: dict) -> None:
    """Per file: status, errors, warnings (all files when few, else those needing attention)."""
    from collections import Counter

    from rich.table import Table as RichTable

    out = Console()
    errors = Counter(f["file"] for f in report["findings"] if f["severity"] == "error")
    warnings = Counter(f["file"] for f in report["findings"] if f["severity"] == "warning")
    subs = report["submissions"]
    shown = subs if len(subs) <= TABLE_ROWS else [s for s in subs if s["status"] != "ok" or not s["used"]]
    table = RichTable(title=f"{coll.year}年度报送与校验情况")
    for col in ("单位编号", "单位名称", "状态", "错误", "警告", "文件"):
        table.add_column(col)
    for s in shown[:TABLE_ROWS]:
        style = {"errors": "red", "rejected": "red", "warnings": "yellow"}.get(s["status"], "green")
        table.add_row(printable(s["agency_id"] or "—"), printable(s["agency"] or "—"),
                      f"[{style}]{status_zh[s['status']]}[/{style}]" + ("" if s["used"] else "（未采用）"),
                      str(errors[s["file"]]), str(warnings[s["file"]]), printable(s["file"]))
    out.print(table)
    if len(shown) > TABLE_ROWS or len(shown) < len(subs):
        note = f"（共 {len(subs)} 个文件，其中 {len(subs) - len(shown)} 个通过校验，未列出"
        if len(shown) > TABLE_ROWS:
            note += f"；需要处理的 {len(shown)} 个只列出前 {TABLE_ROWS} 个"
        out.print(note + "。全部文件见 summary.xlsx 的“报送情况”和“问题清单”。）")
    missing = report["missing"]
    if missing:
        names = "、".join(printable(f"{m['agency']}（{m['agency_id']}）") for m in missing[:TABLE_ROWS])
        more = f" 等 {len(missing)} 个，见 summary.xlsx" if len(missing) > TABLE_ROWS else ""
        out.print(f"[red]未报送（{len(missing)}）：[/red]{names}{more}")
    st = report["stats"]
    out.print(f"文件 {st['files']} 个，单位 {st['agencies']} 个，错误 {st['errors']} 个，警告 {st['warnings']} 个，"
              f"未报送 {st['missing']} 个。")


@app.command()
def check(
    file: Path = typer.Argument(..., help="填写好的工作簿（.xlsx）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出校验结果"),
    year: int | None = typer.Option(None, "--year", help="应报告的年度（不符时报错）"),
    previous: Path | None = typer.Option(None, "--previous", help="本单位上年填报的工作簿（用于跨年度校验）"),
    preview: Path | None = typer.Option(None, "--preview",
                                        help="另存将要发布的年度报告 .docx 预览（有错误时每页标注“未通过校验”）"),
    edition: str = typer.Option(DEFAULT_EDITION, help="格式版本"),
) -> None:
    """报送前自查：校验一个工作簿，按工作表列出问题（退出码 0 无错误，1 有错误，2 无法运行）。"""
    from toolkit.check.workbook import check_file

    s = _load(edition)
    try:
        prev = check_file(previous, s).filled if previous else None
        result = check_file(file, s, year=year, previous=prev)
    except OSError as e:
        raise fail(f"无法读取文件：{e}") from None
    report = result.report()
    if preview is not None:
        _write_preview(s, result, file, preview)
    if as_json:
        typer.echo(dumps(report.to_dict(), indent=1))
    else:
        _print_check(result)
    raise typer.Exit(report.exit_code)


def _write_preview(spec, result, file: Path, target: Path) -> None:
    """The report the coordinator would publish from this workbook, marked when it has errors."""
    from toolkit.outputs.agency_report import agency_report
    from toolkit.outputs.atomic import write_bytes_atomic

    made = agency_report(spec, result, force=True)  # a preview is always made, marked when it has errors
    if made.docx is None:
        console.print("[red]无法读取该文件，未生成预览。[/red]")
        return
    if target.resolve() == file.resolve():
        raise fail(f"预览文件不能与输入文件相同：{target}")
    write_bytes_atomic(target, made.docx)
    console.print(f"报告预览 → {target}" + ("（有错误，已标注“未通过校验”）" if made.unverified else ""))


def _print_check(result) -> None:
    from rich.table import Table as RichTable

    out = Console()
    who = " ".join(x for x in (result.agency, f"{result.year}年度" if result.year else "") if x)
    head = printable(result.file) + (f"（{printable(who)}）" if who else "")
    errors = sum(f.severity == "error" for f in result.findings)
    warnings = sum(f.severity == "warning" for f in result.findings)
    if not result.findings:
        out.print(f"[green]{head}：未发现问题，可以报送。[/green]")
        return
    by_sheet: dict[str, list] = {}
    for f in result.findings:
        by_sheet.setdefault(f.sheet or "文件", []).append(f)
    level = {"error": "[red]错误[/red]", "warning": "[yellow]警告[/yellow]", "info": "提示"}
    for sheet, found in by_sheet.items():
        table = RichTable(title=printable(sheet), show_lines=True, title_justify="left")
        table.add_column("单元格", no_wrap=True)
        table.add_column("级别", no_wrap=True)
        table.add_column("问题与处理办法", overflow="fold")  # Chinese has no spaces to wrap at
        for f in found:
            table.add_row(f.cell or "—", level[f.severity], f"{printable(f.message)}  [dim]({f.code})[/dim]")
        out.print(table)
    verdict = "[red]请改正错误后再报送。[/red]" if errors else "[yellow]没有错误，请核对警告后报送。[/yellow]"
    out.print(f"{head}：错误 {errors} 个，警告 {warnings} 个。{verdict}")


register_serve(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
