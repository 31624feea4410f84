"""PDF reports made the ways other producers make them (bench/pdf_render.py): the same report content read
as text and read from that kind of PDF gives the same facts, or the document says which page it could not
read and why.  The content is report 000's 支出决算表 (公开03表, 30 figures) under its title line.

Producers: pages stored portrait with /Rotate 90/270 (wide tables), an owner password with an empty user
password, scanned pages (images, no text layer), fonts without a Unicode map, table rules drawn as filled
rectangles or as three rules only (三线表), header cells merged over rows and columns, figures in 元 with
separators and "-"/"—" for zero, every glyph its own text object, spaced-out labels, full-width digits."""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEEDS
from renderers import report_blocks

from ingest.errors import ReadError
from ingest.load import document_rows
from ingest.parse import parse_bytes
from ingest.readers.pdf import read_pdf

pytest.importorskip("reportlab")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from pdf_render import PAGE_BREAK, SPAN_LEFT, SPAN_UP, render, scan  # noqa: E402

TITLE = "西安市总工会2019年度部门决算"


def _blocks(start: int, end: int, cell=None) -> list:
    """Prose lines and tables (rows of cells, each passed through `cell`) of report 000, lines start..end."""
    return report_blocks(SEEDS["000"], start, end, cell)


def _as_text(blocks: list) -> bytes:
    """The blocks as a text report: a table's rows tab-separated (merged cells left blank)."""
    lines = []
    for block in blocks:
        if isinstance(block, list):
            lines += ["\t".join("" if c in (SPAN_LEFT, SPAN_UP) else c for c in row) for row in block] + [""]
        elif block != PAGE_BREAK:
            lines.append(block)
    return "\n".join(lines).encode()


def _facts(doc, code: str = "03") -> set:
    return {(r["item"], r["function_code"], r["value"]) for r in document_rows(doc)["observations"]
            if r["table_code"] == code}


def _refs(doc, code: str = "03") -> dict:
    return {(r["function_code"], r["item"]): (r["value"], r["source_ref"]) for r in document_rows(doc)["observations"]
            if r["table_code"] == code}


def _same_as_text(blocks: list, **options):
    """Parse the blocks as text and as a PDF rendered with `options`: both give the same 30 figures; returns
    the PDF's parsed document."""
    text = parse_bytes(Path("report.txt"), _as_text(blocks))
    doc = parse_bytes(Path("report.pdf"), render(blocks, **options))
    assert _facts(doc) == _facts(text) and len(_facts(text)) == 30
    return doc


BLOCKS = [TITLE, *_blocks(495, 521)]


@pytest.fixture(scope="module")
def plain_refs():
    return _refs(parse_bytes(Path("report.pdf"), render(BLOCKS)))


# ---------------------------------------------------------------- 1. landscape pages stored rotated
@pytest.mark.parametrize("rotate", [90, 180, 270])
@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_pages_stored_rotated_read_as_displayed(rotate, ruled):
    """A wide table on a portrait page with /Rotate 90 or 270, its content drawn rotated: the cells are
    read in the displayed order, rows and columns as on the unrotated page, by both page readers."""
    data = render(BLOCKS, rotate=rotate, ruled=ruled)
    assert f"/Rotate {rotate}".encode() in data
    doc = _same_as_text(BLOCKS, rotate=rotate, ruled=ruled)
    assert _refs(doc) == _refs(parse_bytes(Path("report.pdf"), render(BLOCKS, ruled=ruled)))
    assert _refs(doc)[("2012906", "total")] == (Decimal("5015.32"), "p1 T1 R8 C3")
    fast, slow = (read_pdf(Path("r.pdf"), data, backend) for backend in ("pdfium", "pdfplumber"))
    assert fast.lines == slow.lines and fast.locators == slow.locators


# ---------------------------------------------------------------- 2. scanned pages
def test_a_scanned_document_is_a_read_error_naming_its_image_pages(monkeypatch):
    monkeypatch.setenv("JUESUAN_OCR", "0")  # OCR off (tests/test_pdf_ocr.py reads scans)
    data = scan(render([*BLOCKS, PAGE_BREAK, *BLOCKS]))
    with pytest.raises(ReadError) as err:
        parse_bytes(Path("scans/report.pdf"), data)
    assert str(err.value) == ("scans/report.pdf, all pages: PDF has no text layer: scanned images on page 1–2 "
                              "(run OCR before ingesting)")


