"""Check one returned workbook: screen, identity, integrity, inputs, totals, rules.

``check_bytes`` is pure (bytes in, ``Result`` out); ``check_file`` reads a file and never
writes to it. Stages, in order:

1. screening by the bytes (toolkit.xlsx.package): a file that fails is ``rejected``;
2. identity from the hidden stamp sheet: template id/version, agency, year;
3. integrity: sheets, every locked label where the template put it, defined names where they
   were (rows/columns inserted or deleted are named), and each total's formula;
4. inputs: numbers only; text, formulas and blanks are reported per cell (blanks once per table);
5. every total recomputed in Python (toolkit.format.compute) and compared with the workbook's cached
   result: a broken total gets one finding whose code names the cause;
6. the format's rules (toolkit.check.rules) on the inputs and recomputed totals.

A table whose layout was changed is not read at all (its rules are skipped): numbers taken
from shifted cells would be guesses.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any

from toolkit import catalogue
from toolkit import xlsx as read
from toolkit.check import rules
from toolkit.format import compute
from toolkit.format.cache import per_spec
from toolkit.format.labels import formula_key, workbook_label
from toolkit.format.spec import FEEDBACK_SHEET, STAMP_SHEET, Cell, Label, Spec, Table, address, col_letter, load_spec, parse_address
from toolkit.model import Filled, Finding, Report, status_of
from toolkit.xlsx import EMPTY, Book, Sheet, XCell
from toolkit.xlsx import package as screen

_ZEROS = itertools.repeat(0)
_EMPTIES = itertools.repeat(EMPTY)  # a blank for each cell a sheet does not have
MAX_LISTED = 12  # cells named in one message before "等"
MAX_LABEL_FINDINGS = 5  # per table; the rest summed up in one more


@dataclass(slots=True)  # thousands are kept by a collection
class Result:
    """One file's validation report (frictionless-like)."""

    file: str  # the name as given (relative path in a collection)
    sha256: str
    status: str  # ok | warnings | errors | rejected (could not be read)
    findings: list[Finding]
    filled: Filled | None  # the values/narratives/contact read (None when rejected)
    agency_id: str | None = None
    agency: str | None = None
    year: int | None = None
    template: dict = field(default_factory=dict)  # {"id": ..., "version": ...} from the stamp
    application: str = ""  # the program that last saved the file (docProps/app.xml)
    saved_at: str = ""  # when it was last saved (docProps/core.xml), W3CDTF
    # every cell's number by code (inputs, blank as 0; totals recomputed), as the rules saw them
    recomputed: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @classmethod
    def unreadable(cls, name: str, message: str, sha256: str = "") -> Result:
        """A file that could not even be read (I/O error): rejected with one finding."""
        f = catalogue.finding("file_unreadable", file=name, reason=message)
        return cls(name, sha256, "rejected", [f], None)

    def with_findings(self, extra: list[Finding]) -> Result:
        """A copy with more findings (e.g. cross-year rules), the status updated."""
        findings = self.findings + list(extra)
        return replace(self, findings=findings, status=status_of(findings, self.status == "rejected"))

    def submission(self) -> dict[str, Any]:
        return {"file": self.file, "agency_id": self.agency_id, "agency": self.agency, "year": self.year,
                "status": self.status, "sha256": self.sha256, "application": self.application,
                "saved_at": self.saved_at}

    def report(self) -> Report:
        """The report of ``toolkit check`` on this one file (no collection year)."""
        return Report.of(dict(self.template), [self.submission()], self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``toolkit check --json`` for this one file."""
        return self.report().to_dict()


def check_file(path: Path | str, spec: Spec | None = None, *, year: int | None = None,
               previous: Filled | None = None) -> Result:
    """Check a workbook on disk; the file is only read."""
    path = Path(path)
    name = screen.display_name(path.name)
    data, refused = screen.read_path(path, name)  # a regular file within the size limit, or why not
    if data is None:
        return Result(name, "", "rejected", refused, None)
    return check_bytes(data, name, spec, year=year, previous=previous)


def check_bytes(data: bytes, name: str, spec: Spec | None = None, *, year: int | None = None,
                previous: Filled | None = None) -> Result:
    """Check one workbook given as bytes. Pure: never touches the disk."""
    spec = spec or load_spec()
    sha = hashlib.sha256(data).hexdigest()
    zf, rejected = screen.open_package(data, name)
    if zf is None:
        return Result(name, sha, "rejected", rejected, None)
    try:
        book = read.read_workbook(zf, [*spec.sheets, STAMP_SHEET], blanks=False)
    except read.ReadError as e:
        return Result(name, sha, "rejected", [_read_failure(name, e.code, f"{e.part}：{e.detail}")], None)
    except (ValueError, IndexError, KeyError, TypeError) as e:  # well-formed XML with impossible content
        return Result(name, sha, "rejected", [_read_failure(name, "xml_corrupt", f"{type(e).__name__}: {e}")], None)
    except read.ZIP_ERRORS as e:  # member-level damage the reader did not wrap
        return Result(name, sha, "rejected", [_read_failure(name, "zip_corrupt", f"{type(e).__name__}: {e}")], None)
    try:
        result = _Checker(spec, book, name, sha, year, previous).run()
        macros = screen.macros(zf, name)
        return result.with_findings([replace(macros, agency_id=result.agency_id or "")]) if macros else result
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as e:
        # Well-formed parts with content no spreadsheet program writes: report, never crash a collection.
        return Result(name, sha, "rejected", [_read_failure(name, "xml_corrupt", f"{type(e).__name__}: {e}")], None)


def _read_failure(name: str, code: str, detail: str) -> Finding:
    return catalogue.finding(code, "part" if code == "zip_corrupt" else "", file=name, detail=detail)


# --- what the checks look at, laid out once per format ---------------------------------------------


@dataclass(frozen=True)
class _Total:
    cell: Cell
    at: tuple[int, int]
    parts: tuple[tuple[int, int], ...]  # where the cells it adds up are
    formula: str  # the template's formula, without "="
    normalised: str  # formula_key of it


@dataclass(frozen=True)
class _TablePlan:
    labels: tuple[tuple[Label, str], ...]  # each label with its normalised text
    inputs: tuple[Cell, ...]
    totals: tuple[_Total, ...]
    names: tuple[tuple[Cell, str, str], ...]  # each cell with its defined name's text unquoted and quoted
    as_written: tuple[dict[str, str], dict[str, str]]  # {code: name text}, unquoted and quoted
    label_at: tuple[tuple[int, int], ...] = ()  # where each label is, and its text: the usual
    label_texts: list[str] = field(default_factory=list)  # case checked in one go
    input_at: tuple[tuple[int, int], ...] = ()
    input_codes: tuple[str, ...] = ()


@per_spec
def _plan(spec: Spec) -> dict[str, _TablePlan]:
    out = {}
    for t in spec.tables:
        totals = tuple(_Total(c, (c.row, c.col), tuple((p.row, p.col) for p in map(spec.cell, c.sum_of)),
                              rules.formula(spec, c), formula_key("=" + rules.formula(spec, c)))
                       for c in t.totals)
        names = tuple((c, _name_text(c), f"'{c.sheet}'!${col_letter(c.col)}${c.row + 1}") for c in t.cells)
        as_written = ({c.code: plain for c, plain, _ in names}, {c.code: quoted for c, _, quoted in names})
        out[t.id] = _TablePlan(tuple((lb, workbook_label(lb.text)) for lb in t.labels), t.inputs, totals, names, as_written,
                               tuple((lb.row, lb.col) for lb in t.labels), [lb.text for lb in t.labels],
                               tuple((c.row, c.col) for c in t.inputs), tuple(c.code for c in t.inputs))
    return out


# --- the checker ------------------------------------------------------------------------------------


class _Checker:
    """One workbook's checks; each method appends findings and returns plain data."""

    def __init__(self, spec: Spec, book: Book, name: str, sha: str, year: int | None, previous: Filled | None):
        self.spec, self.book, self.name, self.sha = spec, book, name, sha
        self.year, self.previous = year, previous
        self.findings: list[Finding] = []
        self.unread: set[str] = set()  # table ids whose numbers were not read
        self.stamp_at: dict[str, str] = {}
        self.plan = _plan(spec)
        self.shown: dict[str, Any] = {}  # every cell's number for the rules (set by totals)

    def add(self, code: str, variant: str = "", **fields: Any) -> None:
        """A catalogue finding: ``fields`` are its place (sheet, cell, expected, ...) and its message's slots."""
        self.findings.append(catalogue.finding(code, variant, **fields))

    def run(self) -> Result:
        stamp = self.identity()
        self.sheets()
        values: dict[str, Any] = {}
        for table in self.spec.tables:
            values.update(self.table(table))
        self.totals(values)
        filled = Filled(
            agency=stamp.get("agency") or self.cover_text(self.spec.cover_code("agency")),
            year=_int(stamp.get("year")) or _int(self.cover_text(self.spec.cover_code("year"))),
            agency_id=stamp.get("agency_id") or None,
            values=values,
            narratives=self.narratives(),
            contact=self.contact(),
        )
        self.findings.extend(self.rules(filled))
        agency_id = filled.agency_id or ""
        findings = [replace(f, file=self.name, agency_id=agency_id) for f in self.findings]
        template = {k: stamp[f"template_{k}"] for k in ("id", "version") if f"template_{k}" in stamp}
        return Result(self.name, self.sha, status_of(findings), findings, filled, filled.agency_id,
                      filled.agency or None, filled.year, template, self.book.application, self.book.saved_at,
                      self.shown)

    # --- identity ------------------------------------------------------------------------------

    def identity(self) -> dict[str, str]:
        spec = self.spec
        sheet = self.book.sheets.get(STAMP_SHEET)
        if sheet is None:
            self.add("stamp_missing", sheet=STAMP_SHEET, expected=spec.id)
            return {}
        keys = sorted((r, _text(x)) for (r, c), x in sheet.cells.items() if c == 0 and _text(x))
        stamp = {k: _text(sheet.at(r, 1)) for r, k in keys}
        self.stamp_at = {k: address(r, 1) for r, k in keys}  # where each value is, for the findings
        if stamp.get("template_id") != spec.id:
            self.add("template_unknown", found=stamp.get("template_id", ""), wanted=spec.id, name=spec.name,
                     sheet=STAMP_SHEET, cell=self._at("template_id"), expected=spec.id, actual=stamp.get("template_id"))
        elif stamp.get("template_version") != spec.version:
            self.add("template_version", found=stamp.get("template_version", ""), wanted=spec.version,
                     sheet=STAMP_SHEET, cell=self._at("template_version"), expected=spec.version, actual=stamp.get("template_version"))
        elif stamp.get("layout_hash") != spec.layout_hash:
            self.add("template_version", "layout", version=spec.version, found=stamp.get("layout_hash", ""),
                     wanted=spec.layout_hash,
                     sheet=STAMP_SHEET, cell=self._at("layout_hash"), expected=spec.layout_hash, actual=stamp.get("layout_hash"))
        if not stamp.get("agency_id"):
            self.add("agency_missing", sheet=STAMP_SHEET, cell=self._at("agency_id"))
        stamped_year = _int(stamp.get("year"))
        if self.year is not None and stamped_year != self.year:
            f = spec.cover_field(spec.cover_code("year"))
            self.add("year_mismatch", label=f.label, found=stamp.get("year", ""), year=self.year,
                     sheet=f.sheet, cell=f.address, expected=self.year, actual=stamped_year, ref=f.code)
        return stamp

    def _at(self, key: str) -> str:
        return self.stamp_at.get(key, "")

    # --- sheets --------------------------------------------------------------------------------

    def sheets(self) -> None:
        present = dict(self.book.sheet_names)
        for name in self.spec.sheets:
            if name not in present:
                self.add("sheet_missing", sheet=name, expected=name,
                         actual="、".join(n for n, _ in self.book.sheet_names if n != STAMP_SHEET))
            elif not self.book.sheets[name].protected:
                self.add("protection_removed", sheet=name)
        for name, _ in self.book.sheet_names:
            if name not in self.spec.sheets and name not in (STAMP_SHEET, FEEDBACK_SHEET):
                self.add("sheet_extra", sheet=name, actual=name)

    # --- one table: layout, inputs -----------------------------------------------------------

    def table(self, table: Table) -> dict[str, Any]:
        """The input values of a table (None where blank or not a number). Nothing at all if
        the table could not be read: absent codes tell the rules to skip the table."""
        sheet = self.book.sheets.get(table.sheet)
        if sheet is None or not self.layout(table, sheet):
            self.unread.add(table.id)
            return {}
        self.extra_content(table, sheet)
        plan = self.plan[table.id]
        found = list(map(sheet.cells.get, plan.input_at, _EMPTIES))
        if _all_are(found, "n", None):  # the usual case: every input a number
            numbers = list(map(_VALUE, found))
            if _sane(numbers):
                return dict(zip(plan.input_codes, numbers))
        values: dict[str, Any] = {}
        blanks: list[Cell] = []
        get = sheet.cells.get
        for cell in plan.inputs:
            x = get((cell.row, cell.col))
            if x is not None and x.kind == "n" and x.formula is None:
                if not _sane((x.value,)):  # not a number a report can hold: the table is not read
                    self.invalid_number(cell, x.value)
                    self.unread.add(table.id)
                    return {}
                values[cell.code] = x.value  # the usual case (input() says the same)
            else:
                values[cell.code] = self.input(cell, EMPTY if x is None else x, blanks)
        if blanks:
            self.add("input_blank", count=len(blanks), cells=cell_listing([c.address for c in blanks]),
                     sheet=table.sheet, cell=blanks[0].address, expected=0, actual=len(blanks), ref=blanks[0].code)
        return values

    def invalid_number(self, cell: Cell, value: Any) -> None:
        """A NaN, an infinity or a number past any report's size (1E+400, 1e308, 5,000 digits)."""
        finite = not isinstance(value, float) or math.isfinite(value)
        why = f"超出合理范围（绝对值应不超过 {MAX_NUMBER:,}）" if finite else "不是有限的数字（非数或无穷大）"
        shown = str(value)
        shown = shown if len(shown) <= 24 else f"{shown[:12]}…（共 {len(shown)} 位）"
        self.add("number_invalid", where=rules.where(self.spec, cell), shown=shown, why=why,
                 sheet=cell.sheet, cell=cell.address, expected=f"-{MAX_NUMBER} 至 {MAX_NUMBER}", actual=shown,
                 ref=cell.code)

    def input(self, cell: Cell, x: XCell, blanks: list[Cell]) -> Any:
        if x.kind == "n" and x.formula is None:
            return x.value  # negative or fractional: R7 (rules) says so
        if x.formula is not None:
            what = self.spec.quantity(cell)
            self.add("input_formula", where=rules.where(self.spec, cell), formula=x.formula, what=what,
                     sheet=cell.sheet, cell=cell.address, expected="数字", actual="=" + x.formula, ref=cell.code)
            return x.value if x.kind == "n" else None
        if x.kind == "" or (x.kind == "s" and not str(x.value).strip()):
            blanks.append(cell)
            return None
        text = str(x.value)
        advice, expected = _advice(self.spec, text, cell)
        self.add("input_text", where=rules.where(self.spec, cell), text=text, advice=advice,
                 sheet=cell.sheet, cell=cell.address, expected=expected, actual=text, ref=cell.code)
        return None

    def layout(self, table: Table, sheet: Sheet) -> bool:
        """Labels where the template put them, and the cells' defined names unmoved."""
        get = sheet.cells.get
        plan = self.plan[table.id]
        found = list(map(get, plan.label_at, _EMPTIES))
        if _all_are(found, "s") and list(map(_VALUE, found)) == plan.label_texts:
            self.names_moved(table)  # the usual case: every label as the template wrote it
            return table.id not in self.unread
        misplaced = []
        for lb, norm in plan.labels:
            x = get((lb.row, lb.col))
            if x is not None and x.kind == "s" and (x.value == lb.text or workbook_label(x.value) == norm):
                continue
            misplaced.append((lb, EMPTY if x is None else x, norm))
        problems = []
        if misplaced:  # where did they go: every text of the sheet, by its normalised form
            by_text: dict[str, list[tuple[int, int]]] = {}
            for (r, c), x in sheet.cells.items():
                if x.kind == "s":
                    by_text.setdefault(workbook_label(x.value), []).append((r, c))
            for lb, x, norm in misplaced:
                places = by_text.get(norm, [])
                # the nearest, then the first in reading order (whatever order the reader gave)
                place = min(places, key=lambda p: (abs(p[0] - lb.row) + abs(p[1] - lb.col), p)) if places else None
                problems.append((lb, x, place))
        moved = [(lb, f) for lb, _, f in problems if f is not None]
        if moved:
            lb, place = min(moved, key=lambda m: (m[0].row, m[0].col))
            self.shifted(table, f"标签“{lb.text}”", lb.row, lb.col, place)
        else:
            self.names_moved(table)
        gone = [(lb, x) for lb, x, f in problems if f is None]
        for lb, x in gone[:MAX_LABEL_FINDINGS]:
            now = "" if x.value is None else str(x.value)
            self.add("label_changed", label=lb.text, found=now, sheet=table.sheet, cell=lb.address,
                     expected=lb.text, actual=now)
        if len(gone) > MAX_LABEL_FINDINGS:
            rest = gone[MAX_LABEL_FINDINGS:]
            self.add("label_changed", "more", count=len(rest), cells=cell_listing([lb.address for lb, _ in rest]),
                     sheet=table.sheet, cell=rest[0][0].address, expected=len(table.labels),
                     actual=len(table.labels) - len(gone))
        return not problems and table.id not in self.unread

    def names_moved(self, table: Table) -> None:
        """Inserted/deleted rows or columns that left the labels in place (e.g. below the
        header of 表四) still move the cells' defined names, which spreadsheets keep updated."""
        names = self.book.names
        plan = self.plan[table.id]
        if any(names.items() >= written.items() for written in plan.as_written):
            return  # the usual case: every name as the template wrote it (compared in C)
        for cell, plain, quoted in plan.names:
            text = names.get(cell.code)
            if text is None or text == plain or text == quoted or text.replace("'", "") == plain:
                continue
            target = _name_target(text)
            if target is None:
                self.shifted(table, f"单元格 {cell.code}", cell.row, cell.col, None)
                return
            sheet, (r, c) = target
            if sheet == table.sheet and (r, c) != (cell.row, cell.col):
                self.shifted(table, f"单元格 {cell.code}", cell.row, cell.col, (r, c))
                return

    def shifted(self, table: Table, what: str, row: int, col: int, found: tuple[int, int] | None) -> None:
        self.unread.add(table.id)
        at = address(row, col)
        if found is None:
            self.add("layout_shifted", "deleted", what=what, sheet=table.sheet, cell=at, expected=at, actual="")
            return
        dr, dc = found[0] - row, found[1] - col
        parts = []
        if dr:
            parts.append(f"下移了 {dr} 行（在第 {row + 1} 行之前插入了 {dr} 行）" if dr > 0
                         else f"上移了 {-dr} 行（在第 {row + 1} 行之前删除了 {-dr} 行）")
        if dc:
            parts.append(f"右移了 {dc} 列（插入了列）" if dc > 0 else f"左移了 {-dc} 列（删除了列）")
        self.add("layout_shifted", what=what, found=address(*found), moves="、".join(parts), sheet=table.sheet,
                 cell=at, expected=at, actual=address(*found))

    def extra_content(self, table: Table, sheet: Sheet) -> None:
        bottom, width = table.bottom, table.width
        outside = sorted((r, c) for (r, c), x in sheet.cells.items()
                         if (r > bottom or c >= width) and (x.kind or x.formula))
        if outside:
            self.add("extra_content", cells=cell_listing([address(r, c) for r, c in outside]), sheet=table.sheet, cell=address(*outside[0]),
                     actual=len(outside))

    # --- totals --------------------------------------------------------------------------------

    def totals(self, values: dict[str, Any]) -> None:
        """Each total cell against the Python recomputation; one finding per broken total.

        A total whose formula is intact is stale only if its cached result differs from the sum
        of the parts as the workbook shows them: a total that is wrong merely because one of
        its parts is wrong (a column total under an altered formula) is that part's finding."""
        number = rules.number
        # inputs (blank as 0) and recomputed totals: what the rules see, totals as the reference
        self.shown = recomputed = compute.full(
            self.spec, {k: v if type(v) is int else number(v) for k, v in values.items()})
        manual = self.book.calc.get("calcMode") == "manual"
        for table in self.spec.tables:
            sheet = self.book.sheets.get(table.sheet)
            if table.id in self.unread or sheet is None:
                continue
            get = sheet.cells.get
            totals = self.plan[table.id].totals
            if all(_agrees(get(t.at), t, recomputed) for t in totals):
                continue  # the usual case: each shows the sum of its parts as shown (see _agrees)
            # each cell's number as a SUM over it sees it: text, blanks and booleans count 0
            shown = {rc: (x.value if type(x.value) is int else number(x.value) or 0)
                     for rc, x in sheet.cells.items() if x.kind == "n"}
            for t in totals:
                shown_sum = sum(map(shown.get, t.parts, _ZEROS))
                x = get(t.at)
                if x is None:
                    x = EMPTY
                elif x.kind == "n" and x.formula is not None and (
                        x.formula == t.formula or formula_key(x.formula) == t.normalised):
                    if abs((number(x.value) or 0) - shown_sum) <= 1e-9:
                        continue  # the usual case: total() would have nothing to say
                self.total(t.cell, x, recomputed[t.cell.code], shown_sum, manual)

    def total(self, cell: Cell, x: XCell, expected, shown_sum, manual: bool) -> None:
        if x.kind == "n" and not _sane((x.value,)):
            self.invalid_number(cell, x.value)  # a cached result no program computes
            return
        formula = "=" + rules.formula(self.spec, cell)
        shown = _shown(x) if x.kind == "n" else None
        intact = x.formula is not None and (x.formula == formula[1:] or formula_key(x.formula) == formula_key(formula))
        if intact and shown is not None and abs(shown - shown_sum) <= 1e-9:
            return  # the usual case: nothing to say
        if shown is not None and abs(shown - shown_sum) > 1e-9:
            self.shown_rule(cell, shown, shown_sum)
        wrong = shown is None or abs(shown - expected) > 1e-9
        said = {"where": rules.where(self.spec, cell), "recomputed": rules.fmt(expected),
                "breaks": self._rule_of(cell) if wrong else "",
                "shown": "空白" if x.value is None else f"“{x.value}”" if x.kind != "n" else rules.fmt(x.value)}
        if x.formula is None:
            self.add("total_overwritten", formula=formula, **said,
                     sheet=cell.sheet, cell=cell.address, expected=expected, actual=x.value, ref=cell.code)
        elif not intact:
            self.add("formula_altered", found="=" + x.formula, formula=formula, **said,
                     sheet=cell.sheet, cell=cell.address, expected=formula, actual="=" + x.formula, ref=cell.code)
        else:
            self.add("total_stale", parts=rules.fmt(shown_sum), manual="工作簿的计算模式为“手动”。" if manual else "", **said,
                     sheet=cell.sheet, cell=cell.address, expected=expected, actual=x.value, ref=cell.code)

    def shown_rule(self, cell: Cell, shown, shown_sum) -> None:
        """The table as the workbook shows it breaks R2/R3/R4 at this total: say so under the
        rule's own code (the cause -- overwritten, altered, stale -- is its own finding)."""
        rule = self._totals_rule(cell)
        if rule is None:
            return
        self.findings.append(Finding(
            code=rule.id, severity=rule.severity, sheet=cell.sheet, cell=cell.address, expected=shown_sum, actual=shown, ref=cell.code,
            message=f"{rules.where(self.spec, cell)}显示 {rules.fmt(shown)}，而表中各项之和为 {rules.fmt(shown_sum)}："
                    f"不符合 {rule.id}（{rule.description}）。请按下一条提示恢复公式后核对。"))

    def _totals_rule(self, cell: Cell):
        parts = [self.spec.cell(c) for c in cell.sum_of]
        along_row = all(p.row == cell.row for p in parts)
        for r in self.spec.rules:
            if r.kind == "totals" and r.params["table"] == cell.table and (r.params["axis"] == "row") == along_row:
                return r
        return None

    def _rule_of(self, cell: Cell) -> str:
        """Which totals rule (R2/R3/R4) the shown number breaks, for the message."""
        r = self._totals_rule(cell)
        return f"显示的数字不符合 {r.id}（{r.description}）。" if r else ""

    # --- cover and narratives -------------------------------------------------------------------

    def cover_text(self, code: str) -> str:
        f = self.spec.cover_field(code)
        sheet = self.book.sheets.get(f.sheet)
        return _text(sheet.at(f.row, f.col)) if sheet else ""

    def contact(self) -> dict[str, str]:
        out = {f.code: self.cover_text(f.code) for f in self.spec.cover if f.role == "input"}
        empty = [f for f in self.spec.cover if f.role == "input" and not out[f.code]]
        if empty and self.spec.cover_sheet in self.book.sheets:
            f = empty[0]
            self.add("contact_missing", fields="、".join(e.label for e in empty),
                     cells=", ".join(e.address for e in empty), sheet=f.sheet, cell=f.address, ref=f.code)
        return out

    def narratives(self) -> dict[str, str]:
        sheet = self.book.sheets.get(self.spec.narrative_sheet)
        if sheet is None:
            return {}
        return {n.code: _text(sheet.at(n.row, n.col)) for n in self.spec.narratives}

    # --- rules ------------------------------------------------------------------------------------

    def rules(self, filled: Filled) -> list[Finding]:
        """The format's rules, minus those about parts that could not be read (already reported)."""
        found = rules.apply(self.spec, filled, previous=self.previous, shown=self.shown)
        if self.spec.narrative_sheet in self.book.sheets:
            return found
        return [f for f in found if f.sheet != self.spec.narrative_sheet]  # sheet_missing says it


# --- helpers -----------------------------------------------------------------------------------------


def _text(x: XCell) -> str:
    if x.value is None:
        return ""
    if x.kind == "n":
        return rules.fmt(x.value)
    return str(x.value).strip()


_KIND, _VALUE, _FORMULA = attrgetter("kind"), attrgetter("value"), attrgetter("formula")
MAX_NUMBER = 10**9  # no count or amount (万元) of a report comes near it


def _sane(numbers) -> bool:
    """Every number finite and within ±MAX_NUMBER (ints tested in C: the usual case)."""
    if set(map(type, numbers)) <= {int}:
        return not numbers or (-MAX_NUMBER <= min(numbers) and max(numbers) <= MAX_NUMBER)
    return all(type(v) in (int, float) and math.isfinite(v) and -MAX_NUMBER <= v <= MAX_NUMBER for v in numbers)


def _all_are(cells: list[XCell], kind: str, formula: object = ...) -> bool:
    """Every cell of this kind (and, if given, with this formula), tested in C."""
    return set(map(_KIND, cells)) <= {kind} and (formula is ... or set(map(_FORMULA, cells)) <= {formula})


def _agrees(x: XCell | None, t: _Total, recomputed: dict[str, Any]) -> bool:
    """The total's formula is the template's and its cached result, an int, is the recomputed
    total. When that holds for every total of a table, each also equals the sum of its parts
    as the sheet shows them: an input shows what the recomputation took for it (a number, or
    0 for text, blanks and booleans, in both), a total its cached result, which is the
    recomputed one; the sums are of the same numbers in the same order."""
    return (x is not None and x.kind == "n" and x.formula == t.formula and type(x.value) is int
            and x.value == recomputed[t.cell.code])


def _shown(x: XCell) -> float | int:
    """A cell's number as a SUM over it sees it: text, blanks and booleans count 0."""
    return rules.number(x.value) or 0 if x.kind == "n" else 0


def _int(v: object) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


def _name_text(cell: Cell) -> str:
    """How a defined name of an unmoved cell reads (sheet quotes removed)."""
    return f"{cell.sheet}!${col_letter(cell.col)}${cell.row + 1}"


def _name_target(text: str) -> tuple[str, tuple[int, int]] | None:
    """A defined name's single-cell target (sheet, (row, col)), or None if it is #REF!."""
    if "#REF!" in text.upper():
        return None
    sheet, _, ref = text.lstrip("=").rpartition("!")
    sheet = sheet.strip("'").replace("''", "'")
    try:
        return sheet, parse_address(ref.split(":")[0])
    except (ValueError, IndexError):
        return sheet, (-1, -1)


_NOTHING = {"/", "／", "\\", "-", "—", "——", "–", "－", "无", "没有", "空", "暂无", "零", "×", "x", "X", "N/A", "NA"}


def _advice(spec: Spec, text: str, cell: Cell) -> tuple[str, Any]:
    """What to type instead of this text, and the number it probably meant (or None)."""
    plain = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    what = spec.quantity(cell)
    if text.strip() in _NOTHING:
        return f"没有发生的事项请填数字 0，不要填“{text.strip()}”。", 0
    try:
        n = float(plain)
        shown = rules.fmt(int(n) if n.is_integer() else n)
        return (f"请用半角阿拉伯数字直接键入 {shown}（不要带全角字符、空格或撇号，不要设置为文本格式）。",
                int(n) if n.is_integer() else n)
    except ValueError:
        pass
    m = _with_unit(spec).fullmatch(plain)
    if m:
        n = float(m.group(1))
        return f"请只填数字 {m.group(1)}，不要带单位“{m.group(2)}”。", int(n) if n.is_integer() else n
    return f"此处只能填{what}（阿拉伯数字）；没有发生的请填 0，需要说明的内容请写入“文字部分”。", None


@per_spec
def _with_unit(spec: Spec) -> re.Pattern:
    words = "|".join(map(re.escape, sorted(spec.unit_words, key=len, reverse=True)))
    return re.compile(rf"([0-9]+(?:\.[0-9]+)?)\s*({words})")


def cell_listing(addresses: list[str]) -> str:
    """Addresses, runs within a row joined as D6:I6, at most MAX_LISTED items."""
    items: list[str] = []
    run: list[tuple[int, int]] = []
    cells = sorted(parse_address(a) for a in addresses)

    def flush() -> None:
        if run:
            a, b = address(*run[0]), address(*run[-1])
            items.append(a if a == b else f"{a}:{b}")

    for rc in cells:
        if run and rc[0] == run[-1][0] and rc[1] == run[-1][1] + 1:
            run.append(rc)
        else:
            flush()
            run = [rc]
    flush()
    text = "、".join(items[:MAX_LISTED])
    return text + (f" 等 {len(items)} 处" if len(items) > MAX_LISTED else "")
