"""The fault corpus: what clerks and broken files produce, and the finding each must get.

Clerk-like faults are made by LibreOffice (the clerk's spreadsheet program) from a workbook it
filled in; byte-level faults are built in Python (tests/faults). Each fault names the code,
severity, sheet and cell it must be reported at, and the exact set of error codes the file
gets (so one fault does not cascade into unrelated errors).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from faults import (
    AGENCY,
    YEAR,
    cfb,
    clean_report,
    clean_workbook,
    encrypted_xlsx,
    entity_bomb,
    previous_of,
    same_either_way,
    set_cached,
    truncated,
    zip_bomb,
)

from toolkit.check.workbook import check_bytes
from toolkit.format import compute
from toolkit.format.spec import STAMP_KEYS, STAMP_SHEET, Spec, address, load_spec
from toolkit.model import Filled
from toolkit.office.driver import Formula, cells_by_code, delete_rows, insert_columns, insert_rows, remove_sheet, unprotect
from toolkit.template.workbook import build_workbook


@dataclass
class Env:
    spec: Spec
    report: dict
    tmp: Path
    office: object = None
    clean: Path | None = None  # the report typed into the template by LibreOffice

    def lo(self, cells: dict, actions=(), fmt: str = "xlsx", recalc: bool = True) -> bytes:
        """LibreOffice opens the clerk's clean workbook, types ``cells`` (by format code),
        applies ``actions`` and saves."""
        dst = self.tmp / f"fault_{len(list(self.tmp.iterdir()))}.{fmt}"
        self.office.fill(self.clean, dst, cells_by_code(self.spec, cells), actions=actions, recalc=recalc, fmt=fmt)
        return dst.read_bytes()

    def value(self, code: str):
        return compute.full(self.spec, self.report["values"])[code]

    def workbook(self, spec: Spec | None = None, year: int = YEAR, **changes) -> bytes:
        return clean_workbook(spec or self.spec, {**self.report, **changes}, year)


@dataclass
class Fault:
    name: str
    build: Callable[[Env], bytes]
    code: str
    severity: str
    where: Callable[[Spec], tuple[str, str]]  # (sheet, cell) the finding must name
    errors: set[str]  # exactly the error codes the file gets
    file: str = "report.xlsx"
    check: dict = field(default_factory=dict)  # extra check_bytes arguments (year, previous)
    says: tuple[str, ...] = ()  # fragments the finding's message must contain


def at(code: str) -> Callable[[Spec], tuple[str, str]]:
    def where(spec: Spec) -> tuple[str, str]:
        for getter in (spec.cell, spec.narrative, spec.cover_field):
            try:
                c = getter(code)
                return c.sheet, c.address
            except (KeyError, StopIteration):
                continue
        raise KeyError(code)
    return where


def sheet_only(name: Callable[[Spec], str]) -> Callable[[Spec], tuple[str, str]]:
    return lambda spec: (name(spec), "")


def nowhere(spec: Spec) -> tuple[str, str]:
    return "", ""


def first_label_from(table_id: str, row: int, col: int = 0) -> Callable[[Spec], tuple[str, str]]:
    """The first label at or after a 0-based sheet row (and column): where a shift shows first."""
    def where(spec: Spec) -> tuple[str, str]:
        t = spec.table(table_id)
        lb = min((lb for lb in t.labels if lb.row >= row and lb.col >= col), key=lambda lb: (lb.row, lb.col))
        return t.sheet, lb.address
    return where


def _formula_without_last_part(spec: Spec, code: str) -> Formula:
    parts = [spec.cell(c) for c in spec.cell(code).sum_of]
    return Formula(f"=SUM({parts[0].address}:{parts[-2].address})")


def _row(code: str) -> int:
    """The 0-based sheet row of a format cell."""
    return load_spec().cell(code).row


def _same_sum_written_differently(spec: Spec, code: str) -> Formula:
    parts = [spec.cell(c).address for c in spec.cell(code).sum_of]
    return Formula(f"=SUM({parts[0]}:{parts[-2]})+{parts[-1]}")


def _moved(env: Env, deltas: dict[str, int]) -> dict:
    """The clean report's figures at these cells, each moved by its delta."""
    return {code: env.report["values"][code] + d for code, d in deltas.items()}


# --- clerk-like faults (LibreOffice) --------------------------------------------------------------

