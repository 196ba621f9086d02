"""Checking one returned workbook.

Takes the bytes of a workbook (and the format, the year, last year's figures) and returns a
``Result``: the status, every finding located by sheet and cell, and the figures read
(``Filled``). ``workbook`` runs identity, layout, values and totals; ``rules`` holds the
format's consistency rules (R1–R9), shared with the audit of published reports.
"""

from toolkit.check.workbook import Result, check_bytes, check_file, status_of

__all__ = ["Result", "check_bytes", "check_file", "status_of"]
