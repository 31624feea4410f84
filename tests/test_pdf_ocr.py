"""Scanned PDF pages read by OCR (ingest.readers.ocr): a scan of a standard table gives the figures the text
PDF gives, at the same refs, each flagged ``ocr``; a figure OCR is unsure of is a reject, never a guess;
JUESUAN_OCR=0 keeps the scan named and unread.

The pages are report 000's 支出决算表 (公开03表, 30 figures) and 财政拨款收入支出决算总表 (公开04表) rendered
by bench/pdf_render.py in SimHei (a TrueType font shipped by mplfonts, embedded in the PDF: pdfium cannot
draw the built-in STSong-Light CID font, whose CJK glyphs would be missing from the image), then made scans
of themselves (`scan`: each page an image at `dpi`, no text).  Each OCR'd page costs 5–8 s of CPU."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEEDS
from renderers import report_blocks

from ingest.load import document_rows
from ingest.parse import parse_bytes
from ingest.readers import ocr

pytest.importorskip("reportlab")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import pdf_render  # noqa: E402
from pdf_render import PAGE_BREAK, render, scan  # noqa: E402

TITLE = "西安市总工会2019年度部门决算"
BLOCKS = [TITLE, *report_blocks(SEEDS["000"], 495, 521)]  # 公开03表: 30 figures
PAGE2 = report_blocks(SEEDS["000"], 523, 540)  # 公开04表


@contextmanager
def _simhei():
    """bench/pdf_render.py draws in SimHei (embedded TrueType) while inside."""
    import mplfonts
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "SimHei" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("SimHei", os.path.join(os.path.dirname(mplfonts.__file__), "fonts", "SimHei.ttf")))
    old, pdf_render.FONT = pdf_render.FONT, "SimHei"
    try:
        yield
    finally:
        pdf_render.FONT = old


def _render(blocks: list, **options) -> bytes:
    with _simhei():
        return render(blocks, **options)


def _rows(doc, code: str = "03") -> dict:
    """(function_code, item) → (value, source_ref, flags) of the table's figures."""
    return {(r["function_code"], r["item"]): (r["value"], r["source_ref"], r["flags"])
            for r in document_rows(doc)["observations"] if r["table_code"] == code}


def _refs(doc, code: str = "03") -> dict:
    return {k: v[:2] for k, v in _rows(doc, code).items()}


def _parse(data: bytes):
    return parse_bytes(Path("report.pdf"), data)


@pytest.fixture(scope="module")
def ruled():
    """The ruled table as a text PDF and as its scan at 200 dpi, parsed with OCR on (the default)."""
    text = _render(BLOCKS)
    return _parse(text), _parse(scan(text, dpi=200))


def test_a_scanned_ruled_table_gives_the_text_pdfs_figures_and_refs_flagged_ocr(ruled):
    """The rules found in the image make the same grid as the drawn rules: same 30 figures at the same refs."""
    text, scanned = ruled
    assert len(_refs(text)) == 30
    assert _refs(scanned) == _refs(text)
    assert _refs(scanned)[("2012906", "total")] == (Decimal("5015.32"), "p1 T1 R8 C3")
    assert {flags for _, _, flags in _rows(scanned).values()} == {"ocr"}
    assert {flags for _, _, flags in _rows(text).values()} == {None}
    note = next(i for i in scanned.result.issues if "OCR" in i.message)
    assert note.severity == "warning" and note.place == "page 1"
    assert note.message.startswith("page 1: scanned image read by OCR (")
    assert not [r for r in scanned.result.rejects if r.reason == "ocr_low_confidence"]


def test_a_scanned_table_without_rules_gives_the_text_pdfs_figures_and_refs():
    text = _render(BLOCKS, ruled=False)
    assert _refs(_parse(scan(text, dpi=200))) == _refs(_parse(text))
    assert len(_refs(_parse(text))) == 30


def test_figures_read_with_low_confidence_are_rejected_at_their_cells_not_loaded(monkeypatch, ruled):
    """Every character under the threshold (1.01: all of them): no figure of the table is loaded, each is a
    reject ocr_low_confidence at the cell the text PDF reads it from, with the text as read."""
    text, _ = ruled
    monkeypatch.setattr(ocr, "MIN_CONFIDENCE", 1.01)
    doc = _parse(scan(_render(BLOCKS), dpi=200))
    assert not _rows(doc)
    rejects = {r.source_ref: r.value_text for r in doc.result.rejects if r.reason == "ocr_low_confidence"}
    truth = {ref: value for value, ref in _refs(text).values()}
    assert set(rejects) == set(truth)
    assert rejects["p1 T1 R8 C3"] == "5,015.32"


