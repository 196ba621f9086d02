"""Output folder faults: OUT a file, read-only, its parent read-only, the disk full mid-write,
a second collect at once, stale work folders, kill -9 at random moments. OUT is always the old
complete set or the new complete set, and the message is clear (exit 2)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest
from faults import YEAR

from hostile.bounded import bounded, cli, ok
from hostile.make import with_value, workbook

SET = {"findings.json", "findings.csv", "data.json", "summary.xlsx", "reminders.csv", "history.json"}  # --no-docx, all clean


def _inbox(root: Path, ids: list[str], broken: tuple[str, ...] = ()) -> Path:
    box = root / f"inbox-{'-'.join(ids)}-{len(broken)}"
    box.mkdir(parents=True)
    for i in ids:
        (box / f"{i}.xlsx").write_bytes(with_value("D6", "nan") if i in broken else workbook(i))
    return box


def _run(inbox: Path, out: Path, *more: str):
    return cli("collect", inbox, "--year", str(YEAR), "-o", out, "--workers", "1", *more)


def _snapshot(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _failed(inbox: Path, out: Path, *words: str, prepare=None) -> str:
    def run():
        if prepare:
            prepare()
        return _run(inbox, out, "--no-docx")
    code, output, escaped = ok(bounded(run))
    flat = output.replace("\n", "")
    assert (code, escaped) == (2, ""), output
    for w in words:
        assert w in flat, output
    return flat


@pytest.fixture
def box(tmp_path: Path) -> Path:
    return _inbox(tmp_path, ["a1", "b2"])


def test_out_is_a_file(box, tmp_path):
    out = tmp_path / "out"
    out.write_text("mine")
    _failed(box, out, "不是文件夹")
    assert out.read_text() == "mine"


def test_out_is_a_link(box, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "elsewhere")
    _failed(box, tmp_path / "out", "不是文件夹")
    assert not list((tmp_path / "elsewhere").iterdir())


def test_out_holding_other_files_is_not_replaced(box, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    _failed(box, out, "不是本工具写入", "notes.txt")
    assert (out / "notes.txt").read_text() == "mine"


@pytest.fixture
def shared():
    """A folder the unprivileged user can use (pytest's are root's, 0700)."""
    root = Path(tempfile.mkdtemp(prefix="toolkit-hostile-", dir="/tmp"))
    root.chmod(0o777)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _as_nobody():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


@pytest.mark.parametrize("which", ["out", "parent"])
def test_out_read_only(shared, which):
    box = _inbox(shared, ["a1"])
    for p in box.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    parent = shared / "p"
    out = parent / "out"
    out.mkdir(parents=True)
    (out / "findings.json").write_text("{}")
    (parent if which == "parent" else out).chmod(0o555)
    _failed(box, out, "只读", str(out), prepare=_as_nobody)
    assert _snapshot(out) == {"findings.json": hashlib.sha256(b"{}").hexdigest()}


def _disk_full(limit: int):
    def prepare():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return prepare


@pytest.mark.parametrize("limit", [2_000, 40_000])
def test_disk_full_mid_write_keeps_the_old_set(box, tmp_path, limit):
    out = tmp_path / "out"
    first = ok(bounded(_run, box, out, "--no-docx"))
    assert first[0] in (0, 1), first
    before = _snapshot(out)
    bigger = _inbox(tmp_path, ["a1", "b2", "c3", "d4"])
    _failed(bigger, out, "磁盘空间不足", "保持上次的完整结果", prepare=_disk_full(limit))
    assert _snapshot(out) == before
    assert _leftovers(out) == []


def test_a_second_collect_at_once_is_refused(box, tmp_path):
    out = tmp_path / "out"
    fd = os.open(tmp_path / ".out.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        _failed(box, out, "另一个汇总正在写入")
    finally:
        os.close(fd)
    assert not out.exists()


def test_stale_work_folders_and_temp_files_are_cleaned(box, tmp_path):
    out = tmp_path / "out"
    ok(bounded(_run, box, out, "--no-docx"))
    stale = tmp_path / ".out.work-dead"
    (stale / "set").mkdir(parents=True)
    (stale / "toolkit-collect-x").mkdir()
    (stale / "toolkit-collect-x" / "w1.bin").write_bytes(b"x")
    (out / ".findings.json.abc.tmp").write_text("partial")
    code, output, escaped = ok(bounded(_run, box, out, "--no-docx"))
    assert code in (0, 1) and escaped == ""
    assert _leftovers(out) == [] and not list(out.glob(".*"))
    assert set(_snapshot(out)) == SET


def test_an_old_set_left_aside_by_a_killed_switch_is_put_back_then_replaced(box, tmp_path):
    out = tmp_path / "out"
    ok(bounded(_run, box, out, "--no-docx"))
    aside = tmp_path / ".out.work-dead" / "old"
    aside.parent.mkdir()
    out.rename(aside)
    code, output, escaped = ok(bounded(_run, box, out, "--no-docx"))
    assert code in (0, 1) and set(_snapshot(out)) == SET and _leftovers(out) == []


def test_a_report_of_an_agency_now_with_errors_does_not_survive(tmp_path):
    out = tmp_path / "out"
    ok(bounded(_run, _inbox(tmp_path, ["a1", "b2"]), out))
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["a1.docx", "b2.docx", "汇总.docx"]
    code, output, escaped = ok(bounded(_run, _inbox(tmp_path, ["a1", "b2"], broken=("b2",)), out))
    assert (code, escaped) == (1, "")
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["a1.docx", "汇总.docx"]


def _complete(out: Path, docx: bool = True) -> int:
    """The number of files in OUT's set, once OUT is seen to be one complete set."""
    files = _snapshot(out)
    assert SET <= set(files) and not [n for n in files if n.endswith(".tmp")], files
    report = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    data = json.loads((out / "data.json").read_text(encoding="utf-8"))
    n = report["stats"]["files"]
    assert len(data["agencies"]) == n
    assert sorted(n for n in files if n.startswith("reports/")) == (sorted(
        [f"reports/{a['agency_id']}.docx" for a in data["agencies"]] + ["reports/汇总.docx"]) if docx else [])
    return n


