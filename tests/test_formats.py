"""The other file formats reports are published in: legacy Excel (.xls/.et), HTML pages, legacy Word (.doc/.wps),
OFD and ZIP/RAR bundles.

Each readable format must give the same facts — value and source_ref — as the XLSX or DOCX of the same content
(the fixtures are built here from the bundled report's own tables, with xlwt, openpyxl, python-docx and HTML
rendered from the rows); each unreadable one fails with a reason naming the file, and a run lists it as failed.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from html import escape
from pathlib import Path

import pytest
from conftest import SEEDS, find

from ingest.errors import ReadError
from ingest.load import source_ref
from ingest.parse import parse_bytes
from ingest.readers import read_bytes

MONEY = "#,##0.00"


def _seed_rows(start: int, stop: int) -> list[list[object]]:
    """Lines [start, stop) of the bundled 西安市总工会 report as sheet rows: tab-separated cells, money (1,234.56)
    as floats, everything else as printed; a line without a tab is a one-cell row."""
    lines = SEEDS["000"].read_text(encoding="utf-8").split("\n")[start:stop]

    def value(text: str) -> object:
        bare = text.replace(",", "")
        if "." in bare and bare.replace(".", "", 1).isdigit():
            return float(bare)
        return text or None

    return [[value(v) for v in line.split("\t")] for line in lines]


# Two sheets of the report's tables: 支出决算表 (公开03表) with its title block and a merged 项目 header, and
# 一般公共预算财政拨款支出决算表 (公开05表); a cover sheet with a date.
TITLE = "西安市总工会2024年度部门决算"
COVER = [[TITLE], [None], ["编制日期", datetime.datetime(2025, 8, 15)]]
SHEETS = {"封面": (COVER, []),
          "公开03表": (_seed_rows(495, 520), []),
          "公开05表": (_seed_rows(567, 594), [])}


def _merged_header(rows: list[list[object]]) -> list[tuple[int, int, int, int]]:
    """(first row, last row, first col, last col), 0-based: each header cell 项目 spans the empty cell after it."""
    return [(r, r, 0, 1) for r, row in enumerate(rows) if row and row[0] == "项目" and len(row) > 1 and row[1] is None]


def _xls(sheets: dict) -> bytes:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    money = xlwt.easyxf(num_format_str=MONEY)
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for title, (rows, _) in sheets.items():
        sheet = book.add_sheet(title)
        merged = {(r, c0): (r1, c1) for r, r1, c0, c1 in _merged_header(rows)}
        covered = {(r, c) for (r, c0), (r1, c1) in merged.items() for c in range(c0 + 1, c1 + 1)}
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if (r, c) in covered:
                    continue
                if (r, c) in merged:
                    sheet.write_merge(r, merged[r, c][0], c, merged[r, c][1], v)
                elif isinstance(v, float):
                    sheet.write(r, c, v, money)
                elif isinstance(v, datetime.datetime):
                    sheet.write(r, c, v, day)
                elif v is not None:
                    sheet.write(r, c, v)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx(sheets: dict) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, (rows, _) in sheets.items():
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = sheet.cell(r, c, v)
                if isinstance(v, float):
                    cell.number_format = MONEY
                elif isinstance(v, datetime.datetime):
                    cell.number_format = "yyyy-mm-dd"
        for r, r1, c0, c1 in _merged_header(rows):
            sheet.merge_cells(start_row=r + 1, end_row=r1 + 1, start_column=c0 + 1, end_column=c1 + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _facts(doc, table_code: str) -> set[tuple]:
    """(item, function code, value, decimals, printed text, source_ref) of a table's figures, as loaded."""
    return {(o.item, o.function_code, o.value, o.decimals, o.value_text, source_ref(doc, o.source_ref, o.line_no, o.col_no))
            for o in find(doc, table_code=table_code)}


@pytest.fixture(scope="module")
def workbooks() -> dict[str, bytes]:
    return {"xls": _xls(SHEETS), "xlsx": _xlsx(SHEETS)}


