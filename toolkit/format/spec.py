"""The official format, loaded from its data file and laid out on a grid.

Everything that places a label or a number -- the template writer, the reader, the checks,
the summary and the DOCX -- asks this module where things are. Nothing else types a label,
a row or a cell address.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

import yaml

DEFAULT_EDITION = "gb2021"

# Where the toolkit puts things around the official tables (not part of the format).
TABLE_TOP = 2  # 0-based sheet row of a table's first row: row 1 is the heading, row 2 the agency line
COVER_FIELDS_TOP = 3  # 0-based sheet row of the first cover field
NARRATIVE_TOP = 2  # 0-based sheet row of the first narrative heading
NARRATIVE_ROW_CHARS = 800  # characters one tallest sheet row (409 pt) shows in a narrative area
STAMP_SHEET = "_stamp"
FEEDBACK_SHEET = "校验意见"  # the first sheet of a feedback workbook (toolkit.outputs.feedback): not a clerk's extra sheet
LAST_PLAUSIBLE_YEAR = 2100  # a typo guard for --year, not a rule of the format
STAMP_KEYS = ("template_id", "template_version", "agency_id", "agency", "year", "layout_hash")


def col_letter(col: int) -> str:
    """0-based column index to letters (0 -> A)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def address(row: int, col: int) -> str:
    """0-based (row, col) to an A1 address."""
    return f"{col_letter(col)}{row + 1}"


def parse_address(ref: str) -> tuple[int, int]:
    """A1 address (``$`` allowed) to 0-based (row, col)."""
    ref = ref.replace("$", "").upper()
    i = 0
    col = 0
    while i < len(ref) and ref[i].isalpha():
        col = col * 26 + ord(ref[i]) - 64
        i += 1
    return int(ref[i:]) - 1, col - 1


@dataclass(frozen=True)
class Label:
    """A fixed text cell of a table: title, header, corner note or row label."""

    kind: str  # title | header | corner | row
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1

    @property
    def address(self) -> str:
        return address(self.row, self.col)

    @property
    def range(self) -> str:
        end = address(self.row + self.rowspan - 1, self.col + self.colspan - 1)
        return self.address if end == self.address else f"{self.address}:{end}"


@dataclass(frozen=True)
class Cell:
    """One number cell of an official table."""

    code: str
    table: str
    section: str
    sheet: str
    row: int
    col: int
    colspan: int
    role: str  # input | total
    type: str  # int | decimal
    row_code: str
    col_code: str
    row_path: tuple[str, ...]
    col_path: tuple[str, ...]
    sum_of: tuple[str, ...] = ()  # codes of the cells a total adds up
    block: int = 0

    @property
    def address(self) -> str:
        return address(self.row, self.col)

    @property
    def row_label(self) -> str:
        return _leaf(self.row_path)

    @property
    def col_label(self) -> str:
        return _leaf(self.col_path)


@dataclass(frozen=True)
class Table:
    id: str
    section: str
    heading: str
    sheet: str
    width: int
    top: int
    bottom: int  # last 0-based sheet row of the table
    labels: tuple[Label, ...]
    cells: tuple[Cell, ...]
    header_rows: tuple[int, ...]  # sheet rows to repeat when printing
    row_codes: tuple[str, ...]
    col_codes: tuple[str, ...]

    def cell(self, row_code: str, col_code: str) -> Cell:
        return self._index[(row_code, col_code)]

    @cached_property
    def _index(self) -> dict[tuple[str, str], Cell]:
        return {(c.row_code, c.col_code): c for c in self.cells}

    @cached_property
    def inputs(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.role == "input")

    @cached_property
    def totals(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.role == "total")


class _AtCell:
    """A single cell on a sheet (0-based ``row``/``col``), addressed A1-style."""

    row: int
    col: int

    @property
    def address(self) -> str:
        return address(self.row, self.col)


@dataclass(frozen=True)
class Narrative(_AtCell):
    code: str
    section: str
    heading: str
    guidance: str
    sheet: str
    row: int  # the input cell; heading and guidance sit on the two rows above
    col: int = 0
    rows: int = 1  # sheet rows the input cell spans (merged), sized for the section's ``length``


