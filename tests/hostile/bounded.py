"""Run a hostile case in a forked child: its result, wall time and peak memory.

The child is forked from the test process (the toolkit already imported, so a case costs no
start-up); its peak resident set comes from ``os.wait4`` and, for the processes it started
(a pool's workers), from ``getrusage(RUSAGE_CHILDREN)`` inside it. A case that runs past its
timeout is killed: a hang is a failure, not a stuck suite. An address-space limit keeps a case
that regresses from taking the machine down with it.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import toolkit.cli  # noqa: E402,F401 -- imported once here, so each forked case starts warm
import toolkit.outputs.reports  # noqa: E402,F401
import toolkit.outputs.summary  # noqa: E402,F401
from toolkit.format.spec import load_spec  # noqa: E402

load_spec()

MEMORY_MB = 500  # peak resident set of a case, the test process's own pages included
SECONDS = 10.0  # a hang detector with room for a busy shared machine (most cases take well under a second)
_AS_LIMIT = 3 << 30  # bytes of address space a child may map


@dataclass
class Outcome:
    value: Any
    seconds: float
    peak_mb: float
    error: str = ""  # the child's traceback, if it raised


def bounded(fn: Callable[..., Any], *args: Any, timeout: float = 30.0) -> Outcome:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(r)
        code = 0
        try:
            resource.setrlimit(resource.RLIMIT_AS, (_AS_LIMIT, _AS_LIMIT))
            start = time.monotonic()
            try:
                value, error = fn(*args), ""
            except BaseException:  # noqa: BLE001 -- reported to the parent as text
                value, error = None, traceback.format_exc()
            took = time.monotonic() - start
            kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            with os.fdopen(w, "wb") as fh:
                pickle.dump((value, took, kids, error), fh)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    data = b""
    deadline = time.monotonic() + timeout
    with os.fdopen(r, "rb") as fh:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fh], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise AssertionError(f"the case ran past {timeout} s (a hang)")
            chunk = os.read(fh.fileno(), 1 << 20)
            if not chunk:
                break
            data += chunk
    _, _, usage = os.wait4(pid, 0)
    value, took, kids, error = pickle.loads(data)
    return Outcome(value, took, max(usage.ru_maxrss, kids) / 1024, error)


def ok(outcome: Outcome, seconds: float = SECONDS) -> Any:
    """The case's value, once it is known to have raised nothing, in time and memory."""
    assert not outcome.error, outcome.error
    assert outcome.seconds < seconds, f"{outcome.seconds:.1f} s"
    assert outcome.peak_mb < MEMORY_MB, f"{outcome.peak_mb:.0f} MB"
    return outcome.value


def cli(*args: str) -> tuple[int, str, str]:
    """``toolkit ARGS`` in this process (call it through ``bounded``): exit code, output, and
    the exception's type name if one escaped (a traceback)."""
    from typer.testing import CliRunner

    from toolkit.cli import app

    res = CliRunner().invoke(app, [str(a) for a in args])
    escaped = "" if res.exception is None or isinstance(res.exception, SystemExit) else repr(res.exception)
    return res.exit_code, res.output, escaped
