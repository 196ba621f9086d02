"""`make bench`: time the real CLI at provincial scale against a straightforward baseline.

    .venv/bin/python benchmarks/bench.py                    # N = 100 and 1,000
    .venv/bin/python benchmarks/bench.py --large            # and 10,000 (make bench N=10000)
    .venv/bin/python benchmarks/bench.py --n 20 --out /tmp/b --results /tmp/b/RESULTS.md

For each N: generate (or reuse from benchmarks/.cache/) an inbox of N returned workbooks,
about 5% with faults (benchmarks/generate.py); then run, each as its own subprocess of the
real `toolkit` CLI, measured by benchmarks/measure.py (wall, CPU, peak memory including pool
workers): `template` for the N agencies, `collect --no-docx`, `collect` with DOCX, and
`collect` with DOCX on one worker. The last two must write identical outputs. The baseline
(benchmarks/baseline.py: openpyxl twice, plain-Python checks, python-docx cell by cell) runs
as a subprocess too, on an evenly spaced sample of the same files. Finally a cProfile of the
template writer, the checker and the DOCX renderer in one process, and RESULTS.md.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import measure  # noqa: E402

BIN = Path(sys.executable).parent
TOOLKIT = str(BIN / "toolkit")
LIBS = ("xlsxwriter", "openpyxl", "python-docx", "pandas", "lxml", "defusedxml", "zlib-ng", "typer", "PyYAML")
TARGETS = {"template_ms": 5.0, "collect_ms": 2.0, "collect_docx_ms": 10.0, "speedup": 5.0, "memory_mb": 500.0,
           "flat": 1.25}
COMPARED = ("findings.json", "findings.csv", "data.json")


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


# --- one size -------------------------------------------------------------------------------------


def stage(name: str, argv: list[str], n_files: int, out: Path | None = None, ok=(0,), repeat: int = 1) -> dict:
    """Run a stage ``repeat`` times (fresh output dir each time): the fastest run's time (other
    work on a shared machine only ever slows a run down), the largest peak memory."""
    runs = []
    for _ in range(repeat):
        if out is not None and out.exists():
            shutil.rmtree(out)
        os.sync()  # the previous run's files (10,000 templates...) written out now, not during this one
        load = os.getloadavg()[0]
        r = measure.run(argv, cwd=REPO)
        if r.returncode not in ok:
            raise SystemExit(f"{name} failed (exit {r.returncode}):\n{r.stderr[-2000:]}")
        runs.append((r, load))
    best, load = min(runs, key=lambda x: x[0].wall_s)
    walls = [r.wall_s for r, _ in runs]
    res = {"stage": name, "wall_s": best.wall_s, "cpu_s": best.cpu_s, "files": n_files,
           "ms_per_wb": best.wall_s / n_files * 1000, "per_s": n_files / best.wall_s, "runs": len(runs),
           "slowest_s": max(walls), "load": load,
           "peak_pss_mb": max(r.peak_pss_mb for r, _ in runs), "peak_rss_mb": max(r.peak_rss_mb for r, _ in runs),
           "maxrss_mb": max(r.maxrss_mb for r, _ in runs)}
    log(f"    {name:<24} {res['wall_s']:8.2f} s  {res['ms_per_wb']:8.2f} ms/wb  (best of {len(runs)}, slowest "
        f"{res['slowest_s']:.2f} s)  PSS {res['peak_pss_mb']:7.1f} MB  maxRSS {res['maxrss_mb']:7.1f} MB")
    return res


def bench_size(n: int, args, work: Path) -> dict:
    log(f"N = {n}")
    inbox = generate.generate(n, args.cache, seed=args.seed, office=not args.no_office, log=log)
    files = sorted(p.relative_to(inbox.inbox).as_posix() for p in inbox.inbox.rglob("*.xlsx"))
    n_files, n_agencies = len(files), sum(1 for _ in inbox.roster.open(encoding="utf-8")) - 1
    w = work / f"n{n}"
    w.mkdir(parents=True, exist_ok=True)
    year = str(inbox.year)
    common = [str(inbox.inbox), "--year", year, "--roster", str(inbox.roster)]
    k = args.repeat if n <= args.repeat_up_to else args.repeat_large
    stages = [
        stage("template", [TOOLKIT, "template", "--year", year, "--roster", str(inbox.roster),
                           "-o", str(w / "templates")], n_agencies, w / "templates", repeat=k),
        stage("collect --no-docx", [TOOLKIT, "collect", *common, "-o", str(w / "nodocx"), "--no-docx",
                                    "--workers", "2"], n_files, w / "nodocx", ok=(0, 1), repeat=k),
        stage("collect (DOCX)", [TOOLKIT, "collect", *common, "-o", str(w / "docx"), "--workers", "2"],
              n_files, w / "docx", ok=(0, 1), repeat=k),
        stage("collect (DOCX) 1 worker", [TOOLKIT, "collect", *common, "-o", str(w / "docx-w1"), "--workers", "1"],
              n_files, w / "docx-w1", ok=(0, 1), repeat=k),
    ]
    templates = len(list((w / "templates").glob("*.xlsx")))
    if templates != n_agencies:
        raise SystemExit(f"template wrote {templates} files for {n_agencies} agencies")
    result = {"n": n, "files": n_files, "agencies": n_agencies, "inbox": inbox_stats(inbox, files),
              "stages": stages, "same_outputs": same_outputs(w / "docx", w / "docx-w1", w / "nodocx"),
              "faults": fault_check(inbox, w / "docx" / "findings.json")}
    result["baseline"] = baseline(inbox, files, args, w)
    if n == args.sizes[-1]:
        result["steps"] = memory_steps(inbox, w)
    for d in ("templates", "docx", "docx-w1", "nodocx"):  # keep the disk small at N = 10,000
        if not args.keep:
            shutil.rmtree(w / d, ignore_errors=True)
    return result


def inbox_stats(inbox: generate.Inbox, files: list[str]) -> dict:
    planned = inbox.files
    sizes = [(inbox.inbox / f).stat().st_size for f in files]
    return {
        "faulty_files": sum(1 for p in planned if p["fault"] and p["file"]),
        "by_office": sum(1 for p in planned if p["maker"] == "office" and p["file"]),
        "missing": sum(1 for p in planned if p["fault"] == "missing"),
        "median_kb": statistics.median(sizes) / 1024,
        "narrative_chars": narrative_lengths(inbox, files[: min(len(files), 50)]),
    }


def narrative_lengths(inbox: generate.Inbox, files: list[str]) -> dict:
    from toolkit.check.workbook import check_bytes
    from toolkit.format.spec import load_spec

    spec = load_spec()
    lengths: dict[str, list[int]] = {}
    for f in files:
        r = check_bytes((inbox.inbox / f).read_bytes(), f, spec)
        for code, text in (r.filled.narratives if r.filled else {}).items():
            lengths.setdefault(code, []).append(len(text))
    return {k: [min(v), int(statistics.median(v)), max(v)] for k, v in lengths.items()}


# --- checks of the run itself ---------------------------------------------------------------------------


def fault_check(inbox: generate.Inbox, findings: Path) -> dict:
    """Every planned fault found where planned; no finding at all in the clean files."""
    report = json.loads(findings.read_text(encoding="utf-8"))
    codes: dict[str, set[str]] = {}
    for f in report["findings"]:
        codes.setdefault(f["file"], set()).add(f["code"])
    missing_found = {m["agency_id"] for m in report["missing"]}
    planned = [p for p in inbox.files if p["fault"]]
    hit = [p for p in planned if (set(p["expects"]) <= codes.get(p["file"], set()) if p["file"]
                                  else p["agency_id"] in missing_found)]
    faulty_files = {p["file"] for p in planned}
    noisy = sorted(f for f, c in codes.items() if f not in faulty_files)
    return {"planned": len(planned), "found": len(hit), "missed": [p["file"] or p["agency_id"] for p in planned
                                                                  if p not in hit],
            "clean_with_findings": noisy}


def same_outputs(two: Path, one: Path, nodocx: Path) -> dict:
    """Outputs of 2 workers vs 1 worker (and of --no-docx): bytes of the JSON/CSV files, cell
    values of summary.xlsx, and the parts of every DOCX."""
    diffs = []
    for name in COMPARED:
        for other in (one, nodocx):
            if (two / name).read_bytes() != (other / name).read_bytes():
                diffs.append(f"{other.name}/{name}")
    for other in (one, nodocx):
        if workbook_values(two / "summary.xlsx") != workbook_values(other / "summary.xlsx"):
            diffs.append(f"{other.name}/summary.xlsx")
    a = sorted(p.name for p in (two / "reports").glob("*.docx"))
    b = sorted(p.name for p in (one / "reports").glob("*.docx"))
    if a != b:
        diffs.append("reports/ (different files)")
    docx_bytes_equal = True
    for name in a if a == b else []:
        x, y = (two / "reports" / name).read_bytes(), (one / "reports" / name).read_bytes()
        docx_bytes_equal &= x == y
        if x != y and zip_parts(x) != zip_parts(y):
            diffs.append(f"reports/{name}")
    return {"identical": not diffs, "differences": diffs[:20], "reports": len(a),
            "docx_bytes_identical": docx_bytes_equal}


_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?")


def workbook_values(path: Path) -> list:
    """Every cell's value, clock readings masked: each run records when it first saw each file
    (summary.xlsx's 首次/末次收到), which is the one thing the runs may not share."""
    import openpyxl

    def masked(v):
        return _CLOCK.sub("<time>", v) if isinstance(v, str) else v

    wb = openpyxl.load_workbook(path, read_only=True)
    return [(ws.title, [tuple(masked(v) for v in row) for row in ws.iter_rows(values_only=True)])
            for ws in wb.worksheets]


def zip_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def memory_steps(inbox: generate.Inbox, w: Path) -> list[dict]:
    """collect's steps one by one in one process (benchmarks/memsteps.py): where the peak is."""
    out, results = w / "steps", w / "steps.json"
    shutil.rmtree(out, ignore_errors=True)
    run = measure.run([sys.executable, str(HERE / "memsteps.py"), str(inbox.inbox), str(inbox.roster),
                       str(inbox.year), str(out), str(results)], cwd=REPO)
    shutil.rmtree(out, ignore_errors=True)
    if run.returncode:
        raise SystemExit(f"memsteps failed:\n{run.stderr[-2000:]}")
    steps = json.loads(results.read_text(encoding="utf-8"))
    for s in steps:
        log(f"    step {s['step']:<42} {s['wall_s']:7.2f} s  peak {s['peak_mb']:7.1f} MB")
    return steps


# --- the baseline ---------------------------------------------------------------------------------------


def spaced(items: list, k: int) -> list:
    """``k`` items evenly spaced over ``items`` (all of them when k >= len)."""
    if k >= len(items):
        return list(items)
    return [items[i * len(items) // k] for i in range(k)]


def baseline(inbox: generate.Inbox, files: list[str], args, w: Path) -> dict:
    sample = spaced(files, args.baseline_sample)
    with_docx = set(spaced(sample, args.baseline_docx_sample))
    listing = w / "baseline-files.txt"
    listing.write_text("".join(f"{f}\t{int(f in with_docx)}\n" for f in sample), encoding="utf-8")
    out, results = w / "baseline-reports", w / "baseline.json"
    shutil.rmtree(out, ignore_errors=True)
    run = measure.run([sys.executable, str(HERE / "baseline.py"), str(inbox.inbox), str(inbox.year), str(listing),
                       str(out), str(results)], cwd=REPO)
    if run.returncode:
        raise SystemExit(f"baseline failed:\n{run.stderr[-2000:]}")
    rows = json.loads(results.read_text(encoding="utf-8"))
    check_ms = [r["ms"]["load_formulas"] + r["ms"]["load_values"] + r["ms"]["checks"] for r in rows]
    docx_ms = [r["ms"]["docx"] for r in rows if "docx" in r["ms"]]
    ok_share = sum(1 for r in rows if not set(r["findings"]) & _baseline_errors()) / len(rows)
    shutil.rmtree(out, ignore_errors=True)
    mean = statistics.fmean
    res = {
        "sample": len(rows), "docx_sample": len(docx_ms), "wall_s": run.wall_s, "maxrss_mb": run.maxrss_mb,
        "peak_pss_mb": run.peak_pss_mb,
        "load_formulas_ms": mean(r["ms"]["load_formulas"] for r in rows),
        "load_values_ms": mean(r["ms"]["load_values"] for r in rows),
        "checks_ms": mean(r["ms"]["checks"] for r in rows),
        "check_ms": mean(check_ms), "docx_ms": mean(docx_ms) if docx_ms else float("nan"), "ok_share": ok_share,
        "flagged": sum(1 for r in rows if r["findings"]),
    }
    res["check_docx_ms"] = res["check_ms"] + res["docx_ms"] * ok_share
    log(f"    baseline on {len(rows)} files: check {res['check_ms']:.1f} ms/wb, DOCX {res['docx_ms']:.1f} ms/report "
        f"({len(docx_ms)} built)")
    return res


def _baseline_errors() -> set[str]:
    import baseline as b

    return b.ERRORS


# --- the profile -----------------------------------------------------------------------------------------


def profile(inbox: generate.Inbox, k: int, work: Path) -> dict:
    """cProfile of each stage's library entry point in one process (``workers=1``), over ``k``
    workbooks of ``inbox`` (a sample inbox of symbolic links): where the time goes."""
    from toolkit.collect.collection import collect
    from toolkit.collect.roster import read_roster
    from toolkit.format.spec import load_spec
    from toolkit.outputs.reports import write_reports
    from toolkit.outputs.summary import write_outputs
    from toolkit.template.workbook import write_templates

    spec = load_spec()
    agencies = list(read_roster(inbox.roster).agencies)[:k]
    sample = work / "profile-inbox"
    shutil.rmtree(sample, ignore_errors=True)
    sample.mkdir(parents=True)
    files = spaced(sorted(p for p in inbox.inbox.rglob("*.xlsx")), k)
    for i, p in enumerate(files):
        (sample / f"{i:05d}-{p.name}").symlink_to(p)
    out = work / "profile-out"
    coll: list = []
    jobs = {
        "template (write_templates)": (lambda: write_templates(spec, agencies, inbox.year, out / "templates",
                                                               workers=1), len(agencies)),
        "collect: check (collect)": (lambda: coll.append(collect(sample, inbox.year, spec=spec, workers=1)),
                                     len(files)),
        "collect: outputs (write_outputs)": (lambda: write_outputs(coll[0], out / "collect"), len(files)),
        "collect: DOCX (write_reports)": (lambda: write_reports(coll[0], out / "collect" / "reports", workers=1),
                                          len(files)),
    }
    res = {}
    for name, (fn, count) in jobs.items():
        fn()  # warm: one-off costs (imports, per-process caches) stay out of the figures
        start = time.perf_counter()
        fn()  # without the profiler: the real single-core time
        plain = time.perf_counter() - start
        if name.startswith("collect: check"):
            del coll[:]
        prof = cProfile.Profile()
        prof.enable()
        fn()
        prof.disable()
        stats = pstats.Stats(prof)
        items = stats.stats.items()
        res[name] = {
            "count": count, "ms_per_item": stats.total_tt / count * 1000, "plain_ms": plain / count * 1000,
            "top": [{"function": _fname(key), "calls": cc / count, "tottime_ms": tt / count * 1000,
                     "cumtime_ms": ct / count * 1000}
                    for key, (pc, cc, tt, ct, _) in sorted(items, key=lambda kv: kv[1][2], reverse=True)[:15]],
            "cumulative": [{"function": _fname(key), "cumtime_ms": ct / count * 1000}
                           for key, (pc, cc, tt, ct, _) in sorted(items, key=lambda kv: kv[1][3], reverse=True)
                           if _fname(key).startswith("toolkit/")][:12],
        }
        log(f"    profiled {name}: {res[name]['plain_ms']:.2f} ms per workbook ({res[name]['ms_per_item']:.2f} "
            "under cProfile)")
    shutil.rmtree(sample, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return res


def _fname(key: tuple) -> str:
    file, line, func = key
    if file == "~":
        return func
    p = file.replace("\\", "/")
    for marker in ("/site-packages/", "/lib/python3", str(REPO) + "/"):
        if marker in p:
            p = p.split(marker, 1)[1]
            break
    if p.startswith(".") or "/" in p and p.split("/")[0].isdigit():
        p = p.split("/", 1)[-1]
    return f"{p}:{line}({func})"


# --- machine and versions ---------------------------------------------------------------------------


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
               if ln.startswith("MemTotal"))
    libs = {}
    for lib in LIBS:
        try:
            libs[lib] = version(lib)
        except PackageNotFoundError:
            libs[lib] = "—"
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": mem / 1024 / 1024, "os": platform.platform(),
            "python": platform.python_version(), "libs": libs, "libreoffice": _office_version(),
            "commit": _git("rev-parse", "--short", "HEAD"), "dirty": bool(_git("status", "--porcelain", "toolkit")),
            "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}


def _office_version() -> str:
    from toolkit.office.driver import soffice_binary

    binary = soffice_binary()
    if not binary:
        return "not installed"
    try:
        return subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return ""


def startup() -> dict:
    """What every CLI run pays before the first workbook: interpreter, imports, typer."""
    runs = [measure.run([TOOLKIT, "collect", "--help"], cwd=REPO) for _ in range(3)]
    best = min(runs, key=lambda r: r.wall_s)
    return {"wall_s": best.wall_s, "maxrss_mb": best.maxrss_mb}


# --- main -----------------------------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", default="100,1000", help="agency counts, comma-separated (default 100,1000)")
    ap.add_argument("--large", action="store_true", help="also N = 10,000")
    ap.add_argument("--also", default="", help="more agency counts on top of --n (make bench N=10000)")
    ap.add_argument("--cache", type=Path, default=HERE / ".cache", help="generated inboxes (reused)")
    ap.add_argument("--out", type=Path, default=HERE / ".cache" / "run", help="work directory of the run")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md", help="the report to write")
    ap.add_argument("--baseline-sample", type=int, default=200, help="files the baseline checks")
    ap.add_argument("--baseline-docx-sample", type=int, default=40, help="of those, reports python-docx builds")
    ap.add_argument("--profile-sample", type=int, default=200, help="workbooks profiled (0: no profile)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each stage, the fastest reported")
    ap.add_argument("--repeat-up-to", type=int, default=1000, help="larger N run each stage --repeat-large times")
    ap.add_argument("--repeat-large", type=int, default=2, help="runs of each stage above --repeat-up-to")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--no-office", action="store_true", help="no LibreOffice-made faults (library faults only)")
    ap.add_argument("--keep", action="store_true", help="keep the outputs of every stage under --out")
    args = ap.parse_args(argv)
    sizes = f"{args.n},{args.also}".split(",")
    args.sizes = sorted({int(x) for x in sizes if x.strip()} | ({10_000} if args.large else set()))
    return args


def main(argv: list[str] | None = None) -> int:
    from report import render  # noqa: PLC0415 (sibling module)

    args = parse(sys.argv[1:] if argv is None else argv)
    args.out.mkdir(parents=True, exist_ok=True)
    info = machine()
    log(f"{info['cpu']}, {info['cores']} cores; sizes {args.sizes}")
    info["startup"] = startup()
    info["load_before"] = os.getloadavg()
    sizes = [bench_size(n, args, args.out) for n in args.sizes]
    info["load_after"] = os.getloadavg()
    prof = {}
    if args.profile_sample:
        biggest = generate.generate(args.sizes[-1], args.cache, seed=args.seed, office=not args.no_office, log=log)
        prof = profile(biggest, min(args.profile_sample, args.sizes[-1]), args.out)
    data = {"machine": info, "sizes": sizes, "profile": prof, "args": {
        "baseline_sample": args.baseline_sample, "baseline_docx_sample": args.baseline_docx_sample,
        "profile_sample": args.profile_sample, "seed": args.seed, "office": not args.no_office,
        "repeat": args.repeat, "repeat_up_to": args.repeat_up_to}}
    (args.out / "results.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(render(data, TARGETS), encoding="utf-8")
    log(f"wrote {args.results} and {args.out / 'results.json'}")
    bad = [s["n"] for s in sizes if not s["same_outputs"]["identical"] or s["faults"]["missed"]
           or s["faults"]["clean_with_findings"]]
    if bad:
        log(f"outputs differ between worker counts or faults were missed at N = {bad}: see the report")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
