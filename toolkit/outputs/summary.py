"""The coordinator's outputs of a collection: findings.json/csv (toolkit.outputs.findings),
data.json and summary.xlsx."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from toolkit.collect.attribution import attribute
from toolkit.collect.collection import Collection
from toolkit.collect.history import History
from toolkit.outputs import zipwrite
from toolkit.outputs.atomic import atomic_open, write_bytes_atomic
from toolkit.outputs.findings import SEVERITY_ZH, findings_csv, write_report_json
from toolkit.outputs.records import DATA_FIXED, ROW
from toolkit.outputs.reminders import COLUMNS as REMINDER_COLUMNS
from toolkit.outputs.reminders import NOT_SENT, WRONG_FORMAT, Reminder, reminders, reminders_csv
from toolkit.template.workbook import formats, table_frame, text_height, write_value

_ROW = ROW.encode("ascii")  # the row number's stand-in in the workers' data cells

STATUS_ZH = {"ok": "通过", "warnings": "有警告", "errors": "有错误", "rejected": "无法读取"}


def write_outputs(coll: Collection, out: Path, report: dict | None = None, history: History | None = None,
                  deadline: str = "") -> list[Path]:
    """Write every coordinator output into ``out`` (atomically); return the paths.
    ``report`` is ``coll.to_dict()`` when the caller already has it; ``history`` the rounds
    so far, this one included (toolkit.collect.history); ``deadline`` (YYYY-MM-DD) marks late agencies.

    (Two ways to use the second core here were tried and dropped, both for memory: summary.xlsx
    written in a process forked after the collection, and the other files in a process forked
    before it. Either process ends up with ~30-45 MB of pages of its own: those it or this
    process write after the fork -- a reference count is a write -- are copied.)"""
    out = Path(out)
    report = report or coll.to_dict()
    paths = [out / "findings.json", out / "findings.csv", out / "data.json", out / "summary.xlsx"]
    write_report_json(report, paths[0])
    usage = file_usage(coll, report)
    write_bytes_atomic(paths[1], findings_csv(report["findings"], usage))
    write_data_json(coll, paths[2])
    chase = reminders(coll, history.covers() if history else None)
    paths.append(out / "reminders.csv")
    write_bytes_atomic(paths[-1], reminders_csv(chase))
    with atomic_open(paths[3], "wb") as fh:
        write_summary(coll, report, fh, chase=chase, history=history, deadline=deadline, usage=usage)
    return paths


USED, REPLACED, NOT_USED = "已采用", "已被替换", "未采用"


def file_usage(coll: Collection, report: dict) -> dict[str, tuple[str, str]]:
    """Each file's agency name (the roster's, else the cover's) and whether it was used."""
    names = {a.id: a.name for a in coll.roster.agencies} if coll.roster else {}
    owner = {f: agency_id for agency_id, files in attribute(coll).items() for f in files}
    return {s["file"]: (names.get(s["agency_id"] or owner.get(s["file"], "")) or s["agency"] or "",
                        USED if s["used"] else REPLACED if s.get("replaced") else NOT_USED)
            for s in report["submissions"]}


def write_data_json(coll: Collection, path: Path) -> None:
    """Machine-readable data of every used submission, for next year's ``collect --previous``
    (toolkit.collect.previous): {"template", "year", "agencies": [{agency_id, agency, file,
    status, values, narratives}]}. Written one agency at a time (memory stays flat), each
    record's values and narratives as a worker encoded them (toolkit.outputs.records)."""
    head = json.dumps({"template": {"id": coll.spec.id, "version": coll.spec.version}, "year": coll.year},
                      ensure_ascii=False)
    with atomic_open(path, "wb") as fh:  # bytes: the bodies are UTF-8 already
        fh.write((head[:-1] + ', "agencies": [').encode("utf-8"))
        sep = "\n"
        for r in coll.used.values():
            if not coll.readable(r):
                continue
            who = json.dumps({"agency_id": r.agency_id, "agency": r.agency, "file": r.file,
                              "status": coll.status(r)}, ensure_ascii=False)
            fh.write((sep + who[:-1] + ", ").encode("utf-8") + coll.data_body(r) + b"}")
            sep = ",\n"
        fh.write(b"\n]}\n")


