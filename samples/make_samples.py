"""Regenerate the sample inbox: workbooks as agencies return them, filled through LibreOffice.

    .venv/bin/python samples/make_samples.py        (or: make samples)

For every sample below: write the agency's blank template with the current template writer,
let LibreOffice open it, type the figures, text and contact into it (plus the sample's fault,
if any) and save it as xlsx, as a clerk would. Then write ``roster.csv`` and
``expected_findings.json`` (what ``collect --year 2023`` must find in each file). Cell places
come from the format data, never typed here. Needs LibreOffice and python3-uno.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from toolkit.format import compute  # noqa: E402
from toolkit.format.spec import Spec, load_spec  # noqa: E402
from toolkit.model import Agency
from toolkit.office.driver import Office, cells_by_code  # noqa: E402
from toolkit.outputs.atomic import write_bytes_atomic  # noqa: E402
from toolkit.template.workbook import build_workbook  # noqa: E402

YEAR = 2023
INBOX = ROOT / "inbox"
REFERENCE = ROOT.parent / "tests" / "reference" / "000_154e5da753eb525e.txt"
NOT_SUBMITTED = [Agency("demo-audit", "示例市示例区审计局"), Agency("demo-stats", "示例市示例区统计局")]


@dataclass
class Sample:
    agency: Agency
    file: str
    t2: dict[str, int | float | str] = field(default_factory=dict)  # t2 input code -> value
    results: dict[str, dict[str, int]] = field(default_factory=dict)  # t3 result row -> {column: n}
    carried_in: dict[str, int] = field(default_factory=dict)
    carried_out: dict[str, int] = field(default_factory=dict)
    t4: dict[str, int] = field(default_factory=dict)  # t4 input code -> n
    narratives: dict[str, str] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)
    fault: str = ""  # what this sample gets wrong (README)
    typed: dict[str, object] = field(default_factory=dict)  # extra cells typed last, by code (faults)
    expected: list[dict] = field(default_factory=list)


# --- figures ---------------------------------------------------------------------------------------


def inputs(spec: Spec, s: Sample) -> dict[str, int | float | str]:
    """Every input cell's value (0 where nothing happened): 一、本年新收 is derived per column so
    that R1 holds (一 + 二 = （七）总计 + 四)."""
    values: dict[str, int | float | str] = {c.code: 0 for c in spec.inputs}
    t3 = spec.table("t3")
    for code, v in {**s.t2, **s.t4}.items():
        values[spec.cell(code).code] = v
    for row, cols in s.results.items():
        for col, n in cols.items():
            values[t3.cell(row, col).code] = n
    (new, carried_in), (closed, carried_out) = spec.rule("R1").params["lhs"], spec.rule("R1").params["rhs"]
    result_rows = [spec.cell(c).row_code for c in t3.cell(closed, t3.col_codes[0]).sum_of]  # a column sum
    for col in t3.col_codes:
        if t3.cell(new, col).role == "total":
            continue
        values[t3.cell(carried_in, col).code] = s.carried_in.get(col, 0)
        values[t3.cell(carried_out, col).code] = s.carried_out.get(col, 0)
        closed_n = sum(s.results.get(r, {}).get(col, 0) for r in result_rows)
        values[t3.cell(new, col).code] = closed_n + s.carried_out.get(col, 0) - s.carried_in.get(col, 0)
        if values[t3.cell(new, col).code] < 0:
            raise ValueError(f"{s.agency.id}: carried-in exceeds the column's results in {col}")
    return values


def figures(spec: Spec, values) -> dict[str, int | float]:
    numeric = {k: (v if isinstance(v, (int, float)) else 0) for k, v in values.items()}
    return compute.full(spec, numeric)


def figures_paragraph(spec: Spec, values) -> str:
    """The sentence on applications and appeals that most reports carry, quoting the tables."""
    f = figures(spec, values)
    new, carried_in = f["t3_new_total"], f["t3_carried_in_total"]
    closed, carried_out = f["t3_closed_total_total"], f["t3_carried_out_total"]
    review, lawsuits = f["t4_review_total"], f["t4_direct_total"] + f["t4_after_total"]
    text = (f"依申请公开方面，全年共收到政府信息公开申请{new}件，上年结转{carried_in}件，已办结{closed}件，"
            f"其中予以公开{f['t3_granted_total']}件、部分公开{f['t3_partial_total']}件，"
            f"结转下年度继续办理{carried_out}件，均在法定期限内答复。")
    if review or lawsuits:
        text += f"因政府信息公开工作被申请行政复议{review}件、被提起行政诉讼{lawsuits}件，均依法应诉答复。"
    else:
        text += "全年未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
    return text


# --- the real report: 北仑区传媒中心 2023 --------------------------------------------------------------


def beilun_narratives() -> dict[str, str]:
    """Sections 一, 五 and 六 of the published report, verbatim, paragraphs joined by newlines."""
    lines = [ln.strip() for ln in REFERENCE.read_text(encoding="utf-8").splitlines()]

    def between(start: str, stop: str | None) -> str:
        i = lines.index(start) + 1
        j = lines.index(stop, i) if stop else len(lines)
        return "\n".join(ln for ln in lines[i:j] if ln)

    return {
        "overview": between("一、总体情况", "主动公开政府信息情况"),
        "problems": between("五、存在的主要问题及改进情况", "六、其他需要报告的事项"),
        "other_matters": between("六、其他需要报告的事项", None),
    }


# --- the samples -------------------------------------------------------------------------------------


def samples(spec: Spec) -> list[Sample]:
    out = [
        Sample(Agency("beilun-media", "北仑区传媒中心"), "beilun-media.xlsx",
               narratives=beilun_narratives(),
               # The published report names no contact: placeholders, so the file is complete.
               contact={"meta_contact": "办公室（示例联系人）", "meta_phone": "0574-00000000"}),
        Sample(
            Agency("demo-transport", "示例市示例区交通运输局"), "demo-transport.xlsx",
            t2={"t2_normative_issued": 2, "t2_normative_repealed": 1, "t2_normative_valid": 14,
                "t2_license_decisions": 1862, "t2_penalty_decisions": 437, "t2_enforcement_decisions": 12},
            results={"granted": {"natural": 18, "commercial": 3, "legal": 1}, "partial": {"natural": 2},
                     "denied_third_party": {"natural": 1}, "unable_not_held": {"natural": 6, "commercial": 1},
                     "rejected_repeat": {"natural": 2}, "other_overdue": {"natural": 1}},
            carried_in={"natural": 2}, carried_out={"natural": 3, "commercial": 1},
            t4={"t4_review_upheld": 1, "t4_review_pending": 1, "t4_direct_upheld": 1},
            contact={"meta_contact": "王晓明", "meta_phone": "0571-87650001"},
        ),
        Sample(
            Agency("demo-education", "示例市示例区教育局"), "示例市示例区教育局2023年政府信息公开年报.xlsx",
            t2={"t2_normative_issued": 3, "t2_normative_valid": 21, "t2_license_decisions": 356,
                "t2_penalty_decisions": 4},
            results={"granted": {"natural": 25, "nonprofit": 1}, "partial": {"natural": 3},
                     "denied_internal": {"natural": 1}, "denied_process": {"natural": 2},
                     "unable_not_held": {"natural": 9}, "unable_not_existing": {"natural": 2},
                     "rejected_petition": {"natural": 3}, "rejected_publication": {"natural": 1},
                     "other_other": {"natural": 1}},
            carried_in={"natural": 1}, carried_out={"natural": 2},
            t4={"t4_review_corrected": 1},
            contact={"meta_contact": "李静", "meta_phone": "0571-87650002"},
        ),
        Sample(
            Agency("demo-market", "示例市示例区市场监督管理局"), "demo-market.xlsx",
            t2={"t2_normative_issued": 1, "t2_normative_repealed": 2, "t2_normative_valid": 9,
                "t2_license_decisions": 5320, "t2_penalty_decisions": 968, "t2_enforcement_decisions": 57,
                "t2_fee_amount": 3.62},
            results={"granted": {"natural": 41, "commercial": 9, "legal": 3, "other": 1},
                     "partial": {"natural": 5, "commercial": 2},
                     "denied_third_party": {"natural": 3, "commercial": 2}, "denied_enforcement": {"natural": 2},
                     "denied_inquiry": {"natural": 4}, "unable_not_held": {"natural": 12, "commercial": 3},
                     "unable_unclear": {"natural": 2}, "rejected_petition": {"natural": 6},
                     "rejected_massive": {"natural": 2}, "rejected_confirm": {"natural": 1},
                     "other_overdue": {"natural": 3}, "other_unpaid": {"natural": 1}},
            carried_in={"natural": 4, "commercial": 1}, carried_out={"natural": 5, "legal": 1},
            t4={"t4_review_upheld": 3, "t4_review_corrected": 1, "t4_review_other": 1, "t4_review_pending": 1,
                "t4_direct_upheld": 1, "t4_direct_pending": 1, "t4_after_upheld": 1},
            contact={"meta_contact": "陈海燕", "meta_phone": "0571-87650003"},
        ),
        Sample(
            Agency("demo-health", "示例市示例区卫生健康局"), "demo-health.xlsx",
            t2={"t2_normative_issued": 1, "t2_normative_valid": 6, "t2_license_decisions": 912,
                "t2_penalty_decisions": 88, "t2_enforcement_decisions": 3},
            results={"granted": {"natural": 14, "commercial": 2}, "partial": {"natural": 1},
                     "unable_not_held": {"natural": 4}, "rejected_repeat": {"natural": 1},
                     "other_overdue": {"natural": 1}},
            carried_out={"natural": 1},
            contact={"meta_contact": "赵磊", "meta_phone": "0571-87650004"},
            fault="表三“自然人”列不平衡：四、结转下年度继续办理 多填 1 件（R1）",
        ),
        Sample(
            Agency("demo-housing", "示例市示例区住房和城乡建设局"), "demo-housing.xlsx",
            t2={"t2_normative_issued": 2, "t2_normative_repealed": 1, "t2_normative_valid": 17,
                "t2_license_decisions": 1204, "t2_penalty_decisions": 76, "t2_enforcement_decisions": 5},
            results={"granted": {"natural": 22, "commercial": 4}, "partial": {"natural": 3},
                     "denied_third_party": {"natural": 2}, "denied_process": {"natural": 1},
                     "unable_not_held": {"natural": 7, "commercial": 1}, "rejected_petition": {"natural": 4},
                     "other_overdue": {"natural": 2}},
            carried_in={"natural": 3}, carried_out={"natural": 2},
            t4={"t4_review_upheld": 2, "t4_after_pending": 1},
            contact={"meta_contact": "孙志强", "meta_phone": "0571-87650005"},
            fault="表三（七）总计／总计单元格的公式被手填的数字覆盖（数字本身正确）",
        ),
        Sample(
            Agency("demo-culture", "示例市示例区文化广电旅游局"), "demo-culture.xlsx",
            t2={"t2_normative_issued": 1, "t2_normative_valid": 4, "t2_license_decisions": 143,
                "t2_penalty_decisions": 21},
            results={"granted": {"natural": 6}, "unable_not_held": {"natural": 2},
                     "rejected_publication": {"natural": 1}},
            contact={"meta_contact": "周敏", "meta_phone": "0571-87650006"},
            fault="表二“行政强制”填了文字“无”而不是 0",
        ),
        Sample(
            Agency("demo-civil", "示例市示例区民政局"), "demo-civil.xlsx",
            t2={"t2_normative_issued": 2, "t2_normative_valid": 11, "t2_license_decisions": 38,
                "t2_penalty_decisions": 2},
            results={"granted": {"natural": 9, "nonprofit": 2}, "partial": {"natural": 1},
                     "unable_not_held": {"natural": 3}, "rejected_petition": {"natural": 2}},
            carried_in={"natural": 1},
            t4={"t4_review_upheld": 1},
            contact={"meta_contact": "吴芳", "meta_phone": "0571-87650007"},
            fault="文字部分“五、存在的主要问题及改进情况”留空",
        ),
    ]
    for s in out[1:]:
        s.narratives = demo_narratives(spec, s)
    _faults(spec, {s.agency.id: s for s in out})
    return out


def _faults(spec: Spec, by_id: dict[str, Sample]) -> None:
    """Put each faulty sample's fault in, and say what collect must find (cell places from spec)."""
    t3 = spec.table("t3")

    def at(ref: str, **what) -> dict:
        c = spec.cell(ref)
        return {**what, "sheet": c.sheet, "cell": c.address, "ref": ref}

    health = by_id["demo-health"]  # one more carried over than balances the column
    code = t3.cell("carried_out", "natural").code
    health.typed[code] = health.carried_out["natural"] + 1
    health.expected = [at(code, code="R1", severity="error")]

    housing = by_id["demo-housing"]  # the total typed over its formula (the right number)
    code = t3.cell("closed_total", "total").code
    housing.typed[code] = figures(spec, inputs(spec, housing))[code]
    housing.expected = [at(code, code="total_overwritten", severity="error")]

    culture = by_id["demo-culture"]  # text in a number cell, set through the API past validation
    code = "t2_enforcement_decisions"
    culture.typed[code] = "无"
    culture.expected = [at(code, code="input_text", severity="error")]

    civil = by_id["demo-civil"]  # a blank narrative section
    n = spec.narrative("problems")
    civil.narratives.pop(n.code)
    civil.expected = [{"code": "narrative_empty", "severity": "error", "sheet": n.sheet, "cell": n.address,
                       "ref": n.code}]


