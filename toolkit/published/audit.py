"""Audit a published report: every applicable rule on the figures as printed, located by
table, row label and column label.

The rules are the format's (``toolkit.check.rules.apply``) on the figures read, stated totals
included -- so a 总计 that does not add up is reported (R2–R4), not recomputed away. A table
printed in the 2019 layout is checked with the 2019 edition's rules. A rule that would only
repeat a reading problem (a row that could not be read) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.check import rules
from toolkit.format.spec import Spec, load_spec
from toolkit.model import Finding, Report, status_of
from toolkit.published.doc import ReadError
from toolkit.published.reader import Published, read_published
from toolkit.published.tables import locate, sheet_name

_TABLE_KINDS = ("balance", "totals", "types", "carry_over", "stock")


@dataclass
class Audit:
    file: str
    spec: Spec
    published: Published | None
    findings: list[Finding] = field(default_factory=list)
    error: str = ""  # why the audit could not run (exit code 2)

    @property
    def status(self) -> str:
        return status_of(self.findings, self.published is None)

    @property
    def exit_code(self) -> int:
        return self.report().exit_code

    def report(self) -> Report:
        """The same shape as ``toolkit check --json``; an unreadable report is a failed run."""
        p = self.published
        submission = {
            "file": self.file,
            "agency_id": "",
            "agency": p.agency if p else None,
            "year": p.year if p else None,
            "status": self.status,
            "layout": p.editions() if p else {},
            **({"error": self.error} if self.error else {}),
        }
        return Report.of({"id": self.spec.id, "version": self.spec.version}, [submission], self.findings,
                         year=p.year if p else None, agencies=1 if p and p.agency else 0, failed=p is None)

    def to_dict(self) -> dict[str, Any]:
        return self.report().to_dict()


def audit_report(path: Path, spec: Spec | None = None) -> Audit:
    spec = spec or load_spec()
    path = Path(path)
    try:
        pub = read_published(path, spec)
    except ReadError as e:
        return Audit(file=path.name, spec=spec, published=None, error=str(e))
    return Audit(file=path.name, spec=spec, published=pub, findings=audit_published(pub))


def audit_published(pub: Published) -> list[Finding]:
    """Reading problems, then the rules' findings, each located in the published tables."""
    file = pub.path.name
    out = list(pub.findings)
    main = pub.tables["t3"].edition if "t3" in pub.tables else pub.spec.id
    for edition in sorted(set(pub.editions().values()) | {main}):
        spec = pub.spec if edition == pub.spec.id else load_spec(edition)
        mine = {tid for tid, t in pub.tables.items() if t.edition == edition}
        filled = pub.filled(edition)
        unknown = pub.unknown()
        found = rules.apply(spec, filled) + rules.published_figures(spec, filled)
        for f in found:
            if not _keep(spec, f, mine, edition == main, unknown, pub):
                continue
            out.append(relocate(spec, f, file))
    return out


def _keep(spec: Spec, f: Finding, mine: set[str], narratives: bool, unknown: set[str], pub: Published) -> bool:
    cell = _cell(spec, f.ref)
    if cell is None:  # narrative findings come from the edition of table 三 only
        return narratives
    if cell.table not in mine:
        return False
    if f.code == "R7" and cell.type == "signed":
        return False  # 本年增/减 (2019 table 二) may be negative
    return not (_involved(spec, f, cell) & unknown)


def _cell(spec: Spec, ref: str):
    try:
        return spec.cell(ref) if ref else None
    except KeyError:
        return None


def _involved(spec: Spec, f: Finding, cell) -> set[str]:
    """The cells a table rule's finding depends on."""
    rule = next((r for r in spec.rules if r.id == f.code), None)
    if rule is None or rule.kind not in _TABLE_KINDS:
        return set()
    if rule.kind == "totals":
        return {cell.code, *cell.sum_of}
    if rule.kind == "balance":
        table = spec.table(cell.table)
        return {table.cell(r, cell.col_code).code for r in (*rule.params["lhs"], *rule.params["rhs"])}
    return {cell.code}


def relocate(spec: Spec, f: Finding, file: str) -> Finding:
    """Name a rule finding's place as the published report shows it: table, row and column
    labels instead of the template's sheet names and cell addresses."""
    message = f.message
    for old, new in _renames(spec):
        if old in message:
            message = message.replace(old, new)
    cell = _cell(spec, f.ref)
    if cell is not None and cell.sum_of:
        parts = [spec.cell(x) for x in cell.sum_of]
        table = spec.table(cell.table)
        side = -1 if all(p.row == cell.row for p in parts) else 0  # column labels along a row
        ends = [locate(table, p).split("／")[side] for p in (parts[0], parts[-1])]
        message = message.replace(f"{parts[0].address}～{parts[-1].address}", f"“{ends[0]}”至“{ends[1]}”")
    if cell is not None:
        table = spec.table(cell.table)
        return replace(f, message=message, file=file, sheet=sheet_name(table), cell=locate(table, cell))
    n = next((n for n in spec.narratives if n.code == f.ref), None)
    if n is not None:
        return replace(f, message=message, file=file, sheet=n.heading, cell=n.heading)
    return replace(f, message=message, file=file)


@cache
def _renames(spec: Spec) -> tuple[tuple[str, str], ...]:
    """How toolkit.check.rules names a place in a workbook -> how a published report shows it."""
    out = []
    for c in spec.cells:
        table = spec.table(c.table)
        label = rules.label(spec, c)
        here = f"{sheet_name(table)}“{locate(table, c)}”"
        out.append((rules.where(spec, c), here))
        out.append((f"“{c.sheet}”{c.address}（{label}）", here))
    for n in spec.narratives:
        out.append((f"“{n.sheet}”工作表 {n.address} 单元格（{n.heading}）", f"第{n.section}部分“{n.heading}”"))
    return tuple(out)
