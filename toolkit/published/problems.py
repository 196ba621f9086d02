"""Stable codes for problems met while reading a published report (besides the format's R1–R9).

Each finding about a published report names the table (``sheet`` = 表二/表三/表四, or the
section), the row label and column label (``cell``), and the format's cell code (``ref``).
"""

from __future__ import annotations

from ..findings import Finding

# code: (severity, what it means) -- the catalogue printed in the README.
CODES: dict[str, tuple[str, str]] = {
    "pub_placeholder": ("warning", "单元格填写了“/”“—”“无”等符号而不是 0：已按 0 读取"),
    "pub_blank": ("warning", "单元格空白：未按 0 读取，应填 0"),
    "pub_total_only": ("warning", "该行只填写了“总计”，六类申请人均为空白"),
    "pub_run_together": ("info", "数字粘连在一起，已按本行“总计”等于各项之和唯一拆分"),
    "pub_ambiguous": ("error", "数字粘连在一起，有多种拆分都符合勾稽关系，未读取该行"),
    "pub_row_unreadable": ("error", "该行数字个数与表格列数不符，未读取该行"),
    "pub_row_missing": ("error", "找不到该行（行标签缺失或被改动）"),
    "pub_header": ("warning", "表头缺少官方格式的列标签（表头被改动或缺失）"),
    "pub_old_layout": ("error", "该表使用了 2019 年版格式（国办公开办函〔2019〕60号），应使用 2021 年版（国办公开办函〔2021〕30号）"),
    "pub_not_mapped": ("warning", "2019 年版表格中的项目在 2021 年版中没有对应项，未导入"),
    "pub_section_missing": ("error", "找不到报告的某一部分（标题缺失或内容缺失）"),
    "pub_heading_unnumbered": ("info", "部分标题缺少序号（如“二、”）"),
}


def problem(code: str, message: str, *, file: str = "", sheet: str = "", cell: str = "", ref: str = "",
            expected=None, actual=None, severity: str | None = None) -> Finding:
    return Finding(code=code, severity=severity or CODES[code][0], message=message, file=file, sheet=sheet,
                   cell=cell, expected=expected, actual=actual, ref=ref)
