"""Run one command as a subprocess and measure it: wall time, CPU time, peak memory.

Peak memory is measured two ways, both including the pool workers the command forks:

* ``maxrss_mb``: the kernel's peak resident set of the largest single process in the tree
  (``os.wait4`` rusage of the child; Linux folds waited-for descendants into it as a max);
* ``peak_pss_mb`` / ``peak_rss_mb``: the largest *sum* over the live process tree, sampled
  from ``/proc/<pid>/smaps_rollup``. PSS divides pages shared between the parent and its
  forked workers among them, so its sum is the memory the run really occupies; the RSS sum
  counts shared pages once per process and overstates it. Reading smaps_rollup walks the
  process's pages (~3 ms for 130 MB here), so the sampler waits 20 times as long as its last
  sample took (at least 20 ms): it takes under 5% of one core, where a fixed 20 ms took a
  third of one of the two cores the measured run needs. A peak shorter than the interval
  (~50-200 ms) can be missed.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    argv: list[str]
    returncode: int
    wall_s: float
    cpu_s: float  # user + system of the command and every descendant it waited for
    maxrss_mb: float
    peak_rss_mb: float
    peak_pss_mb: float
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    """Child pids from /proc/<pid>/task/*/children (cheap; no scan of all of /proc)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            out.extend(int(x) for x in Path(f"/proc/{pid}/task/{tid}/children").read_text().split())
        except (OSError, ValueError):
            pass
    return out


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    """(Rss, Pss) in kB of one process, (0, 0) once it is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


class _Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            rss = pss = 0
            for p in _tree(self.pid):
                r, s = _memory_kb(p)
                rss, pss = rss + r, pss + s
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.stop.wait(max(self.interval, 20 * (time.perf_counter() - started)))


def run(argv: list[str], *, cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run ``argv`` to completion, measuring it (stdout/stderr captured to temp files)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
        sampler = _Sampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        return Run(argv, proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                   sampler.peak_rss / 1024, sampler.peak_pss / 1024,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))
