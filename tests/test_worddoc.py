"""Legacy Word (.doc, WPS .wps): a Word 97–2003 binary, read by ingest/readers/worddoc.py, gives the same lines,
grids, refs and facts as the DOCX of the same content — and fails with the file and the place when it cannot be
read.

The fixtures (tests/fixtures/worddoc/) were made by make_fixtures.py there, with python-docx and LibreOffice 7.4
(``soffice --convert-to doc:"MS Word 97"``); the tests need no LibreOffice:

* ``report.docx`` — the bundled 西安市总工会 report (data/reports/000) written with python-docx, a label followed by
  empty cells in a row without figures merged over them (gridSpan); ``report.doc`` — LibreOffice's Word 97 export
  of it: 34 pages, UTF-16 pieces, the properties of its long table rows in the Data stream (sprmPHugePapx);
* ``features.fodt`` (hand-written) → ``features.doc`` and ``features.docx``: fields, line/page/section breaks,
  hyphens, a footnote, a header and a footer, tracked changes, a table with cells merged both ways, empty cells
  and an empty row, a cell of two paragraphs, a nested table;
* written by Microsoft Word, taken from the test data of oletools 0.60.2 (BSD licence, © Philippe Lagadec):
  ``word_compressed.doc`` (its tests/test-data/msodde/harmless-clean.doc: its text is one 8-bit cp1252 —
  "compressed" — piece) and ``word_encrypted.doc`` (tests/test-data/encrypted/encrypted.doc: RC4-encrypted).
"""

from __future__ import annotations

import io
import resource
import shutil
import struct
from pathlib import Path

import olefile
import pytest
from warehouse import query, run

from ingest.errors import ReadError
from ingest.load import source_ref
from ingest.parse import parse_bytes
from ingest.readers import read_bytes
from ingest.readers.worddoc import _PAGE as _PAGE_SIZE
from ingest.readers.worddoc import _Fib, _main_text, _para, _Piece, _unprinted
from juesuan import i18n

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "worddoc"


def _bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _layout(raw) -> tuple[list[tuple[str, str]], list[list[tuple[str, str]]]]:
    """(line, locator) of every line and (text, ref) of every table cell."""
    return (list(zip(raw.lines, raw.locators)),
            [[(c.text, c.ref) for c in row] for grid in raw.tables for row in grid.rows])


def _facts(doc) -> set[tuple]:
    """Every figure read, as loaded: (table, item, function code, subject, value, printed text, source_ref)."""
    return {(o.table_code, o.item, o.function_code, o.subject_name, o.value, o.value_text,
             source_ref(doc, o.source_ref, o.line_no, o.col_no)) for o in doc.result.observations}


# ------------------------------------------------------------------------------------------------ same as the DOCX
def test_a_report_doc_gives_the_lines_tables_and_facts_of_its_docx():
    raw_doc, raw_docx = read_bytes(Path("决算.doc"), _bytes("report.doc")), read_bytes(Path("决算.docx"),
                                                                                      _bytes("report.docx"))
    assert raw_doc.format == "doc" and len(raw_doc.lines) == 682 and len(raw_doc.tables) == 16
    assert _layout(raw_doc) == _layout(raw_docx)
    doc, docx = parse_bytes(Path("决算.doc"), _bytes("report.doc")), parse_bytes(Path("决算.docx"),
                                                                                _bytes("report.docx"))
    assert (doc.status, doc.unit_name, doc.fiscal_year, doc.standard_tables) == ("ok", "西安市总工会", 2024, 6)
    assert _facts(doc) == _facts(docx) and len(_facts(doc)) == 523
    totals = {f for f in _facts(doc) if f[5] == "5,334.09"}
    assert ("03", "total", None, None, 5334.09, "5,334.09", "T10 R4 C3") in {(*f[:4], float(f[4]), *f[5:]) for f in totals}
    # a 公开 table's merged 项目 header: the label in its first column, the one it covers blank
    grid = next(g for g in raw_doc.tables if g.rows[0][0].ref.startswith("T10 "))
    assert [(c.text, c.ref) for c in grid.rows[0][:3]] == [("项目", "T10 R1 C1"), ("", "T10 R1 C2"),
                                                           ("本年支出合计", "T10 R1 C3")]
    # the same bytes named .wps (WPS's name for the same format) read the same
    assert _layout(read_bytes(Path("决算.wps"), _bytes("report.doc"))) == _layout(raw_doc)


