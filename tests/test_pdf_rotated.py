"""PDF pages whose text is not upright on the page as stored (bench/pdf_render.py): a landscape table drawn
turned onto a portrait page without /Rotate (printer drivers, imposition tools), turned pages mixed with
upright ones, /Rotate combined with a turned drawing; header labels printed vertically; encrypted files.
Each reads the same facts (value and source_ref) as the text report and the upright PDF, or says why not.
The content is report 000's 支出决算表 (公开03表, 30 figures) under its title line, as in
tests/test_pdf_producers.py."""

from __future__ import annotations

import io
import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEEDS
from renderers import report_blocks

from ingest.errors import ReadError
from ingest.load import document_rows
from ingest.parse import parse_bytes
from ingest.readers.pdf import read_pdf
from ingest.readers.pdfium_page import display_box

pytest.importorskip("reportlab")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from pdf_render import PAGE_BREAK, render, text_of_blocks  # noqa: E402

TITLE = "西安市总工会2019年度部门决算"
BLOCKS = [TITLE, *report_blocks(SEEDS["000"], 495, 521)]
TABLE = BLOCKS[-1]


def _refs(doc, code: str = "03") -> dict:
    """(function code, item) → (value, source_ref) of the table's observations."""
    return {(r["function_code"], r["item"]): (r["value"], r["source_ref"]) for r in document_rows(doc)["observations"]
            if r["table_code"] == code}


def _values(doc) -> set:
    return {(key, value) for key, (value, _) in _refs(doc).items()}


@pytest.fixture(scope="module")
def text_values():
    values = _values(parse_bytes(Path("report.txt"), text_of_blocks(BLOCKS)))
    assert len(values) == 30
    return values


@pytest.fixture(scope="module")
def upright():
    """The upright renderings' refs, ruled and unruled."""
    return {ruled: _refs(parse_bytes(Path("report.pdf"), render(BLOCKS, ruled=ruled))) for ruled in (True, False)}


# ---------------------------------------------------------------- 1. content drawn turned, no /Rotate
@pytest.mark.parametrize("turn", [90, 270, 180])
@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_a_page_drawn_turned_without_rotate_reads_as_the_upright_page(turn, ruled, text_values, upright):
    """The landscape table drawn turned onto a portrait page, no /Rotate: its text runs up (90) or down (270)
    the page.  The page is read in its text's frame: the same facts as the text report, every ref as on the
    upright page, and both page readers (pdfium, pdfminer) give the same lines and locators."""
    data = render(BLOCKS, turn=turn, ruled=ruled)
    assert re.findall(rb"/Rotate \d+", data) == [b"/Rotate 0"]
    doc = parse_bytes(Path("report.pdf"), data)
    assert _values(doc) == text_values
    assert _refs(doc) == upright[ruled]
    assert _refs(doc)[("2012906", "total")] == (Decimal("5015.32"), "p1 T1 R8 C3")
    fast, slow = (read_pdf(Path("r.pdf"), data, backend) for backend in ("pdfium", "pdfplumber"))
    assert fast.lines == slow.lines and fast.locators == slow.locators
    assert not fast.issues


@pytest.mark.parametrize("turn", [90, 270])
def test_a_turned_page_with_an_upright_page_label_is_still_read_turned(turn, upright):
    """The printer driver's own label printed upright at the foot of the portrait page ('第 1 页 共 1 页'),
    the content turned: most characters run turned, so the page is read turned; the label does not disturb
    the table (it is beside the table's rows in the upright frame)."""
    data = render(BLOCKS, turn=turn, page_label="第 {page} 页 共 1 页")
    fast, slow = (read_pdf(Path("r.pdf"), data, backend) for backend in ("pdfium", "pdfplumber"))
    assert fast.lines == slow.lines and fast.locators == slow.locators
    assert _refs(parse_bytes(Path("report.pdf"), data)) == upright[True]


@pytest.mark.parametrize(("rotate", "turn"), [(90, 90), (90, 270), (270, 90), (180, 90)])
def test_rotate_combined_with_content_drawn_turned(rotate, turn, upright):
    """/Rotate set and the content drawn turned against or with it: what counts is how the text runs on the
    displayed page (the glyph matrices with /Rotate applied)."""
    data = render(BLOCKS, rotate=rotate, turn=turn)
    assert f"/Rotate {rotate}".encode() in data
    assert _refs(parse_bytes(Path("report.pdf"), data)) == upright[True]