def test_a_document_with_a_scanned_page_reads_its_text_pages_and_names_the_image_page(monkeypatch):
    monkeypatch.setenv("JUESUAN_OCR", "0")  # OCR off (tests/test_pdf_ocr.py reads scans)
    blocks = [*BLOCKS, PAGE_BREAK, *_blocks(523, 540)]
    data = scan(render(blocks), pages={2})
    fast, slow = (read_pdf(Path("r.pdf"), data, backend) for backend in ("pdfium", "pdfplumber"))
    assert fast.issues == slow.issues and fast.lines == slow.lines
    doc = parse_bytes(Path("report.pdf"), data)
    assert _facts(doc) == _facts(parse_bytes(Path("report.txt"), _as_text(BLOCKS)))
    assert not _facts(doc, "04")
    issue = next(i for i in doc.result.issues if "scanned" in i.message)
    assert (issue.place, issue.message) == ("page 2", "page 2: no text layer (scanned image), OCR needed; "
                                                      "the other pages were read")
    assert doc.status == "partial"


def test_a_scan_pasted_into_a_page_with_a_typed_running_header_is_named(monkeypatch):
    """The scan of page 2 pasted 60 pt inside a document page that prints its running header (31
    characters) above it: the header is read, the page is named as a scan all the same (OCR off)."""
    monkeypatch.setenv("JUESUAN_OCR", "0")
    header = "西安市总工会2019年度部门决算公开表格 支出决算表（扫描件）"
    data = scan(render([*BLOCKS, PAGE_BREAK, *_blocks(523, 540)]), pages={2},
                under=render([header, PAGE_BREAK, header]), inset=60)
    for backend in ("pdfium", "pdfplumber"):
        raw = read_pdf(Path("report.pdf"), data, backend)
        assert [line for line, ref in zip(raw.lines, raw.locators) if ref.startswith("p2 ")] == [header]
        assert raw.issues == [("page 2", "page 2: no text layer (scanned image), OCR needed; the other pages "
                                         "were read")]


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_a_scanned_and_ocred_page_is_read_from_its_invisible_text(ruled):
    """OCR software leaves the page image over an invisible text layer (render mode 3): the text is read,
    its table as one drawn without lines (the rules are in the image), and no page is called scanned."""
    data = scan(render(BLOCKS, ruled=ruled), ocr=render(BLOCKS, ocr_layer=True))
    doc = parse_bytes(Path("report.pdf"), data)
    assert _facts(doc) == _facts(parse_bytes(Path("report.txt"), _as_text(BLOCKS)))
    assert _refs(doc) == _refs(parse_bytes(Path("report.pdf"), render(BLOCKS, ruled=False)))
    assert not [i for i in doc.result.issues if "scanned" in i.message]


# ---------------------------------------------------------------- 3. glyphs without a Unicode mapping
@pytest.mark.parametrize("backend", ["pdfium", "pdfplumber"])
def test_figures_in_a_font_without_a_unicode_map_are_named_unreadable_not_parsed(backend):
    """The figures are drawn in an embedded subset font whose ToUnicode map is missing (pdfminer extracts
    '(cid:N)', pdfium raw codes): no figure is read from them, and the page is named."""
    data = render(BLOCKS, unmapped_figures=True)
    raw = read_pdf(Path("report.pdf"), data, backend)
    printed = sum(len(c) for row in BLOCKS[-1] for c in row if c.replace(",", "").replace(".", "").isdigit())
    assert printed == 257  # the figures' and subject codes' digits, separators and points, the 栏次 numbers
    assert raw.issues == [("page 1", "page 1: 257 characters without a Unicode mapping (a font without "
                                     "ToUnicode, or private-use glyphs): that text cannot be read")]
    assert "\ufffd" in raw.tables[0].rows[4][2].text  # 一般公共服务支出's 5,084.57, unreadable
    doc = parse_bytes(Path("report.pdf"), data)
    assert not _facts(doc) and doc.result.issues[0].place == "page 1"


def test_private_use_characters_inside_words_are_named_a_lone_bullet_is_not():
    """A converter mapping glyphs to the private-use area ('收入\ue001\ue002总计') cannot be read; a Symbol
    bullet (U+F0B7) standing alone before its line's text is a mark.  (pdfium page reader.)"""
    raw = read_pdf(Path("report.pdf"), render([TITLE, "\uf0b7  收入决算总计", "收入\ue001\ue002总计", *BLOCKS[1:]]))
    assert raw.lines[1:3] == ["\uf0b7 收入决算总计", "收入\ue001\ue002总计"]
    assert raw.issues == [("page 1", "page 1: 2 characters without a Unicode mapping (a font without ToUnicode, "
                                     "or private-use glyphs): that text cannot be read")]
    assert not read_pdf(Path("report.pdf"), render([TITLE, "\uf0b7  收入决算总计", *BLOCKS[1:]])).issues


