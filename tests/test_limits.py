"""Limits: zip bombs, oversized files, documents over their time or memory budget, and a very long line.

Each bad input fails alone with a reason naming the file (and the member or budget), and the batch
goes on; the long line parses completely.  No timings are asserted: a run that regressed to
quadratic work would fail by the per-document time budget instead of completing.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.errors import ReadError
from ingest.limits import Limits, check_archive
from ingest.parse import parse_bytes
from ingest.pipeline import ingest_paths
from ingest.readers import read_bytes

ROOT = Path(__file__).resolve().parents[1]
REPORT = sorted((ROOT / "data" / "reports").glob("004_*.txt"))[0]  # complete (003 is partial: its tables are attachments)

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def docx_bomb(mb: int = 64) -> bytes:
    """A DOCX whose document.xml inflates ~1000× (an empty paragraph repeated)."""
    body = b"<w:p/>" * (mb * 1024 * 1024 // 6)
    xml = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           b"<w:body>" + body + b"</w:body></w:document>")
    return _zip({"[Content_Types].xml": CONTENT_TYPES.encode(), "word/document.xml": xml})


def xlsx_bomb(mb: int = 64) -> bytes:
    """An XLSX whose sheet inflates ~1000× (one cell repeated in rows)."""
    rows = b'<row><c t="n"><v>1</v></c></row>' * (mb * 1024 * 1024 // 32)
    xml = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b"<sheetData>" + rows + b"</sheetData></worksheet>")
    return _zip({"[Content_Types].xml": CONTENT_TYPES.encode(), "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": xml})


LONG_SENTENCE = "一般公共预算财政拨款支出决算为123.45万元，比上年增加1.2万元，"


def long_line_file(size: int = 2 * 1024 * 1024) -> tuple[bytes, int]:
    """One 2 MB line: the report year, then one sentence repeated; returns (bytes, repetitions)."""
    head = "2024年度部门决算。"
    reps = (size - len(head.encode())) // len(LONG_SENTENCE.encode())
    return (head + LONG_SENTENCE * reps).encode("utf-8"), reps


def test_zip_bombs_are_refused_before_inflating():
    for name, data, member in (("bomb.docx", docx_bomb(), "word/document.xml"),
                               ("bomb.xlsx", xlsx_bomb(), "xl/worksheets/sheet1.xml")):
        assert len(data) < 200 * 1024        # a small file …
        with pytest.raises(ReadError) as caught:
            read_bytes(Path(name), data)    # … refused by the reader entry point, before any parser opens it
        e = caught.value
        assert e.path == name and e.place == f"member {member}"
        assert e.message.startswith(f"archive member {member} inflates ") and "the limit is 200×" in e.message


def test_archive_total_size_limit_counts_every_member():
    members = {f"xl/worksheets/sheet{i}.xml": bytes(range(256)) * 4096 for i in range(1, 4)}   # 1 MB each, ratio ~1
    data = _zip(members)
    check_archive("ok.xlsx", data, Limits(max_unzipped_bytes=4 * 1024 * 1024))     # 3 MB: fine
    with pytest.raises(ReadError) as caught:
        check_archive("big.xlsx", data, Limits(max_unzipped_bytes=2 * 1024 * 1024))
    assert caught.value.message == "archive inflates to more than 2.0 MB (at member xl/worksheets/sheet3.xml)"


def test_a_real_office_file_passes_the_archive_check(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("2024年度部门决算")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text, t.cell(1, 0).text, t.cell(1, 1).text = "项目", "金额", "合计", "12.5"
    buf = io.BytesIO()
    d.save(buf)
    raw = read_bytes(Path("real.docx"), buf.getvalue())
    assert "2024年度部门决算" in raw.lines and "合计\t12.5" in raw.lines


def test_a_two_megabyte_line_parses_completely():
    data, reps = long_line_file()
    assert data.count(b"\n") == 0 and len(data) > 2_000_000
    doc = parse_bytes(Path("long.txt"), data)
    figures = [o for o in doc.result.observations if o.line_no == 1]
    # every sentence gives its two figures: the amount and the change
    assert len(figures) == 2 * reps
    assert {o.value_text for o in figures} == {"123.45万元", "1.2万元"}
    assert {o.value for o in figures} == {Decimal("123.45"), Decimal("1.2")}


@pytest.fixture()
def batch(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REPORT, folder / REPORT.name)
    (folder / "bomb.docx").write_bytes(docx_bomb())
    (folder / "bomb.xlsx").write_bytes(xlsx_bomb())
    data, _ = long_line_file()
    (folder / "long.txt").write_bytes(data)
    return folder


def test_bombs_fail_alone_and_the_batch_goes_on(batch, tmp_path, monkeypatch):
    monkeypatch.setenv("JUESUAN_DOC_TIMEOUT", "240")   # a quadratic pass would fail here, not hang
    summary = ingest_paths([batch], str(tmp_path / "w.duckdb"), workers=2)
    failures = {Path(f.path).name: (f.place, f.message.split(" inflates ")[0]) for f in summary.failures}
    assert failures == {"bomb.docx": ("member word/document.xml", "archive member word/document.xml"),
                        "bomb.xlsx": ("member xl/worksheets/sheet1.xml", "archive member xl/worksheets/sheet1.xml")}
    loaded = {Path(d["path"]).name: d["status"] for d in summary.documents}
    assert loaded == {REPORT.name: "ok", "long.txt": loaded["long.txt"]} and summary.parsed == 2


def test_a_file_over_the_size_limit_fails_with_the_limit(tmp_path, monkeypatch):
    shutil.copy(REPORT, tmp_path / REPORT.name)          # 33 KB (004)
    monkeypatch.setenv("JUESUAN_MAX_FILE_MB", "0.01")     # 10 KB
    summary = ingest_paths([tmp_path], str(tmp_path / "w.duckdb"))
    [f] = summary.failures
    assert (Path(f.path).name, f.place) == (REPORT.name, "whole file")
    assert f.message == (f"file too large: {round(REPORT.stat().st_size / 1024)} KB, the limit is 10 KB "
                         "(raise JUESUAN_MAX_FILE_MB if this really is one report)")


def test_a_document_over_its_time_budget_fails_and_the_batch_goes_on(tmp_path, monkeypatch):
    shutil.copy(REPORT, tmp_path / REPORT.name)
    (tmp_path / "slow.txt").write_bytes(REPORT.read_bytes().replace(b"2024", b"2023"))
    monkeypatch.setenv("JUESUAN_DOC_TIMEOUT", "2")
    monkeypatch.setenv("JUESUAN_TEST_PARSE_DELAY", "30:slow.txt")    # holds only slow.txt
    summary = ingest_paths([tmp_path], str(tmp_path / "w.duckdb"), workers=1)
    assert [(Path(f.path).name, f.place, f.message) for f in summary.failures] == [
        ("slow.txt", "whole file", "over the time budget of 2s per document (JUESUAN_DOC_TIMEOUT); its parser was stopped")]
    # the one worker was replaced and parsed the other document
    assert [Path(d["path"]).name for d in summary.documents] == [REPORT.name]


def test_a_document_over_its_memory_budget_fails_and_the_batch_goes_on(tmp_path, monkeypatch):
    pytest.importorskip("resource")
    import resource

    if not hasattr(resource, "RLIMIT_AS"):
        pytest.skip("no RLIMIT_AS on this platform")
    shutil.copy(REPORT, tmp_path / REPORT.name)
    line = "一般公共预算财政拨款支出决算为123.45万元，比上年增加1.2万元。\n"
    (tmp_path / "huge.txt").write_text("2024年度部门决算\n" + line * 100_000, encoding="utf-8")   # 8.8 MB
    monkeypatch.setenv("JUESUAN_DOC_MEMORY_MB", "30")
    summary = ingest_paths([tmp_path], str(tmp_path / "w.duckdb"), workers=1)
    [f] = summary.failures
    assert Path(f.path).name == "huge.txt" and f.place == "whole file"
    assert "memory budget of 30 MB" in f.message
    assert [Path(d["path"]).name for d in summary.documents] == [REPORT.name]
