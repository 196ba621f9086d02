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
from toolkit.template.workbook import formats, table_frame, write_value

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
    status = _status_sheet(wb, coll, report, head, text)
    _reminders_sheet(wb, reminders(coll) if chase is None else chase, head, text)
    _findings_sheet(wb, report, head, text, usage)
    included, excluded = coll.included(), coll.excluded()
    totals = aggregate(coll, included)
    for table in coll.spec.tables:
        _aggregate_sheet(wb, fmt, coll, table, totals, text, included, excluded)
    data_sheet = _data_sheet(wb, coll, head, text)
    wb.close()
    # The status rows' cell style: the index xlsxwriter gave ``text`` when it wrote the cells
    # that use it (the 数据 sheet's labels at least), public once the workbook is closed.
    style = text.xf_index
    _fill_sheets(buf.getvalue(), out, {
        status: (_status_rows(coll, report, style, history, deadline), _status_count(coll)),
        data_sheet: (_data_rows(coll, first_row=3), len(_data_results(coll))),
    })


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


def _findings_sheet(wb, report: dict, head, text, usage: dict[str, tuple[str, str]]) -> None:
    ws = wb.add_worksheet("问题清单")
    cols = ["编号", "级别", "单位编号", "文件", "位置", "期望值", "实际值", "说明", "单位名称", "采用情况"]
    widths = [22, 6, 18, 30, 22, 12, 12, 90, 24, 10]
    for i, (c, w) in enumerate(zip(cols, widths)):
        ws.write_string(0, i, c, head)
        ws.set_column(i, i, w)
    for i, f in enumerate(report["findings"], start=1):
        where = f"{f['sheet']}!{f['cell']}" if f.get("sheet") and f.get("cell") else (f.get("sheet") or "")
        row = [f["code"], SEVERITY_ZH.get(f["severity"], f["severity"]), f.get("agency_id") or "",
               f.get("file") or "", where, f.get("expected"), f.get("actual"), f.get("message") or "",
               *usage.get(f.get("file") or "", ("", ""))]
        for j, v in enumerate(row):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, "" if v is None else str(v), text)
    ws.autofilter(0, 0, max(1, len(report["findings"])), len(cols) - 1)
    ws.freeze_panes(1, 0)
    _print_list(ws)


def _print_list(ws) -> None:
    """A list prints landscape on A4, as wide as the page, header row on every page."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _aggregate_sheet(wb, fmt, coll: Collection, table, totals: dict, text, included: list,
                     excluded: list[tuple[str, str]]) -> None:
    ws = wb.add_worksheet("汇总" + table.sheet)
    table_frame(ws, fmt, table, table.heading + "（汇总）",
                f"{coll.year}年度　汇总 {len(included)} 个单位（不含有错误或未报送的单位，见下方说明）")
    for cell in table.cells:
        write_value(ws, cell, totals[cell.code], fmt["total"] if cell.role == "total" else fmt["text"])
    row = table.bottom + 2
    ws.write_string(row, 0, "已汇总：" + name_list([f"{r.agency}（{r.agency_id}）" for r in included]), text)
    ws.write_string(row + 1, 0, "未汇总：" + name_list([f"{a}（{why}）" for a, why in excluded]), text)


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
