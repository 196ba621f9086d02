"""Feedback workbooks and notices: for every fault of the corpus, the faulty cell is marked
and commented in the agency's current template, 校验意见 lists the finding, and the feedback
workbook checked unchanged gives the same findings minus those the fresh template cures."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from faults import AGENCY, YEAR, clean_report, clean_workbook, previous_of
from test_faults import OFFICE_FAULTS, PYTHON_FAULTS, Env, Fault

from toolkit.check.workbook import check_bytes
from toolkit.format.spec import FEEDBACK_SHEET, STAMP_SHEET
from toolkit.model import Filled
from toolkit.office.driver import cells_by_code
from toolkit.outputs.feedback import MARK, UNREAD, cured, expected_after, feedback_workbook, notice, place

TODAY = dt.date(2025, 3, 10)


@pytest.fixture(scope="module")
def report(spec):
    return clean_report(spec)


@pytest.fixture(scope="module")
def previous(spec, report):
    return previous_of(spec, report)


def _fills(ws) -> dict[str, set[str]]:
    """Each cell's highlight colours, from the sheet's conditional formats."""
    out: dict[str, set[str]] = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            fill = rule.dxf.fill if rule.dxf is not None else None
            color = fill.bgColor.rgb if fill is not None and fill.bgColor is not None else None
            if not isinstance(color, str):
                continue
            for rng in cf.sqref.ranges:
                for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col,
                                        max_col=rng.max_col):
                    for c in row:
                        out.setdefault(c.coordinate, set()).add("#" + color[-6:].upper())
    return out


def _key(f) -> tuple:
    return (f.code, f.severity, f.sheet, f.cell)


def assert_feedback(spec, fault_name: str, result, data: bytes, check: dict) -> None:
    """The marks, comments and list of a feedback workbook, and its own check."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == FEEDBACK_SHEET
    assert wb[STAMP_SHEET].sheet_state == "veryHidden"
    listing = wb[FEEDBACK_SHEET]
    listed = [r for r in listing.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert len(listed) == len(result.findings), fault_name
    assert Counter(r[4] for r in listed) == Counter(f.message for f in result.findings)
    for f in result.findings:
        p = place(spec, f)
        if p is None:
            continue
        ws = wb[p.sheet]
        assert MARK[f.severity] in _fills(ws).get(p.cell, set()) or f.severity != "error", (fault_name, f.code, p)
        assert _fills(ws).get(p.cell), (fault_name, f.code, p)
        comment = ws[p.cell].comment
        assert comment is not None and f.message in comment.text, (fault_name, f.code, p)
        row = next(i for i, r in enumerate(listed) if r[4] == f.message)
        link = listing.cell(row + 5, 3).hyperlink
        assert link is not None and link.location.replace("'", "") == f"{p.sheet}!{p.cell}", (fault_name, link)
    again = check_bytes(data, "feedback.xlsx", spec, **check)
    after = Counter(_key(f) for f in again.findings)
    wanted = Counter(_key(f) for f in expected_after(spec, result.findings))
    # A table the file's layout kept from being read comes back empty (its comment says to
    # fill it in again): its blanks are new, and so are the rules that now see it empty.
    unread = {f.sheet for f in result.findings if f.code in UNREAD}
    rule_ids = {r.id for r in spec.rules}
    new = after - wanted
    assert all((k[0] == "input_blank" and k[2] in unread) or (unread and k[0] in rule_ids) for k in new), \
        (fault_name, new, after, wanted)
    assert not wanted - after, (fault_name, wanted - after)


def _check_kwargs(fault: Fault, previous) -> dict:
    return {k: (previous if v == "previous" else v) for k, v in fault.check.items()}


def _feedback_of(spec, fault: Fault, env: Env, previous):
    data = fault.build(env)
    kwargs = _check_kwargs(fault, previous)
    result = check_bytes(data, fault.file, spec, **kwargs)
    if result.filled is None:  # rejected: a blank current template saying why, and the notice
        text = notice(spec, AGENCY, YEAR, fault.file, result.findings, today=TODAY)
        assert result.findings[0].message in text and fault.file in text and "空白模板" in text
        empty = Filled(agency=AGENCY.name, year=YEAR, agency_id=AGENCY.id)
        wb = openpyxl.load_workbook(io.BytesIO(feedback_workbook(spec, result, empty, agency=AGENCY, year=YEAR)))
        assert "空白模板" in wb[FEEDBACK_SHEET]["A2"].value
        assert [wb[FEEDBACK_SHEET].cell(5 + i, 5).value for i in range(len(result.findings))] == \
            [f.message for f in result.findings]
        return result, None, kwargs
    fb = feedback_workbook(spec, result, result.filled, agency=AGENCY, year=YEAR, checked=TODAY)
    assert_feedback(spec, fault.name, result, fb, kwargs)
    return result, fb, kwargs


@pytest.mark.parametrize("fault", PYTHON_FAULTS, ids=[f.name for f in PYTHON_FAULTS])
def test_file_fault_feedback(fault, spec, report, previous, tmp_path):
    _feedback_of(spec, fault, Env(spec, report, tmp_path), previous)


@pytest.fixture(scope="module")
def clerk(spec, report, office, tmp_path_factory) -> Path:
    from toolkit.template.workbook import build_workbook

    folder = tmp_path_factory.mktemp("fbclerk")
    (folder / "template.xlsx").write_bytes(build_workbook(spec, AGENCY, YEAR))
    typed = {**report["values"], **report["narratives"], **report["contact"]}
    office.fill(folder / "template.xlsx", folder / "clean.xlsx", cells_by_code(spec, typed), recalc=False)
    return folder / "clean.xlsx"


@pytest.mark.office
@pytest.mark.parametrize("fault", OFFICE_FAULTS, ids=[f.name for f in OFFICE_FAULTS])
def test_clerk_fault_feedback(fault, spec, report, previous, clerk, office, tmp_path):
    _feedback_of(spec, fault, Env(spec, report, tmp_path, office, clerk), previous)


# --- the clerk fixes the feedback workbook in LibreOffice ---------------------------------------

FIXES = {  # fault -> what a clerk types into the feedback workbook (by code; None: nothing to type)
    "text 0件 in a number cell": ["t2_license_decisions"],
    "R1 broken: 一+二 ≠ 三（七）+四": ["t3_new_natural"],
    "negative number": ["t2_license_decisions"],
    "overwritten total (with the right number)": [],
    "R2 broken: a row's 总计 typed over with a wrong number": [],
    "formula typed into an input": ["t2_regulation_issued"],
}


@pytest.mark.office
@pytest.mark.parametrize("name", list(FIXES))
def test_clerk_fixes_feedback_in_libreoffice(name, spec, report, previous, clerk, office, tmp_path):
    fault = next(f for f in OFFICE_FAULTS if f.name == name)
    env = Env(spec, report, tmp_path, office, clerk)
    _, fb, _ = _feedback_of(spec, fault, env, previous)
    src, dst = tmp_path / "feedback.xlsx", tmp_path / "fixed.xlsx"
    src.write_bytes(fb)
    office.fill(src, dst, cells_by_code(spec, {code: report["values"][code] for code in FIXES[name]}))
    fixed = check_bytes(dst.read_bytes(), "fixed.xlsx", spec, year=YEAR, previous=previous)
    assert fixed.findings == [], [f.message for f in fixed.findings]
    wb = openpyxl.load_workbook(dst)
    assert wb.sheetnames[0] == FEEDBACK_SHEET  # LibreOffice kept the list


@pytest.mark.office
def test_feedback_renders_in_libreoffice(spec, report, office, tmp_path):
    values = {**report["values"], "t3_new_natural": report["values"]["t3_new_natural"] + 1}
    data = clean_workbook(spec, {**report, "values": values})
    result = check_bytes(data, "本单位.xlsx", spec, year=YEAR)
    path = tmp_path / "fb.xlsx"
    path.write_bytes(feedback_workbook(spec, result, result.filled, agency=AGENCY, year=YEAR, checked=TODAY))
    pdf = office.convert(path, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "校验意见" in text and "本单位.xlsx" in text and "2025-03-10" in text


# --- collect and the command ------------------------------------------------------------------------


def test_collect_writes_feedback_for_agencies_with_findings(spec, report, tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    box = tmp_path / "inbox"
    box.mkdir()
    (box / "clean.xlsx").write_bytes(clean_workbook(spec, report))
    bad = {**report["values"], "t3_new_natural": report["values"]["t3_new_natural"] + 1}
    from toolkit.model import Agency
    from toolkit.template.workbook import build_workbook

    (box / "bad.xlsx").write_bytes(build_workbook(spec, Agency("b02", "乙单位"), YEAR, values=bad,
                                                  narratives=report["narratives"], contact=report["contact"]))
    (box / "c03年报.pdf").write_bytes(b"%PDF-1.7\n")  # rejected, attributed to c03 by its name
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ndemo,示例单位\nb02,乙单位\nc03,丙单位\n", encoding="utf-8")
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["collect", str(box), "--year", str(YEAR), "--roster", str(roster), "-o", str(out),
                                   "--no-docx", "--deadline", "2025-03-20"])
    assert run.exit_code == 1, run.output
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["b02.txt", "b02.xlsx", "c03.txt", "c03.xlsx"]
    blank = (out / "feedback" / "c03.txt").read_text(encoding="utf-8")
    assert blank.startswith("丙单位：") and "c03年报.pdf" in blank and "空白模板（c03.xlsx）" in blank
    wb = openpyxl.load_workbook(out / "feedback" / "c03.xlsx")
    assert "空白模板" in wb[FEEDBACK_SHEET]["A2"].value and wb["_stamp"]["B3"].value == "c03"
    assert "不是 Excel 工作簿" in wb[FEEDBACK_SHEET]["E5"].value
    text = (out / "feedback" / "b02.txt").read_text(encoding="utf-8")
    assert text.startswith("乙单位：") and "bad.xlsx" in text and "2025-03-20" in text
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))["findings"]
    assert all(f["message"] in text for f in findings if f["file"] == "bad.xlsx")
    data = (out / "feedback" / "b02.xlsx").read_bytes()
    again = check_bytes(data, "b02.xlsx", spec, year=YEAR)
    assert [(f.code, f.cell) for f in again.findings] == [(f["code"], f["cell"]) for f in findings
                                                          if f["file"] == "bad.xlsx"]
    bad_date = CliRunner().invoke(app, ["collect", str(box), "--year", str(YEAR), "-o", str(out), "--deadline", "3月"])
    assert bad_date.exit_code == 2