def test_a_low_resolution_scan_loads_only_right_figures_and_rejects_the_doubtful_ones():
    """At 100 dpi some figures come out unsure (measured: 4 of 30): those are rejects at their refs; every
    figure loaded has the text PDF's value and ref."""
    text = _render(BLOCKS)
    truth = _refs(_parse(text))
    doc = _parse(scan(text, dpi=100))
    loaded = _refs(doc)
    assert all(truth[k] == v for k, v in loaded.items())
    rejected = {r.source_ref for r in doc.result.rejects if r.reason == "ocr_low_confidence"}
    assert {ref for _, ref in loaded.values()} | rejected == {ref for _, ref in truth.values()}
    assert len(loaded) >= 20


@pytest.fixture(scope="module")
def mixed():
    """A text page (公开04表) and a scanned page (公开03表); the same document all text."""
    text = _render([TITLE, *PAGE2, PAGE_BREAK, *BLOCKS])
    return text, scan(text, pages={2}, dpi=200)


def test_a_scanned_page_in_a_text_document_is_read_and_no_longer_makes_it_partial(mixed):
    text, data = mixed
    plain, doc = _parse(text), _parse(data)
    assert _refs(doc) == _refs(plain) and len(_refs(plain)) == 30
    assert _refs(doc)[("2012906", "total")] == (Decimal("5015.32"), "p2 T1 R8 C3")
    assert {flags for _, _, flags in _rows(doc).values()} == {"ocr"}
    assert _rows(doc, "04") == _rows(plain, "04") and _rows(plain, "04")  # the text page: not flagged
    assert not [i for i in doc.result.issues if i.severity == "error" and "scanned" in i.message]
    assert [(i.severity, i.place) for i in doc.result.issues if "OCR" in i.message] == [("warning", "page 2")]
    assert doc.status == plain.status


def test_ocr_off_names_the_scanned_page_as_before(mixed, monkeypatch):
    monkeypatch.setenv("JUESUAN_OCR", "0")
    doc = _parse(mixed[1])
    assert not _rows(doc) and _rows(doc, "04")
    issue = next(i for i in doc.result.issues if "scanned" in i.message)
    assert (issue.severity, issue.place, issue.message) == (
        "error", "page 2", "page 2: no text layer (scanned image), OCR needed; the other pages were read")
    assert doc.status == "partial"


def test_pages_past_the_ocr_time_budget_are_named_not_read(mixed, monkeypatch):
    monkeypatch.setattr(ocr, "time_budget", lambda: -1.0)
    doc = _parse(mixed[1])
    assert not _rows(doc) and _rows(doc, "04")
    issue = next(i for i in doc.result.issues if "scanned" in i.message)
    assert (issue.place, issue.message) == ("page 2", "page 2: no text layer (scanned image), OCR not done: the "
                                                      "document's OCR time (-1 s, 60% of JUESUAN_DOC_TIMEOUT) was "
                                                      "used up; the other pages were read")


def test_a_long_text_line_is_recognised_in_pieces_cut_between_characters():
    """A line 40 times as wide as high is cut into pieces at most 16 heights wide, each cut in a blank column
    (between two characters), the pieces' boxes covering the line's box edge to edge."""
    import numpy as np

    h, w = 20, 800
    crop = np.full((h, w, 3), 255, dtype=np.uint8)
    for x in range(0, w, 20):  # a 'character' every 20 px: 16 px of ink, 4 blank columns
        crop[4:16, x:x + 16] = 0
    box = [[100, 50], [100 + w, 50], [100 + w, 50 + h], [100, 50 + h]]
    pieces = ocr._pieces(crop, box)
    assert len(pieces) == 4  # cut near every 12 heights (three quarters of the most)
    widths = [p.shape[1] for p, _ in pieces]
    assert sum(widths) == w and max(widths) <= 16 * h
    cuts = np.cumsum(widths)[:-1]
    assert all(x % 20 >= 16 for x in cuts)  # in a blank column
    assert [round(float(b[0][0])) for _, b in pieces] == [100, *(100 + int(c) for c in cuts)]
    assert round(float(pieces[-1][1][1][0])) == 100 + w
    assert ocr._pieces(crop[:, :300], box)[0][0].shape == (20, 300, 3)  # short: one piece, as it is