def aggregate(coll: Collection, included: list | None = None) -> dict[str, float]:
    """Every input and total cell summed over the included submissions (pandas);
    ``included`` is ``coll.included()`` when the caller already has it."""
    spec = coll.spec
    codes = [c.code for c in spec.cells]
    sums = pd.Series([0] * len(codes), index=codes, dtype=object)
    for chunk in _chunks(coll.included() if included is None else included, 1000):  # bounded memory
        rows = [coll.cell_values(r) for r in chunk]
        sums = sums + pd.DataFrame(rows, columns=codes, dtype=object).sum(axis=0)  # object: exact ints, Decimals
    return {c: _plain(sums[c], spec.cell(c).type) for c in codes}


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _plain(v, kind: str):
    return round(float(v), 6) if kind == "decimal" else int(v)


# --- summary.xlsx ---------------------------------------------------------------------------


def write_summary(coll: Collection, report: dict, out: IO[bytes], chase: list[Reminder] | None = None,
                  history: History | None = None, deadline: str = "",
                  usage: dict[str, tuple[str, str]] | None = None) -> None:
    """summary.xlsx into ``out``, its long sheets streamed (memory flat in the number of files)."""
    usage = file_usage(coll, report) if usage is None else usage
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False})
    fmt = formats(wb)
    head = wb.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1, "font_name": "宋体",
                          "text_wrap": True, "valign": "vcenter"})
    text = wb.add_format({"font_name": "宋体", "valign": "top"})
    chase = reminders(coll) if chase is None else chase
    included, excluded = coll.included(), coll.excluded()
    overview(wb, coll, report, chase, history, deadline, included)
    status = _status_sheet(wb, coll, report, head, text)
    _reminders_sheet(wb, chase, head, text)
    _findings_sheet(wb, coll, report, head, usage)
    totals = aggregate(coll, included)
    for table in coll.spec.tables:
        _aggregate_sheet(wb, fmt, coll, table, totals, text, included, excluded)
    data_sheet = _data_sheet(wb, coll, head, text)
    for ws in wb.worksheets():
        _page_marks(ws, coll.year)
    wb.close()
    # The status rows' cell style: the index xlsxwriter gave ``text`` when it wrote the cells
    # that use it (the 数据 sheet's labels at least), public once the workbook is closed.
    style = text.xf_index
    _fill_sheets(buf.getvalue(), out, {
        status: (_status_rows(coll, report, style, history, deadline), _status_count(coll)),
        data_sheet: (_data_rows(coll, first_row=3), len(_data_results(coll))),
    })


CHASE_LISTED = 15  # agencies to chase named on the one-page overview


