"""A bounded memo for what the reader derives from bytes that recur in every workbook of one
template and one program (parsed parts, reading plans): the most recently used entries are
kept, so a stream of one-off files neither grows memory nor pushes out the common ones."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    def __init__(self, size: int):
        self.size = size
        self._items: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        value = self._items.pop(key, None)
        if value is not None:
            self._items[key] = value  # now the most recent
        return value

    def put(self, key: K, value: V) -> None:
        if key not in self._items and len(self._items) >= self.size:
            del self._items[next(iter(self._items))]  # the least recently used
        self._items[key] = value

    def __contains__(self, key: K) -> bool:
        return key in self._items
