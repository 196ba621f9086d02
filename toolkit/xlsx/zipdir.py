"""A zip package's central directory read in one pass, in the plain form workbooks have.

``zipfile.ZipFile`` builds a full ``ZipInfo`` per member (~8 us each, 15 members a workbook):
a sixth of the reader's own time once the XML is read by plans. Workbooks saved by Excel,
WPS, LibreOffice and xlsxwriter have the plainest central directory there is -- one disk, no
archive comment, no zip64, no data before the first member, no extra fields in the directory
-- and that form is read here into light entries with the fields the reader and the
screening use. Anything else gets ``None``, and the caller opens the bytes with zipfile,
which reads the rest or says what is wrong. A member is only ever read through zipfile or
through the accelerator (toolkit.xlsx.scan), which checks its local header, lengths and CRC
against the entry.
"""

from __future__ import annotations

import io
import struct
import zipfile

_END = struct.Struct("<4s4H2LH")  # end of central directory record (22 bytes)
_ENTRY = struct.Struct("<4s4B4HL2L5H2L")  # central directory file header (46 bytes): zipfile's structCentralDir
_ZIP64 = 0xFFFFFFFF


class Entry:
    """The fields of a member the reader and the screening use, named as on zipfile.ZipInfo."""

    __slots__ = ("filename", "orig_filename", "flag_bits", "compress_type", "CRC", "compress_size",
                 "file_size", "header_offset")

    def __init__(self, name: str, flags: int, method: int, crc: int, packed: int, size: int, offset: int):
        self.filename = self.orig_filename = name
        self.flag_bits, self.compress_type, self.CRC = flags, method, crc
        self.compress_size, self.file_size, self.header_offset = packed, size, offset


class Directory:
    """The members of an in-memory package, zipfile-like: ``NameToInfo``, ``infolist()``,
    ``fp`` (the bytes) and ``read(name)`` (through zipfile, made on first use)."""

    def __init__(self, data: bytes, entries: list[Entry]):
        self.fp = io.BytesIO(data)
        self._entries = entries
        self.NameToInfo = {e.filename: e for e in entries}  # a name written twice: the last, as zipfile
        self._zf: zipfile.ZipFile | None = None

    def infolist(self) -> list[Entry]:
        return self._entries

    def read(self, name: str) -> bytes:
        if self._zf is None:
            self._zf = zipfile.ZipFile(io.BytesIO(self.fp.getvalue()))
        return read_member(self._zf, name)


def read_member(zf: zipfile.ZipFile | Directory, name: str) -> bytes:
    """``zf.read(name)`` inflating no more than the member's declared size (+4 KB): zipfile's
    ``read()`` asks the inflater for up to 2 GB in one call, so a member that claims a few KB
    and inflates to gigabytes would fill memory before its CRC is found wrong. Read to its
    declared size, its CRC is checked all the same (zipfile raises BadZipFile)."""
    if isinstance(zf, Directory):
        return zf.read(name)
    info = zf.getinfo(name)
    with zf.open(info) as fh:
        return fh.read(info.file_size)


def directory(data: bytes) -> Directory | None:
    """The package's members, or None if its directory is not in the plain form."""
    if len(data) < _END.size:
        return None
    sig, disk, cd_disk, here, total, cd_size, cd_offset, comment = _END.unpack_from(data, len(data) - _END.size)
    end = len(data) - _END.size
    if (sig != b"PK\x05\x06" or comment or disk or cd_disk or here != total or cd_offset + cd_size != end
            or _ZIP64 in (cd_size, cd_offset) or total == 0xFFFF or data[end - 20:end - 16] == b"PK\x06\x07"):
        return None
    entries = []
    at = cd_offset
    for _ in range(total):
        if at + _ENTRY.size > end:
            return None
        (sig, _, _, version, _, flags, method, _, _, crc, packed, size, n, m, k, disk, _, _,
         offset) = _ENTRY.unpack_from(data, at)
        if (sig != b"PK\x01\x02" or m or k or disk or _ZIP64 in (packed, size, offset) or offset >= cd_offset
                or version > zipfile.MAX_EXTRACT_VERSION):  # zipfile refuses those when it opens the package
            return None
        raw = data[at + _ENTRY.size:at + _ENTRY.size + n]
        try:
            name = raw.decode("utf-8" if flags & 0x800 else "ascii")
        except UnicodeDecodeError:
            return None  # cp437 names (zipfile's default): left to zipfile
        if "\x00" in name or len(raw) != n:
            return None
        entries.append(Entry(name, flags, method, crc, packed, size, offset))
        at += _ENTRY.size + n
    if at != end:
        return None
    return Directory(data, entries)


def entries_declared(path: str) -> int:
    """How many members a zip file's end record says its directory holds (zip64's too), read
    from its last 64 KB without parsing the directory; 0 when there is no end record."""
    with open(path, "rb") as fh:
        size = fh.seek(0, io.SEEK_END)
        fh.seek(max(0, size - 65536 - _END.size))
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _END.size > len(tail):
        return 0
    total = _END.unpack_from(tail, at)[4]
    if total == 0xFFFF and at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":  # zip64 locator
        record, = struct.unpack_from("<Q", tail, at - 12)
        with open(path, "rb") as fh:
            fh.seek(record)
            head = fh.read(56)
        if len(head) == 56 and head[:4] == b"PK\x06\x06":
            total = struct.unpack_from("<Q", head, 32)[0]
    return total
