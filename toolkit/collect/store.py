"""Where a collection keeps each readable submission's heavy data, out of memory: its figures,
narratives and cell values, and the pieces of the data outputs made from them
(toolkit.outputs.records).

A ``SubmissionStore`` owns a temporary folder. The process that checks a file appends its
record to a file of its own there (a ``StoreWriter``), so neither the data nor its pickling pass
through the main process; the main process notes where each record is (``add``) and reads
records back by key, each piece on its own. Closing the store (or leaving its ``with`` block,
or dropping it) closes its files and removes the folder.

A record: the lengths of its four pieces, then the pieces -- cell values (pickled), data.json
body and 数据 row cells (UTF-8, toolkit.outputs.records), the Filled (pickled).
"""

from __future__ import annotations

import os
import pickle
import struct
import tempfile
import weakref
from collections.abc import Sequence
from typing import overload

from toolkit.model import Filled

Where = tuple[str, int]  # a record's store file and offset

_HEAD = struct.Struct("<4I")
_VALUES, _BODY, _CELLS, _FILLED = range(4)
_READ = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # Windows opens in text mode without O_BINARY


class SubmissionStore:
    """Records by key (a submission's file name), in a temporary folder of their own."""

    def __init__(self, parent: str | None = None) -> None:  # parent: where its folder goes (default: the temp dir)
        self._dir = tempfile.TemporaryDirectory(prefix="toolkit-collect-", dir=parent)
        self.directory = self._dir.name  # for the writers, in whichever process they run
        self._at: dict[str, Where] = {}
        self._fds: dict[str, int] = {}
        self._close = weakref.finalize(self, _close, self._fds, self._dir)

    def __enter__(self) -> SubmissionStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the store's files and remove its folder (once; later reads fail)."""
        self._close()

    def add(self, key: str, where: Where) -> None:
        """Note where a writer put the record of ``key``."""
        self._at[key] = where

    def __contains__(self, key: str) -> bool:
        return key in self._at

    def where(self, key: str) -> Where:
        """Where the record is, for another process to read it (``read_filled``)."""
        return self._at[key]

    def filled(self, key: str) -> Filled:
        return pickle.loads(self._piece(key, _FILLED))

    def values(self, key: str) -> list:
        return pickle.loads(self._piece(key, _VALUES))

    def body(self, key: str) -> bytes:
        return self._piece(key, _BODY)

    def cells(self, key: str) -> bytes:
        return self._piece(key, _CELLS)

    def filled_each(self, keys: Sequence[str]) -> Sequence[Filled]:
        """The Filled of ``keys``, each read when it is indexed (never all in memory at once)."""
        return _FilledEach(self, keys)

    def _piece(self, key: str, i: int) -> bytes:
        path, offset = self._at[key]
        fd = self._fds.get(path)
        if fd is None:
            fd = self._fds[path] = os.open(path, _READ)
        return _piece(fd, offset, i)


def _close(fds: dict[str, int], directory: tempfile.TemporaryDirectory) -> None:
    for fd in fds.values():
        os.close(fd)
    fds.clear()
    directory.cleanup()


def _piece(fd: int, offset: int, i: int) -> bytes:
    # lseek + read, not os.pread: Windows has no pread (reads come from one thread).
    os.lseek(fd, offset, os.SEEK_SET)
    sizes = _HEAD.unpack(os.read(fd, _HEAD.size))
    os.lseek(fd, offset + _HEAD.size + sum(sizes[:i]), os.SEEK_SET)
    return os.read(fd, sizes[i])


def read_filled(where: Where) -> Filled:
    """The Filled of the record at ``where`` (for a process of its own, without the store)."""
    fd = os.open(where[0], _READ)
    try:
        return pickle.loads(_piece(fd, where[1], _FILLED))
    finally:
        os.close(fd)


class StoreWriter:
    """Appends records to one file of a store's ``directory`` (one writer per process)."""

    def __init__(self, directory: str):
        fd, self.path = tempfile.mkstemp(prefix=f"{os.getpid()}-", suffix=".spool", dir=directory)
        self._fh = os.fdopen(fd, "wb", buffering=0)  # each record one write: nothing left in a buffer
        self._size = 0

    def put(self, filled: Filled, values: list, body: str, cells: str) -> Where:
        pieces = (pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL), body.encode("utf-8"),
                  cells.encode("utf-8"), pickle.dumps(filled, protocol=pickle.HIGHEST_PROTOCOL))
        data = _HEAD.pack(*map(len, pieces)) + b"".join(pieces)
        offset = self._size
        self._fh.write(data)
        self._size += len(data)
        return self.path, offset

    def close(self) -> None:
        self._fh.close()


class _FilledEach(Sequence[Filled]):
    def __init__(self, store: SubmissionStore, keys: Sequence[str]):
        self._store, self._keys = store, keys

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, i: int) -> Filled: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Filled]: ...

    def __getitem__(self, i):
        if isinstance(i, slice):
            return _FilledEach(self._store, self._keys[i])
        return self._store.filled(self._keys[i])
