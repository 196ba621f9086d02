"""The coordinator's downloads made by `toolkit collect`'s own code on DATA/inbox.

summary.xlsx and the reports are what ``toolkit collect DATA/inbox --year Y --roster R`` writes
(one round of history, as a first collection into an empty folder), built in a temporary folder
and handed back as bytes or a zip. The inbox holds only files whose check in a worker finished
(``own`` needs the stamp read), so reading them again here in the server's process is safe.
Collections run in this process (one worker): forking a server that has threads is not.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from toolkit.collect import collect
from toolkit.collect.collection import Collection
from toolkit.collect.history import advance
from toolkit.collect.roster import Roster
from toolkit.format.spec import Spec


@contextmanager
def _collected(inbox: Path, year: int, spec: Spec, roster: Roster) -> Iterator[tuple[Collection, Path]]:
    with tempfile.TemporaryDirectory(prefix="toolkit-serve-") as tmp, \
            collect(inbox, year, spec=spec, roster=roster, workers=1, scratch=Path(tmp)) as coll:
        yield coll, Path(tmp)


def summary_xlsx(inbox: Path, year: int, spec: Spec, roster: Roster, deadline: str = "") -> bytes:
    from toolkit.outputs.summary import write_outputs

    with _collected(inbox, year, spec, roster) as (coll, tmp):
        out = tmp / "out"
        out.mkdir()
        write_outputs(coll, out, coll.report().to_dict(), history=advance(None, coll, dt.datetime.now()),
                      deadline=deadline)
        return (out / "summary.xlsx").read_bytes()


def reports_zip(inbox: Path, year: int, spec: Spec, roster: Roster, target: IO[bytes]) -> None:
    """Into ``target``: the DOCX report of every agency with no error, and 汇总.docx."""
    from toolkit.outputs.reports import write_reports

    with _collected(inbox, year, spec, roster) as (coll, tmp):
        paths = write_reports(coll, tmp / "reports", formats=("docx",), workers=1)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:  # DOCX files are compressed already
            for path in paths:
                zf.write(path, path.name)
