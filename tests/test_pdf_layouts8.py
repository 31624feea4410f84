"""Pages holding text of two directions, and crops of turned pages (bench/pdf_render.py `turn_tables`): upright
prose above a table drawn turned on a portrait page is read region by region, each in its own frame, and
gives the same facts (value and source_ref) as the upright rendering; the page crops find a figure running
up or down the page.  Content: report 000's 支出决算表 (公开03表, 30 figures) under its title block, as in
tests/test_pdf_rotated.py."""

from __future__ import annotations

import io
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEEDS
from renderers import report_blocks

from ingest.load import document_rows
from ingest.parse import parse_bytes
from ingest.readers.pdf import read_pdf

pytest.importorskip("reportlab")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from pdf_render import render, text_of_blocks  # noqa: E402

TITLE = "西安市总工会2019年度部门决算"
BLOCKS = [TITLE, *report_blocks(SEEDS["000"], 495, 521)]
PROSE = [(TITLE, "p1 L1"), ("支出决算表", "p1 L2"), ("公开03表", "p1 L3"), ("编制部门：西安市总工会（汇总）", "p1 L4"),
         ("单位：万元", "p1 L5")]


def _refs(doc) -> dict:
    """(function code, item) → (value, source_ref) of the 03 table's observations."""
    return {(r["function_code"], r["item"]): (r["value"], r["source_ref"]) for r in document_rows(doc)["observations"]
            if r["table_code"] == "03"}


@pytest.fixture(scope="module")
def upright():
    return {ruled: _refs(parse_bytes(Path("report.pdf"), render(BLOCKS, ruled=ruled))) for ruled in (True, False)}


@pytest.mark.parametrize("turn", [90, 270])
@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_upright_prose_above_a_turned_table_reads_each_in_its_own_frame(turn, ruled, upright):
    """A portrait page: the title block upright at its top, the table turned below it (text running up at 90,
    down at 270), the page number upright at the foot.  The prose is p1 L1–L5 in reading order, the table
    T1 with every ref as on the upright page; both page readers agree.  (Before: the page was turned as a
    whole, the prose read as vertical text: 0/30, not a report.)"""
    data = render(BLOCKS, turn=turn, turn_tables=True, ruled=ruled)
    fast, slow = (read_pdf(Path("r.pdf"), data, backend) for backend in ("pdfium", "pdfplumber"))
    assert fast.lines == slow.lines and fast.locators == slow.locators
    assert [(line, ref) for line, ref in zip(fast.lines, fast.locators) if " L" in ref] == PROSE
    doc = parse_bytes(Path("report.pdf"), data)
    assert _refs(parse_bytes(Path("report.txt"), text_of_blocks(BLOCKS))).keys() == _refs(doc).keys()
    assert _refs(doc) == upright[ruled]
    assert _refs(doc)[("2012906", "total")] == (Decimal("5015.32"), "p1 T1 R8 C3")


@pytest.mark.parametrize("options", [dict(turn=90), dict(turn=270, ruled=False)], ids=["ruled_90", "unruled_270"])
def test_generated_reports_with_turned_tables_under_upright_prose_give_every_table_figure(tmp_path, options):
    """The two generated layouts (prose, title blocks, 公开01–09表 continued over pages, 绩效自评表) on portrait
    pages, the prose upright, every table turned below the prose before it (or on pages of its own), the page
    number upright at the foot ('11' closer to a turned table than a cut's gap: cut off all the same): every
    table figure of the text report, none more (before: 200 of 319, 216 / 152 wrong)."""
    from corpus import PDF_LAYOUTS, build_reports
    from pdf_render import blocks_of_text

    reports, _ = build_reports(tmp_path, 2, seed=7, layouts=PDF_LAYOUTS)
    keys = ("table_code", "kind", "item", "function_code", "economic_code", "measure", "scope", "value")

    def figures(doc) -> Counter:
        return Counter(tuple(str(o[k] or "") for k in keys) for o in document_rows(doc)["observations"]
                       if o["source_kind"] == "table")

    for report in reports:
        want = figures(parse_bytes(report.path, "\n".join(report.lines).encode()))
        data = render(blocks_of_text(report.lines), turn_tables=True, **options)
        assert figures(parse_bytes(report.path.with_suffix(".pdf"), data)) == want, report.layout


