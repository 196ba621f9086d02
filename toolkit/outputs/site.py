"""``OUT/site/index.html``: the page that lists the published reports, each agency by name with
links to its report in every format made (relative links: the folder can be copied whole)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from toolkit.outputs.atomic import write_bytes_atomic
from toolkit.outputs.report_html import encode, page, text

INDEX_NAME = "index.html"
FORMAT_NAMES = {"html": "网页", "pdf": "PDF", "docx": "Word（DOCX）"}
HEADER = ("序号", "单位名称", "报告")


@dataclass(frozen=True)
class Entry:
    """One listed report: who it is (name shown) and its files' stem under the reports folder."""

    name: str
    stem: str


def index_html(title: str, combined: Entry | None, entries: Sequence[Entry], formats: Sequence[str],
               reports_href: str = "../reports/") -> bytes:
    """The index page: the combined report first, then one row per agency."""
    formats = [f for f in FORMAT_NAMES if f in formats]
    body = []
    if combined is not None:
        body.append(f"<nav>\n<ul>\n<li>{text(combined.name)}：{_links(combined.stem, formats, reports_href)}</li>\n"
                    "</ul>\n</nav>\n")
    body.extend(_list(entries, formats, reports_href))
    return encode(page(title, body))


def _list(entries: Sequence[Entry], formats: Sequence[str], href: str) -> Iterator[str]:
    cols = "".join(f'<th scope="col">{text(h)}</th>' for h in HEADER)
    yield f"<table>\n<thead><tr>{cols}</tr></thead>\n<tbody>\n"
    for n, e in enumerate(entries, 1):
        name = f'<a href="{text(href + quote(e.stem))}.{formats[0]}">{text(e.name)}</a>' if formats else text(e.name)
        yield f'<tr><td>{n}</td><th scope="row">{name}</th><td>{_links(e.stem, formats, href)}</td></tr>\n'
    if not entries:
        yield f'<tr><td colspan="{len(HEADER)}">无</td></tr>\n'
    yield "</tbody>\n</table>\n"


def _links(stem: str, formats: Sequence[str], href: str) -> str:
    return " ".join(f'<a href="{text(href + quote(stem))}.{fmt}">{text(FORMAT_NAMES[fmt])}</a>' for fmt in formats)


def write_index(site_dir: Path, reports_dir: Path, title: str, combined: Entry | None, entries: Sequence[Entry],
                formats: Sequence[str]) -> Path:
    """``site_dir/index.html``, linking to the reports in ``reports_dir`` relatively."""
    path = Path(site_dir) / INDEX_NAME
    href = Path(os.path.relpath(Path(reports_dir).resolve(), Path(site_dir).resolve())).as_posix() + "/"
    write_bytes_atomic(path, index_html(title, combined, entries, formats, href))
    return path