# Agency-specific sentences for the fictional reports; the figures sentence comes from the tables.
_TEXT = {
    "demo-transport": (
        "2023年，示例区交通运输局坚持以公开为常态、不公开为例外，围绕交通建设项目、道路运输管理、"
        "公交出行服务等群众关注事项做好政府信息公开工作。",
        "主动公开方面，全年通过区政府门户网站交通运输局专栏主动公开政府信息426条，其中重点项目建设进展"
        "38条、行政许可和行政处罚结果信息2299条（含双公示数据），及时发布公交线路调整公告21条。",
        "政府信息管理和平台建设方面，落实公开前保密审查和合法性审查，全年动态更新政府信息公开指南和"
        "公开目录2次；对现行有效的14件行政规范性文件进行清理并集中公开。",
        "监督保障方面，将政务公开工作纳入年度目标考核，组织专题培训2次，全年未发生因政务公开工作被"
        "追究责任的情况。",
    ),
    "demo-education": (
        "2023年，示例区教育局以群众关切为导向，重点做好招生入学、教育收费、校园安全等领域的信息公开。",
        "主动公开方面，全年主动公开政府信息518条，及时发布义务教育招生政策、学区划分和民办学校收费标准，"
        "开展政策解读15次，其中图解和视频解读6次。",
        "政府信息管理方面，建立公文公开属性源头认定机制，全年制发行政规范性文件3件，均依法公开并同步解读。"
        "平台建设方面，优化门户网站“招生入学”专题，新增常见问题答复120余条。",
        "监督保障方面，局领导班子专题研究政务公开工作2次，对所属学校信息公开情况开展抽查。",
    ),
    "demo-market": (
        "2023年，示例区市场监督管理局聚焦优化营商环境和食品药品安全，持续深化政府信息公开。",
        "主动公开方面，全年主动公开政府信息1326条，公开行政许可决定5320件、行政处罚决定968件，"
        "按时发布食品安全监督抽检信息24期。",
        "政府信息管理和平台建设方面，完善依申请公开办理流程，对涉及商业秘密和个人隐私的申请依法征求"
        "第三方意见；门户网站专栏与国家企业信用信息公示系统数据同步更新。",
        "监督保障方面，将信息公开纳入执法人员年度培训内容，全年开展培训3次。",
    ),
    "demo-health": (
        "2023年，示例区卫生健康局围绕医疗服务、公共卫生和疾病预防控制做好政府信息公开工作。",
        "主动公开方面，全年主动公开政府信息389条，按季度发布传染病疫情信息，及时公开医疗机构执业登记"
        "和卫生监督行政处罚信息。",
        "政府信息管理和平台建设方面，规范公开前审查程序，更新政府信息公开指南，优化门户网站卫生健康专栏。",
        "监督保障方面，明确分管领导和专人负责，全年开展政务公开业务培训2次。",
    ),
    "demo-housing": (
        "2023年，示例区住房和城乡建设局围绕保障性住房、城市更新和建筑市场监管做好政府信息公开工作。",
        "主动公开方面，全年主动公开政府信息607条，按月公开保障性住房分配和城镇老旧小区改造进展情况，"
        "公开房屋征收补偿方案和结果信息11批次。",
        "政府信息管理方面，对2件新制发的行政规范性文件同步开展解读，清理废止1件。平台建设方面，完善"
        "重点领域信息公开专栏，提高信息检索便利度。",
        "监督保障方面，将政务公开纳入科室年度考核，全年开展自查2次。",
    ),
    "demo-culture": (
        "2023年，示例区文化广电旅游局围绕公共文化服务、文旅市场监管和文物保护做好政府信息公开工作。",
        "主动公开方面，全年主动公开政府信息214条，按月发布公共文化活动安排，及时公开娱乐场所、"
        "旅行社等行政许可结果和文旅市场行政处罚结果。",
        "政府信息管理和平台建设方面，规范信息发布审核流程，优化门户网站文化旅游专栏。",
        "监督保障方面，明确专人负责政务公开日常工作，全年组织业务学习2次。",
    ),
    "demo-civil": (
        "2023年，示例区民政局围绕社会救助、养老服务、社会组织管理等民生事项做好政府信息公开工作。",
        "主动公开方面，全年主动公开政府信息342条，按月公开城乡低保、特困人员救助供养资金发放情况，"
        "及时公开社会组织登记和年检结果。",
        "政府信息管理和平台建设方面，落实公开前保密审查，更新政府信息公开指南和目录。",
        "监督保障方面，将政务公开纳入年度工作要点，全年开展业务培训1次。",
    ),
}

