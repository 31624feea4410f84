"""Real published reports (../shared/real, not part of the repository): the hand-read right values of
its README are read from the tables — exact, in 万元, with page and cell — and each repro is a test.
Skips when ../shared is absent (override with JUESUAN_SHARED)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.load import document_rows
from ingest.parse import parse_file

SHARED = Path(os.environ.get("JUESUAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REAL = SHARED / "real"
REPRO = REAL / "repro"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not present")

_CACHE: dict[Path, tuple] = {}


def _doc(path: Path):
    if path not in _CACHE:
        doc = parse_file(path)
        _CACHE[path] = (doc, document_rows(doc)["observations"])
    return _CACHE[path]


def _refs(rows, table_code, kind, item, value, function_code=None, scope=None, measure=None):
    return sorted(r["source_ref"] for r in rows
                  if r["table_code"] == table_code and r["kind"] == kind and r["item"] == item
                  and r["function_code"] == function_code and r["value"] == Decimal(value)
                  and (scope is None or r["scope"] == scope) and (measure is None or r["measure"] == measure))


# (file, metadata, [(table_code, kind, item, function_code, value 万元, source_ref)])
SWU = "西南大学2023年度部门决算.pdf"
SFJ = "上海市普陀区司法局2026年部门预算.pdf"
JCY = "江苏省人民检察院2019年度部门预算.pdf"
SWBGT = "中共江苏省委办公厅2019年度部门预算公开表格.pdf"
RIGHT = [
    (SWU, ("西南大学", 2023, "部门决算"), [
        ("01", "revenue", "grand_total", None, "569496.54", "p9 T1 R17 C2"),
        ("01", "revenue", "current_total", None, "430725.03", "p9 T1 R12 C2"),
        ("01", "revenue", "fiscal_total", None, "243015.38", "p8 T1 R4 C2"),
        ("01", "expenditure", "total", None, "457676.75", "p9 T1 R12 C4"),
        ("03", "expenditure", "basic", None, "359781.59", "p13 T1 R14 C4"),
        ("03", "expenditure", "project", None, "97895.15", "p13 T1 R14 C5"),
        ("10", "expenditure", "total", None, "237100.00", "p15 T1 R11 C5"),
        ("03", "expenditure", "total", "205", "425287.27", "p12 T1 R2 C3"),
        ("10", "expenditure", "total", "205", "213588.53", "p14 T1 R5 C5"),
        ("10", "expenditure", "total", "2050205", "186663.39", "p14 T1 R9 C5"),
        ("02", "revenue", "current_total", "205", "399693.48", "p10 T1 R3 C3"),
        ("02", "revenue", "fiscal_total", "205", "220752.34", "p10 T1 R3 C4"),
        ("02", "revenue", "current_total", "2050205", "363483.12", "p10 T1 R7 C3"),
        ("02", "revenue", "fiscal_total", "2050205", "193993.03", "p10 T1 R7 C4"),
        ("02", "revenue", "current_total", "221", "16278.27", "p11 T1 R8 C3"),
        ("02", "revenue", "fiscal_total", "221", "7629.03", "p11 T1 R8 C4"),
    ]),
    (SFJ, ("上海市普陀区司法局", 2026, "部门预算"), [
        ("B01", "revenue", "grand_total", None, "9628.2213", "p10 T1 R16 C2"),
        ("B01", "revenue", "fiscal_total", None, "9628.2213", "p10 T1 R3 C2"),
        ("B01", "expenditure", "grand_total", None, "9628.2213", "p10 T1 R16 C4"),
        ("B03", "expenditure", "basic", None, "2574.1666", "p13 T1 R10 C6"),
        ("B03", "expenditure", "project", None, "7054.0547", "p13 T1 R10 C7"),
        ("B06", "expenditure", "personnel", None, "2356.3342", "p20 T1 R17 C5"),
        ("B09", "three_public", "total", None, "10.81", "p21 T1 R4 C1"),
        ("B09", "other", None, None, "217.83", "p21 T1 R4 C7"),  # 机关运行经费预算数
        ("B05", "expenditure", "total", "204", "8726.7272", "p15 T1 R4 C5"),
        ("B05", "expenditure", "total", "2040601", "1672.6725", "p15 T1 R6 C5"),
        ("B03", "expenditure", "total", "208", "334.3704", "p12 T1 R12 C5"),
    ]),
    (JCY, ("江苏省人民检察院", 2019, "部门预算"), [
        ("B01", "revenue", "fiscal_total", None, "24169.74", "p14 T1 R10 C2"),
        ("B01", "revenue", "general_budget", None, "24169.74", "p14 T1 R11 C2"),
        ("B01", "expenditure", "total", None, "24169.74", "p14 T1 R37 C6"),
        ("B01", "expenditure", "basic", None, "15844.04", "p14 T1 R10 C6"),
        ("B01", "expenditure", "project", None, "4335.30", "p14 T1 R11 C6"),
        ("B01", "expenditure", "reserve", None, "3990.40", "p14 T1 R13 C6"),  # 单位预留机动经费
        ("B09", "three_public", "total", None, "418.26", "p20 T1 R5 C2"),
        (None, "other", "机关运行经费支出", None, "2391.92", "p21 T1 R3 C3"),  # 一般公共预算机关运行经费支出预算表 合计
        ("B05", "expenditure", "total", "204", "16593.12", "p16 T2 R4 C4"),
        ("B05", "expenditure", "total", "2040401", "12268.62", "p16 T2 R6 C4"),
    ]),
    (SWBGT, ("中共江苏省委办公厅", 2019, "部门预算"), [
        ("B01", "revenue", "current_total", None, "27664.22", "p1 T1 R26 C2"),
        ("B01", "revenue", "fiscal_total", None, "27664.22", "p1 T1 R5 C2"),
        ("B01", "revenue", "general_budget", None, "27664.22", "p1 T1 R6 C2"),
        ("B01", "expenditure", "total", None, "27664.22", "p1 T1 R26 C6"),
        ("B01", "expenditure", "basic", None, "11700.63", "p1 T1 R5 C6"),
        ("B01", "expenditure", "project", None, "13025.38", "p1 T1 R6 C6"),
        ("B09", "three_public", "total", None, "508.20", "p9 T1 R6 C2"),
        (None, "other", "机关运行经费支出", None, "2232.91", "p11 T1 R3 C3"),  # 一般公共预算机关运行经费支出预算表 合计
        ("B05", "expenditure", "total", "201", "22395.50", "p5 T1 R4 C3"),
        ("B05", "expenditure", "total", "2013101", "9370.12", "p5 T1 R6 C3"),
    ]),
]


@pytest.mark.parametrize("name, meta, facts", RIGHT, ids=[r[0][:8] for r in RIGHT])
def test_right_values_are_read_from_the_tables_with_page_and_cell(name, meta, facts):
    doc, rows = _doc(REAL / name)
    assert (doc.unit_name, doc.fiscal_year, doc.report_kind) == meta
    for table_code, kind, item, code, value, ref in facts:
        refs = _refs(rows, table_code, kind, item, value, code)
        assert ref in refs, (table_code, kind, item, code, value, refs)
    budget = meta[2].endswith("预算")
    measures = {r["measure"] for r in rows if r["source_kind"] == "table" and r["table_code"]
                and r["kind"] != "other"}
    assert measures == ({"budget"} if budget else {"amount"})
    assert not [i for i in doc.result.issues if i.severity == "error"], doc.result.issues


def test_table_in_yuan_keeps_printed_text_and_decimals():
    doc, rows = _doc(REAL / SFJ)
    row = next(r for r in rows if r["source_ref"] == "p15 T1 R6 C5")
    assert (row["value"], row["value_text"], row["decimals"], row["printed_unit"]) == (
        Decimal("1672.6725"), "16726725.44元", 6, "元")


def test_standard_table_row_counts():
    doc, _ = _doc(REAL / SWU)
    rows: dict[str, set] = {}
    for c in doc.result.cells:
        rows.setdefault(c.table_code, set()).add((c.table_no, c.row_no))
    # printed rows, blank rows aside: 表1 pp.8-9 18 + 15, 表2 pp.10-11 13 + 15, 表3 pp.12-13 13 + 14,
    # 表4 pp.14-15 16 + 11 (its continuation repeats no header)
    assert {k: len(v) for k, v in rows.items() if k in ("01", "02", "03", "10")} == {
        "01": 33, "02": 28, "03": 27, "10": 27}


# ---------------------------------------------------------------- repro
def _values(path: Path, **criteria) -> set:
    _, rows = _doc(path)
    return {r["value"] for r in rows if all(r[k] == v for k, v in criteria.items())}


def test_r01_pdf_tables_are_read():
    path = REPRO / "r01_pdf_tables_never_read" / "swu2023_cover_p10-11.pdf"
    doc, rows = _doc(path)
    assert len(doc.result.cells) == 28 * 9  # 2 header + 26 body rows, 9 columns
    # an excerpt — a cover and 收入决算表 — is partial: it ends in that table and none of the template's later
    # tables is in it; every error is that one, placed at the last row read
    assert doc.status == "partial"
    errors = [i for i in doc.result.issues if i.severity == "error"]
    assert [i.place for i in errors] == ["p3 T1 R15"]
    assert errors[0].message.startswith("the document is cut short: it ends inside 收入决算表 (L6–L33) and none of "
                                        "the 7 standard tables that follow it in the template is in the document")
    assert _refs(rows, "02", "revenue", "current_total", "399693.48", "205") == ["p2 T1 R3 C3"]
    assert _refs(rows, "02", "revenue", "fiscal_total", "220752.34", "205") == ["p2 T1 R3 C4"]
    assert _refs(rows, "02", "revenue", "fiscal_total", "193993.03", "2050205") == ["p2 T1 R7 C4"]
    assert _refs(rows, "02", "revenue", "current_total", "430725.03") == ["p3 T1 R15 C3"]
    assert _refs(rows, "02", "revenue", "fiscal_total", "243015.38") == ["p3 T1 R15 C4"]
    # the 事业收入 / 金额 column is business revenue, not a second 本年收入合计
    assert _refs(rows, "02", "revenue", "business", "136385.24", "205") == ["p2 T1 R3 C6"]


def test_r04_yuan_table_is_read_in_wan():
    path = REPRO / "r04_yuan_table_read_as_wan" / "sfj2026_cover_p10.pdf"
    assert _values(path, table_code="B01", kind="revenue", item="general_budget") == {Decimal("9628.2213")}
    assert _values(path, table_code="B01", kind="expenditure", subject_name="公共安全支出") == {Decimal("8726.7272")}
    assert _values(path, table_code="B01", kind="expenditure", subject_name="社会保障和就业支出") == {
        Decimal("334.3704")}
    assert not _values(path, value=Decimal("96282213.44"))


def test_r12_tables_only_pdf_has_year_unit_and_figures():
    path = REPRO / "r12_tables_only_pdf_no_year_unit" / "swbgt2019_tables_p1_p12.pdf"
    doc, rows = _doc(path)
    assert (doc.unit_name, doc.fiscal_year, doc.report_kind, doc.status) == ("中共江苏省委办公厅", 2019, "部门预算", "ok")
    assert _values(path, table_code="B01", kind="revenue", item="general_budget") == {Decimal("27664.22")}
    assert _values(path, table_code="B01", kind="expenditure", item="basic") == {Decimal("11700.63")}
    assert _values(path, table_code="B01", kind="expenditure", item="project") == {Decimal("13025.38")}
    assert _values(path, table_code="B01", kind="expenditure", subject_name="一般公共服务支出") == {Decimal("22395.50")}


def test_r13_two_sided_row_is_read_by_side():
    path = REPRO / "r13_flattened_two_sided_row" / "jcy2019_cover_p14.pdf"
    assert _values(path, table_code="B01", kind="revenue", item="fiscal_total") == {Decimal("24169.74")}
    assert _values(path, table_code="B01", kind="expenditure", item="basic") == {Decimal("15844.04")}
    assert _values(path, table_code="B01", kind="expenditure", item="project") == {Decimal("4335.30")}
    # the label broken over two grid rows (三、单位预留机动经 | 费) is one label again, so its item is known
    assert _values(path, table_code="B01", kind="expenditure", item="reserve", source_ref="p2 T1 R13 C6") == {
        Decimal("3990.40")}
    assert _values(path, table_code="B01", kind="expenditure", subject_name="公共安全支出") == {Decimal("16593.12")}
    assert Decimal("24169.74") not in _values(path, kind="expenditure", item="basic")


def test_r13_a_budget_total_table_cut_short_is_said_in_its_own_terms():
    """Its revenue side is headed 项目名称 (as a 绩效自评表's project block is): the cut is still told as a 收支预算总表's,
    never with a self-evaluation's 满意度指标 and 总分."""
    doc, _ = _doc(REPRO / "r13_flattened_two_sided_row" / "jcy2019_cover_p14.pdf")
    assert doc.status == "partial"
    assert [(i.place, i.message) for i in doc.result.issues if i.severity == "error"] == [(
        "p2 T1 R39", "the document is cut short: it ends inside 收支预算总表 (L7–L33) and none of the 8 standard tables "
        "that follow it in the template is in the document (收入预算表、支出预算表、财政拨款收支预算总表…) (its last line is 33)")]


def test_r15_text_grid_continues_over_a_page_number_line():
    path = REPRO / "r15_table_split_by_page_footer" / "swu2023_p10-11_tsv_with_footer.txt"
    doc, rows = _doc(path)
    # the grid is whole (no misaligned row, no missing 合计); the excerpt stops after it, so it is partial for that
    errors = [i.message for i in doc.result.issues if i.severity == "error"]
    assert len(errors) == 1 and errors[0].startswith("the document is cut short: it ends inside 收入决算表 ")
    assert _values(path, table_code="02", item="current_total", function_code=None) == {Decimal("430725.03")}
    assert _values(path, table_code="02", item="fiscal_total", function_code=None) == {Decimal("243015.38")}
    assert _values(path, table_code="02", item="current_total", function_code="221") == {Decimal("16278.27")}
    assert _values(path, table_code="02", item="fiscal_total", function_code="221") == {Decimal("7629.03")}


# ---------------------------------------------------------------- DOCX / XLSX built from a real PDF table
def _pdf_table_rows() -> list[list[str | None]]:
    """表2 高等学校收入决算表 of r01 as pdfplumber prints it: None where a merged cell covers a position."""
    import pdfplumber

    with pdfplumber.open(REPRO / "r01_pdf_tables_never_read" / "swu2023_cover_p10-11.pdf") as pdf:
        return [row for page in pdf.pages[1:] for table in page.extract_tables() for row in table]


_TITLE = ["西南大学 2023 年度部门决算", "表 2：高等学校收入决算表", "单位：万元"]


def _figures(doc) -> set:
    return {(o.item, o.function_code, o.value) for o in doc.result.observations if o.table_code == "02"}


def test_docx_with_merged_cells_gives_the_pdfs_figures():
    docx = pytest.importorskip("docx")
    import io

    from ingest.parse import parse_bytes

    rows = _pdf_table_rows()
    document = docx.Document()
    for line in _TITLE:
        document.add_paragraph(line)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is not None:
                table.cell(r, c).text = text.replace("\n", "")
    for r, row in enumerate(rows):  # merge what pdfplumber reports as covered (None)
        for c, text in enumerate(row):
            if text is None:
                source = (r - 1, c) if r > 0 and rows[r - 1][c] is not None else (r, c - 1)
                table.cell(*source).merge(table.cell(r, c))
    buffer = io.BytesIO()
    document.save(buffer)
    doc = parse_bytes(Path("report.docx"), buffer.getvalue())
    pdf_doc, _ = _doc(REPRO / "r01_pdf_tables_never_read" / "swu2023_cover_p10-11.pdf")
    assert _figures(doc) == _figures(pdf_doc) and len(_figures(doc)) == 72
    rows_out = document_rows(doc)["observations"]
    assert _refs(rows_out, "02", "revenue", "fiscal_total", "193993.03", "2050205") == ["T1 R7 C4"]
    assert (doc.unit_name, doc.fiscal_year, doc.report_kind) == ("西南大学", 2023, "部门决算")


@pytest.mark.parametrize("unit", ["万元", "元"])
def test_xlsx_with_merged_cells_gives_the_pdfs_figures(unit):
    openpyxl = pytest.importorskip("openpyxl")
    import io

    from ingest.numbers import parse_plain
    from ingest.parse import parse_bytes

    rows = _pdf_table_rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表2"
    for line in _TITLE:
        ws.append([line.replace("万元", unit)])
    top = ws.max_row + 1
    factor = 10000 if unit == "元" else 1
    for row in rows:
        out = []
        for text in row:
            parsed = parse_plain(text or "")
            out.append(float(parsed.value * factor) if parsed and "." in (text or "") else (text or "").replace("\n", "") or None)
        ws.append(out)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    ws.merge_cells(start_row=top, start_column=6, end_row=top, end_column=7)  # 事业收入 over 金额 | 其中
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)  # 科目编码 over two rows
    buffer = io.BytesIO()
    wb.save(buffer)
    doc = parse_bytes(Path("report.xlsx"), buffer.getvalue())
    pdf_doc, _ = _doc(REPRO / "r01_pdf_tables_never_read" / "swu2023_cover_p10-11.pdf")
    assert _figures(doc) == _figures(pdf_doc)
    rows_out = document_rows(doc)["observations"]
    ref = _refs(rows_out, "02", "revenue", "current_total", "430725.03")
    assert ref == [f"表2!C{top + len(rows) - 1}"]  # the 合计 row, which starts with an empty cell


