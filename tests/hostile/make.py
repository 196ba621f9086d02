"""Hostile files built at test time, in bounded memory: zip packages whose headers say what
we choose (a member that lies about its size, Deflate64, AES, encrypted), bombs built from a
repeated deflate block (600 MB of zeros in ~600 KB, built in milliseconds)."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from faults import YEAR, clean_report

from toolkit.format.spec import load_spec
from toolkit.model import Agency
from toolkit.template.workbook import build_workbook


@dataclass
class Member:
    name: str
    packed: bytes
    method: int = zipfile.ZIP_DEFLATED
    size: int | None = None  # declared; default: the real size
    crc: int | None = None
    flags: int = 0x800  # UTF-8 names

    @classmethod
    def of(cls, name: str, data: bytes, **kw) -> Member:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        kw.setdefault("size", len(data))
        kw.setdefault("crc", zlib.crc32(data))
        return cls(name, c.compress(data) + c.flush(), **kw)


def package(members: list[Member]) -> bytes:
    """A zip written by hand: local headers and directory say what each Member says."""
    out, central = io.BytesIO(), []
    for m in members:
        name = m.name.encode("utf-8")
        size = len(m.packed) if m.size is None else m.size
        crc = 0 if m.crc is None else m.crc
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, m.flags, m.method, 0, 0, crc, len(m.packed), size,
                              len(name), 0) + name + m.packed)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, m.flags, m.method, 0, 0, crc,
                                   len(m.packed), size, len(name), 0, 0, 0, 0, 0, offset) + name)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


@functools.cache
def zeros(mb: int) -> bytes:
    """A raw deflate stream of ``mb`` MiB of zero bytes: one block repeated (a full flush
    makes each MiB's block the same bytes)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    mib = bytes(1 << 20)
    first = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(mib) + c.flush()
    return first + again * (mb - 2) + last


@functools.cache
def workbook(agency_id: str = "demo") -> bytes:
    spec = load_spec()
    r = clean_report(spec)
    return build_workbook(spec, Agency(agency_id, "示例单位"), YEAR, values=r["values"], narratives=r["narratives"],
                          contact=r["contact"])


def members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


SHEET = "xl/worksheets/sheet2.xml"


def workbook_with(part: str, member: Member | None = None, *, extra: list[Member] = ()) -> bytes:
    """The clean workbook with ``part`` replaced by ``member`` (and ``extra`` members added)."""
    out = []
    for name, data in members(workbook()):
        if name == part and member is not None:
            member.name = name
            out.append(member)
        else:
            out.append(Member.of(name, data))
    return package(out + list(extra))


def lying_bomb(part: str = SHEET, mb: int = 600) -> bytes:
    """``part`` claims its real few KB but inflates to ``mb`` MiB."""
    real = dict(members(workbook()))[part]
    return workbook_with(part, Member(part, zeros(mb), size=len(real), crc=zlib.crc32(real)))


def many_cells(n: int) -> bytes:
    """A sheet of ``n`` cells, small enough for every size limit (deflate packs it well)."""
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}"><v>2</v></c></row>' for r in range(1, n // 2 + 1))
    xml = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>').encode()
    return workbook_with(SHEET, Member.of(SHEET, xml))


def with_value(address: str, text: str, sheet: str = "xl/worksheets/sheet3.xml") -> bytes:
    """The clean workbook with the <v> of the cell at ``address`` replaced by ``text``."""
    import re

    xml = dict(members(workbook()))[sheet].decode()
    xml, n = re.subn(rf'(<c r="{address}"[^>]*>)(?:<f>[^<]*</f>)?<v>[^<]*</v>', rf"\g<1><v>{text}</v>", xml)
    assert n == 1, address
    return workbook_with(sheet, Member.of(sheet, xml.encode()))


def saved_at(when: str, agency_id: str = "demo") -> bytes:
    """A workbook of ``agency_id`` whose properties say it was last saved ``when``."""
    import re

    parts = []
    for name, data in members(workbook(agency_id)):
        if name == "docProps/core.xml":
            data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
        parts.append(Member.of(name, data))
    return package(parts)
