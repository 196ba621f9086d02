"""RESULTS.md from the benchmark's results (benchmarks/bench.py writes results.json too)."""

from __future__ import annotations

import math

NOTES = """\
## What the fast paths replaced

| stage | straightforward way (the baseline) | the toolkit |
|---|---|---|
| read a workbook | openpyxl, loaded twice (formula text, then cached values); it builds a style object per cell and re-applies borders to every merged range | `toolkit/xlsx/zipdir.py`: a plain central directory (one disk, no comment, no zip64, no extra fields) read with struct into light entries, anything else by zipfile; `toolkit/xlsx/scan.py` (its caches in one `Scanner`, the reference reader `toolkit/xlsx/book.py` behind the same seam): members inflated straight from the package bytes by zlib-ng (about twice zlib's speed), a member whose packed bytes and CRC were inflated and verified before not inflated again; each sheet's cells, the shared strings and the defined names matched against a strict grammar and read with regular expressions (anything else goes to ElementTree); a sheet part or shared-strings run whose *skeleton* (the XML with every value text emptied) was seen before is read by what was learnt then -- the plan of its cells, its merged ranges and protection -- its values split out, checked and converted without running the grammar or the tree parser again: workbooks from one template saved by one program differ only in their values; the label cells of the template are the previous workbook's objects when their texts are unchanged. Tested against the tree parser, zipfile and openpyxl, value by value |
| checks | per-cell lookups through openpyxl's worksheet objects | plain dicts keyed by (row, col); a table's inputs and labels checked in a few C-level passes when they are as the template has them (per-cell path otherwise); totals recomputed once (`toolkit/compute.py`) and, when every cached total is the recomputed one with the template's formula, no second pass over the sheet; defined names compared with the template's in one dict-items test; R8's patterns run only on texts that contain their key word |
| outputs | -- | each worker writes its files' data to its own file of the collection's `SubmissionStore`, with data.json's record body (values through one %-format) and the 数据 sheet's row cells already encoded (`toolkit/outputs/records.py`), so the main process joins text; findings.json encoded item by item by json's C encoder; the long sheets of summary.xlsx streamed as XML and deflated by zlib at level 1 (zipfile's public API; zlib-ng at level 2 through zipfile's private attributes was 0.09 s faster at 10,000 files and 5% smaller) |
| DOCX | python-docx: loads its default template, `Table.cell()` rebuilds the whole grid (walking every `w:tc` and its merges) on each call | `toolkit/docx_fast.py`: the static parts (styles, settings, footers) built once per process, the official tables laid out once per format with value slots, the combined report's agency lists written a row at a time, zipped |
| many workbooks | one process | a process pool on both cores (`--workers`), results merged in sorted file order |

## How it was measured

* Every stage is its own subprocess of the real CLI (`.venv/bin/toolkit ...`), the way a
  coordinator runs it; its wall time includes interpreter start-up and imports (see the
  start-up row), so small N carry that fixed cost.
* Peak memory (`benchmarks/measure.py`): **PSS** is the largest sum over the live process
  tree (main process and pool workers), sampled from `/proc/<pid>/smaps_rollup` every 20 ms
  or 20 times as long as the last sample took, whichever is longer (reading smaps_rollup walks
  every page, ~3 ms per process here: sampled every 20 ms it took a third of a core from the
  run it measured); PSS shares pages that forked workers share with their parent, so the sum
  is what the run occupies. **max RSS** is the kernel's peak resident set of the largest single process
  (`os.wait4` rusage, which covers the waited-for pool workers). CPU is user + system time
  of the whole tree: CPU ÷ wall shows how many cores were busy.
* The machine's 2 cores may be shared with other work (the load column; this virtual
  machine's CPU steal alone moves a run by ±10%): a stage runs 3 times up to N = 1,000 and
  twice at N = 10,000, and its fastest run is reported. Before each run the previous runs'
  files are flushed to disk (`os.sync`), so their write-back does not land in the next run.
* Inputs are read from the page cache (the inbox was just generated or read): the numbers
  are CPU cost, not disk latency.
* The baseline runs in one process over an evenly spaced sample of the same inbox (all the
  files when N is small); python-docx builds reports for a smaller sample of those, because
  it takes seconds per report here. Its per-workbook times are measured inside the loop
  (start-up excluded, which favours the baseline); "with DOCX" adds the mean report time
  times the share of workbooks that get a report (those without errors, as in collect).
  Speed-up = baseline ms per workbook ÷ ours (our wall time per workbook, both cores,
  start-up included).
* Generated inboxes are cached under `benchmarks/.cache/` (key: generator sources, the
  template writer's source, the format's layout hash, N, seed).
"""