def test_a_turned_table_page_between_upright_prose_pages_keeps_its_page_refs(upright):
    """Page 2 of three drawn turned (a wide table inserted into a portrait document), pages 1 and 3 upright
    prose: each page is read in its own frame, every ref names its page."""
    prose = ["一、部门主要职责", "二、部门决算单位构成"]
    blocks = [*prose, PAGE_BREAK, *BLOCKS, PAGE_BREAK, "三、收入支出决算总体情况说明"]
    data = render(blocks, turn=90, turn_pages={2})
    raw = read_pdf(Path("r.pdf"), data)
    assert [(line, ref) for line, ref in zip(raw.lines, raw.locators) if " L" in ref] == [
        ("一、部门主要职责", "p1 L1"), ("二、部门决算单位构成", "p1 L2"), (TITLE, "p2 L1"), ("支出决算表", "p2 L2"),
        ("公开03表", "p2 L3"), ("编制部门：西安市总工会（汇总）", "p2 L4"), ("单位：万元", "p2 L5"),
        ("三、收入支出决算总体情况说明", "p3 L1")]
    refs = _refs(parse_bytes(Path("report.pdf"), data))
    assert refs == {key: (value, ref.replace("p1 ", "p2 ")) for key, (value, ref) in upright[True].items()}


@pytest.mark.parametrize("turn", [90, 270])
def test_crop_boxes_of_a_turned_page_are_on_the_displayed_page(turn):
    """Where a row was printed (read_pdf's geometry, for the page crops) is given on the page as displayed:
    the box read upright, turned back, holds the row's figures on the portrait page."""
    import pdfplumber

    data = render(BLOCKS, turn=turn)
    upright_boxes, boxes = {}, {}
    read_pdf(Path("r.pdf"), render(BLOCKS), geometry=upright_boxes)
    read_pdf(Path("r.pdf"), data, geometry=boxes)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        assert (page.width, page.height) == pytest.approx((595.28, 841.89), abs=0.01)
        assert boxes["p1 T1 R8"] == pytest.approx(display_box(upright_boxes["p1 T1 R8"], turn, page.width,
                                                              page.height), abs=1)
        inside = page.crop(boxes["p1 T1 R8"]).chars
    assert "".join(sorted(c["text"] for c in inside)) == "".join(sorted("".join(TABLE[7]).replace(" ", "")))


# ---------------------------------------------------------------- 3. encryption
def _encryption(data: bytes) -> tuple:
    """(V, R, crypt filter method) of the file's /Encrypt dictionary."""
    from pypdf import PdfReader

    encrypt = PdfReader(io.BytesIO(data)).trailer["/Encrypt"].get_object()
    return encrypt["/V"], encrypt["/R"], encrypt["/CF"]["/StdCF"]["/CFM"]


@pytest.mark.parametrize(("cipher", "version"), [("AES-128", (4, 4, "/AESV2")), ("AES-256", (5, 6, "/AESV3"))])
@pytest.mark.parametrize("backend", ["pdfium", "pdfplumber"])
def test_an_owner_password_with_aes_encryption_opens_and_reads(cipher, version, backend, text_values, upright):
    """An owner password only (empty user password), AES-128 (/R 4) or AES-256 (/R 6), copying forbidden:
    both page readers decrypt it (pdfminer with `cryptography`) and read what the unencrypted file reads."""
    data = render(BLOCKS, owner_password="owner", cipher=cipher)
    assert _encryption(data) == version
    raw = read_pdf(Path("report.pdf"), data, backend)
    plain = read_pdf(Path("report.pdf"), render(BLOCKS), backend)
    assert (raw.lines, raw.locators, raw.issues) == (plain.lines, plain.locators, [])
    if backend == "pdfium":
        doc = parse_bytes(Path("report.pdf"), data)
        assert _values(doc) == text_values and _refs(doc) == upright[True]


@pytest.mark.parametrize("cipher", ["RC4-128", "AES-128", "AES-256"])
def test_a_pdf_that_needs_a_user_password_is_a_read_error_naming_the_file(cipher):
    """A user password is needed to open the file: a ReadError naming the file says so (no traceback, not
    'not a report'), whichever page reader was asked."""
    data = render(BLOCKS, owner_password="owner", user_password="secret", cipher=cipher)
    for backend in ("pdfium", "pdfplumber"):
        with pytest.raises(ReadError) as err:
            read_pdf(Path("reports/locked.pdf"), data, backend)
        assert str(err.value) == ("reports/locked.pdf, document: encrypted PDF: it cannot be opened without its "
                                  "password (ask the publisher for an unprotected copy or decrypt it first)")
    with pytest.raises(ReadError, match="^reports/locked.pdf, document: encrypted PDF"):
        parse_bytes(Path("reports/locked.pdf"), data)


