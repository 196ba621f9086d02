"""Numbers that are not numbers: NaN, infinities, 1E+400, 5,000 digits, 1e308. Each is an input
error at its cell (its table not read: no cascade of rule findings), and every JSON written or
printed stays valid JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faults import YEAR

from hostile.bounded import bounded, cli, ok
from hostile.make import with_value, workbook
from toolkit.check.workbook import check_bytes

BAD = ["nan", "NaN", "inf", "-inf", "Infinity", "1E+400", "-1E+400", "9" * 5000, "1e308", "-1e308", "1000000001",
       "1e10", "9007199254740993"]


def _strict(text: str):
    def refuse(word):
        raise AssertionError(f"bare {word} in JSON")
    return json.loads(text, parse_constant=refuse)


def _findings(data: bytes):
    r = check_bytes(data, "x.xlsx")
    return r.status, [(f.code, f.sheet, f.cell, f.message, f.actual) for f in r.findings]


@pytest.mark.parametrize("text", BAD)
def test_an_input_that_is_not_a_number_is_one_error_at_its_cell(text):
    status, found = ok(bounded(_findings, with_value("D6", text)))
    assert status == "errors"
    assert [(c, s, a) for c, s, a, _, _ in found] == [("number_invalid", "表三申请处理", "D6")], found
    message, actual = found[0][3], found[0][4]
    assert "D6" in message and ("不是有限的数字" in message or "超出合理范围" in message)
    assert isinstance(actual, str) and len(actual) < 40


@pytest.mark.parametrize("text", ["nan", "inf", "1E+400", "1e308"])
def test_a_fee_that_is_not_a_number(text):
    status, found = ok(bounded(_findings, with_value("B16", text, "xl/worksheets/sheet2.xml")))
    assert [(c, a) for c, _, a, _, _ in found] == [("number_invalid", "B16")], found


@pytest.mark.parametrize("text", ["nan", "inf", "1E+400"])
def test_a_total_showing_a_non_number(text):
    status, found = ok(bounded(_findings, with_value("J6", text)))
    assert ("number_invalid", "表三申请处理", "J6") in [(c, s, a) for c, s, a, _, _ in found], found


@pytest.mark.parametrize("good", ["0", "1000000000", "-5", "2.5"])
def test_ordinary_numbers_are_no_such_error(good):
    status, found = ok(bounded(_findings, with_value("D6", good)))
    assert "number_invalid" not in [c for c, *_ in found]


def test_collect_of_non_numbers_writes_valid_json_and_a_summary(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i, text in enumerate(["nan", "inf", "1E+400", "9" * 5000, "1e308"]):
        (inbox / f"bad{i}.xlsx").write_bytes(with_value("D6", text))
    (inbox / "good.xlsx").write_bytes(workbook("good"))
    out = tmp_path / "out"
    code, output, escaped = ok(bounded(cli, "collect", inbox, "--year", str(YEAR), "-o", out, "--json",
                                       "--workers", "1"), 10)
    assert (code, escaped) == (1, ""), output
    report = _strict((out / "findings.json").read_text(encoding="utf-8"))
    _strict((out / "data.json").read_text(encoding="utf-8"))
    _strict(output[output.index("{"):output.rindex("}") + 1])
    assert {f["code"] for f in report["findings"] if f["severity"] == "error"} == {"number_invalid"}
    assert (out / "summary.xlsx").stat().st_size > 0


def test_check_json_of_a_total_holding_nan_is_valid(tmp_path: Path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(with_value("J6", "nan"))
    code, output, escaped = ok(bounded(cli, "check", path, "--json"))
    assert (code, escaped) == (1, "")
    _strict(output)


def test_json_safe_writes_non_numbers_as_text():
    from toolkit.outputs.findings import dumps

    assert _strict(dumps({"a": [float("nan"), float("inf")], "b": 1.5})) == {"a": ["nan", "inf"], "b": 1.5}
