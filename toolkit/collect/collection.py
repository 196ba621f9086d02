"""Collect a folder (or zip) of returned workbooks: check each, match against the roster,
name who is missing and which duplicate was used, and aggregate.

Both cores are used: workbooks are checked in a process pool and the results are merged in
a stable order (sorted file names), so the outputs do not depend on the number of workers.
"""

from __future__ import annotations

import os
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from toolkit import catalogue
from toolkit.check import rules
from toolkit.check.workbook import Result, check_bytes
from toolkit.collect.attribution import replaced_files
from toolkit.collect.roster import Roster
from toolkit.collect.store import StoreWriter, SubmissionStore, Where
from toolkit.format.spec import Spec, load_spec
from toolkit.model import Agency, Filled, Finding, Report, count, status_of
from toolkit.outputs import records
from toolkit.pool import ordered_map
from toolkit.xlsx import ZIP_ERRORS, zipdir
from toolkit.xlsx import package as screen

# Archives sent as one submission batch are read in memory, never extracted.
ARCHIVE_MAX_MEMBERS = 20_000
ARCHIVE_MAX_MEMBER_BYTES = 50 * 1024 * 1024
ARCHIVE_BYTES = 4 * 1024**3  # 10,000 workbooks are ~300 MB
ARCHIVE_MAX_ENTRIES = 5 * ARCHIVE_MAX_MEMBERS  # directory entries (folders, skipped files) read at all
# zipfile reads these, each member to its declared size at most; others are refused by name.
ARCHIVE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})
_IGNORED_PREFIXES = ("~$", ".~lock", ".")  # Office lock files, hidden files
_IGNORED_NAMES = {"thumbs.db", "desktop.ini"}


class CollectError(Exception):
    """The collection as a whole cannot run (unreadable inbox): exit code 2."""


@dataclass(frozen=True, slots=True)  # thousands are kept by a collection
class Source:
    """One submitted file: a path, or a member of a zip archive under the inbox (by its index
    in the archive's directory: two members may have one name). ``refused`` is the finding of
    an entry that is not read at all (a FIFO, a link leaving the inbox, an encrypted member)."""

    name: str  # as shown to people: relative path, or "batch.zip/dir/file.xlsx"
    path: str
    member: int | None = None
    refused: Finding | None = None
    notes: tuple[Finding, ...] = ()  # findings about the entry that do not stop its reading

    def read(self) -> bytes:
        """The bytes, at most the screening's size limit (a larger file says so as Refused)."""
        if self.member is None:
            return screen.read_file(self.path)
        zf = _archive(self.path)
        info = zf.infolist()[self.member]
        with zf.open(info) as fh:  # inflated to its declared size at most (checked in discover)
            return fh.read(ARCHIVE_MAX_MEMBER_BYTES + 1)


_OPEN: dict[str, zipfile.ZipFile] = {}  # the archive a worker is reading: its members come in a row


def _archive(path: str) -> zipfile.ZipFile:
    """The archive opened once for all its members (opened per member, 25,000 members would
    read its directory 25,000 times)."""
    zf = _OPEN.get(path)
    if zf is None:
        for old in _OPEN.values():
            old.close()
        _OPEN.clear()
        zf = _OPEN[path] = zipfile.ZipFile(path)
    return zf


