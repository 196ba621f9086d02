"""The straightforward way, as the yardstick for `toolkit collect`: openpyxl and python-docx.

For each workbook: openpyxl loads it twice (formula text, then cached values), plain Python
checks the same kinds of things the toolkit checks (stamp, sheets, labels, formulas, inputs,
totals recomputed from the inputs, rules R1-R4 and R7), and python-docx builds the report
with each table cell by cell (``doc.add_table`` + ``table.cell(r, c).text = ...`` + merges).
Places and labels come from the format data (toolkit.format.spec), as everywhere else.

    .venv/bin/python benchmarks/baseline.py INBOX YEAR FILES.txt OUT_DIR RESULTS.json

``FILES.txt`` lists the workbooks (relative to INBOX), one per line, each followed by a tab
and 1 when its report is to be built too (python-docx takes seconds per report here, so the
benchmark builds reports for a smaller sample). Reports go to OUT_DIR for those workbooks
without errors; RESULTS.json gets per-file timings (ms) and finding codes.
"""

from __future__ import annotations

import io
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

import openpyxl  # noqa: E402
from docx import Document  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Mm, Pt  # noqa: E402

from toolkit.format.spec import STAMP_SHEET, Spec, load_spec  # noqa: E402

ERRORS = {"stamp_missing", "template_unknown", "template_version", "year_mismatch", "sheet_missing",
          "label_changed", "total_overwritten", "formula_altered", "total_wrong", "input_text",
          "R1", "R2", "R3", "R4", "R7"}


