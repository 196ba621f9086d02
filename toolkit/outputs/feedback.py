"""Feedback to one agency: its report back in the current template, every faulty cell marked.

The workbook is the agency's current template pre-filled with what it sent (figures,
narratives, contact): an outdated template is replaced on the way back and every total is a
formula again. What the clerk typed is kept even where it is wrong (text "3件" stays, a formula
typed into an input stays); a number typed over a total is told in the comment beside the
restored formula. Each faulty cell gets a highlight (a conditional format, so the cell keeps its
own style and validation) and a Chinese comment; a first sheet 校验意见 lists every finding with a
link to its cell. A short notice ready to paste into an e-mail goes with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlsxwriter.utility import quote_sheetname

from toolkit import catalogue
from toolkit.check.workbook import Result
from toolkit.format.spec import FEEDBACK_SHEET, STAMP_SHEET, Spec, parse_address
from toolkit.model import Agency, Filled, Finding
from toolkit.template.workbook import DEFAULT_PASSWORD, build_workbook, formats, text_height

if TYPE_CHECKING:
    from toolkit.collect.collection import Collection
    from toolkit.collect.history import History
    from toolkit.collect.store import Where

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
MARK = {"error": "#FF9C9C", "warning": "#FFD966", "info": "#BDD7EE"}  # highlight fills by severity
# Findings the fresh template itself cures: they are about the file's template, layout or
# formulas, which the feedback workbook has anew (the rules' R2-R4 at a total, shown beside an
# overwritten, altered or stale total, go with them: see ``cured``).
CURED = frozenset({"template_version", "template_unknown", "year_mismatch", "stamp_missing", "sheet_missing",
                   "sheet_extra", "protection_removed", "layout_shifted", "label_changed", "extra_content",
                   "total_overwritten", "formula_altered", "total_stale"})
UNREAD = frozenset({"layout_shifted", "label_changed", "sheet_missing"})  # the table's numbers were not read
_KEPT_AS_TYPED = ("input_text", "input_formula")  # the cell is rewritten with what the clerk typed


def cured(spec: Spec, f: Finding) -> bool:
    """Whether the feedback workbook, checked unchanged, no longer has this finding."""
    if f.code in CURED:
        return True
    return bool(f.ref) and f.ref in spec.total_codes and any(r.id == f.code for r in spec.rules)


@dataclass(frozen=True)
class Place:
    """Where a finding is shown in the feedback workbook."""

    sheet: str
    cell: str
    ref: str = ""  # the format's cell code when it is an input, total, narrative or cover cell


def place(spec: Spec, f: Finding) -> Place | None:
    """The cell of the feedback workbook that carries this finding's mark and comment, or None
    (a finding about the whole file). Findings on the hidden stamp are shown on the cover's
    second line (which names the template version); a sheet-level finding at the sheet's title."""
    if f.sheet == STAMP_SHEET:
        return Place(spec.cover_sheet, "A2")
    if f.sheet not in spec.sheets:
        return None
    if not f.cell:
        return Place(f.sheet, "A1")
    return Place(f.sheet, f.cell, f.ref)


# --- what was typed ----------------------------------------------------------------------------


def typed_inputs(spec: Spec, filled: Filled, findings: Iterable[Finding]) -> dict[str, Any]:
    """The inputs as the clerk typed them: numbers from ``filled``, text and formulas (which
    ``filled`` holds as None or their result) from the findings that quote them."""
    typed: dict[str, Any] = {c.code: filled.values.get(c.code) for c in spec.inputs}
    for f in findings:
        if f.code in _KEPT_AS_TYPED and f.ref in typed and isinstance(f.actual, str):
            typed[f.ref] = f.actual
    return typed


# --- the workbook ------------------------------------------------------------------------------


