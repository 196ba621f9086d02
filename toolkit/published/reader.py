"""A published report, read: agency, year, the three tables (per table, in the edition it
uses), the narrative sections, and every problem met while reading.

The stages: file -> rows (doc) -> section headings and table regions (sections) -> per table,
segments (tokens) -> cells (tables). Each table is read against the 2021 format and, where the
data declares it, the 2019 format; the better fit wins, so a report that kept the old table
二 is read as such and the outdated layout is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from toolkit import catalogue
from toolkit.check import rules
from toolkit.format.labels import published_key
from toolkit.format.spec import DEFAULT_EDITION, Spec, Table, editions, load_spec
from toolkit.model import Filled, Finding
from toolkit.published import flat, sections
from toolkit.published.doc import Doc, ReadError, Row, read_document
from toolkit.published.tables import NO_FIGURE, TableRead, decide, read_table, row_groups, sheet_name
from toolkit.published.tokens import number, segments, tokenize


@dataclass
class Published:
    path: Path
    doc: Doc
    spec: Spec  # the current format
    agency: str | None
    year: int | None
    tables: dict[str, TableRead] = field(default_factory=dict)  # by table id, only those found
    narratives: dict[str, str] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def editions(self) -> dict[str, str]:
        return {tid: t.edition for tid, t in self.tables.items()}

    def stated(self, edition: str) -> dict[str, int | Decimal | None]:
        """Every figure read from the tables in ``edition``'s layout, totals included, by code."""
        return {code: r.value for t in self.tables.values() if t.edition == edition
                for code, r in t.readings.items()}

    def unknown(self) -> set[str]:
        """Cells whose figure could not be read (row missing, unreadable, ambiguous)."""
        return {code for t in self.tables.values() for code, r in t.readings.items()
                if r.status in ("missing", "unreadable", "ambiguous")}

    def filled(self, edition: str | None = None, *, totals: bool = True) -> Filled:
        """The report as plain data in ``edition``'s codes (default the current format).

        Only cells of that edition are filled: importing a 2019-layout table keeps the figures
        whose cells the two editions share (same code = same definition in the format data)."""
        spec = load_spec(edition) if edition else self.spec
        codes = {c.code: c for c in spec.cells}
        values: dict[str, int | float | Decimal | None] = {}
        for t in self.tables.values():
            for code, r in t.readings.items():
                cell = codes.get(code)
                if cell is not None and (totals or cell.role == "input"):
                    values[code] = r.value
        return Filled(agency=self.agency or "", year=self.year, values=values,
                      narratives=dict(self.narratives), contact=dict(self.contact))


def read_published(path: Path, spec: Spec | None = None) -> Published:
    """Read a published report; raises ReadError when it is not one or its tables are missing."""
    spec = spec or load_spec(DEFAULT_EDITION)
    doc = read_document(Path(path))
    return read_doc(doc, spec)


def read_doc(doc: Doc, spec: Spec) -> Published:
    """Read the rows as they are; a text whose headings or tables are not all found that way is
    also read as flattened text (:mod:`toolkit.published.flat`), and the better reading kept."""
    try:
        pub: Published | None = _read_rows(doc, spec)
        problem = None
    except ReadError as e:
        pub, problem = None, e
    if doc.kind in ("text", "pdf", "html") and (pub is None or not _complete(pub)):
        rows = flat.unflatten(spec, doc)
        if rows is not None:
            try:
                other = _read_rows(rows, spec)
            except ReadError:
                other = None
            if other is not None and (pub is None or _quality(other) > _quality(pub)):
                return other
    if pub is None:
        assert problem is not None
        raise problem
    return pub


def _complete(pub: Published) -> bool:
    return len(pub.tables) == len(pub.spec.tables) and not any(
        f.code in ("pub_section_missing", "pub_row_missing") for f in pub.findings)


def _quality(pub: Published) -> tuple[int, int, int]:
    missing = sum(1 for f in pub.findings if f.code in ("pub_section_missing", "pub_row_missing"))
    return len(pub.tables), -missing, -len(pub.unknown())