def overview(wb, coll: Collection, report: dict, chase: list[Reminder], history: History | None, deadline: str,
             included: list) -> None:
    """概况: one A4 page -- how many agencies sent what, who is late, who to chase."""
    ws = wb.add_worksheet("概况")
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter", "text_wrap": True}
    title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    section = wb.add_format({**base, "bold": True, "bottom": 1})
    label = wb.add_format({**base, "border": 1, "bg_color": "#F2F2F2"})
    number = wb.add_format({**base, "border": 1, "align": "center"})
    note = wb.add_format({**base, "border": 1, "font_size": 10})
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 52)
    ws.merge_range(0, 0, 0, 2, f"{coll.year}年度政府信息公开工作年度报告 报送与校验概况", title)
    ws.set_row(0, 32)
    rounds = history.rounds if history else []
    when = f"第 {len(rounds)} 轮汇总，{rounds[-1]['at'].replace('T', ' ')[:16]}" if rounds else ""
    subtitle = "　".join(x for x in (when, f"报送截止日期 {deadline}" if deadline else "") if x)
    ws.merge_range(1, 0, 1, 2, subtitle, wb.add_format({**base, "align": "center", "font_size": 10}))
    statuses = [coll.status(r) for r in coll.used.values()]
    subs = report["submissions"]
    late = [a for a in (coll.roster.agencies if coll.roster else ()) if history and history.late(a.id, deadline)]
    reasons: dict[str, int] = {}
    for item in chase:
        reasons[item.reason] = reasons.get(item.reason, 0) + 1
    lines = [
        ("报送", None, ""),
        ("名单内单位", len(coll.roster.agencies) if coll.roster else len(coll.used), "" if coll.roster else "未提供名单"),
        ("已报送（采用的文件）", len(coll.used), ""),
        ("　其中：通过校验", statuses.count("ok"), ""),
        ("　　　　只有警告", statuses.count("warnings"), ""),
        ("　　　　有错误", statuses.count("errors"), "见“问题清单”；反馈表见 feedback/ 目录"),
        ("未报送", reasons.get("未报送", 0), ""),
        ("报送格式不符", reasons.get("报送格式不符", 0), "如 .xls、PDF、加密文件"),
        ("报送年度不符", reasons.get("报送年度不符", 0), ""),
        ("逾期（含逾期未报）", len(late), "、".join(a.name for a in late[:CHASE_LISTED]) + ("等" if len(late) > CHASE_LISTED else "")),
        ("文件", None, ""),
        ("收到的文件", len(subs), ""),
        ("已被替换", sum(bool(x.get("replaced")) for x in subs), "其问题不计入错误、警告总数"),
        ("无法读取", sum(x["status"] == "rejected" for x in subs), ""),
        ("错误 / 警告（条）", f"{report['stats']['errors']} / {report['stats']['warnings']}", ""),
        ("汇总", None, ""),
        ("计入汇总的单位", len(included), "不含有错误或未报送的单位"),
        ("需催报", len(chase), "见“催报”工作表（含联系人、电话）"),
    ]
    row = 3
    for name, value, remark in lines:
        if value is None:
            ws.merge_range(row, 0, row, 2, name, section)
        else:
            ws.write_string(row, 0, name, label)
            if isinstance(value, int):
                ws.write_number(row, 1, value, number)
            else:
                ws.write_string(row, 1, value, number)
            ws.write_string(row, 2, remark, note)
            ws.set_row(row, max(18, text_height(remark, 52, 10)))
        row += 1
    row += 1
    ws.merge_range(row, 0, row, 2, "需催报的单位", section)
    for item in chase[:CHASE_LISTED]:
        row += 1
        ws.write_string(row, 0, item.agency.name, label)
        ws.write_string(row, 1, item.reason, number)
        ws.write_string(row, 2, "　".join(x for x in (item.contact.person, item.contact.phone) if x), note)
    if len(chase) > CHASE_LISTED:
        row += 1
        ws.merge_range(row, 0, row, 2, f"另有 {len(chase) - CHASE_LISTED} 个，见“催报”工作表。", note)
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.center_horizontally()
    ws.print_area(0, 0, row, 2)


STATUS_COLUMNS = ["序号", "单位编号", "单位名称", "报送情况", "校验结果", "错误数", "警告数", "首次收到", "最后收到",
                  "报送轮次", "逾期", "文件", "SHA256"]


def _status_sheet(wb, coll: Collection, report: dict, head, text) -> int:
    """The 报送情况 sheet's header and settings; its rows come from ``_status_rows``.
    Returns the sheet's 1-based index."""
    ws = wb.add_worksheet("报送情况")
    widths = [6, 18, 30, 10, 10, 8, 8, 18, 18, 8, 8, 36, 66]
    for i, (c, w) in enumerate(zip(STATUS_COLUMNS, widths)):
        ws.write_string(0, i, c, head)
        ws.set_column(i, i, w)
    ws.autofilter(0, 0, max(1, _status_count(coll)), len(STATUS_COLUMNS) - 1)
    ws.freeze_panes(1, 0)
    _print_list(ws)
    ws.print_area(0, 0, max(1, _status_count(coll)), len(STATUS_COLUMNS) - 2)  # SHA256 is for machines
    return len(wb.worksheets())


def _status_count(coll: Collection) -> int:
    """Rows of 报送情况: each agency used or missing, then each file not used."""
    used = {r.file for r in coll.used.values()}
    return len(coll.used) + len(coll.missing) + sum(1 for r in coll.results if r.file not in used)