@dataclass
class Collection:
    """The outcome of one collection: per-file results plus collection-level findings. Close it
    (or use it in ``with``) when done: its store's temporary folder goes."""

    year: int
    spec: Spec
    results: list[Result]
    roster: Roster | None
    findings: list[Finding] = field(default_factory=list)  # roster/duplicate/archive problems
    used: dict[str, Result] = field(default_factory=dict)  # agency id -> the submission used
    missing: list[Agency] = field(default_factory=list)
    # The figures and narratives of every readable file, out of memory (results keep filled=None).
    store: SubmissionStore = field(default_factory=SubmissionStore)

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Remove the store's temporary folder: the files' figures can no longer be read."""
        self.store.close()

    def readable(self, r: Result) -> bool:
        return r.file in self.store

    def filled(self, r: Result) -> Filled:
        return self.store.filled(r.file)

    def cell_values(self, r: Result) -> list:
        """Every cell's value in spec.cells order (blank inputs as 0, totals recomputed),
        computed in the workers so the summary need not recompute."""
        return self.store.values(r.file)

    def data_body(self, r: Result) -> bytes:
        """data.json's values and narratives of the file, encoded in a worker (toolkit.outputs.records), UTF-8."""
        return self.store.body(r.file)

    def data_cells(self, r: Result) -> bytes:
        """The 数据 sheet's number cells of the file, made in a worker (toolkit.outputs.records), UTF-8."""
        return self.store.cells(r.file)

    @property
    def all_findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings] + self.findings

    @property
    def valid(self) -> bool:
        return count(self.all_findings, "error") == 0

    def included(self) -> list[Result]:
        """Submissions that go into the aggregate: used, and without error-level findings."""
        return [r for r in self.used.values() if self.readable(r) and self._errors(r) == 0]

    def excluded(self) -> list[tuple[str, str]]:
        """(agency id or file, reason) for every agency or file left out of the aggregate."""
        out: list[tuple[str, str]] = []
        for agency_id, r in sorted(self.used.items()):
            if not self.readable(r) or self._errors(r):
                out.append((agency_id, f"{r.agency or ''}：{r.file} 有 {self._errors(r)} 个错误"))
        for a in self.missing:
            out.append((a.id, f"{a.name}：未报送"))
        return out

    def _mine(self, r: Result) -> list[Finding]:
        """The file's findings plus the collection's findings about it."""
        self._index()
        return r.findings + self._by_file.get(r.file, [])

    def _index(self) -> None:
        if getattr(self, "_indexed", -1) != len(self.findings):  # findings only grow
            self._by_file: dict[str, list[Finding]] = {}
            for f in self.findings:
                self._by_file.setdefault(f.file, []).append(f)
            self._indexed = len(self.findings)
            self._status: dict[str, tuple[int, str]] = {}

    def _errors(self, r: Result) -> int:
        return self._verdict(r)[0]

    def status(self, r: Result) -> str:
        return self._verdict(r)[1]

    def _verdict(self, r: Result) -> tuple[int, str]:
        """(errors, status) of a file, remembered until the collection's findings change."""
        self._index()
        known = self._status.get(r.file)
        if known is None:
            found = self._mine(r)
            known = self._status[r.file] = (count(found, "error"), status_of(found, r.status == "rejected"))
        return known

    def report(self) -> Report:
        """The collection's report: every file's findings listed, those of replaced files
        (toolkit.collect.attribution) never counted in the stats and the verdict."""
        replaced = replaced_files(self)
        submissions = [
            {
                "file": r.file,
                "agency_id": r.agency_id,
                "agency": r.agency,
                "year": r.year,
                "status": self.status(r),
                "sha256": r.sha256,
                "used": r.agency_id is not None and self.used.get(r.agency_id) is r,
                "replaced": r.file in replaced,
            }
            for r in self.results
        ]
        found = self.all_findings
        report = Report.of({"id": self.spec.id, "version": self.spec.version}, submissions,
                           [f for f in found if f.file not in replaced], year=self.year, missing=self.missing)
        report.findings = found
        return report

    def to_dict(self) -> dict[str, Any]:
        return self.report().to_dict()


# --- discovery -------------------------------------------------------------------------------


def discover(inbox: Path) -> list[Source]:
    """Every submitted file under ``inbox`` (recursively; zip archives opened in memory). Links
    are followed only to files inside the inbox; folders that are links are not entered."""
    inbox = Path(inbox)
    if inbox.is_file() and inbox.suffix.lower() == ".zip":
        return sorted(_archive_members(str(inbox), inbox.name), key=lambda s: s.name)
    if not inbox.is_dir():
        raise CollectError(f"找不到收件目录 {screen.display_name(str(inbox))}（应为文件夹或 .zip 文件）。")
    top = inbox.resolve()
    sources: list[Source] = []
    try:
        for root, dirs, files in os.walk(inbox):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            folder = Path(root).relative_to(inbox).as_posix()  # once per folder: "." at the top
            for name in files:
                if _ignored(name):
                    continue
                path = os.path.join(root, name)
                rel = screen.display_name(name if folder == "." else f"{folder}/{name}")
                refused = _outside(path, top, rel)
                if refused is not None:
                    sources.append(Source(rel, path, refused=refused))
                elif name.lower().endswith(".zip"):
                    sources.extend(_archive_members(path, rel))
                else:
                    sources.append(Source(rel, path))
    except OSError as e:
        raise CollectError(f"无法读取收件目录 {screen.display_name(str(inbox))}：{e}") from e
    return sorted(sources, key=lambda s: s.name)


def _outside(path: str, top: Path, rel: str) -> Finding | None:
    """The finding of a link that leads out of the inbox (to /dev/zero, /etc/passwd, ...)."""
    if not os.path.islink(path):
        return None
    target = Path(os.path.realpath(path))
    if target.is_relative_to(top):
        return None
    return catalogue.finding("link_outside", file=rel, target=screen.display_name(str(target)))


def _ignored(name: str) -> bool:
    return name.startswith(_IGNORED_PREFIXES) or name.lower() in _IGNORED_NAMES