def norm(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def norm_formula(text: str) -> str:
    return re.sub(r"\s+", "", text.lstrip("=").replace("$", "")).upper()


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check(path: Path, spec: Spec, year: int) -> tuple[list[str], dict, dict[str, float]]:
    """(finding codes, the report's data, timings in ms) for one workbook."""
    ms: dict[str, float] = {}
    t = time.perf_counter()
    formulas = openpyxl.load_workbook(path)
    ms["load_formulas"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    cached = openpyxl.load_workbook(path, data_only=True)
    ms["load_values"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    found: list[str] = []
    stamp = {}
    if STAMP_SHEET in cached.sheetnames:
        for a, b in cached[STAMP_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
            if a:
                stamp[str(a)] = "" if b is None else str(b)
    else:
        found.append("stamp_missing")
    if stamp and stamp.get("template_id") != spec.id:
        found.append("template_unknown")
    elif stamp and (stamp.get("template_version") != spec.version or stamp.get("layout_hash") != spec.layout_hash):
        found.append("template_version")
    if stamp and stamp.get("year") != str(year):
        found.append("year_mismatch")
    for name in spec.sheets:
        if name not in cached.sheetnames:
            found.append("sheet_missing")
    values: dict[str, object] = {}
    shown: dict[str, float] = {}
    for table in spec.tables:
        if table.sheet not in cached.sheetnames:
            continue
        ws_f, ws_v = formulas[table.sheet], cached[table.sheet]
        if any(norm(ws_f.cell(lb.row + 1, lb.col + 1).value) != norm(lb.text) for lb in table.labels):
            found.append("label_changed")
            continue
        for cell in table.inputs:
            v = ws_v.cell(cell.row + 1, cell.col + 1).value
            if v is None:
                found.append("input_blank")
            elif not is_number(v):
                found.append("input_text")
                v = None
            elif v < 0 or (cell.type == "int" and v != int(v)):
                found.append("R7")
            values[cell.code] = v
            shown[cell.code] = v if is_number(v) else 0
        for cell in table.totals:
            f = ws_f.cell(cell.row + 1, cell.col + 1).value
            v = ws_v.cell(cell.row + 1, cell.col + 1).value
            shown[cell.code] = v if is_number(v) else 0
            if not (isinstance(f, str) and f.startswith("=")):
                found.append("total_overwritten")
            elif norm_formula(f) != norm_formula(spec.formula(cell)):
                found.append("formula_altered")
        for cell in table.totals:  # recomputed from the inputs
            values[cell.code] = sum(values.get(c) or 0 for c in cell.sum_of)
            if abs(values[cell.code] - shown[cell.code]) > 1e-9:
                found.append("total_wrong")
    found += rules(spec, shown)
    data = {
        "agency": stamp.get("agency", ""), "year": stamp.get("year", ""), "values": values,
        "narratives": {n.code: _text(cached, n.sheet, n.row, n.col) for n in spec.narratives},
    }
    ms["checks"] = (time.perf_counter() - t) * 1000
    return found, data, ms


def _text(wb, sheet: str, row: int, col: int) -> str:
    if sheet not in wb.sheetnames:
        return ""
    v = wb[sheet].cell(row + 1, col + 1).value
    return "" if v is None else str(v)


def rules(spec: Spec, shown: dict[str, float]) -> list[str]:
    """R1 (balance) and R2-R4 (totals along rows/columns) on the numbers as shown."""
    out = []
    for rule in spec.rules:
        p = rule.params
        if rule.kind == "balance" and all(c.code in shown for c in spec.table(p["table"]).cells):
            table = spec.table(p["table"])
            for col in table.col_codes:
                lhs = sum(shown[table.cell(r, col).code] for r in p["lhs"])
                rhs = sum(shown[table.cell(r, col).code] for r in p["rhs"])
                if abs(lhs - rhs) > 1e-9:
                    out.append(rule.id)
        elif rule.kind == "totals":
            for cell in spec.table(p["table"]).totals:
                parts = [spec.cell(c) for c in cell.sum_of]
                along_row = all(x.row == cell.row for x in parts)
                if along_row == (p["axis"] == "row") and cell.code in shown:
                    if abs(shown[cell.code] - sum(shown.get(x.code, 0) for x in parts)) > 1e-9:
                        out.append(rule.id)
    return out


# --- the report, cell by cell -----------------------------------------------------------------------


def _figure(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def render(spec: Spec, data: dict) -> bytes:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "仿宋_GB2312", Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    title = doc.add_paragraph()
    run = title.add_run(spec.report_title(data["agency"], data["year"]))
    run.font.size, run.bold = Pt(22), True
    for section in spec.sections:
        heading = doc.add_paragraph().add_run(section.heading)
        heading.bold = True
        if section.narrative:
            for para in (data["narratives"].get(section.narrative) or "").split("\n"):
                if para.strip():
                    doc.add_paragraph(para.strip())
        if section.table:
            _table(doc, spec.table(section.table), data["values"])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _table(doc, table, values: dict) -> None:
    first = min(lb.row for lb in table.labels)
    grid = doc.add_table(rows=table.bottom - first + 1, cols=table.width)
    grid.style = "Table Grid"
    for lb in table.labels:
        cell = grid.cell(lb.row - first, lb.col)
        if lb.rowspan > 1 or lb.colspan > 1:
            cell = cell.merge(grid.cell(lb.row - first + lb.rowspan - 1, lb.col + lb.colspan - 1))
        cell.text = lb.text
    for c in table.cells:
        cell = grid.cell(c.row - first, c.col)
        if c.colspan > 1:
            cell = cell.merge(grid.cell(c.row - first, c.col + c.colspan - 1))
        cell.text = _figure(values.get(c.code))


def main(argv: list[str]) -> int:
    inbox, year, files, out, results = Path(argv[0]), int(argv[1]), Path(argv[2]), Path(argv[3]), Path(argv[4])
    spec = load_spec()
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, line in enumerate(files.read_text(encoding="utf-8").splitlines()):
        name, _, docx = line.partition("\t")
        found, data, ms = check(inbox / name, spec, year)
        if docx == "1" and not ERRORS.intersection(found):
            t = time.perf_counter()
            (out / f"{i:05d}.docx").write_bytes(render(spec, data))
            ms["docx"] = (time.perf_counter() - t) * 1000
        rows.append({"file": name, "ms": ms, "findings": sorted(set(found))})
    results.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
