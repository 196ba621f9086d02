"""Who to chase: every roster agency that has not submitted, or whose file could not be used
(wrong format, encrypted, a PDF, another year's report), with the reason, the file it sent
and whom to call -- OUT/reminders.csv and summary.xlsx's 催报 sheet.

A rejected file attributed to an agency (toolkit.collect.attribution: by its name or stamp)
makes it "报送格式不符" instead of "未报送".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from toolkit import catalogue
from toolkit.collect.attribution import attribute
from toolkit.collect.collection import Collection
from toolkit.collect.history import cover_contact
from toolkit.collect.roster import Contact
from toolkit.model import Agency
from toolkit.outputs.csvfile import csv_bytes

NOT_SENT, WRONG_FORMAT, WRONG_YEAR = "未报送", "报送格式不符", "报送年度不符"
COLUMNS = ("序号", "单位编号", "单位名称", "催报原因", "说明", "报送文件", "联系人", "联系电话", "邮箱", "联系方式来源")
FROM_ROSTER, FROM_COVER = "名单", "此前报送的封面"
_YEAR_CODES = ("year_mismatch",)


@dataclass(frozen=True)
class Reminder:
    agency: Agency
    reason: str  # NOT_SENT | WRONG_FORMAT | WRONG_YEAR
    detail: str  # what was wrong with the file, in Chinese ("" when nothing was sent)
    file: str  # the file it sent ("" when none)
    contact: Contact
    source: str  # where the contact came from: FROM_ROSTER, FROM_COVER or ""

    def row(self, number: int) -> list[str]:
        c = self.contact
        return [str(number), self.agency.id, self.agency.name, self.reason, self.detail, self.file,
                c.person, c.phone, c.email, self.source]


def reminders(coll: Collection, covers: Mapping[str, Contact] | None = None) -> list[Reminder]:
    """In roster order: the agencies to chase. ``covers`` are contacts read from the covers of
    earlier submissions (toolkit.collect.history), used where the roster has none."""
    if coll.roster is None:
        return []
    covers = covers or {}
    sent = attribute(coll)
    out: list[Reminder] = []
    for a in coll.roster.agencies:
        used = coll.used.get(a.id)
        wrong_year = [f for f in used.findings if f.code in _YEAR_CODES] if used is not None else []
        if used is not None and not wrong_year:
            continue
        contact, source = coll.roster.contacts.get(a.id, Contact()), FROM_ROSTER
        if not contact:  # an earlier cover, or this file's own
            here = cover_contact(coll, used) if used is not None and coll.readable(used) else Contact()
            contact, source = covers.get(a.id) or here, FROM_COVER
        source = source if contact else ""
        if used is not None:
            out.append(Reminder(a, WRONG_YEAR, wrong_year[0].message, used.file, contact, source))
            continue
        files = sent.get(a.id, [])
        if files:
            detail = "；".join(_why(coll, f) for f in files)
            out.append(Reminder(a, WRONG_FORMAT, detail, "、".join(files), contact, source))
        else:
            out.append(Reminder(a, NOT_SENT, "", "", contact, source))
    return out


def _why(coll: Collection, file: str) -> str:
    r = next(r for r in coll.results if r.file == file)
    return "；".join(catalogue.get(f.code).title for f in r.findings if f.severity == "error") or "无法读取"


# --- reminders.csv -----------------------------------------------------------------------------


def reminders_csv(items: list[Reminder]) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows), every cell neutralised against CSV injection."""
    return csv_bytes(COLUMNS, [item.row(i) for i, item in enumerate(items, start=1)])