# ---------------------------------------------------------------- 4. owner password only
def test_an_owner_password_with_an_empty_user_password_opens_and_reads(plain_refs):
    data = render(BLOCKS, owner_password="owner")
    assert b"/Encrypt" in data
    raw = read_pdf(Path("report.pdf"), data)
    assert raw.lines == read_pdf(Path("report.pdf"), render(BLOCKS)).lines and not raw.issues
    assert _refs(_same_as_text(BLOCKS, owner_password="owner")) == plain_refs
    # pdfminer (the fallback page reader) opens it but finds no Unicode for the CJK font's glyphs (it
    # misreads the font's decrypted CIDSystemInfo): said, not parsed as '(cid:N)' text
    slow = read_pdf(Path("report.pdf"), data, "pdfplumber")
    assert slow.issues == [("page 1", "page 1: 438 characters without a Unicode mapping (a font without "
                                      "ToUnicode, or private-use glyphs): that text cannot be read")]


# ---------------------------------------------------------------- 5. other table drawings and amounts
@pytest.mark.parametrize("rules", ["filled", "shaded", "three_line"])
def test_tables_ruled_with_filled_rectangles_or_three_rules(rules, plain_refs):
    doc = _same_as_text(BLOCKS, rules=rules, header_rows=3)
    refs = _refs(doc)
    assert refs[("201", "total")] == (Decimal("5084.57"), "p1 T1 R5 C3")
    if rules != "three_line":  # the same ruled grid as boxes give
        assert refs == plain_refs


@pytest.mark.parametrize("rules", ["box", "shaded", "three_line", "none"])
def test_header_cells_merged_over_rows_and_columns(rules, plain_refs):
    """项目 over the code and name columns; 本年支出合计 … over two header rows and 科目代码 over two, each
    printed in the middle of its rows.  Without ruling lines the header is a stack of half-row text lines
    (one label each): they are the table's rows R1–R4, its body starting on R5."""
    blocks = [b if isinstance(b, str) else [list(r) for r in b] for b in BLOCKS]
    table = blocks[-1]
    table[0][1] = SPAN_LEFT
    table[1][2:] = [SPAN_UP] * 6
    table[2][0] = SPAN_UP
    refs = _refs(_same_as_text(blocks, rules=rules, header_rows=3))
    if rules in ("box", "shaded"):
        assert refs == plain_refs
    else:
        assert refs[("201", "total")] == (Decimal("5084.57"), "p1 T1 R7 C3")
        raw = read_pdf(Path("report.pdf"), render(blocks, rules=rules, header_rows=3))
        assert [[c.text for c in row if c.text] for row in raw.tables[0].rows[:5]] == [
            ["项目"], ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"],
            ["科目名称"], ["科目代码"], ["栏次", "1", "2", "3", "4", "5", "6"]]


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_amounts_in_yuan_with_separators_and_dashes_for_zero(ruled):
    """单位：元, 5,015.32万元 printed 50,153,200.00; blank cells printed '-' (body) or '—' (合计 row)."""
    def yuan(cell: str) -> str:
        if "." in cell:
            return f"{Decimal(cell.replace(',', '')) * 10000:,.2f}"
        return cell

    blocks = [TITLE] + [b.replace("单位：万元", "单位：元") if isinstance(b, str) else
                        [[c or ("—" if row[1] == "合计" else "-") if n > 2 else c for c in row]
                         for n, row in enumerate([[yuan(c) for c in r] for r in b])]
                        for b in _blocks(495, 521)]
    doc = _same_as_text(blocks, ruled=ruled)
    o = next(o for o in doc.result.observations if o.function_code == "2012906" and o.item == "total")
    assert (o.value, o.value_text, o.printed_unit) == (Decimal("5015.32"), "50,153,200.00元", "元")


# ---------------------------------------------------------------- 6. how the glyphs are placed
@pytest.mark.parametrize("order", [True, "backwards"], ids=["in_order", "backwards"])
@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_every_glyph_its_own_text_object(ruled, order, plain_refs):
    """Each glyph its own text object, in reading order or each line's glyphs last first in the content
    stream: read by position, the same cells and refs as whole strings give."""
    doc = _same_as_text(BLOCKS, per_char=order, ruled=ruled)
    assert _names(doc)["201"] == "一般公共服务支出"
    assert _refs(doc) == (plain_refs if ruled else _refs(parse_bytes(Path("report.pdf"), render(BLOCKS, ruled=False))))


