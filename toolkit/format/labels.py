"""Label and text normalisers: every way the toolkit compares text with the format's labels.

Each variant says when it is used; the labels themselves always come from the format data
(:mod:`toolkit.format.spec`).

- :func:`workbook_label`: a label read back from a workbook against the template's label
  (WPS/Excel keep labels as written, but one retyped with ASCII parentheses is the same label).
- :func:`formula_key`: a formula read back from a workbook against the template's formula.
- :func:`published_key`: published text (web, DOCX, PDF) against the format's labels, with
  :func:`strip_enum` and :func:`core` for the looser comparisons; :func:`heading_key` for
  section headings.
- :func:`narrative_text`: a narrative as the phrase patterns of rule R8/R9 read it.
- :func:`nfkc`: the Unicode NFKC form under all of them, fast for Chinese text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Full-width forms clerks type in Chinese text, each with its NFKC form (an ASCII starter).
_WIDE = tuple((chr(c), chr(c - 0xFEE0)) for c in (*range(0xFF10, 0xFF1A), *map(ord, "，：；（）！？％＋－．／＜＞＝"))) + (
    ("\u3000", " "),)


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), cheaper for Chinese text (~5x here): the
    full-width punctuation and digits are replaced by their NFKC forms first, which leaves
    the NFKC form unchanged, and the slow normalisation runs only if something else needs it."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    for wide, narrow in _WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


# --- workbooks -------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_QUOTED_SHEET = re.compile(r"'((?:[^']|'')+)'!")


def workbook_label(text: object) -> str:
    """A workbook cell's label without width or whitespace differences."""
    return _SPACE.sub("", nfkc(str(text)))


def formula_key(text: str) -> str:
    """Formula text up to quoting, ``$``, case, spaces and the ``_xlfn.`` prefix."""
    t = text.strip().lstrip("=")
    t = _QUOTED_SHEET.sub(lambda m: m.group(1).replace("''", "'") + "!", t)
    return _SPACE.sub("", t.replace("$", "").replace("_xlfn.", "")).upper()


# --- published reports -----------------------------------------------------------------------
# Published copies write the same label as ``(一)`` or ``（一）``, ``1.`` or ``1．`` or ``1、``,
# with spaces or line breaks inside (``商业 企业``), with ASCII or curly quotes, and some say
# 转结 for 结转.

_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_ITEM = re.compile(r"(?<![\d.])(\d{1,2})[.、,，．]")  # "1、" "1，" "1．" -> "1."
_DASH = re.compile(r"[‐‑‒–—―－]+")
# Spelling variants seen in published reports, mapped to the format's spelling.
_VARIANTS = (("转结", "结转"),)
# A leading enumeration of a published key: 一、 (一) 1.
ENUM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\([一二三四五六七八九十]+\)|\d{1,2}\.)")


def published_key(text: str) -> str:
    """The comparison key of a published label: NFKC, no whitespace, no quotes, canonical numbering."""
    s = unicodedata.normalize("NFKC", text or "")
    s = _SPACE.sub("", s)
    s = _QUOTES.sub("", s)
    s = _DASH.sub("-", s)
    s = _ITEM.sub(r"\1.", s)
    for variant, canonical in _VARIANTS:
        s = s.replace(variant, canonical)
    return s


_TRAIL = re.compile(r"[。.:：;；]+$")


def heading_key(text: str, fillers: tuple[str, ...] = ()) -> str:
    """A published section heading's key: no trailing punctuation (``。`` ``：``) and none of
    ``fillers``, the words published wordings add (``spec.heading_fillers``)."""
    k = _TRAIL.sub("", published_key(text))
    for f in fillers:
        k = k.replace(f, "")
    return k


def strip_enum(k: str) -> str:
    """A published key without its leading enumeration (``一、`` ``(一)`` ``1.``)."""
    return ENUM.sub("", k, count=1)


def core(k: str) -> str:
    """A published key without its enumeration and a trailing parenthetical note:
    部分公开(区分处理的…) -> 部分公开 (a row label some reports shorten)."""
    s = strip_enum(k)
    return re.sub(r"\([^()]*\)$", "", s) or s


# --- narratives ------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def narrative_text(text: str) -> str:
    """NFKC (full-width digits become ASCII; the patterns accept both kinds of punctuation) and
    no whitespace: text extracted from a PDF breaks lines mid-phrase."""
    return "".join(nfkc(text).split())  # str.split() and re's \s: the same whitespace (str.isspace)