_PROBLEMS = (
    "本年度政府信息公开工作仍存在一些不足：一是部分政策文件的解读形式较为单一，图解、视频等解读比例不高；"
    "二是个别栏目信息更新不够及时；三是依申请公开答复的规范化水平有待进一步提高。",
    "上年度报告所列改进措施已基本落实：调整充实了信息公开工作力量，完成了公开目录的梳理更新。",
    "下一步，我单位将加强政策解读，丰富解读形式；建立栏目更新提醒机制，确保信息及时更新；"
    "加强依申请公开答复文书的审核，提升答复质量。",
)


def demo_narratives(spec: Spec, s: Sample) -> dict[str, str]:
    values = inputs(spec, s)
    f = figures(spec, values)
    unpaid = f["t3_other_unpaid_total"]
    fee = (f"本年度依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），向{unpaid}名申请人发出收费通知，"
           "申请人逾期未缴纳，相关申请不再处理，实际未收取信息处理费。") if unpaid else \
        "本年度未依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费。"
    sentences = _TEXT[s.agency.id]
    return {
        "overview": "\n".join([sentences[0], sentences[1], figures_paragraph(spec, values), *sentences[2:]]),
        "problems": "\n".join(_PROBLEMS),
        "other_matters": fee + "\n本年度无其他需要报告的事项。",
    }


