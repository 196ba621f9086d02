"""The locked Excel template an agency fills.

Takes the format, an ``Agency``, the year (and optionally values to pre-fill) and returns
xlsx bytes, or writes one template per agency of a roster.
"""

from toolkit.template.workbook import DEFAULT_PASSWORD, build_workbook, write_template, write_templates

__all__ = ["DEFAULT_PASSWORD", "build_workbook", "write_template", "write_templates"]
