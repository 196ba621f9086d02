"""Main-process time and peak memory of collect's steps, one after the other (Linux).

    .venv/bin/python benchmarks/memsteps.py INBOX ROSTER YEAR OUT RESULTS.json

Runs ``collect`` (2 workers), ``write_outputs`` and ``write_reports`` (2 workers) in this
process; before each step the peak-RSS counter (VmHWM) is reset through
/proc/self/clear_refs, so each step's peak is its own. Pool workers are not included: this
is the main process, which holds the collection.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _status() -> dict[str, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def main(argv: list[str]) -> int:
    inbox, roster, year, out, results = Path(argv[0]), Path(argv[1]), int(argv[2]), Path(argv[3]), Path(argv[4])
    from toolkit.collect.collection import collect
    from toolkit.collect.roster import read_roster
    from toolkit.format.spec import load_spec
    from toolkit.outputs.reports import write_reports
    from toolkit.outputs.summary import write_outputs

    spec = load_spec()
    steps = []
    state: dict = {}
    for name, step in (
        ("collect (check, 2 workers)", lambda: state.update(coll=collect(inbox, year, spec=spec,
                                                                         roster=read_roster(roster), workers=2))),
        ("write_outputs (JSON, CSV, summary.xlsx)", lambda: write_outputs(state["coll"], out)),
        ("write_reports (DOCX, 2 workers)", lambda: write_reports(state["coll"], out / "reports", workers=2)),
    ):
        _reset_peak()
        t = time.perf_counter()
        step()
        wall = time.perf_counter() - t
        s = _status()
        steps.append({"step": name, "wall_s": wall, "peak_mb": s["VmHWM"], "after_mb": s["VmRSS"]})
    results.write_text(json.dumps(steps), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
