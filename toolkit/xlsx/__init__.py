"""Reading xlsx bytes, the one seam every workbook goes through.

``package`` screens bytes before any parser (zip vs OLE vs other, size and ratio limits) and
returns the opened package or one finding; ``read_workbook`` / ``read_bytes`` read it into a
``Book`` of ``Sheet``s of ``XCell``s (values, formulas, cached results, merges, protection,
names). Two readers give the same book, or raise the same error: ``book``, the reference
(zipfile and the tree parser, nothing remembered; ``fast=False``), and ``scan``, the
accelerator (strict regular expressions and reading plans for the parts that recur byte for
byte, its memory in one ``Scanner``; ``fast=True``, the default), held equal by the
differential tests. Callers see only this module, so the accelerator can be rewritten,
replaced or switched off without touching them.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection

from toolkit.xlsx import book, scan
from toolkit.xlsx.book import EMPTY, ZIP_ERRORS, Book, ReadError, Sheet, XCell
from toolkit.xlsx.zipdir import Directory


def read_workbook(zf: zipfile.ZipFile | Directory, only: Collection[str] | None = None, *, validations: bool = False,
                  blanks: bool = True, fast: bool = True) -> Book:
    """The workbook of an opened package (package.open_package); ``only`` names the sheets
    whose cells are wanted (default: all). Data validations are read only when asked (they
    are most of a sheet's XML). ``blanks=False`` leaves out cells that hold nothing, no value
    and no formula (a template's styled blanks: all they carry is their style, i.e. whether
    they are locked). ``fast=False`` reads by the reference reader alone. Raises ReadError
    (or one of ZIP_ERRORS for member-level damage)."""
    if fast:
        return scan.read_workbook(zf, only, validations=validations, blanks=blanks)
    return book.read_workbook(zf, only, validations=validations, blanks=blanks)


def read_bytes(data: bytes, only: Collection[str] | None = None, *, validations: bool = False,
               blanks: bool = True, fast: bool = True) -> Book:
    """Convenience for tests and tools: read a workbook from bytes (no screening)."""
    reader = scan.read_bytes if fast else book.read_bytes
    return reader(data, only, validations=validations, blanks=blanks)


__all__ = ["EMPTY", "ZIP_ERRORS", "Book", "ReadError", "Sheet", "XCell", "read_bytes", "read_workbook"]
