"""The catalogue of finding codes that are not the format's own rules (R1–R9).

Codes are stable identifiers: collect, the summary workbook and the DOCX count and group
findings by them. Each code declares its severity, stage, title, remedy and the Chinese
message it is reported with: a ``str.format`` template whose slots are the finding's
``file``, ``agency_id``, ``sheet``, ``cell`` and ``ref``, the code's ``title`` and ``remedy``,
and the named values the caller passes (``finding("sheet_missing", sheet="封面")``). A code
said in more than one way has named ``variants``. ``docs/codes.md`` is generated from this
module (``python -m toolkit.catalogue > docs/codes.md``; a test fails when it is stale).
R1–R9 come from the format data (``spec.rules``), with their severities from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit.model import Finding

if TYPE_CHECKING:
    from toolkit.format.spec import Spec


@dataclass(frozen=True)
class Code:
    id: str
    stage: str  # screen | identity | integrity | input | narrative | serve | published (identity also holds collect's roster codes)
    severity: str  # error | warning | info
    title: str  # Chinese, one line
    message: str  # Chinese message template (see the module docstring); "{remedy}" where the remedy is said
    remedy: str  # Chinese: what the clerk or coordinator should do
    variants: Mapping[str, str] = field(default_factory=dict)  # other wordings of the message, by name


_SAVE_AS = "请用 Excel 或 WPS 打开此文件，“另存为” Excel 工作簿（.xlsx）格式，不设密码，再重新报送。"
_SCREENED = "文件“{file}”：{detail}{remedy}"  # detail: what the screening found, one sentence
_UNPARSED = "文件“{file}”：{title}（{detail}）。{remedy}"  # detail: the part and the parser's complaint

CATALOGUE: tuple[Code, ...] = (
    # --- screening: the file could not be read (status "rejected") -----------------------
    Code("file_unreadable", "screen", "error", "文件无法读取（权限、路径或压缩包成员问题）",
         "文件“{file}”：{reason}。{remedy}",
         "请检查文件是否完整、可打开，必要时重新报送。"),
    Code("file_empty", "screen", "error", "文件为空（0 字节）", _SCREENED,
         "文件在传输中损坏或未保存成功，请重新保存后报送。"),
    Code("file_too_large", "screen", "error", "文件超过大小上限", _SCREENED,
         "填报模板只有几十 KB，请勿在其中粘贴图片或大量内容；用原模板重新填写后报送。"),
    Code("not_workbook", "screen", "error", "不是 Excel 工作簿（如 PDF、图片、文本）", _SCREENED,
         "请报送填写后的 Excel 模板（.xlsx），而不是其他格式的文件。"),
    Code("old_xls", "screen", "error", "旧版 Excel 97-2003 格式（.xls）",
         "文件“{file}”：这是旧版 Excel 97-2003 格式（.xls）的文件（WPS 存为 .xls 或 .et 时也是这种格式）。{remedy}",
         _SAVE_AS,
         {"unsure": "文件“{file}”：这是旧版 Excel（.xls）或 WPS（.et）格式的文件。{remedy}"}),
    Code("wps_et", "screen", "error", "WPS 表格专用格式（.et）",
         "文件“{file}”：这是 WPS 表格专用格式（.et）的文件。{remedy}", _SAVE_AS),
    Code("encrypted", "screen", "error", "文件设置了打开密码（已加密）",
         "文件“{file}”：文件设置了打开密码，无法读取其中的数字。{remedy}",
         "请用 Excel 或 WPS 打开文件，在“文件→信息→保护工作簿”（WPS：“文件→文档加密”）中清除打开密码，"
         "另存为 .xlsx（不设密码）后重新报送。"),
    Code("ole_other", "screen", "error", "旧版 Office 复合文档，但不是工作簿（如 .doc）",
         "文件“{file}”：这是旧版 Office 复合文档，但不是工作簿。{remedy}",
         "请报送填写后的 Excel 模板（.xlsx）。",
         {"doc": "文件“{file}”：这是旧版 Word 文档（.doc），不是工作簿。{remedy}"}),
    Code("not_regular_file", "screen", "error", "不是普通文件（管道、设备、文件夹等），未读取",
         "“{file}”是{kind}，不是普通文件，未读取。{remedy}",
         "请只在收件目录中放入报送的工作簿文件本身。"),
    Code("link_outside", "screen", "error", "指向收件目录之外的符号链接，已跳过",
         "“{file}”是指向收件目录之外（{target}）的符号链接，已跳过，未读取。{remedy}",
         "请把报送的文件本身复制到收件目录中，不要放入链接。"),
    Code("zip_unsupported", "screen", "error", "压缩包成员已加密或使用了不支持的压缩方式",
         "文件“{file}”：压缩包成员“{member}”{why}，无法读取。{remedy}",
         "请解压后用普通方式（不设密码、标准压缩）重新打包，或直接报送其中的工作簿。"),
    Code("archive_limits", "screen", "error", "压缩包成员超出上限，多出的成员未读取",
         "压缩包“{file}”：{detail}{remedy}",
         "请把报送文件分成几个较小的压缩包，或解压后放入收件目录。"),
    Code("archive_duplicate_name", "screen", "warning", "压缩包中有同名成员（均已读取）",
         "压缩包中有 {count} 个成员同名（{member}），均已读取，本文件是其中第 {index} 个。{remedy}",
         "请核对哪一个是要报送的文件，删除多余的同名文件后重新打包。"),
    Code("zip_corrupt", "screen", "error", "文件已损坏或不完整（压缩包无法打开）", _SCREENED,
         "文件可能在下载或传输中被截断，请重新保存并重新报送。",
         {"part": _UNPARSED}),
    Code("zip_limits", "screen", "error", "压缩包内容超出安全上限（成员过多、解压后过大或压缩比异常）", _SCREENED,
         "该文件不是正常的填报模板，请用原模板重新填写后报送。"),
    Code("not_spreadsheet", "screen", "error", "压缩文件不是 Excel 工作簿（如 Word 文档、ODS 表格）", _SCREENED,
         "请报送填写后的 Excel 模板（.xlsx）；ODS 等其他表格格式请用 Excel 或 WPS 打开，“另存为” Excel 工作簿（.xlsx）后重新报送。"),
    Code("too_many_cells", "screen", "error", "工作表的单元格数量超出上限（模板只有几百个）", _UNPARSED,
         "该文件不是正常填写的模板，请用原模板重新填写后报送。"),
    Code("xml_forbidden", "screen", "error", "文件内含不安全的 XML 结构（实体或 DTD 声明）", _UNPARSED,
         "该文件不是由正常的表格软件保存的，请用原模板重新填写后报送。"),
    Code("xml_corrupt", "screen", "error", "工作簿内部 XML 已损坏", _UNPARSED,
         "请用 Excel 或 WPS 打开后重新保存；无法打开时请用原模板重新填写。"),
    # --- identity: which template, agency and year -----------------------------------------
    Code("stamp_missing", "identity", "error", "不是本工具生成的模板（缺少模板标识）",
         "工作簿中没有模板标识（隐藏的 {sheet} 工作表），无法确认模板版本、单位和年度。{remedy}",
         "请使用汇总单位下发的填报模板填写，不要新建或复制粘贴到其他工作簿。"),
    Code("template_unknown", "identity", "error", "模板类型不符",
         "模板标识为“{found}”，本次汇总要求“{wanted}”（{name}）。{remedy}",
         "请使用汇总单位下发的本年度填报模板重新填写。"),
    Code("template_version", "identity", "error", "模板版本过期或未知",
         "模板版本为“{found}”，当前版本为“{wanted}”。{remedy}",
         "请向汇总单位索取当前版本的模板，把数字和文字转填过去后报送。",
         {"layout": "模板版本号“{version}”相同，但表格结构标识不同（{found}，应为 {wanted}），可能是测试版模板。{remedy}"}),
    Code("year_mismatch", "identity", "error", "报告年度与本次汇总年度不符",
         "“{sheet}”工作表 {cell} 单元格（{label}）为 {found}，本次汇总的是 {year} 年度报告。{remedy}",
         "请确认报送的是本年度的报告；模板年度有误时请向汇总单位索取正确的模板。"),
    Code("agency_missing", "identity", "error", "模板中缺少单位编号",
         "模板标识中没有单位编号。{remedy}",
         "请使用汇总单位为本单位生成的模板。"),
    Code("agency_unknown", "identity", "error", "单位编号不在报送名单中",
         "{file}：单位编号 {agency_id}（{agency}）不在报送名单中，未计入汇总。请核对是否使用了本单位的模板，或在名单中补充该单位。",
         "请核对是否误用了其他单位的模板；名单有误时由汇总单位更正名单。"),
    Code("agency_duplicate", "identity", "warning", "同一单位报送了多个文件",
         "单位 {agency_id}（{agency}）报送了 {count} 个文件：采用 {chosen}（{reason}），未采用 {others}。"
         "如需改用其他文件，请删除多余文件后重新汇总。",
         "只汇总其中一份（错误最少、保存最晚者）；请确认哪一份为准，撤回其他文件。"),
    # --- integrity: the locked layout and formulas -----------------------------------------
    Code("sheet_missing", "integrity", "error", "缺少工作表（被删除或改名）",
         "缺少“{sheet}”工作表（被删除或改名）。{remedy}",
         "请使用原模板重新填写，不要删除或重命名工作表。"),
    Code("sheet_extra", "integrity", "warning", "多出模板之外的工作表",
         "多出“{sheet}”工作表。{remedy}",
         "多出的工作表不会被读取；如有需要报告的内容请写入“文字部分”。"),
    Code("layout_shifted", "integrity", "error", "表格被插入或删除了行、列（标签整体错位）",
         "“{sheet}”工作表：{what}应在 {cell}，现位于 {found}：表格{moves}。{remedy}",
         "请使用原模板重新填写，不要插入或删除行、列；本表数据未读取。",
         {"deleted": "“{sheet}”工作表：{what}（{cell}）所在的行或列被删除。{remedy}"}),
    Code("label_changed", "integrity", "error", "固定标签被改动",
         "“{sheet}”工作表 {cell} 单元格应为“{label}”，现为“{found}”。{remedy}",
         "请使用原模板重新填写，不要改动表头和项目名称；本表数据未读取。",
         {"more": "“{sheet}”工作表另有 {count} 个固定标签被改动（{cells}）。{remedy}"}),
    Code("protection_removed", "integrity", "warning", "工作表保护被撤销",
         "“{sheet}”工作表的保护已被撤销。{remedy}",
         "保护用于防止误改表头和公式；请确认未改动锁定内容，下次请勿撤销保护。"),
    Code("extra_content", "integrity", "warning", "表格区域外有内容",
         "“{sheet}”工作表在表格区域外的 {cells} 有内容。{remedy}",
         "表格以外的内容不会被读取；说明性文字请写入“文字部分”。"),
    Code("total_overwritten", "integrity", "error", "总计单元格的公式被手填数字覆盖",
         "{where}应为公式 {formula}，现为手填的 {shown}；按各项重新计算应为 {recomputed}。{breaks}{remedy}",
         "请用原模板重新填写，或在此单元格恢复模板中的公式；总计不要手填。"),
    Code("formula_altered", "integrity", "error", "总计单元格的公式被改动",
         "{where}的公式被改为 {found}，应为 {formula}（显示 {shown}，按各项重新计算应为 {recomputed}）。{breaks}{remedy}",
         "请恢复模板中的公式（或用原模板重新填写）；总计由公式自动计算。"),
    Code("total_stale", "integrity", "error", "总计单元格显示的结果未随数字更新（自动重算被关闭）",
         "{where}显示 {shown}，而表中各项之和为 {parts}（按各项重新计算应为 {recomputed}）：公式结果未随数字更新。"
         "{manual}{breaks}{remedy}",
         "请在 Excel“公式→计算选项”或 WPS 中改为“自动重算”，按 F9 重新计算后保存再报送。"),
    # --- input values -----------------------------------------------------------------------
    Code("input_blank", "input", "warning", "有未填写的单元格（按 0 计）",
         "“{sheet}”工作表有 {count} 个黄色单元格未填写：{cells}（已按 0 计）。{remedy}",
         "没有发生的事项请填 0，不要留空。"),
    Code("input_text", "input", "error", "数字单元格中填了文字",
         "{where}填的是文字“{text}”，不是数字。{advice}",
         "只填阿拉伯数字（半角）；没有发生的请填 0，不要填“/”“—”“无”“0件”等。"),
    Code("input_formula", "input", "error", "应填数字的单元格中填了公式",
         "{where}填了公式“={formula}”。请直接键入{what}（数字）。",
         "请直接键入数字，不要在黄色单元格中输入公式或引用。"),
    Code("number_invalid", "input", "error", "数字无效（非数、无穷大或超出合理范围）",
         "{where}的值“{shown}”{why}，本表的数字未读取。{remedy}",
         "件数应为 0 到 10 亿之间的整数，金额应为有限的数字；请改正后重新报送。"),
    Code("macro_enabled", "integrity", "warning", "工作簿含有宏（启用宏的工作簿）",
         "文件“{file}”含有宏（{what}）。宏不会被读取或运行，但报送文件不应含宏。{remedy}",
         "请用原模板重新填写，或在 Excel 中“另存为” Excel 工作簿（.xlsx，不含宏）后重新报送。"),
    # --- cover and narrative ----------------------------------------------------------------
    Code("contact_missing", "input", "warning", "封面未填写联系人或联系电话",
         "“{sheet}”工作表未填写{fields}（{cells}）。{remedy}",
         "请在“封面”填写联系人和联系电话，便于汇总单位核实。"),
    Code("narrative_empty", "narrative", "error", "报告的文字部分为空",
         "“{sheet}”工作表 {cell} 单元格（{heading}）为空。{remedy}",
         "请在“文字部分”对应单元格填写该部分内容；没有需要报告的事项也应写明。"),
    Code("narrative_copied", "narrative", "warning", "文字部分与上年报告相同或基本相同",
         "“{sheet}”工作表 {cell} 单元格（{heading}）{same}。{remedy}",
         "请根据本年度实际情况撰写，不要照搬上年报告（内容雷同是通报的问题之一）。"),
    # --- published reports read by toolkit import / audit (toolkit/published) ---------------
    # --- the collection service (toolkit serve) ---------------------------------------------
    Code("serve_wrong_agency", "serve", "error", "上传的是其他单位的模板",
         "上传的是单位编号为 {stamp} 的模板，而本链接属于 {agency}（{agency_id}）。{remedy}",
         "请在本页面下载本单位的模板，填写后重新上传。"),
    Code("serve_check_failed", "serve", "error", "文件未能完成校验（超时或已损坏）",
         "文件“{file}”未能完成校验（超过 {timeout} 秒时限，或文件已损坏、不是正常的报表工作簿），未被接受。{remedy}",
         "请用 Excel 或 WPS 打开本单位模板，另存为 .xlsx 后重新上传。"),
    # sheet is the table (表二/表三/表四) or the section heading; row and columns are labels.
    Code("pub_placeholder", "published", "warning", "表格中填写了“/”“—”“无”等符号而不是 0（已按 0 读取）",
         "{sheet}“{row}”的{columns}填写了“{shown}”，已按 0 读取。没有发生的事项应填 0。",
         "没有发生的事项应填 0，不要填“/”“—”“无”。"),
    Code("pub_blank", "published", "warning", "表格中有空白单元格（未按 0 读取）",
         "{sheet}“{row}”的{columns}为空白，未按 0 读取。没有发生的事项应填 0。",
         "没有发生的事项应填 0，不要留空。"),
    Code("pub_total_only", "published", "warning", "表三某行只填写了“总计”，各类申请人均为空白",
         "{sheet}“{row}”只填写了总计，{columns}均为空白。请按申请人类别逐项填写，没有的填 0。",
         "请按申请人类别逐项填写，没有的填 0。"),
    Code("pub_run_together", "published", "info", "数字粘连在一起，已按列数或勾稽关系唯一拆分",
         "{sheet}“{row}”的数字粘连在一起（{raw}），按列数有多种拆分，已按本行总计（各项之和）唯一拆分为 {pieces}。请核对原文。",
         "请核对原文；发布时各列数字之间应分开。",
         {"count": "{sheet}“{row}”的数字粘连在一起（{raw}），按列数唯一拆分为 {pieces}。请核对原文。",
          "table": "{sheet}“{row}”的数字粘连在一起（{raw}），按列数和本行总计仍有多种拆分，"
                   "已按全表的勾稽关系（{rules}）唯一拆分为 {pieces}。请核对原文。",
          "narrative": "{sheet}“{row}”的数字粘连在一起（{raw}），按表格的勾稽关系仍有多种拆分（如 {splits}），"
                       "已按文字部分所述的数字（{quote}）拆分为 {pieces}。请核对原文。"}),
    Code("pub_unit", "published", "info", "表格中的数字带有单位（已按表格的单位读取）",
         "{sheet}“{column}”填写为“{raw}”，已读取为 {value}。表格中只应填写数字，单位以表头为准。",
         "表格中只填写数字，单位以表头为准。",
         {"converted": "{sheet}“{column}”填写为“{raw}”，已按表格的单位换算为 {value}（{unit}）。请核对原文；"
                       "表格中只应填写以{unit}为单位的数字。"}),
    Code("pub_ambiguous", "published", "error", "数字粘连在一起，有多种拆分都符合勾稽关系（该行未读取）",
         "{sheet}“{row}”的数字粘连在一起（{raw}），有多种拆分都符合勾稽关系（如 {splits}），"
         "无法确定各单元格的数字，该行未读取。请在原文中用空格或表格分开各列。",
         "请核对原文，在各列数字之间用空格或表格分开后重试。"),
    Code("pub_row_unreadable", "published", "error", "某行的数字个数与表格列数不符（该行未读取）",
         "{sheet}“{row}”应有{count}个数字，实际读到{found}个：{shown}。该行未读取，请核对原文。",
         "请核对原文该行是否缺列、多列或有合并单元格。",
         {"unsplit": "{sheet}“{row}”应有{count}个数字，读到“{raw}”，无法拆分成符合本行总计的{count}个数，该行未读取。请核对原文。"}),
    Code("pub_row_missing", "published", "error", "表格中找不到某一行（行标签缺失或被改动）",
         "{sheet}找不到“{row}”这一行，该行数字未读取。请核对行标签是否与官方格式一致。",
         "请按官方格式补全该行，行标签与官方格式保持一致。"),
    Code("pub_label_variant", "published", "warning", "行标签与官方格式不一致（已按位置和相似度识别）",
         "{sheet}的行标签“{found}”与官方格式“{label}”不一致（缺字或错字），已按其位置和相似度作为该行读取。请核对原文。",
         "行标签请与官方格式保持一致。"),
    Code("pub_header", "published", "warning", "表头缺少官方格式的列标签",
         "{sheet}的表头中找不到“{labels}”。请核对表头是否与官方格式一致；数字按官方格式的列序读取。",
         "请核对表头是否被改动；数字按官方格式的列序读取。"),
    Code("pub_old_layout", "published", "error", "表格使用了已被取代的旧版格式",
         "{sheet}（{cell}）使用的是 {old_label}格式（{old_notice}），"
         "{first_year} 年及以后的年度报告应使用 {label}格式（{notice}）。",
         "请按该年度适用的格式（说明中写明版本和文号）重新制表。",
         {"earlier": "{sheet}（{cell}）使用的是 {old_label}格式（{old_notice}），与该年度适用的格式一致。"}),
    Code("pub_not_mapped", "published", "warning", "旧版格式表格中的项目在现行格式中没有对应项（未导入）",
         "{sheet}按 {old_label}格式读取：{notes}。",
         "请在导入的工作簿中按现行格式的口径补填留空的项目。"),
    Code("pub_section_missing", "published", "error", "报告缺少某一部分（标题或表格找不到）",
         "找不到“{sheet}”部分（标题缺失或改动），该部分文字未读取。",
         "请按官方格式补全六个部分及三张统计表。",
         {"table": "找不到{cell}（{sheet}），该表数字未读取。请核对报告是否缺少这一部分或表格。"}),
    Code("pub_heading_nonstandard", "published", "warning", "部分标题与官方格式的措辞不同",
         "第{numeral}部分的标题为“{found}”，官方格式为“{sheet}”；已按其位置作为该部分读取。",
         "标题请按官方格式的措辞书写，如“一、总体情况”“五、存在的主要问题及改进情况”。"),
    Code("pub_heading_unnumbered", "published", "info", "部分标题缺少序号",
         "第{numeral}部分的标题“{found}”缺少序号，官方格式为“{sheet}”。",
         "标题请按官方格式写全序号，如“二、主动公开政府信息情况”。"),
)

_BY_ID = {c.id: c for c in CATALOGUE}


def finding(code_id: str, variant: str = "", *, file: str = "", agency_id: str = "", sheet: str = "", cell: str = "",
            expected: Any = None, actual: Any = None, ref: str = "", severity: str | None = None,
            **slots: Any) -> Finding:
    """A finding of a catalogue code: its message is the code's template (or the named
    variant's) with the finding's place and ``slots`` filled in; its severity is the code's
    unless ``severity`` says otherwise (pub_old_layout is info for a year before 2021)."""
    c = _BY_ID[code_id]
    template = c.variants[variant] if variant else c.message
    message = template.format(file=file, agency_id=agency_id, sheet=sheet, cell=cell, ref=ref, title=c.title,
                              remedy=c.remedy, **slots)
    return Finding(code=code_id, severity=severity or c.severity, message=message, file=file, agency_id=agency_id,
                   sheet=sheet, cell=cell, expected=expected, actual=actual, ref=ref)


def get(code_id: str) -> Code:
    return _BY_ID[code_id]


def ids() -> list[str]:
    return [c.id for c in CATALOGUE]


# --- docs/codes.md ------------------------------------------------------------------------------

_INTRO = """\
# Finding codes