def test_without_a_working_ocr_engine_the_scanned_page_is_named_with_the_reason(mixed, monkeypatch):
    def broken():
        raise ImportError("libGL.so.1: cannot open shared object file")

    monkeypatch.setattr(ocr, "_get_engine", broken)
    doc = _parse(mixed[1])
    assert not _rows(doc) and _rows(doc, "04")
    issue = next(i for i in doc.result.issues if "scanned" in i.message)
    assert (issue.place, issue.message) == ("page 2", "page 2: no text layer (scanned image), OCR not done: the OCR "
                                                      "engine does not start here (ImportError: libGL.so.1: cannot "
                                                      "open shared object file); the other pages were read")


def test_a_number_in_ocrd_prose_with_an_unsure_digit_is_rejected_not_loaded(mixed, monkeypatch):
    """The recogniser (stood in for: one line of prose, its 7 unsure at 0.5) reads page 2's sentence; the
    figure is a reject ocr_low_confidence at the line, the sentence's other figure is loaded, flagged ocr."""
    text = "2019年度收入总计4,671.91万元，支出总计5,334.09万元。"
    scores = [0.5 if ch == "7" else 0.99 for ch in text]
    line = [[[100.0, 100.0], [1000.0, 100.0], [1000.0, 125.0], [100.0, 125.0]], text, 0.9,
            [[[100 + 25 * k, 100], [125 + 25 * k, 100], [125 + 25 * k, 125], [100 + 25 * k, 125]] for k in range(len(text))],
            list(text), scores]
    monkeypatch.setattr(ocr, "_recognise", lambda engine, image: [line])
    doc = _parse(mixed[1])
    rejected = [(r.value_text, r.source_ref) for r in doc.result.rejects if r.reason == "ocr_low_confidence"]
    loaded = [(o.value_text, o.flags) for o in doc.result.observations if o.source_kind == "narrative"]
    assert rejected and all("4,671.91" in v and ref is None for v, ref in rejected)  # narrative: located by line
    assert not [v for v, _ in loaded if "4,671.91" in v]
    assert ("5,334.09万元", "ocr") in loaded


# ------------------------------------------------------------------------------------------------ findings
# A finding one of whose sides was read by OCR says so — in fct_identity_check (lhs_ocr, rhs_ocr and the places),
# `juesuan report` (text and HTML), `juesuan show` — and one whose sides were both read from text does not.
# One warehouse for the module: a 3-page PDF whose page 3 is a scan (公开03表, OCR'd), page 1 a sentence that
# contradicts two of its figures (basic 175.91 against the table's 149.52), page 2 公开05表 as text with
# 2080502 printed 80.64 (its 款 20805 = 148.41 ≠ 67.87 + 80.64); and the unit's next year as text, whose stated
# change of basic expenditure is checked against the scanned page of the year before (a side citing another
# report).  One OCR'd page (5–8 s of CPU) and one dbt build.

PROSE = "2019年度本年支出合计5,334.09万元，其中：基本支出175.91万元；项目支出5,158.18万元。"
NEXT_YEAR = "西安市总工会2020年度部门决算\n\n2020年度本年支出合计5,400.00万元，其中：基本支出160.00万元，比上年增加20.00万元；项目支出5,240.00万元。\n"
NOTE_ZH = " — 不符可能是识读错误，而非报告本身的矛盾，请对照原页核对"


@pytest.fixture(scope="module")
def ocr_warehouse(tmp_path_factory) -> Path:
    from warehouse import run

    table05 = report_blocks(SEEDS["000"], 569, 594, cell=lambda c: "80.64" if c == "80.54" else c)
    text = _render([TITLE, PROSE, PAGE_BREAK, *table05, PAGE_BREAK, *BLOCKS[1:]])
    folder = tmp_path_factory.mktemp("ocr_reports")
    (folder / "scan.pdf").write_bytes(scan(text, pages={3}, dpi=200))
    (folder / "2020.txt").write_text(NEXT_YEAR, encoding="utf-8")
    db = tmp_path_factory.mktemp("ocr_warehouse") / "juesuan.duckdb"
    assert run("ingest", "--db", db, folder) == 0
    assert run("build", "--db", db) == 0
    return db


def _findings(db: Path) -> dict[str, tuple]:
    """check_name and subject → (check_id, lhs_refs, rhs_refs, lhs_ocr, rhs_ocr, lhs_ocr_refs, rhs_ocr_refs) of every
    failing check."""
    from warehouse import query

    return {(r[0], r[1]): r[2:] for r in query(db, "select check_name, subject, check_id, lhs_refs, rhs_refs, lhs_ocr, "
                                                   "rhs_ocr, lhs_ocr_refs, rhs_ocr_refs from marts.fct_identity_check "
                                                   "where not passed")}