# ------------------------------------------------------------------------------------------------ .xls / .et
def test_xls_gives_the_xlsx_lines_grids_and_refs(workbooks):
    """The same workbook as XLS (xlwt) and XLSX (openpyxl): the same lines, locators and cells with their refs —
    money cells printed with the two decimals of their format, the date as a date, the merged 项目 header in its
    first cell."""
    xls = read_bytes(Path("决算.xls"), workbooks["xls"])
    xlsx = read_bytes(Path("决算.xlsx"), workbooks["xlsx"])
    assert xls.format == "xls" and xlsx.format == "xlsx"
    assert xls.lines == xlsx.lines
    assert xls.locators == xlsx.locators
    cells = [[(c.text, c.ref) for c in row] for g in xls.tables for row in g.rows]
    assert cells == [[(c.text, c.ref) for c in row] for g in xlsx.tables for row in g.rows]
    assert [("编制日期", "封面!A3"), ("2025-08-15", "封面!B3")] in cells
    assert [("项目", "公开03表!A9"), ("", "公开03表!B9"), ("本年支出合计", "公开03表!C9"), ("基本支出", "公开03表!D9"),
            ("项目支出", "公开03表!E9"), ("上缴上级支出", "公开03表!F9"), ("经营支出", "公开03表!G9"),
            ("对附属单位补助支出", "公开03表!H9")] in cells
    assert [("", "公开03表!A12"), ("合计", "公开03表!B12"), ("5334.09", "公开03表!C12"), ("149.52", "公开03表!D12"),
            ("5184.57", "公开03表!E12")] in cells
    assert [("210", "公开03表!A21"), ("卫生健康支出", "公开03表!B21"), ("101.11", "公开03表!C21"),
            ("1.11", "公开03表!D21"), ("100.00", "公开03表!E21")] in cells


def test_xls_report_gives_the_same_facts_as_the_xlsx(workbooks, parsed):
    """Parsed whole, the XLS gives the XLSX's facts of 公开03表 and 公开05表 — value, decimals, printed text and
    source_ref — and the figures of the text report."""
    xls = parse_bytes(Path("决算.xls"), workbooks["xls"])
    xlsx = parse_bytes(Path("决算.xlsx"), workbooks["xlsx"])
    for code in ("03", "05"):
        assert _facts(xls, code) == _facts(xlsx, code)
        got = {(o.item, o.function_code, o.value) for o in find(xls, table_code=code)}
        assert got == {(o.item, o.function_code, o.value) for o in find(parsed["000"], table_code=code)}
    facts = _facts(xls, "03")
    assert len(facts) == 30
    health = {f for f in facts if f[1] == "210"}
    assert {(f[0], f[2], f[4], f[5]) for f in health} == {
        ("total", Decimal("101.11"), "101.11", "公开03表!C21"), ("basic", Decimal("1.11"), "1.11", "公开03表!D21"),
        ("project", Decimal("100.00"), "100.00", "公开03表!E21")}


def test_et_and_an_xls_that_is_really_xlsx_or_html_are_read_as_what_they_are(workbooks):
    """WPS .et in the BIFF format is an XLS; an .xls that is really an XLSX (a ZIP) or an HTML table (a site's
    "Excel" export) is read by the reader of what it is."""
    assert read_bytes(Path("决算.et"), workbooks["xls"]).lines == read_bytes(Path("决算.xls"), workbooks["xls"]).lines
    as_xlsx = read_bytes(Path("决算.xls"), workbooks["xlsx"])
    assert as_xlsx.format == "xlsx" and "公开03表!C12" in {c.ref for g in as_xlsx.tables for r in g.rows for c in r}
    page = b"<html><body><table><tr><td>\xe5\x90\x88\xe8\xae\xa1</td><td>5,334.09</td></tr></table></body></html>"
    as_html = read_bytes(Path("export.xls"), page)
    assert as_html.format == "html"
    assert [[(c.text, c.ref) for c in row] for row in as_html.tables[0].rows] == [[("合计", "T1 R1 C1"),
                                                                                  ("5,334.09", "T1 R1 C2")]]


