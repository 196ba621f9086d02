"""The cover's quick-0 gesture, typed for real into LibreOffice Calc on the protected template.

The guide says: select a yellow range, type 0, press Alt+Enter in LibreOffice (Ctrl+Enter in Excel
and WPS). Headless LibreOffice takes no keys, so tests/office_keys.py runs a windowed LibreOffice on
Xvfb and sends the keys with xdotool. One LibreOffice session types every case below; the filled
workbook it saves is then checked as `collect` would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from faults import AGENCY, YEAR

from toolkit.check.workbook import check_bytes
from toolkit.format.spec import parse_address
from toolkit.office.driver import SYSTEM_PYTHON, unavailable_reason
from toolkit.template.ranges import input_rects, rect_cells
from toolkit.template.workbook import build_workbook

pytestmark = pytest.mark.office

KEYS = Path(__file__).with_name("office_keys.py")
TYPE_0 = ["type 0", "key alt+Return"]  # the guide's LibreOffice keys


def _screen_missing() -> str | None:
    missing = [tool for tool in ("Xvfb", "xdotool") if not shutil.which(tool)]
    soffice = shutil.which("soffice")
    if soffice and not list(Path(os.path.realpath(soffice)).parent.glob("libvclplug_*")):
        missing.append("a windowed LibreOffice (libreoffice-calc, not -nogui)")
    return ", ".join(missing) or unavailable_reason()


@pytest.fixture(scope="module")
def typed(spec, tmp_path_factory):
    """Every case typed in one LibreOffice session: {case name: (steps' results, saved path)}."""
    reason = _screen_missing()
    if reason:
        if os.environ.get("TOOLKIT_REQUIRE_OFFICE") == "1":
            pytest.fail(f"a screen for LibreOffice is required here (TOOLKIT_REQUIRE_OFFICE=1) but missing: {reason}")
        pytest.skip(f"no screen for LibreOffice: {reason}")
    tmp = tmp_path_factory.mktemp("keys")
    template = tmp / "template.xlsx"
    template.write_bytes(build_workbook(spec, AGENCY, YEAR))
    t3 = spec.table("t3")
    first, second = input_rects(t3.inputs)[:2]
    top = parse_address(first.split(":")[0])[0]
    total = next(c for c in t3.cells if c.row == top and c.role == "total")
    cases = {
        # every rectangle the cover lists, one at a time, on every table
        "listed": [{"sheet": t.sheet, "select": [rect], "keys": TYPE_0} for t in spec.tables
                   for rect in input_rects(t.inputs)],
        # a selection reaching a locked total
        "locked": [{"sheet": t3.sheet, "select": [f"{first.split(':')[0]}:{total.address}"], "keys": TYPE_0}],
        # two rectangles at once (Ctrl held while selecting)
        "two": [{"sheet": t3.sheet, "select": [first, second], "keys": TYPE_0}],
        # Excel's key in LibreOffice
        "ctrl": [{"sheet": t3.sheet, "select": [first], "keys": ["type 0", "key ctrl+Return"]}],
    }
    job = {"cases": [{"src": str(template), "dst": str(tmp / f"{name}.xlsx") if name == "listed" else None,
                      "steps": steps} for name, steps in cases.items()]}
    run = subprocess.run([SYSTEM_PYTHON, str(KEYS)], input=json.dumps(job), capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(run.stdout)["cases"]
    return {name: (result, tmp / f"{name}.xlsx") for name, result in zip(cases, results, strict=True)}


def test_alt_enter_fills_each_listed_range_with_0(spec, typed):
    steps, _ = typed["listed"]
    rects = [(t, rect) for t in spec.tables for rect in input_rects(t.inputs)]
    for (table, rect), step in zip(rects, steps, strict=True):
        assert step["dialog"] is None, (table.sheet, rect, step)
        assert step["cells"] == {a: 0.0 for a in rect_cells(rect)}, (table.sheet, rect)


def test_the_filled_workbook_has_no_blank_left(spec, typed):
    """Saved by LibreOffice after the gesture: every table input is 0 and check finds no blank or
    text (what is left is the contact and the narrative)."""
    _, saved = typed["listed"]
    result = check_bytes(saved.read_bytes(), saved.name, spec, year=YEAR)
    assert result.filled is not None
    assert all(result.filled.values[c.code] == 0 for c in spec.inputs)
    codes = {f.code for f in result.findings}
    assert not codes & {"input_blank", "input_text", "protection_removed", "total_overwritten"}, result.findings
    assert {"contact_missing", "narrative_empty"} <= codes


def test_a_selection_with_a_total_is_refused(spec, typed):
    """Why the guide says to select only yellow cells: "Protected cells can not be modified"."""
    (step,), _ = typed["locked"]
    inputs = {c.address for c in spec.table("t3").inputs}
    assert step["dialog"], step
    assert {v for a, v in step["cells"].items() if a in inputs} == {""}, step


def test_two_rectangles_at_once_are_refused_in_libreoffice(typed):
    """Why the guide says one rectangle at a time in LibreOffice: it refuses Alt+Enter on a multiple
    selection ("Insert into multiple selection not possible"); only the cursor's cell keeps the
    typed 0, every other cell stays blank."""
    (step,), _ = typed["two"]
    assert step["dialog"], step
    assert set(step["cells"].values()) <= {"", 0.0} and list(step["cells"].values()).count(0.0) <= 1


def test_ctrl_enter_does_not_fill_in_libreoffice(typed):
    """Why the guide gives LibreOffice its own key: Ctrl+Enter there is a line break in the cell."""
    (step,), _ = typed["ctrl"]
    assert set(step["cells"].values()) == {""}, step