# ---------------------------------------------------------------- budget templates (issue 10)
def _narrative(path: Path, kind: str, item: str | None = None, **criteria) -> list[tuple]:
    _, rows = _doc(path)
    return sorted((r["item"], r["measure"], r["scope"], r["value"], r["source_ref"]) for r in rows
                  if r["source_kind"] == "narrative" and r["kind"] == kind and (item is None or r["item"] == item)
                  and all(r[k] == v for k, v in criteria.items()))


def test_procurement_parts_are_parts_not_the_total_restated():
    """'政府采购预算1486.42万元，其中：政府采购货物预算3.66万元、…工程预算36.44万元、…服务预算1446.32万元' and
    '政府采购支出预算总额2744.84万元，其中：拟采购货物支出303.4万元、拟购买服务支出2441.44万元': each part
    is its own item (their sum is the total), the 中小企业 reservation its own."""
    assert _narrative(REAL / SFJ, "procurement") == [
        ("goods", "budget_initial", None, Decimal("3.66"), "p22 L11"),
        ("services", "budget_initial", None, Decimal("1446.32"), "p22 L11"),
        ("small_micro_reserved", "budget_initial", None, Decimal("1486.42"), "p22 L13"),
        ("sme_reserved", "budget_initial", None, Decimal("1486.42"), "p22 L13"),
        ("total", "budget_initial", None, Decimal("1486.42"), "p22 L11"),
        ("works", "budget_initial", None, Decimal("36.44"), "p22 L11"),
    ]
    assert _narrative(REAL / JCY, "procurement") == [
        ("goods", "budget_initial", None, Decimal("303.4"), "p32 L1"),
        ("services", "budget_initial", None, Decimal("2441.44"), "p32 L1"),
        ("total", "budget_initial", None, Decimal("2744.84"), "p31 L23"),
    ]


