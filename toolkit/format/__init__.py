"""The official format as data.

Takes an edition name (``gb2021``; ``gb2019`` for older published reports) and returns a
``Spec``: sheets, tables, every cell with its code, address, role, type and official labels,
the narrative sections, the cover fields and the rules. Everything else derives from it.
``compute`` recomputes every total from the inputs (the format's own arithmetic); ``labels``
holds the normalisers that compare text read back (workbooks, published reports, narratives)
with the format's labels.
"""

from toolkit.format.spec import (
                                 DEFAULT_EDITION,
                                 STAMP_SHEET,
                                 Cell,
                                 Label,
                                 Narrative,
                                 Rule,
                                 Spec,
                                 Table,
                                 address,
                                 col_letter,
                                 editions,
                                 load_spec,
                                 parse_address,
)

__all__ = ["DEFAULT_EDITION", "STAMP_SHEET", "Cell", "Label", "Narrative", "Rule", "Spec", "Table",
           "address", "col_letter", "editions", "load_spec", "parse_address"]
