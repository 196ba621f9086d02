"""The template in the clerk's spreadsheet program: LibreOffice opens a generated template,
figures and text are typed into the input cells, the workbook is saved as xlsx, and the saved
file still has everything `collect` relies on."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from toolkit.format import compute
from toolkit.format.spec import STAMP_SHEET, Spec, address
from toolkit.model import Agency
from toolkit.office.driver import cells_by_code
from toolkit.template.panel import PASS, READY
from toolkit.template.workbook import build_workbook, panel_rows, stamp_values

pytestmark = pytest.mark.office

AGENCY = Agency("demo-transport", "示例市示例区交通运输局")
YEAR = 2023
CONTACT = {"meta_contact": "张三", "meta_phone": "0574-86781234"}
NARRATIVES = {
    "overview": "2023年，我局坚持以公开为常态。\n全年主动公开政府信息312条。\n收到政府信息公开申请若干件。",
    "problems": "一是公开内容不够全面。\n二是解读形式单一。\n下一步将加强培训。",
    "other_matters": "本年度未收取信息处理费。\n无其他需要报告的事项。",
}


def realistic_values(spec: Spec) -> dict[str, int | float]:
    """Non-zero figures for every input that satisfy R1–R4 (totals are formulas, so R2–R4
    hold by construction; R1 is balanced per column through 一、本年新收)."""
    values: dict[str, int | float] = {}
    for i, cell in enumerate(spec.table("t2").inputs):
        values[cell.code] = 12.35 if cell.type == "decimal" else 3 + 7 * i
    t3 = spec.table("t3")
    rule = spec.rule("R1")
    (new, carried_in), (closed, carried_out) = rule.params["lhs"], rule.params["rhs"]
    result_rows = [spec.cell(c).row_code for c in t3.cell(closed, t3.col_codes[0]).sum_of]
    for j, col in enumerate(t3.col_codes):
        if t3.cell(new, col).role == "total":
            continue
        closed_sum = 0
        for i, row in enumerate(result_rows):
            closed_sum += (v := (3 * i + 5 * j + 1) % 7)
            values[t3.cell(row, col).code] = v
        values[t3.cell(carried_out, col).code] = j + 1
        values[t3.cell(carried_in, col).code] = 2
        values[t3.cell(new, col).code] = closed_sum + (j + 1) - 2
    for i, cell in enumerate(spec.table("t4").inputs):
        values[cell.code] = i % 4 + 1
    return values


@pytest.fixture(scope="module")
def typed(spec, office, tmp_path_factory):
    """The template filled through LibreOffice: {run: (formulas wb, values wb, bytes)}."""
    tmp = tmp_path_factory.mktemp("template_office")
    src = tmp / "template.xlsx"
    src.write_bytes(build_workbook(spec, AGENCY, YEAR))
    cells = cells_by_code(spec, {**realistic_values(spec), **NARRATIVES, **CONTACT})
    prefilled = tmp / "prefilled.xlsx"
    prefilled.write_bytes(build_workbook(spec, AGENCY, YEAR, values=_last_year(spec), narratives=NARRATIVES,
                                         contact=CONTACT))
    runs = {
        "calculateAll": (src, cells, True),
        "typing-only": (src, cells, False),
        # Only a few cells retyped: every other total keeps the cached result the template shipped.
        "prefilled-edit": (prefilled, cells_by_code(spec, _retyped(spec)), False),
    }
    out = {}
    for name, (template, typed_cells, recalc) in runs.items():
        data = office.fill(template, tmp / f"{name}.xlsx", typed_cells, recalc=recalc).read_bytes()
        out[name] = (openpyxl.load_workbook(io.BytesIO(data)),
                     openpyxl.load_workbook(io.BytesIO(data), data_only=True), data)
    return out


def _last_year(spec: Spec) -> dict[str, int | float]:
    """realistic_values with one t3 column and one t4 group changed (still balanced)."""
    values = realistic_values(spec)
    for code, v in _retyped(spec).items():
        values[code] = v + 4 if code.startswith("t3_") else v + 2
    return values


def _retyped(spec: Spec) -> dict[str, int | float]:
    """The cells a clerk retypes in the pre-filled template to reach realistic_values."""
    values = realistic_values(spec)
    codes = ["t3_granted_research", "t3_new_research", "t4_direct_upheld"]
    return {c: values[c] for c in codes}


def _norm(formula: str) -> str:
    return re.sub(r"[$'\s]", "", str(formula)).upper()


def test_values_are_realistic(spec):
    values = realistic_values(spec)
    full = compute.full(spec, values)
    assert all(values[c.code] is not None for c in spec.inputs)
    assert all(full[c.code] > 0 for c in spec.totals)
    for col, lhs, rhs in compute.balance_sides(spec, full):
        assert lhs == rhs, col


@pytest.mark.parametrize("run", ["calculateAll", "typing-only", "prefilled-edit"])
def test_totals_keep_formulas_and_cache_python_sums(spec, typed, run):
    formulas, cached, _ = typed[run]
    values = realistic_values(spec)
    expected = compute.totals(spec, values)
    for cell in spec.cells:
        if cell.role == "total":
            assert _norm(formulas[cell.sheet][cell.address].value) == _norm("=" + spec.formula(cell)), cell.code
            assert cached[cell.sheet][cell.address].value == expected[cell.code], cell.code
        else:
            assert cached[cell.sheet][cell.address].value == values[cell.code], cell.code


@pytest.mark.parametrize("run", ["calculateAll", "typing-only", "prefilled-edit"])
def test_live_check_panel_passes(spec, typed, run):
    """The cover's live checks depend on the typed cells, so they update even without a full
    recalculation: every line shows 通过, nothing to correct, and the verdict is 可以报送."""
    _, cached, _ = typed[run]
    cover = cached[spec.cover_sheet]
    rows = panel_rows(spec)
    for key, (r, c) in rows.items():
        if key != "overall":
            assert cover.cell(r + 1, c + 1).value == PASS, key
            assert not cover.cell(r + 1, c + 2).value, key
    r, c = rows["overall"]
    assert cover.cell(r + 1, c + 1).value == READY


def test_text_and_contact_kept(spec, typed):
    cached = typed["calculateAll"][1]
    for n in spec.narratives:
        assert cached[n.sheet][n.address].value == NARRATIVES[n.code]
    for f in spec.cover:
        if f.role == "input":
            assert cached[f.sheet][f.address].value == CONTACT[f.code]
    assert cached[spec.cover_sheet][spec.cover_field("meta_agency").address].value == AGENCY.name


def test_protection_and_locking(spec, typed):
    wb = typed["calculateAll"][0]
    for name in spec.sheets:
        assert wb[name].protection.sheet, name
    for table in spec.tables:
        ws = wb[table.sheet]
        inputs = {address(c.row, c.col + k) for c in table.inputs for k in range(c.colspan)}
        for r in range(table.top, table.bottom + 1):
            for c in range(table.width):
                ref = address(r, c)
                assert ws[ref].protection.locked == (ref not in inputs), f"{table.sheet}!{ref}"
    for f in spec.cover:
        assert wb[f.sheet][f.address].protection.locked == (f.role != "input"), f.code
    for n in spec.narratives:
        assert not wb[n.sheet][n.address].protection.locked, n.code


def _validated(ws) -> dict[str, object]:
    """Every cell covered by a data validation (LibreOffice may regroup the ranges)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            c1, r1, c2, r2 = range_boundaries(str(rng))
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    out[address(r - 1, c - 1)] = dv
    return out


