"""LibreOffice headless as the clerk's spreadsheet program, driven from the venv.

``python3-uno`` only imports under the system interpreter, so the UNO work happens in
``office_worker.py`` run by ``/usr/bin/python3``; this client talks to it over JSON lines.
One ``Office`` keeps one soffice running for many workbooks::

    with Office() as office:
        office.fill(src, dst, {("表三申请处理", "D6"): 5, ("文字部分", "A5"): "第一段\\n第二段"})
        office.fill(src, dst2, {...}, recalc=False)          # only dependent formulas update
        office.edit(src, dst3, [delete_rows("表三申请处理", 10)])
        office.convert(dst, "pdf", outdir)

Every request has a timeout; a LibreOffice that hangs or dies is ended and reported as
``OfficeError``, and the next request starts a fresh one.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from toolkit.template.workbook import DEFAULT_PASSWORD

SYSTEM_PYTHON = "/usr/bin/python3"
WORKER = Path(__file__).with_name("worker.py")
START_TIMEOUT = 90.0
REQUEST_TIMEOUT = 120.0

CellKey = tuple[str, str]  # (sheet name, A1 address)


class OfficeError(RuntimeError):
    """LibreOffice could not be started, did not answer in time, or failed a request."""


@dataclass(frozen=True)
class Formula:
    """A formula to set into a cell (e.g. ``Formula("=SUM(D6:I6)")``); plain strings are text."""

    text: str


# --- availability --------------------------------------------------------------------------------


def soffice_binary() -> str | None:
    return os.environ.get("TOOLKIT_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


@lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """Why LibreOffice cannot be driven here, or None when it can."""
    if not soffice_binary():
        return "soffice not found on PATH (apt-get install libreoffice-calc-nogui)"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found"
    try:
        probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{SYSTEM_PYTHON} could not be run: {e}"
    if probe.returncode:
        return f"{SYSTEM_PYTHON} cannot import uno (apt-get install python3-uno): {probe.stderr.strip()[-200:]}"
    return None


def available() -> bool:
    """Whether LibreOffice and python3-uno can run here."""
    return unavailable_reason() is None


# --- actions ------------------------------------------------------------------------------------
# Plain dicts the worker applies in order. Structural changes on a protected sheet need its
# password: given one, the worker lifts the protection for the change and puts it back.


def set_cells(cells: Mapping[CellKey, Any]) -> list[dict]:
    """Set cells: numbers as numbers, str as text (never parsed), ``Formula`` as a formula,
    None clears the cell."""
    return [{"do": "set", "sheet": sheet, "cell": ref, "value": _wire(value)}
            for (sheet, ref), value in cells.items()]


def insert_rows(sheet: str, before: int, count: int = 1, password: str | None = DEFAULT_PASSWORD) -> dict:
    """Insert ``count`` rows before 1-based sheet row ``before``."""
    return {"do": "insert_rows", "sheet": sheet, "index": before - 1, "count": count, "password": password}


def delete_rows(sheet: str, row: int, count: int = 1, password: str | None = DEFAULT_PASSWORD) -> dict:
    """Delete ``count`` rows starting at 1-based sheet row ``row``."""
    return {"do": "delete_rows", "sheet": sheet, "index": row - 1, "count": count, "password": password}


def insert_columns(sheet: str, before: int, count: int = 1, password: str | None = DEFAULT_PASSWORD) -> dict:
    """Insert ``count`` columns before 0-based column ``before`` (0 = A)."""
    return {"do": "insert_columns", "sheet": sheet, "index": before, "count": count, "password": password}


def delete_columns(sheet: str, col: int, count: int = 1, password: str | None = DEFAULT_PASSWORD) -> dict:
    """Delete ``count`` columns starting at 0-based column ``col`` (0 = A)."""
    return {"do": "delete_columns", "sheet": sheet, "index": col, "count": count, "password": password}


def remove_sheet(sheet: str, password: str | None = DEFAULT_PASSWORD) -> dict:
    return {"do": "remove_sheet", "sheet": sheet, "password": password}


def rename_sheet(sheet: str, new_name: str, password: str | None = DEFAULT_PASSWORD) -> dict:
    return {"do": "rename_sheet", "sheet": sheet, "name": new_name, "password": password}


def unprotect(sheet: str | None = None, password: str = DEFAULT_PASSWORD) -> dict:
    """Lift a sheet's protection (``sheet=None``: the workbook structure), as a clerk who
    knows the password would; the change is saved with the file."""
    return {"do": "unprotect", "sheet": sheet, "password": password}


def protect(sheet: str | None = None, password: str = DEFAULT_PASSWORD) -> dict:
    return {"do": "protect", "sheet": sheet, "password": password}


def autocalc(on: bool) -> dict:
    """Switch automatic calculation (a clerk on manual calculation: cells typed afterwards do
    not update the totals, whose cached results go stale). LibreOffice 7.4 does not save the
    setting itself into xlsx (no calcMode="manual")."""
    return {"do": "autocalc", "on": on}


def _wire(value: Any) -> Any:
    if isinstance(value, Formula):
        return {"formula": value.text}
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        # Decimal and friends: a spreadsheet stores a double anyway.
        try:
            return float(value)
        except (TypeError, ValueError):
            raise TypeError(f"cannot put {value!r} into a cell") from None
    return value


# --- the client ---------------------------------------------------------------------------------


class Office:
    """One LibreOffice (through one worker process) for many requests; a context manager."""

    def __init__(self, timeout: float = REQUEST_TIMEOUT, start_timeout: float = START_TIMEOUT) -> None:
        self.timeout = timeout
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._soffice_pid: int | None = None
        self._log: Any = None
        self._workdir: str | None = None

    # lifecycle
    def __enter__(self) -> Office:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self._proc is not None:
            return
        reason = unavailable_reason()
        if reason:
            raise OfficeError(f"LibreOffice is not available: {reason}")
        self._log = tempfile.TemporaryFile()
        self._workdir = tempfile.mkdtemp(prefix="toolkit_lo_")  # soffice profile and log
        self._lines = queue.Queue()
        self._proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(WORKER), soffice_binary() or "soffice", self._workdir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            text=True, encoding="utf-8", bufsize=1,
        )
        threading.Thread(target=self._pump, args=(self._proc.stdout, self._lines), daemon=True).start()
        hello = self._receive(self.start_timeout, "starting LibreOffice")
        if not hello.get("ok"):
            self._kill()
            raise OfficeError(f"LibreOffice did not start: {hello.get('error')}")
        self._soffice_pid = hello.get("soffice_pid")

    def close(self) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            assert proc.stdin is not None  # opened with stdin=PIPE
            proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
            proc.stdin.flush()
            proc.wait(timeout=30)
            self._soffice_pid = None  # the worker ended its soffice itself
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        self._kill()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # requests
    def fill(self, src: Path | str, dst: Path | str, cells: Mapping[CellKey, Any], *, recalc: bool = True,
             actions: Iterable[dict] = (), fmt: str = "xlsx") -> Path:
        """Open ``src``, set ``cells`` (as a clerk typing them), apply further ``actions``,
        recalculate everything when ``recalc`` (otherwise only the dependents of changed cells
        update, as when a clerk types and saves), and save as ``fmt`` (xlsx, xls, ods) to ``dst``."""
        self.edit(src, dst, [*set_cells(cells), *actions], recalc=recalc, fmt=fmt)
        return Path(dst)

    def edit(self, src: Path | str, dst: Path | str | None, actions: Iterable[dict], *, recalc: bool = False,
             fmt: str = "xlsx", read: Iterable[CellKey] = ()) -> dict[str, dict]:
        """Apply ``actions`` in order, optionally recalculate, save to ``dst`` (None: do not
        save); returns what LibreOffice sees at the ``read`` cells after the change, keyed
        ``"sheet!A1"``: ``type`` (empty/value/text/formula), ``value``, ``string``, ``formula``."""
        answer = self._request({
            "op": "edit", "src": str(Path(src).resolve()), "dst": str(Path(dst).resolve()) if dst else None,
            "actions": list(actions), "recalc": recalc, "format": fmt, "read": [list(k) for k in read],
        }, f"editing {src}")
        return answer["read"]

    def read(self, src: Path | str, cells: Iterable[CellKey], *, recalc: bool = False) -> dict[str, dict]:
        """What LibreOffice shows at ``cells`` when it opens ``src`` (optionally recalculated)."""
        return self.edit(src, None, [], recalc=recalc, read=cells)

    def convert(self, src: Path | str, fmt: str, outdir: Path | str) -> Path:
        """Render a workbook or document to ``outdir/<stem>.pdf``."""
        answer = self._request({"op": "convert", "src": str(Path(src).resolve()), "format": fmt,
                                "outdir": str(Path(outdir).resolve())}, f"converting {src}")
        return Path(answer["path"])

    def _request(self, msg: dict, what: str) -> dict:
        self.start()
        try:
            assert self._proc is not None and self._proc.stdin is not None  # start() made it
            self._proc.stdin.write(json.dumps(msg, ensure_ascii=False) + "\n")
            self._proc.stdin.flush()
        except (OSError, ValueError):
            self._kill()
            raise OfficeError(f"LibreOffice worker is gone while {what}: {self._stderr_tail()}") from None
        answer = self._receive(self.timeout, what)
        if "soffice_pid" in answer:  # the worker restarts a soffice that died
            self._soffice_pid = answer["soffice_pid"]
        if not answer.get("ok"):
            raise OfficeError(f"LibreOffice failed while {what}: {answer.get('error')}")
        return answer

    def _receive(self, timeout: float, what: str) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            tail = self._stderr_tail()
            self._kill()
            raise OfficeError(f"LibreOffice did not answer within {timeout:.0f} s while {what}; "
                              f"it was stopped. {tail}") from None
        if line is None:
            tail = self._stderr_tail()
            self._kill()
            raise OfficeError(f"LibreOffice worker exited while {what}: {tail}")
        return json.loads(line)

    @staticmethod
    def _pump(stream, lines: queue.Queue) -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    def _stderr_tail(self) -> str:
        if self._log is None:
            return ""
        try:
            self._log.seek(0)
            return self._log.read().decode("utf-8", "replace")[-800:].strip()
        except (OSError, ValueError):
            return ""

    def _kill(self) -> None:
        """End the worker and the soffice process group it started, by their ids."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self._soffice_pid:
            try:
                os.killpg(self._soffice_pid, signal.SIGKILL)  # the worker gave soffice its own group
            except (ProcessLookupError, PermissionError):
                pass
            self._soffice_pid = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            # The pipe is named after the work dir (see office_worker.Soffice).
            Path(f"/tmp/OSL_PIPE_{os.getuid()}_{Path(self._workdir).name}").unlink(missing_ok=True)
            self._workdir = None


def cells_by_code(spec, values: Mapping[str, Any]) -> dict[CellKey, Any]:
    """Format codes (table cells, narratives, cover fields) to (sheet, address) keys."""
    places: dict[str, tuple[str, str]] = {c.code: (c.sheet, c.address) for c in spec.cells}
    places.update({n.code: (n.sheet, n.address) for n in spec.narratives})
    places.update({f.code: (f.sheet, f.address) for f in spec.cover})
    return {places[code]: v for code, v in values.items()}
