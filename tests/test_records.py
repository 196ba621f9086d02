"""The per-submission pieces of collect's data outputs (toolkit.outputs.records) against json."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from toolkit.model import Filled
from toolkit.outputs.records import data_body

VALUES = [{}, {"a": 1, "b": None, "c": 2.5, "d": 1e16, "e": -0.0, "f": 10**20, "g%s": 3, "中": 0},
          {"a": float("nan")}, {"a": float("inf"), "b": 1.0}, {"a": 1, "b": True}, {"a": Decimal("1.5")},
          {"a": "x"}, {"a": 0.1 + 0.2, "b": 1e-7, "c": None}, {"a": None}]


@pytest.mark.parametrize("values", VALUES, ids=[repr(v) for v in VALUES])
def test_data_body_is_what_json_gives(values):
    """The %-format path (ints, finite floats, None) and the encoder path give json's text."""
    filled = Filled(agency="甲", year=2024, agency_id="a1", values=values,
                    narratives={"overview": "第一段\n“引号”\"和\\", "problems": ""})
    expected = json.dumps({"values": values, "narratives": filled.narratives}, ensure_ascii=False, default=str)
    assert data_body(filled) == expected[1:-1]