def test_fund_appropriation_budgets_carry_their_fund():
    """'一般公共预算拨款支出预算9628.22万元…政府性基金拨款支出预算0万元…国有资本经营预算拨款支出预算0万元':
    each is that fund's expenditure budget, not a second (zero) total of all funds."""
    rows = _narrative(REAL / SFJ, "expenditure", "total", measure="budget_initial", function_code=None)
    assert rows == [
        ("total", "budget_initial", "all", Decimal("9628.22"), "p8 L4"),
        ("total", "budget_initial", "fiscal", Decimal("9628.22"), "p8 L4"),
        ("total", "budget_initial", "general_budget", Decimal("9628.22"), "p8 L5"),
        ("total", "budget_initial", "gov_fund", Decimal("0"), "p8 L5"),
        ("total", "budget_initial", "state_capital", Decimal("0"), "p8 L6"),
    ]


@pytest.mark.parametrize("name, facts", [
    (JCY, [("B01", "all", "3990.40", "p14 T1 R13 C6"), ("B03", "all", "3990.40", "p15 T2 R4 C4"),
           ("B04", "fiscal", "3990.40", "p16 T1 R6 C4")]),
    (SWBGT, [("B01", "all", "2938.21", "p1 T1 R7 C6"), ("B03", "all", "2938.21", "p3 T1 R3 C4"),
             ("B04", "fiscal", "2938.21", "p4 T1 R7 C4")]),
])
def test_reserve_is_an_expenditure_type_of_the_budget_templates(name, facts):
    """单位预留机动经费 beside 基本/项目支出 is expenditure type reserve (本年支出合计 = 基本 + 项目 + 预留),
    in every table that prints it; nothing of the budget's tables is left as kind other but what no
    standard table defines."""
    _, rows = _doc(REAL / name)
    for table_code, scope, value, ref in facts:
        assert _refs(rows, table_code, "expenditure", "reserve", value, scope=scope) == [ref]
    total = next(r["value"] for r in rows if r["table_code"] == "B01" and r["item"] == "total" and r["kind"] == "expenditure"
                 and r["function_code"] is None)
    parts = [r["value"] for r in rows if r["table_code"] == "B01" and r["kind"] == "expenditure"
             and r["item"] in ("basic", "project", "reserve")]
    assert len(parts) == 3 and sum(parts) == total
    assert not [r for r in rows if r["table_code"] in ("B01", "B03", "B04") and r["kind"] == "other"]


