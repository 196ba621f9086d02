"""Which agency a file belongs to beyond its stamp, and which files were replaced.

A rejected file carries no readable stamp; it is attributed to the roster agency its name
points to (the agency's id as a word of the path, or its name inside the path), or to the one
its stamp names when the stamp could be read. A file not used although its agency has a used
file was replaced (a corrected copy came, or a duplicate lost): its findings are listed apart
and never counted in a collection's totals.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from toolkit.model import Agency

if TYPE_CHECKING:
    from toolkit.collect.collection import Collection


def attribute(coll: Collection) -> dict[str, list[str]]:
    """Rejected files by the roster agency they point to (a file pointing to none or to
    several agencies is left out: it stays anonymous)."""
    agencies = coll.roster.agencies if coll.roster else ()
    out: dict[str, list[str]] = {}
    for r in coll.results:
        if r.status != "rejected":
            continue
        ids = {r.agency_id} if r.agency_id else {a.id for a in agencies if points_to(r.file, a)}
        if len(ids) == 1:
            out.setdefault(ids.pop(), []).append(r.file)
    return out


def points_to(file: str, agency: Agency) -> bool:
    """The agency's name appears in the path, or its id as a whole word of it."""
    if agency.name and agency.name in file:
        return True
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(agency.id)}(?![0-9A-Za-z])", file) is not None


def replaced_files(coll: Collection) -> set[str]:
    """Files not used although their agency (by stamp, or by name for a rejected file) has a
    used file."""
    used = {r.file for r in coll.used.values()}
    out = {r.file for r in coll.results if r.agency_id in coll.used and r.file not in used}
    for agency_id, files in attribute(coll).items():
        if agency_id in coll.used:
            out.update(files)
    return out
