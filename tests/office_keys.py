"""Real keystrokes into LibreOffice Calc on a virtual screen (run by /usr/bin/python3, which has uno).

Headless LibreOffice takes no keys, so this starts Xvfb and a windowed soffice on it with a
private profile (toolkit/office/worker.py's Soffice, as for every other test), and sends keys with
xdotool (XTEST: as a keyboard would). UNO only opens the workbook, makes the selection a clerk
makes with the mouse, and reads the cells afterwards.

stdin: {"cases": [{"src": path, "dst": path or null, "steps": [{"sheet": name,
"select": ["D6:I28", ...], "keys": ["type 0", "key alt+Return"]}]}]}
stdout: {"cases": [[{"dialog": window title or null, "cells": {"D6": 0.0 or "" ...}}, ...], ...]}
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
from pathlib import Path

import uno  # type: ignore[import-not-found]

_OUT = sys.stdout  # the worker module sends print() to stderr, to keep its own protocol clean
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "toolkit" / "office"))
import worker  # type: ignore[import-not-found]  # noqa: E402  (LibreOffice's start, connection, end)

SETTLE = 4.0  # seconds a keystroke's effect may take to show


def _start_screen(workdir: Path) -> tuple[subprocess.Popen, str]:
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=open(workdir / "xvfb.log", "wb"),
                            start_new_session=True)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    if not number:
        raise RuntimeError("Xvfb did not start: " + (workdir / "xvfb.log").read_text(errors="replace")[-300:])
    return xvfb, f":{number}"


def _xdotool(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True,
                          text=True, timeout=30).stdout


def _dialogs(display: str, main: str) -> list[tuple[str, str]]:
    """(window id, title) of visible windows other than the document's own: LibreOffice's message
    boxes."""
    ids = _xdotool(display, "search", "--onlyvisible", "--name", ".").split()
    found = [(w, _xdotool(display, "getwindowname", w).strip()) for w in ids]
    return [(w, t) for w, t in found if t and main not in t]


def _values(sheet, ranges: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for rng in ranges:
        block = sheet.getCellRangeByName(rng)
        addr = block.getRangeAddress()
        for i, row in enumerate(block.getDataArray()):
            for j, value in enumerate(row):
                out[sheet.getCellByPosition(addr.StartColumn + j, addr.StartRow + i).AbsoluteName.split(".")[-1]
                    .replace("$", "")] = value
    return out


def _step(doc, display: str, step: dict) -> dict:
    controller = doc.getCurrentController()
    sheet = doc.Sheets.getByName(step["sheet"])
    controller.setActiveSheet(sheet)
    if len(step["select"]) == 1:
        selection = sheet.getCellRangeByName(step["select"][0])
    else:  # as Ctrl held while dragging a second rectangle
        selection = doc.createInstance("com.sun.star.sheet.SheetCellRanges")
        for rng in step["select"]:
            selection.addRangeAddress(sheet.getCellRangeByName(rng).getRangeAddress(), False)
    controller.select(selection)
    controller.getFrame().getContainerWindow().setFocus()
    time.sleep(0.5)
    before = _values(sheet, step["select"])
    main = Path(uno.fileUrlToSystemPath(doc.getURL())).name
    for key in step["keys"]:
        _xdotool(display, *key.split(" ", 1) if key.startswith("type ") else key.split())
    deadline = time.monotonic() + SETTLE
    dialog: list[tuple[str, str]] = []
    while time.monotonic() < deadline:
        dialog = _dialogs(display, main)
        if dialog or _values(sheet, step["select"]) != before:
            break
        time.sleep(0.1)
    time.sleep(0.3)  # the rest of the selection, or the dialog's drawing
    dialog = dialog or _dialogs(display, main)
    for window, _ in dialog:  # OK on the message box (no window manager gives it the focus)
        _xdotool(display, "windowfocus", "--sync", window)
        _xdotool(display, "key", "Return")
        time.sleep(0.5)
    controller.getFrame().getContainerWindow().setFocus()
    _xdotool(display, "key", "Escape")  # leave any cell still in edit mode (a refused Ctrl+Enter)
    time.sleep(0.3)
    return {"dialog": dialog[0][1] if dialog else None, "cells": _values(sheet, step["select"])}


def _case(desktop, display: str, case: dict) -> list[dict]:
    doc = desktop.loadComponentFromURL(Path(case["src"]).resolve().as_uri(), "_blank", 0, ())
    try:
        results = [_step(doc, display, step) for step in case["steps"]]
        if case.get("dst"):
            prop = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
            prop.Name, prop.Value = "FilterName", worker.STORE_FILTERS["xlsx"]
            doc.storeToURL(Path(case["dst"]).resolve().as_uri(), (prop,))
        return results
    finally:
        doc.close(True)


def main() -> int:
    job = json.load(sys.stdin)
    workdir = Path(tempfile.mkdtemp(prefix="toolkit_keys_"))
    xvfb = office = None
    try:
        xvfb, display = _start_screen(workdir)
        # A directory of its own: Soffice names its pipe after it (mkdtemp: unique).
        office = worker.Soffice("soffice", tempfile.mkdtemp(prefix="toolkit_lo_", dir=workdir), display=display)
        office.start()
        results = [_case(office.desktop, display, case) for case in job["cases"]]
        json.dump({"cases": results}, _OUT)
        return 0
    finally:
        if office is not None:
            office.stop()
        if xvfb is not None:
            os.killpg(xvfb.pid, signal.SIGKILL)
            xvfb.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
