"""check_bytes/check_file: the contract others code against, the code catalogue, the CLI."""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from faults import YEAR, clean_report, clean_workbook, members, previous_of, rezip
from typer.testing import CliRunner

from toolkit import catalogue
from toolkit.check.workbook import Result, check_bytes, check_file
from toolkit.cli import app
from toolkit.format.spec import STAMP_SHEET
from toolkit.model import SEVERITIES, Agency
from toolkit.template.workbook import build_workbook

AGENCY = Agency("demo", "示例单位")
DOC = Path(__file__).parents[1] / "docs" / "codes.md"


@pytest.fixture(scope="module")
def report(spec):
    return clean_report(spec)


@pytest.fixture(scope="module")
def clean(spec, report) -> bytes:
    return clean_workbook(spec, report)


@pytest.fixture(scope="module")
def broken(spec, report) -> bytes:
    values = {**report["values"], "t3_new_natural": report["values"]["t3_new_natural"] + 1, "t4_after_other": -2}
    return build_workbook(spec, AGENCY, YEAR, values=values, narratives=report["narratives"])


# --- the catalogue and its page --------------------------------------------------------------------


def test_catalogue_is_well_formed():
    ids = catalogue.ids()
    assert len(ids) == len(set(ids))
    for c in catalogue.CATALOGUE:
        assert re.fullmatch(r"[a-z][a-z0-9_]+", c.id)
        assert c.severity in SEVERITIES and c.stage in catalogue.STAGES
        assert re.search(r"[\u4e00-\u9fff]", c.title) and re.search(r"[\u4e00-\u9fff]", c.remedy)


def test_docs_page_is_generated_from_the_catalogue(spec):
    assert DOC.read_text(encoding="utf-8") == catalogue.markdown(spec), \
        "docs/codes.md is stale: python -m toolkit.catalogue > docs/codes.md"
    rows = re.findall(r"^\| `([A-Za-z0-9_]+)` \| (error|warning|info) \|", catalogue.markdown(spec), re.M)
    assert dict(rows) == {c.id: c.severity for c in catalogue.CATALOGUE} | {r.id: r.severity for r in spec.rules}
    assert len(rows) == len(dict(rows)), "a code is documented twice"


def test_every_code_a_check_emits_is_catalogued(spec, broken, clean):
    known = set(catalogue.ids()) | {r.id for r in spec.rules}
    for data in (broken, clean, b"", b"PK\x03\x04broken"):
        for f in check_bytes(data, "x.xlsx", spec).findings:
            assert f.code in known


# --- the result contract ---------------------------------------------------------------------------


def test_result_of_a_clean_workbook(spec, clean, report):
    r = check_bytes(clean, "dir/demo.xlsx", spec, year=YEAR, previous=previous_of(spec, report))
    assert (r.status, r.valid, r.findings) == ("ok", True, [])
    assert (r.file, r.agency_id, r.agency, r.year) == ("dir/demo.xlsx", "demo", "示例单位", YEAR)
    assert r.template == {"id": spec.id, "version": spec.version}
    assert r.sha256 == hashlib.sha256(clean).hexdigest()
    assert r.filled.values == {c.code: report["values"][c.code] for c in spec.inputs}
    assert r.filled.narratives == report["narratives"] and r.filled.contact == report["contact"]


def test_json_shape(spec, broken):
    r = check_bytes(broken, "b.xlsx", spec)
    d = json.loads(json.dumps(r.to_dict(), ensure_ascii=False))
    assert set(d) >= {"valid", "template", "stats", "submissions", "missing", "findings"}
    assert d["valid"] is False and d["missing"] == []
    assert d["stats"] == {"files": 1, "agencies": 1, "errors": 2, "warnings": 3, "missing": 0}
    (sub,) = d["submissions"]
    assert {k: sub[k] for k in ("file", "agency_id", "agency", "year", "status")} == {
        "file": "b.xlsx", "agency_id": "demo", "agency": "示例单位", "year": YEAR, "status": "errors"}
    assert re.fullmatch(r"[0-9a-f]{64}", sub["sha256"])
    for f in d["findings"]:
        assert set(f) >= {"code", "severity", "file", "agency_id", "sheet", "cell", "expected", "actual", "message",
                          "ref"}
        assert f["file"] == "b.xlsx" and f["agency_id"] == "demo"
        assert f["sheet"] in f["message"] and f["cell"] in f["message"]
    assert sorted(f["code"] for f in d["findings"]) == ["R1", "R7", "R8", "R8", "contact_missing"]


def test_rejected_result(spec):
    r = check_bytes(b"hello", "notes.txt", spec)
    assert (r.status, r.valid, r.filled, r.agency_id, r.template) == ("rejected", False, None, None, {})
    assert r.to_dict()["submissions"][0]["status"] == "rejected"
    u = Result.unreadable("gone.xlsx", "权限不足")
    assert u.status == "rejected" and u.findings[0].code == "file_unreadable" and "gone.xlsx" in u.findings[0].message


def test_with_findings_updates_the_status(spec, clean, report):
    r = check_bytes(clean, "c.xlsx", spec)
    warn = catalogue.finding("narrative_copied", file="c.xlsx", heading="x", same="")
    assert r.with_findings([warn]).status == "warnings" and r.status == "ok"
    err = catalogue.finding("agency_unknown", file="c.xlsx", agency="y")
    assert r.with_findings([warn, err]).status == "errors"


def test_stamp_missing_still_reads_the_tables(spec, clean):
    parts = members(clean)
    wb = parts["xl/workbook.xml"].decode()
    parts["xl/workbook.xml"] = re.sub(r'<sheet name="%s"[^>]*/>' % STAMP_SHEET, "", wb).encode()
    r = check_bytes(rezip(parts), "copy.xlsx", spec, year=YEAR)
    assert [f.code for f in r.findings if f.severity == "error"] == ["stamp_missing"]
    assert r.template == {} and r.agency_id is None
    assert r.agency == AGENCY.name and r.year == YEAR  # from the cover
    assert r.filled.values["t3_new_natural"] is not None