<!-- Generated from toolkit/catalogue.py and the format's rules by `python -m toolkit.catalogue > docs/codes.md`; do not edit. -->

Every finding has a stable `code`, a `severity` (`error` | `warning` | `info`), the file, the
sheet and A1 cell it is about (when it is about one), `expected` and `actual` values, the
format's cell code as `ref`, and a Chinese `message` that names the sheet and cell and says
what to do. A file with at least one `error` is not valid (exit code 1 of `toolkit check`).

The catalogue lives in `toolkit/catalogue.py`: each code's severity, title, message template
and remedy. This page is generated from it (`python -m toolkit.catalogue > docs/codes.md`);
`tests/test_check.py` fails when the page is stale.

In a message template, `{file}`, `{agency_id}`, `{sheet}`, `{cell}` and `{ref}` are the
finding's own fields, `{title}` is the code's 问题 and `{remedy}` its 处理办法; any other
`{…}` is filled in by the check that finds the problem. A code said in more than one way
lists each wording.

## The format's rules (勾稽关系)

Ids and severities come from `workbook_templates/{edition}.yaml`. For a workbook, rules run on the
inputs and the totals recomputed in Python. A total cell whose shown value differs from the
recomputation gets one finding for the cause (`total_overwritten`, `formula_altered` or
`total_stale`); when the number it shows also breaks R2, R3 or R4 against the parts shown beside
it -- what a reader of the workbook would see -- that is a second finding at the same cell under
the rule's id. A total typed over with the right number is only `total_overwritten`. Published
reports (read by `toolkit.published`) state their own totals, so R2–R4 apply to them directly.