def _status_rows(coll: Collection, report: dict, style: int, history: History | None = None,
                 deadline: str = "") -> Iterator[bytes]:
    """One <row> per roster agency (in roster order, then agencies not on it), then one per
    file not used (replaced, rejected, unknown agency); with each agency's rounds when
    ``history`` is given."""
    def rounds(agency_id: str) -> list:
        if history is None:
            return ["", "", "", ""]
        first, last, n = history.received(agency_id)
        return [_when(first), _when(last), n or "", history.late(agency_id, deadline)]

    seen = {s.sha256: s for s in history.files} if history else {}
    sent = attribute(coll)  # rejected files by the agency their name points to
    owner = {f: agency_id for agency_id, files in sent.items() for f in files}
    by_file: dict[str, list[int]] = {}  # file -> [errors, warnings]
    for f in report["findings"]:
        n = by_file.setdefault(f["file"], [0, 0])
        n[0] += f["severity"] == "error"
        n[1] += f["severity"] == "warning"
    names = {a.id: a.name for a in coll.roster.agencies} if coll.roster else {}
    order = [a.id for a in coll.roster.agencies] if coll.roster else []
    order += sorted(a for a in coll.used if a not in names)

    def rows() -> Iterator[list]:
        for agency_id in order:
            r = coll.used.get(agency_id)
            if r is None:
                files = sent.get(agency_id, [])
                yield [agency_id, names.get(agency_id, ""), WRONG_FORMAT if files else NOT_SENT,
                       STATUS_ZH["rejected"] if files else "", "", "", *rounds(agency_id), "、".join(files), ""]
                continue
            errors, warnings = by_file.get(r.file, (0, 0))
            yield [agency_id, names.get(agency_id) or r.agency or "", "已报送", STATUS_ZH[coll.status(r)],
                   errors, warnings, *rounds(agency_id), r.file, r.sha256]
        used_files = {r.file for r in coll.used.values()}
        for s in report["submissions"]:
            if s["file"] not in used_files:
                errors, warnings = by_file.get(s["file"], (0, 0))
                first = seen.get(s["sha256"])
                agency_id = s["agency_id"] or owner.get(s["file"], "")
                yield [agency_id, s["agency"] or names.get(agency_id, ""), REPLACED if s.get("replaced") else NOT_USED,
                       STATUS_ZH[s["status"]], errors, warnings, _when(first.first_seen) if first else "", "",
                       first.round if first else "", "", s["file"], s["sha256"]]

    letters = [xl_col_to_name(j) for j in range(len(STATUS_COLUMNS))]
    for i, row in enumerate(rows(), start=1):
        cells = [f'<c r="A{i + 1}"><v>{i}</v></c>']
        for c, v in zip(letters[1:], row):
            if isinstance(v, int):
                cells.append(f'<c r="{c}{i + 1}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{c}{i + 1}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                             f'{_xml_text(str(v))}</t></is></c>')
        yield f'<row r="{i + 1}">{"".join(cells)}</row>'.encode()


def _reminders_sheet(wb, chase: list[Reminder], head, text) -> None:
    """催报: whom to chase, with the reason and whom to call (the rows of reminders.csv)."""
    ws = wb.add_worksheet("催报")
    widths = [6, 16, 28, 12, 40, 30, 10, 16, 24, 12]
    for i, (c, w) in enumerate(zip(REMINDER_COLUMNS, widths)):
        ws.write_string(0, i, c, head)
        ws.set_column(i, i, w)
    for i, item in enumerate(chase, start=1):
        ws.write_number(i, 0, i)
        for j, v in enumerate(item.row(i)[1:], start=1):
            ws.write_string(i, j, v, text)
    ws.autofilter(0, 0, max(1, len(chase)), len(REMINDER_COLUMNS) - 1)
    ws.freeze_panes(1, 0)
    _print_list(ws)


def _when(stamp: str) -> str:
    """An ISO timestamp as people read it: 2025-01-10 09:30."""
    return stamp.replace("T", " ")[:16]


FINDING_COLUMNS = ["编号", "级别", "单位编号", "文件", "位置", "期望值", "实际值", "说明", "单位名称", "采用情况"]
_FINDING_WIDTHS = [16, 5, 10, 20, 16, 8, 8, 56, 16, 8]
_USAGE_ORDER = {USED: 0, NOT_USED: 1, REPLACED: 2}


def _findings_sheet(wb, coll: Collection, report: dict, head, usage: dict[str, tuple[str, str]]) -> None:
    """问题清单: grouped by agency (roster order; files with no agency last), each group under a
    line naming the agency and its counts, the used file's findings first and a replaced
    file's last; long texts wrap."""
    ws = wb.add_worksheet("问题清单")
    base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True}
    wrap = wb.add_format(base)
    number = wb.add_format({**base, "align": "right"})
    group = wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "top": 1})
    for i, (c, w) in enumerate(zip(FINDING_COLUMNS, _FINDING_WIDTHS)):
        ws.write_string(0, i, c, head)
        ws.set_column(i, i, w)
    i = 0
    for title, found in _by_agency(coll, report, usage):
        i += 1
        ws.merge_range(i, 0, i, len(FINDING_COLUMNS) - 1, title, group)
        for f in found:
            i += 1
            where = f"{f['sheet']}!{f['cell']}" if f.get("sheet") and f.get("cell") else (f.get("sheet") or "")
            row = [f["code"], SEVERITY_ZH.get(f["severity"], f["severity"]), f.get("agency_id") or "",
                   f.get("file") or "", where, f.get("expected"), f.get("actual"), f.get("message") or "",
                   *usage.get(f.get("file") or "", ("", ""))]
            for j, v in enumerate(row):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(i, j, v, number)
                else:
                    ws.write_string(i, j, "" if v is None else str(v), wrap)
            ws.set_row(i, max(text_height(str(v or ""), _FINDING_WIDTHS[j]) for j, v in enumerate(row)))
    ws.autofilter(0, 0, max(1, i), len(FINDING_COLUMNS) - 1)
    ws.freeze_panes(1, 0)
    _print_list(ws)