def test_reserve_share_in_prose_is_the_reserve_s():
    """'项目支出4335.3万元，占17.94%；单位预留机动经费3990.4万元，占16.5%': 16.5% is the reserve's share."""
    assert _narrative(REAL / JCY, "expenditure", "reserve", measure="share_pct") == [
        ("reserve", "share_pct", "all", Decimal("16.5"), "p27 L1")]
    assert _narrative(REAL / JCY, "expenditure", "project", measure="share_pct") == [
        ("project", "share_pct", "all", Decimal("17.94"), "p26 L23")]


def test_economic_tables_with_boxes_wider_than_their_header_are_read():
    """检察院 pp.17–19: codes in boxes starting left of the 科目编码 header, 类 amounts in a narrow box
    and 款 amounts in a wide one — one code column and one amount column, every row read."""
    doc, rows = _doc(REAL / JCY)
    table_rejects = [r for r in doc.result.rejects if r.source_ref and r.source_ref.startswith(("p17", "p18", "p19"))]
    assert table_rejects == []
    economic = {(r["economic_code"], r["value"], r["source_ref"]) for r in rows
                if r["kind"] == "expenditure_economic" and r["table_code"] == "B06"}
    assert {("301", Decimal("11960.62"), "p17 T1 R3 C4"), ("30101", Decimal("2171.78"), "p17 T1 R4 C4"),
            ("30309", Decimal("1.05"), "p17 T1 R32 C4"), ("30103", Decimal("180.14"), "p19 T1 R1 C4"),
            ("303", Decimal("1491.50"), "p19 T1 R24 C4")} <= economic
    assert len([e for e in economic if e[2].startswith("p17")]) == 30  # 3 类 + 27 款 of 15,844.04
    assert sum(v for code, v, ref in economic if ref.startswith("p17") and len(code) == 3) == Decimal("15844.04")
    names = {r["economic_code"]: r["subject_name"] for r in rows if r["source_ref"] == "p17 T1 R4 C4"}
    assert names == {"30101": "基本工资"}
    # 公开07表 一般公共预算支出预算表（功能科目）: the same layout, 功能分类
    assert _refs(rows, "B05", "expenditure", "total", "12268.62", "2040401") == ["p16 T2 R6 C4", "p18 T1 R7 C4"]


