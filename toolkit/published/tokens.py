"""Rows to tokens, tokens to segments: the layout-free view of a published table.

Every layout (tab-per-cell text, HTML, DOCX, pipes, PDF text) reduces to the same stream:
text tokens (label pieces) and value tokens (a number, a placeholder such as ``/``, or a blank
cell). A *segment* is a run of text followed by the values after it -- in every layout, a
table row is a segment whose text contains the row's label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from toolkit.format.labels import published_key
from toolkit.format.spec import editions, load_spec
from toolkit.published.doc import Row

NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
COUNTS = ("件", "个", "条", "项", "次")  # count words clerks append to a figure
_COUNTS = "|".join(COUNTS)
MONEY = {"元": 1, "千元": 1000, "万元": 10_000, "亿元": 100_000_000}  # units of money, in 元
# What clerks write where 0 belongs. "无" only counts inside a real cell: in PDF text it is
# more likely a piece of a wrapped label (（四）无 / 法提供).
PLACEHOLDERS = frozenset({"/", "\\", "-", "--", "—", "——", "－", "–", "／", "×", "x", "X", "无", "空"})
_FREE_PLACEHOLDERS = frozenset({"/", "／", "—", "——", "－", "-", "--"})
_RUN = frozenset("/／\\-－—–")


def placeholder_run(text: str) -> bool:
    """Two or more dashes or slashes together (————, //): one placeholder, or several cells'
    placeholders run together in flattened text."""
    return len(text) >= 2 and set(text) <= _RUN


@dataclass(frozen=True)
class Token:
    kind: str  # text | value
    text: str  # "" for a blank cell
    bound: bool  # one real cell (blank cells exist only here)
    line: int

    @property
    def blank(self) -> bool:
        return self.kind == "value" and not self.text

    @property
    def placeholder(self) -> bool:
        return self.kind == "value" and bool(self.text) and figure(self.text) is None

    @property
    def digits(self) -> bool:
        """A plain digit string that may hold several cells run together."""
        return self.kind == "value" and not self.bound and self.text.lstrip("+-").isdigit() and \
            len(self.text) - len(self.text.lstrip("+-")) <= 1


@dataclass
class Segment:
    texts: list[Token] = field(default_factory=list)
    values: list[Token] = field(default_factory=list)

    @property
    def key(self) -> str:
        return published_key("".join(t.text for t in self.texts))

    @property
    def line(self) -> int:
        return (self.texts or self.values)[0].line if (self.texts or self.values) else 0


def number(text: str) -> int | Decimal | None:
    """A published number: ``12``, ``1,234``, ``96171.6``, ``3件``, ``12.5万元`` (the format's
    amount unit); None for anything else."""
    s = text.strip()
    m = _unit().match(s)
    if m:
        s = m.group(1)
    if not NUMBER.match(s):
        return None
    s = s.replace(",", "")
    return Decimal(s) if "." in s else int(s)


def figure(text: str) -> int | Decimal | None:
    """A number as :func:`number` reads it, or one written with any unit of money (``35000元``),
    its unit dropped (see :func:`unit_of`)."""
    v = number(text)
    if v is not None:
        return v
    m = _money().match(text.strip())
    return number(m.group(1)) if m else None


def unit_of(text: str) -> str:
    """The unit written after a number (``元`` of ``35000元``, ``件`` of ``3件``), or ""."""
    m = _unit().match(text.strip()) or _money().match(text.strip())
    return m.group(2) if m else ""


def in_unit(value: int | Decimal, unit: str, target: str) -> int | Decimal | None:
    """``value`` written in money ``unit`` expressed in ``target`` (元 -> 万元), or None when
    either is not a unit of money."""
    if unit not in MONEY or target not in MONEY:
        return None
    out = Decimal(value) * MONEY[unit] / MONEY[target]
    return int(out) if out == out.to_integral_value() else out.normalize()


_FIGURE = r"([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"


@cache
def _unit() -> re.Pattern:
    """A figure followed by a count word or the amount unit of any edition (3件, 12.5万元)."""
    units = "|".join(sorted({re.escape(load_spec(e).amount_unit) for e in editions()}))
    return re.compile(rf"^{_FIGURE}\s*({_COUNTS}|{units})$")


@cache
def _money() -> re.Pattern:
    """A figure followed by any unit of money (35000元)."""
    return re.compile(rf"^{_FIGURE}\s*({'|'.join(sorted(MONEY, key=len, reverse=True))})$")


def is_value(cell: str, bound: bool) -> bool:
    s = cell.strip()
    if figure(s) is not None:
        return True
    return s in (PLACEHOLDERS if bound else _FREE_PLACEHOLDERS) or placeholder_run(s)


def tokenize(rows: list[Row]) -> list[Token]:
    out: list[Token] = []
    for row in rows:
        if row.bound:
            out.extend(_bound(row))
        else:
            for frag in row.text.split():
                out.append(Token("value" if is_value(frag, False) else "text", frag, False, row.line))
    return out


def _bound(row: Row) -> list[Token]:
    kinds = ["blank" if not c.strip() else ("value" if is_value(c, True) else "text") for c in row.cells]
    # Blank cells before the row's label are the merged label cells of the rows above.
    first_text = kinds.index("text") if "text" in kinds else -1
    out = []
    for i, (cell, kind) in enumerate(zip(row.cells, kinds)):
        if kind == "blank":
            if i < first_text:
                continue
            out.append(Token("value", "", True, row.line))
        else:
            out.append(Token(kind, cell.strip(), True, row.line))
    return out


def segments(tokens: list[Token]) -> list[Segment]:
    out: list[Segment] = []
    for tok in tokens:
        if tok.kind == "text":
            if not out or out[-1].values:
                out.append(Segment())
            out[-1].texts.append(tok)
        else:
            if not out:
                out.append(Segment())
            out[-1].values.append(tok)
    return out
