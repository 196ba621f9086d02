"""The fast reader (toolkit.xlsx.scan, the default) against the tree reader (``fast=False``), cell
for cell, and both against openpyxl: on the sample inbox (saved by LibreOffice), workbooks
written by the template writer, a workbook LibreOffice saved after typing, hand-made variants
of every form the scanners meet or must refuse, and seeded random damage. Whatever the bytes,
the two readers must give the same book or the same error."""

from __future__ import annotations

import importlib.util
import io
import random
import re
import sys
import zipfile
from collections import Counter
from contextlib import suppress
from pathlib import Path

import openpyxl
import pytest
from faults import AGENCY, YEAR, clean_workbook, members, outcome, rezip, same_either_way, sheet_part, snapshot

from toolkit import xlsx
from toolkit.check.workbook import check_bytes
from toolkit.format.spec import STAMP_SHEET
from toolkit.office.driver import cells_by_code
from toolkit.template.workbook import build_workbook
from toolkit.xlsx import read_bytes
from toolkit.xlsx import scan as xmlscan

SAMPLES = sorted((Path(__file__).parents[1] / "samples" / "inbox").glob("*.xlsx"))
MARKET = next(p for p in SAMPLES if p.name == "demo-market.xlsx")


assert_same = same_either_way


def counted(*args, **kw) -> Counter:
    """How the accelerator behind read_bytes(fast=True) read the parts of read_bytes(*args, **kw):
    plans made and reused, parts left to the tree parser (its counts, see scan.Scanner)."""
    before = Counter(xmlscan.SCANNER.counts)
    with suppress(Exception):  # the verdict on the bytes is assert_same's to compare
        read_bytes(*args, **kw)
    return xmlscan.SCANNER.counts - before


@pytest.fixture(scope="module")
def generated(spec) -> bytes:
    return clean_workbook(spec)


@pytest.fixture(scope="module")
def lo_typed(spec, generated, office, tmp_path_factory) -> bytes:
    """A generated workbook LibreOffice opened, typed into (text, a formula over a total) and saved."""
    d = tmp_path_factory.mktemp("fast")
    (d / "in.xlsx").write_bytes(generated)
    typed = {"t3_new_natural": 7, "t2_license_decisions": "0件", "overview": "第一行\n第二行 & <标记>"}
    office.fill(d / "in.xlsx", d / "out.xlsx", cells_by_code(spec, typed), recalc=True)
    return (d / "out.xlsx").read_bytes()


# --- whole workbooks -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_inbox(path):
    assert isinstance(assert_same(path.read_bytes()), dict)


def test_generated_workbooks(spec, generated):
    assert isinstance(assert_same(generated), dict)
    assert isinstance(assert_same(build_workbook(spec, AGENCY, YEAR)), dict)  # the blank template


def test_benchmark_inbox(tmp_path):
    """The benchmark's generated inbox (its library-made files, faults included)."""
    path = Path(__file__).parents[1] / "benchmarks" / "generate.py"
    module = importlib.util.spec_from_file_location("bench_generate", path)
    generate = importlib.util.module_from_spec(module)
    sys.modules.setdefault("bench_generate", generate)
    module.loader.exec_module(generate)
    inbox = generate.generate(24, tmp_path, seed=7, office=False, workers=1, log=lambda *a: None)
    files = sorted((inbox.root / "inbox").glob("*.xlsx"))
    assert len(files) >= 20
    for f in files:
        assert isinstance(assert_same(f.read_bytes()), dict), f.name


@pytest.mark.office
def test_workbook_saved_by_libreoffice(lo_typed, spec):
    book = assert_same(lo_typed)
    cell = spec.narrative("overview")
    assert book["sheets"][cell.sheet]["cells"][(cell.row, cell.col)][0] == ("str", "第一行\n第二行 & <标记>")


def test_fast_reader_agrees_with_openpyxl(generated):
    """Not only with the tree reader: values, formulas, names as openpyxl reads them."""
    for data in (generated, MARKET.read_bytes()):
        book = read_bytes(data)
        formulas = openpyxl.load_workbook(io.BytesIO(data))
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        for name, sheet in book.sheets.items():
            for row in formulas[name].iter_rows():
                for c in row:
                    mine = sheet.at(c.row - 1, c.column - 1)
                    if c.data_type == "f":
                        assert (mine.formula, mine.value) == (c.value[1:], values[name].cell(c.row, c.column).value)
                    else:
                        assert (mine.formula, mine.value) == (None, c.value), (name, c.coordinate)
        for code, dn in formulas.defined_names.items():
            assert book.names[code].replace("'", "") == dn.attr_text.replace("'", "")


