"""Generate an inbox of N agencies' returned workbooks for the benchmark (cached).

Every workbook is written through the toolkit's own template writer, pre-filled
(``build_workbook(values=, narratives=, contact=)``): it carries exact cached results for
every total and every live check, as a spreadsheet program saves them after the clerk typed
the figures. Figures are random but satisfy the rules (R1-R4, R7); narratives quote them
(R8) and report the processing fee (R9).

About 5% of the agencies get a fault. Faults that are only a matter of *which* values are
filled in (an unbalanced column, blanks, a fractional count, an empty or inconsistent
narrative, another year's stamp, duplicates, agencies off the roster or missing) go through the
same writer, which computes the cached totals from those values. Faults that change a cell's
kind (text typed into a number cell, a number typed over a total, an edited formula, an
inserted row, a negative count) are made by LibreOffice (``toolkit.office.driver.Office``): it opens
the pre-filled workbook, the change is typed, LibreOffice recalculates only what depends on
it, as Excel or WPS do, and saves the whole file in its own XML dialect. Hand-patching cached
values into the XML would be guesswork about what a real program writes; LibreOffice at
~0.2 s per file is affordable for the fault subset only.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

import narrative  # noqa: E402

from toolkit.format import compute  # noqa: E402
from toolkit.format.spec import Spec, load_spec  # noqa: E402
from toolkit.model import Agency
from toolkit.template.workbook import build_workbook  # noqa: E402

GENERATOR_VERSION = "1"
YEAR = 2024
FAULT_SHARE = 0.05

# Fault kinds in the order they are handed out (library and LibreOffice kinds interleaved, so
# that even a small N gets both). kind -> (maker, finding codes collect must report).
FAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "r1_unbalanced": ("library", ("R1",)),
    "text_in_number": ("office", ("input_text",)),
    "blank_cells": ("library", ("input_blank",)),
    "total_overwritten": ("office", ("total_overwritten",)),
    "narrative_empty": ("library", ("narrative_empty",)),
    "formula_altered": ("office", ("formula_altered",)),
    "r8_figure": ("library", ("R8",)),
    "row_inserted": ("office", ("layout_shifted",)),
    "r9_fee": ("library", ("R9",)),
    "negative": ("office", ("R7",)),
    "fraction": ("library", ("R7",)),
    "year_mismatch": ("library", ("year_mismatch",)),
    "duplicate": ("library", ("agency_duplicate",)),
    "unknown_agency": ("library", ("agency_unknown",)),
    "missing": ("library", ()),  # on the roster, no file: collect lists it as missing
}

# Shares of applicants and of outcomes, by the format's column/row codes (unknown codes: small).
COLUMN_SHARE = {"natural": 0.85, "commercial": 0.07, "research": 0.005, "nonprofit": 0.01, "legal": 0.04,
                "other": 0.025}
RESULT_SHARE = {"granted": 0.42, "partial": 0.10, "denied_secret": 0.003, "denied_law": 0.01,
                "denied_safety": 0.005, "denied_third_party": 0.02, "denied_internal": 0.01,
                "denied_process": 0.015, "denied_enforcement": 0.01, "denied_inquiry": 0.03,
                "unable_not_held": 0.20, "unable_not_existing": 0.02, "unable_unclear": 0.01,
                "rejected_petition": 0.03, "rejected_repeat": 0.02, "rejected_publication": 0.005,
                "rejected_massive": 0.005, "rejected_confirm": 0.003, "other_overdue": 0.03,
                "other_unpaid": 0.003, "other_other": 0.04}


@dataclass
class Planned:
    """One file (or one roster entry without a file) of the generated inbox."""

    index: int
    agency_id: str
    agency: str
    file: str  # relative to the inbox; "" for a missing agency
    fault: str = ""
    maker: str = "library"  # library | office
    expects: tuple[str, ...] = ()
    on_roster: bool = True


@dataclass
class Inbox:
    root: Path
    n: int
    year: int
    files: list[dict] = field(default_factory=list)

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def roster(self) -> Path:
        return self.root / "roster.csv"


# --- figures -------------------------------------------------------------------------------------------


def figures(spec: Spec, rng: random.Random) -> dict[str, int | float]:
    """Every input cell of one agency: realistic sizes, R1 holding per column of 表三."""
    values: dict[str, int | float] = {c.code: 0 for c in spec.inputs}
    _table2(spec, rng, values)
    applications = 0 if rng.random() < 0.15 else min(6000, int(rng.lognormvariate(3.2, 1.3)))
    _table3(spec, rng, values, applications)
    _table4(spec, rng, values, applications)
    return values


def _table2(spec: Spec, rng: random.Random, values: dict) -> None:
    t2 = spec.table("t2")
    stock_rule = spec.rule("R6").params
    for row in t2.row_codes:
        cells = {c.col_code: c for c in t2.inputs if c.row_code == row}
        if row in stock_rule["rows"]:
            issued = rng.randint(0, 2) if row == "regulation" and rng.random() < 0.1 else \
                rng.randint(0, 12) if row != "regulation" else 0
            repealed = rng.randint(0, max(0, issued // 2 + 1)) if issued or rng.random() < 0.3 else 0
            values[cells[stock_rule["plus"]].code] = issued
            values[cells[stock_rule["minus"]].code] = repealed
            values[cells[stock_rule["stock"]].code] = issued + rng.randint(0, 60 if row != "regulation" else 5)
            continue
        for c in cells.values():
            if c.type == "decimal":
                values[c.code] = 0 if rng.random() < 0.6 else round(rng.lognormvariate(3.0, 1.5), 2)
            else:
                median = {"license": 5.7, "penalty": 3.9, "enforcement": 1.6}.get(row, 1.0)
                values[c.code] = 0 if rng.random() < 0.25 else int(rng.lognormvariate(median, 1.4))


def _table3(spec: Spec, rng: random.Random, values: dict, applications: int) -> None:
    t3 = spec.table("t3")
    r1 = spec.rule("R1").params
    (new, carried_in), (closed, carried_out) = r1["lhs"], r1["rhs"]
    columns = [c for c in t3.col_codes if t3.cell(new, c).role == "input"]
    results = [spec.cell(code).row_code for code in t3.cell(closed, columns[0]).sum_of]
    weights = [RESULT_SHARE.get(r, 0.005) for r in results]
    for col in columns:
        n = round(applications * COLUMN_SHARE.get(col, 0.01) * rng.uniform(0.5, 1.5))
        counts = dict.fromkeys(results, 0)
        for r in rng.choices(results, weights, k=n):
            counts[r] += 1
        for r, k in counts.items():
            values[t3.cell(r, col).code] = k
        came_in = round(n * rng.uniform(0, 0.06))
        goes_out = round(n * rng.uniform(0, 0.06))
        fresh = n + goes_out - came_in
        values[t3.cell(carried_in, col).code] = came_in
        values[t3.cell(carried_out, col).code] = goes_out
        values[t3.cell(new, col).code] = fresh


def _table4(spec: Spec, rng: random.Random, values: dict, applications: int) -> None:
    t4 = spec.table("t4")
    review = round(applications * rng.uniform(0, 0.08))
    for total, share in zip(t4.totals, (1.0, 0.3, 0.2)):
        parts = [spec.cell(code) for code in total.sum_of]
        for p in rng.choices(parts, (0.45, 0.15, 0.25, 0.15), k=round(review * share * rng.uniform(0.3, 1))):
            values[p.code] += 1


# --- planning ----------------------------------------------------------------------------------------


def plan(n: int, seed: int, office: bool) -> list[Planned]:
    """Which agency gets which fault and file name. Without LibreOffice its kinds are left out."""
    rng = random.Random(seed)
    kinds = [k for k, (maker, _) in FAULTS.items() if office or maker == "library"]
    n_faults = min(n, max(2, round(n * FAULT_SHARE)))
    faulty = sorted(rng.sample(range(n), n_faults))
    out = []
    for i in range(n):
        agency_id = f"ag{i:05d}"
        name = narrative.agency_name(i)
        # A third of the clerks name the file after the report, as they save it.
        file = f"{name}{YEAR}年政府信息公开工作年度报告.xlsx" if i % 3 == 2 else f"{agency_id}.xlsx"
        out.append(Planned(i, agency_id, name, file))
    for k, i in enumerate(faulty):
        kind = kinds[k % len(kinds)]
        maker, expects = FAULTS[kind]
        p = out[i]
        p.fault, p.maker, p.expects = kind, maker, expects
        if kind == "missing":
            p.file = ""
        elif kind == "unknown_agency":
            p.on_roster = False
    for p in [p for p in out if p.fault == "duplicate"]:  # an earlier, faulty save of the same report
        out.append(Planned(p.index, p.agency_id, p.agency, f"{p.agency_id}（旧版）.xlsx", "duplicate_old",
                           "library", ("agency_duplicate", "R1")))
    return out


# --- writing -------------------------------------------------------------------------------------------


def content(spec: Spec, p: Planned, seed: int) -> dict:
    """The pre-filled content of one planned file, its library fault applied."""
    rng = random.Random(f"{seed}/{p.index}")
    values: dict = figures(spec, rng)
    quote_new = None
    year = YEAR
    t3 = spec.table("t3")
    r1 = spec.rule("R1").params
    if p.fault in ("r1_unbalanced", "duplicate_old"):
        code = t3.cell(r1["rhs"][1], t3.col_codes[0]).code
        values[code] += 1
    elif p.fault == "blank_cells":
        for c in rng.sample([c for c in spec.inputs if c.table == "t3"], 3):
            values[c.code] = None
    elif p.fault == "fraction":
        code = rng.choice([c.code for c in spec.inputs if c.table == "t4"])
        values[code] += 0.5
    elif p.fault == "r8_figure":
        quote_new = None  # set below, once the totals are known
    elif p.fault == "year_mismatch":
        year = YEAR - 1
    shown = compute.full(spec, {k: v or 0 for k, v in values.items()})
    if p.fault == "r8_figure":
        quote_new = shown["t3_new_total"] + rng.randint(3, 20)
    texts = narrative.narratives(rng, year, narrative.department_field(p.index), shown, quote_new)
    if p.fault == "narrative_empty":
        texts["problems"] = ""
    elif p.fault == "r9_fee":
        texts["other_matters"] = "本年度无其他需要报告的事项。"
    return {"values": values, "narratives": texts, "year": year,
            "contact": narrative.contact(rng, f"{510 + p.index % 400}")}


def _write_library(job: tuple) -> str:
    edition, root, p_dict, seed = job
    spec = load_spec(edition)
    p = Planned(**p_dict)
    c = content(spec, p, seed)
    data = build_workbook(spec, Agency(p.agency_id, p.agency), c["year"], values=c["values"],
                          narratives=c["narratives"], contact=c["contact"])
    path = Path(root) / p.file
    path.write_bytes(data)
    return p.file


def office_edit(spec: Spec, p: Planned, values: dict, rng: random.Random) -> tuple[dict, list]:
    """The cells LibreOffice types (by (sheet, address)) and further actions, for a fault."""
    from toolkit.office.driver import Formula, insert_rows

    t3, t4 = spec.table("t3"), spec.table("t4")
    if p.fault == "text_in_number":
        cell = rng.choice([c for c in spec.inputs if c.table == "t2"])
        return {(cell.sheet, cell.address): rng.choice(["无", "/", "0件"])}, []
    if p.fault == "total_overwritten":
        cell = t3.cell(spec.rule("R1").params["rhs"][0], t3.col_codes[-1])
        shown = compute.full(spec, values)[cell.code]
        return {(cell.sheet, cell.address): shown + rng.randint(1, 5)}, []
    if p.fault == "formula_altered":
        cell = rng.choice(t4.totals)
        parts = [spec.cell(code) for code in cell.sum_of]
        return {(cell.sheet, cell.address): Formula(f"=SUM({parts[0].address}:{parts[-2].address})")}, []
    if p.fault == "row_inserted":
        row = rng.choice([c.row for c in t3.inputs])
        return {}, [insert_rows(t3.sheet, row + 1)]
    if p.fault == "negative":
        cell = rng.choice([c for c in t4.inputs])
        return {(cell.sheet, cell.address): -1}, []
    raise ValueError(p.fault)


def _write_office(office, spec: Spec, root: Path, p: Planned, seed: int, tmp: Path) -> None:
    c = content(spec, p, seed)
    src = tmp / f"{p.agency_id}.prefilled.xlsx"
    src.write_bytes(build_workbook(spec, Agency(p.agency_id, p.agency), c["year"], values=c["values"],
                                   narratives=c["narratives"], contact=c["contact"]))
    cells, actions = office_edit(spec, p, c["values"], random.Random(f"{seed}/{p.index}/office"))
    office.fill(src, root / p.file, cells, recalc=False, actions=actions)


def cache_key(n: int, seed: int, office: bool) -> str:
    """Changes when the generator, the template writer or the format changes."""
    spec = load_spec()
    h = hashlib.sha256(f"{GENERATOR_VERSION}/{n}/{seed}/{office}/{spec.layout_hash}/{spec.version}".encode())
    for source in (ROOT / "generate.py", ROOT / "narrative.py", ROOT.parent / "toolkit" / "template" / "workbook.py"):
        h.update(source.read_bytes())
    return h.hexdigest()[:12]


def generate(n: int, cache: Path, *, seed: int = 2024, office: bool = True, workers: int = 2,
             log=print) -> Inbox:
    """The inbox for ``n`` agencies under ``cache`` (reused when its key matches)."""
    key = cache_key(n, seed, office)
    root = Path(cache) / f"inbox-{n}-{key}"
    manifest = root / "manifest.json"
    if manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        return Inbox(root, n, data["year"], data["files"])
    Path(cache).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"inbox-{n}-", dir=cache))
    try:
        (work / "inbox").mkdir()
        planned = plan(n, seed, office)
        spec = load_spec()
        lib = [p for p in planned if p.file and p.maker == "library"]
        jobs = [(spec.id, str(work / "inbox"), asdict(p), seed) for p in lib]
        log(f"  generating {len(lib)} workbooks through the template writer ...")
        if workers > 1:
            with ProcessPoolExecutor(workers) as pool:
                list(pool.map(_write_library, jobs, chunksize=16))
        else:
            list(map(_write_library, jobs))
        by_office = [p for p in planned if p.file and p.maker == "office"]
        if by_office:
            from toolkit.office.driver import Office

            log(f"  generating {len(by_office)} faulty workbooks through LibreOffice ...")
            with Office() as lo, tempfile.TemporaryDirectory(prefix="bench_lo_") as tmp:
                for p in by_office:
                    _write_office(lo, spec, work / "inbox", p, seed, Path(tmp))
        roster = ["id,name"] + [f"{p.agency_id},{p.agency}" for p in planned
                                if p.on_roster and p.fault != "duplicate_old"]
        (work / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
        files = [asdict(p) for p in planned]
        (work / "manifest.json").write_text(json.dumps({"n": n, "year": YEAR, "seed": seed, "office": office,
                                                        "files": files}, ensure_ascii=False, indent=0),
                                            encoding="utf-8")
        if root.exists():
            shutil.rmtree(root)
        os.replace(work, root)
        for stale in Path(cache).glob(f"inbox-{n}-*"):  # older generations of this N
            if stale != root and (stale / "manifest.json").exists():
                shutil.rmtree(stale, ignore_errors=True)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return Inbox(root, n, YEAR, files)
