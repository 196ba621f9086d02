"""The catalogue of finding codes that are not the format's own rules (R1–R9).

Codes are stable identifiers: collect, the summary workbook and the DOCX count and group
findings by them, and ``docs/codes.md`` documents each one (a test keeps the two in step).
R1–R9 come from the format data (``spec.rules``), with their severities from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.model import Finding


@dataclass(frozen=True)
class Code:
    id: str
    stage: str  # screen | identity | integrity | input | narrative | published (identity also holds collect's roster codes)
    severity: str  # error | warning | info
    title: str  # Chinese, one line
    remedy: str  # Chinese: what the clerk or coordinator should do


_SAVE_AS = "请用 Excel 或 WPS 打开此文件，“另存为” Excel 工作簿（.xlsx）格式，不设密码，再重新报送。"

CATALOGUE: tuple[Code, ...] = (
    # --- screening: the file could not be read (status "rejected") -----------------------
    Code("file_unreadable", "screen", "error", "文件无法读取（权限、路径或压缩包成员问题）", "请检查文件是否完整、可打开，必要时重新报送。"),
    Code("file_empty", "screen", "error", "文件为空（0 字节）", "文件在传输中损坏或未保存成功，请重新保存后报送。"),
    Code("file_too_large", "screen", "error", "文件超过大小上限", "填报模板只有几十 KB，请勿在其中粘贴图片或大量内容；用原模板重新填写后报送。"),
    Code("not_workbook", "screen", "error", "不是 Excel 工作簿（如 PDF、图片、文本）", "请报送填写后的 Excel 模板（.xlsx），而不是其他格式的文件。"),
    Code("old_xls", "screen", "error", "旧版 Excel 97-2003 格式（.xls）", _SAVE_AS),
    Code("wps_et", "screen", "error", "WPS 表格专用格式（.et）", _SAVE_AS),
    Code("encrypted", "screen", "error", "文件设置了打开密码（已加密）",
         "请用 Excel 或 WPS 打开文件，在“文件→信息→保护工作簿”（WPS：“文件→文档加密”）中清除打开密码，"
         "另存为 .xlsx（不设密码）后重新报送。"),
    Code("ole_other", "screen", "error", "旧版 Office 复合文档，但不是工作簿（如 .doc）", "请报送填写后的 Excel 模板（.xlsx）。"),
    Code("zip_corrupt", "screen", "error", "文件已损坏或不完整（压缩包无法打开）", "文件可能在下载或传输中被截断，请重新保存并重新报送。"),
    Code("zip_limits", "screen", "error", "压缩包内容超出安全上限（成员过多、解压后过大或压缩比异常）", "该文件不是正常的填报模板，请用原模板重新填写后报送。"),
    Code("not_spreadsheet", "screen", "error", "压缩文件不是 Excel 工作簿（如 Word 文档、ODS 表格）", "请报送填写后的 Excel 模板（.xlsx）；ODS 等其他表格格式请用 Excel 或 WPS 打开，“另存为” Excel 工作簿（.xlsx）后重新报送。"),
    Code("xml_forbidden", "screen", "error", "文件内含不安全的 XML 结构（实体或 DTD 声明）", "该文件不是由正常的表格软件保存的，请用原模板重新填写后报送。"),
    Code("xml_corrupt", "screen", "error", "工作簿内部 XML 已损坏", "请用 Excel 或 WPS 打开后重新保存；无法打开时请用原模板重新填写。"),
    # --- identity: which template, agency and year -----------------------------------------
    Code("stamp_missing", "identity", "error", "不是本工具生成的模板（缺少模板标识）", "请使用汇总单位下发的填报模板填写，不要新建或复制粘贴到其他工作簿。"),
    Code("template_unknown", "identity", "error", "模板类型不符", "请使用汇总单位下发的本年度填报模板重新填写。"),
    Code("template_version", "identity", "error", "模板版本过期或未知", "请向汇总单位索取当前版本的模板，把数字和文字转填过去后报送。"),
    Code("year_mismatch", "identity", "error", "报告年度与本次汇总年度不符", "请确认报送的是本年度的报告；模板年度有误时请向汇总单位索取正确的模板。"),
    Code("agency_missing", "identity", "error", "模板中缺少单位编号", "请使用汇总单位为本单位生成的模板。"),
    Code("agency_unknown", "identity", "error", "单位编号不在报送名单中", "请核对是否误用了其他单位的模板；名单有误时由汇总单位更正名单。"),
    Code("agency_duplicate", "identity", "warning", "同一单位报送了多个文件", "只汇总其中一份（错误最少、保存最晚者）；请确认哪一份为准，撤回其他文件。"),
    # --- integrity: the locked layout and formulas -----------------------------------------
    Code("sheet_missing", "integrity", "error", "缺少工作表（被删除或改名）", "请使用原模板重新填写，不要删除或重命名工作表。"),
    Code("sheet_extra", "integrity", "warning", "多出模板之外的工作表", "多出的工作表不会被读取；如有需要报告的内容请写入“文字部分”。"),
    Code("layout_shifted", "integrity", "error", "表格被插入或删除了行、列（标签整体错位）", "请使用原模板重新填写，不要插入或删除行、列；本表数据未读取。"),
    Code("label_changed", "integrity", "error", "固定标签被改动", "请使用原模板重新填写，不要改动表头和项目名称；本表数据未读取。"),
    Code("protection_removed", "integrity", "warning", "工作表保护被撤销", "保护用于防止误改表头和公式；请确认未改动锁定内容，下次请勿撤销保护。"),
    Code("extra_content", "integrity", "warning", "表格区域外有内容", "表格以外的内容不会被读取；说明性文字请写入“文字部分”。"),
    Code("total_overwritten", "integrity", "error", "总计单元格的公式被手填数字覆盖", "请用原模板重新填写，或在此单元格恢复模板中的公式；总计不要手填。"),
    Code("formula_altered", "integrity", "error", "总计单元格的公式被改动", "请恢复模板中的公式（或用原模板重新填写）；总计由公式自动计算。"),
    Code("total_stale", "integrity", "error", "总计单元格显示的结果未随数字更新（自动重算被关闭）", "请在 Excel“公式→计算选项”或 WPS 中改为“自动重算”，按 F9 重新计算后保存再报送。"),
    # --- input values -----------------------------------------------------------------------
    Code("input_blank", "input", "warning", "有未填写的单元格（按 0 计）", "没有发生的事项请填 0，不要留空。"),
    Code("input_text", "input", "error", "数字单元格中填了文字", "只填阿拉伯数字（半角）；没有发生的请填 0，不要填“/”“—”“无”“0件”等。"),
    Code("input_formula", "input", "error", "应填数字的单元格中填了公式", "请直接键入数字，不要在黄色单元格中输入公式或引用。"),
    # --- cover and narrative ----------------------------------------------------------------
    Code("contact_missing", "input", "warning", "封面未填写联系人或联系电话", "请在“封面”填写联系人和联系电话，便于汇总单位核实。"),
    Code("narrative_empty", "narrative", "error", "报告的文字部分为空", "请在“文字部分”对应单元格填写该部分内容；没有需要报告的事项也应写明。"),
    Code("narrative_copied", "narrative", "warning", "文字部分与上年报告相同或基本相同", "请根据本年度实际情况撰写，不要照搬上年报告（内容雷同是通报的问题之一）。"),
    # --- published reports read by toolkit import / audit (toolkit/published) ---------------
    Code("pub_placeholder", "published", "warning", "表格中填写了“/”“—”“无”等符号而不是 0（已按 0 读取）", "没有发生的事项应填 0，不要填“/”“—”“无”。"),
    Code("pub_blank", "published", "warning", "表格中有空白单元格（未按 0 读取）", "没有发生的事项应填 0，不要留空。"),
    Code("pub_total_only", "published", "warning", "表三某行只填写了“总计”，各类申请人均为空白", "请按申请人类别逐项填写，没有的填 0。"),
    Code("pub_run_together", "published", "info", "数字粘连在一起，已按本行总计唯一拆分", "请核对原文；发布时各列数字之间应分开。"),
    Code("pub_ambiguous", "published", "error", "数字粘连在一起，有多种拆分都符合勾稽关系（该行未读取）", "请核对原文，在各列数字之间用空格或表格分开后重试。"),
    Code("pub_row_unreadable", "published", "error", "某行的数字个数与表格列数不符（该行未读取）", "请核对原文该行是否缺列、多列或有合并单元格。"),
    Code("pub_row_missing", "published", "error", "表格中找不到某一行（行标签缺失或被改动）", "请按官方格式补全该行，行标签与官方格式保持一致。"),
    Code("pub_header", "published", "warning", "表头缺少官方格式的列标签", "请核对表头是否被改动；数字按官方格式的列序读取。"),
    Code("pub_old_layout", "published", "error", "表格使用了 2019 年版格式（国办公开办函〔2019〕60号）", "2021 年及以后的年度报告请使用 2021 年版格式（国办公开办函〔2021〕30号）。"),
    Code("pub_not_mapped", "published", "warning", "2019 年版表格中的项目在 2021 年版中没有对应项（未导入）", "请在导入的工作簿中按 2021 年版口径补填留空的项目。"),
    Code("pub_section_missing", "published", "error", "报告缺少某一部分（标题或表格找不到）", "请按官方格式补全六个部分及三张统计表。"),
    Code("pub_heading_unnumbered", "published", "info", "部分标题缺少序号", "标题请按官方格式写全序号，如“二、主动公开政府信息情况”。"),
)

_BY_ID = {c.id: c for c in CATALOGUE}


def finding(code_id: str, *, message: str, file: str = "", agency_id: str = "", sheet: str = "", cell: str = "",
            expected=None, actual=None, ref: str = "") -> Finding:
    """A finding of a catalogue code, with the code's severity."""
    return Finding(code=code_id, severity=_BY_ID[code_id].severity, message=message, file=file,
                   agency_id=agency_id, sheet=sheet, cell=cell, expected=expected, actual=actual, ref=ref)


def get(code_id: str) -> Code:
    return _BY_ID[code_id]


def severity(code_id: str) -> str:
    return _BY_ID[code_id].severity


def ids() -> list[str]:
    return [c.id for c in CATALOGUE]
