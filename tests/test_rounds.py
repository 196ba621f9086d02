"""Rounds: collect run again into the same output folder keeps a history of every file (when it
was first seen, its agency, its status then, its round); replaced files are listed apart and
never counted in the totals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess

import openpyxl
import pytest
from faults import cfb
from test_collect import figures, workbook
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.collect.collection import collect
from toolkit.collect.history import advance, load_history, write_history
from toolkit.collect.roster import read_roster
from toolkit.outputs.summary import write_outputs

YEAR = 2024
XLS = cfb({"Workbook": b"\x09\x08" + b"\x00" * 2000})
ROUNDS = [dt.datetime(2025, 1, 10, 9, 0), dt.datetime(2025, 1, 20, 9, 0), dt.datetime(2025, 2, 5, 9, 0)]
DEADLINE = "2025-01-31"


def _unbalanced(spec) -> dict:
    values = figures(spec, 1)
    values["t3_new_legal"] += 1
    return values


def _round(spec, box, roster, out, at):
    with collect(box, YEAR, spec=spec, roster=read_roster(roster)) as coll:
        report = coll.report()
        history = advance(load_history(out, YEAR), coll, at)
        write_outputs(coll, out, report.to_dict(), history=history, deadline=DEADLINE)
        write_history(history, out)
        return report


def test_three_rounds(spec, tmp_path):
    box, out = tmp_path / "inbox", tmp_path / "out"
    box.mkdir()
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\na01,甲局\na02,乙局\na03,丙局\n", encoding="utf-8")
    # round 1: a01 sends an unbalanced file, a02 an .xls, a03 nothing
    (box / "a01.xlsx").write_bytes(workbook(spec, "a01", "甲局", values=_unbalanced(spec)))
    (box / "a02.xls").write_bytes(XLS)
    first = _round(spec, box, roster, out, ROUNDS[0])
    assert (first.stats.errors, first.exit_code) == (2, 1)  # R1 and old_xls
    # round 2: both send corrected files; the old ones stay in the inbox
    (box / "a01-改.xlsx").write_bytes(workbook(spec, "a01", "甲局", 1))
    (box / "a02.xlsx").write_bytes(workbook(spec, "a02", "乙局", 2))
    second = _round(spec, box, roster, out, ROUNDS[1])
    # round 3: a03, late; nothing else new
    (box / "a03.xlsx").write_bytes(workbook(spec, "a03", "丙局", 3))
    third = _round(spec, box, roster, out, ROUNDS[2])

    history = json.loads((out / "history.json").read_text(encoding="utf-8"))
    sha = {s["file"]: s["sha256"] for s in third.to_dict()["submissions"]}
    assert history["rounds"] == [
        {"round": 1, "at": "2025-01-10T09:00:00", "files": 2, "new": 2},
        {"round": 2, "at": "2025-01-20T09:00:00", "files": 4, "new": 2},
        {"round": 3, "at": "2025-02-05T09:00:00", "files": 5, "new": 1},
    ]
    assert [(s["file"], s["agency_id"], s["round"], s["first_seen"], s["status"], s["sha256"]) for s in history["files"]] == [
        ("a01.xlsx", "a01", 1, "2025-01-10T09:00:00", "errors", sha["a01.xlsx"]),
        ("a02.xls", "a02", 1, "2025-01-10T09:00:00", "rejected", sha["a02.xls"]),
        ("a01-改.xlsx", "a01", 2, "2025-01-20T09:00:00", "warnings", sha["a01-改.xlsx"]),  # the duplicate's warning
        ("a02.xlsx", "a02", 2, "2025-01-20T09:00:00", "ok", sha["a02.xlsx"]),
        ("a03.xlsx", "a03", 3, "2025-02-05T09:00:00", "ok", sha["a03.xlsx"]),
    ]
    assert history["contacts"]["a02"] == {"person": "张三", "phone": "0574-86880000", "email": ""}

    # totals: the replaced files' findings are listed, never counted
    for report in (second, third):
        subs = {s["file"]: (s["used"], s["replaced"]) for s in report.to_dict()["submissions"]}
        assert subs["a01.xlsx"] == (False, True) and subs["a02.xls"] == (False, True)
        assert report.stats.errors == 0 and report.valid and report.exit_code == 0
        assert any(f.file == "a01.xlsx" and f.code == "R1" for f in report.findings)
    assert third.stats.warnings == 1  # a01-改.xlsx's duplicate warning; a01.xlsx's is not counted

    wb = openpyxl.load_workbook(out / "summary.xlsx")
    status = {r[1]: r for r in wb["报送情况"].iter_rows(min_row=2, max_row=4, values_only=True)}
    assert status["a01"][7:11] == ("2025-01-10 09:00", "2025-01-20 09:00", 2, "")
    assert status["a02"][7:11] == ("2025-01-10 09:00", "2025-01-20 09:00", 2, "")
    assert status["a03"][7:11] == ("2025-02-05 09:00", "2025-02-05 09:00", 1, "逾期")
    replaced = [r for r in wb["报送情况"].iter_rows(min_row=5, values_only=True)]
    assert sorted((r[11], r[3], r[9]) for r in replaced) == [("a01.xlsx", "已被替换", 1), ("a02.xls", "已被替换", 1)]
    problems = [r for r in wb["问题清单"].iter_rows(min_row=1, values_only=True) if r[1]]  # not the group lines
    assert problems[0][-2:] == ("单位名称", "采用情况")
    groups = [r[0] for r in wb["问题清单"].iter_rows(min_row=2, values_only=True) if not r[1]]
    assert groups == ["甲局（a01）：错误 0 个，警告 1 个；另有已被替换文件的问题 2 条（不计入）",
                      "乙局（a02）：错误 0 个，警告 0 个；另有已被替换文件的问题 1 条（不计入）"]
    assert {(r[3], r[-2], r[-1]) for r in problems[1:]} == {
        ("a01.xlsx", "甲局", "已被替换"), ("a02.xls", "乙局", "已被替换"), ("a01-改.xlsx", "甲局", "已采用")}
    rows = list(csv.reader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][-2:] == ["单位名称", "采用情况"]
    assert {(r[3], r[-2], r[-1]) for r in rows[1:]} == {(r[3], r[-2], r[-1]) for r in problems[1:]}


def test_missing_after_the_deadline_and_a_new_year(spec, tmp_path):
    box, out = tmp_path / "inbox", tmp_path / "out"
    box.mkdir()
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\na01,甲局\n", encoding="utf-8")
    _round(spec, box, roster, out, ROUNDS[2])
    status = list(openpyxl.load_workbook(out / "summary.xlsx")["报送情况"].iter_rows(min_row=2, values_only=True))
    assert status[0][3] == "未报送" and status[0][10] == "逾期未报"
    assert load_history(out, YEAR + 1) is None  # another year: a new history


def test_history_starts_from_an_earlier_findings_json(spec, tmp_path):
    """An output folder written before the history existed: its findings.json is round 1."""
    box, out = tmp_path / "inbox", tmp_path / "out"
    box.mkdir()
    (box / "a01.xlsx").write_bytes(workbook(spec, "a01", "甲局", 1))
    with collect(box, YEAR, spec=spec) as coll:
        write_outputs(coll, out)
    assert not (out / "history.json").exists()
    history = load_history(out, YEAR)
    assert [r["round"] for r in history.rounds] == [1] and [s.file for s in history.files] == ["a01.xlsx"]


def test_collect_command_keeps_history(spec, tmp_path):
    box, out = tmp_path / "inbox", tmp_path / "out"
    box.mkdir()
    (box / "a01.xlsx").write_bytes(workbook(spec, "a01", "甲局", 1))
    args = ["collect", str(box), "--year", str(YEAR), "-o", str(out), "--no-docx"]
    assert CliRunner().invoke(app, args).exit_code == 0
    (box / "a02.xlsx").write_bytes(workbook(spec, "a02", "乙局", 2))
    assert CliRunner().invoke(app, args + ["--deadline", "2000-01-01"]).exit_code == 0
    history = json.loads((out / "history.json").read_text(encoding="utf-8"))
    assert [r["new"] for r in history["rounds"]] == [1, 1]
    assert [(s["file"], s["round"]) for s in history["files"]] == [("a01.xlsx", 1), ("a02.xlsx", 2)]
    status = list(openpyxl.load_workbook(out / "summary.xlsx")["报送情况"].iter_rows(min_row=2, values_only=True))
    assert [r[10] for r in status] == ["逾期", "逾期"]


# --- summary.xlsx on paper -------------------------------------------------------------------------


def _printed(spec, tmp_path):
    box, out = tmp_path / "inbox", tmp_path / "out"
    box.mkdir()
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,联系人,联系电话\na01,甲局,赵一,0574-1\na02,乙局,钱二,0574-2\na03,丙局,,\n", encoding="utf-8")
    (box / "a01.xlsx").write_bytes(workbook(spec, "a01", "甲局", values=_unbalanced(spec)))
    (box / "a02.xls").write_bytes(XLS)
    _round(spec, box, roster, out, ROUNDS[2])
    return out / "summary.xlsx"


def test_summary_prints_on_a4(spec, tmp_path):
    wb = openpyxl.load_workbook(_printed(spec, tmp_path))
    assert wb.sheetnames[:4] == ["概况", "报送情况", "催报", "问题清单"]
    for ws in wb:
        assert ws.page_setup.paperSize == 9, ws.title
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, ws.title
    first = wb["概况"]
    assert first.sheet_properties.pageSetUpPr.fitToPage  # one page: fitToWidth/Height at their default 1
    assert first.page_setup.fitToHeight in (None, 1) and first.page_setup.fitToWidth in (None, 1)
    texts = [c for row in first.iter_rows(values_only=True) for c in row if c is not None]
    assert {"需催报", "逾期（含逾期未报）", "名单内单位"} <= set(texts)
    status = wb["报送情况"]
    assert status.print_area.endswith("$A$1:$L$5")  # SHA256 (column M) is not printed
    assert status["M1"].value == "SHA256" and status.print_title_rows == "$1:$1"
    problems = wb["问题清单"]
    assert problems.print_title_rows == "$1:$1" and problems["H3"].alignment.wrap_text
    t3 = wb["汇总" + spec.table("t3").sheet]
    bottom = spec.table("t3").bottom
    assert t3.print_area.endswith(f"$A$1:$J${bottom + 4}")  # the 已汇总/未汇总 notes are printed
    assert t3.cell(bottom + 3, 1).value.startswith("已汇总") and t3.cell(bottom + 4, 1).value.startswith("未汇总")
    cell = spec.table("t3").inputs[0]
    assert t3[cell.address].border.left.style == "thin"  # every figure bordered


@pytest.mark.office
def test_summary_renders_on_few_pages(spec, office, tmp_path):
    pdf = office.convert(_printed(spec, tmp_path), "pdf", tmp_path)
    pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                               check=True).stdout.splitlines() if line.startswith("Pages")))
    def page(n: int) -> str:
        return subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout

    # one page each for the overview and the three lists (the 数据 sheet, for machines, comes last)
    assert [page(n).split()[1] for n in range(1, 5)] == ["概况", "报送情况", "催报", "问题清单"]
    first = page(1)
    assert "报送与校验概况" in first and f"第 1 页，共 {pages} 页" in first and "丙局" in first
    assert pages <= 12