def agency_of(result: Result, fallback: str) -> Agency:
    """The agency a checked file is from: its stamp's id, else ``fallback`` made a safe id."""
    from toolkit.outputs.safepath import safe_stem

    name = result.agency or (result.filled.agency if result.filled else "") or fallback
    return Agency(result.agency_id or safe_stem(fallback), name)


def feedback_workbook(spec: Spec, result: Result, filled: Filled, *, agency: Agency | None = None,
                      year: int | None = None, findings: list[Finding] | None = None,
                      checked: dt.date | None = None, password: str = DEFAULT_PASSWORD) -> bytes:
    """The agency's current template with what ``result``'s file held, marked with its findings
    (default ``result.findings``; a collection adds its own about the file)."""
    findings = list(result.findings if findings is None else findings)
    agency = agency or Agency(result.agency_id or "", filled.agency or result.agency or "")
    year = year or filled.year or result.year or dt.date.today().year
    typed = typed_inputs(spec, filled, findings)
    numbers = {k: v for k, v in typed.items() if v is None or isinstance(v, (int, float))}
    hook = _Annotator(spec, result.file, agency, year, typed, filled.values, findings, checked or dt.date.today(),
                      password)
    return build_workbook(spec, agency, year, values=numbers, narratives=filled.narratives,
                          contact=filled.contact, password=password, annotate=hook)


class _StyleRecorder:
    """Stands in for a workbook in ``formats``: gives back each format's properties."""

    def add_format(self, props: dict) -> dict:
        return dict(props)