OFFICE_FAULTS = [
    Fault("R1 broken: 一+二 ≠ 三（七）+四",
          lambda e: e.lo(_moved(e, {"t3_new_natural": 1})),
          "R1", "error", at("t3_carried_out_natural"), {"R1"}),
    Fault("R2 broken: a row's 总计 typed over with a wrong number",
          lambda e: e.lo({"t3_granted_total": e.value("t3_granted_total") + 5}),
          "R2", "error", at("t3_granted_total"), {"R2", "total_overwritten"}, says=("显示 ", "各项之和")),
    Fault("R3 broken: （七）总计 formula altered to leave out a row",
          lambda e: e.lo({**_moved(e, {"t3_other_other_natural": 2, "t3_new_natural": 2}),
                          "t3_closed_total_natural": _formula_without_last_part(e.spec, "t3_closed_total_natural")}),
          "R3", "error", at("t3_closed_total_natural"), {"R3", "formula_altered"}, says=("R3",)),
    Fault("R4 broken: 表四 总计 not recalculated after a change",
          lambda e: set_cached(e.clean.read_bytes(), e.spec.cell("t4_review_upheld").sheet,
                               {e.spec.cell("t4_review_upheld").address: e.report["values"]["t4_review_upheld"] + 3}),
          "R4", "error", at("t4_review_total"), {"R4", "total_stale"}, says=("R4",)),
    Fault("overwritten total (with the right number)",
          lambda e: e.lo({"t3_closed_total_total": e.value("t3_closed_total_total")}),
          "total_overwritten", "error", at("t3_closed_total_total"), {"total_overwritten"}),
    Fault("altered formula (same result)",
          lambda e: e.lo({"t3_new_total": _same_sum_written_differently(e.spec, "t3_new_total")}),
          "formula_altered", "error", at("t3_new_total"), {"formula_altered"}),
    Fault("stale cached values (calculation set to manual)",
          lambda e: set_cached(e.clean.read_bytes(), e.spec.cell("t3_new_natural").sheet, {
              e.spec.cell(c).address: e.report["values"][c] + 1 for c in ("t3_new_natural", "t3_granted_natural")}),
          # the shown table also breaks R2 (rows) and R3 (the column's （七）总计)
          "total_stale", "error", at("t3_new_total"), {"total_stale", "R2", "R3"}),
    Fault("text 0件 in a number cell",
          lambda e: e.lo({"t2_license_decisions": "0件"}),
          "input_text", "error", at("t2_license_decisions"), {"input_text"}, says=("0件", "不要带单位")),
    Fault("slash in a number cell",
          lambda e: e.lo({"t4_review_corrected": "/"}),
          "input_text", "error", at("t4_review_corrected"), {"input_text"}, says=("填数字 0",)),
    Fault("full-width digits",
          lambda e: e.lo({"t2_penalty_decisions": "１２"}),
          "input_text", "error", at("t2_penalty_decisions"), {"input_text"}, says=("半角", "12")),
    Fault("无 in a number cell",
          lambda e: e.lo({"t2_enforcement_decisions": "无"}),
          "input_text", "error", at("t2_enforcement_decisions"), {"input_text"}),
    Fault("negative number",
          lambda e: e.lo({"t2_license_decisions": -3}),
          "R7", "error", at("t2_license_decisions"), {"R7"}, says=("负数",)),
    Fault("fraction in a count",
          lambda e: e.lo({"t2_penalty_decisions": 2.5}),
          "R7", "error", at("t2_penalty_decisions"), {"R7"}, says=("小数",)),
    Fault("formula typed into an input",
          lambda e: e.lo({"t2_regulation_issued": Formula("=1+2")}),
          "input_formula", "error", at("t2_regulation_issued"), {"input_formula"}),
    Fault("blank table 四",
          lambda e: e.lo({c.code: None for c in e.spec.table("t4").inputs}),
          "input_blank", "warning", at("t4_review_upheld"), set()),
    Fault("row inserted in 表三",
          lambda e: e.lo({}, [insert_rows(e.spec.table("t3").sheet, before=_row("t3_denied_safety_natural") + 1)]),
          "layout_shifted", "error", lambda s: first_label_from("t3", _row("t3_denied_safety_natural"))(s),
          {"layout_shifted"}, says=("插入",)),
    Fault("row deleted in 表三",
          lambda e: e.lo({}, [delete_rows(e.spec.table("t3").sheet, row=_row("t3_rejected_repeat_natural") + 1)]),
          "layout_shifted", "error", lambda s: first_label_from("t3", _row("t3_rejected_repeat_natural") + 1, 2)(s),
          {"layout_shifted", "label_changed"},
          says=("删除",)),
    Fault("row inserted between 表四's header and its data row (labels stay, cells move)",
          lambda e: e.lo({}, [insert_rows(e.spec.table("t4").sheet, before=e.spec.cell("t4_review_upheld").row + 1)]),
          "layout_shifted", "error", at("t4_review_upheld"), {"layout_shifted"}, says=("插入",)),
    Fault("column inserted in 表四",
          lambda e: e.lo({}, [insert_columns(e.spec.table("t4").sheet, before=2)]),
          "layout_shifted", "error", first_label_from("t4", 0, 2), {"layout_shifted"}),
    Fault("sheet deleted",
          lambda e: e.lo({}, [remove_sheet(e.spec.table("t4").sheet)]),
          "sheet_missing", "error", sheet_only(lambda s: s.table("t4").sheet), {"sheet_missing"}),
    Fault("sheet protection lifted",
          lambda e: e.lo({}, [unprotect(e.spec.table("t3").sheet)]),
          "protection_removed", "warning", sheet_only(lambda s: s.table("t3").sheet), set()),
    Fault("saved as .xls", lambda e: e.lo({}, fmt="xls"), "old_xls", "error", nowhere, {"old_xls"},
          file="report.xls"),
    Fault("saved as .xls and renamed .xlsx", lambda e: e.lo({}, fmt="xls"), "old_xls", "error", nowhere,
          {"old_xls"}),
    Fault("WPS .et (an OLE workbook named .et)", lambda e: e.lo({}, fmt="xls"), "wps_et", "error", nowhere,
          {"wps_et"}, file="report.et"),
]

