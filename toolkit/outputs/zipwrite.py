"""Zip members as every output package writes them: deflated, at a chosen level, with a fixed
time (the zip format's first date), so the same content is the same bytes whenever and by
whichever process it is made. Only zipfile's public API."""

from __future__ import annotations

import zipfile
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
