"""collect over folders and zips of workbooks: roster, duplicates, outputs, exit codes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.collect.collection import collect, discover
from toolkit.collect.roster import read_roster
from toolkit.format import compute
from toolkit.model import Agency
from toolkit.outputs.summary import write_outputs
from toolkit.template.workbook import build_workbook

YEAR = 2024


def figures(spec, seed: int) -> dict:
    """Inputs that satisfy every rule: table 三 balanced per column, other figures arbitrary."""
    values = {c.code: (seed * 7 + i) % 5 for i, c in enumerate(spec.inputs)}
    values["t2_fee_amount"] = 1.5 + seed
    t3 = spec.table("t3")
    for col in t3.col_codes:
        if col == "total":
            continue
        closed = sum(values[t3.cell(r, col).code] for r in t3.row_codes
                     if t3.cell(r, col).role == "input" and r not in ("new", "carried_in", "carried_out"))
        values[t3.cell("carried_in", col).code] = 1
        values[t3.cell("carried_out", col).code] = 2
        values[t3.cell("new", col).code] = closed + 1
    return values


NARRATIVES = {
    "overview": "（一）主动公开情况\n本年度主动公开政府信息若干条。",
    "problems": "一是公开形式有待创新。\n下一步将加强培训。",
    "other_matters": "本年度未收取信息处理费。",
}


def workbook(spec, agency_id: str, name: str, seed: int = 1, year: int = YEAR, **kw) -> bytes:
    values = kw.pop("values", None) or figures(spec, seed)
    return build_workbook(spec, Agency(agency_id, name), year, values=values,
                          narratives=kw.pop("narratives", NARRATIVES),
                          contact={"meta_contact": "张三", "meta_phone": "0574-86880000"}, **kw)


@pytest.fixture()
def inbox(spec, tmp_path):
    box = tmp_path / "inbox"
    (box / "sub").mkdir(parents=True)
    (box / "a01.xlsx").write_bytes(workbook(spec, "a01", "示例一局", 1))
    (box / "sub" / "a02.xlsx").write_bytes(workbook(spec, "a02", "=示例二局", 2))
    (box / "~$a01.xlsx").write_bytes(b"lock file")  # Excel's lock file is not a submission
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\na01,示例一局\na02,=示例二局\na03,示例三局\n", encoding="utf-8")
    return box, roster


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def test_clean_collection_with_missing_agency(spec, inbox, tmp_path):
    box, roster = inbox
    before = _hashes(box)
    coll = collect(box, YEAR, spec=spec, roster=read_roster(roster))
    assert [r.file for r in coll.results] == ["a01.xlsx", "sub/a02.xlsx"]
    assert coll.valid, [f.message for f in coll.all_findings]
    assert [a.id for a in coll.missing] == ["a03"]
    assert sorted(coll.used) == ["a01", "a02"]
    write_outputs(coll, tmp_path / "out")
    assert _hashes(box) == before  # inputs never modified


def test_duplicate_submissions_name_the_file_used(spec, inbox):
    box, roster = inbox
    broken = figures(spec, 3)
    broken["t3_new_natural"] += 5  # R1 broken: the other copy has fewer errors
    (box / "a01-修改版.xlsx").write_bytes(workbook(spec, "a01", "示例一局", values=broken))
    coll = collect(box, YEAR, spec=spec, roster=read_roster(roster))
    dup = [f for f in coll.findings if f.code == "agency_duplicate"]
    assert sorted(f.file for f in dup) == ["a01-修改版.xlsx", "a01.xlsx"]
    assert coll.used["a01"].file == "a01.xlsx"
    assert all("采用 a01.xlsx（错误最少）" in f.message for f in dup)


def test_unknown_agency_is_an_error_and_not_aggregated(spec, inbox):
    box, roster = inbox
    (box / "x.xlsx").write_bytes(workbook(spec, "zz9", "名单外单位"))
    coll = collect(box, YEAR, spec=spec, roster=read_roster(roster))
    f = next(f for f in coll.findings if f.code == "agency_unknown")
    assert f.file == "x.xlsx" and f.severity == "error" and "zz9" in f.message
    assert "zz9" not in coll.used


def test_zip_is_read_in_memory(spec, inbox, tmp_path):
    box, roster = inbox
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("返回/a01.xlsx", workbook(spec, "a01", "示例一局", 1))
        zf.writestr("返回/a03.xlsx", workbook(spec, "a03", "示例三局", 3))
        zf.writestr("__MACOSX/._a01.xlsx", b"resource fork")
    only_zip = tmp_path / "zipbox"
    only_zip.mkdir()
    (only_zip / "batch.zip").write_bytes(archive.read_bytes())
    assert [s.name for s in discover(only_zip)] == ["batch.zip/返回/a01.xlsx", "batch.zip/返回/a03.xlsx"]
    coll = collect(archive, YEAR, spec=spec, roster=read_roster(roster))
    assert sorted(coll.used) == ["a01", "a03"] and [a.id for a in coll.missing] == ["a02"]
    assert sorted(p.name for p in only_zip.iterdir()) == ["batch.zip"]  # nothing extracted


def test_outputs_identical_across_runs_and_workers(spec, inbox, tmp_path):
    box, roster = inbox
    for i in range(3, 9):
        (box / f"b{i}.xlsx").write_bytes(workbook(spec, f"a0{i}", f"示例{i}局", i))
    outs = []
    for n, workers in enumerate((1, 2, 2)):
        coll = collect(box, YEAR, spec=spec, roster=read_roster(roster), workers=workers)
        write_outputs(coll, tmp_path / f"out{n}")
        outs.append(tmp_path / f"out{n}")
    for name in ("findings.json", "findings.csv", "data.json"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes() == (outs[2] / name).read_bytes()
    sheets = [_sheet_values(o / "summary.xlsx") for o in outs]
    assert sheets[0] == sheets[1] == sheets[2]


def _sheet_values(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def test_summary_workbook(spec, inbox, tmp_path):
    box, roster = inbox
    coll = collect(box, YEAR, spec=spec, roster=read_roster(roster))
    write_outputs(coll, tmp_path / "out")
    wb = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")
    status = [r for r in wb["报送情况"].iter_rows(min_row=2, values_only=True)]
    assert [(r[1], r[3]) for r in status] == [("a01", "已报送"), ("a02", "已报送"), ("a03", "未报送")]
    name_cell = wb["报送情况"]["C3"]
    assert name_cell.value == "=示例二局" and name_cell.data_type == "s"  # text, never a formula
    t3 = spec.table("t3")
    agg = wb["汇总" + t3.sheet]
    expected = {c: compute.full(spec, figures(spec, 1))[c] + compute.full(spec, figures(spec, 2))[c]
                for c in (x.code for x in t3.cells)}
    for cell in t3.cells:
        assert agg[cell.address].value == expected[cell.code], cell.code
    for lb in t3.labels:
        assert agg[lb.address].value == lb.text
    data = wb["数据"]
    header = [c.value for c in data[1]]
    row = {h: c.value for h, c in zip(header, data[4])}  # row 1 codes, row 2 labels
    assert row["agency_id"] == "a02" and row["t3_closed_total_total"] == compute.full(spec, figures(spec, 2))["t3_closed_total_total"]


def test_findings_csv_opens_in_chinese_excel(spec, inbox, tmp_path):
    box, roster = inbox
    _add_unbalanced(spec, box, 4, "t3_new_legal")
    coll = collect(box, YEAR, spec=spec, roster=read_roster(roster))
    write_outputs(coll, tmp_path / "out")
    raw = (tmp_path / "out" / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:2] == ["编号", "级别"]
    assert any(r[0] == "R1" and r[1] == "错误" and r[4] == t3_sheet(spec) for r in rows[1:])


def _add_unbalanced(spec, box: Path, seed: int, code: str) -> None:
    """a03's workbook, one more in ``code`` (a 表三 新收 cell) than the balance allows: R1 fails."""
    values = figures(spec, seed)
    values[code] += 1
    (box / "a03.xlsx").write_bytes(workbook(spec, "a03", "示例三局", values=values))