def _by_agency(coll: Collection, report: dict, usage: dict[str, tuple[str, str]]) -> list[tuple[str, list[dict]]]:
    """(group title, findings) per agency with findings, in roster order, then the others."""
    owner = {f: agency_id for agency_id, files in attribute(coll).items() for f in files}
    names = {a.id: a.name for a in coll.roster.agencies} if coll.roster else {}
    groups: dict[str, list[dict]] = {}
    for f in report["findings"]:
        groups.setdefault(f.get("agency_id") or owner.get(f.get("file") or "", ""), []).append(f)
    order = [a for a in names if a in groups] + sorted(a for a in groups if a not in names and a)
    order += [""] if "" in groups else []
    out = []
    for agency_id in order:
        found = sorted(groups[agency_id], key=lambda f: _USAGE_ORDER.get(usage.get(f.get("file") or "", ("", ""))[1], 1))
        counted = [f for f in found if usage.get(f.get("file") or "", ("", ""))[1] != REPLACED]
        errors = sum(f["severity"] == "error" for f in counted)
        warnings = sum(f["severity"] == "warning" for f in counted)
        name = names.get(agency_id) or next((usage.get(f.get("file") or "", ("", ""))[0] for f in found), "")
        who = f"{name}（{agency_id}）" if agency_id else "未能确定单位的文件"
        replaced = len(found) - len(counted)
        out.append((f"{who}：错误 {errors} 个，警告 {warnings} 个" + (f"；另有已被替换文件的问题 {replaced} 条（不计入）"
                                                                     if replaced else ""), found))
    return out


def _print_list(ws) -> None:
    """A list prints landscape on A4, as wide as the page, header row on every page."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _page_marks(ws, year: int) -> None:
    """Every sheet's printed pages say what they are and which page they are."""
    ws.set_header(f"&L{year}年度政府信息公开工作年度报告汇总&R&A")
    ws.set_footer("&C第 &P 页，共 &N 页")


