"""Collecting an inbox of returned workbooks.

Takes an inbox folder (or zip), the year, a ``Roster`` and last year's figures; returns a
``Collection``: every file's ``Result`` (checked on a process pool, merged in file-name order),
the roster matching (unknown, duplicate, missing agencies) and the ``SubmissionStore`` (``store``)
that holds each file's figures on disk. ``roster`` reads the coordinator's list; ``previous``
last year's data.
"""

from toolkit.collect.collection import CollectError, Collection, collect, discover
from toolkit.collect.roster import Roster, RosterError, read_roster

__all__ = ["CollectError", "Collection", "Roster", "RosterError", "collect", "discover", "read_roster"]
