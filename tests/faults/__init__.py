"""Builders of faulty workbooks: what a clerk or a broken file produces.

Clerk-like faults go through LibreOffice (``toolkit.office``), the stand-in for the clerk's
spreadsheet program; byte-level faults (truncated zip, bombs, OLE files) are built here in
Python, as no spreadsheet program would write them.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile

from toolkit.format import compute
from toolkit.format.spec import Spec, Table
from toolkit.model import Agency, Filled
from toolkit.template.workbook import build_workbook
from toolkit.xlsx import ReadError, read_bytes

YEAR = 2024
AGENCY = Agency("demo", "示例单位")  # the clerk's agency in the generated workbooks


# --- the two readers must agree -----------------------------------------------------------------


def _plain(v):
    return ("nan",) if isinstance(v, float) and v != v else (type(v).__name__, v)


def snapshot(book) -> dict:
    """Everything a Book says, as plain comparable data (styles read, NaN comparable)."""
    try:
        locked = ("ok", list(book.locked_styles))
    except ReadError as e:
        locked = ("error", e.code)
    return {
        "sheet_names": book.sheet_names, "names": book.names, "calc": book.calc,
        "application": book.application, "saved_at": book.saved_at, "locked": locked,
        "sheets": {name: {"state": s.state, "merged": s.merged, "validations": s.validations,
                          "protected": s.protected,
                          "cells": {rc: (_plain(x.value), x.kind, x.formula, x.style) for rc, x in s.cells.items()}}
                   for name, s in book.sheets.items()},
    }


def outcome(data: bytes, *, fast: bool, blanks: bool = True):
    """The book read from ``data``, or the error reading it gave."""
    try:
        return snapshot(read_bytes(data, fast=fast, blanks=blanks))
    except ReadError as e:
        return ("ReadError", e.code, e.part, e.detail)
    except Exception as e:  # noqa: BLE001 -- whatever the tree reader raises, the fast one must too
        return (type(e).__name__, str(e))


def same_either_way(data: bytes) -> dict | tuple:
    """Read ``data`` with the fast reader and the tree reader, with and without blank cells:
    the same book (or the same error) every way. Returns what the fast reader gave."""
    tree = outcome(data, fast=False)
    fast = outcome(data, fast=True)
    assert fast == tree
    lean = outcome(data, fast=True, blanks=False)
    assert lean == outcome(data, fast=False, blanks=False)
    if isinstance(tree, dict):  # blanks=False: the same book without the cells that hold nothing
        for name, sheet in tree["sheets"].items():
            kept = {rc: c for rc, c in sheet["cells"].items() if c[1] or c[2] is not None}
            assert lean["sheets"][name]["cells"] == kept
    return fast


# --- a clean, balanced report -------------------------------------------------------------------


def balanced_report(spec: Spec, rng: random.Random) -> dict:
    """Inputs drawn from ``rng`` that satisfy every rule, narratives that agree with them, a contact.

    R7: counts are non-negative ints (many zeros, as in real reports), a decimal cell a number
    of quarters (exact in binary and in decimal). R1: in each column the first left-hand row is
    what balances the others. R2-R4: totals are never given, the recomputation makes them.
    R6: stocks exceed the year's additions (last year's, see previous_of, is then positive).
    R8: the overview quotes the recomputed totals, each made non-zero so that a text saying
    "none" is wrong; R9: section 六 names 信息处理费."""
    values: dict[str, int | float] = {
        c.code: rng.randint(0, 400) / 4 if c.type == "decimal" else _count(rng) for c in spec.inputs}
    for rule in spec.rules:
        p = rule.params
        if rule.kind == "balance":
            _balance(spec, spec.table(p["table"]), p["lhs"], p["rhs"], values)
        elif rule.kind == "stock":
            t = spec.table(p["table"])
            for row in p["rows"]:
                values[t.cell(row, p["stock"]).code] = values[t.cell(row, p["plus"]).code] + rng.randint(5, 40)
    t4 = spec.table("t4")
    review = t4.cell("", "review_total")
    if not compute.full(spec, values)[review.code]:
        values[review.sum_of[0]] = 1
    full = compute.full(spec, values)
    applications = full[spec.table("t3").cell("new", "total").code]
    lawsuits = full[t4.cell("", "direct_total").code] + full[t4.cell("", "after_total").code]
    narratives = {
        "overview": (f"{YEAR}年，本机关认真贯彻《中华人民共和国政府信息公开条例》。全年共收到政府信息公开申请"
                     f"{applications}件，均在法定期限内答复。发生政府信息公开行政复议{full[review.code]}件，"
                     f"行政诉讼{lawsuits}件。"),
        "problems": "政策解读形式较为单一，下一步将丰富图表、视频等解读形式；上年提出的改进措施已全部落实。",
        "other_matters": f"{YEAR}年本机关未收取信息处理费。无其他需要报告的事项。",
    }
    contact = {"meta_contact": "张三", "meta_phone": "0574-86780000"}
    return {"values": values, "narratives": narratives, "contact": contact}


def _count(rng: random.Random) -> int:
    return 0 if rng.random() < 0.4 else rng.randint(1, 30)


def _balance(spec: Spec, table: Table, lhs: list[str], rhs: list[str], values: dict) -> None:
    """Per input column: the other left-hand rows capped by the right-hand side, the first
    left-hand row the rest. If nothing at all comes in on the first row, one application
    comes in and is carried over (the table is never empty)."""
    free = []
    for col in table.col_codes:
        first, *others = (table.cell(r, col) for r in lhs)
        if first.role != "input":
            continue
        full = compute.full(spec, values)
        room = sum(full[table.cell(r, col).code] for r in rhs)
        for c in others:
            values[c.code] = min(values[c.code], room)
            room -= values[c.code]
        values[first.code] = room
        free.append((first.code, table.cell(rhs[-1], col).code))
    if not any(values[code] for code, _ in free):
        for code in free[0]:
            values[code] += 1


def clean_report(spec: Spec) -> dict:
    """The balanced report the corpus and the check tests use (one fixed draw)."""
    return balanced_report(spec, random.Random(YEAR))


def clean_workbook(spec: Spec, report: dict | None = None, year: int = YEAR) -> bytes:
    """The template of AGENCY filled with ``report`` (default: clean_report) by the template writer."""
    r = report or clean_report(spec)
    return build_workbook(spec, AGENCY, year, values=r["values"], narratives=r["narratives"], contact=r["contact"])


def previous_of(spec: Spec, report: dict) -> Filled:
    """Last year's report consistent with this one under the cross-year rules (R5: carried over
    per column; R6: documents in force), with other narratives."""
    values = dict(report["values"])
    now = report["values"]
    for rule in spec.rules:
        p = rule.params
        if rule.kind == "carry_over":
            t = spec.table(p["table"])
            for col in t.col_codes:
                before = t.cell(p["previous"], col)
                if before.role == "input":
                    values[before.code] = now[t.cell(p["this"], col).code]
        elif rule.kind == "stock":
            t = spec.table(p["table"])
            for row in p["rows"]:
                stock, plus, minus = (t.cell(row, p[k]).code for k in ("stock", "plus", "minus"))
                values[stock] = now[stock] - now[plus] + now[minus]
    narratives = {"overview": "上一年度总体情况：完善制度，加强平台建设。",
                  "problems": "上一年度的问题：信息更新不够及时。",
                  "other_matters": "上一年度未收取信息处理费。"}
    return Filled(agency="示例单位", year=YEAR - 1, agency_id="demo", values=values, narratives=narratives)


# --- zip surgery -------------------------------------------------------------------------------------


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """The package path of a sheet, through workbook.xml and its relationships."""
    wb = parts["xl/workbook.xml"].decode()
    rid = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(sheet), wb)
    if rid is None:
        rid = re.search(r'<sheet [^>]*r:id="([^"]+)"[^>]*name="%s"' % re.escape(sheet), wb)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(r'<Relationship [^>]*Id="%s"[^>]*Target="([^"]+)"' % rid.group(1), rels)
    if target is None:
        target = re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="%s"' % rid.group(1), rels)
    path = target.group(1)
    return path.lstrip("/") if path.startswith("/") else "xl/" + path


def set_cached(data: bytes, sheet: str, changes: dict[str, float], manual: bool = True) -> bytes:
    """Type numbers into cells behind the formulas' back, as Excel does with calculation set to
    manual: the cells change, every formula keeps its old cached result."""
    parts = members(data)
    path = sheet_part(parts, sheet)
    xml = parts[path].decode()
    for ref, value in changes.items():
        pattern = re.compile(r'<c r="%s"((?: [a-z]+="[^"]*")*?)(?: t="[^"]*")?((?: [a-z]+="[^"]*")*)(?:/>|>.*?</c>)' % ref)
        m = pattern.search(xml)
        assert m, f"{sheet}!{ref} not in the sheet XML"
        attrs = re.sub(r' t="[^"]*"', "", m.group(1) + m.group(2))
        xml = xml[: m.start()] + f'<c r="{ref}"{attrs}><v>{value}</v></c>' + xml[m.end():]
    parts[path] = xml.encode()
    if manual:
        wb = parts["xl/workbook.xml"].decode()
        wb = re.sub(r"<calcPr\b[^>]*/>", '<calcPr calcId="191029" calcMode="manual"/>', wb)
        if "<calcPr" not in wb:
            wb = wb.replace("</workbook>", '<calcPr calcId="191029" calcMode="manual"/></workbook>')
        parts["xl/workbook.xml"] = wb.encode()
    return rezip(parts)


def replace_member(data: bytes, name: str, body: bytes) -> bytes:
    parts = members(data)
    parts[name] = body
    return rezip(parts)


# --- hostile and broken files -----------------------------------------------------------------------

ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>"""


