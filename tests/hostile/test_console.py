"""What reaches the terminal: rich markup and escape codes in file names, agency names and
messages are printed as text, never interpreted (no crash on ``[/red]``, no cursor moves)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faults import YEAR, clean_report

from hostile.bounded import bounded, cli, ok
from toolkit.format.spec import load_spec
from toolkit.model import Agency
from toolkit.template.workbook import build_workbook

NAMES = ["[/red]", "[bold]x[/bold]", "[link=file:///etc/passwd]点我[/link]", "a\x1b[2Jb", "c\x1b]0;title\x07d", "e\x07\x08f"]


def _workbook(name: str, agency_id: str = "demo") -> bytes:
    spec = load_spec()
    r = clean_report(spec)
    return build_workbook(spec, Agency(agency_id, name), YEAR, values=r["values"], narratives=r["narratives"],
                          contact=r["contact"])


def _clean(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output and "\x08" not in output, repr(output)


@pytest.mark.parametrize("name", NAMES)
def test_collect_prints_hostile_file_and_agency_names(tmp_path: Path, name: str):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / f"{name.replace('/', '_')}.xlsx").write_bytes(_workbook(name))
    (inbox / "other.xlsx").write_bytes(b"not a workbook")
    code, output, escaped = ok(bounded(cli, "collect", inbox, "--year", str(YEAR), "-o", tmp_path / "out",
                                       "--no-docx", "--workers", "1"))
    assert (code, escaped) == (1, ""), output
    _clean(output)
    if name.startswith("["):
        assert name.replace("/", "_")[:6] in output.replace("\n", "") or "…" in output
    report = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    if name.startswith("["):  # the outputs keep the name as it is
        assert any(s["agency"] == name for s in report["submissions"])


@pytest.mark.parametrize("name", NAMES[:4])
def test_check_prints_hostile_names(tmp_path: Path, name: str):
    path = tmp_path / f"{name.replace('/', '_')}.xlsx"
    path.write_bytes(b"junk")
    code, output, escaped = ok(bounded(cli, "check", path))
    assert (code, escaped) == (1, ""), output
    _clean(output)


@pytest.mark.parametrize("name", ["[/red]missing", "x\x1b[31m"])
def test_an_error_message_holding_markup(tmp_path: Path, name: str):
    code, output, escaped = ok(bounded(cli, "collect", tmp_path / name, "--year", str(YEAR), "-o", tmp_path / "o"))
    assert (code, escaped) == (2, ""), output
    _clean(output)
    assert "找不到收件目录" in output


def test_audit_of_a_report_named_with_markup(tmp_path: Path):
    path = tmp_path / "[red]报告[bold.txt"
    path.write_text("[/red]\x1b[2J 2024年政府信息公开工作年度报告\n", encoding="utf-8")
    code, output, escaped = ok(bounded(cli, "audit", path))
    assert escaped == "" and code in (1, 2), output
    _clean(output)


def test_report_of_an_agency_named_with_markup(tmp_path: Path):
    path = tmp_path / "in.xlsx"
    path.write_bytes(_workbook("[/red]\x1b[2J单位"))
    code, output, escaped = ok(bounded(cli, "report", path, "-o", tmp_path / "r.docx"))
    assert (code, escaped) == (0, ""), output
    _clean(output)
    assert "[/red]" in output
