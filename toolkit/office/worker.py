"""LibreOffice worker: runs under the system Python (the only one that has ``uno``).

Started by ``toolkit.office.driver.Office``; never imported by the toolkit. It starts ONE headless
soffice with a private profile, then serves JSON-line requests on stdin and answers one JSON
line per request on stdout. Only the standard library and ``uno`` are used here, so the file
runs as a plain script.

Requests: ``{"op": "edit", ...}``, ``{"op": "convert", ...}``, ``{"op": "ping"}``,
``{"op": "quit"}``. Answers: ``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import uno  # noqa: F401  (system python3-uno; also makes the com.sun.star modules importable)
from com.sun.star.beans import PropertyValue

CONNECT_TIMEOUT = 60.0
STORE_FILTERS = {
    "xlsx": "Calc MS Excel 2007 XML",
    "xls": "MS Excel 97",
    "ods": "calc8",
    "csv": "Text - txt - csv (StarCalc)",
}
PDF_FILTERS = {"calc": "calc_pdf_Export", "writer": "writer_pdf_Export", "impress": "impress_pdf_Export"}
# com.sun.star.sheet.CellFlags: VALUE | DATETIME | STRING | FORMULA
CLEAR_CONTENT = 1 | 2 | 4 | 16

# The worker's own stdout carries the protocol; anything else printed would corrupt it.
_PROTOCOL = sys.stdout
sys.stdout = sys.stderr


def pipe_socket(name: str) -> str:
    """Where LibreOffice's sal layer puts the socket of an --accept=pipe,name=... pipe."""
    return f"/tmp/OSL_PIPE_{os.getuid()}_{name}"


def _props(**kw) -> tuple:
    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def _url(path: str) -> str:
    return Path(path).resolve().as_uri()


class Soffice:
    """One soffice process with a private profile, reached over a named pipe."""

    def __init__(self, binary: str, workdir: str | None = None, display: str | None = None) -> None:
        self.binary = binary
        self.display = display  # an X display: a windowed LibreOffice there (keystroke tests), else headless
        # The client owns the directory when it gives one, and removes it even if this worker is killed.
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="toolkit_lo_"))
        self.pipe = self.workdir.name  # unique (mkdtemp); the client derives the socket path from it
        self.proc: subprocess.Popen | None = None
        self.desktop: Any = None  # a UNO XDesktop once connected
        self.log = self.workdir / "soffice.log"

    def start(self) -> None:
        profile = self.workdir / "profile"
        cmd = [
            self.binary, *(() if self.display else ("--headless", "--invisible")), "--norestore", "--nologo",
            "--nodefault", "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
            f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
        ]
        env = {**os.environ, "DISPLAY": self.display, "SAL_USE_VCLPLUGIN": "gen"} if self.display else None
        with open(self.log, "ab") as log:
            # Own process group: soffice is a wrapper script that forks soffice.bin, and
            # ending the group ends both (and nothing else).
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                         start_new_session=True)
        self.desktop = self._connect()

    def _connect(self):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"soffice exited with code {self.proc.returncode} while starting: {self.log_tail()}")
            try:
                ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            except Exception:  # NoConnectException until soffice listens
                if time.monotonic() > deadline:
                    raise RuntimeError(f"soffice did not accept a connection within {CONNECT_TIMEOUT:.0f} s") from None
                time.sleep(0.1)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-500:].strip() or "(no output)"
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.alive() and self.desktop is not None:
            try:
                self.desktop.terminate()
            except Exception:  # the bridge drops while soffice exits
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group we created (leftover soffice.bin)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None
        self.desktop = None
        Path(pipe_socket(self.pipe)).unlink(missing_ok=True)  # left behind when soffice was killed

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


# --- requests ----------------------------------------------------------------------------------


def _load(office: Soffice, path: str):
    if not Path(path).is_file():
        raise FileNotFoundError(f"no such file: {path}")
    doc = office.desktop.loadComponentFromURL(_url(path), "_blank", 0, _props(Hidden=True))
    if doc is None:
        raise RuntimeError(f"LibreOffice could not open {path}")
    return doc


