"""Wide tables printed split by columns over two pages (bench/pdf_render.py `split_columns`), as Excel and
WPS print a sheet too wide for the page: the first page prints the row labels and the first value columns,
the next page the other columns — repeating the row labels or not, under nothing, '续表' or the title block
repeated.  Read from the PDF, every figure has its row's 科目 and its column's measure, as the text report
gives them, and its ref names the page, row and column it is printed at."""

from __future__ import annotations

import sys
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
from pdf_render import PAGE_BREAK, render, text_of_blocks  # noqa: E402

TITLE = "西安市总工会2019年度部门决算"
EXPENDITURE = [TITLE, *report_blocks(SEEDS["000"], 495, 521)]  # 支出决算表 (公开03表), 6 value columns
REVENUE = [TITLE, *report_blocks(SEEDS["000"], 467, 495)]  # 收入决算表 (公开02表), 7 value columns


def _refs(doc, code: str) -> dict:
    return {(r["function_code"], r["item"]): (r["value"], r["source_ref"]) for r in document_rows(doc)["observations"]
            if r["table_code"] == code}


def _same_as_text(blocks: list, code: str, **options) -> dict:
    """The blocks read as text and as a PDF rendered with `options` give the same facts (subject, item,
    value); returns the PDF's refs."""
    text = _refs(parse_bytes(Path("report.txt"), text_of_blocks(blocks)), code)
    doc = parse_bytes(Path("report.pdf"), render(blocks, **options))
    refs = _refs(doc, code)
    assert {k: v for k, (v, _) in refs.items()} == {k: v for k, (v, _) in text.items()}
    assert not [i for i in doc.result.issues if "by columns" in i.message]
    return refs