def _read_rows(doc: Doc, spec: Spec) -> Published:
    file = doc.path.name
    rows = doc.rows
    heads = sections.find_headings(spec, rows)
    before = sum(1 for r in rows[:heads[0].row] if r.text.strip()) if heads else 0
    agency, year = sections.find_title(spec, rows, doc.title, limit=max(12, before))
    if year is None:
        year = sections.stats_year(rows)
    pub = Published(path=doc.path, doc=doc, spec=spec, agency=agency, year=year)
    at = {h.numeral: h for h in heads}
    starts = _table_starts(spec, rows, heads)
    for t in spec.tables:
        if t.id not in starts:
            continue
        begin, end = starts[t.id]
        read = _read_best(spec, t, rows[begin:end], file)
        if read is not None:
            pub.tables[t.id] = read
    if not pub.tables:
        what = "没有找到报告的章节标题" if not heads else "找到了章节标题，但没有找到表二、表三、表四中的任何一张表格"
        raise ReadError(
            f"{file} 不是可读取的政府信息公开工作年度报告：{what}。"
            "请确认文件是完整的年度报告正文（含“二、主动公开政府信息情况”等三张统计表），"
            "网页请保存完整页面或复制全文为文本，扫描版 PDF 请先进行文字识别。"
        )
    for t in spec.tables:
        tr = pub.tables.get(t.id)
        if tr is None:
            pub.findings.append(catalogue.finding("pub_section_missing", "table", file=file, sheet=sheet_name(t),
                                                  cell=t.heading))
            continue
        pub.findings.extend(_layout_findings(pub, t, tr, file))
        pub.findings.extend(tr.findings)
    _narratives(pub, spec, rows, heads, starts, file)
    _tie_break(pub, file)
    for h in heads:
        if not h.standard:
            s = next(s for s in spec.sections if s.numeral == h.numeral)
            pub.findings.append(catalogue.finding("pub_heading_nonstandard", numeral=h.numeral, found=rows[h.row].text,
                                                  file=file, sheet=s.heading, cell=rows[h.row].text))
        elif not h.numbered:
            s = next(s for s in spec.sections if s.numeral == h.numeral)
            pub.findings.append(catalogue.finding("pub_heading_unnumbered", numeral=h.numeral, found=rows[h.row].text,
                                                  file=file, sheet=s.heading, cell=rows[h.row].text))
    lead_end = at["一"].row if "一" in at else min((b for b, _ in starts.values()), default=len(rows))
    pub.contact = sections.contact(spec, rows[:lead_end])
    return pub


# --- tables ----------------------------------------------------------------------------------


@cache
def _edition_before(edition: str) -> Spec | None:
    """The edition in force before ``edition`` (tables that kept it are read with it), if any."""
    first = load_spec(edition).first_year
    older = [s for s in map(load_spec, editions()) if s.last_year is not None and s.last_year < first]
    return max(older, key=lambda s: s.first_year, default=None)


def _read_best(spec: Spec, table: Table, rows: list[Row], file: str) -> TableRead | None:
    segs = segments(tokenize(rows))
    best = read_table(table, spec.id, segs, file)
    old = _edition_before(spec.id)
    if old is not None and any(t.id == table.id for t in old.tables) and best.score < _full_score(table):
        other = read_table(old.table(table.id), old.id, segs, file)
        if other.score > best.score:
            best = other
    return best if best.found else None


def _full_score(table: Table) -> int:
    """A reading's score when every row and every header label was found (no other edition can beat it)."""
    return len(row_groups(table)) + sum(1 for lb in table.labels if lb.kind in ("header", "title", "corner"))


def _layout_findings(pub: Published, t: Table, tr: TableRead, file: str) -> list[Finding]:
    out = []
    if tr.edition != pub.spec.id:
        spec, old = pub.spec, load_spec(tr.edition)
        current_year = pub.year is None or pub.year >= spec.first_year
        out.append(catalogue.finding(
            "pub_old_layout", "" if current_year else "earlier", severity=None if current_year else "info",
            file=file, sheet=sheet_name(t), cell=t.heading, expected=pub.spec.id, actual=tr.edition,
            old_label=old.label, old_notice=old.notice.number, first_year=spec.first_year, label=spec.label,
            notice=spec.notice.number))
    if tr.labels_missing:
        out.append(catalogue.finding("pub_header", labels="”“".join(tr.labels_missing),
                                     file=file, sheet=sheet_name(t), cell="表头", expected=tr.labels_missing))
    return out


def _table_starts(spec: Spec, rows: list[Row], heads: list[sections.Heading]) -> dict[str, tuple[int, int]]:
    """Each table's region of rows: from its heading (or, lacking one, its first header label)
    to the next section heading."""
    at = {h.numeral: h.row for h in heads}
    marks = sorted(at.values())
    out: dict[str, tuple[int, int]] = {}
    for t in spec.tables:
        begin = at.get(t.section)
        if begin is None:
            lo = max((at[s.numeral] for s in spec.sections if s.numeral in at and _before(spec, s.numeral, t.section)),
                     default=-1) + 1
            begin = _first_label_row(spec, t, rows, lo, _next_mark(marks, lo - 1, len(rows)))
            if begin is None:
                continue
        out[t.id] = (begin, _next_mark(marks, begin, len(rows)))
    # A table found by its labels ends where the next table begins.
    ordered = sorted(out.items(), key=lambda kv: kv[1][0])
    for (tid, (b, e)), (_, (b2, _)) in zip(ordered, ordered[1:]):
        if b2 < e:
            out[tid] = (b, b2)
    return out


