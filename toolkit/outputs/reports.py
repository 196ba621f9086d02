"""Collect's DOCX stage: one report per included agency, and the combined report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from toolkit.collect.collection import Collection
from toolkit.collect.store import Where, read_filled
from toolkit.format.spec import load_spec
from toolkit.outputs.atomic import write_bytes_atomic
from toolkit.outputs.report_docx import render_combined, render_report
from toolkit.outputs.safepath import inside, safe_stem
from toolkit.pool import consume, ordered_map

COMBINED_NAME = "汇总.docx"
_RESERVED = frozenset({COMBINED_NAME.removesuffix(".docx")})


def _render_one(job: tuple[str, str, Where]) -> str:
    edition, path, where = job
    filled = read_filled(where)  # from the collection's store: small jobs, flat memory
    write_bytes_atomic(Path(path), render_report(load_spec(edition), filled))
    return path


def write_reports(coll: Collection, out_dir: Path, *, workers: int | None = None,
                  progress: Callable[[], None] | None = None) -> list[Path]:
    """``out_dir/<agency-id>.docx`` for each submission with no error-level finding, then
    ``out_dir/汇总.docx`` over the same agencies. Returns the paths in a stable order."""
    out_dir = Path(out_dir)
    included = sorted(coll.included(), key=lambda r: r.agency_id or "")
    # Without a roster the id is the stamp's word: never trusted as a path.
    jobs = [(coll.spec.id, str(inside(out_dir, f"{safe_stem(r.agency_id, reserved=_RESERVED)}.docx")),
             coll.store.where(r.file)) for r in included]
    done = ordered_map(_render_one, jobs, workers=workers)
    paths = [Path(p) for p in consume(done, progress and (lambda _p: progress()))]
    combined = inside(out_dir, COMBINED_NAME)
    filled = coll.store.filled_each([r.file for r in included])  # read one at a time
    write_bytes_atomic(combined, render_combined(coll.spec, coll.year, filled, coll.excluded()))
    return [*paths, combined]
