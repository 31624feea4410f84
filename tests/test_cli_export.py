"""`juesuan export`: xlsx read back equals the mart, CSV with BOM, Parquet partitioned by fiscal_year."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import duckdb
import pytest

from juesuan.cli import main


def _mart(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()
    finally:
        con.close()


def _same(cell, value) -> bool:
    if isinstance(value, datetime):   # Excel keeps milliseconds
        return abs(cell - value) < timedelta(milliseconds=1)
    if isinstance(value, Decimal):
        return cell is not None and Decimal(str(cell)) == value
    return cell == value


def test_xlsx_round_trip_equals_the_marts(warehouse_db, tmp_path):
    from openpyxl import load_workbook

    book = tmp_path / "marts.xlsx"
    # with --lang en: the code names and the codes as stored, so the sheet reads back as the mart
    assert main(["--lang", "en", "export", "--db", str(warehouse_db), "fct_revenue", "dim_unit", "-o", str(book)]) == 0
    wb = load_workbook(book)
    assert wb.sheetnames == ["fct_revenue", "dim_unit"]
    ws = wb["fct_revenue"]
    assert ws.freeze_panes == "A2"
    cols, rows = _mart(warehouse_db, "select * from marts.fct_revenue")
    header = [c.value for c in ws[1]]
    assert header == cols and cols[5] == "amount_wan"
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(got) == len(rows) == 74
    for have, want in zip(got, rows):
        assert all(_same(h, w) for h, w in zip(have, want)), (have, want)
    # one row checked by value: 西安 (汇总) 2024, 本年收入合计 under 201
    xian = [r for r in got if r[2].startswith("9b82c100") and r[3] == "current_total" and r[4] == "201"]
    assert [r[5] for r in xian] == [5084.57]
    assert ws.cell(2, 6).number_format == "#,##0.00##"
    assert [c.value for c in wb["dim_unit"][1]][:2] == ["unit_id", "unit_name"]
    assert wb["dim_unit"].max_row == 1 + len(_mart(warehouse_db, "select * from marts.dim_unit")[1])


def test_csv_with_bom_and_a_query(warehouse_db, tmp_path):
    path = tmp_path / "units.csv"
    assert main(["export", "--db", str(warehouse_db), "--format", "csv", "--bom", "-o", str(path),
                 "--query", "select u.unit_name, r.fiscal_year, r.amount_wan from marts.fct_revenue r join "
                            "marts.dim_unit u using (unit_id) where revenue_source = 'current_total' "
                            "and function_code is null order by 1"]) == 0
    raw = path.read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    lines = raw[3:].decode("utf-8").splitlines()
    assert lines[0] == "unit_name,fiscal_year,amount_wan"
    assert "乌海市总工会,2024," in raw.decode("utf-8-sig")
    assert len(lines) == 1 + len(_mart(warehouse_db, "select 1 from marts.fct_revenue where revenue_source = "
                                                     "'current_total' and function_code is null")[1])
    plain = tmp_path / "plain.csv"
    assert main(["export", "--db", str(warehouse_db), "--format", "csv", "-o", str(plain), "dim_unit"]) == 0
    assert plain.read_bytes()[:7] == b"unit_id"


def test_parquet_is_partitioned_by_fiscal_year(warehouse_db, tmp_path):
    target = tmp_path / "pq"
    assert main(["export", "--db", str(warehouse_db), "--format", "parquet", "-o", str(target), "fct_revenue"]) == 0
    assert sorted(p.name for p in (target / "fct_revenue").iterdir()) == ["fiscal_year=2023", "fiscal_year=2024"]
    con = duckdb.connect()
    back = con.execute(f"select count(*), sum(amount_wan) from read_parquet('{target}/fct_revenue/*/*.parquet', "
                       "hive_partitioning = true)").fetchone()
    con.close()
    assert back == _mart(warehouse_db, "select count(*), sum(amount_wan) from marts.fct_revenue")[1][0]


@pytest.mark.parametrize("argv, message", [
    (["nope"], "error: no mart marts.nope — choose from dim_document,"),
    ([], "error: nothing to export — name marts ("),
    (["--query", "select * from marts.nope"], "sql error: Catalog Error: Table with name nope does not exist!"),
])
def test_bad_selection_is_exit_2(warehouse_db, tmp_path, capsys, argv, message):
    assert main(["--lang", "en", "export", "--db", str(warehouse_db), "-o", str(tmp_path / "x.xlsx"), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_a_chinese_xlsx_has_chinese_headers_and_labels_for_codes(warehouse_db, tmp_path):
    """LOW-C4: the default (Chinese) workbook names every column in Chinese and shows enumeration codes by their
    labels (seeds/enum_labels.csv, i18n.WORDS); csv keeps codes."""
    from openpyxl import load_workbook

    from juesuan.export import column_label

    book = tmp_path / "zh.xlsx"
    assert main(["export", "--db", str(warehouse_db), "--all", "-o", str(book)]) == 0
    wb = load_workbook(book)
    for ws in wb:   # no header left as its code name
        cols = _mart(warehouse_db, f"select * from marts.{ws.title} limit 0")[0]
        header = [c.value for c in ws[1]]
        assert len(header) == len(cols) and all(re.search(r"[\u4e00-\u9fff]", h) for h in header), (ws.title, header)
    assert [c.value for c in wb["fct_budget_expenditure"][1]][6] == "预算数（万元）"   # a budget, not a 决算数
    assert [c.value for c in wb["fct_expenditure"][1]][6] == column_label("amount_wan") == "决算数（万元）"
    ws = wb["fct_expenditure"]
    header = [c.value for c in ws[1]]
    assert "读数次数" in header and "reading_count" not in header
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    xian = [r for r in rows if r["文档编号"].startswith("9b82c100") and r["功能分类科目编码"] is None
            and r["资金范围"] == "全部资金" and r["支出类型"] == "基本支出"]
    assert [(r["决算数（万元）"], r["来源类型"]) for r in xian] == [(149.52, "表格")]
    assert {r["资金范围"] for r in rows} <= {"全部资金", "财政拨款", "一般公共预算财政拨款", "政府性基金预算财政拨款",
                                       "国有资本经营预算财政拨款"}
    assert {r["来源类型"] for r in rows} <= {"表格", "文字说明"}
    three = [dict(zip([c.value for c in wb["fct_three_public"][1]], (c.value for c in r)))
             for r in wb["fct_three_public"].iter_rows(min_row=2)]
    assert "total" not in {r["项目"] for r in three} and "“三公”经费合计" in {r["项目"] for r in three}