# ---------------------------------------------------------------- 2. header labels printed vertically
@pytest.mark.parametrize("vertical", ["stacked", "up", "down"])
@pytest.mark.parametrize("options", [dict(), dict(ruled=False), dict(rules="three_line", header_rows=3),
                                     dict(ruled=False, middle=True)],
                         ids=["ruled", "unruled", "three_line", "unruled_middle"])
def test_header_labels_printed_vertically_are_read_as_words(vertical, options, text_values):
    """The labels over the figure columns printed in narrow columns one character per line (竖排:
    '基\\n本\\n支\\n出') or turned a quarter turn (the text running up from the cell's bottom, or down): each
    is read as its word in its column, so the columns are those of the horizontal header (基本支出 is the
    basic column), every ref as in the horizontal rendering, by both page readers."""
    data = render(BLOCKS, vertical=vertical, **options)
    fast, slow = (read_pdf(Path("r.pdf"), data, backend) for backend in ("pdfium", "pdfplumber"))
    assert fast.lines == slow.lines and fast.locators == slow.locators
    assert [cell.text for cell in fast.tables[0].rows[0]] == TABLE[0]
    doc = parse_bytes(Path("report.pdf"), data)
    assert _values(doc) == text_values
    assert _refs(doc) == _refs(parse_bytes(Path("report.pdf"), render(BLOCKS, **options)))
    assert _refs(doc)[(None, "basic")][0] == Decimal("149.52")


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_one_character_cells_of_consecutive_rows_are_not_a_vertical_label(ruled):
    """A text table whose rows hold one-character cells (甲/乙/丙, 是/否), no digits on their lines: the rows
    are a row pitch apart, further than stacked characters, so each cell stays in its row (a looser rule
    read '甲乙丙 是否是' on the first row and dropped the others)."""
    rows = [["绩效指标名称", "是否达成", "情况说明"], ["甲", "是", "已验收"], ["乙", "否", "整改中"], ["丙", "是", "已回访"]]
    joined = [" ".join(row) for row in rows] if not ruled else ["\t".join(row) for row in rows]
    for backend in ("pdfium", "pdfplumber"):
        assert read_pdf(Path("r.pdf"), render(["标题", rows], ruled=ruled), backend).lines == ["标题", *joined]


# ---------------------------------------------------------------- whole generated reports
@pytest.mark.parametrize("options", [dict(turn=90), dict(turn=270, ruled=False), dict(vertical="stacked", ruled=False),
                                     dict(vertical="up", ruled=False), dict(vertical="up", ruled=False, middle=True),
                                     dict(vertical="down")],
                         ids=["turned_90", "turned_270_unruled", "stacked_unruled", "up_unruled", "up_unruled_middle",
                              "down_ruled"])
def test_generated_reports_turned_or_with_vertical_headers_give_the_text_reports_table_figures(tmp_path, options):
    """The two generated report layouts (prose, title blocks, 公开01–09表 continued over pages, 绩效自评表),
    every page drawn turned, or every header label over a figure column printed vertically ('因\\n公\\n出\\n国
    \\n（\\n境\\n）\\n费', '财政拨款“三公”经费', '执行率（%）'): every table figure of the text report, none
    more."""
    from corpus import PDF_LAYOUTS, build_reports
    from pdf_render import blocks_of_text

    reports, _ = build_reports(tmp_path, 2, seed=7, layouts=PDF_LAYOUTS)
    keys = ("table_code", "kind", "item", "function_code", "economic_code", "measure", "scope", "value")

    def figures(doc) -> Counter:
        return Counter(tuple(str(o[k] or "") for k in keys) for o in document_rows(doc)["observations"]
                       if o["source_kind"] == "table")

    sizes = []
    for report in reports:
        want = figures(parse_bytes(report.path, "\n".join(report.lines).encode()))
        got = figures(parse_bytes(report.path.with_suffix(".pdf"), render(blocks_of_text(report.lines), **options)))
        assert got == want, report.layout
        sizes.append((report.layout, sum(want.values())))
    assert sizes == [("grid", 271), ("narrative", 48)]
