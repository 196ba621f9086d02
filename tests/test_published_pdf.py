"""PDF files: a real PDF made by LibreOffice from the toolkit's own DOCX, read through
``pdftotext -layout`` and through pypdf."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.format.spec import load_spec
from toolkit.model import Filled
from toolkit.published import pdf
from toolkit.published.audit import audit_report
from toolkit.published.reader import read_published

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "published"))
import pubfix as pf  # noqa: E402

runner = CliRunner()


@pytest.fixture(scope="module")
def figures():
    return pf.random_figures(load_spec(), 11)


@pytest.fixture(scope="module")
def report_pdf(office, figures, tmp_path_factory) -> Path:
    from toolkit.outputs.report_docx import render_report

    spec = load_spec()
    out = tmp_path_factory.mktemp("pdf")
    filled = Filled(agency=pf.Report.agency, year=2024, agency_id="demo",
                    values={c.code: figures[c.code] for c in spec.inputs},
                    narratives=pf.default_narratives(spec, figures, 2024), contact={})
    docx = out / "report.docx"
    docx.write_bytes(render_report(spec, filled))
    return office.convert(docx, "pdf", out)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_every_figure(spec, pub, figures):
    assert (pub.agency, pub.year) == (pf.Report.agency, 2024)
    assert pub.editions() == {"t2": "gb2021", "t3": "gb2021", "t4": "gb2021"}
    stated = pub.stated("gb2021")
    assert {c.code: stated.get(c.code) for c in spec.cells} == {c.code: figures[c.code] for c in spec.cells}
    narratives = pf.default_narratives(spec, figures, 2024)
    assert {k: _flat(v) for k, v in pub.narratives.items()} == {k: _flat(v) for k, v in narratives.items()}
    assert not [f for f in pub.findings if f.severity != "info"], pub.findings


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext is not installed")
def test_pdftotext_layout(spec, figures, report_pdf):
    text = pdf.extract(report_pdf)
    assert re.search(r"规章 {4,}\d+ {4,}\d+", text)  # columns apart by runs of spaces
    check_every_figure(spec, read_published(report_pdf, spec), figures)


def test_pypdf(spec, figures, report_pdf, monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    text = pdf.extract(report_pdf)
    assert "\n三\n、\n本\n" in text  # the tall merged label, one character per line
    check_every_figure(spec, read_published(report_pdf, spec), figures)


def test_import_and_audit_accept_pdf(spec, figures, report_pdf, tmp_path):
    out = tmp_path / "r.xlsx"
    res = runner.invoke(app, ["import", str(report_pdf), "-o", str(out), "--agency-id", "demo"])
    assert res.exit_code == 0, res.output
    assert audit_report(report_pdf, spec).status == "ok"


def test_broken_pdf_is_refused(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n%%EOF")
    res = runner.invoke(app, ["audit", str(bad)])
    assert res.exit_code == 2 and "PDF" in res.output