def test_other_tables_ending_with_a_standard_title_are_not_that_table():
    """政府采购支出预算表 ends with 支出预算表 (B03) but lists purchases: it is read as another table."""
    _, rows = _doc(REAL / JCY)
    assert not [r for r in rows if r["table_code"] == "B03" and r["source_ref"].startswith(("p22", "p23", "p24"))]
    assert _refs(rows, "B03", "expenditure", "total", "24169.74") == ["p15 T2 R4 C1"]


def test_three_public_budget_meeting_and_training_are_the_printed_figures():
    """省委办公厅 p9 三公经费、会议费、培训费支出预算表 prints 合计 1,471.70 = 三公 508.20 + 会议费 933.50 +
    培训费 30.00 (pdfplumber's words, checked by hand); the 机关运行经费 table's 会议费 50.00 / 培训费 25.00
    are other figures (经济分类 30215/30216 of the agency's running costs), not the 三公 table's."""
    _, rows = _doc(REAL / SWBGT)
    got = {r["item"]: (r["value"], r["source_ref"]) for r in rows if r["table_code"] == "B09" and r["kind"] == "three_public"}
    assert got == {"total": (Decimal("508.20"), "p9 T1 R6 C2"), "outbound": (Decimal("70.00"), "p9 T1 R6 C3"),
                   "vehicle_total": (Decimal("411.20"), "p9 T1 R6 C4"),
                   "vehicle_operation": (Decimal("411.20"), "p9 T1 R6 C6"),
                   "reception": (Decimal("27.00"), "p9 T1 R6 C7"), "meeting": (Decimal("933.50"), "p9 T1 R6 C8"),
                   "training": (Decimal("30.00"), "p9 T1 R6 C9")}
    grand = next(r["value"] for r in rows if r["table_code"] == "B09" and r["kind"] == "other")
    assert grand == Decimal("1471.70") == got["total"][0] + got["meeting"][0] + got["training"][0]


