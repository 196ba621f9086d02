"""Per-format data derived once and reused for every workbook.

``functools.lru_cache`` keyed by a ``Spec`` falls back to a field-by-field comparison when
two equal formats are distinct objects (``load_spec()`` and ``load_spec("gb2021")``), which
costs more than the lookup saves; this cache is keyed by the object itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from toolkit.format.spec import Spec

T = TypeVar("T")


def per_spec(fn: Callable[[Spec], T]) -> Callable[[Spec], T]:
    """Memoise ``fn(spec)`` by the spec's identity (the spec is kept alive with its result)."""
    cache: dict[int, tuple[Spec, T]] = {}

    @wraps(fn)
    def cached(spec: Spec) -> T:
        hit = cache.get(id(spec))
        if hit is not None and hit[0] is spec:
            return hit[1]
        value = fn(spec)
        if len(cache) >= 32:  # formats built on the fly (tests): keep the cache small
            cache.clear()
        cache[id(spec)] = (spec, value)
        return value

    return cached
