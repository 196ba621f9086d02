"""Rosters as coordinators save them, and the template command over a roster."""

from __future__ import annotations

import hashlib
import io
import zipfile

import openpyxl
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.collect.roster import RosterError, read_roster
from toolkit.model import Agency
from toolkit.template.workbook import write_templates

ROWS = [("bl-001", "北仑区传媒中心"), ("bl-002", "北仑区交通运输局")]


def _csv(rows, header="id,name"):
    return header + "\r\n" + "".join(f"{i},{n}\r\n" for i, n in rows)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(tmp_path, encoding):
    p = tmp_path / "roster.csv"
    p.write_bytes(_csv(ROWS).encode(encoding))
    assert [(a.id, a.name) for a in read_roster(p).agencies] == ROWS


def test_chinese_headers_and_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["编号", "单位名称", "备注"])
    for r in ROWS:
        wb.active.append([*r, ""])
    wb.active.append([None, None, None])  # blank rows are skipped
    wb.save(tmp_path / "roster.xlsx")
    assert [(a.id, a.name) for a in read_roster(tmp_path / "roster.xlsx").agencies] == ROWS


@pytest.mark.parametrize("bad", ["../etc", "a/b", "a\\b", ".hidden", "x..y", ""])
def test_unsafe_ids_rejected(tmp_path, bad):
    p = tmp_path / "roster.csv"
    p.write_text(_csv([(bad, "某单位")]), encoding="utf-8")
    with pytest.raises(RosterError, match="第2行"):
        read_roster(p)


def test_duplicate_id_names_both_lines(tmp_path):
    p = tmp_path / "roster.csv"
    p.write_text(_csv([ROWS[0], ROWS[0]]), encoding="utf-8")
    with pytest.raises(RosterError, match="第3行.*第2行"):
        read_roster(p)


def test_missing_columns(tmp_path):
    p = tmp_path / "roster.csv"
    p.write_text(_csv(ROWS, header="code,title"), encoding="utf-8")
    with pytest.raises(RosterError, match="id 和 name"):
        read_roster(p)


def test_template_command_over_roster(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(_csv(ROWS), encoding="utf-8")
    res = CliRunner().invoke(app, ["template", "--year", "2024", "--roster", str(roster), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bl-001.xlsx", "bl-002.xlsx"]
    stamp = openpyxl.load_workbook(tmp_path / "out" / "bl-002.xlsx")["_stamp"]
    assert {r[0]: r[1] for r in stamp.iter_rows(values_only=True)}["agency"] == "北仑区交通运输局"


def test_template_command_rejects_bad_arguments(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["template", "--year", "2024"]).exit_code == 2
    res = runner.invoke(app, ["template", "--year", "2024", "--agency", "某局", "--agency-id", "../x"])
    assert res.exit_code == 2 and "单位编号" in res.output
    assert runner.invoke(app, ["template", "--year", "2019", "--agency", "某局"]).exit_code == 2


def _content(path):
    # xlsx zips carry timestamps in docProps/core.xml; compare everything else
    z = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    return {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist() if n != "docProps/core.xml"}


def test_pool_and_sequential_give_identical_templates(spec, tmp_path):
    agencies = [Agency(f"a{i:03d}", f"示例单位{i}") for i in range(10)]
    one = write_templates(spec, agencies, 2024, tmp_path / "one", workers=1)
    two = write_templates(spec, agencies, 2024, tmp_path / "two", workers=2)
    assert [p.name for p in one] == [p.name for p in two] == [f"a{i:03d}.xlsx" for i in range(10)]
    for a, b in zip(one, two):
        assert _content(a) == _content(b)


def test_template_refuses_a_read_only_edition(tmp_path):
    res = CliRunner().invoke(app, ["template", "--year", "2024", "--agency", "某局", "--agency-id", "x",
                                   "--edition", "gb2019", "-o", str(tmp_path)])
    assert res.exit_code == 2 and "仅用于读取" in res.output
    assert not list(tmp_path.iterdir())


def test_unknown_edition_is_a_usage_error():
    res = CliRunner().invoke(app, ["spec", "--edition", "gb2030"])
    assert res.exit_code == 2 and "未知的格式版本" in res.output


def test_control_characters_leave_a_name_and_never_break_a_template(tmp_path, spec):
    """A name pasted with a bell, a tab or a line break reads cleaned from the roster; a dirty name
    handed to the template writer directly still gives a workbook every reader opens."""
    p = tmp_path / "roster.csv"
    p.write_text('id,name\r\nbl-1,"北仑区\x07传媒\t中心\x1f"\r\nbl-2,"交通\r\n运输局"\r\n', encoding="utf-8")
    assert [a.name for a in read_roster(p).agencies] == ["北仑区传媒 中心", "交通 运输局"]
    paths = write_templates(spec, [Agency("x-1", "局\x07名  甲\n乙")], 2024, tmp_path / "out", workers=1)
    wb = openpyxl.load_workbook(paths[0])
    assert wb[spec.cover_sheet].oddFooter.left.text == "局名 甲 乙"