# --- faults built in Python -------------------------------------------------------------------------

PYTHON_FAULTS = [
    Fault("wrong year", lambda e: e.workbook(year=YEAR - 1), "year_mismatch", "error", at("meta_year"),
          {"year_mismatch"}, check={"year": YEAR}),
    Fault("outdated template version",
          lambda e: e.workbook(spec=dataclasses.replace(e.spec, version="2020.1")),
          "template_version", "error", lambda s: (STAMP_SHEET, address(STAMP_KEYS.index("template_version"), 1)),
          {"template_version"}, says=(load_spec().version,)),
    Fault("password-encrypted xlsx", lambda e: encrypted_xlsx(), "encrypted", "error", nowhere, {"encrypted"}),
    Fault("OLE document that is not a workbook (.doc)", lambda e: cfb({"WordDocument": b"\xec\xa5" * 300}),
          "ole_other", "error", nowhere, {"ole_other"}),
    Fault("not a zip (a PDF)", lambda e: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not_workbook",
          "error", nowhere, {"not_workbook"}),
    Fault("empty file", lambda e: b"", "file_empty", "error", nowhere, {"file_empty"}),
    Fault("truncated zip", lambda e: truncated(e.workbook()), "zip_corrupt", "error", nowhere, {"zip_corrupt"}),
    Fault("zip bomb", lambda e: zip_bomb(e.workbook()), "zip_limits", "error", nowhere, {"zip_limits"}),
    Fault("XML entity bomb", lambda e: entity_bomb(e.workbook()), "xml_forbidden", "error", nowhere,
          {"xml_forbidden"}),
    Fault("a Word document sent instead", lambda e: _docx(), "not_spreadsheet", "error", nowhere,
          {"not_spreadsheet"}),
    Fault("narrative says no applications while 表三 has some",
          lambda e: e.workbook(narratives={**e.report["narratives"], "overview": "本年度未收到政府信息公开申请。"}),
          "R8", "warning", at("overview"), set(), says=("未收到",)),
    Fault("narrative quotes a different number of applications",
          lambda e: e.workbook(narratives={**e.report["narratives"],
                                           "overview": f"全年共收到政府信息公开申请{e.value('t3_new_total') + 4}件。"}),
          "R8", "warning", at("overview"), set()),
    Fault("section 六 without 信息处理费",
          lambda e: e.workbook(narratives={**e.report["narratives"], "other_matters": "无其他需要报告的事项。"}),
          "R9", "warning", at("other_matters"), set()),
    Fault("empty section 五",
          lambda e: e.workbook(narratives={**e.report["narratives"], "problems": ""}),
          "narrative_empty", "error", at("problems"), {"narrative_empty"}),
    Fault("section 五 copied from last year",
          lambda e: e.workbook(narratives={**e.report["narratives"], "problems": "上一年度的问题：信息更新不够及时。"}),
          "narrative_copied", "warning", at("problems"), set(), check={"previous": "previous"}),
    Fault("carried over from last year differs (R5)",
          lambda e: e.workbook(values={**e.report["values"],
                                       **_moved(e, {"t3_carried_in_legal": 1, "t3_carried_out_legal": 1})}),
          "R5", "warning", at("t3_carried_in_legal"), set(), check={"previous": "previous"}),
    Fault("documents in force do not follow from last year (R6)",
          lambda e: e.workbook(values={**e.report["values"], "t2_normative_valid": e.report["values"]["t2_normative_valid"] + 2}),
          "R6", "warning", at("t2_normative_valid"), set(), check={"previous": "previous"}),
]


def _docx() -> bytes:
    from docx import Document

    buf = io.BytesIO()
    d = Document()
    d.add_paragraph("2024年政府信息公开工作年度报告")
    d.save(buf)
    return buf.getvalue()


