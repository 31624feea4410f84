"""Readers: a PDF or DOCX cut short is said to be cut short at its last byte (not a parser's exception at byte 0),
in Chinese by default; UTF-16 text without a BOM is read, told by its zero bytes."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from conftest import SEEDS

from ingest.parse import parse_bytes, parse_file
from ingest.pipeline import _parse_one
from juesuan import i18n

SHARED = Path(os.environ.get("JUESUAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SWU = SHARED / "real" / "西南大学2023年度部门决算.pdf"
HINT = " (the copy or download stopped before the end; fetch the file again)"


@pytest.fixture
def zh():
    i18n.set_lang("zh")
    yield
    i18n.set_lang(None)


def _docx() -> bytes:
    """A DOCX of 000's first 300 lines (python-docx), complete."""
    import docx

    document = docx.Document()
    for line in SEEDS["000"].read_text(encoding="utf-8").split("\n")[:300]:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.mark.skipif(not SWU.is_file(), reason="../shared/real is absent")
def test_a_pdf_cut_short_is_cut_short_at_its_last_byte(tmp_path, zh):
    path = tmp_path / "trunc.pdf"
    path.write_bytes(SWU.read_bytes()[:20000])   # head -c 20000
    kind, (message, place) = _parse_one(str(path))
    assert (kind, message, place) == (
        "error", "the file is cut short: a PDF ends with %%EOF, this one stops at byte 20000 without it" + HINT,
        "byte 20000")
    assert (i18n.message(message), i18n.place(place)) == (
        "文件不完整（被截断）：PDF 文件应以 %%EOF 结尾，此文件到第 20000 字节就结束了（复制或下载未完成；请重新获取文件）",
        "第 20000 字节")


def test_a_docx_cut_short_is_cut_short_at_its_last_byte(tmp_path, zh):
    data = _docx()
    assert parse_bytes(Path("whole.docx"), data).unit_name == "西安市总工会"   # the whole file reads
    path = tmp_path / "trunc.docx"
    path.write_bytes(data[:len(data) // 2])
    kind, (message, place) = _parse_one(str(path))
    n = len(data) // 2
    assert (kind, message, place) == (
        "error", f"the file is cut short: a DOCX/XLSX (ZIP) file ends with its central directory, this one stops at "
                 f"byte {n} without it" + HINT, f"byte {n}")
    assert i18n.message(message) == (f"文件不完整（被截断）：DOCX/XLSX（ZIP）文件应以中央目录结尾，此文件到第 {n} 字节就结束了"
                                     "（复制或下载未完成；请重新获取文件）")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_reads_as_the_utf8_original(tmp_path, encoding):
    original = parse_file(SEEDS["002"])
    path = tmp_path / "002.txt"
    path.write_bytes(SEEDS["002"].read_text(encoding="utf-8").encode(encoding))   # no BOM
    doc = parse_file(path)
    assert (doc.encoding, doc.status) == (encoding, "ok")
    assert [(o.source_ref, o.value_text, o.kind, o.item, o.value) for o in doc.result.observations] == \
        [(o.source_ref, o.value_text, o.kind, o.item, o.value) for o in original.result.observations]
    assert len(doc.result.observations) == 205


def test_nul_bytes_anywhere_are_still_a_binary_file(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\x00\x01garbage" * 40)
    assert _parse_one(str(path)) == ("error", ("binary file, not text (contains NUL bytes)", "byte 0"))