def test_check_reads_every_sample_the_same_either_way(spec, monkeypatch):
    """check_bytes on the fast reader and on the tree reader: the same result, finding for finding."""
    fast = [check_bytes(p.read_bytes(), p.name, spec) for p in SAMPLES]
    original = xlsx.read_workbook
    monkeypatch.setattr(xlsx, "read_workbook", lambda zf, only=None, **kw: original(zf, only, **{**kw, "fast": False}))
    tree = [check_bytes(p.read_bytes(), p.name, spec) for p in SAMPLES]
    for a, b in zip(fast, tree):
        assert (a.status, a.findings, a.filled) == (b.status, b.findings, b.filled)


# --- every form, one at a time -----------------------------------------------------------------------


class Raw:
    """An edit of a part's bytes (the others edit its text)."""

    def __init__(self, fn):
        self.fn = fn


def _edit(data: bytes, part_of, edit) -> bytes:
    parts = members(data)
    name = part_of(parts)
    parts[name] = edit.fn(parts[name]) if isinstance(edit, Raw) else edit(parts[name].decode("utf-8")).encode("utf-8")
    return rezip(parts)


def _sheet(sheet_name):
    return lambda parts: sheet_part(parts, sheet_name)


SST = lambda parts: "xl/sharedStrings.xml"  # noqa: E731
WB = lambda parts: "xl/workbook.xml"  # noqa: E731


def _cell(xml: str, ref: str, body: str) -> str:
    """Replace the cell at ``ref`` (empty or not) by ``body``."""
    out, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', lambda m: body, xml, count=1)
    assert n == 1, ref
    return out


