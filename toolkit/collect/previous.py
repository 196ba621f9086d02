"""Last year's data for the cross-year rules (R5, R6, copied narrative)."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.collect.collection import CollectError, collect
from toolkit.format.spec import Spec
from toolkit.model import Filled
from toolkit.xlsx import package as screen

DATA_FILE = "data.json"
MAX_BYTES = 1024**3  # data.json of 10,000 agencies is ~60 MB


def load_previous(path: Path, year: int, spec: Spec, scratch: Path | None = None) -> dict[str, Filled]:
    """By agency id: last year's collect output (its folder or data.json), or last year's inbox
    (checked for ``year - 1``; files that could not be read are left out; its store's folder in ``scratch``)."""
    path = Path(path)
    if path.is_dir() and (path / DATA_FILE).is_file():
        path = path / DATA_FILE
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            return load_data_records(path)
        except (ValueError, KeyError, TypeError, AttributeError, OSError, screen.Refused) as e:
            why = e.finding(path.name).message if isinstance(e, screen.Refused) else f"{type(e).__name__}: {e}"
            raise CollectError(f"上年数据文件 {path} 无法读取：{why}。请指向上年 collect 的输出目录或上年的收件目录。") from None
    with collect(path, year - 1, spec=spec, scratch=scratch) as coll:
        return {agency_id: coll.filled(r) for agency_id, r in coll.used.items() if coll.readable(r)}


def load_data_records(path: Path) -> dict[str, Filled]:
    """By agency id: the agencies of a data.json (toolkit.outputs.summary writes it)."""
    data = json.loads(screen.read_file(path, MAX_BYTES).decode("utf-8"), parse_constant=_not_a_number)
    if not isinstance(data, dict) or not isinstance(data.get("agencies"), list):
        raise ValueError("应为 collect 输出的 data.json（含 agencies 列表的对象）")
    out = {}
    for i, a in enumerate(data["agencies"], 1):
        if not (isinstance(a, dict) and isinstance(a.get("agency_id"), str) and isinstance(a.get("values"), dict)
                and isinstance(a.get("narratives", {}), dict)):
            raise ValueError(f"第 {i} 个单位的记录缺少 agency_id 或 values，或类型不对")
        values = {k: v for k, v in a["values"].items() if type(v) in (int, float)}  # no text, no null
        narratives = {k: v for k, v in a.get("narratives", {}).items() if isinstance(v, str)}
        out[a["agency_id"]] = Filled(agency=str(a.get("agency") or ""), year=data.get("year"), agency_id=a["agency_id"],
                                     values=values, narratives=narratives)
    return out


def _not_a_number(word: str) -> None:
    raise ValueError(f"含有非数字 {word}")
