"""Reading xlsx bytes, the one seam every workbook goes through.

``package`` screens bytes before any parser (zip vs OLE vs other, size and ratio limits) and
returns the opened package or one finding; ``book`` reads a package into a ``Book`` of
``Sheet``s of ``XCell``s (values, formulas, cached results, merges, protection, names);
``scan`` is the accelerator behind ``read_bytes(..., fast=True)``: strict regular expressions
and reading plans for the parts that recur byte for byte, held equal to the reference reader
(``fast=False``) by the differential tests.
"""

from toolkit.xlsx.book import Book, ReadError, Sheet, XCell, read_bytes

__all__ = ["Book", "ReadError", "Sheet", "XCell", "read_bytes"]
