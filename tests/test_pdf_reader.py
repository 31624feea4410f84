"""PDF reader: tables read as tables from PDFs rendered from a bundled report's table (ruled, unruled,
split over pages with a repeated header and page numbers, printed in 元) give the text report's figures."""

from __future__ import annotations

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

pytest.importorskip("reportlab")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from pdf_render import render  # noqa: E402


def _blocks(start: int, end: int, transform=None) -> list:
    """Prose lines and tables (rows of cells) of report 000, lines start..end; with `transform` (a cell's figure
    in another unit) the prose's 单位：万元 says 单位：元."""
    return [b.replace("单位：万元", "单位：元") if transform and isinstance(b, str) else b
            for b in report_blocks(SEEDS["000"], start, end, transform)]


def _figures(doc, code="03"):
    return {(o.item, o.function_code, o.value) for o in doc.result.observations if o.table_code == code}


@pytest.mark.parametrize("options", [dict(ruled=True), dict(ruled=False),
                                     dict(ruled=True, header_rows=3, rows_per_page=10)],
                         ids=["ruled", "unruled", "split_over_pages"])
def test_rendered_table_gives_the_text_reports_figures(parsed, options):
    doc = parse_bytes(Path("report.pdf"), render(_blocks(495, 521), **options))
    got, want = _figures(doc), _figures(parsed["000"])
    assert got == want and len(got) == 30
    assert doc.format == "pdf"
    assert not [i for i in doc.result.issues if "公开03表" in i.message]


def test_table_split_over_pages_keeps_each_rows_page():
    doc = parse_bytes(Path("report.pdf"), render(_blocks(495, 521), header_rows=3, rows_per_page=10))
    rows = document_rows(doc)["observations"]
    refs = {(r["function_code"], r["item"]): r["source_ref"] for r in rows if r["table_code"] == "03"}
    # one table: the repeated header and the page number between the halves are dropped
    assert len({r["table_no"] for r in rows if r["table_code"] == "03"}) == 1
    assert refs[("201", "total")] == "p1 T1 R5 C3"  # 201 一般公共服务支出 5,084.57 on page 1
    assert refs[("2101101", "basic")].startswith("p2 T1 ")
    assert refs[("2101101", "basic")].endswith(" C4")


@pytest.mark.parametrize("unit, factor, text, decimals", [("元", 10000, "50,153,200.00元", 6),
                                                          ("千元", 10, "50,153.20千元", 3)])
def test_table_printed_in_yuan_is_converted_to_wan_keeping_its_text(parsed, unit, factor, text, decimals):
    def convert(cell: str) -> str:
        try:
            return f"{Decimal(cell.replace(',', '')) * factor:,.2f}" if "." in cell else cell
        except ArithmeticError:
            return cell

    blocks = [b.replace("单位：元", f"单位：{unit}") if isinstance(b, str) else b
              for b in _blocks(495, 521, convert)]
    doc = parse_bytes(Path("report.pdf"), render(blocks))
    assert _figures(doc) == _figures(parsed["000"])
    o = next(o for o in doc.result.observations if o.table_code == "03" and o.function_code == "2012906")
    assert (o.value, o.value_text, o.decimals, o.printed_unit) == (Decimal("5015.32"), text, decimals, unit)


def test_prose_lines_keep_page_and_line():
    doc = parse_bytes(Path("report.pdf"), render(["西安市总工会2019年度部门决算", *_blocks(495, 521)]))
    rows = document_rows(doc)
    assert doc.locators[:2] == ["p1 L1", "p1 L2"]
    cells = [c for c in rows["table_cells"] if c["table_code"] == "03" and c["text"] == "5,015.32"]
    assert cells and cells[0]["source_ref"].startswith("p1 T1 R")


def test_encrypted_pdf_is_a_read_error_with_a_reason():
    import io

    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(100, 700, "2019")
    c.save()
    with pytest.raises(ReadError) as err:
        parse_bytes(Path("locked/report.pdf"), buffer.getvalue())
    assert "encrypted PDF" in str(err.value) and "locked/report.pdf" in str(err.value)


def test_figures_without_the_tables_the_report_names_make_it_partial():
    doc = parse_bytes(Path("report.pdf"), render([
        "西安市总工会2019年度部门决算", "支出决算表", "单位：万元",
        "2019年度本年支出合计5,334.09万元，其中：基本支出149.52万元，项目支出5,184.57万元。"]))
    assert doc.result.observations and doc.status == "partial"
    issue = next(i for i in doc.result.issues if "standard table" in i.message)
    assert issue.place == "line 2" and "支出决算表" in issue.message and "pdf" in issue.message