def _archive_members(path: str, rel: str) -> list[Source]:
    """The members of an archive in the inbox, each to be read by its index; those that cannot
    be read (encrypted, an unknown method, past the size or count limit) come with the finding
    that says so, and members sharing a name are each read and each told about the other."""
    try:
        screen.regular(path, ARCHIVE_BYTES)
        declared = zipdir.entries_declared(path)
        if declared > ARCHIVE_MAX_ENTRIES:  # its directory alone would take zipfile seconds and gigabytes
            detail = f"目录中声明了 {declared} 个成员，远超上限 {ARCHIVE_MAX_MEMBERS}，整个压缩包未读取。"
            return [Source(rel, path, refused=catalogue.finding("archive_limits", file=rel, detail=detail))]
        with zipfile.ZipFile(path) as zf:  # its directory only
            infos = zf.infolist()
    except screen.Refused as e:
        return [Source(rel, path, refused=e.finding(rel))]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # Not an archive after all: hand it to the checker, which names the problem.
        return [Source(rel, path)]
    wanted = [(i, info) for i, info in enumerate(infos) if not info.is_dir() and not _skipped(info.filename)]
    sources = []
    if len(wanted) > ARCHIVE_MAX_MEMBERS:
        detail = (f"共有 {len(wanted)} 个文件，超过上限 {ARCHIVE_MAX_MEMBERS}；"
                  f"从“{wanted[ARCHIVE_MAX_MEMBERS][1].filename}”起的 {len(wanted) - ARCHIVE_MAX_MEMBERS} 个未读取。")
        sources.append(Source(rel, path, refused=catalogue.finding("archive_limits", file=rel, detail=detail)))
        wanted = wanted[:ARCHIVE_MAX_MEMBERS]
    same: dict[str, list[int]] = {}
    for i, info in wanted:
        same.setdefault(info.filename, []).append(i)
    for i, info in wanted:
        twins = same[info.filename]
        name = f"{rel}/{info.filename}"
        notes: tuple[Finding, ...] = ()
        if len(twins) > 1:
            k = twins.index(i) + 1
            name = name if k == 1 else f"{name}（同名第{k}个）"
            notes = (catalogue.finding("archive_duplicate_name", file=name, count=len(twins),
                                       member=info.filename, index=k),)
        sources.append(Source(name, path, i, _member_refused(info, name), notes))
    return sources


def _skipped(filename: str) -> bool:
    return _ignored(filename.rsplit("/", 1)[-1]) or filename.startswith("__MACOSX/")


def _member_refused(info: zipfile.ZipInfo, name: str) -> Finding | None:
    problem = screen.method_problem([info], ARCHIVE_METHODS)
    if problem:
        return catalogue.finding("zip_unsupported", file=name, **problem)
    if info.file_size > ARCHIVE_MAX_MEMBER_BYTES:
        return catalogue.finding("file_too_large", file=name, actual=info.file_size, expected=ARCHIVE_MAX_MEMBER_BYTES,
                                 detail=f"解压后 {info.file_size / 1048576:.0f} MB，超过上限 "
                                        f"{ARCHIVE_MAX_MEMBER_BYTES // 1048576} MB。")
    return None


# --- checking ----------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(edition: str, year: int, previous: dict[str, Filled], store_dir: str) -> None:
    old = _WORKER.get("store")
    if old is not None:  # an earlier in-process collection's writer
        old.close()
    _WORKER.update(spec=load_spec(edition), year=year, previous=previous, store=StoreWriter(store_dir))


Checked = tuple[Result, Where | None]  # a result and where its record is (None when unread)


def _check_source(src: Source) -> Checked:
    spec, year, previous = _WORKER["spec"], _WORKER["year"], _WORKER["previous"]
    if src.refused is not None:
        return Result(src.name, "", "rejected", [src.refused], None), None
    try:
        data = src.read()
    except screen.Refused as e:
        return Result(src.name, "", "rejected", [e.finding(src.name)], None), None
    except (*ZIP_ERRORS, KeyError, IndexError) as e:  # type: ignore[misc]  # a starred tuple
        return Result.unreadable(src.name, f"无法读取文件：{e}"), None
    result = check_bytes(data, src.name, spec, year=year)
    if src.notes:
        result = result.with_findings([replace(f, agency_id=result.agency_id or "") for f in src.notes])
    filled = result.filled
    if filled is None:
        return result, None
    prev = previous.get(result.agency_id or "")
    if prev is not None:
        result = result.with_findings(rules.cross_year(spec, filled, prev, file=src.name,
                                                       agency_id=result.agency_id or ""))
    # As the checks saw them: text typed into a number cell (an error finding already) counts as 0.
    full = result.recomputed
    assert full is not None  # a readable result always carries its recomputed values
    values = [full[c.code] for c in spec.cells]
    where = _WORKER["store"].put(filled, values, records.data_body(filled), records.data_cells(spec, values))
    return replace(result, filled=None, recomputed=None), where