def test_turned_header_labels_inside_an_upright_table_are_not_cut_off():
    """Header labels turned a quarter turn in their cells (Excel's text orientation) are text of another
    direction too, but the upright title above, the row's other labels and the body below leave no gap
    that parts them: the page is one region, read upright."""
    import pdfplumber

    from ingest.readers.pdfium_page import by_direction

    for options in (dict(vertical="up"), dict(vertical="down", ruled=False)):
        with pdfplumber.open(io.BytesIO(render(BLOCKS, **options))) as pdf:
            page = pdf.pages[0]
            assert by_direction(page) == [page]


def test_a_mixed_page_is_cut_into_its_regions_in_reading_order():
    """The regions of a mixed page: the prose above, the turned table, the upright page number at the foot."""
    import pdfplumber

    from ingest.readers.pdfium_page import by_direction, page_turn

    with pdfplumber.open(io.BytesIO(render(BLOCKS, turn=90, turn_tables=True))) as pdf:
        parts = by_direction(pdf.pages[0])
        assert [("".join(c["text"] for c in part.chars)[:8], page_turn(part), len(part.chars)) for part in parts] \
            == [(TITLE[:8], 0, 46), ("项目本年支出合计", 90, 391), ("1", 0, 1)]


@pytest.mark.parametrize("options", [dict(turn=90), dict(turn=270), dict(turn=90, turn_tables=True),
                                     dict(turn=270, turn_tables=True, ruled=False)],
                         ids=["turned_90", "turned_270", "mixed_90", "mixed_270_unruled"])
def test_the_crop_of_a_figure_on_a_turned_page_is_found_by_its_ref(tmp_path, options):
    """juesuan/pdfcrop: the region of 2012906's 本年支出合计 (p1 T1 R8 C3, '5,015.32') on a page whose text runs
    up (90) or down (270) the page, whole or below upright prose, is found by its ref, and the mark holds
    exactly the figure's characters (a glyph wide, the figure long: the figure runs vertically).  Before, on
    a page turned 90, pdfplumber's search read the figure top to bottom ('23.510,5') and there was no crop."""
    import pdfplumber

    from juesuan.pdfcrop import PdfCropper

    path = tmp_path / "r.pdf"
    path.write_bytes(render(BLOCKS, **options))
    with PdfCropper(path) as cropper:
        region = cropper.region("p1 T1 R8 C3", "5,015.32")
        line = cropper.region("p1 L2", "支出决算表")
    assert region is not None and region.how == "ref" and line is not None and line.how == "ref"
    x0, top, x1, bottom = region.mark
    assert x1 - x0 == pytest.approx(9, abs=1) and bottom - top > 25
    with pdfplumber.open(path) as pdf:
        inside = pdf.pages[0].crop((x0 - 0.5, top - 0.5, x1 + 0.5, bottom + 0.5)).chars
    assert sorted(c["text"] for c in inside) == sorted("5,015.32")


def test_a_one_column_part_without_lines_on_a_page_of_its_own_continues_the_table():
    """支出决算表 split by columns (4 a page) and rows (10 a page), drawn without lines: page 4 prints the
    last rows of the other columns, of which only 项目支出 has figures — one figure a line, no labels, no
    table for _table_bands.  It is read as that column's continuation: 30 figures as the text report,
    210's 项目支出 at p4 T1 R1 C1 (before: 27/30, those three lines prose)."""
    data = render(BLOCKS, split_columns=4, rows_per_page=10, ruled=False)
    doc = parse_bytes(Path("report.pdf"), data)
    text = _refs(parse_bytes(Path("report.txt"), text_of_blocks(BLOCKS)))
    refs = _refs(doc)
    assert {k: v for k, (v, _) in refs.items()} == {k: v for k, (v, _) in text.items()}
    assert [refs[(code, "project")] for code in ("210", "21002", "2100212")] == [
        (Decimal("100.00"), "p4 T1 R1 C1"), (Decimal("100.00"), "p4 T1 R2 C1"), (Decimal("100.00"), "p4 T1 R3 C1")]
    assert refs[("2012906", "project")] == (Decimal("5015.32"), "p3 T1 R7 C1")
    assert not [line for line, ref in zip(*(lambda r: (r.lines, r.locators))(read_pdf(Path("r.pdf"), data)))
                if ref.startswith("p4 L")]


