"""Trust: a save date in the future does not win the duplicate choice, and the choice says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faults import YEAR

from hostile.bounded import bounded, cli, ok
from hostile.make import saved_at


def _duplicates(tmp_path: Path, dates: dict[str, str]) -> list[dict]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, when in dates.items():
        (inbox / name).write_bytes(saved_at(when))
    code, output, escaped = ok(bounded(cli, "collect", inbox, "--year", str(YEAR), "-o", tmp_path / "out",
                                       "--no-docx", "--workers", "1"))
    assert escaped == "" and code in (0, 1), output
    report = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    return [f for f in report["findings"] if f["code"] == "agency_duplicate"]


@pytest.mark.parametrize("forged", ["2099-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2099-01-01T00:00:00+08:00",
                                    "not a date"])
def test_a_save_date_in_the_future_does_not_win(tmp_path, forged):
    found = _duplicates(tmp_path, {"a-forged.xlsx": forged, "b-real.xlsx": "2024-03-01T08:00:00Z"})
    assert len(found) == 2
    message = found[0]["message"]
    assert "采用 b-real.xlsx（保存时间最晚（2024-03-01T08:00:00Z）" in message, message
    assert f"a-forged.xlsx 的保存时间 {forged} 晚于当前时间或无法识别，不予采信" in message


def test_both_in_the_future_fall_back_to_the_name(tmp_path):
    found = _duplicates(tmp_path, {"a.xlsx": "2099-01-01T00:00:00Z", "b.xlsx": "2098-01-01T00:00:00Z"})
    assert "采用 b.xlsx（文件名排序最后；" in found[0]["message"]


def test_real_dates_still_choose_the_latest(tmp_path):
    found = _duplicates(tmp_path, {"a.xlsx": "2024-05-01T00:00:00Z", "b.xlsx": "2024-03-01T00:00:00Z"})
    assert "采用 a.xlsx（保存时间最晚（2024-05-01T00:00:00Z））" in found[0]["message"]
    assert "不予采信" not in found[0]["message"]
