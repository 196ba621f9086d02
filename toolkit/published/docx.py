"""Word documents: body paragraphs become free rows, table rows bound rows.

Cells are read from the XML so that a merged cell appears once: a horizontal merge
(``gridSpan``) is one ``w:tc``; a vertical merge's continuation cells are read as blank, as a
page shows them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from toolkit.published.doc import Doc, ReadError, Row

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(path: Path) -> Doc:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    path = Path(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ReadError(f"{path.name} 不是可读的 Word 文档（.docx）：{e}。如为 .doc 或 WPS 格式，请另存为 .docx。") from None
    doc = Doc(path=path, kind="docx", title=(document.core_properties.title or "").strip())
    n = 0
    for el in document.element.body.iterchildren():
        n += 1
        if el.tag == _W + "p":
            text = _text(el).strip()
            doc.rows.append(Row((text,), False, n) if text else Row((), False, n))
        elif el.tag == _W + "tbl":
            for tr in el.iter(_W + "tr"):
                n += 1
                doc.rows.append(Row(tuple(_cell(tc) for tc in tr.iterchildren(_W + "tc")), True, n))
    return doc


def _cell(tc) -> str:
    pr = tc.find(_W + "tcPr")
    if pr is not None:
        vmerge = pr.find(_W + "vMerge")
        if vmerge is not None and vmerge.get(_W + "val", "continue") == "continue":
            return ""
    return "".join(_text(p) for p in tc.iterchildren(_W + "p")).strip()


def _text(p) -> str:
    out = []
    for el in p.iter():
        if el.tag == _W + "t":
            out.append(el.text or "")
        elif el.tag == _W + "tab":
            out.append(" ")
        elif el.tag in (_W + "br", _W + "cr"):
            out.append("\n")
    return "".join(out)
