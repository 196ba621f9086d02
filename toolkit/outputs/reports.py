"""Collect's report stage: one report per included agency and the combined report, in each
format asked -- DOCX, HTML, and PDF printed from the DOCX -- and, for the web formats, the site
index listing them."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from toolkit.check.workbook import Result
from toolkit.collect.collection import Collection
from toolkit.collect.store import Where, read_filled
from toolkit.format.spec import load_spec
from toolkit.outputs.atomic import write_bytes_atomic
from toolkit.outputs.report_docx import combined_title, render_combined, render_report
from toolkit.outputs.report_html import render_combined_html, render_report_html
from toolkit.outputs.report_pdf import docx_to_pdf
from toolkit.outputs.safepath import inside, safe_stem
from toolkit.outputs.site import Entry, write_index
from toolkit.pool import consume, ordered_map

FORMATS = ("docx", "html", "pdf")
WEB_FORMATS = frozenset({"html", "pdf"})  # made for the website: the site index lists them
COMBINED_STEM = "汇总"
COMBINED_NAME = f"{COMBINED_STEM}.docx"
_RESERVED = frozenset({COMBINED_STEM})
_RENDER = {"docx": render_report, "html": render_report_html}


def parse_formats(words: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,pdf"`` -> the formats in a fixed order; ValueError (in Chinese) for an unknown one."""
    asked = {w.strip().lower() for w in (words.split(",") if isinstance(words, str) else words) if w.strip()}
    unknown = asked - set(FORMATS)
    if unknown or not asked:
        raise ValueError(f"未知的报告格式：{'、'.join(sorted(unknown)) or '（空）'}；可选 {','.join(FORMATS)}。")
    return tuple(f for f in FORMATS if f in asked)


def report_stem(r: Result) -> str:
    # Without a roster the id is the stamp's word: never trusted as a path.
    return safe_stem(r.agency_id, reserved=_RESERVED)


def _render_one(job: tuple[str, Where, list[tuple[str, str]]]) -> str:
    edition, where, targets = job
    filled = read_filled(where)  # from the collection's store: small jobs, flat memory
    for fmt, path in targets:
        write_bytes_atomic(Path(path), _RENDER[fmt](load_spec(edition), filled))
    return targets[0][1]


def write_reports(coll: Collection, out_dir: Path, *, formats: Iterable[str] = ("docx",), region: str = "",
                  site_dir: Path | None = None, workers: int | None = None,
                  progress: Callable[[], None] | None = None) -> list[Path]:
    """``out_dir/<agency-id>.<format>`` for each submission with no error-level finding, then
    ``out_dir/汇总.<format>`` over the same agencies (``region`` in its title); with web formats
    and ``site_dir``, ``site_dir/index.html``. Returns the report paths in a stable order."""
    formats = parse_formats(formats)
    out_dir = Path(out_dir)
    included = sorted(coll.included(), key=lambda r: r.agency_id or "")
    stems = [report_stem(r) for r in included]
    rendered = [f for f in _RENDER if f in formats or (f == "docx" and "pdf" in formats)]  # a PDF needs its DOCX
    with tempfile.TemporaryDirectory(prefix="toolkit-docx-") as scratch:
        def target(fmt: str, stem: str) -> Path:
            return inside(out_dir if fmt in formats else Path(scratch), f"{stem}.{fmt}")

        jobs = [(coll.spec.id, coll.store.where(r.file), [(f, str(target(f, stem))) for f in rendered])
                for r, stem in zip(included, stems)]
        consume(ordered_map(_render_one, jobs, workers=workers), progress and (lambda _p: progress()))
        for fmt in rendered:
            filled = coll.store.filled_each([r.file for r in included])  # read one at a time
            make = render_combined if fmt == "docx" else render_combined_html
            write_bytes_atomic(target(fmt, COMBINED_STEM), make(coll.spec, coll.year, filled, coll.excluded(), region))
        if "pdf" in formats:
            docx_to_pdf([target("docx", s) for s in [*stems, COMBINED_STEM]], out_dir)
    if site_dir is not None and WEB_FORMATS & set(formats):
        entries = [Entry(r.agency or r.agency_id or stem, stem) for r, stem in zip(included, stems)]
        combined = Entry(combined_title(coll.spec, coll.year, region), COMBINED_STEM)
        write_index(site_dir, out_dir, coll.spec.report_title(region, coll.year), combined, entries, formats)
    return [out_dir / f"{stem}.{fmt}" for stem in [*stems, COMBINED_STEM] for fmt in formats]