@dataclass(frozen=True)
class CoverField(_AtCell):
    code: str
    label: str
    role: str  # fixed (written by the coordinator) | input (typed by the clerk)
    sheet: str
    row: int
    col: int = 1
    means: str = ""  # what the toolkit reads it as: agency | year | contact | phone


@dataclass(frozen=True)
class Section:
    numeral: str
    heading: str
    narrative: str | None = None
    table: str | None = None
    aliases: tuple[str, ...] = ()  # other wordings published reports use for the heading


@dataclass(frozen=True)
class Notice:
    """The notice that issued an edition: 《…的通知》 and its number (国办公开办函〔2021〕30号)."""

    title: str
    number: str


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    kind: str
    description: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Spec:
    id: str
    version: str
    name: str
    title: str
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    narratives: tuple[Narrative, ...]
    cover_sheet: str
    cover: tuple[CoverField, ...]
    rules: tuple[Rule, ...]
    narrative_sheet: str
    label: str  # the edition as messages name it: 2021 年版
    notice: Notice
    law: str  # 《中华人民共和国政府信息公开条例》, the legal basis of every report
    first_year: int  # the first report year the edition applies to
    last_year: int | None  # the last one (None: still in force)
    amount_unit: str  # the unit of every amount (cells of type decimal): 万元
    unit_words: tuple[str, ...]  # words clerks append to a figure (件, 万元 …)
    heading_fillers: tuple[str, ...]  # words published headings add to the format's (的, 行政机关)
    writable: bool = True  # False: an edition kept only to read published reports (no templates)

    def __hash__(self) -> int:
        # Cheap and consistent with ==: the lru_cache'd lookups below hash the spec on every
        # call, and the generated hash walks every label and cell (~0.5 ms each time).
        return hash((self.id, self.version, self.name))

    # --- lookups -------------------------------------------------------------------
    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    @cached_property  # frozen, so computed once (cached_property writes the instance dict)
    def cells(self) -> tuple[Cell, ...]:
        return tuple(c for t in self.tables for c in t.cells)

    @cached_property
    def inputs(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.role == "input")

    @cached_property
    def totals(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.role == "total")

    @cached_property
    def input_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.inputs)

    @cached_property
    def total_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.totals)

    def cell(self, code: str) -> Cell:
        return self._cells_by_code[code]

    @cached_property
    def _cells_by_code(self) -> dict[str, Cell]:
        # Per instance: an lru_cache keyed by the spec compares equal-but-distinct specs
        # (load_spec() and load_spec("gb2021")) field by field on every lookup.
        return {c.code: c for c in self.cells}

    def cover_field(self, code: str) -> CoverField:
        return next(f for f in self.cover if f.code == code)

    def narrative(self, code: str) -> Narrative:
        return next(n for n in self.narratives if n.code == code)

    def quantity(self, cell: Cell) -> str:
        """What a cell holds, in a clerk's words: 件数, or 金额（万元）."""
        return f"金额（{self.amount_unit}）" if cell.type == "decimal" else "件数"

    def cover_code(self, means: str) -> str:
        """The code of the cover field read as ``means`` (agency, year, contact, phone)."""
        return next(f.code for f in self.cover if f.means == means)

    def applies_to(self, year: int) -> bool:
        """Whether reports for ``year`` use this edition."""
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def year_problem(self, year: int) -> str | None:
        """Why a template of this edition cannot be made for ``year`` (None when it can)."""
        if self.applies_to(year) and year <= LAST_PLAUSIBLE_YEAR:
            return None
        span = f"{self.first_year} 年及以后" if self.last_year is None else f"{self.first_year}–{self.last_year} 年"
        return f"年度 {year} 不适用 {self.label}格式（适用于 {span}的年度报告）。"

    @property
    def sheets(self) -> tuple[str, ...]:
        """Visible sheets in workbook order."""
        return (self.cover_sheet, *(t.sheet for t in self.tables), self.narrative_sheet)

    def formula(self, cell: Cell) -> str:
        """The formula of a total cell, without the leading ``=``: one plain SUM."""
        return "SUM(" + ",".join(_ranges([self.cell(c) for c in cell.sum_of])) + ")"

    def report_title(self, agency: str, year: int | str) -> str:
        return self.title.format(agency=agency, year=year)

    @cached_property
    def layout_hash(self) -> str:
        return _layout_hash(self)

    # --- export --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The public description printed by ``toolkit spec --json``."""
        return {
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "layout_hash": self.layout_hash,
            "sheets": list(self.sheets),
            "cells": [
                {
                    "code": c.code,
                    "table": c.section,
                    "sheet": c.sheet,
                    "cell": c.address,
                    "role": c.role,
                    "type": c.type,
                    "row_label": c.row_label,
                    "col_label": c.col_label,
                    "row_path": [p for p in c.row_path if p],
                    "col_path": [p for p in c.col_path if p],
                    **({"formula": "=" + self.formula(c), "sum_of": list(c.sum_of)} if c.role == "total" else {}),
                }
                for c in self.cells
            ],
            "narrative": [
                {"code": n.code, "section": n.section, "heading": n.heading, "sheet": n.sheet, "cell": n.address}
                for n in self.narratives
            ],
            "cover": [
                {"code": f.code, "label": f.label, "role": f.role, "sheet": f.sheet, "cell": f.address}
                for f in self.cover
            ],
            "rules": [{"id": r.id, "severity": r.severity, "description": r.description} for r in self.rules],
        }