# (name, part, edit, what the fast path must do: "fast" = read it itself, "either" = may fall back)
T3, T4, COVER = "表三申请处理", "表四复议诉讼", "封面"
VARIANTS = [
    ("inline rich string with a phonetic run", _sheet(T4), lambda x: _cell(x, "A6", (
        '<c r="A6" t="inlineStr"><is><r><rPr><b/><sz val="11"/><color theme="1" tint="0.5"/><rFont val="宋体"/>'
        '</rPr><t xml:space="preserve">甲 </t></r><r><t>乙&amp;丙</t></r><rPh sb="0" eb="1"><t>ジア</t></rPh>'
        '<phoneticPr fontId="1" type="noConversion"/></is></c>')), "fast"),
    ("inline plain string, inline with no <is>, inline blank", _sheet(T4), lambda x: _cell(_cell(_cell(
        x, "A6", '<c r="A6" t="inlineStr"><is><t>x</t></is></c>'), "B6", '<c r="B6" t="inlineStr"><v>1</v></c>'),
        "C6", '<c r="C6" t="inlineStr"/>'), "fast"),
    ("empty <v> and <f/>", _sheet(T4), lambda x: _cell(_cell(x, "B6", '<c r="B6" s="3"><v></v></c>'),
                                                      "C6", '<c r="C6" t="inlineStr"><f/><v></v></c>'), "fast"),
    ("numbers in every spelling", _sheet(T4), lambda x: _cells(x, [
        '<v>1e3</v>', '<v>-0</v>', '<v>00012</v>', '<v>1.50</v>', '<v>123456789012345678</v>', '<v>NaN</v>',
        '<v>inf</v>', '<v> 7 </v>', '<v>0x1</v>', '<v>&#49;2</v>', '<v>٣</v>']), "fast"),
    ("booleans, errors, dates, formula strings", _sheet(T4), lambda x: _cells(x, [
        ('b', '<v>1</v>'), ('b', '<v>false</v>'), ('e', '<f>1/0</f><v>#DIV/0!</v>'), ('d', '<v>2024-01-01</v>'),
        ('str', '<f>A1&amp;"&lt;x&gt;"</f><v>a&lt;x&gt;</v>'), ('s', '<v>99999</v>'), ('s', '<v>-1</v>'),
        ('zz', '<v>1</v>')]), "fast"),
    ("shared formulas", _sheet(T3), lambda x: _shared_formulas(x), "fast"),
    ("cells without r", _sheet(T4), lambda x: re.sub(r'<c r="[A-Z]+6"', "<c", x), "fast"),
    ("a row without r", _sheet(T4), lambda x: re.sub(r'<row r="6"', "<row", x), "fast"),
    ("references and line ends in shared strings", SST, lambda x: x.replace(
        "</t></si>", "&amp;&lt;&gt;&quot;&apos;&#20013;&#x4E00;&#13;\r\nz\rq</t></si>", 3), "fast"),
    ("a shared string with <t> and runs", SST, lambda x: re.sub(
        r"<si><t>([^<]*)</t></si>", r'<si><t>head</t><r><t>\1</t></r><rPh sb="0" eb="1"><t>p</t></rPh></si>', x,
        count=1), "fast"),
    ("rich shared strings as LibreOffice writes them", SST, lambda x: re.sub(
        r"<si><t>([^<]*)</t></si>", r'<si><r><rPr><b val="true"/><sz val="16"/><color rgb="FF000000"/>'
        r'<rFont val="Noto Sans CJK SC"/><family val="2"/><charset val="1"/></rPr><t xml:space="preserve">a</t></r>'
        r"<r><rPr/><t>b</t></r><r><t>\1</t></r></si>", x, count=2), "fast"),
    ("rich shared strings with a phonetic run", SST, lambda x: re.sub(
        r"<si><t>([^<]*)</t></si>", r'<si><r><t>甲</t></r><r><t>\1</t></r><rPh sb="0" eb="1"><t>ジア</t></rPh>'
        r'<phoneticPr fontId="1" type="noConversion"/></si>', x, count=2), "fast"),
    ("rich shared strings with phonetic properties only", SST, lambda x: re.sub(
        r"<si><t>([^<]*)</t></si>", r'<si><r><t>\1</t></r><phoneticPr fontId="1"/></si>', x, count=1), "fast"),
    ("empty shared strings", SST, lambda x: re.sub(
        r"<si><t>([^<]*)</t></si>", r'<si><t/></si><si><t xml:space="preserve"/><rPh sb="0" eb="1"><t>p</t></rPh></si>',
        x, count=1), "fast"),
    ("an unknown run property", SST, lambda x: re.sub(
        r"<si><t>([^<]*)</t></si>", r'<si><r><rPr><glow val="1"/></rPr><t>\1</t></r></si>', x, count=1), "tree"),
    ("defined names in LibreOffice's attribute order", WB, lambda x: re.sub(
        r'<definedName name="([^"]+)">', r'<definedName function="false" hidden="false" name="\1" vbProcedure="false">',
        x), "fast"),
    ("defined names with references", WB, lambda x: x.replace("</definedName>", "&amp;x</definedName>", 2), "fast"),
    ("Excel's x14ac row attribute, declared", _sheet(T3), lambda x: re.sub(
        r'(<row r="6"[^>]*)>', r'\1 x14ac:dyDescent="0.25">', x.replace(
            "<worksheet ", '<worksheet xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" ', 1),
        count=1), "fast"),
    # forms the scanners leave to the tree parser (same result either way)
    ("x14ac undeclared", _sheet(T3), lambda x: re.sub(r'(<row r="6"[^>]*)>', r'\1 x14ac:dyDescent="0.25">', x, count=1),
     "error"),
    ("pretty-printed cells", _sheet(T3), lambda x: x.replace("<c ", "\n  <c "), "tree"),
    ("attributes in another order", _sheet(T3), lambda x: re.sub(r'<c r="([A-Z0-9]+)" s="(\d+)"', r'<c s="\2" r="\1"', x), "tree"),
    ("an unknown cell attribute", _sheet(T3), lambda x: x.replace('<c r="D6"', '<c r="D6" cm="1"', 1), "tree"),
    ("single-quoted attribute", _sheet(T3), lambda x: x.replace('<c r="D6"', "<c r='D6'", 1), "tree"),
    ("a comment among the cells", _sheet(T3), lambda x: x.replace('<c r="D6"', '<!-- note --><c r="D6"', 1), "tree"),
    ("CDATA in a shared string", SST, lambda x: x.replace("<si><t>", "<si><t><![CDATA[<a>]]>", 1), "tree"),
    ("a cell straight under sheetData", _sheet(T4), lambda x: x.replace("<sheetData>", '<sheetData><c r="Z1"><v>5</v></c>'), "tree"),
    ("sheetData nested one level down", _sheet(T4), lambda x: x.replace("<sheetData>", "<sheetData>", 1)
        .replace("<sheetData>", "<extLst><sheetData>", 1).replace("</sheetData>", "</sheetData></extLst><sheetData/>", 1), "tree"),
    ("strict namespace", _sheet(T4), lambda x: x.replace("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                                         "http://purl.oclc.org/ooxml/spreadsheetml/main"), "fast"),
    ("prefixed elements", _sheet(T4), lambda x: re.sub(r"<(/?)(row|c|v|f)\b", r"<\1x:\2", x).replace(
        "<worksheet ", '<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1), "tree"),
    ("another default namespace on sheetData", _sheet(T4), lambda x: x.replace("<sheetData>", '<sheetData xmlns="urn:x">'), "tree"),
    ("UTF-16", SST, Raw(lambda b: b.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")),
     "tree"),
    ("latin-1 declared", _sheet(COVER), Raw(lambda b: b.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')), "tree"),
    # damage: both must refuse it, the same way
    ("a bare &", SST, lambda x: x.replace("</t></si>", " & </t></si>", 1), "error"),
    ("an unknown entity", _sheet(T3), lambda x: x.replace("<v>", "<v>&nbsp;", 1), "error"),
    ("a reference to NUL", SST, lambda x: x.replace("</t></si>", "&#0;</t></si>", 1), "error"),
    ("a control character", _sheet(T3), lambda x: x.replace("<v>", "<v>\x01", 1), "error"),
    ("]]> in text", SST, lambda x: x.replace("</t></si>", "]]></t></si>", 1), "error"),
    ("invalid UTF-8", SST, Raw(lambda b: b.replace(b"</t></si>", b"\xff\xfe</t></si>", 1)), "error"),
    ("U+FFFF", SST, lambda x: x.replace("</t></si>", "\uffff</t></si>", 1), "error"),
    ("a duplicate row attribute", _sheet(T3), lambda x: x.replace('<row r="6"', '<row r="6" ht="1" ht="2"', 1), "error"),
    ("a duplicate defined-name attribute", WB, lambda x: x.replace("<definedName ", '<definedName hidden="1" hidden="1" ', 1),
     "error"),
    ("an unclosed cell", _sheet(T3), lambda x: x.replace("</c>", "", 1), "error"),
    ("a DTD", SST, lambda x: x.replace("<sst ", '<!DOCTYPE sst [<!ENTITY a "b">]><sst ', 1), "error"),
    ("an entity bomb in the sheet", _sheet(T3), lambda x: x.replace("<worksheet ", '<!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet ', 1)
        .replace("<v>", "<v>&a;", 1), "error"),
    ("r=A0", _sheet(T3), lambda x: x.replace('<c r="D6"', '<c r="A0"', 1), "either"),
    ("a shared-string index that is not a number", _sheet(T3), lambda x: re.sub(r'(t="s"><v>)\d+', r"\1x", x, count=1), "error"),
    ("two sheetData", _sheet(T4), lambda x: x.replace("</sheetData>", "</sheetData><sheetData/>", 1), "either"),
]


def _cells(xml: str, bodies: list) -> str:
    """Put each body into one of 表四's data cells (D6, E6, ...), with its type."""
    for i, body in enumerate(bodies):
        t, body = body if isinstance(body, tuple) else ("", body)
        ref = f"{chr(ord('B') + i)}6"
        xml = _cell(xml, ref, f'<c r="{ref}" s="2"{f" t={chr(34)}{t}{chr(34)}" if t else ""}>{body}</c>')
    return xml


def _shared_formulas(xml: str) -> str:
    """表三's total column (J6:J8) written as one shared formula, as Excel fills down."""
    out, n = re.subn(r'<c r="J6"([^>]*)><f[^>]*>([^<]*)</f>', r'<c r="J6"\1><f t="shared" ref="J6:J8" si="0">\2</f>',
                     xml, count=1)
    for ref in ("J7", "J8"):
        out, m = re.subn(rf'<c r="{ref}"([^>]*)><f[^>]*>[^<]*</f>', rf'<c r="{ref}"\1><f t="shared" si="0"/>', out, count=1)
        n += m
    assert n == 3
    return out


@pytest.mark.parametrize("name,part,edit,expect", VARIANTS, ids=[v[0] for v in VARIANTS])
@pytest.mark.parametrize("base", ["generated", "libreoffice"])
def test_variant(name, part, edit, expect, base, generated):
    data = generated if base == "generated" else MARKET.read_bytes()
    if base == "libreoffice" and part is SST and "<si><t>" not in members(data)["xl/sharedStrings.xml"].decode():
        data = generated  # LibreOffice wrote rich runs only: the edit needs a plain item
    try:
        changed = _edit(data, part, edit)
    except AssertionError:
        pytest.skip("this workbook has no such cell")
    got = assert_same(changed)
    if expect == "error":
        assert not isinstance(got, dict), got
    elif expect in ("fast", "tree"):
        assert isinstance(got, dict), got
        _assert_path(changed, expect == "fast")


def _assert_path(data: bytes, fast: bool) -> None:
    """Did the scanners read every part (fast) or did some part go to the tree parser (a
    sheet's cells, the shared strings or the defined names)?"""
    used = {k: n for k, n in counted(data).items() if k.startswith("tree")}
    assert (not used) == fast, used


# --- seeded random damage --------------------------------------------------------------------------

TOKENS = [b"<", b">", b"&", b'"', b"/", b"=", b" ", b"\r", b"\x01", b"&amp;", b"&#65;", b"&#x0;", b"&lt;", b"<v>",
          b"</v>", b"<c>", b"</c>", b'<c r="A1">', b"<f>", b"<t>", b"</t>", b"<r>", b"</r>", b"<si>", b"]]>", b"\xc3",
          b"\xe4\xb8\xad", b'r="B2"', b' t="s"', b' s="1"', b"<is>", b"</row>", b"<row>", b"<!--", b"-->", b'"1"']


@pytest.mark.parametrize("seed", range(6))
def test_random_damage(seed, generated):
    rng = random.Random(seed)
    bases = [generated, MARKET.read_bytes()]
    for _ in range(60):
        parts = members(rng.choice(bases))
        name = rng.choice([n for n in parts if n.startswith("xl/") and n.endswith(".xml") and "theme" not in n])
        body = bytearray(parts[name])
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(body))
            if rng.random() < 0.5:
                body[i:i + rng.randint(0, 3)] = rng.choice(TOKENS)
            else:
                del body[i:i + rng.randint(1, 12)]
        parts[name] = bytes(body)
        assert_same(rezip(parts))


# --- the scanner's pieces ----------------------------------------------------------------------------


def test_unescape_matches_the_parser():
    from xml.etree.ElementTree import fromstring

    for text in ["a&amp;b", "&lt;&gt;&quot;&apos;", "&#20013;&#x4e00;&#X4E00;", "x\r\ny\rz", "&#13;\r\n", "&#x10FFFF;"]:
        try:
            parsed = fromstring(f"<t>{text}</t>".encode()).text
        except Exception:  # noqa: BLE001
            with pytest.raises(xmlscan.Unusual):
                xmlscan.unescape(text)
            continue
        assert xmlscan.unescape(text) == parsed
    for bad in ["a & b", "&nbsp;", "&#0;", "&#xD800;", "&#xFFFE;", "&#99999999;", "&amp"]:
        with pytest.raises(xmlscan.Unusual):
            xmlscan.unescape(bad)


def test_rich_text_leaves_out_phonetic_runs():
    assert xmlscan.rich_text('<r><t>甲</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 乙</t></r>'
                             '<rPh sb="0" eb="1"><t>こう</t></rPh><phoneticPr fontId="1"/>') == "甲 乙"
    assert xmlscan.rich_text("<t>直接</t><r><t>run</t></r>") == "直接"
    assert xmlscan.rich_text('<rPh sb="0" eb="1"><t>x</t></rPh>') == ""


def test_only_asked_for_sheets_are_read_on_the_fast_path(generated, spec):
    book = read_bytes(generated, [spec.cover_sheet, STAMP_SHEET])
    assert set(book.sheets) == {spec.cover_sheet, STAMP_SHEET}
    assert zipfile.is_zipfile(io.BytesIO(generated))


# --- a sheet whose skeleton was seen before ------------------------------------------------------------

# Texts put into one <v> of a sheet read before: its skeleton (everything but the values) has a
# plan, so the fast path reads it by the plan; each must give what the tree parser gives.
VALUES = ["7", "007", "0", "1e3", "-2", "12.5", "", " 3", "&#51;", "&amp;", "&bogus;", "&#x0;", "&#x1F600;",
          "\x01", "\x7f", "]]>", "a]]", "1234567890123456789", "999999999999999", "٣", "NaN", "\ufffe", "中文",
          "line\r\nend"]


@pytest.mark.parametrize("kind", ["number", "label", "total"])
@pytest.mark.parametrize("value", VALUES, ids=[repr(v) for v in VALUES])
def test_values_in_a_known_skeleton(kind, value, generated, spec):
    parts = members(generated)
    sheet = spec.table("t4").sheet
    name = sheet_part(parts, sheet)
    scanner = xmlscan.Scanner()  # its own memory: what the suite read before cannot have evicted the plans
    scanner.read_bytes(generated, [sheet], blanks=False)  # the plans for this sheet are made here
    xml = parts[name].decode("utf-8")
    pattern = {"number": r'(<c r="[A-Z]+\d+" s="\d+"><v>)[^<]*(</v>)',
               "label": r'(<c r="[A-Z]+\d+" s="\d+" t="s"><v>)[^<]*(</v>)',
               "total": r'(<c r="[A-Z]+\d+" s="\d+"><f>[^<]*</f><v>)[^<]*(</v>)'}[kind]
    edited, n = re.subn(pattern, lambda m: m.group(1) + value + m.group(2), xml, count=1)
    assert n == 1
    parts[name] = edited.encode("utf-8")
    changed = rezip(parts)
    # The edited sheet read as the checks read it: its part's skeleton (every value emptied) is
    # known, and no plan of its cells is made (the one learnt before reads them, or the tree parser)
    before = Counter(scanner.counts)
    with suppress(Exception):  # the verdict on the bytes is assert_same's to compare
        scanner.read_bytes(changed, [sheet], blanks=False)
    learnt = scanner.counts - before
    assert learnt["sheet known"] == 1 and not learnt["sheet plan made"], learnt
    assert_same(changed)


def test_a_book_is_not_changed_by_the_next_one(generated, spec):
    """The plans hand one cell object to every book in which that cell reads alike: cells are
    immutable, so a book keeps what it read whatever is read after it."""
    sheet = spec.table("t4").sheet
    first = read_bytes(generated, blanks=False)
    before = snapshot(first)
    parts = members(generated)
    name = sheet_part(parts, sheet)
    parts[name] = re.sub(rb'(<c r="[A-Z]+\d+" s="\d+"><v>)[^<]*(</v>)', rb"\g<1>12345\2", parts[name])
    second = read_bytes(rezip(parts), blanks=False)
    assert snapshot(second) != before and snapshot(first) == before
    cell = next(iter(first.sheets[sheet].cells.values()))
    with pytest.raises(AttributeError):
        cell.value = 0  # type: ignore[misc]


def test_a_new_scanner_reads_as_the_reference(generated):
    """The accelerator's memory is one object: a fresh one, knowing nothing, reads the same."""
    for data in (generated, MARKET.read_bytes()):
        for blanks in (True, False):
            fresh = xmlscan.Scanner()
            for _ in range(2):  # learning, then by what it learnt
                assert snapshot(fresh.read_bytes(data, blanks=blanks)) == outcome(data, fast=False, blanks=blanks)
            assert fresh.counts and not any(k.startswith("tree") for k in fresh.counts), fresh.counts

TEXTS = ["", "x", "a&amp;b&lt;c", "&#20013;", "&bogus;", "&#x0;", "\x01", "]]>", "a > b", "line\r\nend", "line\rend",
         "第一段\n第二段", " 前后空格 ", "\ufffe"]


@pytest.mark.parametrize("base", ["generated", "libreoffice"])
@pytest.mark.parametrize("value", TEXTS, ids=[repr(v) for v in TEXTS])
def test_texts_in_known_shared_strings(base, value, generated):
    """sharedStrings.xml read by the plan of its skeleton (every <t>'s text emptied): a text
    changed in a plain item and in a run of rich text, against the tree parser."""
    data = generated if base == "generated" else MARKET.read_bytes()
    assert_same(data)  # the plan for this skeleton is made here, if not before
    learnt = counted(data)
    assert learnt["strings plan reused"] == 1 and not learnt["strings plan made"], learnt  # known now
    parts = members(data)
    xml = parts["xl/sharedStrings.xml"].decode("utf-8")
    skeleton = lambda x: "></t>".join(re.split(r">([^<]*)</t>", x[x.index("<si>"):x.rindex("</si>") + 5])[0::2])  # noqa: E731
    for pattern in (r"(<si><t(?: xml:space=\"preserve\")?>)[^<]*(</t></si>)",
                    r"(<r>(?:<rPr>.*?</rPr>)?<t(?: xml:space=\"preserve\")?>)[^<]*(</t></r>)"):
        edited, n = re.subn(pattern, lambda m: m.group(1) + value + m.group(2), xml, count=1)
        if not n:
            continue
        assert skeleton(edited) == skeleton(xml)
        changed = rezip({**parts, "xl/sharedStrings.xml": edited.encode("utf-8")})
        assert not counted(changed)["strings plan made"]
        assert_same(changed)
