"""What the clerk sees and prints: a 总体情况 of 6,000 characters is whole in the printed template
and in the report; `check --preview` writes the report the coordinator would publish."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pytest
from test_report_office import pdf_text, squash
from typer.testing import CliRunner

from toolkit.check.workbook import check_bytes
from toolkit.cli import app
from toolkit.model import Agency
from toolkit.outputs.report_docx import UNVERIFIED, render_report
from toolkit.template.workbook import build_workbook

AGENCY = Agency("demo-long", "示例区长文局")
YEAR = 2024
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "inbox"
CHARS = "政府信息公开工作主动依申请平台建设监督保障管理制度规范文件解读回应关切数据开放年度报告机关单位"


def long_text(n: int, seed: int) -> list[str]:
    """Paragraphs of about n characters in all, each one distinct (so each can be found)."""
    rnd = random.Random(seed)
    paras, total = [], 0
    while total < n:
        p = f"第{len(paras) + 1}段" + "".join(rnd.choice(CHARS) for _ in range(rnd.randint(120, 400))) + "。"
        paras.append(p)
        total += len(p)
    return paras


@pytest.mark.office
def test_long_narrative_whole_in_template_and_report(spec, office, tmp_path):
    overview = long_text(6000, 1)
    narratives = {"overview": "\n".join(overview), "problems": "\n".join(long_text(1800, 2)),
                  "other_matters": "本年度未收取信息处理费。"}
    data = build_workbook(spec, AGENCY, YEAR, narratives=narratives)
    xlsx = tmp_path / "template.xlsx"
    xlsx.write_bytes(data)
    printed = squash(pdf_text(office.convert(xlsx, "pdf", tmp_path / "xlsx")))
    missing = [p[:12] for p in overview + narratives["problems"].split("\n") if p not in printed]
    assert not missing, missing
    filled = check_bytes(data, "template.xlsx", spec).filled
    assert filled.narratives["overview"] == narratives["overview"]  # read whole from the merged cell
    docx_path = tmp_path / "report.docx"
    docx_path.write_bytes(render_report(spec, filled))
    pages = pdf_text(office.convert(docx_path, "pdf", tmp_path / "docx"))
    report = squash(re.sub(r"—\s*\d+\s*—", "", pages))  # a page number inside a paragraph split over pages
    missing = [p[:12] for p in overview if p not in report]
    assert not missing, missing


def test_check_preview_marks_errors(tmp_path):
    runner = CliRunner()
    faulty, clean = tmp_path / "faulty.docx", tmp_path / "clean.docx"
    res = runner.invoke(app, ["check", str(SAMPLES / "demo-health.xlsx"), "--preview", str(faulty)])
    assert res.exit_code == 1, res.output
    res = runner.invoke(app, ["check", str(SAMPLES / "demo-transport.xlsx"), "--preview", str(clean)])
    assert res.exit_code == 0, res.output
    assert UNVERIFIED in _text(faulty) and UNVERIFIED not in _text(clean)
    assert "示例市示例区交通运输局" in _text(clean)


def _text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
