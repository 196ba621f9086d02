"""Both cores for independent per-file work, results in the input's order.

Workers get everything through their arguments and initializer (never through globals inherited
from a fork), so the pool runs with any start method: ``fork`` where it is the default (Linux),
``spawn`` on Windows. ``TOOLKIT_START_METHOD=spawn`` picks one (tests use it to stand in for Windows).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

START_METHOD_ENV = "TOOLKIT_START_METHOD"


def default_workers() -> int:
    return min(2, os.cpu_count() or 1)


def ordered_map(fn: Callable[[T], R], items: list[T], *, workers: int | None = None, min_items: int = 8,
                max_chunk: int = 64, initializer: Callable[..., Any] | None = None,
                initargs: tuple = ()) -> Iterator[R]:
    """``fn`` over ``items`` in order: in this process for few items or one worker, else on a
    process pool (``initializer(*initargs)`` runs once per process, here too when in-process).
    The results come back in the items' order whatever the number of workers, so outputs built
    from them do not depend on it."""
    workers = workers or default_workers()
    if workers <= 1 or len(items) < min_items:
        if initializer:
            initializer(*initargs)
        yield from map(fn, items)
        return
    chunk = max(1, min(max_chunk, len(items) // (workers * 8) or 1))
    context = start_context()
    with frozen_heap(context.get_start_method() == "fork"), \
            ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs) as pool:
        yield from pool.map(fn, items, chunksize=chunk)


def start_context() -> multiprocessing.context.BaseContext:
    """The platform's default start method, or the one ``TOOLKIT_START_METHOD`` names."""
    return multiprocessing.get_context(os.environ.get(START_METHOD_ENV) or None)


@contextmanager
def frozen_heap(forking: bool = True) -> Iterator[None]:
    """Forked workers share this process's memory until they write to it, and a garbage
    collection in a worker writes to every object it walks: frozen objects are not walked
    (gc.freeze), so they stay shared instead of being copied into each worker. Spawned
    workers share nothing: no freeze."""
    if not forking:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def consume(results: Iterable[R], progress: Callable[[R], None] | None = None) -> list[R]:
    out = []
    for r in results:
        out.append(r)
        if progress:
            progress(r)
    return out
