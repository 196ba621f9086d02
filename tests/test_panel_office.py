"""The cover's live check panel and the cell marks, as LibreOffice recalculates real workbooks.

Every fault of the corpus (tests/test_faults.py) that a formula can see from inside the workbook
makes the panel say 未通过 on its line and 尚不能报送 overall; every clean workbook says 可以报送;
a blank template says 未填写. One LibreOffice session does it all: each LibreOffice-made fault is
typed, recalculated and read in one request, without saving.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from faults import AGENCY, YEAR, clean_report, clean_workbook
from test_faults import OFFICE_FAULTS, PYTHON_FAULTS, Env
from test_report_office import poppler

from toolkit.format.spec import Spec, address
from toolkit.office.driver import cells_by_code, set_cells
from toolkit.template.panel import BLANK, FAIL, NOT_READY, PASS, READY
from toolkit.template.ranges import input_rects, rect_cells
from toolkit.template.workbook import MARK_ORANGE, MARK_RED, build_workbook, panel_rows

pytestmark = pytest.mark.office

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "inbox"
CLEAN_SAMPLES = ["beilun-media.xlsx", "demo-transport.xlsx", "demo-market.xlsx",
                 "示例市示例区教育局2023年政府信息公开年报.xlsx"]

# fault name -> the panel line that must say 未通过
SEEN = {
    "R1 broken: 一+二 ≠ 三（七）+四": "R1",
    "R2 broken: a row's 总计 typed over with a wrong number": "R2",
    "R3 broken: （七）总计 formula altered to leave out a row": "R3",
    "text 0件 in a number cell": "numbers:t2",
    "slash in a number cell": "numbers:t4",
    "full-width digits": "numbers:t2",
    "无 in a number cell": "numbers:t2",
    "negative number": "numbers:t2",
    "fraction in a count": "numbers:t2",
    "blank table 四": "blank:t4",
    "section 六 without 信息处理费": "R9",
    "empty section 五": "narrative:problems",
}
# fault name -> why no formula inside the workbook can see it (check still does)
UNSEEN = {
    "R4 broken: 表四 总计 not recalculated after a change": "stale cache: a recalculation (the panel's own) repairs it",
    "stale cached values (calculation set to manual)": "stale cache: a recalculation repairs it",
    "overwritten total (with the right number)": "same value; telling a typed number from a formula needs ISFORMULA",
    "altered formula (same result)": "same value",
    "formula typed into an input": "a formula's result is a number",
    "row inserted in 表三": "structure: the panel's references move with the cells",
    "row deleted in 表三": "structure",
    "row inserted between 表四's header and its data row (labels stay, cells move)": "structure",
    "column inserted in 表四": "structure",
    "sheet deleted": "structure",
    "sheet protection lifted": "protection (a warning)",
    "saved as .xls": "file type", "saved as .xls and renamed .xlsx": "file type",
    "WPS .et (an OLE workbook named .et)": "file type",
    "wrong year": "the coordinator's --year", "outdated template version": "template version",
    "password-encrypted xlsx": "not readable", "OLE document that is not a workbook (.doc)": "not a workbook",
    "not a zip (a PDF)": "not a workbook", "empty file": "not a workbook", "truncated zip": "not a workbook",
    "zip bomb": "not a workbook", "XML entity bomb": "not a workbook", "a Word document sent instead": "not a workbook",
    "narrative says no applications while 表三 has some": "R8 (a warning; figures in prose)",
    "narrative quotes a different number of applications": "R8 (a warning; figures in prose)",
    "section 五 copied from last year": "needs last year's report",
    "carried over from last year differs (R5)": "needs last year's report",
    "documents in force do not follow from last year (R6)": "needs last year's report",
}


def _panel_cells(spec: Spec) -> list[tuple[str, str]]:
    rows = panel_rows(spec)
    return [(spec.cover_sheet, address(r, c + d)) for r, c in rows.values() for d in (0, 1)]


def _panel(spec: Spec, seen: dict) -> dict[str, tuple[str, str]]:
    """line key -> (status, what fails) from an office read of the panel cells."""
    def at(r, c):
        return seen[f"{spec.cover_sheet}!{address(r, c)}"]["string"]
    return {key: (at(r, c), at(r, c + 1)) for key, (r, c) in panel_rows(spec).items()}


class PanelEnv(Env):
    """Env whose LibreOffice faults are typed, recalculated and read in one request, not saved."""

    seen: dict | None = None

    def lo(self, cells: dict, actions=(), fmt: str = "xlsx", recalc: bool = True) -> bytes:
        self.seen = self.office.edit(self.clean, None, [*set_cells(cells_by_code(self.spec, cells)), *actions],
                                     recalc=True, read=_panel_cells(self.spec))
        return b""


@pytest.fixture(scope="module")
def report(spec):
    return clean_report(spec)


@pytest.fixture(scope="module")
def clerk(spec, report, office, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("panel")
    template = tmp / "template.xlsx"
    template.write_bytes(build_workbook(spec, AGENCY, YEAR))
    path = tmp / "clean.xlsx"
    typed = {**report["values"], **report["narratives"], **report["contact"]}
    office.fill(template, path, cells_by_code(spec, typed), recalc=False)
    return path


def test_every_fault_is_placed():
    names = {f.name for f in OFFICE_FAULTS + PYTHON_FAULTS}
    assert names == set(SEEN) | set(UNSEEN) and not set(SEEN) & set(UNSEEN)


@pytest.mark.parametrize("name", sorted(SEEN))
def test_fault_fails_its_line(name, spec, report, clerk, office, tmp_path):
    fault = next(f for f in OFFICE_FAULTS + PYTHON_FAULTS if f.name == name)
    env = PanelEnv(spec, report, tmp_path, office, clerk)
    data = fault.build(env)
    if env.seen is None:  # built in Python: LibreOffice opens and recalculates the file
        path = tmp_path / "fault.xlsx"
        path.write_bytes(data)
        env.seen = office.read(path, _panel_cells(spec), recalc=True)
    panel = _panel(spec, env.seen)
    status, detail = panel[SEEN[name]]
    assert status == FAIL and detail, (name, panel)
    assert panel["overall"][0] == NOT_READY
    assert all(s in (PASS, FAIL) for s, _ in panel.values() if s not in (READY, NOT_READY)), panel


def test_panel_names_what_fails(spec, report, clerk, office, tmp_path):
    """Faults outside the corpus: a 表四 total typed over, text in 表三, a missing phone."""
    env = PanelEnv(spec, report, tmp_path, office, clerk)
    t4 = spec.cell("t4_direct_total")
    env.lo({"t4_direct_total": 999, "t3_granted_research": "无", "meta_phone": None},
           [{"do": "unprotect", "sheet": t4.sheet, "password": "gkbg2021"}])
    panel = _panel(spec, env.seen)
    assert panel["R4"] == (FAIL, "【行政诉讼·未经复议直接起诉】")
    assert panel["numbers:t3"] == (FAIL, "1 格填了文字；")
    assert panel["contact"] == (FAIL, "【联系电话未填】")
    assert panel["overall"][0] == NOT_READY


def test_clean_workbooks_are_ready(spec, report, clerk, office, tmp_path):
    generated = tmp_path / "generated.xlsx"
    generated.write_bytes(clean_workbook(spec, report))
    for path in [clerk, generated, *(SAMPLES / name for name in CLEAN_SAMPLES)]:
        panel = _panel(spec, office.read(path, _panel_cells(spec), recalc=True))
        assert panel["overall"][0] == READY, (path.name, panel)
        assert all(s == PASS and not d for k, (s, d) in panel.items() if k != "overall"), (path.name, panel)


def test_blank_template_is_unfilled(spec, office, tmp_path):
    path = tmp_path / "blank.xlsx"
    path.write_bytes(build_workbook(spec, AGENCY, YEAR))
    panel = _panel(spec, office.read(path, _panel_cells(spec), recalc=True))
    assert {s for s, _ in panel.values()} == {BLANK}


def test_zero_in_the_listed_ranges_fills_every_table(spec, office, tmp_path):
    """The 0 gesture's outcome: 0 in every cell of the yellow ranges the cover lists (each one an
    unlocked input, so the protected sheet accepts it) and every table line passes; contact and
    sections are still to do."""
    inputs = {(c.sheet, c.address) for c in spec.inputs}
    zeros = {(t.sheet, a): 0 for t in spec.tables for r in input_rects(t.inputs) for a in rect_cells(r)}
    assert set(zeros) == inputs
    path = tmp_path / "blank.xlsx"
    path.write_bytes(build_workbook(spec, AGENCY, YEAR))
    panel = _panel(spec, office.edit(path, None, set_cells(zeros), recalc=True, read=_panel_cells(spec)))
    tables = {k: v for k, v in panel.items() if k in ("R1", "R2", "R3", "R4") or ":t" in k}
    assert all(s == PASS for s, _ in tables.values()), tables
    assert panel["contact"][0] == FAIL and panel["overall"][0] == NOT_READY


def _colour_pixels(pdf: Path, page: int, rgb: tuple[int, int, int]) -> int:
    """Pixels of about ``rgb`` on a page of ``pdf`` rendered by poppler (plain PPM)."""
    ppm = subprocess.run([poppler("pdftoppm"), "-r", "30", "-f", str(page), "-l", str(page), str(pdf)],
                         capture_output=True, check=True, timeout=60).stdout
    fields, rest = ppm.split(maxsplit=4)[:4], ppm.split(maxsplit=4)[4]
    assert fields[0] == b"P6" and fields[3] == b"255"
    near = 0
    for i in range(0, len(rest) - 2, 3):
        if abs(rest[i] - rgb[0]) + abs(rest[i + 1] - rgb[1]) + abs(rest[i + 2] - rgb[2]) < 12:
            near += 1
    return near


def test_marks_show_in_print(spec, office, tmp_path):
    """Rendered by LibreOffice: the faulty cells are red (an unbalanced 自然人 column, a text in 表二),
    a half-filled 表四's blanks orange, and a full, right table has neither."""
    red, orange = (_rgb(MARK_RED), _rgb(MARK_ORANGE))
    half = {c.code: 0 for c in spec.inputs if c.table != "t4"} | {spec.table("t4").inputs[0].code: 1}
    (tmp_path / "half.xlsx").write_bytes(build_workbook(spec, AGENCY, YEAR, values=half))
    page = {t.id: 2 + i for i, t in enumerate(spec.tables)}  # cover, then one page per table
    pdf = {name: office.convert(path, "pdf", tmp_path / name) for name, path in [
        ("health", SAMPLES / "demo-health.xlsx"), ("culture", SAMPLES / "demo-culture.xlsx"),
        ("half", tmp_path / "half.xlsx")]}
    assert _colour_pixels(pdf["health"], page["t3"], red) > 100
    assert _colour_pixels(pdf["culture"], page["t2"], red) > 20
    assert _colour_pixels(pdf["half"], page["t4"], orange) > 20
    for t in ("t2", "t3"):  # full and right: nothing to mark
        assert _colour_pixels(pdf["half"], page[t], red) == _colour_pixels(pdf["half"], page[t], orange) == 0


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