class _Annotator:
    """build_workbook's ``annotate`` hook: the 校验意见 sheet first, the marks once the template's
    sheets are written."""

    def __init__(self, spec: Spec, file: str, agency: Agency, year: int, typed: dict[str, Any],
                 shown: dict[str, Any], findings: list[Finding], checked: dt.date, password: str):
        self.spec, self.file, self.agency, self.year = spec, file, agency, year
        self.typed, self.shown, self.checked, self.password = typed, shown, checked, password
        self.blank = any(f.code in catalogue.ids() and catalogue.get(f.code).stage == "screen" for f in findings)
        self.findings = sorted(findings, key=lambda f: (f.severity != "error", f.severity != "warning",
                                                        *_order(spec, f)))

    def __call__(self, wb) -> Callable[[], None]:
        self.wb = wb
        self.sheet = wb.add_worksheet(FEEDBACK_SHEET)
        return self.finish

    def finish(self) -> None:
        wb, spec = self.wb, self.spec
        styles = formats(_StyleRecorder())
        marks = {sev: wb.add_format({"bg_color": color, "pattern": 1, "border": 2, "border_color": "#C00000"})
                 for sev, color in MARK.items()}
        by_cell: dict[tuple[str, str], list[Finding]] = {}
        for f in self.findings:
            p = place(spec, f)
            if p is not None:
                by_cell.setdefault((p.sheet, p.cell), []).append(f)
        for code, v in self.typed.items():  # text and formulas the template would not write
            if isinstance(v, str):
                self._rewrite(code, v, wb.add_format(styles["input_dec" if spec.cell(code).type == "decimal"
                                                            else "input_int"]))
        for (sheet, cell), found in by_cell.items():
            ws = wb.get_worksheet_by_name(sheet)
            row, col = parse_address(cell)
            worst = min((f.severity for f in found), key=("error", "warning", "info").index)
            ws.conditional_format(row, col, row, col, {"type": "formula", "criteria": self._still(found, cell),
                                                       "format": marks[worst]})
            text = "\n\n".join(self.comment(f) for f in found)
            ws.write_comment(row, col, text, {"author": "校验", "x_scale": 2.6,
                                              "y_scale": max(2.0, text_height(text, 46, 9) / 60)})
        self._list(styles, by_cell)

    def _rewrite(self, code: str, typed: str, style) -> None:
        cell = self.spec.cell(code)
        ws = self.wb.get_worksheet_by_name(cell.sheet)
        if typed.startswith("="):  # a formula in an input: kept, with its result as the file had it
            ws.write_formula(cell.row, cell.col, typed, style, self.shown.get(code) or 0)
        else:
            ws.write_string(cell.row, cell.col, typed, style)

    def _still(self, found: list[Finding], cell: str) -> str:
        """The highlight's condition: an input stays marked while it holds no number (text or
        blank typed); every other mark is shown until the next check."""
        if all(f.code in ("input_text", "input_blank") for f in found):
            return f"=NOT(ISNUMBER({cell}))"
        return "=TRUE"

    def comment(self, f: Finding) -> str:
        lines = [f"【{SEVERITY_ZH[f.severity]}】{catalogue_title(self.spec, f.code)}", f.message]
        lines += [x for x in (self._typed_line(f), self._wanted_line(f)) if x]
        return "\n".join(lines)

    def _typed_line(self, f: Finding) -> str:
        if f.code == "input_blank":
            return "原填写：空白"
        if f.code == "total_overwritten":
            cell = self.spec.cell(f.ref)
            return (f"原填写：{_shown(f.actual)}（手填的数字）。已恢复公式 ={self.spec.formula(cell)}，"
                    "按各项自动计算；如手填的数字才是对的，请核对各项。")
        if f.actual is None or f.actual == "":
            return ""
        as_typed = f.ref in self.typed and self.typed[f.ref] == f.actual
        return f"{'原填写' if as_typed else '现为'}：{_shown(f.actual)}"

    def _wanted_line(self, f: Finding) -> str:
        if f.code in ("total_overwritten", "formula_altered", "total_stale"):
            return "反馈表中已恢复为模板公式，无需改动。"
        if f.code == "year_mismatch":
            return (f"反馈表已换为 {self.year} 年度模板，并转填了原文件的数字和文字：请逐项核对它们是否为 "
                    f"{self.year} 年度的数字。")
        if f.code in UNREAD:
            return "反馈表已换为当前模板，但原文件本表的数字未能读取，本表为空白：请在本表重新填写全部数字。"
        if f.code in CURED:
            return "反馈表已换为当前模板，此问题已消除，请核对其余内容。"
        if f.code == "input_blank":
            return "应填写：数字（没有发生的事项填 0）"
        if f.expected is None or f.expected == "":
            return ""
        return f"{'应填写' if f.ref in self.typed else '应为'}：{_shown(f.expected)}"

    # --- the 校验意见 sheet ------------------------------------------------------------------

    def _list(self, styles: dict, by_cell: dict) -> None:
        wb, ws, spec = self.wb, self.sheet, self.spec
        base = {"font_name": styles["text"]["font_name"], "font_size": 10, "valign": "top", "text_wrap": True}
        title = wb.add_format({**base, "bold": True, "font_size": 14, "valign": "vcenter"})
        note = wb.add_format(base)
        head = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDE5F0", "align": "center"})
        cell_fmt = wb.add_format({**base, "border": 1})
        link = wb.add_format({**base, "border": 1, "font_color": "#0563C1", "underline": 1})
        levels = {sev: wb.add_format({**base, "border": 1, "bg_color": color, "align": "center"})
                  for sev, color in MARK.items()}
        widths = (5, 6, 16, 22, 60, 16)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        ws.merge_range(0, 0, 0, 5, f"{spec.report_title(self.agency.name, self.year)} 校验意见", title)
        ws.set_row(0, 28)
        errors = sum(f.severity == "error" for f in self.findings)
        warnings = sum(f.severity == "warning" for f in self.findings)
        said = f"报送文件：{self.file}　校验日期：{self.checked.isoformat()}　错误 {errors} 个，警告 {warnings} 个。\n"
        if self.blank:
            intro = said + "原文件无法读取（原因见下表），本表是贵单位的当前空白模板：请在其中填写后保存为 .xlsx 重新报送。"
        else:
            intro = said + ("本表是按当前模板重新生成的报送表，已填入贵单位报送的数字和文字（填错的内容原样保留）。"
                            "有问题的单元格已用颜色标出，鼠标指向可查看批注；点击下表“位置”可跳转到该单元格。"
                            "请逐项改正后保存为 .xlsx 重新报送，本工作表无需改动。")
        ws.merge_range(1, 0, 1, 5, intro, note)
        ws.set_row(1, text_height(intro, sum(widths), 10))
        for j, h in enumerate(("序号", "级别", "位置", "问题", "说明与处理办法", "实际值")):
            ws.write_string(3, j, h, head)
        row = 4
        for i, f in enumerate(self.findings, start=1):
            p = place(spec, f)
            ws.write_number(row, 0, i, cell_fmt)
            ws.write_string(row, 1, SEVERITY_ZH[f.severity], levels[f.severity])
            if p is None:
                ws.write_string(row, 2, f.sheet or "整个文件", cell_fmt)
            else:
                ws.write_url(row, 2, f"internal:{quote_sheetname(p.sheet)}!{p.cell}", link,
                             string=f"{p.sheet} {p.cell}", tip="跳转到该单元格")
            ws.write_string(row, 3, catalogue_title(spec, f.code), cell_fmt)
            ws.write_string(row, 4, f.message, cell_fmt)
            ws.write_string(row, 5, "" if f.actual is None or f.code == "input_blank" else _shown(f.actual), cell_fmt)
            ws.set_row(row, max(text_height(f.message, widths[4], 10), 16))
            row += 1
        if not self.findings:
            ws.merge_range(row, 0, row, 5, "未发现问题。", cell_fmt)
        ws.freeze_panes(4, 0)
        ws.repeat_rows(3)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.protect(self.password, {"select_locked_cells": True, "select_unlocked_cells": True})
        ws.activate()