def test_spaced_out_labels_and_full_width_digits():
    """'一 般 公 共 服 务 支 出' and '５，０８４．５７' mean what the plain text means."""
    wide = str.maketrans("0123456789,.", "０１２３４５６７８９，．")

    def producer(cell: str) -> str:
        if cell[:1].isdigit() and "." in cell:
            return cell.translate(wide)
        return " ".join(cell) if cell and not cell[:1].isdigit() else cell

    blocks = [TITLE, *_blocks(495, 521, producer)]
    doc = parse_bytes(Path("report.pdf"), render(blocks))
    assert _facts(doc) == _facts(parse_bytes(Path("report.txt"), _as_text(BLOCKS)))


def _names(doc) -> dict:
    return {r["function_code"]: r["subject_name"] for r in document_rows(doc)["observations"]
            if r["table_code"] == "03" and r["function_code"]}


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_labels_spread_over_their_cells(ruled):
    """分散对齐: '一    般    公    共 …' spread over the name column keeps its name 一般公共服务支出; the
    header '项    目' over the code column is one label (unruled: not a column of its own)."""
    text = parse_bytes(Path("report.txt"), _as_text(BLOCKS))
    doc = _same_as_text(BLOCKS, distributed=True, ruled=ruled)
    assert _names(doc) == _names(text) and _names(doc)["201"] == "一般公共服务支出"
    assert _refs(doc) == _refs(parse_bytes(Path("report.pdf"), render(BLOCKS, ruled=ruled)))
    raw = read_pdf(Path("report.pdf"), render(BLOCKS, distributed=True, ruled=ruled))
    assert [c.text for c in raw.tables[0].rows[0][:3]] == ["项目", "", "本年支出合计"]


@pytest.mark.parametrize("printed", ["-1.00", "－1.00", "(1.00)", "（1.00）"])
@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_negative_amounts_read_as_the_text_report_reads_them(printed, ruled):
    """201's 上缴上级支出 printed negative, with a minus or as an accounting '(1.00)': -1.00 from text and
    PDF alike, the printed text kept."""
    blocks = [b if isinstance(b, str) else [list(r) for r in b] for b in BLOCKS]
    blocks[-1][4][5] = printed
    text = parse_bytes(Path("report.txt"), _as_text(blocks))
    doc = parse_bytes(Path("report.pdf"), render(blocks, ruled=ruled))
    assert _facts(doc) == _facts(text)
    got = [(o.value, o.value_text) for o in doc.result.observations
           if o.function_code == "201" and o.item == "remit_superior"]
    assert got == [(Decimal("-1.00"), printed.replace("－", "-"))]  # the full-width minus is normalised
    assert not doc.result.rejects and not text.result.rejects


@pytest.mark.parametrize("middle", [False, True], ids=["top_aligned", "centred"])
@pytest.mark.parametrize("rules", ["box", "none", "three_line"])
def test_subject_names_wrapped_over_two_lines_in_their_cell(rules, middle):
    """'一般公共/服务支出' printed on two lines of its cell: without ruling lines each line is a text line of
    its own holding one word, the end of the name above it (cells top-aligned) or, the row's other cells
    centred between them, its start and end around the code and figures (the table's rows have codes)."""
    wrap = {"一般公共服务支出": "一般公共\n服务支出", "行政事业单位养老支出": "行政事业单位\n养老支出",
            "社会保障和就业支出": "社会保障和\n就业支出"}
    text = parse_bytes(Path("report.txt"), _as_text(BLOCKS))
    doc = parse_bytes(Path("report.pdf"), render([TITLE, *_blocks(495, 521, lambda c: wrap.get(c, c))],
                                                 rules=rules, header_rows=3, middle=middle))
    assert _facts(doc) == _facts(text) and _names(doc) == _names(text)
    assert _names(doc)["20805"] == "行政事业单位养老支出"
    # 201's figures and 20129, the row after it: grid rows (ruled) or text lines; centred, 201's figures
    # are on the line after 一般公共, and 20129 one line further down
    want = {"box": ("R5", "R6"), "none": ("R5", "R7"), "three_line": ("R5", "R7")}[rules]
    if middle and rules != "box":
        want = ("R6", "R8")
    assert (_refs(doc)[("201", "total")], _refs(doc)[("20129", "total")]) == (
        (Decimal("5084.57"), f"p1 T1 {want[0]} C3"), (Decimal("5084.57"), f"p1 T1 {want[1]} C3"))


@pytest.mark.parametrize("options", [dict(), dict(ruled=False), dict(ruled=False, distributed=True),
                                     dict(rules="three_line", header_rows=3)],
                         ids=["ruled", "unruled", "unruled_spread", "three_line"])
