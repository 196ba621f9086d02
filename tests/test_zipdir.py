"""The quick central-directory reader (toolkit.xlsx.zipdir) against zipfile."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from faults import clean_workbook

from toolkit.xlsx import zipdir

SAMPLES = sorted((Path(__file__).parents[1] / "samples" / "inbox").glob("*.xlsx"))
FIELDS = ("filename", "orig_filename", "flag_bits", "compress_type", "CRC", "compress_size", "file_size",
          "header_offset")


def listing(infos) -> list[tuple]:
    return [tuple(getattr(i, f) for f in FIELDS) for i in infos]


def as_zipfile_reads(data: bytes) -> list[tuple]:
    return listing(zipfile.ZipFile(io.BytesIO(data)).infolist())


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_samples_read_as_zipfile_reads_them(path):
    """Workbooks saved by Excel-like writers and by LibreOffice (the samples hold both)."""
    data = path.read_bytes()
    d = zipdir.directory(data)
    if d is None:  # allowed (zipfile reads it), but the plain workbooks must take the quick path
        assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")
        return
    assert listing(d.infolist()) == as_zipfile_reads(data)
    assert d.NameToInfo.keys() == zipfile.ZipFile(io.BytesIO(data)).NameToInfo.keys()
    assert d.read("xl/workbook.xml") == zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")


def test_a_generated_workbook_takes_the_quick_path(spec):
    data = clean_workbook(spec)
    d = zipdir.directory(data)
    assert d is not None and listing(d.infolist()) == as_zipfile_reads(data)


def _zip(**kw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(kw.get("name", "a.xml"))
        info.extra = kw.get("extra", b"")
        z.writestr(info, b"<a/>" * 10)
        z.writestr("b.xml", b"<b/>")
        if "comment" in kw:
            z.comment = kw["comment"]
    return buf.getvalue()


@pytest.mark.parametrize("case", ["comment", "prefix", "extra field", "cp437 name", "truncated", "empty",
                                  "version", "duplicate name"])
def test_anything_unusual_is_left_to_zipfile(case):
    """Every departure from the plain form gives None (zipfile then reads it or says why) --
    except a name written twice, which both read alike (the last one wins)."""
    plain = _zip()
    assert listing(zipdir.directory(plain).infolist()) == as_zipfile_reads(plain)
    data = {
        "comment": lambda: _zip(comment=b"note"),
        "prefix": lambda: b"MZ-stub" + plain,
        "extra field": lambda: _zip(extra=b"\x99\x99\x02\x00ab"),
        "cp437 name": lambda: plain.replace(b"a.xml", b"\x82.xml"),  # no UTF-8 flag: zipfile reads cp437
        "truncated": lambda: plain[:-5],
        "empty": lambda: b"",
        "version": lambda: plain.replace(b"PK\x01\x02\x14\x03\x14", b"PK\x01\x02\x14\x03\x64", 1),
        "duplicate name": lambda: plain.replace(b"b.xml", b"a.xml"),
    }[case]()
    d = zipdir.directory(data)
    if case == "duplicate name":
        assert listing(d.infolist()) == as_zipfile_reads(data)
        assert d.NameToInfo["a.xml"].header_offset == zipfile.ZipFile(io.BytesIO(data)).NameToInfo["a.xml"].header_offset
    else:
        assert d is None