def test_validation_on_every_input(spec, typed):
    wb = typed["calculateAll"][0]
    for table in spec.tables:
        covered = _validated(wb[table.sheet])
        for cell in table.inputs:
            dv = covered.get(cell.address)
            assert dv is not None, f"{table.sheet}!{cell.address} lost its validation"
            if dv.type != "custom":  # the R1 guard on 四、结转下年度 is a custom warning
                assert dv.type == ("decimal" if cell.type == "decimal" else "whole"), cell.code
                assert dv.operator == "greaterThanOrEqual", cell.code
            assert dv.error and dv.prompt, cell.code
        for cell in table.totals:
            assert cell.address not in covered, cell.code


def test_merged_cells_kept(spec, typed):
    wb = typed["calculateAll"][0]
    for table in spec.tables:
        merged = {str(r) for r in wb[table.sheet].merged_cells.ranges}
        for lb in table.labels:
            if lb.rowspan > 1 or lb.colspan > 1:
                assert lb.range in merged, lb
        for cell in table.cells:
            if cell.colspan > 1:
                assert f"{cell.address}:{address(cell.row, cell.col + cell.colspan - 1)}" in merged, cell.code


def test_labels_unchanged(spec, typed):
    cached = typed["calculateAll"][1]
    for table in spec.tables:
        for lb in table.labels:
            assert cached[table.sheet][lb.address].value == lb.text, lb


def test_stamp_kept_and_hidden(spec, typed):
    wb = typed["calculateAll"][0]
    assert wb.sheetnames == [*spec.sheets, STAMP_SHEET]
    # LibreOffice 7.4 has no "very hidden": it saves the sheet as plain hidden.
    assert wb[STAMP_SHEET].sheet_state in ("hidden", "veryHidden")
    stamp = {r[0]: r[1] for r in wb[STAMP_SHEET].iter_rows(values_only=True)}
    assert stamp == stamp_values(spec, AGENCY, YEAR)


def test_defined_names_kept(spec, typed):
    wb = typed["calculateAll"][0]
    names = wb.defined_names
    places = [(c.code, c.sheet, c.address) for c in spec.cells]
    places += [(n.code, n.sheet, n.address) for n in spec.narratives]
    places += [(f.code, f.sheet, f.address) for f in spec.cover]
    for code, sheet, ref in places:
        assert code in names, code
        where, cell = names[code].attr_text.split("!")
        assert where.strip("'") == sheet and cell.replace("$", "") == ref, code


def test_saved_by_libreoffice(typed):
    """The files checked above really went through LibreOffice, not merely copied."""
    for _, _, data in typed.values():
        app = zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml").decode()
        assert "LibreOffice" in app