def test_a_right_aligned_figure_under_a_spread_label_does_not_cut_it(tmp_path):
    """The generated 绩效自评表 drawn without lines, labels spread over their cells (分散对齐), figures
    right-aligned: '100.00' ends at its column's end and happens to start under the '%' of the spread header
    '执行率（%）'.  A right-aligned figure (another figure ends where it ends) marks no column start, so the
    header is one word over its column, and the figures stand under it (before: '执行率（' | '%）', two
    columns, 执行率 lost).  Read with pdfminer's glyph boxes (the PDF's own widths; pdfium's depend on the
    fonts installed when the CJK font is not embedded)."""
    from corpus import PDF_LAYOUTS, build_reports
    from pdf_render import blocks_of_text

    reports, _ = build_reports(tmp_path, 1, seed=7, layouts=PDF_LAYOUTS)
    data = render(blocks_of_text(reports[0].lines), ruled=False, right_figures=True, distributed=True)
    raw = read_pdf(Path("r.pdf"), data, "pdfplumber")
    rows = {ref: line for line, ref in zip(raw.lines, raw.locators)}
    assert rows["p3 T2 R3"] == "项目资金（万元）\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率（%）\t得分"
    assert rows["p3 T2 R4"] == "年度资金总额\t260.11\t306.13\t306.13\t10\t100.00\t10.00"
    assert rows["p4 T2 R3"].split("\t")[-3:] == ["执行率（%）", "得分", ""]


@pytest.mark.parametrize("skew", [2, -3])
@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_a_page_on_a_slight_slope_is_levelled(skew, ruled, upright):
    """The page's content turned by a few degrees (a scan's text layer deskewed that far, a page placed
    askew): the characters are turned back by the slope they share, and the table (its rules askew too, left
    out) is read by its text's alignment — the facts and refs of the upright table drawn without lines
    (before: 0/30 from 2°, not a report).  Both page readers agree."""
    data = render(BLOCKS, skew=skew, ruled=ruled)
    fast, slow = (read_pdf(Path("r.pdf"), data, backend) for backend in ("pdfium", "pdfplumber"))
    assert fast.lines == slow.lines and fast.locators == slow.locators
    assert [(line, ref) for line, ref in zip(fast.lines, fast.locators) if " L" in ref] == PROSE
    assert _refs(parse_bytes(Path("report.pdf"), data)) == upright[False]


def test_a_turned_table_beside_upright_prose_is_cut_off_down_the_page():
    """A portrait page: a column of upright notes on the left (its lines beside the table's height), a
    small table drawn turned (text running up) on the right.  The cut runs down the page: the notes are
    p1 L1–L20 top to bottom, the table T1 with its rows as printed upright, by both page readers (before:
    the page read upright, the turned table as stacked labels: 'T3 R1' '第20条说明科目名称 | 一般公共服务支出
    | …', its figures lost)."""
    from pdf_render import FONT
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    notes = [f"第{k + 1}条说明" for k in range(20)]
    rows = [["科目代码", "科目名称", "合计", "基本支出"], ["201", "一般公共服务支出", "5,084.57", "4,000.00"],
            ["208", "社会保障和就业支出", "148.41", "148.41"], ["210", "卫生健康支出", "101.11", "1.11"]]
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setFont(FONT, 9)
    for k, text in enumerate(notes):
        c.drawString(40, 800 - 20 * k, text)
    c.translate(480, 450)
    c.rotate(90)
    for r, row in enumerate(rows):
        for j, text in enumerate(row):
            c.drawString(-200 + 110 * j, -16 * (r + 1), text)
    c.showPage()
    c.save()
    want = [*((text, f"p1 L{k + 1}") for k, text in enumerate(notes)),
            *(("\t".join(row), f"p1 T1 R{r + 1}") for r, row in enumerate(rows))]
    for backend in ("pdfium", "pdfplumber"):
        raw = read_pdf(Path("r.pdf"), buffer.getvalue(), backend)
        assert list(zip(raw.lines, raw.locators)) == want, backend
