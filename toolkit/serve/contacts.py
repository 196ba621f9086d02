"""The roster's optional contact columns (联系人, 联系电话), which ``read_roster`` does not keep."""

from __future__ import annotations

import csv
import io
from pathlib import Path

ID_COLUMNS = ("id", "agency_id", "编号", "单位编号", "代码", "单位代码")  # as toolkit.collect.roster reads them
CONTACT_COLUMNS = ("联系人", "contact")
PHONE_COLUMNS = ("联系电话", "电话", "phone")


def roster_contacts(path: Path) -> dict[str, tuple[str, str]]:
    """Agency id -> (contact, phone), for a roster that has either column; else empty."""
    rows = _rows(Path(path))
    if not rows:
        return {}
    header = [str(h or "").strip().lstrip("\ufeff").lower() for h in rows[0]]
    id_col, contact_col, phone_col = (_find(header, names) for names in (ID_COLUMNS, CONTACT_COLUMNS, PHONE_COLUMNS))
    if id_col is None or (contact_col is None and phone_col is None):
        return {}
    out = {}
    for row in rows[1:]:
        cells = [str(c).strip() if c is not None else "" for c in row]
        if id_col < len(cells) and cells[id_col]:
            out[cells[id_col]] = (_at(cells, contact_col), _at(cells, phone_col))
    return out


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def _at(cells: list[str], col: int | None) -> str:
    return cells[col] if col is not None and col < len(cells) else ""


def _rows(path: Path) -> list[list]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(data.decode(encoding))))
        except UnicodeDecodeError:
            continue
    return []
