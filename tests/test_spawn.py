"""Windows stands in: collect with the `spawn` start method (workers share nothing with the main
process) gives byte for byte the outputs of `fork`."""

from __future__ import annotations

import multiprocessing
import re

import openpyxl
import pytest
from test_collect import YEAR, figures, workbook
from typer.testing import CliRunner

import toolkit.pool
from toolkit.cli import app

AGENCIES = 9  # enough files for a pool in both the check and the report stage


@pytest.fixture(scope="module")
def inbox(spec, tmp_path_factory):
    root = tmp_path_factory.mktemp("spawn")
    box = root / "inbox"
    box.mkdir()
    for i in range(AGENCIES):
        (box / f"a{i:02}.xlsx").write_bytes(workbook(spec, f"a{i:02}", f"示例{i}局", i + 1))
    bad = figures(spec, 4)
    bad["t3_new_other"] += 2  # one error and one duplicate: findings, exclusions, the 未采用 mark
    (box / "z.xlsx").write_bytes(workbook(spec, "a01", "示例1局", values=bad))
    roster = root / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"a{i:02},示例{i}局\n" for i in range(AGENCIES + 1)), encoding="utf-8")
    return box, roster


def run_collect(inbox, out, method: str, monkeypatch) -> list[str]:
    """collect on 2 workers started by ``method``; returns the start methods the pools used."""
    box, roster = inbox
    used: list[str] = []
    start_context = toolkit.pool.start_context

    def recording():
        context = start_context()
        used.append(context.get_start_method())
        return context

    monkeypatch.setenv(toolkit.pool.START_METHOD_ENV, method)
    monkeypatch.setattr(toolkit.pool, "start_context", recording)
    res = CliRunner().invoke(app, ["collect", str(box), "--year", str(YEAR), "--roster", str(roster), "-o", str(out),
                                   "--workers", "2", "--publish", "docx,html"])
    # The faulty file is a01's unused duplicate: listed with its findings, never counted (exit 0).
    assert res.exit_code == 0 and "有错误（未采用）" in res.output, res.output
    return used


def test_spawn_gives_the_outputs_of_fork(inbox, tmp_path, monkeypatch):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork here to compare with")
    forked = list(run_collect(inbox, tmp_path / "fork", "fork", monkeypatch))
    assert len(forked) >= 2 and set(forked) == {"fork"}  # the checks, the feedback, the reports
    assert run_collect(inbox, tmp_path / "spawn", "spawn", monkeypatch) == ["spawn"] * len(forked)
    files = sorted(p.relative_to(tmp_path / "fork").as_posix() for p in (tmp_path / "fork").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "spawn").as_posix()
                           for p in (tmp_path / "spawn").rglob("*") if p.is_file())
    assert {"findings.json", "findings.csv", "data.json", "summary.xlsx", "reports/a00.docx", "reports/汇总.docx",
            "reports/a00.html", "site/index.html"} <= set(files)
    for name in files:
        a, b = (tmp_path / "fork" / name), (tmp_path / "spawn" / name)
        if name.endswith(".xlsx"):  # xlsxwriter stamps its creation time: cell by cell
            assert cells(a) == cells(b), name
        elif name == "history.json":  # when each file was seen differs; the rest may not
            assert _timeless(a) == _timeless(b)
        else:
            assert a.read_bytes() == b.read_bytes(), name


def cells(path) -> dict:
    """Cell values, clock readings masked (each run records when it first saw each file)."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[_CLOCK.sub("<time>", c.value) if isinstance(c.value, str) else c.value for c in row]
                       for row in ws.iter_rows()] for ws in wb.worksheets}


_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?")


def _timeless(path) -> object:
    """history.json without its clock readings."""
    import json

    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if not any(w in k for w in ("time", "seen", "at"))}
        return [strip(v) for v in x] if isinstance(x, list) else x

    return strip(json.loads(path.read_text(encoding="utf-8")))