def render(data: dict, targets: dict) -> str:
    m, sizes = data["machine"], data["sizes"]
    out = ["# Benchmark results", "",
           f"`make bench` run of {m['date']} at commit `{m['commit']}`"
           + (" (toolkit/ had uncommitted changes)" if m["dirty"] else "") + ".", ""]
    out += _machine(m)
    out += _inputs(sizes, data["args"])
    out += _table(sizes, m)
    out += _targets(sizes, targets)
    out += _checks(sizes)
    steps = next((s["steps"] for s in sizes[::-1] if s.get("steps")), None)
    if steps:
        out += _steps(steps, max(s["n"] for s in sizes))
    if data["profile"]:
        out += _profile(data["profile"], data["args"]["profile_sample"])
    out.append(NOTES)
    return "\n".join(out) + "\n"


def _machine(m: dict) -> list[str]:
    libs = ", ".join(f"{k} {v}" for k, v in m["libs"].items())
    return ["## Machine", "",
            f"* CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gb']:.1f} GB; {m['os']}",
            f"* Python {m['python']}; {libs}",
            f"* {m['libreoffice']}",
            f"* CLI start-up (`toolkit collect --help`, best of 3): {m['startup']['wall_s'] * 1000:.0f} ms, "
            f"{m['startup']['maxrss_mb']:.0f} MB",
            "* Load average (1, 5, 15 min) before the runs: " + " / ".join(f"{x:.2f}" for x in m["load_before"])
            + "; after: " + " / ".join(f"{x:.2f}" for x in m["load_after"])
            + " (other work on the machine slows every stage; a 1-minute load well above 0 means shared cores)", ""]


def _inputs(sizes: list[dict], args: dict) -> list[str]:
    out = ["## Inputs", "",
           "Generated by `benchmarks/generate.py` (see its docstring): workbooks written by the toolkit's "
           "template writer pre-filled with random figures that satisfy R1–R4 and R7, exact cached totals, "
           "narratives quoting the tables; about 5% with a fault — value-level faults through the same writer, "
           "cell-kind faults (text in a number cell, a number over a total, an edited formula, an inserted "
           "row, a negative count) typed by LibreOffice into the pre-filled workbook and saved by it"
           + ("" if args["office"] else " (this run: without LibreOffice, library faults only)") + ".", "",
           "| N | files | faulty files | of which saved by LibreOffice | missing agencies | median file | "
           "narrative characters (min / median / max) |", "|---|---|---|---|---|---|---|"]
    for s in sizes:
        i = s["inbox"]
        chars = "; ".join(f"{k} {v[0]} / {v[1]} / {v[2]}" for k, v in i["narrative_chars"].items())
        out.append(f"| {s['n']:,} | {s['files']:,} | {i['faulty_files']} | {i['by_office']} | {i['missing']} | "
                   f"{i['median_kb']:.0f} KB | {chars} |")
    return out + [""]


def _ms(v: float) -> str:
    return "—" if v is None or math.isnan(v) else f"{v:.2f}" if v < 100 else f"{v:.0f}"