def test_an_xls_that_is_tab_separated_text_is_read_as_text():
    """Many sites' "Excel" exports are tab-separated text (here UTF-16, as .NET writes them): read as the text file
    it is — the same lines and table figures (refs L12:C3) as under .txt."""
    lines = SEEDS["000"].read_text(encoding="utf-8").split("\n")[:530]
    data = "\r\n".join(lines).encode("utf-16")
    as_xls, as_txt = parse_bytes(Path("export.xls"), data), parse_bytes(Path("export.txt"), data)
    assert as_xls.format == "text" and _facts(as_xls, "03") == _facts(as_txt, "03")
    assert ("total", None, Decimal("5334.09"), 2, "5,334.09", "L507:C3") in _facts(as_xls, "03")


def test_excel_display_rules_general_numbers_percent_and_half_up():
    """Numbers print as Excel shows them: General → at most 11 significant digits, no trailing zeros; a format's
    decimals rounded half away from zero (2.675 → 2.68, where binary floats and half-even would give 2.67); %."""
    from ingest.readers.office import cell_value_text

    assert cell_value_text(5334.09) == "5334.09"
    assert cell_value_text(1234.0) == "1234"
    assert cell_value_text(0.1 + 0.2) == "0.3"
    assert cell_value_text(2.675, "#,##0.00") == "2.68"
    assert cell_value_text(0.125, "0.00") == "0.13"
    assert cell_value_text(-0.125, "0.00") == "-0.13"
    assert cell_value_text(0.9659, "0.00%") == "96.59%"
    assert cell_value_text(datetime.datetime(2025, 8, 15, 9, 30)) == "2025-08-15 09:30"
    assert cell_value_text(True) == "TRUE"


def test_unreadable_xls_names_the_file():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    with pytest.raises(ReadError) as err:
        read_bytes(Path("in/决算表.xls"), ole)
    assert "in/决算表.xls" in str(err.value) and err.value.message.startswith("not a readable XLS file: ")
    assert err.value.place == "byte 0"


