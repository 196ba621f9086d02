"""Last year's data for the cross-year rules (R5, R6, copied narrative)."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.collect.collection import CollectError, collect
from toolkit.format.spec import Spec
from toolkit.model import Filled

DATA_FILE = "data.json"


def load_previous(path: Path, year: int, spec: Spec) -> dict[str, Filled]:
    """By agency id: last year's collect output (its folder or data.json), or last year's inbox
    (checked for ``year - 1``; files that could not be read are left out)."""
    path = Path(path)
    if path.is_dir() and (path / DATA_FILE).is_file():
        path = path / DATA_FILE
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            return load_data_records(path)
        except (ValueError, KeyError) as e:
            raise CollectError(f"上年数据文件 {path} 无法读取：{e}。请指向上年 collect 的输出目录或上年的收件目录。") from e
    with collect(path, year - 1, spec=spec) as coll:
        return {agency_id: coll.filled(r) for agency_id, r in coll.used.items() if coll.readable(r)}


def load_data_records(path: Path) -> dict[str, Filled]:
    """By agency id: the agencies of a data.json (toolkit.outputs.summary writes it)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {
        a["agency_id"]: Filled(agency=a["agency"], year=data.get("year"), agency_id=a["agency_id"],
                               values=a["values"], narratives=a.get("narratives", {}))
        for a in data["agencies"]
    }