def test_kill_9_at_random_moments_leaves_one_complete_set(tmp_path):
    rng = random.Random(16)
    inboxes = [_inbox(tmp_path, ["a1", "b2"]), _inbox(tmp_path, ["a1", "b2", "c3"])]
    out = tmp_path / "out"
    start = time.monotonic()
    ok(bounded(_run, inboxes[1], out), 10)  # the longer of the two
    took = time.monotonic() - start
    ok(bounded(_run, inboxes[0], out), 10)
    assert _complete(out) == 2
    seen = set()
    for trial in range(24):
        n = 3 if trial % 2 == 0 else 2
        pid = os.fork()
        if pid == 0:
            try:
                _run(inboxes[n - 2], out)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, took * 1.5))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        seen.add(_complete(out))
    assert seen == {2, 3}  # some runs were killed before the switch, some after
    ok(bounded(_run, inboxes[0], out), 10)
    assert _complete(out) == 2 and _leftovers(out) == []
    assert not [p for p in tmp_path.rglob("toolkit-collect-*")]


def test_two_collects_into_one_out_at_once(tmp_path):
    """The first holds the lock until its set is switched in; the second is refused meanwhile."""
    import toolkit.outputs.summary as summary

    out = tmp_path / "out"
    first = _inbox(tmp_path, ["x1", "x2"])
    pid = os.fork()
    if pid == 0:
        try:
            write = summary.write_outputs

            def slow(*args, **kw):  # the first is still writing when the second starts
                time.sleep(1.5)
                return write(*args, **kw)
            summary.write_outputs = slow
            _run(first, out)
        finally:
            os._exit(0)
    lock = tmp_path / ".out.lock"
    deadline = time.monotonic() + 10
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    code, output, escaped = ok(bounded(_run, _inbox(tmp_path, ["a1"]), out, "--no-docx"))
    os.waitpid(pid, 0)
    assert (code, escaped) == (2, "") and "另一个汇总正在写入" in output.replace("\n", ""), output
    assert _complete(out) == 2 and _leftovers(out) == []


def test_check_of_a_non_utf8_file_name(tmp_path):
    path = os.fsencode(str(tmp_path)) + b"/\xff\xfe.xlsx"
    with open(path, "wb") as fh:
        fh.write(b"junk")
    code, output, escaped = ok(bounded(cli, "check", os.fsdecode(path), "--json"))
    assert (code, escaped) == (1, "")
    assert json.loads(output)["submissions"][0]["file"] == "\\xff\\xfe.xlsx"