def catalogue_title(spec: Spec, code: str) -> str:
    """The code's 问题 line: the catalogue's title, or the rule's description."""
    try:
        return catalogue.get(code).title
    except KeyError:
        rule = next((r for r in spec.rules if r.id == code), None)
        return f"{code} {rule.description}" if rule else code


def _order(spec: Spec, f: Finding) -> tuple:
    sheets = (*spec.sheets, STAMP_SHEET)
    sheet = sheets.index(f.sheet) if f.sheet in sheets else -1
    try:
        at = parse_address(f.cell) if f.cell else (-1, -1)
    except (ValueError, IndexError):
        at = (-1, -1)
    return (sheet, at)


def _shown(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# --- the notice --------------------------------------------------------------------------------


def notice(spec: Spec, agency: Agency, year: int, file: str, findings: list[Finding], *,
           received: str = "", deadline: str = "", attachment: str = "", today: dt.date | None = None) -> str:
    """A short notice ready to paste into an e-mail: agency, file, date, findings, deadline."""
    today = today or dt.date.today()
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity == "warning"]
    lines = [f"{agency.name}：", "",
             f"贵单位报送的{year}年度政府信息公开工作年度报告填报表（文件“{file}”"
             + (f"，收到时间 {received}" if received else "") + f"）已于 {today.isoformat()} 完成校验，"
             f"发现错误 {len(errors)} 个、警告 {len(warnings)} 个。"]
    for title, group in (("错误（必须改正）", errors), ("警告（请核对）", warnings)):
        if group:
            lines += ["", f"{title}："]
            lines += [f"{i}. {f.message}{_in_feedback(spec, f)}" for i, f in enumerate(group, start=1)]
    sheet = attachment or agency.id + ".xlsx"
    unread = any(f.code in catalogue.ids() and catalogue.get(f.code).stage == "screen" for f in findings)
    lines += ["", (f"文件无法读取，随附贵单位的当前空白模板（{sheet}），请在其中填写后保存为 .xlsx 重新报送" if unread else
                   f"随附反馈表（{sheet}）已按当前模板填入贵单位报送的内容，有问题的单元格已标出并附批注，"
                   "请在其中改正后保存为 .xlsx 重新报送") + (f"，截止时间 {deadline}" if deadline else "") + "。",
              "", "如有疑问请与汇总单位联系。"]
    return "\n".join(lines) + "\n"