def test_an_of_which_row_of_a_revenue_source_is_that_source():
    """西南大学's 收入支出决算总表 prints 其中：政府性基金预算财政拨款 | 109.50 under 一、财政拨款收入: the gov_fund
    revenue, marked as a part printed under its total (flags of_which); 其中：捐赠收入 names no revenue source of
    the template and stays unmapped."""
    doc, rows = _doc(REAL / SWU)
    assert [(r["kind"], r["item"], r["scope"], r["measure"], r["value"], r["value_text"], r["flags"])
            for r in rows if r["source_ref"] == "p8 T1 R5 C2"] == [
        ("revenue", "gov_fund", "all", "amount", Decimal("109.5000"), "109.50", "of_which")]
    assert [(r.value_text, r.reason) for r in doc.result.rejects if r.source_ref == "p8 T1 R11 C2"] == \
        [("44.20", "unmapped_row")]


@pytest.mark.parametrize("name, table_code, scope, code, value, ref", [
    (SFJ, "B01", "all", "204", "8726.7272", "p10 T1 R3 C4"),
    (SFJ, "B01", "all", "210", "114.9678", "p10 T1 R5 C4"),
    (SFJ, "B04", "fiscal", "221", "452.1559", "p14 T1 R6 C4"),
    (SFJ, "B04", "general_budget", "221", "452.1559", "p14 T1 R6 C5"),  # the 一般公共预算 column
    (JCY, "B01", "all", "204", "16593.12", "p14 T1 R17 C4"),
    (SWBGT, "B01", "all", "201", "22395.50", "p1 T1 R5 C4"),
])
def test_class_rows_of_a_two_sided_total_table_are_function_class_rows(name, table_code, scope, code, value, ref):
    """收支预算总表 lists 支出功能分类 类 by name on its expenditure side: each is that 类's total."""
    _, rows = _doc(REAL / name)
    assert _refs(rows, table_code, "expenditure", "total", value, code, scope=scope) == [ref]