# --- running them ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(spec):
    return clean_report(spec)


@pytest.fixture(scope="module")
def previous(spec, report) -> Filled:
    return previous_of(spec, report)


@pytest.fixture(scope="module")
def template(spec, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "template.xlsx"
    path.write_bytes(build_workbook(spec, AGENCY, YEAR))
    return path


@pytest.fixture(scope="module")
def clerk(spec, report, template, office, tmp_path_factory) -> Path:
    """The template filled in by LibreOffice, typing every value, narrative and contact."""
    path = tmp_path_factory.mktemp("clerk") / "clean.xlsx"
    typed = {**report["values"], **report["narratives"], **report["contact"]}
    office.fill(template, path, cells_by_code(spec, typed), recalc=False)
    return path


def _run(fault: Fault, env: Env, previous: Filled):
    data = fault.build(env)
    same_either_way(data)  # the fast reader reads every fault file as the tree reader does
    kwargs = {k: (previous if v == "previous" else v) for k, v in fault.check.items()}
    result = check_bytes(data, fault.file, env.spec, **kwargs)
    sheet, cell = fault.where(env.spec)
    hits = [f for f in result.findings if f.code == fault.code and f.sheet == sheet and f.cell == cell]
    listing = "\n".join(f"  {f.code} {f.severity} {f.sheet}!{f.cell}: {f.message}" for f in result.findings)
    assert hits, f"{fault.name}: no {fault.code} at {sheet}!{cell}; got\n{listing}"
    assert hits[0].severity == fault.severity
    assert hits[0].file == fault.file
    for fragment in fault.says:
        assert fragment in hits[0].message, f"{fault.name}: message lacks {fragment!r}: {hits[0].message}"
    assert {f.code for f in result.findings if f.severity == "error"} == fault.errors, listing
    if fault.code in {"old_xls", "wps_et", "encrypted", "ole_other", "not_workbook", "file_empty", "zip_corrupt",
                      "zip_limits", "xml_forbidden", "not_spreadsheet"}:
        assert result.status == "rejected" and result.filled is None
    else:
        assert result.filled is not None
        assert result.status == ("errors" if fault.errors else "warnings")
    return result


@pytest.mark.office
@pytest.mark.parametrize("fault", OFFICE_FAULTS, ids=[f.name for f in OFFICE_FAULTS])
def test_clerk_fault(fault, spec, report, previous, clerk, office, tmp_path):
    _run(fault, Env(spec, report, tmp_path, office, clerk), previous)


@pytest.mark.parametrize("fault", PYTHON_FAULTS, ids=[f.name for f in PYTHON_FAULTS])
def test_file_fault(fault, spec, report, previous, tmp_path):
    _run(fault, Env(spec, report, tmp_path), previous)


def test_corpus_is_large_and_distinct():
    faults = OFFICE_FAULTS + PYTHON_FAULTS
    assert len({f.name for f in faults}) == len(faults) >= 20
    assert len({f.code for f in faults}) >= 20


@pytest.mark.office
def test_duplicate_agency(spec, clerk, office, tmp_path):
    """Two files for one agency (a clerk sends a corrected copy): collect reports both, uses one."""
    from toolkit.collect.collection import collect

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "本单位.xlsx").write_bytes(clerk.read_bytes())
    office.fill(clerk, inbox / "本单位（修改）.xlsx", cells_by_code(spec, {"t3_new_natural": 999}))
    coll = collect(inbox, YEAR, spec=spec)
    dup = [f for f in coll.findings if f.code == "agency_duplicate"]
    assert sorted(f.file for f in dup) == ["本单位.xlsx", "本单位（修改）.xlsx"]
    assert all(f.severity == "warning" and "采用 本单位.xlsx（错误最少）" in f.message for f in dup)
    assert coll.used[AGENCY.id].file == "本单位.xlsx"


@pytest.mark.office
def test_clean_clerk_workbook_has_no_finding(spec, report, clerk, previous):
    same_either_way(clerk.read_bytes())
    result = check_bytes(clerk.read_bytes(), "clean.xlsx", spec, year=YEAR, previous=previous)
    assert result.findings == [], [f.message for f in result.findings]
    assert result.status == "ok" and result.valid
    assert "LibreOffice" in result.application
    assert result.filled.values == {c.code: report["values"][c.code] for c in spec.inputs}
    assert result.filled.narratives == report["narratives"]
    assert result.filled.contact == report["contact"]


def test_clean_generated_workbook_has_no_finding(spec, report, previous):
    data = clean_workbook(spec, report)
    result = check_bytes(data, "clean.xlsx", spec, year=YEAR, previous=previous)
    assert result.findings == [], [f.message for f in result.findings]
