"""CSV injection: every text field of findings.csv neutralised (OWASP)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from faults import YEAR

from hostile.bounded import bounded, cli, ok
from toolkit.outputs.csvfile import csv_row, csv_safe
from toolkit.outputs.findings import findings_csv

DANGEROUS = ["=cmd|' /C calc'!A0", "+1+cmd", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1", "\tx", "\rx", "-inf", "+nan",
             "=HYPERLINK(\"http://x\")"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_dangerous_field_gets_an_apostrophe(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["0", "12", "文字", "a=b", " =x", "0574-1", ""])
def test_a_plain_field_is_left_alone(text):
    assert csv_safe(text) == text


def test_numbers_stay_numbers_and_signed_text_stays_text():
    assert csv_row([-5, 1500.0, -0.25, None, "-5", "+86"]) == ["-5", "1500.0", "-0.25", "", "'-5", "'+86"]


def test_every_column_of_findings_csv_is_neutralised():
    row = {k: v for k, v in zip(["code", "severity", "agency_id", "file", "sheet", "cell", "expected", "actual",
                                 "message"], DANGEROUS)}
    files = {row["file"]: (DANGEROUS[0], DANGEROUS[1])}  # the agency name and used columns too
    rows = list(csv.reader(io.StringIO(findings_csv([row], files).decode("utf-8-sig"))))
    assert len(rows[1]) == len(rows[0]) and all(cell.startswith("'") for cell in rows[1])


@pytest.mark.parametrize("name", ["\t=1+1.xlsx", "\r=1+1.xlsx", "=1+1.xlsx", "@x.xlsx", "-x.xlsx", "+x.xlsx"])
def test_a_file_name_beginning_a_formula_reaches_findings_csv_quoted(tmp_path: Path, name: str):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / name).write_bytes(b"junk")
    code, output, escaped = ok(bounded(cli, "collect", inbox, "--year", str(YEAR), "-o", tmp_path / "out",
                                       "--no-docx", "--workers", "1"))
    assert (code, escaped) == (1, ""), output
    text = (tmp_path / "out" / "findings.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    [row] = rows[1:]
    assert row[3] == "'" + name