def check_all(sources: list[Source], spec: Spec, year: int, previous: dict[str, Filled],
              store: SubmissionStore, workers: int | None = None,
              progress: Callable[[Result], None] | None = None) -> list[Result]:
    """Check every source, in the sources' order, on ``workers`` processes (1: in this process).
    Readable files' data go to ``store``; the returned results keep only findings and identity."""
    def keep(checked: Checked) -> Result:
        result, where = checked
        # The same few values arrive as new objects with every result: keep one of each.
        result.template = same.setdefault(tuple(result.template.items()), result.template)
        result.application, result.status = sys.intern(result.application), sys.intern(result.status)
        if where is not None:
            store.add(result.file, (sys.intern(where[0]), where[1]))
        if progress:
            progress(result)
        return result

    same: dict[tuple, dict] = {}
    results = ordered_map(_check_source, sources, workers=workers, min_items=4,
                          initializer=_init_worker, initargs=(spec.id, year, previous, store.directory))
    try:
        return [keep(c) for c in results]
    finally:
        if _WORKER.get("store") is not None:  # checked in this process: its writer is done
            _WORKER.pop("store").close()
        for zf in _OPEN.values():
            zf.close()
        _OPEN.clear()


# --- the collection -----------------------------------------------------------------------------


def collect(inbox: Path, year: int, *, spec: Spec | None = None, roster: Roster | None = None,
            previous: dict[str, Filled] | None = None, workers: int | None = None,
            progress: Callable[[Result], None] | None = None,
            on_sources: Callable[[int], None] | None = None, scratch: Path | None = None) -> Collection:
    """``scratch``: the folder for the submission store's folder (default: the temp dir)."""
    spec = spec or load_spec()
    sources = discover(inbox)
    if on_sources:
        on_sources(len(sources))
    store = SubmissionStore(None if scratch is None else str(scratch))
    try:
        results = check_all(sources, spec, year, previous or {}, store, workers, progress)
    except BaseException:
        store.close()
        raise
    coll = Collection(year=year, spec=spec, results=results, roster=roster, store=store)
    _match(coll)
    return coll


def _match(coll: Collection) -> None:
    """Roster matching: unknown agencies, duplicates (which one is used and why), missing."""
    by_agency: dict[str, list[Result]] = {}
    for r in coll.results:
        if r.agency_id and coll.readable(r):
            by_agency.setdefault(r.agency_id, []).append(r)
    known = coll.roster.by_id() if coll.roster else None
    for agency_id, rs in sorted(by_agency.items()):
        if known is not None and agency_id not in known:
            for r in rs:
                coll.findings.append(catalogue.finding(
                    "agency_unknown", file=r.file, agency_id=agency_id, sheet=coll.spec.cover_sheet,
                    cell=coll.spec.cover_field(coll.spec.cover_code("agency")).address, actual=f"{agency_id} {r.agency or ''}",
                    agency=r.agency or ""))
            continue
        chosen, reason = _choose(rs)
        coll.used[agency_id] = chosen
        if len(rs) > 1:
            others = "、".join(r.file for r in rs if r is not chosen)
            for r in rs:
                coll.findings.append(catalogue.finding(
                    "agency_duplicate", file=r.file, agency_id=agency_id, sheet="", cell="",
                    expected=chosen.file, actual=r.file,
                    agency=chosen.agency or "", count=len(rs), chosen=chosen.file, reason=reason, others=others))
    if coll.roster:
        coll.missing = [a for a in coll.roster.agencies if a.id not in coll.used]


def _choose(rs: list[Result], now: datetime | None = None) -> tuple[Result, str]:
    """Of several files for one agency: fewest errors, then the latest save, then the last name.
    A save date in the future is not believed (anyone can stamp 2099 into a file's properties):
    such a file counts as undated, and the reason says so."""
    if len(rs) == 1:
        return rs[0], ""
    now = now or datetime.now(UTC)
    dated = {r.file: _believed(r.saved_at, now) for r in rs}

    def key(r: Result):
        return (-count(r.findings, "error"), dated[r.file], r.file)
    best = max(rs, key=key)
    errs = {count(r.findings, "error") for r in rs}
    if len(errs) > 1:
        reason = "错误最少"
    elif len(set(dated.values())) > 1 and dated[best.file]:
        reason = f"保存时间最晚（{best.saved_at}）"
    else:
        reason = "文件名排序最后"
    future = [r for r in rs if r.saved_at and not dated[r.file]]
    if future:
        reason += "；" + "、".join(f"{r.file} 的保存时间 {r.saved_at} 晚于当前时间或无法识别，不予采信" for r in future)
    return best, reason


def _believed(saved_at: str, now: datetime) -> str:
    """``saved_at`` (W3CDTF) if it is a date not after ``now`` (a day's leeway for clocks and
    time zones), else ""."""
    if not saved_at:
        return ""
    try:
        when = datetime.fromisoformat(saved_at.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return saved_at if when <= now + timedelta(days=1) else ""
