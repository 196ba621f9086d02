"""Output file names from untrusted words (an agency id read from a stamp, a roster, a file name).

Every name we derive from a submission goes through ``safe_stem`` and every path we write under
an output folder through ``inside``: whatever a forged stamp says, nothing lands outside OUT.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

# Letters, digits, CJK, - _ . ; no separator, no leading dot. The same alphabet as roster ids.
_SAFE = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff_.\-]{0,63}$")
_UNSAFE_CHAR = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff_.\-]")
# Names Windows will not create whatever the extension (coordinators copy OUT to Windows PCs).
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


class UnsafePath(ValueError):
    """A path that would leave its output folder."""


def is_safe_stem(word: str, reserved: frozenset[str] = frozenset()) -> bool:
    return (bool(_SAFE.match(word)) and ".." not in word and not word.endswith(".")
            and word.split(".")[0].lower() not in _WINDOWS_RESERVED and word not in reserved)


def safe_stem(word: str | None, fallback: str = "unnamed", reserved: frozenset[str] = frozenset()) -> str:
    """``word`` itself when it is a safe file stem, else a readable safe stem with a short hash
    of the original, so two different unsafe words never share a name."""
    word = word or ""
    if is_safe_stem(word, reserved):
        return word
    readable = _UNSAFE_CHAR.sub("_", word).replace(".", "_").strip("_")[:40] or fallback
    digest = hashlib.sha256(word.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    stem = f"{readable}-{digest}"
    return stem if is_safe_stem(stem, reserved) else f"id-{digest}"


def inside(root: Path, *parts: str) -> Path:
    """``root/parts…``, refused unless it resolves to a path inside ``root``."""
    base = Path(root).resolve()
    target = base.joinpath(*parts).resolve()
    if target == base or not target.is_relative_to(base):
        raise UnsafePath(f"路径 {'/'.join(parts)} 不在输出目录 {root} 内，已拒绝写入。")
    return Path(root).joinpath(*parts)  # as the caller named it: the check is on the resolved form
