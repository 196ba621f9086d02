"""Label normalisation: one comparison key for the many ways a label is published.

Published copies write the same label as ``(一)`` or ``（一）``, ``1.`` or ``1．`` or ``1、``,
with spaces or line breaks inside (``商业 企业``), with ASCII or curly quotes, and some say
转结 for 结转. Every comparison between published text and the format's labels goes through
:func:`key`; the labels themselves always come from :mod:`toolkit.spec`.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_ITEM = re.compile(r"(?<![\d.])(\d{1,2})[.、,，．]")  # "1、" "1，" "1．" -> "1."
_DASH = re.compile(r"[‐‑‒–—―－]+")
# Spelling variants seen in published reports, mapped to the format's spelling.
_VARIANTS = (("转结", "结转"),)
# A leading enumeration: 一、 (一) 1.
ENUM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\([一二三四五六七八九十]+\)|\d{1,2}\.)")


def key(text: str) -> str:
    """The comparison key of a label: NFKC, no whitespace, no quotes, canonical numbering."""
    s = unicodedata.normalize("NFKC", text or "")
    s = _SPACE.sub("", s)
    s = _QUOTES.sub("", s)
    s = _DASH.sub("-", s)
    s = _ITEM.sub(r"\1.", s)
    for variant, canonical in _VARIANTS:
        s = s.replace(variant, canonical)
    return s


def strip_enum(k: str) -> str:
    """A key without its leading enumeration (``一、`` ``(一)`` ``1.``)."""
    return ENUM.sub("", k, count=1)


def core(k: str) -> str:
    """A key without its enumeration and a trailing parenthetical note: 部分公开(区分处理的…) -> 部分公开."""
    s = strip_enum(k)
    return re.sub(r"\([^()]*\)$", "", s) or s