# ------------------------------------------------------------------------------------------------ HTML
def _html_table(rows: list[list[object]], merged: list[tuple[int, int, int, int]]) -> str:
    """A <table> of sheet rows: cells as printed (money with its thousands separator, as the text report prints
    it), a merged header as colspan."""
    spans = {(r, c0): c1 - c0 + 1 for r, _, c0, c1 in merged}
    covered = {(r, c) for r, _, c0, c1 in merged for c in range(c0 + 1, c1 + 1)}
    out = ["<table border=1>"]
    for r, row in enumerate(rows):
        cells = []
        for c, v in enumerate(row):
            if (r, c) in covered:
                continue
            text = f"{v:,.2f}" if isinstance(v, float) else escape(str(v or ""))
            span = f' colspan="{spans[r, c]}"' if (r, c) in spans else ""
            cells.append(f"<td{span}>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _page(charset: str = "utf-8", meta: bool = True) -> bytes:
    """公开03表 as a site shows it: a layout table around the content, prose paragraphs, the table itself; the
    charset declared in a <meta> (``meta``) or not."""
    rows = _seed_rows(495, 520)
    prose = [r[0] for r in rows if len(r) == 1 and r[0]]
    table = [r for r in rows if len(r) > 1]
    body = f"<h1>{TITLE}</h1>" + "".join(f"<p>{escape(str(p))}</p>\n" for p in prose) + _html_table(table, _merged_header(table))
    declared = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if meta else ""
    return (f'<!DOCTYPE html><html><head>{declared}'
            f"<title>网站首页</title><script>var x = '<p>不是正文</p>';</script></head>\n<body>"
            f'<table class="layout"><tr><td>导航</td></tr><tr><td>{body}</td></tr></table>'
            "</body></html>").encode("gb18030" if charset == "gbk" else charset)


def _docx_of(rows: list[list[object]]) -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    prose = [r[0] for r in rows if len(r) == 1 and r[0]]
    table_rows = [r for r in rows if len(r) > 1]
    for text in [TITLE, *prose]:
        document.add_paragraph(str(text))
    table = document.add_table(rows=len(table_rows), cols=max(len(r) for r in table_rows))
    for r, row in enumerate(table_rows):
        for c, v in enumerate(row):
            if (r, c) not in {(m[0], m[2] + 1) for m in _merged_header(table_rows)}:
                table.rows[r].cells[c].text = f"{v:,.2f}" if isinstance(v, float) else str(v or "")
    for r, _, c0, c1 in _merged_header(table_rows):
        table.cell(r, c0).merge(table.cell(r, c1))
        table.cell(r, c0).text = "项目"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_html_page_gives_the_same_facts_as_the_docx(charset, parsed):
    """A saved page (GBK or UTF-8, declared in its <meta>) around 公开03表: the layout table is not a grid, the
    paragraphs are prose lines, the content table's cells have the DOCX's refs (T1 R5 C3, colspan spread like a
    merged Word cell) — and the figures are the DOCX's and the text report's, with the same source_ref."""
    page = parse_bytes(Path("决算.html"), _page(charset))
    word = parse_bytes(Path("决算.docx"), _docx_of(_seed_rows(495, 520)))
    assert page.format == "html"
    assert _facts(page, "03") == _facts(word, "03") and len(_facts(page, "03")) == 30
    assert {(o.item, o.function_code, o.value) for o in find(page, table_code="03")} == \
        {(o.item, o.function_code, o.value) for o in find(parsed["000"], table_code="03")}
    total = {(f[0], f[4], f[5]) for f in _facts(page, "03") if f[1] is None}
    assert ("total", "5,334.09", "T1 R4 C3") in total
    raw = read_bytes(Path("决算.html"), _page(charset))
    assert raw.lines[:4] == ["导航", TITLE, "支出决算表", "公开03表"] and "不是正文" not in "\n".join(raw.lines)
    assert raw.locators[:4] == ["P1", "P2", "P3", "P4"]
    assert len(raw.tables) == 1 and raw.tables[0].rows[0][1].ref == "T1 R1 C2"


def test_an_mhtml_single_file_page_is_read_under_mht_doc_and_xls():
    """Word's "single file web page" (MHTML: a MIME message holding the page, here GB2312 in base64 with the
    charset only in its MIME header, and a stylesheet) — published as .mht, .doc or .xls — gives the page's facts."""
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    message = MIMEMultipart("related")
    message.attach(MIMEText(_page("gbk", meta=False).decode("gb18030"), "html", "gb2312"))
    message.attach(MIMEText("p.MsoNormal {margin:0cm}", "css"))
    data = message.as_bytes()
    want = _facts(parse_bytes(Path("决算.html"), _page()), "03")
    assert len(want) == 30
    for name in ("决算.mht", "决算.doc", "决算.xls"):
        doc = parse_bytes(Path(name), data)
        assert doc.format == "html" and _facts(doc, "03") == want
    with pytest.raises(ReadError) as err:
        read_bytes(Path("x.mht"), MIMEMultipart("related").as_bytes())
    assert err.value.message == "not a readable MHTML file: it has no HTML part" and "x.mht" in str(err.value)


def test_html_rowspan_colspan_and_line_breaks():
    """rowspan/colspan spread out (text in the top-left position), <br> inside a cell re-joined like a wrapped
    cell (no space between Chinese characters), &nbsp; and source line breaks collapsed, a <caption> a prose line
    above its table."""
    page = """<html><body><h2>2024年度<br>收入决算表</h2><p>单位：万元&nbsp;&nbsp;</p>
    <table><caption>收入决算表</caption><thead><tr><th rowspan="2">项目</th><th colspan="2">本年收入</th></tr>
    <tr><th>财政拨款<br>收入</th><th>其他收入</th></tr></thead>
    <tbody><tr><td>合计</td><td>1,000.00</td><td>20.50</td></tr></tbody></table>
    <div>注：本表反映部门
    本年度收入情况。</div></body></html>""".encode()
    raw = read_bytes(Path("p.htm"), page)
    assert raw.lines[:4] == ["2024年度", "收入决算表", "单位：万元", "收入决算表"]
    assert [[(c.text, c.ref) for c in row] for row in raw.tables[0].rows] == [
        [("项目", "T1 R1 C1"), ("本年收入", "T1 R1 C2"), ("", "T1 R1 C3")],
        [("", "T1 R2 C1"), ("财政拨款收入", "T1 R2 C2"), ("其他收入", "T1 R2 C3")],
        [("合计", "T1 R3 C1"), ("1,000.00", "T1 R3 C2"), ("20.50", "T1 R3 C3")]]
    assert raw.lines[-1] == "注：本表反映部门本年度收入情况。" and raw.locators[-1] == "P5"


def test_unreadable_html_names_the_file():
    with pytest.raises(ReadError) as err:
        read_bytes(Path("site/page.html"), b"\xff\xfe\x00\xd8" + b"\x00" * 3)
    assert "site/page.html" in str(err.value)


# ------------------------------------------------------------------------------------------------ fail with a reason
def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# a Word 97 binary is read (tests/test_worddoc.py); one that is encrypted cannot be (written by Word: oletools' test data)
OLE_DOC = (Path(__file__).resolve().parent / "fixtures" / "worddoc" / "word_encrypted.doc").read_bytes()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("2024年度部门决算.doc", OLE_DOC, "encrypted Word document: it cannot be opened without its password"),
    ("2024年度部门决算.wps", OLE_DOC, "encrypted Word document: it cannot be opened without its password"),
    ("2024年度部门决算.doc", b"{\\rtf1\\ansi 2024}", "an RTF document under .doc: save it as .docx or PDF"),
    ("2024年度部门决算.ofd", _zip({"OFD.xml": b"<ofd:OFD/>"}), "OFD document: save it as PDF (OFD is not read)"),
    ("决算公开.zip", _zip({"部门决算.pdf": b"%PDF", "附表.xls": b"x"}),
     "a bundle of 2 files (部门决算.pdf, 附表.xls): unpack it and run on its folder (archives are not expanded)"),
    ("决算公开.rar", b"Rar!\x1a\x07\x00" + bytes(20),
     "a RAR bundle: unpack it and run on its folder (archives are not expanded)"),
])
def test_formats_that_cannot_be_read_fail_with_what_to_do(name, data, message):
    with pytest.raises(ReadError) as err:
        read_bytes(Path("in") / name, data)
    assert err.value.message == message and f"in/{name}" in str(err.value)


