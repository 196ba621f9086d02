"""Zip members as every output package writes them: deflated, at a chosen level, with a fixed
time (the zip format's first date), so the same content is the same bytes whenever and by
whichever process it is made. Only zipfile's public API."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import IO, Literal

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def archive(file: IO[bytes], mode: Literal["w", "a"] = "w", level: int | None = None) -> zipfile.ZipFile:
    """A deflating archive on ``file``; ``level`` is what ``stream`` members are deflated at."""
    return zipfile.ZipFile(file, mode, zipfile.ZIP_DEFLATED, compresslevel=level)


def write(zf: zipfile.ZipFile, name: str, data: bytes | str, level: int | None = None) -> None:
    """One member from bytes (or text, as UTF-8); ``level`` None is zlib's default (6)."""
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data, compresslevel=level)


def stream(zf: zipfile.ZipFile, name: str) -> IO[bytes]:
    """One member written in pieces, at the archive's level. zipfile's public API gives a
    member opened by name the level of its archive and ZipInfo's default time, FIXED_TIME
    (tests/test_zipwrite.py holds it to that)."""
    return zf.open(name, "w")


def deflated_member(data: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, crc32, uncompressed size) of one zip member."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def zip_of_deflated(members: list[tuple[str, tuple[bytes, int, int]]]) -> bytes:
    """A plain zip of pre-deflated members (dated 1980-01-01, as xlsxwriter dates them): the
    template stamper deflates the parts every template shares once, and only the few that name
    the agency again, so it assembles the archive itself (zipfile would deflate every member)."""
    out = io.BytesIO()
    central = []
    for name, (blob, crc, size) in members:
        fname = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(blob), size, len(fname), 0))
        out.write(fname)
        out.write(blob)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(blob), size,
                                   len(fname), 0, 0, 0, 0, 0, offset) + fname)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()