def _leaf(path: tuple[str, ...]) -> str:
    return next((p for p in reversed(path) if p), "")


def _layout_hash(spec: Spec) -> str:
    # Everything a reader relies on: sheets, labels and their places, cells, roles, formulas.
    payload = {
        "id": spec.id,
        "sheets": list(spec.sheets),
        "labels": [[t.sheet, lb.kind, lb.text, lb.range] for t in spec.tables for lb in t.labels],
        "cells": [[c.code, c.sheet, c.address, c.role, c.type, spec.formula(c) if c.role == "total" else ""]
                  for c in spec.cells],
        "narrative": [[n.code, n.sheet, n.address] for n in spec.narratives],
        "cover": [[f.code, f.sheet, f.address, f.role] for f in spec.cover],
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _ranges(cells: list[Cell]) -> list[str]:
    """Compress cell addresses into contiguous row or column ranges."""
    out: list[str] = []
    run: list[Cell] = []

    def flush() -> None:
        if run:
            first, last = run[0].address, run[-1].address
            out.append(first if first == last else f"{first}:{last}")

    for c in cells:
        if run and (
            (c.row == run[-1].row and c.col == run[-1].col + run[-1].colspan and all(x.row == c.row for x in run))
            or (c.col == run[-1].col and c.row == run[-1].row + 1 and all(x.col == c.col for x in run))
        ):
            run.append(c)
        else:
            flush()
            run = [c]
    flush()
    return out


# --- loading and layout ----------------------------------------------------------------


def editions() -> list[str]:
    root = resources.files("workbook_templates")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def load_spec(edition: str = DEFAULT_EDITION) -> Spec:
    """Load a format edition from ``workbook_templates/<edition>.yaml`` (once per process: a
    forked worker asking for the edition by name gets the spec its parent loaded as default)."""
    return _load_spec(edition)


@cache
def _load_spec(edition: str) -> Spec:
    return build_spec(edition_data(edition))


def edition_data(edition: str) -> dict[str, Any]:
    """The edition's YAML as plain data (read anew at each call)."""
    if edition not in editions():
        raise ValueError(f"unknown format edition {edition!r}; known: {', '.join(editions())}")
    text = resources.files("workbook_templates").joinpath(f"{edition}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def build_spec(data: dict[str, Any]) -> Spec:
    sections = tuple(Section(**{**s, "aliases": tuple(s.get("aliases", ()))}) for s in data["sections"])
    heading = {s.numeral: s.heading for s in sections}
    tables = tuple(_layout_table(t, heading[t["section"]]) for t in data["tables"])

    nsheet = data["narratives"]["sheet"]
    narratives = []
    row = NARRATIVE_TOP + 2
    for n in data["narratives"]["items"]:
        rows = max(1, -(-n.get("length", 0) // NARRATIVE_ROW_CHARS))
        narratives.append(Narrative(code=n["code"], section=n["section"], heading=heading[n["section"]],
                                    guidance=" ".join(n["guidance"].split()), sheet=nsheet, row=row, rows=rows))
        row += rows + 2
    csheet = data["cover"]["sheet"]
    cover = tuple(
        CoverField(code=f["code"], label=f["label"], role=f["role"], sheet=csheet, row=COVER_FIELDS_TOP + i,
                   means=f.get("means", ""))
        for i, f in enumerate(data["cover"]["fields"])
    )
    rules = tuple(
        Rule(
            id=r["id"],
            severity=r["severity"],
            kind=r["kind"],
            description=r["description"],
            params={k: v for k, v in r.items() if k not in ("id", "severity", "kind", "description")},
        )
        for r in data["rules"]
    )
    spec = Spec(
        id=data["id"],
        version=str(data["version"]),
        name=data["name"],
        title=data["title"],
        sections=sections,
        tables=tables,
        narratives=tuple(narratives),
        cover_sheet=csheet,
        cover=cover,
        rules=rules,
        narrative_sheet=nsheet,
        label=data["label"],
        notice=Notice(**data["notice"]),
        law=data["law"],
        first_year=int(data["years"]["first"]),
        last_year=data["years"].get("last"),
        amount_unit=data["amount_unit"],
        unit_words=tuple(data["unit_words"]),
        heading_fillers=tuple(data["heading_fillers"]),
        writable=data.get("use", "write") == "write",
    )
    _validate(spec)
    return spec


def _layout_table(t: dict[str, Any], heading: str) -> Table:
    blocks = t["blocks"]
    width = max(_label_cols(b) + sum(c.get("span", 1) for c in b["columns"]) for b in blocks)
    labels: list[Label] = []
    cells: list[Cell] = []
    header_rows: list[int] = []
    row = TABLE_TOP
    row_codes: list[str] = []
    col_codes: list[str] = []
    for bi, b in enumerate(blocks):
        lc = _label_cols(b)
        if b.get("title"):
            labels.append(Label("title", b["title"], row, 0, 1, width))
            row += 1
        nh = max(len(c["path"]) for c in b["columns"])
        if bi == 0:
            header_rows.extend(range(TABLE_TOP, row + nh))
        if lc and b.get("corner"):
            labels.append(Label("corner", b["corner"], row, 0, nh, lc))
        col_pos = []
        pos = lc
        for c in b["columns"]:
            col_pos.append(pos)
            pos += c.get("span", 1)
        labels.extend(_header_labels(b["columns"], col_pos, row, nh))
        row += nh
        labels.extend(_row_labels(b["rows"], row, lc))
        by_code = {c["code"]: c for c in b["columns"]}
        for ri, r in enumerate(b["rows"]):
            if r["code"] not in row_codes:
                row_codes.append(r["code"])
            for ci, c in enumerate(b["columns"]):
                if c["code"] not in col_codes:
                    col_codes.append(c["code"])
                if c.get("sum_of"):
                    sum_of = tuple(_code(t["id"], r["code"], x) for x in c["sum_of"])
                elif r.get("sum_of"):
                    sum_of = tuple(_code(t["id"], x, c["code"]) for x in r["sum_of"])
                else:
                    sum_of = ()
                cells.append(
                    Cell(
                        code=_code(t["id"], r["code"], c["code"]),
                        table=t["id"],
                        section=t["section"],
                        sheet=t["sheet"],
                        row=row + ri,
                        col=col_pos[ci],
                        colspan=c.get("span", 1),
                        role="total" if sum_of else "input",
                        type=by_code[c["code"]].get("type", "int"),
                        row_code=r["code"],
                        col_code=c["code"],
                        row_path=tuple(p or "" for p in r["path"]),
                        col_path=tuple(p or "" for p in c["path"]),
                        sum_of=sum_of,
                        block=bi,
                    )
                )
        row += len(b["rows"])
    return Table(
        id=t["id"],
        section=t["section"],
        heading=heading,
        sheet=t["sheet"],
        width=width,
        top=TABLE_TOP,
        bottom=row - 1,
        labels=tuple(labels),
        cells=tuple(cells),
        header_rows=tuple(header_rows),
        row_codes=tuple(row_codes),
        col_codes=tuple(col_codes),
    )


def _label_cols(block: dict[str, Any]) -> int:
    return max(len(r["path"]) for r in block["rows"])


def _code(table: str, row: str, col: str) -> str:
    return "_".join(p for p in (table, row, col) if p)


def _header_labels(columns: list[dict], col_pos: list[int], top: int, nh: int) -> list[Label]:
    """Merge column paths into header cells: equal prefixes across, ``null`` downwards."""
    spans: dict[tuple[int, int], list[int]] = {}  # (depth, first col index) -> [rowspan, colspan]
    owner: dict[tuple[int, int], tuple[int, int]] = {}  # (depth, col index) -> key of its cell
    for depth in range(nh):
        for ci, c in enumerate(columns):
            path = c["path"] + [None] * (nh - len(c["path"]))
            width = c.get("span", 1)
            if path[depth] is None:
                key = owner[(depth - 1, ci)]
                if key[0] + spans[key][0] == depth:  # grow only once per header row
                    spans[key][0] += 1
                owner[(depth, ci)] = key
            elif ci and owner.get((depth, ci - 1)) and owner[(depth, ci - 1)][0] == depth and (
                columns[ci - 1]["path"][: depth + 1] == path[: depth + 1]
            ):
                key = owner[(depth, ci - 1)]
                spans[key][1] += width
                owner[(depth, ci)] = key
            else:
                key = (depth, ci)
                spans[key] = [1, width]
                owner[(depth, ci)] = key
    return [
        Label("header", _path_at(columns[ci]["path"], depth), top + depth, col_pos[ci], rs, cs)
        for (depth, ci), (rs, cs) in spans.items()
    ]


def _row_labels(rows: list[dict], top: int, lc: int) -> list[Label]:
    """Merge row paths into label cells: equal prefixes downwards, ``null`` to the right."""
    out: list[Label] = []
    open_cells: dict[int, list] = {}  # depth -> [text, row, col, rowspan, colspan, prefix]
    for ri, r in enumerate(rows):
        path = r["path"] + [None] * (lc - len(r["path"]))
        depth = 0
        while depth < lc:
            text = path[depth]
            span = 1
            while depth + span < lc and path[depth + span] is None:
                span += 1
            prefix = path[: depth + 1]
            cur = open_cells.get(depth)
            if cur and cur[5] == prefix and cur[1] + cur[3] == top + ri and cur[4] == span:
                cur[3] += 1
            else:
                if cur:
                    out.append(Label("row", cur[0], cur[1], cur[2], cur[3], cur[4]))
                open_cells[depth] = [text, top + ri, depth, 1, span, prefix]
            depth += span
    for cur in open_cells.values():
        out.append(Label("row", cur[0], cur[1], cur[2], cur[3], cur[4]))
    return sorted(out, key=lambda lb: (lb.row, lb.col))


def _path_at(path: list, depth: int) -> str:
    return path[depth]


def _validate(spec: Spec) -> None:
    codes = [c.code for c in spec.cells]
    if len(codes) != len(set(codes)):
        raise ValueError("duplicate cell codes in the format data")
    known = set(codes)
    for c in spec.totals:
        missing = [x for x in c.sum_of if x not in known]
        if missing:
            raise ValueError(f"{c.code} sums unknown cells {missing}")
    for r in spec.rules:  # the cells R8's phrases are compared with
        named = [x for c in r.params.get("claims", ()) for alt in c["cells"] for x in alt]
        named += [x for c in r.params.get("none", ()) for x in c["cells"]]
        unknown = [x for x in named if x not in known]
        if unknown:
            raise ValueError(f"rule {r.id} names unknown cells {unknown}")