def test_codes_split_over_lei_kuan_xiang_columns(options):
    """The subject code printed in three columns under 科目编码 / 类 款 项 (201 | 29 | 02): single-character
    labels over columns of their own stay three columns, even when the other labels are spread out."""
    rows = []
    for n, row in enumerate(BLOCKS[-1]):
        head = [["科目编码", SPAN_LEFT, SPAN_LEFT], ["类", "款", "项"], ["", "", ""]]
        rows.append((head[n] if n < 3 else [row[0][:3], row[0][3:5], row[0][5:7]]) + row[1:])
    blocks = [*BLOCKS[:-1], rows]
    text = parse_bytes(Path("report.txt"), _as_text(blocks))
    doc = _same_as_text(blocks, **options)
    assert _names(doc) == _names(text) and _names(doc)["2012902"] == "一般行政管理事务"


# ---------------------------------------------------------------- 7. spread texts in the body of tables drawn without lines
@pytest.mark.parametrize("options", [dict(ruled=False), dict(rules="three_line", header_rows=3)],
                         ids=["unruled", "three_line"])
def test_spread_texts_in_the_body_of_unruled_tables_keep_their_columns(tmp_path, options):
    """The generated reports' tables drawn without lines, every text spread over its cell (分散对齐): the
    绩效自评表's row labels ('绩    效    指    标'), its header cells and its '— —' are words, not one
    column per character, and two spread words in neighbouring cells whose gaps happen to match are two.
    Every table figure of the text report, at the refs of the same report printed without spreading
    (before: 198/271 and 14/48 figures unruled)."""
    from corpus import PDF_LAYOUTS, build_reports
    from pdf_render import blocks_of_text

    keys = ("table_code", "kind", "item", "function_code", "economic_code", "measure", "scope", "value")
    reports, _ = build_reports(tmp_path, 2, seed=7, layouts=PDF_LAYOUTS)
    sizes = []
    for report in reports:
        text = document_rows(parse_bytes(report.path, "\n".join(report.lines).encode()))["observations"]
        got = {}
        for spread in (False, True):
            pdf = render(blocks_of_text(report.lines), distributed=spread, **options)
            rows = document_rows(parse_bytes(report.path.with_suffix(".pdf"), pdf))["observations"]
            got[spread] = sorted((tuple(str(o[k] or "") for k in keys), o["source_ref"])
                                 for o in rows if o["source_kind"] == "table")
        want = sorted(tuple(str(o[k] or "") for k in keys) for o in text if o["source_kind"] == "table")
        assert sorted(k for k, _ in got[True]) == want, report.layout
        assert got[True] == got[False]
        sizes.append((report.layout, len(want)))
    assert sizes == [("grid", 271), ("narrative", 48)]
    perf = dict(got[True])
    assert perf[("perf", "project", "total", "", "", "execution_rate", "", "100.00")] == "p3 T1 R4 C9"  # narrative report: 执行率 100.00


# ---------------------------------------------------------------- 12. fonts not embedded
def test_glyphs_of_a_cjk_font_not_embedded_are_read_whatever_fonts_this_machine_has():
    """reportlab's STSong-Light is not embedded: on a machine without a CJK font pdfium has no glyph boxes for
    it and its text page leaves single-glyph objects out (this suite's pages read 0/30 there before the
    reader checked).  Each glyph its own object, the whole title and every figure are read on any machine."""
    raw = read_pdf(Path("report.pdf"), render(BLOCKS, per_char="in_order"))
    assert raw.lines[:2] == ["西安市总工会2019年度部门决算", "支出决算表"]
    assert [c.text for c in raw.tables[0].rows[4]][:3] == ["201", "一般公共服务支出", "5,084.57"]


def test_a_latin_font_not_embedded_keeps_the_fast_page_reader():
    """Word's exports leave Times New Roman out and write empty text objects in it (zero wide, as the CJK
    glyphs pdfium cannot lay out): only fonts not flagged Nonsymbolic count, so the real 检察院 report is still
    read by pdfium on every page, not by the slower pdfminer."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from ingest.readers.pdfium_page import _text_left_out

    real = Path(os.environ.get("JUESUAN_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real"
    report = real / "江苏省人民检察院2019年度部门预算.pdf"
    if not report.is_file():
        pytest.skip("../shared/real is not present")
    document = pdfium.PdfDocument(report.read_bytes())
    try:
        assert not [n for n, page in enumerate(document, 1) if _text_left_out(page, raw)]
    finally:
        document.close()
