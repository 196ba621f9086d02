"""Benchmark: `toolkit audit DIR` on a folder of generated published reports.

    PYTHONPATH=. .venv/bin/python benchmarks/audit_bench.py [--n 500] [--dir DIR]

Generates N reports (the layouts of tests/fixtures/published/pubfix.py in turn -- web copy,
spreadsheet rows, pipes, PDF text, HTML, DOCX, flattened web text -- every tenth with a broken
总计, every 25th not a report), then times the folder audit (library call, outputs written)
with 2 workers and with 1, checks that both give the same audit.csv, and prints the time per
report. No number is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "published"))

import pubfix as pf  # noqa: E402

from toolkit.published import folder  # noqa: E402


def run(root: Path, out: Path, workers: int) -> tuple[float, bytes]:
    start = time.perf_counter()
    results = folder.audit_folder(root, workers=workers)
    folder.write_outputs(results, out)
    return time.perf_counter() - start, (out / "audit.csv").read_bytes()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--dir", type=Path, default=None, help="where to generate (default: a temporary directory)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.dir or Path(tmp) / "reports"
        start = time.perf_counter()
        planted = pf.write_folder(root, args.n, layouts=(*pf.LAYOUTS, "flat"))
        made = time.perf_counter() - start
        kinds: dict[str, int] = {}
        for p in planted:
            kind = p.file.rsplit("-", 1)[-1] if p.report else "not a report"
            kinds[kind] = kinds.get(kind, 0) + 1
        print(f"{len(planted)} files generated in {made:.1f} s: "
              + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        timings = {}
        csvs = {}
        for workers in (2, 1):
            timings[workers], csvs[workers] = run(root, Path(tmp) / f"out{workers}", workers)
        same = csvs[1] == csvs[2]
        print("| workers | reports | wall (s) | per report (ms) |\n|---|---|---|---|")
        for workers, wall in timings.items():
            print(f"| {workers} | {len(planted)} | {wall:.2f} | {1000 * wall / len(planted):.1f} |")
        print(f"audit.csv identical for 1 and 2 workers: {same}")
        return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