CASES = {  # id: options, the ref of 2012906's 项目支出 5,015.32 (printed on page 2)
    "ruled": (dict(), "p2 T1 R8 C1"),
    "ruled_labels_repeated": (dict(repeat_columns=2), "p2 T1 R8 C3"),
    "ruled_continued_line": (dict(continued=["续表"]), "p2 T1 R8 C1"),
    "ruled_title_repeated": (dict(repeat_columns=2, continued=["支出决算表", "公开03表", "单位：万元"]), "p2 T1 R8 C3"),
    "ruled_title_marked_continued": (dict(continued=["支出决算表（续）", "公开03表（续表）"]), "p2 T1 R8 C1"),
    # without rules the rows blank in page 2's columns are not printed: 2012906 is its 7th line
    "unruled": (dict(ruled=False), "p2 T1 R7 C1"),
    "unruled_labels_repeated_continued": (dict(ruled=False, repeat_columns=2, continued=["续表"]), "p2 T1 R8 C3"),
    "three_line": (dict(rules="three_line", header_rows=3), "p2 T1 R7 C1"),
    "unruled_spread": (dict(ruled=False, distributed=True), "p2 T1 R7 C1"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_table_split_by_columns_reads_as_the_whole_table(case):
    """支出决算表 cut after its 基本支出 column (4 of 8 columns on page 1): 30 figures, the page-1 ones at
    the refs of the table printed whole, the page-2 ones (项目支出 …) on page 2 with their row's subject."""
    options, want = CASES[case]
    whole = _refs(parse_bytes(Path("report.pdf"), render(EXPENDITURE, **{k: v for k, v in options.items()
                                                                           if k in ("ruled", "rules", "header_rows",
                                                                                    "distributed")})), "03")
    refs = _same_as_text(EXPENDITURE, "03", split_columns=4, **options)
    assert len(refs) == 30
    assert refs[("2012906", "project")] == (Decimal("5015.32"), want)
    assert refs[(None, "project")][1].startswith("p2 ")  # 合计's 项目支出 5,184.57
    for key, (value, ref) in refs.items():
        if key[1] in ("total", "basic"):
            assert (value, ref) == whole[key]
        else:
            assert ref.startswith("p2 "), key


@pytest.mark.parametrize("options", [dict(), dict(ruled=False), dict(repeat_columns=2, continued=["续表"])],
                         ids=["ruled", "unruled", "labels_repeated"])
def test_a_continuation_whose_first_column_is_blank_in_the_body(options):
    """收入决算表 cut after its 财政拨款收入 column: page 2 starts with 上级补助收入, blank in every row,
    then 事业收入 662.18: two columns, not one (32 figures, 事业收入 on page 2)."""
    refs = _same_as_text(REVENUE, "02", split_columns=4, **options)
    assert len(refs) == 32
    got = refs[("2012906", "business")]
    assert got[0] == Decimal("662.18") and got[1].startswith("p2 T1 R")


def test_a_new_table_at_the_top_of_the_next_page_is_not_a_column_continuation():
    """Page 1 ends with 支出决算表's first four columns, page 2 starts with 收入决算表 printed whole, same
    rows and labels, no title: its 栏次 numbers start again at 1, so it is a table of its own."""
    head = [row[:4] for row in EXPENDITURE[-1]]
    doc = parse_bytes(Path("report.pdf"), render([*EXPENDITURE[:-1], head, PAGE_BREAK, REVENUE[-1]]))
    refs = _refs(doc, "03")
    assert all(ref.startswith("p1 ") for _, ref in refs.values()) and len(refs) == 22
    assert not [i for i in doc.result.issues if "by columns" in i.message]


def test_figures_without_labels_whose_rows_do_not_line_up_are_said():
    """Page 2 starts with columns of figures without row labels whose rows cannot be matched with page 1's
    table (more rows than it has): read as a table of its own, and said."""
    table = EXPENDITURE[-1]
    head = [row[:4] for row in table]
    tail = [row[4:] for row in table] + [["1.00", "2.00", "", ""]] * 3
    doc = parse_bytes(Path("report.pdf"), render([*EXPENDITURE[:-1], head, PAGE_BREAK, tail]))
    issue = next(i for i in doc.result.issues if "by columns" in i.message)
    assert (issue.place, issue.message) == (
        "page 2", "page 2: table 1 prints figures without row labels at the top of the page, and its rows do not "
                  "line up with those of the table ending page 1: it may continue that table by columns; read as "
                  "a table of its own")
    assert len(_refs(doc, "03")) == 22


@pytest.mark.parametrize("options, want", [
    (dict(), ("p2 T1 R4 C3", "p4 T1 R4 C1", "p3 T1 R5 C1")),
    (dict(header_rows=3), ("p2 T1 R7 C3", "p4 T1 R7 C1", "p3 T1 R5 C1")),
    (dict(header_rows=3, ruled=False, repeat_columns=2), ("p2 T1 R7 C3", "p4 T1 R7 C3", "p3 T1 R5 C3")),
], ids=["ruled", "ruled_header_repeated", "unruled_labels_repeated"])
def test_a_table_split_by_rows_and_columns_reads_down_then_over(options, want):
    """Ten rows a page and four columns: pages 1–2 print the first columns of all rows, pages 3–4 the
    other columns of the same rows (Excel's 'down, then over'); each page's part lines up with the page
    of the first columns it continues.  21002's 本年支出合计 on page 2, its 项目支出 on page 4, 201's on
    page 3."""
    refs = _same_as_text(EXPENDITURE, "03", split_columns=4, rows_per_page=10, **options)
    assert len(refs) == 30
    assert (refs[("21002", "total")], refs[("21002", "project")], refs[("201", "project")]) == (
        (Decimal("100.00"), want[0]), (Decimal("100.00"), want[1]), (Decimal("5084.57"), want[2]))


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_a_note_printed_under_the_first_columns_does_not_end_the_table(ruled):
    """Excel prints the sheet's rows below the table (注：…) with the first columns: page 1 has the table's
    first four columns and the note, page 2 the other columns.  One table; the note stays prose, after it."""
    whole = [TITLE, *report_blocks(SEEDS["000"], 495, 523)]  # the table and its note
    table, note = whole[-2:]
    assert note.startswith("注：")
    blocks = [*whole[:-2], [row[:4] for row in table], note, PAGE_BREAK, [row[4:] for row in table]]
    text = _refs(parse_bytes(Path("report.txt"), text_of_blocks(whole)), "03")
    doc = parse_bytes(Path("report.pdf"), render(blocks, ruled=ruled))
    refs = _refs(doc, "03")
    assert {k: v for k, (v, _) in refs.items()} == {k: v for k, (v, _) in text.items()} and len(refs) == 30
    assert refs[("2012906", "project")][1].startswith("p2 T1 R")
    raw = read_pdf(Path("report.pdf"), render(blocks, ruled=ruled))
    at = raw.lines.index(note)
    assert raw.locators[at] == "p1 L6" and raw.tables[0].last_line == at  # the line after the table's
