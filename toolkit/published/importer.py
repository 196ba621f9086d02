"""Import a published report into a filled workbook of the current template.

The workbook is written by ``toolkit.template.workbook.build_workbook`` (correct cached totals), so
``check``, ``report`` and ``collect --previous`` accept it like any returned template. Only
inputs are imported; totals are recomputed there. Where the report's printed totals disagree
with their parts, the audit findings returned alongside say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import catalogue
from toolkit.collect.roster import RosterError, validate_id
from toolkit.format.spec import Spec, load_spec
from toolkit.model import Agency, Finding
from toolkit.published.audit import audit_published
from toolkit.published.doc import ReadError
from toolkit.published.reader import Published, read_published
from toolkit.published.tables import locate, sheet_name
from toolkit.template.workbook import build_workbook


class ImportProblem(ReadError):
    """The report was read but cannot become a workbook without more information."""


@dataclass
class Imported:
    published: Published
    agency: Agency
    year: int
    values: dict
    findings: list[Finding] = field(default_factory=list)
    data: bytes = b""


def import_report(path: Path, *, spec: Spec | None = None, agency_id: str | None = None,
                  year: int | None = None, agency_name: str | None = None) -> Imported:
    """Read, map to the current format and build the workbook bytes (nothing is written here)."""
    spec = spec or load_spec()
    pub = read_published(Path(path), spec)
    name = (agency_name or pub.agency or "").strip()
    file = pub.path.name
    if not name:
        raise ImportProblem(f"{file}：无法从标题中识别单位名称。请用 --agency 指定单位名称。")
    year = year or pub.year
    if not year:
        raise ImportProblem(f"{file}：无法从标题或编制说明中识别报告年度。请用 --year 指定年度。")
    aid = agency_id or default_id(name)
    try:
        aid = validate_id(aid)
    except RosterError as e:
        hint = "" if agency_id else f"单位名称“{name}”不能直接用作单位编号，"
        raise ImportProblem(f"{file}：{hint}{e} 请用 --agency-id 指定单位编号（如 --agency-id huaian-gov）。") from None
    pub.agency = name
    pub.year = year
    filled = pub.filled(totals=False)
    values = {c.code: filled.values.get(c.code) for c in spec.inputs}
    findings = audit_published(pub) + _unmapped(pub, spec)
    findings = [f if f.agency_id else _with_agency(f, aid) for f in findings]
    data = build_workbook(spec, Agency(aid, name), year, values=values, narratives=filled.narratives,
                          contact=filled.contact)
    return Imported(published=pub, agency=Agency(aid, name), year=year, values=values, findings=findings, data=data)


def default_id(name: str) -> str:
    """The agency name itself, when it is a safe id (Chinese names are); spaces dropped."""
    return re.sub(r"\s+", "", name)


def _with_agency(f: Finding, aid: str) -> Finding:
    from dataclasses import replace

    return replace(f, agency_id=aid)


def _unmapped(pub: Published, spec: Spec) -> list[Finding]:
    """For each table read in another edition: its figures with no cell of the same code in the
    current format, and the current format's inputs left blank for want of a source."""
    out = []
    codes = {c.code for c in spec.cells}
    for tid, tr in pub.tables.items():
        if tr.edition == spec.id:
            continue
        lost = [c for c in tr.table.cells if c.code not in codes and c.role == "input"
                and tr.readings.get(c.code) is not None and tr.readings[c.code].value is not None]
        source = {c.code for c in tr.table.cells}
        blank = [c for c in spec.table(tid).inputs if c.code not in source]
        if not lost and not blank:
            continue
        parts = []
        old = load_spec(tr.edition)
        if lost:
            shown = "、".join(f"{locate(tr.table, c)} {tr.readings[c.code].value}" for c in lost[:12])
            more = f"等 {len(lost)} 项" if len(lost) > 12 else ""
            parts.append(f"{old.label}的 {shown}{more} 在 {spec.label}中没有对应项，未导入")
        if blank:
            rows = []
            for c in blank:
                r = locate(spec.table(tid), c).split("／")[0]
                if r not in rows:
                    rows.append(r)
            parts.append(f"{spec.label}的“{'”“'.join(rows)}”在原表中没有对应项，已留空，请按 {spec.label}口径补填")
        out.append(catalogue.finding("pub_not_mapped", notes="；".join(parts), old_label=old.label,
                                     file=pub.path.name, sheet=sheet_name(tr.table), cell=locate(tr.table, (lost or blank)[0])
                           if lost else locate(spec.table(tid), blank[0]), ref=(lost or blank)[0].code))
    return out
