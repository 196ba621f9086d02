"""The benchmark (`make bench`) runs end to end on a small inbox and writes its report.

No time is asserted: only that every stage ran through the real CLI, the report has its
table, the outputs did not depend on the number of workers and the generated faults were
found where they were planted. benchmarks/RESULTS.md is left alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STAGES = ("`template`", "`collect --no-docx`", "`collect (DOCX)`", "`collect (DOCX) 1 worker`")


@pytest.mark.office
def test_bench_runs_end_to_end(tmp_path, office):
    committed = REPO / "benchmarks" / "RESULTS.md"
    before = committed.read_bytes() if committed.exists() else None
    results, work = tmp_path / "RESULTS.md", tmp_path / "run"
    run = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--n", "20", "--cache", str(tmp_path / "cache"),
         "--out", str(work), "--results", str(results), "--baseline-sample", "6",
         "--baseline-docx-sample", "1", "--profile-sample", "6", "--repeat", "2"],
        capture_output=True, text=True, timeout=900, cwd=REPO)
    assert run.returncode == 0, run.stderr[-3000:]

    text = results.read_text(encoding="utf-8")
    for stage in STAGES:
        assert f"| 20 | {stage} | 2 |" in text, stage
    assert "| 20 | baseline (openpyxl ×2 + checks, python-docx), 6 files, 1 reports | 1 |" in text
    assert "## Targets (2-core machine)" in text and "## Where the time goes" in text

    data = json.loads((work / "results.json").read_text(encoding="utf-8"))
    size = data["sizes"][0]
    assert size["files"] == 20 and size["inbox"]["faulty_files"] == 2 and size["inbox"]["by_office"] == 1
    assert {s["stage"] for s in size["stages"]} == {s.strip("`") for s in STAGES}
    assert all(s["runs"] == 2 and 0 < s["wall_s"] <= s["slowest_s"] and s["peak_pss_mb"] > 0
               for s in size["stages"])
    same = size["same_outputs"]
    assert same["identical"] and same["differences"] == []
    assert same["reports"] == 19  # 18 agencies without errors, and the combined report
    assert size["faults"]["found"] == size["faults"]["planned"] == 2
    assert size["faults"]["clean_with_findings"] == []
    assert size["baseline"]["sample"] == 6 and size["baseline"]["docx_sample"] == 1
    assert set(data["profile"]) == {"template (write_templates)", "collect: check (collect)",
                                    "collect: outputs (write_outputs)", "collect: DOCX (write_reports)"}
    assert (committed.read_bytes() if committed.exists() else None) == before
