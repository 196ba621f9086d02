"""toolkit audit DIR: every report under a folder, audit.csv and audit.xlsx."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.published import folder
from toolkit.published.audit import audit_report

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "published"))
import pubfix as pf  # noqa: E402

runner = CliRunner()


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    planted = pf.write_folder(root, 100)
    (root / ".hidden.txt").write_text("x", encoding="utf-8")
    (root / "d0" / "~$lock.docx").write_bytes(b"x")
    (root / "d0" / "logo.png").write_bytes(b"\x89PNG")
    return root, planted


def expected_csv(spec, root: Path, planted: list[pf.Planted]) -> str:
    """audit.csv as the planted reports must give it, built from their figures."""
    heads = ["文件", "单位", "年度", "格式版本", "能否读取", "原因", "错误", "警告", "提示"]
    heads += [folder.locate(spec.table(spec.cell(c).table), spec.cell(c)) for c in folder.KEY_FIGURES]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(heads)
    for p in planted:
        if not p.report:
            why = audit_report(root / p.file, spec).error
            w.writerow([p.file, "", "", "", "否", why, 0, 0, 0] + [""] * len(folder.KEY_FIGURES))
        else:
            w.writerow([p.file, p.agency, 2024, "2021 年版", "是", "", p.errors, 0, 0,
                        *(p.figures[c] for c in folder.KEY_FIGURES)])
    return "\ufeff" + buf.getvalue()


def test_audit_dir_gives_the_exact_csv(spec, inbox, tmp_path):
    root, planted = inbox
    assert [p.relative_to(root).as_posix() for p in folder.find_reports(root)] == [p.file for p in planted]
    out = tmp_path / "out"
    res = runner.invoke(app, ["audit", str(root), "-o", str(out)])
    assert res.exit_code == 1, res.output  # reports with errors, and files that are not reports
    assert (out / "audit.csv").read_bytes().decode("utf-8") == expected_csv(spec, root, planted)

    book = openpyxl.load_workbook(out / "audit.xlsx", read_only=True)
    reports = list(book["报告"].iter_rows(values_only=True))
    assert len(reports) == 1 + len(planted) and reports[1][0] == planted[0].file
    findings = list(book["问题"].iter_rows(values_only=True))[1:]
    broken = [p for p in planted if p.errors]
    assert [(f[0], f[2], f[4], f[5]) for f in findings] == [
        x for p in broken for x in ((p.file, "R1", "表三", "四、结转下年度继续办理／总计"),
                                    (p.file, "R2", "表三", "一、本年新收政府信息公开申请数量／总计"))]


def test_one_worker_and_two_give_the_same(tmp_path):
    root = tmp_path / "r"
    pf.write_folder(root, 20, layouts=("tab", "flat", "pdf"), broken_every=3, junk_every=7)
    one = folder.audit_folder(root, workers=1)
    two = folder.audit_folder(root, workers=2)
    assert folder.report_rows(one) == folder.report_rows(two)
    assert folder.finding_rows(one) == folder.finding_rows(two)


def test_csv_injection_safe(tmp_path):
    rows = [["=HYPERLINK(\"http://x\")", "+1", "-cmd", "@SUM(A1)", "\tx", "正常", -3, 1.5, None]]
    text = folder.csv_bytes(list("abcdefghi"), rows).decode("utf-8-sig")
    assert text.splitlines()[1] == "\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-cmd,'@SUM(A1),'\tx,正常,-3,1.5,"


def test_empty_or_missing_folder_exit_2(tmp_path):
    res = runner.invoke(app, ["audit", str(tmp_path), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2 and "没有找到年度报告文件" in res.output
    assert not (tmp_path / "out").exists()


def test_all_clean_exit_0(spec, tmp_path):
    root = tmp_path / "r"
    pf.write_folder(root, 4, layouts=("tab", "html"), broken_every=0, junk_every=0)
    res = runner.invoke(app, ["audit", str(root), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "已审核 4 份报告" in res.output