def t3_sheet(spec) -> str:
    return spec.table("t3").sheet


def test_cli_exit_codes_and_json(spec, inbox, tmp_path):
    box, roster = inbox
    runner = CliRunner()
    ok = runner.invoke(app, ["collect", str(box), "--year", str(YEAR), "--roster", str(roster),
                             "-o", str(tmp_path / "o1"), "--json", "--no-docx"])
    assert ok.exit_code == 0, ok.output
    report = json.loads((tmp_path / "o1" / "findings.json").read_text(encoding="utf-8"))
    assert report == json.loads(ok.stdout[ok.stdout.index("{"):ok.stdout.rindex("}") + 1])  # file = --json
    assert report["valid"] and report["stats"]["missing"] == 1
    assert set(report) >= {"valid", "template", "stats", "submissions", "missing", "findings"}
    wrong_year = runner.invoke(app, ["collect", str(box), "--year", "2023", "-o", str(tmp_path / "o2")])
    assert wrong_year.exit_code == 1
    missing = runner.invoke(app, ["collect", str(tmp_path / "nope"), "--year", "2024", "-o", str(tmp_path / "o3")])
    assert missing.exit_code == 2 and "找不到收件目录" in missing.output


def test_previous_year_from_collect_output(spec, tmp_path):
    last, this = tmp_path / "last", tmp_path / "this"
    last.mkdir(), this.mkdir()
    (last / "a01.xlsx").write_bytes(workbook(spec, "a01", "示例一局", 1, year=YEAR - 1))
    (this / "a01.xlsx").write_bytes(workbook(spec, "a01", "示例一局", 1))
    runner = CliRunner()
    res = runner.invoke(app, ["collect", str(last), "--year", str(YEAR - 1), "-o", str(tmp_path / "out-last"),
                              "--no-docx"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["collect", str(this), "--year", str(YEAR), "--previous", str(tmp_path / "out-last"),
                              "-o", str(tmp_path / "out"), "--no-docx"])
    report = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    codes = {f["code"] for f in report["findings"]}
    # same figures and text as last year: carried-in 1 != last year's carried-out 2, narrative copied
    assert "R5" in codes and "narrative_copied" in codes
    assert res.exit_code == 0  # both are warnings


def test_reports_for_agencies_without_errors(spec, inbox, tmp_path):
    from docx import Document

    from toolkit.outputs.reports import COMBINED_NAME, write_reports

    box, roster = inbox
    _add_unbalanced(spec, box, 5, "t3_new_natural")
    coll = collect(box, YEAR, spec=spec, roster=read_roster(roster))
    paths = write_reports(coll, tmp_path / "reports", workers=1)
    assert [p.name for p in paths] == ["a01.docx", "a02.docx", COMBINED_NAME]
    text = "\n".join(p.text for p in Document(paths[1]).paragraphs)
    assert "=示例二局2024年政府信息公开工作年度报告" in text.replace("\n", "")
    combined = Document(paths[-1])
    cells = {c.text for t in combined.tables for row in t.rows for c in row.cells}
    assert {"a01", "a02", "a03"} <= cells  # included and excluded agencies are listed


def test_console_table_stays_short_for_large_collections(spec, tmp_path, monkeypatch):
    import toolkit.cli as cli

    monkeypatch.setattr(cli, "TABLE_ROWS", 3)
    box = tmp_path / "box"
    box.mkdir()
    for i in range(5):
        (box / f"a{i}.xlsx").write_bytes(workbook(spec, f"a{i}", f"示例{i}局", i + 1))
    bad = figures(spec, 9)
    bad["t3_new_other"] += 2
    (box / "z.xlsx").write_bytes(workbook(spec, "z9", "示例九局", values=bad))
    res = CliRunner().invoke(app, ["collect", str(box), "--year", str(YEAR), "-o", str(tmp_path / "o"), "--no-docx"])
    assert res.exit_code == 1
    assert "z.xlsx" in res.output and "a0.xlsx" not in res.output  # only files needing attention
    assert "其中 5 个通过校验，未列出" in res.output


def test_findings_json_is_the_report_one_item_a_line(tmp_path):
    """Written item by item in batches: the same JSON whatever the lengths, one item a line."""
    from decimal import Decimal

    from toolkit.outputs.findings import write_report_json

    items = [{"file": f"第{i}号.xlsx", "expected": Decimal("1.5"), "actual": None} for i in range(2500)]
    for report in ({"valid": False, "stats": {"files": 2500}, "submissions": items, "missing": [], "findings": items[:3]}, {}):
        write_report_json(report, tmp_path / "f.json")
        text = (tmp_path / "f.json").read_text(encoding="utf-8")
        assert json.loads(text) == json.loads(json.dumps(report, default=str))
    assert text == "{}\n"
    write_report_json({"submissions": items}, tmp_path / "f.json")
    assert len((tmp_path / "f.json").read_text(encoding="utf-8").splitlines()) == 2500 + 4


def test_long_agency_lists_are_not_cut_silently():
    from toolkit.outputs.summary import CELL_TEXT_MAX, name_list

    few = [f"示例{i}局（a{i}）" for i in range(3)]
    assert name_list(few) == "、".join(few)
    many = [f"示例市示例区第{i}局（ag{i:05d}）" for i in range(3000)]
    assert name_list(many) == "共 3000 个，名单见“报送情况”工作表"
    assert len("、".join(many)) > CELL_TEXT_MAX


def test_store_keeps_results_light(spec, inbox):
    box, roster = inbox
    coll = collect(box, YEAR, spec=spec, roster=read_roster(roster))
    assert all(r.filled is None for r in coll.results)  # the heavy data live in the store
    r = coll.used["a02"]
    assert coll.filled(r).agency == "=示例二局" and coll.filled(r).narratives == NARRATIVES
    assert coll.cell_values(r) == [compute.full(spec, figures(spec, 2))[c.code] for c in spec.cells]


def test_closing_a_collection_removes_its_store(spec, inbox):
    box, roster = inbox
    with collect(box, YEAR, spec=spec, roster=read_roster(roster), workers=2) as coll:
        folder = Path(coll.store.directory)
        assert len(list(folder.glob("*.spool"))) >= 1
        assert coll.filled(coll.used["a01"]).agency_id == "a01"
    assert not folder.exists()
    coll.close()  # again: nothing left to do
