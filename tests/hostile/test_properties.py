"""Properties: for any bytes, check_bytes returns a Result (never raises) in bounded time; for any
text, the published readers return a report or refuse it with ReadError."""

from __future__ import annotations

import io
import tempfile
import time
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile.make import members, workbook
from toolkit.check.workbook import Result, check_bytes
from toolkit.published.doc import ReadError
from toolkit.published.reader import read_published

QUICK = settings(database=None, deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
SECONDS = 2.0


def _checked(data: bytes) -> None:
    start = time.monotonic()
    r = check_bytes(data, "x.xlsx")
    assert isinstance(r, Result)
    assert time.monotonic() - start < SECONDS


@QUICK
@given(st.binary(max_size=4096))
def test_any_bytes(data):
    _checked(data)


@QUICK
@given(st.binary(max_size=2048))
def test_any_bytes_after_a_zip_signature(data):
    _checked(b"PK\x03\x04" + data)


@QUICK
@given(st.lists(st.tuples(st.integers(0, 40_000), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_workbook_with_bytes_changed(changes):
    data = bytearray(workbook())
    for at, value in changes:
        data[at % len(data)] = value
    _checked(bytes(data))


def _repacked(replace: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members(workbook()):
            zf.writestr(name, replace.get(name, data))
    return buf.getvalue()


@QUICK
@given(st.sampled_from(["xl/worksheets/sheet3.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "docProps/core.xml",
                        "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]),
       st.integers(0, 10_000), st.binary(max_size=64))
def test_a_workbook_with_a_part_spliced(part, at, junk):
    data = dict(members(workbook()))[part]
    at %= len(data)
    _checked(_repacked({part: data[:at] + junk + data[at:]}))


@QUICK
@given(st.text(max_size=3000), st.sampled_from([".txt", ".html"]))
def test_any_text_is_read_or_refused(text, suffix):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"report{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        start = time.monotonic()
        try:
            read_published(path)
        except ReadError as e:
            assert str(e)
        assert time.monotonic() - start < SECONDS


_LINES = st.lists(st.one_of(
    st.sampled_from(["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "表二", "表三",
                     "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
                     "规章 | 0 | 0 | 0", "合计", "本年新收政府信息公开申请数量"]),
    st.text(alphabet="0123456789 .,|\t-—/件万元", max_size=80)), max_size=60)


@QUICK
@given(_LINES)
def test_report_like_text_is_read_or_refused(lines):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "report.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        start = time.monotonic()
        try:
            read_published(path)
        except ReadError:
            pass
        assert time.monotonic() - start < SECONDS
