"""Who to chase: roster contacts, rejected files attributed by name, reminders.csv and 催报."""

from __future__ import annotations

import csv
import io

import openpyxl
from faults import cfb, encrypted_xlsx
from test_collect import workbook

from toolkit.collect.collection import collect
from toolkit.collect.history import History
from toolkit.collect.roster import Contact, read_roster
from toolkit.outputs.csvfile import csv_safe
from toolkit.outputs.reminders import reminders, reminders_csv
from toolkit.outputs.summary import write_outputs

YEAR = 2024
XLS = cfb({"Workbook": b"\x09\x08" + b"\x00" * 2000})
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def _roster(tmp_path):
    """An xlsx roster with Chinese headers (序号 first, as offices number their lists) and contacts."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "单位编号", "单位名称", "联系人", "联系电话", "邮箱"])
    ws.append([1, "a01", "甲局", "赵一", "0574-1", "a01@example.cn"])
    ws.append([2, "a02", "乙局", "钱二", "0574-2", ""])
    ws.append([3, "a03", "丙局", "孙三", "=HYPERLINK(\"x\")", ""])
    ws.append([4, "a04", "丁局", None, None, None])
    ws.append([5, "a05", "戊局", "周五", "+86 574 5", "@wu"])
    ws.append([6, "a06", "己局", None, None, None])
    ws.append([7, "a07", "庚局", "郑七", 13800000007, ""])
    ws["E4"].data_type = "s"  # typed as text in the roster, as a clerk's paste would be
    path = tmp_path / "名单.xlsx"
    wb.save(path)
    return path


def _inbox(spec, tmp_path):
    box = tmp_path / "inbox"
    (box / "a02").mkdir(parents=True)
    (box / "a01.xlsx").write_bytes(workbook(spec, "a01", "甲局", 1))
    (box / "a02" / "年报.xls").write_bytes(XLS)  # attributed by its folder, the id as a word
    (box / "丙局2024年报.pdf").write_bytes(PDF)  # attributed by the name in it
    (box / "a04-加密.xlsx").write_bytes(encrypted_xlsx())  # by the id
    (box / "扫描件.pdf").write_bytes(PDF)  # points to no agency: stays anonymous
    (box / "a0-甲局乙局.pdf").write_bytes(PDF)  # points to two: stays anonymous
    (box / "a07.xlsx").write_bytes(workbook(spec, "a07", "庚局", 3, year=YEAR - 1))  # last year's report
    return box


def test_roster_contacts_and_chinese_headers(tmp_path):
    roster = read_roster(_roster(tmp_path))
    assert [a.id for a in roster.agencies] == ["a01", "a02", "a03", "a04", "a05", "a06", "a07"]
    assert roster.contacts["a01"] == Contact("赵一", "0574-1", "a01@example.cn")
    assert roster.contacts["a07"] == Contact("郑七", "13800000007", "")
    assert "a04" not in roster.contacts
    by_number = tmp_path / "序号.csv"
    by_number.write_text("序号,单位名称,联系人\n1,甲局,赵一\n2,乙局,\n", encoding="utf-8")
    numbered = read_roster(by_number)
    assert [(a.id, a.name) for a in numbered.agencies] == [("1", "甲局"), ("2", "乙局")]
    assert numbered.contacts == {"1": Contact("赵一")}


def test_exact_reminders(spec, tmp_path):
    roster = read_roster(_roster(tmp_path))
    covers = {"a06": Contact("吴六", "0574-6"), "a04": Contact("不用", "0")}  # a04: none in the roster either
    with collect(_inbox(spec, tmp_path), YEAR, spec=spec, roster=roster) as coll:
        got = reminders(coll, covers)
        rows = [item.row(i) for i, item in enumerate(got, start=1)]
        year_msg = next(f.message for f in coll.used["a07"].findings if f.code == "year_mismatch")
        write_outputs(coll, tmp_path / "out", history=History(YEAR, contacts=covers))
    assert rows == [
        ["1", "a02", "乙局", "报送格式不符", "旧版 Excel 97-2003 格式（.xls）", "a02/年报.xls", "钱二", "0574-2", "", "名单"],
        ["2", "a03", "丙局", "报送格式不符", "不是 Excel 工作簿（如 PDF、图片、文本）", "丙局2024年报.pdf", "孙三",
         "=HYPERLINK(\"x\")", "", "名单"],
        ["3", "a04", "丁局", "报送格式不符", "文件设置了打开密码（已加密）", "a04-加密.xlsx", "不用", "0", "",
         "此前报送的封面"],
        ["4", "a05", "戊局", "未报送", "", "", "周五", "+86 574 5", "@wu", "名单"],
        ["5", "a06", "己局", "未报送", "", "", "吴六", "0574-6", "", "此前报送的封面"],
        ["6", "a07", "庚局", "报送年度不符", year_msg, "a07.xlsx", "郑七", "13800000007", "", "名单"],
    ]
    raw = (tmp_path / "out" / "reminders.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw == reminders_csv(got)
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == ["序号", "单位编号", "单位名称", "催报原因", "说明", "报送文件", "联系人", "联系电话", "邮箱", "联系方式来源"]
    assert table[2][7] == "'=HYPERLINK(\"x\")" and table[4][7] == "'+86 574 5" and table[4][8] == "'@wu"
    sheet = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["催报"]
    listed = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r[1:4] for r in listed] == [[r[1], r[2], r[3]] for r in rows]
    assert listed[1][7] == "=HYPERLINK(\"x\")" and sheet["H3"].data_type == "s"  # text, never a formula
    status = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["报送情况"]
    anonymous = [r for r in status.iter_rows(min_row=2, values_only=True) if r[11] in ("扫描件.pdf", "a0-甲局乙局.pdf")]
    assert [r[1] for r in anonymous] == ["", ""]
    rows = {r[1]: r for r in status.iter_rows(min_row=2, max_row=8, values_only=True)}
    assert rows["a02"][3] == "报送格式不符" and rows["a02"][11] == "a02/年报.xls"
    assert rows["a05"][3] == "未报送"
    pdf = next(r for r in status.iter_rows(min_row=9, values_only=True) if r[11] == "丙局2024年报.pdf")
    assert pdf[1:4] == ("a03", "丙局", "未采用")


def test_no_roster_no_reminders(spec, tmp_path):
    with collect(_inbox(spec, tmp_path), YEAR, spec=spec) as coll:
        assert reminders(coll) == []


def test_csv_safe():
    for text in ("=1+1", "+86", "-3", "@x", "\tx", "\rx"):
        assert csv_safe(text) == "'" + text
    assert csv_safe("0574-1") == "0574-1" and csv_safe("") == ""