BASIC = ("narrative_vs_table", "expenditure basic [all] amount")
ITEMS = ("subclass_equals_sum_of_items", "expenditure total [general_budget] amount 20805")
YOY = ("yoy_change_matches_prior_report", "expenditure basic [all] yoy_change")


def test_the_identity_checks_say_which_side_was_read_by_ocr_and_where(ocr_warehouse):
    from warehouse import query

    found = _findings(ocr_warehouse)
    assert found[BASIC][1:] == ('p3 T1 R4 C4 公开03表 "149.52"', 'p1 L2 narrative "175.91万元"', True, False, "p3 T1 R4 C4", None)
    assert found[ITEMS][1:] == ('p2 T1 R10 C3 公开05表 "148.41"',
                                'p2 T1 R11 C3 公开05表 "67.87" 2080501; p2 T1 R12 C3 公开05表 "80.64" 2080502',
                                False, False, None, None)
    # the next year's report: its right side cites the scanned page of the report before
    lhs, rhs = found[YOY][1:3]
    scan_id = query(ocr_warehouse, "select doc_id from raw.documents where source_file = 'scan.pdf'")[0][0]
    assert (lhs, rhs) == ('L3 narrative "20.00万元"', f'L3 narrative "160.00万元" − p3 T1 R4 C4 公开03表 "149.52" (report {scan_id})')
    assert found[YOY][3:] == (False, True, None, "p3 T1 R4 C4")
    # every check: a side is OCR'd exactly when it cites the scanned page 3 (the only one), the places in the
    # order cited; 24 of the 45 checks have one
    rows = query(ocr_warehouse, "select lhs_refs, rhs_refs, lhs_ocr, rhs_ocr, lhs_ocr_refs, rhs_ocr_refs "
                                "from marts.fct_identity_check")
    import re

    def on_page_3(refs):
        return "; ".join(dict.fromkeys(re.findall(r"p3 T\d+ R\d+ C\d+", refs))) or None

    assert [(lo, ro, lr, rr) for *_, lo, ro, lr, rr in rows] == [
        (on_page_3(l) is not None, on_page_3(r) is not None, on_page_3(l), on_page_3(r)) for l, r, *_ in rows]
    assert (len(rows), sum(1 for r in rows if r[2] or r[3])) == (45, 24)


def _blocks(out: str) -> dict[str, list[str]]:
    """The findings of a printed report by check_id: their lines after the ✗ line."""
    import re

    blocks, current = {}, None
    for line in out.splitlines():
        if m := re.search(r"✗ .*(?:编号|id) ([0-9a-f]{16})", line):
            current = blocks.setdefault(m.group(1), [])
        elif current is not None and line.startswith("      "):
            current.append(line)
        else:
            current = None
    return blocks


@pytest.fixture()
def lang_zh():
    from juesuan.i18n import set_lang

    yield set_lang("zh")
    set_lang(None)


def test_report_marks_the_ocr_read_figure_and_place_and_says_why(ocr_warehouse, lang_zh):
    from rich.console import Console

    from juesuan.findings import document_summaries
    from juesuan.i18n import Labels
    from juesuan.report import print_text

    console = Console(record=True, width=400)
    print_text(document_summaries(ocr_warehouse), console, labels=Labels.load())
    blocks = _blocks(console.export_text())
    found = _findings(ocr_warehouse)
    assert blocks[found[BASIC][0]] == [
        "      基本支出 [全部资金] 决算数：149.52 万元（OCR 识读） ≠ 175.91 万元（相差 -26.39 万元，舍入允许 ±0.01 万元）",
        '      左边 p3 T1 R4 C4 公开03表 "149.52"（OCR 识读）',
        '      右边 p1 L2 文字说明 "175.91万元"',
        "      ⚠ OCR 识读（扫描页）：左边 p3 T1 R4 C4" + NOTE_ZH]
    assert blocks[found[YOY][0]][1:] == [
        '      左边 L3 文字说明 "20.00万元"',
        f'      右边 L3 文字说明 "160.00万元" − p3 T1 R4 C4 公开03表 "149.52"（OCR 识读） (report {found[YOY][2][-21:-1]})',
        "      ⚠ OCR 识读（扫描页）：右边 p3 T1 R4 C4" + NOTE_ZH]
    assert blocks[found[YOY][0]][0] == "      基本支出 [全部资金] 比上年增减：20 万元 ≠ 10.48 万元（OCR 识读）（相差 9.52 万元，舍入允许 ±0.015 万元）"
    assert blocks[found[ITEMS][0]] == [
        "      本年支出合计 [一般公共预算财政拨款] 决算数 20805 行政事业单位养老支出：148.41 万元 ≠ 148.51 万元"
        "（相差 -0.10 万元，舍入允许 ±0.015 万元）",
        '      左边 p2 T1 R10 C3 公开05表 "148.41"',
        '      右边 p2 T1 R11 C3 公开05表 "67.87" 2080501; p2 T1 R12 C3 公开05表 "80.64" 2080502']
    ocr_marked = {cid for cid, lines in blocks.items() if any("OCR" in line for line in lines)}
    assert ocr_marked == {cid for cid, *_, lo, ro, _, _ in found.values() if lo or ro} and len(blocks) == len(found) == 5