@pytest.mark.parametrize("options", [dict(ruled=True, header_rows=3, rows_per_page=10), dict(ruled=False),
                                     dict(ruled=True, form=True)],
                         ids=["ruled_split", "unruled", "grid_in_form_xobjects"])
def test_pdfium_and_pdfplumber_page_readers_give_the_same_document(options):
    from ingest.readers.pdf import read_pdf

    blocks = _blocks(495, 521)
    data = render(blocks, **options)
    fast, slow = (read_pdf(Path("r.pdf"), data, backend) for backend in ("pdfium", "pdfplumber"))
    assert fast.lines == slow.lines and fast.locators == slow.locators
    assert [[(c.text, c.ref) for row in g.rows for c in row] for g in fast.tables] == \
        [[(c.text, c.ref) for row in g.rows for c in row] for g in slow.tables]
    printed = next(b for b in blocks if isinstance(b, list))
    assert len(fast.tables) == 1 and len(fast.tables[0].rows) == len(printed) == 17


# ---------------------------------------------------------------- cover / title metadata
@pytest.mark.parametrize("lines, unit, year, kind", [
    (["江苏省政协办公厅 2017 年度部门决算"], "江苏省政协办公厅", 2017, "部门决算"),
    (["江苏省政协办公厅", "2017 年度", "部门决算"], "江苏省政协办公厅", 2017, "部门决算"),
    (["成都市武侯区人民政府玉林街道办事处2019年度部门决算"], "成都市武侯区人民政府玉林街道办事处", 2019, "部门决算"),
    (["2020年度部门决算", "编制部门：焦作市中站区农业农村局"], "焦作市中站区农业农村局", 2020, "部门决算"),
    (["上海市普陀区2026年区级部门预算", "预算主管部门：上海市普陀区司法局"], "上海市普陀区司法局", 2026, "部门预算"),
    (["收支预算总表", "部门：中共江苏省委办公厅 单位：万元", "项目\t金额", "2019年政府采购预算表"],
     "中共江苏省委办公厅", 2019, "部门预算"),
    (["西南大学 2023 年度单位决算"], "西南大学", 2023, "单位决算"),
])
def test_unit_year_and_kind_from_the_title_block(lines, unit, year, kind):
    from ingest import metadata

    meta = metadata.extract(lines)
    assert (meta.unit_name, meta.fiscal_year, meta.report_kind) == (unit, year, kind)


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_header_cells_wrapped_over_lines_are_rebuilt(parsed, ruled):
    """Header labels printed on two lines (本年支出 / 合计, 对附属单位 / 补助支出) mean the same columns."""
    wrap = {"本年支出合计": "本年支出\n合计", "上缴上级支出": "上缴上级\n支出", "对附属单位补助支出": "对附属单位\n补助支出",
            "基本支出": "基本\n支出"}
    blocks = [[[wrap.get(c, c) for c in row] for row in b] if isinstance(b, list) else b for b in _blocks(495, 521)]
    doc = parse_bytes(Path("report.pdf"), render(blocks, ruled=ruled))
    assert _figures(doc) == _figures(parsed["000"])


# ---------------------------------------------------------------- generated reports printed without ruling lines
def _generated(tmp_path, n: int = 2):
    from corpus import PDF_LAYOUTS, build_reports

    reports, _ = build_reports(tmp_path, n, seed=7, layouts=PDF_LAYOUTS)
    return reports


def _table_figures(rows) -> Counter:
    keys = ("table_code", "kind", "item", "function_code", "economic_code", "measure", "scope", "value")
    return Counter(tuple(str(o[k] or "") for k in keys) for o in rows if o["source_kind"] == "table")


@pytest.mark.parametrize("right_figures", [False, True], ids=["left_aligned", "figures_right_aligned"])
def test_unruled_generated_reports_give_the_text_reports_table_figures(tmp_path, right_figures):
    """Pages holding prose, title blocks and several tables drawn without lines (公开01–09表 continued over
    pages, 绩效自评表 with texts and figures in one column): every table figure of the text report, and
    no prose read as a table."""
    from pdf_render import blocks_of_text

    sizes = []
    for report in _generated(tmp_path):
        text = document_rows(parse_bytes(report.path, "\n".join(report.lines).encode()))["observations"]
        pdf = render(blocks_of_text(report.lines), ruled=False, right_figures=right_figures)
        got = document_rows(parse_bytes(report.path.with_suffix(".pdf"), pdf))["observations"]
        want = _table_figures(text)
        assert _table_figures(got) == want, report.layout
        assert not [o for o in got if o["source_kind"] == "table" and not o["table_code"]]
        sizes.append((report.layout, sum(want.values())))
    assert sizes == [("grid", 271), ("narrative", 48)]