def test_an_excel_97_workbook_named_doc_is_read_as_one():
    """The bytes decide: a compound file holding a Workbook stream and no WordDocument is an .xls whatever its name."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("公开03表")
    for r, row in enumerate([["项目", "本年支出合计"], ["合计", 5334.09]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    raw = read_bytes(Path("决算.doc"), buffer.getvalue())
    assert raw.format == "xls" and list(zip(raw.lines, raw.locators)) == [
        ("公开03表", "公开03表!"), ("项目\t本年支出合计", "公开03表!1"), ("合计\t5334.09", "公开03表!2"), ("", "公开03表!")]


FEATURE_LINES = [
    ("某单位2024年度部门决算", "P1"),
    ("Total expenditure, ASCII only: 1,234.56", "P2"),
    ("第一行\n第二行（换行）", "P3"),                      # a line break inside the paragraph
    ("项目\t金额", "P4"),
    ("脚注在此之后", "P5"),                              # the footnote's reference mark prints nothing, its text is not read
    ("链接：财政局网站。", "P6"),                        # HYPERLINK field: its result
    ("本页页码1。", "P7"),                               # PAGE field: its result
    ("不断行连字符：A-1，可选连字符：决算", "P8"),
    ("分页后的段落", "P9"),
    ("项目\t\t本年收入\t备注", "T1 R1"),
    ("科目编码\t科目名称\t金额\t", "T1 R2"),
    ("201\t一般公共服务支出\t1,000.00\t", "T1 R3"),
    ("\t合计\t\t无", "T1 R5"),                          # R4 (all its cells empty) is dropped, as from a DOCX
    ("", "after T1"),
    ("表间段落", "P10"),
    ("外层\t嵌套表之上内1内2嵌套表之下", "T2 R1"),
    ("A\tB", "T2 R2"),
    ("", "after T2"),
    ("", "P11"),                                          # the section break's own paragraph
    ("横向页（新的一节）", "P12"),
    ("修订：保留插入的文字", "P13"),                    # tracked changes: "删除的" deleted (not read), "插入的" inserted
    ("最后一段", "P14"),
]


def test_fields_breaks_hyphens_and_what_is_not_the_main_text():
    raw = read_bytes(Path("f.doc"), _bytes("features.doc"))
    assert list(zip(raw.lines, raw.locators)) == FEATURE_LINES
    text = "\n".join(raw.lines)
    assert "页眉" not in text and "脚注文字" not in text and "HYPERLINK" not in text and "PAGE" not in text
    assert "删除的" not in text
    # the DOCX LibreOffice wrote from the same source reads the same but for what python-docx leaves out: a
    # nested table's cells (not in the outer cell's text) and a tracked insertion (its w:ins holds the runs)
    docx = read_bytes(Path("f.docx"), _bytes("features.docx"))
    differ = [(a, b) for a, b in zip(list(zip(docx.lines, docx.locators)), FEATURE_LINES) if a != b]
    assert len(docx.lines) == len(FEATURE_LINES) and differ == [
        (("外层\t嵌套表之上嵌套表之下", "T2 R1"), ("外层\t嵌套表之上内1内2嵌套表之下", "T2 R1")),
        (("修订：保留文字", "P13"), ("修订：保留插入的文字", "P13"))]


def test_merged_and_empty_cells_keep_their_columns():
    """项目 spans two columns (text, then a blank), 备注 two rows (blank below), empty cells stay in place, a cell
    of two paragraphs is one cell; every row of a 4-column grid has 4 cells with the refs a DOCX gives."""
    raw = read_bytes(Path("f.doc"), _bytes("features.doc"))
    assert [[(c.text, c.ref) for c in row] for row in raw.tables[0].rows] == [
        [("项目", "T1 R1 C1"), ("", "T1 R1 C2"), ("本年收入", "T1 R1 C3"), ("备注", "T1 R1 C4")],
        [("科目编码", "T1 R2 C1"), ("科目名称", "T1 R2 C2"), ("金额", "T1 R2 C3"), ("", "T1 R2 C4")],
        [("201", "T1 R3 C1"), ("一般公共服务支出", "T1 R3 C2"), ("1,000.00", "T1 R3 C3"), ("", "T1 R3 C4")],
        [("", "T1 R5 C1"), ("合计", "T1 R5 C2"), ("", "T1 R5 C3"), ("无", "T1 R5 C4")]]
    assert [[(c.text, c.ref) for c in row] for row in raw.tables[1].rows] == [
        [("外层", "T2 R1 C1"), ("嵌套表之上内1内2嵌套表之下", "T2 R1 C2")], [("A", "T2 R2 C1"), ("B", "T2 R2 C2")]]


# ------------------------------------------------------------------------------------------------ 8-bit and UTF-16
def test_a_doc_written_by_word_with_an_8bit_piece():
    raw = read_bytes(Path("w.doc"), _bytes("word_compressed.doc"))
    assert list(zip(raw.lines, raw.locators)) == [
        ("Test", "P1"), ("", "P2"), ("This is a harmless test document.", "P3"), ("", "P4"),
        ("It contains neither macros nor dde links nor embedded viruses nor links to evil web pages. Not even a "
         "single insult. Boring!", "P5"), ("", "P6"),
        ("Just to make things slightly interesting, however, we add some ünicöde-ßtringß and different text sizes, "
         "colors and fonts", "P7")]


def test_8bit_and_utf16_pieces_make_one_text():
    """A text in two pieces, as Word writes one whose later part has characters outside cp1252: an 8-bit piece
    (cp1252: 0x80 is €, the unassigned 0x81 stands for itself) and a UTF-16LE one."""
    word = b"\0" * 16 + b"Total \x80\x81 " + "万元\r".encode("utf-16-le")
    pieces = [_Piece(0, 9, 16, True, 0), _Piece(9, 12, 25, False, 0)]   # CPs, byte offset, 8-bit or not, Prm
    assert _main_text(word, pieces, 12) == "Total €\x81 万元\r"
    assert _main_text(word, pieces, 10) == "Total €\x81 万"       # only the main text's characters


def test_runs_a_docx_would_not_print_by_their_character_formatting():
    """A CHPX page of four runs: a symbol from a symbol font (sprmCSymbol: Word writes a 0x28 placeholder, a DOCX
    a w:sym), text deleted with revision marks (sprmCFRMarkDel on: a DOCX's w:delText), the same mark off, none."""
    page = bytearray(_PAGE_SIZE)
    runs = [(10, 12, struct.pack("<HHH", 0x6A09, 2, 0xF0FE)), (12, 20, struct.pack("<HB", 0x0800, 1)),
            (20, 30, struct.pack("<HB", 0x0800, 0)), (30, 40, b"")]
    struct.pack_into("<5I", page, 0, *[a for a, _, _ in runs], runs[-1][1])
    at = 400
    for i, (_, _, grpprl) in enumerate(runs):
        if grpprl:
            page[at:at + 1 + len(grpprl)] = bytes([len(grpprl)]) + grpprl
            page[20 + i] = at // 2
            at += 20
    page[_PAGE_SIZE - 1] = len(runs)
    word = bytes(_PAGE_SIZE) + bytes(page)                     # the page is page 1
    table = struct.pack("<3I", 10, 40, 1)                     # PlcBteChpx: FCs 10–40 on page 1
    pairs = [(0, 0)] * 34
    pairs[12] = (0, len(table))
    assert _unprinted(word, table, _Fib("1Table", 40, tuple(pairs))) == [(10, 12), (12, 20)]


# ------------------------------------------------------------------------------------------------ failures
@pytest.fixture
def zh():
    i18n.set_lang("zh")
    yield
    i18n.set_lang(None)


def _failure(name: str, data: bytes) -> ReadError:
    with pytest.raises(ReadError) as err:
        read_bytes(Path("in") / name, data)
    assert f"in/{name}" in str(err.value)
    return err.value


def test_an_encrypted_doc_fails_saying_so(zh):
    error = _failure("加密.doc", _bytes("word_encrypted.doc"))
    assert (error.message, error.place, error.hint) == (
        "encrypted Word document: it cannot be opened without its password", "whole file",
        "ask the publisher for an unprotected copy or save it without the password")
    assert i18n.message(f"{error.message} ({error.hint})") == \
        "加密的 Word 文档：没有密码无法打开（请向发布单位索取未加密的版本，或去掉密码后另存）"


def _edited(tmp_path: Path, stream: str, at: int, value: bytes) -> bytes:
    """features.doc with ``value`` written at byte ``at`` of one of its streams."""
    path = tmp_path / "edited.doc"
    path.write_bytes(_bytes("features.doc"))
    ole = olefile.OleFileIO(str(path), write_mode=True)
    data = bytearray(ole.openstream(stream).read())
    data[at:at + len(value)] = value
    ole.write_stream(stream, bytes(data))
    ole.close()
    return path.read_bytes()


def test_a_damaged_or_word6_doc_fails_naming_the_structure_and_place(tmp_path, zh):
    # the FIB of features.doc (LibreOffice): fcClx at byte 418 (1258), fcPlcfBtePapx at 258 (1080, 76 bytes: 9
    # pages, their numbers from byte 1080 + 40)
    word = olefile.OleFileIO(_bytes("features.doc")).openstream("WordDocument").read()
    assert struct.unpack_from("<II", word, 418) == (1258, 21) and struct.unpack_from("<II", word, 258) == (1080, 76)
    error = _failure("a.doc", _edited(tmp_path, "1Table", 1258, b"\x07"))
    assert (error.message, error.place) == ("not a readable Word (.doc) file: its piece table is damaged",
                                            "1Table stream byte 1258")
    assert (i18n.message(error.message), i18n.place(error.place)) == (
        "不是可读的 Word（.doc）文件：其文本片段表已损坏", "1Table 流第 1258 字节")
    error = _failure("b.doc", _edited(tmp_path, "1Table", 1080 + 40, struct.pack("<I", 4000)))
    assert (error.message, error.place) == ("not a readable Word (.doc) file: its paragraph formatting is damaged",
                                            f"WordDocument stream byte {4000 * 512}")
    table = olefile.OleFileIO(_bytes("features.doc")).openstream("1Table").read()
    page = struct.unpack_from("<I", table, 1080 + 40)[0]
    error = _failure("c.doc", _edited(tmp_path, "WordDocument", page * 512 + 511, b"\x28"))   # 40 runs: cannot fit
    assert (error.message, error.place) == ("not a readable Word (.doc) file: its paragraph formatting is damaged",
                                            f"WordDocument stream byte {page * 512 + 511}")
    assert i18n.message(error.message) == "不是可读的 Word（.doc）文件：其段落格式已损坏"
    error = _failure("d.wps", _edited(tmp_path, "WordDocument", 2, struct.pack("<H", 0x0068)))
    assert (error.message, error.place, error.hint) == ("Word 6/95 format (.wps): save it as .docx or PDF",
                                                        "whole file", "only Word 97–2003 binaries are read")


def test_a_doc_cut_short_says_so(zh):
    data = _bytes("report.doc")
    error = _failure("cut.doc", data[:300_000])
    assert (error.message, error.place) == (
        "the file is cut short: a Word/Excel 97–2003 file's sector table reaches byte 437760, this one stops at "
        "byte 300000", "byte 300000")
    assert i18n.message(f"{error.message} ({error.hint})") == (
        "文件不完整（被截断）：Word/Excel 97–2003 文件的扇区表延伸到第 437760 字节，此文件到第 300000 字节就结束了"
        "（复制或下载未完成；请重新获取文件）")
    assert _failure("head.doc", data[:100]).message.startswith("the file is cut short: a Word/Excel 97–2003 file's "
                                                               "sector table reaches byte 512")


# ------------------------------------------------------------------------------------------------ a run, speed
def test_a_folder_holding_a_doc_is_ingested_with_status_ok(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FIXTURES / "report.doc", inbox / "西安市总工会2024年度部门决算.doc")
    db = tmp_path / "w.duckdb"
    assert run("--lang", "en", "ingest", "--db", db, inbox) == 0
    assert query(db, "SELECT source_file, format, status, error FROM raw.documents") == [
        ("西安市总工会2024年度部门决算.doc", "doc", "ok", None)]
    assert query(db, "SELECT source_ref FROM raw.observations WHERE table_code = '03' AND item = 'total' "
                     "AND value_text = '5,334.09'") == [("T10 R4 C3",)]


def test_a_34_page_doc_is_read_in_well_under_a_second():
    data = _bytes("report.doc")
    before = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(3):
        _para.cache_clear()                               # each read as the first of a run
        read_bytes(Path("r.doc"), data)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / 3
    assert cpu < 0.3, f"{cpu:.3f} s of CPU to read a 34-page .doc"
