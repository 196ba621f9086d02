"""Writes outside the output folder: ids from a forged stamp never become paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from faults import YEAR, clean_report
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.model import Agency
from toolkit.outputs.safepath import UnsafePath, inside, is_safe_stem, safe_stem
from toolkit.template.workbook import build_workbook

HOSTILE_IDS = [
    "../escaped",
    "../../escaped",
    "/tmp/toolkit-absolute-escape",
    "a/b",
    "a\\b",
    "x" * 300,
    "汇总",
    "CON",
    ".hidden",
    "..",
    "nul.txt",
    "tab\there",
]


def _workbook(spec, agency_id: str) -> bytes:
    r = clean_report(spec)
    return build_workbook(spec, Agency(agency_id, "伪造单位"), YEAR, values=r["values"],
                          narratives=r["narratives"], contact=r["contact"])


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("agency_id", HOSTILE_IDS)
def test_collect_without_roster_keeps_reports_inside_out(spec, tmp_path, agency_id):
    inbox, out, outside = tmp_path / "inbox", tmp_path / "work" / "out", tmp_path / "work"
    inbox.mkdir()
    (inbox / "forged.xlsx").write_bytes(_workbook(spec, agency_id))
    absolute = Path("/tmp/toolkit-absolute-escape.docx")
    absolute.unlink(missing_ok=True)
    res = CliRunner().invoke(app, ["collect", str(inbox), "--year", str(YEAR), "-o", str(out)])
    assert res.exit_code in (0, 1), res.output
    assert not absolute.exists()
    written = _files(outside)
    assert written and all(p.is_relative_to(out) for p in written)
    reports = sorted(p.name for p in (out / "reports").iterdir())
    assert all(p.parent == out / "reports" for p in _files(out / "reports"))
    assert "汇总.docx" in reports and len(reports) == 2  # the agency's own report and the combined one
    assert all(len(n.encode()) < 120 for n in reports)


def test_report_names_differ_for_different_unsafe_ids():
    assert safe_stem("../a") != safe_stem("/a")
    assert safe_stem("beilun-media") == "beilun-media"
    assert safe_stem("汇总", reserved=frozenset({"汇总"})) != "汇总"
    for word in HOSTILE_IDS:
        assert is_safe_stem(safe_stem(word))


def test_inside_refuses_escapes(tmp_path):
    assert inside(tmp_path, "a.docx") == tmp_path / "a.docx"
    for bad in ("../a.docx", "/etc/passwd", "..", ""):
        with pytest.raises(UnsafePath):
            inside(tmp_path, bad)
    (tmp_path / "link").symlink_to("/tmp")
    with pytest.raises(UnsafePath):
        inside(tmp_path, "link", "x.docx")


def test_report_command_default_name_is_safe(spec, tmp_path):
    wb = tmp_path / "in.xlsx"
    wb.write_bytes(_workbook(spec, "../../escaped"))
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        res = CliRunner().invoke(app, ["report", str(wb)])
    finally:
        os.chdir(cwd)
    assert res.exit_code == 0, res.output
    assert not (tmp_path.parent / "escaped.docx").exists()
    assert [p.name for p in tmp_path.glob("*.docx")] == ["in.docx"]
