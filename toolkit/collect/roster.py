"""The coordinator's roster: which agencies must report (CSV or XLSX, at least id and name)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import catalogue, xlsx
from toolkit.model import Agency, clean_name
from toolkit.xlsx import package as screen

ID_COLUMNS = ("id", "agency_id", "编号", "单位编号", "代码", "单位代码", "序号")  # 序号 only when no other
NAME_COLUMNS = ("name", "agency", "名称", "单位名称", "单位", "机关名称")
CONTACT_COLUMNS = {  # optional, for the reminders: Contact field -> accepted headers
    "person": ("联系人", "contact", "contact_person"),
    "phone": ("联系电话", "电话", "phone", "tel", "手机"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail", "mail"),
}
# File-name safe: letters, digits, - _ . and CJK, no path separators, no leading dot, no "..".
_ID = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff_.\-]{0,63}$")


class RosterError(ValueError):
    """A roster that cannot be used; the message says where and what to do."""


@dataclass(frozen=True)
class Contact:
    """Who to call at an agency (any part may be blank)."""

    person: str = ""
    phone: str = ""
    email: str = ""

    def __bool__(self) -> bool:
        return bool(self.person or self.phone or self.email)


@dataclass(frozen=True)
class Roster:
    path: Path
    agencies: tuple[Agency, ...]
    contacts: Mapping[str, Contact] = field(default_factory=dict)  # by agency id, from the optional columns

    def by_id(self) -> dict[str, Agency]:
        return {a.id: a for a in self.agencies}


def validate_id(agency_id: str) -> str:
    agency_id = agency_id.strip()
    if not _ID.match(agency_id) or ".." in agency_id:
        raise RosterError(
            f"单位编号“{agency_id}”不可用：只能由字母、数字、汉字和 - _ . 组成（不超过64个字符），"
            "不能含路径分隔符或“..”。请修改名单中的编号。"
        )
    return agency_id


def read_roster(path: Path) -> Roster:
    path = Path(path)
    if not path.exists():
        raise RosterError(f"找不到名单文件 {path}。")
    data = _read(path)
    rows = _xlsx_rows(data, path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(data, path)
    if not rows:
        raise RosterError(f"名单文件 {path} 是空的。")
    header = [str(h or "").strip().lstrip("\ufeff").lower() for h in rows[0][1]]
    id_col = _find(header, ID_COLUMNS)
    name_col = _find(header, NAME_COLUMNS)
    if id_col is None or name_col is None:
        raise RosterError(f"名单文件 {path} 第1行应有列名 id 和 name（或“编号”“单位名称”），实际为：{', '.join(header)}。")
    contact_cols = {k: _find(header, names) for k, names in CONTACT_COLUMNS.items()}
    contacts: dict[str, Contact] = {}
    agencies: list[Agency] = []
    seen: dict[str, int] = {}
    for lineno, row in rows[1:]:
        cells = [str(c).strip() if c is not None else "" for c in row]
        if not any(cells):
            continue
        raw_id = cells[id_col] if id_col < len(cells) else ""
        name = clean_name(cells[name_col]) if name_col < len(cells) else ""
        if not raw_id or not name:
            raise RosterError(f"名单文件 {path} 第{lineno}行缺少编号或单位名称。")
        try:
            agency_id = validate_id(raw_id)
        except RosterError as e:
            raise RosterError(f"名单文件 {path} 第{lineno}行：{e}") from None
        if agency_id in seen:
            raise RosterError(f"名单文件 {path} 第{lineno}行：编号 {agency_id} 与第{seen[agency_id]}行重复。")
        seen[agency_id] = lineno
        agencies.append(Agency(agency_id, name))
        contact = Contact(**{k: cells[i] if i is not None and i < len(cells) else "" for k, i in contact_cols.items()})
        if contact:
            contacts[agency_id] = contact
    return Roster(path, tuple(agencies), contacts)


def _read(path: Path) -> bytes:
    """The roster's bytes: a regular file within the workbooks' size limit (a folder, a FIFO or
    /dev/zero given as the roster is refused, not read)."""
    try:
        return screen.read_file(path)
    except screen.Refused as e:
        raise RosterError(f"名单文件 {path} 无法使用：{e.finding(path.name).message}") from None
    except OSError as e:
        raise RosterError(f"名单文件 {path} 无法读取：{e.strerror or e}。") from None


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    for n in names:
        if n in header:
            return header.index(n)
    return None


Rows = list[tuple[int, list]]  # (line or row number, cells)


def _csv_rows(data: bytes, path: Path) -> Rows:
    for enc in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(f"名单文件 {path} 既不是 UTF-8 也不是 GBK 编码，请用 Excel 另存为“CSV UTF-8”。")
    reader = csv.reader(io.StringIO(text))
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as e:  # a field over csv's 128 KB limit, a NUL byte
        raise RosterError(f"名单文件 {path} 第{reader.line_num}行无法读取（{e}）。请用 Excel 另存为“CSV UTF-8”后重试。") from None


def _xlsx_rows(data: bytes, path: Path) -> Rows:
    """The first sheet's rows, read as the returned workbooks are (the same screening: size and
    member limits, no DTD or entities, a cap on cells)."""
    zf, refused = screen.open_package(data, path.name)
    if zf is None:
        raise RosterError(f"名单文件 {path} 无法读取：{refused[0].message}")
    try:
        book = xlsx.read_workbook(zf, blanks=False)
    except xlsx.ReadError as e:
        f = catalogue.finding(e.code, "part" if e.code == "zip_corrupt" else "", file=path.name, detail=f"{e.part}：{e.detail}")
        raise RosterError(f"名单文件 {path} 无法读取：{f.message}") from None
    except (*xlsx.ZIP_ERRORS, KeyError, IndexError, TypeError) as e:  # type: ignore[misc]  # a starred tuple
        raise RosterError(f"名单文件 {path} 无法读取：{type(e).__name__}: {e}。请用 Excel 另存为 .xlsx 或 CSV 后重试。") from None
    if not book.sheet_names:
        return []
    cells = book.sheets[book.sheet_names[0][0]].cells
    width = max((c for _, c in cells), default=-1) + 1
    rows: dict[int, list] = {}
    for (r, c), x in cells.items():
        rows.setdefault(r, [None] * width)[c] = x.value
    return [(r + 1, rows[r]) for r in sorted(rows)]
