"""Format knowledge is read from the edition's YAML, never typed in code: a spec built from a
changed copy of the data changes what the checks, the reader and the DOCX say."""

from __future__ import annotations

import copy
import io
from importlib import resources

import openpyxl
import pytest
import yaml

from toolkit.check import rules
from toolkit.format import labels
from toolkit.format.spec import build_spec, editions, load_spec
from toolkit.model import Agency, Filled
from toolkit.outputs.report_docx import lead_text
from toolkit.published import reader, sections, tokens
from toolkit.published.doc import Row
from toolkit.template.workbook import build_workbook


def _data(edition: str = "gb2021") -> dict:
    text = resources.files("workbook_templates").joinpath(f"{edition}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _changed(change) -> object:
    data = copy.deepcopy(_data())
    change(data)
    return build_spec(data)


def _r8(data: dict) -> dict:
    return next(r for r in data["rules"] if r["kind"] == "narrative_figures")


def _filled(spec, text: str, **values) -> Filled:
    return Filled("示例单位", 2024, values={**{c.code: 0 for c in spec.inputs}, **values},
                  narratives={"overview": text})


def _r8_findings(spec, filled: Filled) -> list:
    return [f for f in rules.apply(spec, filled) if f.code == "R8"]


def test_r8_phrase_is_read_from_the_data():
    text = "本年度共接获申请7件。"
    assert not _r8_findings(load_spec(), _filled(load_spec(), text))  # not a phrase of the format data

    def add(data):
        _r8(data)["claims"][0]["pattern"] = "接获申请{num}件"
    spec = _changed(add)
    (f,) = _r8_findings(spec, _filled(spec, text))
    assert (f.actual, f.expected) == (7, 0)
    assert "接获申请7件" in f.message


def test_r8_target_cells_are_read_from_the_data():
    spec = load_spec()
    filled = _filled(spec, "收到申请3件。", t3_new_natural=3)
    assert not _r8_findings(spec, filled)

    def retarget(data):
        _r8(data)["claims"][0]["cells"] = [["t3_carried_in_total"]]
    spec = _changed(retarget)
    (f,) = _r8_findings(spec, _filled(spec, "收到申请3件。", t3_new_natural=3))
    assert f.expected == 0 and "上年结转" in f.message


def test_r8_unknown_cell_is_refused():
    def wrong(data):
        _r8(data)["none"][0]["cells"] = ["t3_nothing"]
    with pytest.raises(ValueError, match="t3_nothing"):
        _changed(wrong)


def test_amount_unit_is_read_from_the_data():
    spec = _changed(lambda d: d.update(amount_unit="元"))
    fee = next(c for c in spec.inputs if c.type == "decimal")
    assert "单位：元，" in rules.type_problem(spec, fee, -1)
    assert "单位：万元，" in rules.type_problem(load_spec(), load_spec().cell(fee.code), -1)


def test_notice_and_law_in_the_docx_lead_are_read_from_the_data():
    def change(data):
        data["notice"] = {"title": "《某通知》", "number": "国办公开办函〔2030〕1号"}
        data["law"] = "《某条例》"
    spec = _changed(change)
    text = lead_text(spec, Filled("示例单位", 2024))
    assert "根据《某条例》（以下简称《条例》）和《某通知》（国办公开办函〔2030〕1号）要求编制" in text
    assert "国办公开办函〔2021〕30号" in lead_text(load_spec(), Filled("示例单位", 2024))


def test_heading_aliases_are_read_from_the_data():
    line = "四、复议诉讼情况"
    assert sections.heading_of(load_spec(), line) is None

    def alias(data):
        next(s for s in data["sections"] if s["numeral"] == "四")["aliases"] = ["复议诉讼情况"]
    assert sections.heading_of(_changed(alias), line) == ("四", True)
    # art. 50's wording, with the fillers (行政机关, 的) the data names
    assert sections.heading_of(load_spec(), "因政府信息公开工作被申请行政复议、提起行政诉讼的情况") == ("四", False)
    assert sections.heading_of(_changed(lambda d: d.update(heading_fillers=[])),
                               "因政府信息公开工作被申请行政复议、提起行政诉讼的情况") is None


def test_cover_meanings_are_read_from_the_data():
    def rename(data):
        field = next(f for f in data["cover"]["fields"] if f["means"] == "phone")
        field["code"] = "meta_tel"
    spec = _changed(rename)
    rows = [Row(("联系电话：0574-86880000",), False, 1)]
    assert sections.contact(spec, rows) == {"meta_tel": "0574-86880000"}
    assert sections.contact(load_spec(), rows) == {"meta_phone": "0574-86880000"}


def test_edition_years_are_read_from_the_data():
    current, old = load_spec("gb2021"), load_spec("gb2019")
    assert [y for y in range(2018, 2025) if current.applies_to(y)] == [2021, 2022, 2023, 2024]
    assert [y for y in range(2018, 2025) if old.applies_to(y)] == [2019, 2020]
    assert reader._edition_before("gb2021") is old
    assert reader._edition_before("gb2019") is None
    assert (old.label, old.notice.number) == ("2019 年版", "国办公开办函〔2019〕60号")


def test_amount_units_of_every_edition_are_read_in_published_tables():
    assert {load_spec(e).amount_unit for e in editions()} == {"万元"}
    assert tokens.number("12.5万元") == tokens.number("12.5")
    assert tokens.number("12.5元") is None


# --- the label normalisers -------------------------------------------------------------------


def test_published_key_variants():
    assert labels.published_key("（一） 予以 公开") == "(一)予以公开"
    assert labels.published_key("1、属于“国家秘密”") == "1.属于国家秘密"
    assert labels.published_key("二、上年转结") == "二、上年结转"
    assert labels.core(labels.published_key("（二）部分公开（区分处理的，只计这一情形）")) == "部分公开"
    assert labels.strip_enum("(三)不予公开") == "不予公开"


def test_workbook_label_and_formula_key():
    assert labels.workbook_label("（七）总计 ") == labels.workbook_label("(七)总计") == "(七)总计"
    assert labels.formula_key("=sum('表三申请处理'!$D$6 : D8)") == "SUM(表三申请处理!D6:D8)"
    assert labels.formula_key("=_xlfn.SUM(A1)") == "SUM(A1)"
    assert labels.narrative_text("收到申请\n１２ 件") == "收到申请12件"
    assert labels.heading_key("行政机关收到和处理政府信息公开申请的情况。", ("的", "行政机关")) == "收到和处理政府信息公开申请情况"


def test_template_reads_the_unit_and_cover_labels_from_the_data():
    def change(data):
        data["amount_unit"] = "元"
        next(f for f in data["cover"]["fields"] if f["means"] == "agency")["label"] = "报送单位"
    spec = _changed(change)
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(spec, Agency("a1", "示例单位"), 2024)))
    cover = [str(c.value) for row in wb[spec.cover_sheet].iter_rows() for c in row if c.value]
    assert any("行政事业性收费金额以元为单位" in t for t in cover)
    t2 = spec.table("t2")
    assert wb[t2.sheet]["A2"].value.startswith("报送单位：示例单位")
    fee = next(c for c in t2.cells if c.type == "decimal")
    (rule,) = [v for v in wb[t2.sheet].data_validations.dataValidation if fee.address in str(v.sqref)]
    assert "收费金额（元，可含小数）" in rule.prompt


def test_the_checks_unit_words_and_quantity_come_from_the_data():
    import re

    from faults import clean_workbook, members, rezip, sheet_part

    from toolkit.check import check_bytes

    spec = _changed(lambda d: (d.update(amount_unit="千元"), d.update(unit_words=["件", "宗", "千元"])))
    assert spec.quantity(spec.cell("t2_fee_amount")) == "金额（千元）"
    cell = spec.cell("t3_new_natural")
    parts = members(clean_workbook(load_spec()))
    name = sheet_part(parts, cell.sheet)
    xml = re.sub(rf'<c r="{cell.address}"[^>]*?(/>|>.*?</c>)',
                 f'<c r="{cell.address}" t="inlineStr"><is><t>3宗</t></is></c>', parts[name].decode())
    typed = next(f for f in check_bytes(rezip({**parts, name: xml.encode()}), "a.xlsx", spec).findings
                 if f.code == "input_text")
    assert "不要带单位“宗”" in typed.message
