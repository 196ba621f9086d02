"""The architecture the folder layout promises: the check and collect path stays light."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_check_and_collect_never_import_the_office_driver_or_writers():
    loaded = _modules_after("import toolkit.check, toolkit.collect; from toolkit.check import check_bytes")
    assert not {m for m in loaded if m.startswith("toolkit.office")}
    assert "xlsxwriter" not in loaded and "docx" not in loaded  # writers come with outputs, not checks


def test_the_cli_imports_no_office_driver():
    loaded = _modules_after("import toolkit.cli")
    assert not {m for m in loaded if m.startswith("toolkit.office")}
