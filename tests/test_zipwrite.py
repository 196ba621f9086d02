"""The output packages' zip members (toolkit.outputs.zipwrite): fixed time, chosen level, the
same bytes whenever they are written."""

from __future__ import annotations

import io
import zipfile

from toolkit.outputs import zipwrite

DATA = b"<row>" + b"".join(b'<c r="A%d"><v>%d</v></c>' % (i, i * 7) for i in range(5000)) + b"</row>"


def _package(level: int | None) -> bytes:
    buf = io.BytesIO()
    with zipwrite.archive(buf, level=level) as zf:
        zipwrite.write(zf, "small.xml", DATA, level=level)
        with zipwrite.stream(zf, "streamed.xml") as fh:
            for i in range(0, len(DATA), 1000):
                fh.write(DATA[i:i + 1000])
        zipwrite.write(zf, "text.xml", "汉字")
    return buf.getvalue()


def test_members_are_deflated_at_the_fixed_time(monkeypatch):
    data = _package(1)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert [i.date_time for i in zf.infolist()] == [zipwrite.FIXED_TIME] * 3
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
        assert zf.read("small.xml") == zf.read("streamed.xml") == DATA
        assert zf.read("text.xml").decode("utf-8") == "汉字"
    monkeypatch.setattr(zipfile.time, "time", lambda: 2_000_000_000.0)  # zipfile's clock, a later day
    assert _package(1) == data


def test_the_level_is_the_one_asked_for():
    sizes = {}
    for level in (1, 9):
        with zipfile.ZipFile(io.BytesIO(_package(level))) as zf:
            sizes[level] = {i.filename: i.compress_size for i in zf.infolist()}
    assert sizes[1]["small.xml"] == sizes[1]["streamed.xml"] > sizes[9]["small.xml"] == sizes[9]["streamed.xml"]