def _in_feedback(spec: Spec, f: Finding) -> str:
    """What the feedback workbook already did about a finding, for the notice."""
    if f.code in UNREAD:
        return "（反馈表中本表为空白，请重新填写本表。）"
    if f.code == "year_mismatch":
        return "（反馈表已换为本年度模板，请核对转填的数字。）"
    return "（反馈表中已改正，无需处理。）" if cured(spec, f) else ""


# --- a collection's feedback -------------------------------------------------------------------


def write_feedback(coll: Collection, out: Path, *, deadline: str = "", today: dt.date | None = None,
                   history: History | None = None, workers: int | None = None) -> list[Path]:
    """``out/<agency-id>.xlsx`` and ``.txt`` for every agency whose used file has an error or a
    warning, and for every roster agency whose only files were rejected (a blank current
    template, its 校验意见 saying why); the notice says when the file came in when ``history``
    is given. Built on ``workers`` processes; returns the paths in agency order."""
    from toolkit.collect.attribution import attribute
    from toolkit.outputs.safepath import inside, safe_stem
    from toolkit.pool import consume, ordered_map

    names = coll.roster.by_id() if coll.roster else {}
    extra: dict[str, list[Finding]] = {}
    for f in coll.findings:
        extra.setdefault(f.file, []).append(f)
    jobs: list[tuple[str, Result, Where | None]] = []  # where: the readable file's record in the store
    for agency_id, r in sorted(coll.used.items()):
        if coll.readable(r) and coll.status(r) in ("errors", "warnings"):
            jobs.append((agency_id, r, coll.store.where(r.file)))
    for agency_id, files in sorted(attribute(coll).items()):
        if agency_id in names and agency_id not in coll.used:
            jobs.append((agency_id, next(r for r in coll.results if r.file == files[-1]), None))
    work = []
    for agency_id, r, where in sorted(jobs, key=lambda j: j[0]):
        known = names.get(agency_id)
        agency = Agency(agency_id, known.name if known else r.agency or agency_id)
        stem = safe_stem(agency_id)
        received = history.first_seen(r.sha256) if history is not None else ""
        work.append((coll.spec.id, coll.year, agency, r, list(r.findings) + extra.get(r.file, []), where,
                     str(inside(out, f"{stem}.xlsx")), str(inside(out, f"{stem}.txt")),
                     received.replace("T", " ")[:16], deadline, today or dt.date.today()))
    done = ordered_map(_write_one, work, workers=workers, min_items=8)
    return [Path(p) for pair in consume(done) for p in pair]


def _write_one(job: tuple) -> tuple[str, str]:
    from toolkit.collect.store import read_filled
    from toolkit.format.spec import load_spec
    from toolkit.outputs.atomic import write_bytes_atomic

    edition, year, agency, result, found, where, xlsx, txt, received, deadline, today = job
    spec = load_spec(edition)
    filled = read_filled(where) if where is not None else Filled(agency=agency.name, year=year, agency_id=agency.id)
    write_bytes_atomic(Path(xlsx), feedback_workbook(spec, result, filled, agency=agency, year=year, findings=found,
                                                     checked=today))
    text = notice(spec, agency, year, result.file, found, received=received, deadline=deadline, today=today,
                  attachment=Path(xlsx).name)
    write_bytes_atomic(Path(txt), text.encode("utf-8"))
    return xlsx, txt


def expected_after(spec: Spec, findings: Iterable[Finding]) -> list[Finding]:
    """The findings the feedback workbook, checked unchanged, still has (``cured`` ones gone)."""
    return [f for f in findings if not cured(spec, f)]