def test_feedback_command(spec, report, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from toolkit.cli import app

    values = {**report["values"], "t2_license_decisions": -3}
    src = tmp_path / "报送.xlsx"
    src.write_bytes(clean_workbook(spec, {**report, "values": values}))
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(app, ["feedback", str(src), "--deadline", "2025-03-20"])
    assert run.exit_code == 1, run.output
    made = tmp_path / "demo-反馈.xlsx"
    assert made.is_file() and "2025-03-20" in (tmp_path / "demo-反馈.txt").read_text(encoding="utf-8")
    wb = openpyxl.load_workbook(made)
    cell = spec.cell("t2_license_decisions")
    assert wb[cell.sheet][cell.address].value == -3 and "负数" in wb[cell.sheet][cell.address].comment.text
    out = tmp_path / "x" / "fb.xlsx"
    out.parent.mkdir()
    assert CliRunner().invoke(app, ["feedback", str(src), "-o", str(out)]).exit_code == 1
    assert out.is_file() and out.with_suffix(".txt").is_file()
    same = CliRunner().invoke(app, ["feedback", str(src), "-o", str(src)])
    assert same.exit_code == 2
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7\n")
    assert CliRunner().invoke(app, ["feedback", str(tmp_path / "a.pdf")]).exit_code == 1


def test_text_typed_is_kept_and_total_typed_over_is_told(spec, report):
    """"3件" stays in its cell (as text, marked); a number typed over a total is named in the
    comment beside the restored formula."""
    result = check_bytes(clean_workbook(spec, report), "x.xlsx", spec, year=YEAR)
    cell, total = spec.cell("t2_license_decisions"), spec.cell("t3_new_total")
    from toolkit import catalogue

    found = [catalogue.finding("input_text", file="x.xlsx", where="", text="3件", advice="请只填数字 3。",
                               sheet=cell.sheet, cell=cell.address, expected=3, actual="3件", ref=cell.code),
             catalogue.finding("total_overwritten", file="x.xlsx", where="", formula="", shown="999", recomputed="1",
                               breaks="", sheet=total.sheet, cell=total.address, expected=1, actual=999, ref=total.code)]
    data = feedback_workbook(spec, result, result.filled, findings=found, checked=TODAY)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb[cell.sheet][cell.address].value == "3件"
    assert "原填写：3件" in wb[cell.sheet][cell.address].comment.text
    assert wb[total.sheet][total.address].value == "=" + spec.formula(total)
    assert "原填写：999（手填的数字）" in wb[total.sheet][total.address].comment.text
    again = check_bytes(data, "fb.xlsx", spec, year=YEAR)
    assert [(f.code, f.actual) for f in again.findings] == [("input_text", "3件")]
    assert not cured(spec, found[0]) and cured(spec, found[1])


def test_notice_is_plain_text(spec):
    from toolkit.model import Agency, Finding

    f = Finding("R1", "error", "某处不平衡。", file="a.xlsx")
    text = notice(spec, Agency("a", "甲单位"), 2024, "a.xlsx", [f], deadline="2025-03-20", today=TODAY)
    assert text.splitlines()[0] == "甲单位："
    assert "2025-03-10" in text and "错误 1 个、警告 0 个" in text and "1. 某处不平衡。" in text
    assert "截止时间 2025-03-20" in text


def test_feedback_keeps_the_template_machinery(spec, report):
    """Protection, validations, conditional formats, defined names and the very hidden stamp are
    the template's own: the feedback only adds its sheet, marks and comments."""
    from toolkit.template.workbook import build_workbook

    values = {**report["values"], "t3_new_natural": report["values"]["t3_new_natural"] + 1}
    result = check_bytes(clean_workbook(spec, {**report, "values": values}), "x.xlsx", spec, year=YEAR)
    fb = openpyxl.load_workbook(io.BytesIO(feedback_workbook(spec, result, result.filled, agency=AGENCY, year=YEAR)))
    plain = openpyxl.load_workbook(io.BytesIO(build_workbook(spec, AGENCY, YEAR, values=values,
                                                            narratives=report["narratives"], contact=report["contact"])))
    assert fb.sheetnames == [FEEDBACK_SHEET, *plain.sheetnames] and fb.active.title == FEEDBACK_SHEET
    assert fb.security.lockStructure and fb.security.workbookPassword == plain.security.workbookPassword
    assert set(fb.defined_names) == set(plain.defined_names)
    for name in plain.sheetnames:
        a, b = fb[name], plain[name]
        assert a.protection.sheet and a.protection.password == b.protection.password, name
        assert a.sheet_state == b.sheet_state, name
        assert [(v.sqref, v.type, v.formula1) for v in a.data_validations.dataValidation] == \
            [(v.sqref, v.type, v.formula1) for v in b.data_validations.dataValidation], name
        cf_b = {str(cf.sqref) for cf in b.conditional_formatting}
        assert cf_b <= {str(cf.sqref) for cf in a.conditional_formatting}, name
        assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()], name
    assert fb[FEEDBACK_SHEET].protection.sheet
