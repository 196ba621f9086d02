"""Collect's DOCX stage: one report per included agency, and the combined report."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .atomic import write_bytes_atomic
from .collect import Collection
from .model import Filled
from .render_docx import render_combined, render_report
from .spec import load_spec

COMBINED_NAME = "汇总.docx"


def _render_one(job: tuple[str, str, Filled]) -> str:
    edition, path, filled = job
    write_bytes_atomic(Path(path), render_report(load_spec(edition), filled))
    return path


def write_reports(coll: Collection, out_dir: Path, *, workers: int | None = None,
                  progress: Callable[[], None] | None = None) -> list[Path]:
    """``out_dir/<agency-id>.docx`` for each submission with no error-level finding, then
    ``out_dir/汇总.docx`` over the same agencies. Returns the paths in a stable order."""
    out_dir = Path(out_dir)
    included = sorted(coll.included(), key=lambda r: r.agency_id or "")
    jobs = [(coll.spec.id, str(out_dir / f"{r.agency_id}.docx"), r.filled) for r in included]
    workers = workers or min(2, os.cpu_count() or 1)
    paths: list[Path] = []
    if workers <= 1 or len(jobs) < 8:
        done = map(_render_one, jobs)
        pool = None
    else:
        pool = ProcessPoolExecutor(workers)
        done = pool.map(_render_one, jobs, chunksize=max(1, min(64, len(jobs) // (workers * 8) or 1)))
    try:
        for p in done:
            paths.append(Path(p))
            if progress:
                progress()
    finally:
        if pool:
            pool.shutdown()
    combined = out_dir / COMBINED_NAME
    write_bytes_atomic(combined, render_combined(coll.spec, coll.year, [r.filled for r in included],
                                                 coll.excluded()))
    return [*paths, combined]