# --- writing ---------------------------------------------------------------------------------------


def write_sample(office: Office, spec: Spec, s: Sample, tmp: Path) -> Path:
    template = tmp / f"{s.agency.id}.template.xlsx"
    template.write_bytes(build_workbook(spec, s.agency, YEAR))
    typed = {**inputs(spec, s), **s.narratives, **s.contact, **s.typed}
    # The clerk types and saves: LibreOffice updates only the formulas that depend on typed cells.
    return office.fill(template, INBOX / s.file, cells_by_code(spec, typed), recalc=False)


def expected_findings(spec: Spec, all_samples: list[Sample]) -> dict:
    return {
        "year": YEAR,
        "template": {"id": spec.id, "version": spec.version, "layout_hash": spec.layout_hash},
        "files": {
            s.file: {"agency_id": s.agency.id, "agency": s.agency.name, "fault": s.fault, "findings": s.expected}
            for s in all_samples
        },
        "not_submitted": [a.id for a in NOT_SUBMITTED],
    }


def main() -> int:
    spec = load_spec()
    all_samples = samples(spec)
    INBOX.mkdir(exist_ok=True)
    keep = {s.file for s in all_samples}
    for old in INBOX.iterdir():
        if old.is_file() and old.name not in keep:
            old.unlink()
    with Office() as office, tempfile.TemporaryDirectory(prefix="toolkit_samples_") as tmp:
        for s in all_samples:
            print(write_sample(office, spec, s, Path(tmp)).relative_to(ROOT.parent))
    roster = ["id,name", *(f"{a.id},{a.name}" for a in [s.agency for s in all_samples] + NOT_SUBMITTED)]
    write_bytes_atomic(ROOT / "roster.csv", ("\n".join(roster) + "\n").encode("utf-8"))
    text = json.dumps(expected_findings(spec, all_samples), ensure_ascii=False, indent=2) + "\n"
    write_bytes_atomic(ROOT / "expected_findings.json", text.encode("utf-8"))
    print(f"{len(all_samples)} samples in {INBOX.relative_to(ROOT.parent)}/, roster.csv, expected_findings.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