| code | severity | rule |
|---|---|---|
"""

_STAGES = (
    ("screen", "Screening (the file is rejected, status `rejected`)", ""),
    ("identity", "Identity (template, agency, year; roster codes are set by `collect`)", ""),
    ("integrity", "Integrity (locked layout and formulas)", ""),
    ("input", "Input values and cover", ""),
    ("narrative", "Narrative sections", ""),
    ("serve", "Collection service (`toolkit serve`)", ""),
    ("published", "Published reports (`toolkit import` / `toolkit audit`)",
     "Reading problems met in a published report (text, PDF text, HTML, DOCX). `sheet` is the table (表二/表三/表四)\n"
     "or the section heading, `cell` the row label／column label. `pub_old_layout` is info instead of error for a\n"
     "2019 or 2020 report, for which the 2019 format was right.\n\n"),
)


STAGES = tuple(stage for stage, _heading, _prose in _STAGES)  # every code's stage is one of these


def markdown(spec: Spec) -> str:
    """docs/codes.md: the format's rules (from ``spec``), then every catalogue code by stage."""
    out = [_INTRO.replace("{edition}", spec.id)]
    out += [f"| `{r.id}` | {r.severity} | {_cell(r.description)} |\n" for r in spec.rules]
    for stage, heading, prose in _STAGES:
        out.append(f"\n## {heading}\n\n{prose}| code | severity | 问题 | 消息 | 处理办法 |\n|---|---|---|---|---|\n")
        for c in CATALOGUE:
            if c.stage == stage:
                wordings = "<br>".join(f"`{t}`" for t in (c.message, *c.variants.values()))
                out.append(f"| `{c.id}` | {c.severity} | {_cell(c.title)} | {_cell(wordings)} | {_cell(c.remedy)} |\n")
    return "".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    from toolkit.format.spec import load_spec

    print(markdown(load_spec()), end="")