def entity_bomb(data: bytes) -> bytes:
    """The workbook with its shared strings replaced by a billion-laughs document."""
    return replace_member(data, "xl/sharedStrings.xml", ENTITY_BOMB)


def zip_bomb(data: bytes, unpacked: int = 200 * 1024 * 1024) -> bytes:
    """The workbook plus a member that deflates ~1000:1 (zeros)."""
    parts = members(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
        with zf.open("xl/media/image1.bin", "w", force_zip64=True) as fh:
            block = bytes(1024 * 1024)
            for _ in range(unpacked // len(block)):
                fh.write(block)
    return out.getvalue()


def truncated(data: bytes) -> bytes:
    """A download cut off half-way: the central directory at the end is gone."""
    return data[: len(data) // 2]


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file ([MS-CFB] v3, 512-byte sectors) holding the given streams,
    each in regular sectors (padded to 4096 bytes so no mini stream is needed)."""
    size = 512
    bodies = [(name, body + bytes(max(4096, -(-len(body) // size) * size) - len(body)))
              for name, body in streams.items()]
    chains: list[tuple[int, int]] = []  # (first sector, sector count) per stream
    sector = 0
    for _, body in bodies:
        n = -(-len(body) // size)
        chains.append((sector, n))
        sector += n
    dir_entries = 1 + len(bodies)
    dir_sectors = -(-dir_entries * 128 // size)
    dir_start = sector
    sector += dir_sectors
    fat_start = sector
    n_fat = 1
    while (sector + n_fat) > n_fat * (size // 4):
        n_fat += 1
    total = sector + n_fat
    fat = [0xFFFFFFFF] * (n_fat * size // 4)
    for first, n in chains:
        for s in range(first, first + n):
            fat[s] = s + 1 if s < first + n - 1 else 0xFFFFFFFE
    for s in range(dir_start, dir_start + dir_sectors):
        fat[s] = s + 1 if s < dir_start + dir_sectors - 1 else 0xFFFFFFFE
    for s in range(fat_start, fat_start + n_fat):
        fat[s] = 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 0x2C, n_fat, dir_start, 0)
    struct.pack_into("<IIIII", header, 0x38, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    difat = [fat_start + i for i in range(n_fat)] + [0xFFFFFFFF] * (109 - n_fat)
    struct.pack_into("<109I", header, 0x4C, *difat)

    def entry(name: str, kind: int, child: int, right: int, start: int, length: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        e = bytearray(128)
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", e, 116, start, 0)
        struct.pack_into("<I", e, 120, length)
        return bytes(e)

    entries = [entry("Root Entry", 5, 1 if bodies else 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 0)]
    for i, ((name, _body), (first, _)) in enumerate(zip(bodies, chains), start=1):
        right = i + 1 if i < len(bodies) else 0xFFFFFFFF
        entries.append(entry(name, 2, 0xFFFFFFFF, right, first, len(streams[name])))
    directory = b"".join(entries).ljust(dir_sectors * size, b"\x00")
    data = b"".join(body for _, body in bodies) + directory + b"".join(struct.pack("<I", x) for x in fat)
    assert len(data) == total * size
    return bytes(header) + data


def encrypted_xlsx() -> bytes:
    """What Excel/WPS write for an xlsx with an open password: an OLE file holding the
    encryption header and the encrypted package."""
    return cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + bytes(200),
                "EncryptedPackage": bytes(range(256)) * 20,
                "\x06DataSpaces": b""})