def _sheet(doc, name: str):
    sheets = doc.getSheets()
    if not sheets.hasByName(name):
        raise KeyError(f"no sheet {name!r}; sheets: {', '.join(sheets.getElementNames())}")
    return sheets.getByName(name)


def _set(doc, a: dict) -> None:
    cell = _sheet(doc, a["sheet"]).getCellRangeByName(a["cell"])
    value = a.get("value")
    if value is None:
        cell.clearContents(CLEAR_CONTENT)
    elif isinstance(value, dict):
        cell.setFormula(value["formula"])
    elif isinstance(value, str):
        cell.setString(value)  # never parsed: "=1+1" stays text, "5" stays text
    elif isinstance(value, bool):
        raise TypeError(f"{a['sheet']}!{a['cell']}: a boolean is not a cell value")
    else:
        cell.setValue(value)


def _guarded(doc, a: dict, change) -> None:
    """Run a structural change; with a password, lift the protection it needs and put it back."""
    sheet = _sheet(doc, a["sheet"]) if a.get("sheet") else None
    target = doc if a.get("structure") or sheet is None else sheet
    what = "the workbook structure" if target is doc else f"sheet {a['sheet']!r}"
    lifted = False
    if target.isProtected():
        if a.get("password") is None:
            raise PermissionError(f"{what} is protected; give its password to change it")
        _unprotect(target, a["password"], what)
        lifted = True
    change(sheet)
    if lifted and a.get("reprotect", True):
        target.protect(a["password"])


def _unprotect(target, password: str, what: str) -> None:
    try:
        target.unprotect(password)
    except Exception:  # IllegalArgumentException on a wrong password
        raise PermissionError(f"wrong password for {what}") from None
    if target.isProtected():
        raise PermissionError(f"wrong password for {what}")


def _structural(doc, a: dict) -> None:
    do = a["do"]
    if do in ("insert_rows", "delete_rows"):
        def change(sheet):
            rows = sheet.getRows()
            (rows.insertByIndex if do == "insert_rows" else rows.removeByIndex)(a["index"], a.get("count", 1))
    elif do in ("insert_columns", "delete_columns"):
        def change(sheet):
            cols = sheet.getColumns()
            (cols.insertByIndex if do == "insert_columns" else cols.removeByIndex)(a["index"], a.get("count", 1))
    elif do == "remove_sheet":
        a = {**a, "structure": True}

        def change(sheet):
            doc.getSheets().removeByName(a["sheet"])
    elif do == "rename_sheet":
        a = {**a, "structure": True}

        def change(sheet):
            sheet.setName(a["name"])
    else:
        raise ValueError(f"unknown action {do!r}")
    _guarded(doc, a, change)


def _protection(doc, a: dict) -> None:
    target = _sheet(doc, a["sheet"]) if a.get("sheet") else doc
    what = f"sheet {a['sheet']!r}" if a.get("sheet") else "the workbook structure"
    if a["do"] == "unprotect":
        _unprotect(target, a.get("password") or "", what)
    else:
        target.protect(a.get("password") or "")


def _read(doc, refs: list) -> dict:
    out = {}
    for sheet_name, ref in refs:
        cell = _sheet(doc, sheet_name).getCellRangeByName(ref)
        kind = cell.getType().value  # EMPTY | VALUE | TEXT | FORMULA
        out[f"{sheet_name}!{ref}"] = {
            "type": kind.lower(),
            "value": cell.getValue(),
            "string": cell.getString(),
            "formula": cell.getFormula() if kind == "FORMULA" else None,
        }
    return out


def _store(doc, dst: str, fmt: str) -> None:
    if fmt not in STORE_FILTERS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(STORE_FILTERS)}")
    target = Path(dst).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        doc.storeToURL(tmp.as_uri(), _props(FilterName=STORE_FILTERS[fmt], Overwrite=True))
        os.replace(tmp, target)  # readers never see a half-written file
    finally:
        tmp.unlink(missing_ok=True)