def test_a_doc_that_is_really_docx_or_html_is_read():
    """Sites rename: a .doc that is a DOCX (a ZIP) or Word's "save as web page" is read as what it is."""
    word = _docx_of(_seed_rows(495, 520))
    assert read_bytes(Path("a.doc"), word).lines == read_bytes(Path("a.docx"), word).lines
    assert read_bytes(Path("a.doc"), _page()).format == "html"


def test_a_zip_bundle_is_checked_against_the_zip_bomb_limits_first(monkeypatch):
    monkeypatch.setenv("JUESUAN_MAX_UNZIPPED_MB", "1")
    with pytest.raises(ReadError) as err:
        read_bytes(Path("bomb.zip"), _zip({"big.txt": b"0" * (2 * 1024 * 1024)}))
    assert err.value.message.startswith("archive inflates to more than")


def test_gbk_member_names_of_a_zip_are_shown_as_written():
    """A Chinese Windows zip tool writes GBK names without the UTF-8 flag (made here by writing a 12-byte ASCII
    name and putting the 12 GBK bytes of 部门决算.pdf in its place: the CRC covers the content, not the name)."""
    gbk = "部门决算.pdf".encode("gbk")
    data = _zip({"abcdefgh.pdf": b"%PDF"}).replace(b"abcdefgh.pdf", gbk)
    with pytest.raises(ReadError) as err:
        read_bytes(Path("b.zip"), data)
    assert "(部门决算.pdf)" in err.value.message