def _before(spec: Spec, a: str, b: str) -> bool:
    order = [s.numeral for s in spec.sections]
    return order.index(a) < order.index(b)


def _next_mark(marks: list[int], after: int, default: int) -> int:
    return next((m for m in marks if m > after), default)


def _first_label_row(spec: Spec, t: Table, rows: list[Row], lo: int, hi: int) -> int | None:
    """The first row (in lo..hi) showing one of the table's title or header labels."""
    wanted = [published_key(lb.text) for lb in t.labels if lb.kind in ("title", "header", "corner")]
    old = _edition_before(spec.id)
    if old is not None and any(x.id == t.id for x in old.tables):
        wanted += [published_key(lb.text) for lb in old.table(t.id).labels if lb.kind in ("title", "header", "corner")]
    wanted = [w for w in wanted if len(w) >= 4]
    for i in range(lo, hi):
        k = published_key(rows[i].text)
        if k and (rows[i].bound or len(k) <= 60) and any(w in k for w in wanted):
            return i
    return None


# --- narrative sections -------------------------------------------------------------------------


def _narratives(pub: Published, spec: Spec, rows: list[Row], heads: list[sections.Heading],
                starts: dict[str, tuple[int, int]], file: str) -> None:
    at = {h.numeral: h.row for h in heads}
    bounds = sorted({*at.values(), *(b for b, _ in starts.values())})
    ranges = {}
    for n in spec.narratives:
        if n.section in at:
            begin = at[n.section] + 1
            ranges[n.code] = (begin, next((b for b in bounds if b >= begin), len(rows)))
    wrap = None
    if pub.doc.kind in ("text", "pdf"):
        wrap = sections.wrap_width([r for b, e in ranges.values() for r in rows[b:e]])
    for n in spec.narratives:
        if n.section not in at:
            pub.narratives[n.code] = ""
            pub.findings.append(catalogue.finding("pub_section_missing", file=file, sheet=n.heading, cell=n.heading,
                                                  ref=n.code))
            continue
        begin, end = ranges[n.code]
        pub.narratives[n.code] = sections.narrative(rows[begin:end], wrap=wrap)


# --- the narrative as a tie-breaker -------------------------------------------------------------


def _tie_break(pub: Published, file: str) -> None:
    """A row the table's arithmetic left with several readings, read the one way that agrees with
    every figure the narrative quotes about it (R8's phrases) -- reported, and only when some
    quoted figure bears on the row."""
    for tr in pub.tables.values():
        if not tr.undecided:
            continue
        quotes = rules.quoted_figures(load_spec(tr.edition), pub.narratives)
        known = {code: r.value for t in pub.tables.values() if t.edition == tr.edition
                 for code, r in t.readings.items() if r.status not in NO_FIGURE}
        for row in list(tr.undecided):
            pending, row_name, raw = row
            fits = [_agrees(pending.codes, cand, known, quotes) for cand in pending.candidates]
            agreeing = [i for i, (ok, used) in enumerate(fits) if ok and used]
            if len(agreeing) != 1 or sum(1 for ok, _ in fits if ok) != 1:
                continue
            pieces = pending.candidates[agreeing[0]]
            others = [c for c in pending.candidates if c is not pieces]
            telling = [q for q in fits[agreeing[0]][1]
                       if any(not _agrees(pending.codes, c, known, [q])[0] for c in others)]
            said = "、".join(f"{q.what}{q.value}件" for q in telling)
            finding = catalogue.finding(
                "pub_run_together", "narrative", row=row_name, raw=raw, pieces=" ".join(pieces), quote=said,
                splits="；".join(" ".join(c) for c in pending.candidates[:3]), file=file,
                sheet=sheet_name(tr.table), cell=row_name, ref=pending.codes[0], actual=raw)
            before = next(f for f in tr.findings if f.code == "pub_ambiguous" and f.ref == pending.codes[0])
            decide(tr, row, pieces, finding)
            pub.findings = [finding if f is before else f for f in pub.findings]


def _agrees(codes: list[str], pieces: list[str], known: dict, quotes: list[rules.Quoted]) -> tuple[bool, list[rules.Quoted]]:
    """Whether a reading of a row agrees with every quoted figure that bears on it, and those."""
    values = {**known, **{c: number(x) or 0 for c, x in zip(codes, pieces)}}
    used: list[rules.Quoted] = []
    for q in quotes:
        alts = [a for a in q.alternatives if set(a) & set(codes) and all(values.get(c) is not None for c in a)]
        if not alts:
            continue
        if not any(sum(values[c] for c in a) == q.value for a in alts):
            return False, used
        used.append(q)
    return True, used