def _table(sizes: list[dict], m: dict) -> list[str]:
    out = ["## Results", "",
           "Per workbook = wall time ÷ files (template: ÷ agencies). Speed-up = baseline ÷ ours. Each stage "
           "ran the number of times shown; wall time is the fastest run (the slowest in brackets), memory the "
           "largest; load = the 1-minute load average as the fastest run started (work of others on the same "
           "2 cores shows as load and as CPU ÷ wall below 2).", "",
           "| N | stage | runs | wall s | ms / workbook | workbooks / s | CPU ÷ wall | load | peak PSS (tree) MB | "
           "max RSS (one process) MB | baseline ms / workbook | speed-up |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in sizes:
        b = s["baseline"]
        base = {"collect --no-docx": b["check_ms"], "collect (DOCX)": b["check_docx_ms"],
                "collect (DOCX) 1 worker": b["check_docx_ms"]}
        for st in s["stages"]:
            ref = base.get(st["stage"])
            speed = f"{ref / st['ms_per_wb']:.1f}×" if ref and not math.isnan(ref) else ""
            slow = f" ({st['slowest_s']:.2f})" if st["runs"] > 1 else ""
            out.append(f"| {s['n']:,} | `{st['stage']}` | {st['runs']} | {st['wall_s']:.2f}{slow} | "
                       f"{_ms(st['ms_per_wb'])} | {st['per_s']:.0f} | {st['cpu_s'] / st['wall_s']:.2f} | "
                       f"{st['load']:.2f} | {st['peak_pss_mb']:.0f} | {st['maxrss_mb']:.0f} | "
                       f"{_ms(ref) if ref else ''} | {speed} |")
        out.append(f"| {s['n']:,} | baseline (openpyxl ×2 + checks, python-docx), {b['sample']} files, "
                   f"{b['docx_sample']} reports | 1 | {b['wall_s']:.2f} | | | 1 process | | {b['peak_pss_mb']:.0f} | "
                   f"{b['maxrss_mb']:.0f} | | |")
    out += ["", "Baseline per workbook, by step (ms, mean over its sample):", "",
            "| N | openpyxl load (formulas) | openpyxl load (values) | checks | python-docx report | "
            "share with a report |", "|---|---|---|---|---|---|"]
    for s in sizes:
        b = s["baseline"]
        out.append(f"| {s['n']:,} | {_ms(b['load_formulas_ms'])} | {_ms(b['load_values_ms'])} | "
                   f"{_ms(b['checks_ms'])} | {_ms(b['docx_ms'])} | {b['ok_share']:.0%} |")
    return out + [""]


def _stage(s: dict, name: str) -> dict:
    return next(x for x in s["stages"] if x["stage"] == name)


def _targets(sizes: list[dict], t: dict) -> list[str]:
    big = max(sizes, key=lambda s: s["n"])
    tpl, col, doc = (_stage(big, k) for k in ("template", "collect --no-docx", "collect (DOCX)"))
    b = big["baseline"]
    col_x, doc_x = b["check_ms"] / col["ms_per_wb"], b["check_docx_ms"] / doc["ms_per_wb"]

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else "**met**" if ok else "**not met**"

    by_n = {s["n"]: s for s in sizes}
    if 10_000 in by_n and 1_000 in by_n:
        m10 = max(_stage(by_n[10_000], k)["peak_pss_mb"] for k in ("collect --no-docx", "collect (DOCX)"))
        m1 = max(_stage(by_n[1_000], k)["peak_pss_mb"] for k in ("collect --no-docx", "collect (DOCX)"))
        mem_ok: bool | None = m10 <= t["memory_mb"] and m10 <= m1 * t["flat"]
        mem = f"{m1:.0f} MB at 1,000 → {m10:.0f} MB at 10,000 (peak PSS of the collect runs)"
    else:
        mem_ok, mem = None, "needs N = 1,000 and 10,000 in one run (`make bench N=10000`)"
    same = all(s["same_outputs"]["identical"] for s in sizes)
    return ["## Targets (2-core machine)", "",
            f"Judged on the largest N of this run ({big['n']:,}).", "",
            "| target | measured | verdict |", "|---|---|---|",
            f"| `template` ≤ {t['template_ms']:g} ms per workbook (wall, both cores) | {_ms(tpl['ms_per_wb'])} ms | "
            f"{verdict(tpl['ms_per_wb'] <= t['template_ms'])} |",
            f"| `collect --no-docx` ≤ {t['collect_ms']:g} ms per workbook | {_ms(col['ms_per_wb'])} ms | "
            f"{verdict(col['ms_per_wb'] <= t['collect_ms'])} |",
            f"| `collect --no-docx` ≥ {t['speedup']:g}× faster than the baseline | {col_x:.1f}× | "
            f"{verdict(col_x >= t['speedup'])} |",
            f"| `collect` with DOCX ≤ {t['collect_docx_ms']:g} ms per workbook | {_ms(doc['ms_per_wb'])} ms | "
            f"{verdict(doc['ms_per_wb'] <= t['collect_docx_ms'])} |",
            f"| `collect` with DOCX ≥ {t['speedup']:g}× faster than the baseline | {doc_x:.1f}× | "
            f"{verdict(doc_x >= t['speedup'])} |",
            f"| peak memory of collecting 10,000 ≤ {t['memory_mb']:g} MB, flat from 1,000 (≤ {t['flat']:g}×) | "
            f"{mem} | {verdict(mem_ok)} |",
            f"| outputs identical whatever the number of workers | "
            f"{'identical at every N' if same else 'differences found'} | {verdict(same)} |", ""]


def _checks(sizes: list[dict]) -> list[str]:
    out = ["## Outputs and findings of the runs", "",
           "`collect` with `--workers 2` against `--workers 1` on the same inbox: findings.json, findings.csv "
           "and data.json byte for byte, summary.xlsx cell by cell (every sheet), every report DOCX part by "
           "part; the `--no-docx` run's files against both. Faults: every planned fault must be reported "
           "with its finding code in its file (missing agencies in the missing list), and the clean files "
           "must have no finding at all.", "",
           "| N | outputs 2 workers = 1 worker | reports compared | DOCX files byte-identical | faults found / planned | "
           "clean files with findings | baseline flagged (of its sample) |", "|---|---|---|---|---|---|---|"]
    for s in sizes:
        so, f = s["same_outputs"], s["faults"]
        same = "identical" if so["identical"] else "differs: " + ", ".join(so["differences"])
        out.append(f"| {s['n']:,} | {same} | {so['reports']} | {'yes' if so['docx_bytes_identical'] else 'no'} | "
                   f"{f['found']} / {f['planned']} | {len(f['clean_with_findings'])} | "
                   f"{s['baseline']['flagged']} / {s['baseline']['sample']} |")
    return out + [""]


def _steps(steps: list[dict], n: int) -> list[str]:
    out = [f"## collect's steps at N = {n:,} (main process)", "",
           "`benchmarks/memsteps.py` runs the library's steps one after the other in one process (pool "
           "workers not counted), resetting the peak-RSS counter before each: which step sets the peak.", "",
           "| step | wall s | peak RSS MB | RSS after MB |", "|---|---|---|---|"]
    for s in steps:
        out.append(f"| {s['step']} | {s['wall_s']:.2f} | {s['peak_mb']:.0f} | {s['after_mb']:.0f} |")
    return out + [""]


def _profile(prof: dict, sample: int) -> list[str]:
    out = ["## Where the time goes (cProfile, one process)", "",
           f"Each stage's library entry point over up to {sample} workbooks of the largest inbox (an evenly "
           "spaced sample, no roster), in one process (`workers=1`), under cProfile, which roughly doubles "
           "the times: compare rows with each other. All figures are per workbook of the sample. Cumulative "
           "times of generators (the pool's ordered map) count each resumption and can exceed the total.", ""]
    for name, p in prof.items():
        out += [f"### {name}: {p['plain_ms']:.2f} ms per workbook on one core ({p['ms_per_item']:.2f} under the "
                f"profiler; {p['count']} workbooks)",
                "", "Top functions by own time:", "",
                "| function | calls / workbook | own ms | cumulative ms |", "|---|---|---|---|"]
        for r in p["top"]:
            out.append(f"| `{r['function']}` | {r['calls']:.1f} | {r['tottime_ms']:.3f} | {r['cumtime_ms']:.3f} |")
        out += ["", "Toolkit functions by cumulative time:", "", "| function | cumulative ms / workbook |", "|---|---|"]
        for r in p["cumulative"]:
            out.append(f"| `{r['function']}` | {r['cumtime_ms']:.3f} |")
        out.append("")
    return out