def _aggregate_sheet(wb, fmt, coll: Collection, table, totals: dict, text, included: list,
                     excluded: list[tuple[str, str]]) -> None:
    """The official table summed over the included agencies, every cell bordered, with the lists
    of included and excluded agencies under it, all on the printed page."""
    ws = wb.add_worksheet("汇总" + table.sheet)
    table_frame(ws, fmt, table, table.heading + "（汇总）",
                f"{coll.year}年度　汇总 {len(included)} 个单位（不含有错误或未报送的单位，见下方说明）")
    boxed = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "align": "right", "border": 1}
    values = {"int": wb.add_format({**boxed, "num_format": "0"}), "decimal": wb.add_format(boxed)}
    for cell in table.cells:
        write_value(ws, cell, totals[cell.code], fmt["total"] if cell.role == "total" else values[cell.type])
    note = wb.add_format({"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True})
    row, last = table.bottom + 2, table.width - 1
    tall = 0.0
    width = 10 * table.width  # about what table_frame gives the columns; only the rows' heights depend on it
    for i, line in enumerate(("已汇总：" + name_list([f"{r.agency}（{r.agency_id}）" for r in included]),
                              "未汇总：" + name_list([f"{a}（{why}）" for a, why in excluded]))):
        ws.merge_range(row + i, 0, row + i, last, line, note)
        ws.set_row(row + i, min(409, text_height(line, width)))
        tall += min(409, text_height(line, width))
    ws.print_area(0, 0, row + 1, last)
    if tall <= NOTES_ON_THE_PAGE:  # short notes stay on the table's page; long lists flow on
        ws.fit_to_pages(1, 1)


NOTES_ON_THE_PAGE = 120  # points of 已汇总/未汇总 notes a table's page is shrunk to hold
CELL_TEXT_MAX = 32_767  # Excel's limit; xlsxwriter would cut the text silently


def name_list(items: list[str]) -> str:
    """Names joined for one cell, or a pointer to the 报送情况 sheet when they would not fit."""
    text = "、".join(items) or "无"
    if len(text) > CELL_TEXT_MAX - 100:
        return f"共 {len(items)} 个，名单见“报送情况”工作表"
    return text


def _data_sheet(wb, coll: Collection, head, text) -> int:
    """The flat data sheet's header rows (codes, labels); its rows come from ``_data_rows``.
    Returns the sheet's 1-based index (xlsxwriter names its part sheet<index>.xml)."""
    ws = wb.add_worksheet("数据")
    cells = coll.spec.cells
    for j, name in enumerate([*DATA_FIXED, *(c.code for c in cells)]):
        ws.write_string(0, j, name, head)
    labels = ["单位编号", "单位名称", "校验结果", "文件"] + [f"表{c.section} {c.row_label}／{c.col_label}" for c in cells]
    for j, name in enumerate(labels):
        ws.write_string(1, j, name, text)
    ws.set_column(0, 3, 16)
    ws.freeze_panes(2, 2)
    _print_list(ws)  # for machines: printed one page wide, if at all
    ws.repeat_rows(0, 1)
    ws.autofilter(1, 0, 1 + len(coll.used), len(DATA_FIXED) + len(cells) - 1)
    return len(wb.worksheets())


def _data_rows(coll: Collection, first_row: int) -> Iterator[bytes]:
    """One <row> of sheet XML per used submission: 200-odd numbers a row, thousands of rows,
    written as text directly (xlsxwriter's per-cell path costs ~20× more), one row at a time;
    the number cells come made by the workers (toolkit.outputs.records)."""
    text_letters = [xl_col_to_name(j) for j in range(len(DATA_FIXED))]
    for i, r in enumerate(_data_results(coll), start=first_row):
        texts = (r.agency_id or "", r.agency or "", STATUS_ZH[coll.status(r)], r.file)
        cells = [f'<c r="{c}{i}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(t)}</t></is></c>'
                 for c, t in zip(text_letters, texts)]
        yield (f'<row r="{i}">{"".join(cells)}'.encode()
               + coll.data_cells(r).replace(_ROW, str(i).encode("ascii")) + b"</row>")


def _data_results(coll: Collection) -> list:
    return [r for r in coll.used.values() if coll.readable(r)]


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_XML_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>]")


def _xml_text(text: str) -> str:
    if _XML_SPECIAL.search(text) is None:  # nearly every name and file: nothing to do
        return text
    return _XML_BAD.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fill_sheets(xlsx: bytes, out: IO[bytes], streams: dict[int, tuple[Iterator[bytes], int]]) -> None:
    """Write the package ``xlsx`` to ``out``, streaming rows into the sheetData of sheet<index>.xml
    (after its header rows) for each index of ``streams`` ({index: (rows, number of rows)}) in
    an xlsxwriter package; the other parts are copied. The long streamed parts are deflated at
    zlib's level 1: at 10,000 files 0.24 s of CPU for their 62 MB where the default level takes
    0.77 s, for 8.5 MB instead of 6.3 (zlib-ng's level 2, 0.14 s and 8.1 MB, would need a
    compressor zipfile takes only through a private attribute)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    with zipwrite.archive(out, level=1) as dst:
        for info in src.infolist():
            body = src.read(info)
            index = _sheet_index(info.filename)
            if index not in streams or not streams[index][1]:
                zipwrite.write(dst, info.filename, body)
                continue
            rows, n_rows = streams[index]
            xml = body.decode("utf-8")
            last = int(re.findall(r'<row r="(\d+)"', xml)[-1]) + n_rows  # the header rows end, then the rows
            xml = re.sub(r'<dimension ref="([A-Z]+\d+):([A-Z]+)\d+"/>', rf'<dimension ref="\1:\g<2>{last}"/>',
                         xml, count=1)
            end = xml.rindex("</sheetData>")
            with zipwrite.stream(dst, info.filename) as fh:
                fh.write(xml[:end].encode("utf-8"))
                for row in rows:
                    fh.write(row)
                fh.write(xml[end:].encode("utf-8"))


def _sheet_index(part: str) -> int | None:
    m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", part)
    return int(m.group(1)) if m else None