def test_unruled_tables_keep_page_row_and_column(tmp_path):
    from pdf_render import blocks_of_text

    report = _generated(tmp_path, 1)[0]
    data = render(blocks_of_text(report.lines), ruled=False)
    rows = document_rows(parse_bytes(report.path.with_suffix(".pdf"), data))["observations"]
    ref = {(o["table_code"], o["function_code"], o["item"], o["measure"]): (o["value"], o["source_ref"])
           for o in rows if o["source_kind"] == "table"}
    # 公开01表 continued on page 6: 九、卫生健康支出 39 770.39, second line of the page, sixth column
    assert ref[("01", "210", "total", "amount")] == (Decimal("770.39"), "p6 T1 R2 C6")
    # 公开02表's header ends page 6, its body is page 7's first table
    assert ref[("02", "201", "fiscal_total", "amount")] == (Decimal("1096.42"), "p7 T1 R1 C4")
    # 公开03表, second table of page 7: 2010601 行政运行 基本支出 381.60 on its seventh line
    assert ref[("03", "2010601", "basic", "amount")] == (Decimal("381.60"), "p7 T2 R7 C4")
    perf = sorted((o["value"], o["source_ref"]) for o in rows if o["table_code"] == "perf"
                  and o["item"] == "total" and o["measure"] == "execution_rate")
    assert perf == [(Decimal("92.20"), "p3 T1 R4 C9"), (Decimal("100.00"), "p3 T2 R4 C9"),
                    (Decimal("100.00"), "p4 T2 R4 C9")]


def test_prose_beside_unruled_tables_stays_prose_with_its_line(tmp_path):
    from pdf_render import blocks_of_text

    from ingest.readers.pdf import read_pdf

    report = _generated(tmp_path, 1)[0]
    raw = read_pdf(report.path.with_suffix(".pdf"), render(blocks_of_text(report.lines), ruled=False))
    prose = dict(zip(raw.locators, raw.lines))
    assert prose["p1 L20"] == "（一）收入决算总计 2295.65万元。包括："
    assert [prose[f"p6 L{n}"] for n in (1, 2, 3, 4)] == ["收入决算表", "公开02表", "编制部门：兴安盟突泉县财政局",
                                                         "单位：万元"]
    # the 绩效自评表 title is prose above its grid, the grid starts at the project name
    assert prose["p3 L7"] == "项目支出绩效自评表 (2022年度)"
    assert raw.tables[0].rows[0][0].text == "项目名称" and raw.tables[0].rows[0][0].ref == "p3 T1 R1 C1"


def test_unruled_table_whose_header_ends_the_page_with_a_column_of_texts_and_right_aligned_figures(tmp_path):
    """Report 18's second 绩效自评表: its header ends page 3, its body starts page 4; 执行率 figures are
    right-aligned in the column whose 计量单位 '%' is left-aligned, and page 4 prints no header over them."""
    from pdf_render import blocks_of_text

    report = _generated(tmp_path, 19)[18]
    text = document_rows(parse_bytes(report.path, "\n".join(report.lines).encode()))["observations"]
    pdf = render(blocks_of_text(report.lines), ruled=False, right_figures=True)
    rows = document_rows(parse_bytes(report.path.with_suffix(".pdf"), pdf))["observations"]
    assert _table_figures(rows) == _table_figures(text)
    rates = sorted((o["source_ref"], o["value"]) for o in rows
                   if o["table_code"] == "perf" and o["item"] == "total" and o["measure"] == "execution_rate")
    assert rates == [("p3 T1 R4 C9", Decimal("100.00")), ("p4 T1 R1 C9", Decimal("77.44")),
                     ("p4 T2 R4 C9", Decimal("100.00"))]
    target = next(o for o in rows if o["source_ref"] == "p4 T1 R6 C7")
    assert (target["measure"], target["value"], target["unit"]) == ("target_value", Decimal("95"), "%")
