"""Rounds: collect run again into the same output folder keeps a history of every file (when it
was first seen, its agency, its status then, its round); replaced files are listed apart and
never counted in the totals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
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
    problems = list(wb["问题清单"].iter_rows(min_row=1, values_only=True))
    assert problems[0][-2:] == ("单位名称", "采用情况")
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