def test_report_in_english_and_show_name_the_ocr_read_side(ocr_warehouse, capsys, monkeypatch):
    from juesuan.cli import main

    monkeypatch.delenv("JUESUAN_LANG", raising=False)
    basic = _findings(ocr_warehouse)[BASIC][0]
    assert main(["--lang", "en", "report", "--db", str(ocr_warehouse), "scan.pdf"]) == 0  # printed only: no page written
    lines = _blocks(capsys.readouterr().out)[basic]
    assert lines == [
        "      expenditure basic [all] amount: 149.52 万元 (read by OCR) ≠ 175.91 万元 (diff -26.39 万元, rounding allows "
        "±0.01 万元)",
        '      lhs p3 T1 R4 C4 公开03表 "149.52" (read by OCR)',
        '      rhs p1 L2 narrative "175.91万元"',
        "      ⚠ read by OCR (scanned page): left side p3 T1 R4 C4 — the mismatch may be a misreading rather than the "
        "report's own; check it against the page"]
    assert main(["show", "--db", str(ocr_warehouse), basic[:8]]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2:7] == [
        "  基本支出 [全部资金] 决算数：149.52 万元（OCR 识读） ≠ 175.91 万元（相差 -26.39 万元，舍入允许 ±0.01 万元）",
        "  ⚠ OCR 识读（扫描页）：左边 p3 T1 R4 C4" + NOTE_ZH,
        '左边: p3 T1 R4 C4 公开03表 "149.52"（OCR 识读）',
        '  p3 T1 R4 C4 "149.52"（OCR 识读）  基本支出 决算数',
        "      章节: 公开03表 支出决算表"]
    assert '右边: p1 L2 文字说明 "175.91万元"' in out and '  p1 L2 "175.91万元"  基本支出 决算数' in out
    # a figure: marked when read from the scanned page, not when read from text
    assert main(["show", "--db", str(ocr_warehouse), "scan.pdf", "p3 T1 R10 C3"]) == 0
    assert '  p3 T1 R10 C3 "148.41"（OCR 识读）  本年支出合计 决算数\n' in capsys.readouterr().out
    assert main(["show", "--db", str(ocr_warehouse), "scan.pdf", "p2 T1 R10 C3"]) == 0
    out = capsys.readouterr().out
    assert "p2 T1 R10 C3" in out and "OCR" not in out
    assert main(["show", "--db", str(ocr_warehouse), _findings(ocr_warehouse)[ITEMS][0]]) == 0
    out = capsys.readouterr().out
    assert "148.41 万元 ≠ 148.51 万元" in out and "OCR" not in out


def test_the_html_report_and_the_site_mark_the_ocr_read_place(ocr_warehouse, lang_zh, tmp_path):
    """The report's page and the site's page of each document show the same finding blocks (templates/_macros)."""
    import re

    from juesuan.findings import document_summaries
    from juesuan.report import render_html
    from juesuan.site import build_site

    build_site(ocr_warehouse, tmp_path, crops=False)
    site = "".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "doc").iterdir()))
    found = _findings(ocr_warehouse)
    for page in (render_html(document_summaries(ocr_warehouse), db=ocr_warehouse, crops=0), site):
        divs = dict(re.findall(r'<div class="finding" id="c([0-9a-f]{16})">(.*?)\n</div>\n', page, re.S))
        basic = divs[found[BASIC][0]]
        assert '<div class="says">基本支出 [全部资金] 决算数：149.52 万元（OCR 识读） ≠ 175.91 万元' in basic
        assert '<div class="ocr">⚠ OCR 识读（扫描页）：左边 p3 T1 R4 C4' + NOTE_ZH + "</div>" in basic
        assert '<code>p3 T1 R4 C4</code> “149.52” <span class="ocr">（OCR 识读）</span>' in basic
        assert re.search(r'<code>p1 L2</code> “175.91万元”(?!\s*<span class="ocr">)', basic)
        assert "OCR" not in divs[found[ITEMS][0]]
        assert len(divs) == 5 and sum("（OCR 识读）" in d for d in divs.values()) == 3