def edit(office: Soffice, req: dict) -> dict:
    doc = _load(office, req["src"])
    try:
        for a in req.get("actions", []):
            do = a["do"]
            try:
                if do == "set":
                    _set(doc, a)
                elif do in ("unprotect", "protect"):
                    _protection(doc, a)
                elif do == "autocalc":
                    doc.enableAutomaticCalculation(bool(a["on"]))
                else:
                    _structural(doc, a)
            except Exception as e:
                where = f" {a.get('sheet', '')}!{a.get('cell', '')}".rstrip("!")
                raise RuntimeError(f"action {do}{where}: {type(e).__name__}: {e}") from e
        if req.get("recalc"):
            doc.calculateAll()
        read = _read(doc, req.get("read", []))
        if req.get("dst"):
            _store(doc, req["dst"], req.get("format", "xlsx"))
        return {"ok": True, "read": read}
    finally:
        doc.close(True)


def convert(office: Soffice, req: dict) -> dict:
    src = Path(req["src"])
    if req.get("format", "pdf") != "pdf":
        raise ValueError("convert supports pdf only; use edit to store spreadsheets")
    doc = _load(office, str(src))
    try:
        kind = next((k for k, svc in (("calc", "com.sun.star.sheet.SpreadsheetDocument"),
                                      ("writer", "com.sun.star.text.TextDocument"),
                                      ("impress", "com.sun.star.presentation.PresentationDocument"))
                     if doc.supportsService(svc)), None)
        if kind is None:
            raise ValueError(f"{src}: not a spreadsheet, text or presentation document")
        dst = Path(req["outdir"]) / (src.stem + ".pdf")
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.part")
        try:
            doc.storeToURL(tmp.resolve().as_uri(), _props(FilterName=PDF_FILTERS[kind], Overwrite=True))
            os.replace(tmp, dst)
        finally:
            tmp.unlink(missing_ok=True)
        return {"ok": True, "path": str(dst.resolve())}
    finally:
        doc.close(True)


HANDLERS = {"edit": edit, "convert": convert, "ping": lambda office, req: {"ok": True}}


def _answer(msg: dict) -> None:
    _PROTOCOL.write(json.dumps(msg, ensure_ascii=False) + "\n")
    _PROTOCOL.flush()


def _restart(office: Soffice) -> None:
    office.stop()
    # A profile left by a killed soffice makes the next one run crash recovery and restart
    # itself, dropping our connection: start the new one on a fresh profile.
    shutil.rmtree(office.workdir / "profile", ignore_errors=True)
    office.start()


def serve(office: Soffice) -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req.get("op") == "quit":
            _answer({"ok": True})
            return
        for attempt in (1, 2):  # a soffice found dead, before or during the request, gets one fresh start
            try:
                if not office.alive():
                    _restart(office)
                answer = HANDLERS[req["op"]](office, req)
                break
            except Exception as e:
                dead = not office.alive()
                if dead and attempt == 1:
                    continue
                msg = f"{type(e).__name__}: {e}"
                if dead:
                    msg = f"LibreOffice died ({msg}); log: {office.log_tail()}"
                answer = {"ok": False, "error": msg, "soffice_died": dead, "trace": traceback.format_exc(limit=3)}
        # The client ends this pid's group if the worker ever stops answering.
        answer["soffice_pid"] = office.proc.pid if office.proc is not None and office.alive() else None
        _answer(answer)


def main() -> int:
    binary = sys.argv[1] if len(sys.argv) > 1 else "soffice"
    office = Soffice(binary, sys.argv[2] if len(sys.argv) > 2 else None)
    # SIGTERM from the client (or CI teardown) must still end soffice.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        try:
            office.start()
        except Exception as e:
            _answer({"ok": False, "error": f"{type(e).__name__}: {e}"})
            return 1
        _answer({"ok": True, "ready": True, "soffice_pid": office.proc.pid if office.proc else None})
        serve(office)
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        office.cleanup()


if __name__ == "__main__":
    sys.exit(main())
