"""PDF reader: tables read as tables from PDFs rendered from a bundled report's table (ruled, unruled,
split over pages with a repeated header and page numbers, printed in 元) give the text report's figures."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEEDS

from ingest.errors import ReadError
from ingest.load import document_rows
from ingest.parse import parse_bytes

pytest.importorskip("reportlab")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from pdf_render import render  # noqa: E402


def _blocks(start: int, end: int, transform=None) -> list:
    """Prose lines and tables (rows of cells) of report 000, lines start..end."""
    blocks: list = []
    table = None
    for text in SEEDS["000"].read_text(encoding="utf-8").split("\n")[start:end]:
        if "\t" in text:
            if table is None:
                table = []
                blocks.append(table)
            table.append([transform(c) if transform else c for c in text.split("\t")])
        elif text.strip():
            table = None
            blocks.append(text.replace("单位：万元", "单位：元") if transform else text)
    return blocks


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
