"""The output folder of a collection, replaced as a whole or not at all.

The new set of outputs is written into a fresh work folder beside OUT (``.OUT.work-*``, on the
same file system), and switched in when it is complete: one ``renameat2(RENAME_EXCHANGE)``
where the system has it (OUT is then at every moment the old set or the new one), else two
renames (OUT moved aside, the new set moved in; a run killed between them leaves the old set
aside, and the next run puts it back). A report of an agency that now has errors cannot
survive from the previous run: nothing of the previous set is kept.

A lock (``flock`` on ``.OUT.lock`` beside OUT, released by the system if the process dies)
keeps a second collection out while one runs; the next run, holding the lock, removes what a
killed run left (work folders with their partial sets and submission stores, ``.tmp`` files).

OUT must be a folder of outputs only (or not exist yet): replacing it whole would otherwise
delete the coordinator's own files, so a folder holding anything else is refused.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Everything a collection writes into OUT (a new output needs its name here, or a second run refuses OUT).
OURS = frozenset({"findings.json", "findings.csv", "data.json", "summary.xlsx", "reminders.csv", "history.json",
                  "feedback", "reports", "site"})


class OutputError(Exception):
    """OUT cannot be written; the message (Chinese) says why and what to do (exit code 2)."""


@dataclass(frozen=True)
class Work:
    """Where a run writes: ``set`` becomes OUT when complete; ``scratch`` for temporary data."""

    set: Path
    scratch: Path


@contextlib.contextmanager
def output_set(out: Path) -> Iterator[Work]:
    """Lock OUT, clean what a killed run left, give a fresh work folder; when the block ends
    without error, switch the new set in. Any OSError is an OutputError with a clear message."""
    out = Path(out)
    _check(out)
    with _locked(out):
        try:
            _recover(out)
            work = Path(tempfile.mkdtemp(prefix=f".{out.name}.work-", dir=out.parent))
        except OSError as e:
            raise OutputError(_os_message(out, e)) from None
        try:
            new = work / "set"
            new.mkdir()
            yield Work(new, work)
            _switch(new, out, work)
        except OSError as e:
            raise OutputError(_os_message(out, e)) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _check(out: Path) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"输出目录 {out} 已存在，但不是文件夹（是文件或链接）。请另选一个输出目录。")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(_os_message(out, e)) from None
    if not os.access(out.parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK | os.X_OK)):
        raise OutputError(f"没有写入输出目录 {out} 的权限（只读）。请另选一个可写的输出目录，或修改其权限后重试。")
    if out.exists():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in OURS and not _stale_tmp(p.name))
        if foreign:
            shown = "、".join(foreign[:3]) + (f" 等 {len(foreign)} 项" if len(foreign) > 3 else "")
            raise OutputError(f"输出目录 {out} 中有不是本工具写入的内容（{shown}）。汇总会整体替换输出目录，"
                              "为免删除这些内容，请另选一个新的或空的输出目录。")


def _stale_tmp(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")  # an atomic write's temp file (toolkit.outputs.atomic)


def _os_message(out: Path, e: OSError) -> str:
    if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        why = "磁盘空间不足"
    elif e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "没有写入权限（只读）"
    else:
        why = e.strerror or str(e)
    return f"无法写入输出目录 {out}：{why}。输出目录保持上次的完整结果未变；请处理后重新运行。"


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    lock = out.parent / f".{out.name}.lock"
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as e:
            raise OutputError(_os_message(out, e)) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(f"另一个汇总正在写入输出目录 {out}。请等它结束后再运行，或另选一个输出目录。") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the file was removed by the run that held it: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)  # before the lock goes, so that a waiter sees the file is gone
        os.close(fd)


def _recover(out: Path) -> None:
    """Undo what a killed run left: an old set moved aside and not back, work folders, temp files."""
    works = sorted(out.parent.glob(f".{out.name}.work-*"))
    if not out.exists():
        for w in works:
            if (w / "old").is_dir():
                os.rename(w / "old", out)
                break
    for w in works:
        shutil.rmtree(w, ignore_errors=True)
    if out.is_dir():
        for p in out.iterdir():
            if _stale_tmp(p.name):
                p.unlink(missing_ok=True)


def _switch(new: Path, out: Path, work: Path) -> None:
    if not out.exists():
        os.rename(new, out)
    elif not _exchange(new, out):
        os.rename(out, work / "old")
        os.rename(new, out)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2
_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))