@pytest.mark.parametrize("how", ["widths", "words"])
def test_a_retyped_label_is_named_unless_only_its_widths_differ(how, spec, clean):
    """A label typed over with other words is label_changed at its cell; the same words with
    ASCII parentheses are the same label."""
    lb = next(lb for lb in spec.table("t3").labels if lb.text == "（一）予以公开")
    parts = members(clean)
    sst = parts["xl/sharedStrings.xml"].decode()
    assert sst.count(f">{lb.text}<") == 1
    typed = "(一)予以公开" if how == "widths" else "（一）同意公开"
    r = check_bytes(rezip({**parts, "xl/sharedStrings.xml": sst.replace(f">{lb.text}<", f">{typed}<").encode()}),
                    "w.xlsx", spec, year=YEAR)
    found = [(f.code, f.sheet, f.cell) for f in r.findings]
    sheet = spec.table("t3").sheet
    assert found == ([] if how == "widths" else [("label_changed", sheet, lb.address)])


def test_blank_cells_are_one_warning_per_table(spec, report):
    values = dict(report["values"])
    blanked = [c for c in spec.table("t3").inputs if report["values"][c.code] == 0][:3]
    assert len(blanked) == 3
    for c in blanked:
        values[c.code] = None
    r = check_bytes(build_workbook(spec, AGENCY, YEAR, values=values, narratives=report["narratives"],
                                   contact=report["contact"]), "b.xlsx", spec)
    (f,) = r.findings
    assert (f.code, f.severity, f.sheet, f.cell, f.actual) == ("input_blank", "warning", blanked[0].sheet,
                                                               blanked[0].address, 3)
    assert all(c.address in f.message for c in blanked)


# --- never writes ------------------------------------------------------------------------------------


def test_check_file_never_modifies_the_input(tmp_path, spec, broken):
    for name, data in (("b.xlsx", broken), ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))):
        path = tmp_path / name
        path.write_bytes(data)
        before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, path.stat().st_size)
        check_file(path, spec, year=YEAR)
        after = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, path.stat().st_size)
        assert before == after
    assert {p.name for p in tmp_path.iterdir()} == {"b.xlsx", "x.xls"}


def test_check_bytes_opens_no_file(spec, broken, monkeypatch):
    def no_open(*a, **k):
        raise AssertionError(f"check_bytes opened a file: {a[:1]}")

    monkeypatch.setattr(builtins, "open", no_open)
    monkeypatch.setattr(io, "open", no_open)
    assert check_bytes(broken, "b.xlsx", spec).status == "errors"


# --- the command ----------------------------------------------------------------------------------------


def test_cli_exit_codes_and_output(tmp_path, clean, broken):
    runner = CliRunner()
    (tmp_path / "ok.xlsx").write_bytes(clean)
    (tmp_path / "bad.xlsx").write_bytes(broken)
    ok = runner.invoke(app, ["check", str(tmp_path / "ok.xlsx"), "--year", str(YEAR)])
    assert ok.exit_code == 0 and "未发现问题" in ok.stdout
    bad = runner.invoke(app, ["check", str(tmp_path / "bad.xlsx")])
    assert bad.exit_code == 1
    assert "表三申请处理" in bad.stdout and "表四复议诉讼" in bad.stdout and "错误 2 个" in bad.stdout
    as_json = runner.invoke(app, ["check", str(tmp_path / "bad.xlsx"), "--json"])
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["stats"]["errors"] == 2
    wrong_year = runner.invoke(app, ["check", str(tmp_path / "ok.xlsx"), "--year", str(YEAR + 1), "--json"])
    assert wrong_year.exit_code == 1
    assert [f["code"] for f in json.loads(wrong_year.stdout)["findings"]] == ["year_mismatch"]
    missing = runner.invoke(app, ["check", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 2


def test_cli_previous_year(tmp_path, spec, report, clean):
    prev = previous_of(spec, report)
    prev.narratives["problems"] = report["narratives"]["problems"]
    (tmp_path / "last.xlsx").write_bytes(build_workbook(spec, AGENCY, YEAR - 1, values=prev.values,
                                                        narratives=prev.narratives))
    (tmp_path / "this.xlsx").write_bytes(clean)
    out = CliRunner().invoke(app, ["check", str(tmp_path / "this.xlsx"), "--previous", str(tmp_path / "last.xlsx"),
                                   "--json"])
    assert out.exit_code == 0
    assert [f["code"] for f in json.loads(out.stdout)["findings"]] == ["narrative_copied"]


def test_damaged_bytes_never_raise(spec, clean):
    """Flipped bytes inside members, cut files, shuffled parts: always a Result, never an exception."""
    import random

    rng = random.Random(2024)
    seen = set()
    for _ in range(150):
        data = bytearray(clean)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]
        r = check_bytes(bytes(data), "x.xlsx", spec)
        assert r.status in ("ok", "warnings", "errors", "rejected")
        seen.add(r.status)
    parts = members(clean)
    for name in parts:
        broken = dict(parts)
        broken[name] = parts[name][: len(parts[name]) // 2]
        status = check_bytes(rezip(broken), "x.xlsx", spec).status
        if name.startswith("xl/") and name.endswith((".xml", ".rels")) and not name.endswith(("theme1.xml",
                                                                                              "styles.xml")):
            assert status == "rejected", name  # a part the checker parses whole, cut in half
        else:
            assert status in ("ok", "warnings", "errors", "rejected")  # parts not read: no matter
    assert "rejected" in seen
