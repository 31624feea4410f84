"""Readers: encodings, normalisation, formats, and clear errors for bad input."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest
from conftest import SEEDS, find

from ingest.errors import ReadError
from ingest.normalize import display_width, normalise_line
from ingest.parse import parse_bytes
from ingest.readers import read_bytes


def _lines(name: str, data: bytes) -> list[str]:
    return read_bytes(Path(name), data).lines


def test_utf8_bom_gb18030_utf16_read_to_the_same_lines():
    text = SEEDS["004"].read_text(encoding="utf-8")
    reference = _lines("a.txt", text.encode("utf-8"))
    assert _lines("a.txt", codecs.BOM_UTF8 + text.encode("utf-8")) == reference
    assert _lines("a.txt", text.encode("gb18030")) == reference
    assert _lines("a.txt", text.encode("utf-16")) == reference
    assert read_bytes(Path("a.txt"), text.encode("gb18030")).encoding == "gb18030"


def test_line_numbers_are_the_editor_line_numbers():
    lines = _lines("a.txt", SEEDS["000"].read_bytes())
    assert lines[434].startswith("一、一般公共预算财政拨款收入")  # line 435 in an editor
    assert len(lines) == len(SEEDS["000"].read_text(encoding="utf-8").split("\n"))


def test_full_width_digits_and_percent_are_normalised_but_cjk_punctuation_kept():
    assert normalise_line("支出决算１２３．４５万元，占９８．９８％（类）") == "支出决算123.45万元，占98.98%（类）"
    assert normalise_line("双节慰问金 \\leq 626700 元") == "双节慰问金 ≤626700 元"
    assert display_width("收入ab") == 6


def test_full_width_report_parses_like_the_ascii_one():
    text = SEEDS["004"].read_text(encoding="utf-8")
    wide = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789.%"})
    a = parse_bytes(Path("a.txt"), text.encode())
    b = parse_bytes(Path("b.txt"), wide.encode())
    key = lambda o: (o.line_no, o.kind, o.item, o.measure, o.value)  # noqa: E731
    assert sorted(map(key, a.result.observations)) == sorted(map(key, b.result.observations))


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_a_utf8_copy_cut_inside_a_character_keeps_its_whole_lines_and_is_partial(bom):
    """A download that stopped inside a character was "neither UTF-8 nor GB18030" and lost everything: its
    whole lines are read, the incomplete last one is not (a figure there may be cut), and the document is
    partial with the place where it stops."""
    data = SEEDS["000"].read_bytes()
    line = data.index("年度一般公共预算财政拨款支出年初预算".encode())   # a sentence with figures
    end = data.index(b"\n", line)
    doc = parse_bytes(Path("cut.txt"), bom + data[:end - 1])   # its last character, 。 (3 bytes), cut after two
    n = data.count(b"\n", 0, line) + 1
    assert doc.status == "partial" and doc.encoding == ("utf-8-sig" if bom else "utf-8")
    assert [(i.severity, i.place, i.message) for i in doc.result.issues if "cut short" in i.message] == [
        ("error", f"L{n}", f"the document is cut short: the file ends inside a character at byte {len(bom) + end - 3}; "
                           f"its last line, {n}, is incomplete and was not read")]
    whole = parse_bytes(Path("whole.txt"), data).result.observations
    before = sorted((o.line_no, o.source_ref, o.value) for o in whole if o.line_no < n)
    assert before and sorted((o.line_no, o.source_ref, o.value) for o in doc.result.observations) == before


@pytest.mark.parametrize(
    "data, message, place",
    [
        (b"", "empty file", "byte 0"),
        (b"   \n\n  ", "no text found", "whole file"),
        (b"%PDF-1.7 \x00\x01", "binary file", "byte 0"),
        (b"\x00\x01\x02\x03" * 100, "binary file", "byte 0"),
        ("收入".encode() + b"\xff\xfe\xfa" + "支出".encode(), "neither UTF-8 nor GB18030", "byte 6"),
    ],
)
def test_bad_input_names_file_and_place(data, message, place):
    with pytest.raises(ReadError) as err:
        read_bytes(Path("bad/report.txt"), data)
    assert message in str(err.value)
    assert "bad/report.txt" in str(err.value)
    assert place in str(err.value)


def test_docx_report_gives_the_same_table_figures(parsed):
    """A DOCX reader emits table rows as tab-separated lines, so the parsers do not change."""
    docx = pytest.importorskip("docx")
    lines = SEEDS["000"].read_text(encoding="utf-8").split("\n")
    document = docx.Document()
    for text in lines[495:520]:  # 支出决算表 (公开03表) with its title lines
        if "\t" in text:
            cells = text.split("\t")
            table = document.add_table(rows=1, cols=len(cells))
            for cell, value in zip(table.rows[0].cells, cells):
                cell.text = value
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    doc = parse_bytes(Path("report.docx"), buffer.getvalue())
    got = {(o.item, o.function_code, o.value) for o in find(doc, table_code="03")}
    want = {(o.item, o.function_code, o.value) for o in find(parsed["000"], table_code="03")}
    assert got == want and len(got) == 30
    assert doc.format == "docx"


def test_xlsx_report_gives_the_same_table_figures(parsed):
    openpyxl = pytest.importorskip("openpyxl")
    lines = SEEDS["000"].read_text(encoding="utf-8").split("\n")
    wb = openpyxl.Workbook()
    ws = wb.active
    for text in lines[567:594]:  # 一般公共预算财政拨款支出决算表 (公开05表)
        ws.append([float(v.replace(",", "")) if v.replace(",", "").replace(".", "").isdigit() and "." in v else v
                   for v in text.split("\t")])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    wb.save(buffer)
    doc = parse_bytes(Path("report.xlsx"), buffer.getvalue())
    got = {(o.item, o.function_code, o.value, o.decimals) for o in find(doc, table_code="05")}
    want = {(o.item, o.function_code, o.value, o.decimals) for o in find(parsed["000"], table_code="05")}
    assert got == want and len(got) == 30