def test_budget_totals_in_prose_name_their_measure():
    """'本年收入预算合计24,169.74万元，其中：一般公共预算收入 24,169.74万元，占100 %' and '财政拨款收、支总预算
    24,169.74 万元': a budget's own words for 本年收入合计, the 一般公共预算 appropriation and both 总计."""
    rows = _narrative(REAL / JCY, "revenue")
    assert ("current_total", "budget_initial", "all", Decimal("24169.74"), "p26 L18") in rows
    assert ("general_budget", "budget_initial", "all", Decimal("24169.74"), "p26 L19") in rows
    assert ("general_budget", "share_pct", "all", Decimal("100"), "p26 L19") in rows
    assert ("grand_total", "budget_initial", "fiscal", Decimal("24169.74"), "p27 L3") in rows
    assert ("grand_total", "budget_initial", "fiscal", Decimal("24169.74"), "p27 L3") in _narrative(
        REAL / JCY, "expenditure", "grand_total")
    doc, _ = _doc(REAL / JCY)
    assert not [r for r in doc.result.rejects if doc.locators[r.line_no - 1] in ("p26 L19", "p27 L3")]
    assert [(doc.locators[r.line_no - 1], r.reason) for r in doc.result.rejects if r.value_text == "24,169.74 万元"] \
        == [("p25 L4", "no_subject")]  # 江 苏 省 … 收 入 、 支 出 预 算 总 计: a letter-spaced sentence


@pytest.mark.parametrize("name, value, refs", [
    (JCY, "24169.74", ("p15 T1 R2 C3", "p15 T1 R3 C3")),
    (SWBGT, "27664.22", ("p2 T1 R3 C3", "p2 T1 R4 C3")),
])
def test_labelled_rows_of_a_budget_revenue_table(name, value, refs):
    """江苏's 收入预算总表 has no codes: '收入总计 | | 24169.74', '一般公共预算资金 | 小计 | 24169.74' — the grand
    total and the 一般公共预算 appropriation, not two unit totals named 收入总计 and 小计."""
    _, rows = _doc(REAL / name)
    assert _refs(rows, "B02", "revenue", "grand_total", value) == [refs[0]]
    assert _refs(rows, "B02", "revenue", "general_budget", value) == [refs[1]]
    assert not [r for r in rows if r["table_code"] == "B02" and r["item"] == "current_total"]