# ------------------------------------------------------------------------------------------------ a run
def test_a_run_loads_the_readable_formats_and_lists_the_others_as_failed(tmp_path, workbooks, capsys):
    """One file of each kind in a folder: the XLS and the HTML page load (their figures in the warehouse with
    their refs), .doc/.ofd/.zip are failed documents with their reason — listed by the run, which exits 4 as for
    any failed document — and nothing else is lost."""
    from warehouse import query, run

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a_决算.xls").write_bytes(workbooks["xls"])
    (folder / "b_决算.html").write_bytes(_page())
    (folder / "c_决算.doc").write_bytes(OLE_DOC)
    (folder / "d_决算.ofd").write_bytes(_zip({"OFD.xml": b"<ofd:OFD/>"}))
    (folder / "e_决算.zip").write_bytes(_zip({"部门决算.pdf": b"%PDF"}))
    (folder / "scan.png").write_bytes(b"\x89PNG")
    db = tmp_path / "w.duckdb"
    assert run("--lang", "en", "ingest", "--db", db, folder) == 4
    out = "".join(capsys.readouterr().out.split())   # a console folds long lines anywhere
    rows = query(db, "SELECT source_file, format, status, error FROM raw.documents ORDER BY source_file")
    # two tables of a report: partial (cut short of the template's later tables), as their XLSX and DOCX are
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("a_决算.xls", "xls", "partial"), ("b_决算.html", "html", "partial"), ("c_决算.doc", "doc", "failed"),
        ("d_决算.ofd", "ofd", "failed"), ("e_决算.zip", "archive", "failed")]
    assert rows[2][3] == "encrypted Word document: it cannot be opened without its password (ask the publisher " \
                         "for an unprotected copy or save it without the password)"
    assert "2parsed" in out and "3failed" in out and "1×notareportformat(.png)" in out
    for name, reason in (("c_决算.doc", "encryptedWorddocument:itcannotbeopenedwithoutitspassword"),
                         ("d_决算.ofd", "OFDdocument:saveitasPDF"), ("e_决算.zip", "abundleof1files(部门决算.pdf)")):
        assert f"{name},wholefile:{reason}" in out
    refs = dict(query(db, "SELECT d.format, o.source_ref FROM raw.observations o JOIN raw.documents d USING (doc_id) "
                          "WHERE o.value_text IN ('5334.09', '5,334.09') AND o.table_code = '03' AND o.item = 'total'"))
    assert refs == {"xls": "公开03表!C12", "html": "T1 R4 C3"}


def test_a_warehouse_outputs_folder_is_not_walked_for_reports(tmp_path):
    """HTML is a report format now, and a warehouse's pages (``w_outputs/report.html``, its site, Data Docs) quote
    every report's figures: a folder ``<stem>_outputs`` beside ``<stem>.duckdb`` is not walked; an HTML report
    beside the warehouse file, or in a folder merely named ``*_outputs``, is read."""
    from ingest.pipeline import discover

    (tmp_path / "w.duckdb").write_bytes(b"")
    for page in ("w_outputs/report.html", "w_outputs/site/index.html", "x_outputs/决算.html", "决算.htm"):
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_bytes(_page())
    found, skipped = discover([tmp_path])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in found) == ["x_outputs/决算.html", "决算.htm"]
    assert [s.reason for s in skipped] == ["not a report format (.duckdb)"]
