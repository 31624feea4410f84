"""The four real PDFs of ../shared/real run through the whole product (ingest → dbt → checks) in one
warehouse: the 决算's hand-read right values (../shared/real/README.md) reach the marts with their page
and cell, the three 部门预算 count as budgets and stay out of the 决算 facts, and the findings
on the 决算 are exactly the contradictions the report holds.  Skips when ../shared is absent."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.warehouse import query, run

SHARED = Path(os.environ.get("JUESUAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REAL = SHARED / "real"
pytestmark = [pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not present"), pytest.mark.pipeline]

SWU = "西南大学2023年度部门决算.pdf"
BUDGETS = ("上海市普陀区司法局2026年部门预算.pdf", "中共江苏省委办公厅2019年度部门预算公开表格.pdf",
           "江苏省人民检察院2019年度部门预算.pdf")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("real")
    for pdf in REAL.glob("*.pdf"):
        shutil.copy(pdf, folder / pdf.name)
    path = tmp_path_factory.mktemp("wh") / "real.duckdb"
    assert run("run", folder, "--db", path, "--no-docs") == 0
    return path


def _one(db: Path, sql: str, params: list) -> tuple:
    rows = query(db, sql, params)
    assert len(rows) == 1, (sql, params, rows)
    return rows[0]


@pytest.mark.parametrize("function_code, scope, item, value, ref", [
    (None, "all", "basic", "359781.59", "p13 T1 R14 C4"),
    (None, "all", "project", "97895.15", "p13 T1 R14 C5"),
    (None, "all", "total", "457676.75", "p9 T1 R12 C4"),
    (None, "fiscal", "total", "237100.00", "p14 T1 R4 C5"),
    ("205", "all", "total", "425287.27", "p8 T1 R8 C4"),
    ("205", "fiscal", "total", "213588.53", "p14 T1 R5 C5"),
    ("2050205", "fiscal", "total", "186663.39", "p14 T1 R9 C5"),
])
def test_swu_expenditure_reaches_the_marts(db, function_code, scope, item, value, ref):
    amount, source_ref, kind = _one(db, """
        select e.amount_wan, e.source_ref, e.source_kind from marts.fct_expenditure e join marts.dim_document d using (doc_id)
        where d.source_file = ? and e.function_code is not distinct from ? and e.funding_scope = ? and e.expenditure_type = ?""",
        [SWU, function_code, scope, item])
    assert (amount, source_ref, kind) == (Decimal(value), ref, "table")


@pytest.mark.parametrize("function_code, source, value, ref", [
    (None, "grand_total", "569496.54", "p9 T1 R17 C2"),
    (None, "current_total", "430725.03", "p9 T1 R12 C2"),
    (None, "fiscal_total", "243015.38", "p8 T1 R4 C2"),
    (None, "gov_fund", "109.50", "p8 T1 R5 C2"),   # 其中：政府性基金预算财政拨款, a row of its own under 财政拨款收入
    ("205", "current_total", "399693.48", "p10 T1 R3 C3"),
    ("205", "fiscal_total", "220752.34", "p10 T1 R3 C4"),
    ("2050205", "current_total", "363483.12", "p10 T1 R7 C3"),
    ("2050205", "fiscal_total", "193993.03", "p10 T1 R7 C4"),
    ("221", "current_total", "16278.27", "p11 T1 R8 C3"),  # the table continues onto the next page
    ("221", "fiscal_total", "7629.03", "p11 T1 R8 C4"),
])
def test_swu_revenue_reaches_the_marts(db, function_code, source, value, ref):
    amount, source_ref = _one(db, """
        select r.amount_wan, r.source_ref from marts.fct_revenue r join marts.dim_document d using (doc_id)
        where d.source_file = ? and r.function_code is not distinct from ? and r.revenue_source = ?""",
        [SWU, function_code, source])
    assert (amount, source_ref) == (Decimal(value), ref)


def test_swu_unit_without_a_place_loads_with_unknown_geography(db):
    assert _one(db, """select u.unit_name, u.province, d.report_kind, d.status, d.counted_in_facts
                       from marts.dim_document d join marts.dim_unit u using (unit_id) where d.source_file = ?""",
                [SWU]) == ("西南大学", None, "部门决算", "ok", True)


def test_budgets_count_as_budgets_and_stay_out_of_the_final_accounts(db):
    rows = query(db, "select source_file, report_kind, basis, counted_in_facts, exclusion from marts.dim_document "
                     "where source_file in (?, ?, ?) order by source_file", list(BUDGETS))
    assert rows == sorted((name, "部门预算", "budget", True, None) for name in BUDGETS)
    assert query(db, "select count(*) from marts.fct_expenditure e join marts.dim_document d using (doc_id) "
                     "where d.report_kind = '部门预算'") == [(0,)]


def test_swu_findings_are_the_report_s_own_contradictions(db):
    """The prose calls 本年收入/支出合计 收入/支出总计 (twice each), and states 科学技术支出 2,536.65 of
    457,676.75 万元 as 0.56% (it is 0.554%).  Shares and YoY changes the prose computes from its own
    figures are consistent and give no finding."""
    rows = query(db, """select c.check_name, c.lhs, c.rhs, c.lhs_refs, c.rhs_refs from marts.fct_identity_check c
                        join marts.dim_document d using (doc_id) where d.source_file = ? and not c.passed
                        order by c.check_name, c.rhs_refs""", [SWU])
    assert [(name, lhs, rhs, rhs_refs) for name, lhs, rhs, _, rhs_refs in rows] == [
        ("narrative_vs_table", Decimal("569496.54"), Decimal("430725.03"), 'p16 L17 narrative "430,725.03 万元"'),
        ("narrative_vs_table", Decimal("569496.54"), Decimal("430725.03"), 'p16 L3 narrative "430,725.03 万元"'),
        ("narrative_vs_table", Decimal("569496.54"), Decimal("457676.75"), 'p16 L8 narrative "457,676.75 万元"'),
        ("narrative_vs_table", Decimal("569496.54"), Decimal("457676.75"), 'p17 L2 narrative "457,676.75 万元"'),
        ("share_of_total", Decimal("0.56"), Decimal("0.5542"),
         'p17 L6 narrative "2,536.65 万元" ÷ p9 T1 R12 C4 公开01表 "457,676.75"'),
    ]
    # 财政拨款收入 243,015.38 and its 其中 row 政府性基金 109.50 (the 一般公共预算 part unprinted) are no sum to check
    assert query(db, """select count(*) from marts.fct_identity_check c join marts.dim_document d using (doc_id)
                        where d.source_file = ? and c.check_name = 'revenue_fiscal_parts'""", [SWU]) == [(0,)]
    assert {lhs_refs for *_, lhs_refs, _ in rows[:4]} == {'p9 T1 R17 C2 公开01表 "569,496.54"',
                                                       'p9 T1 R17 C4 公开01表 "569,496.54"'}


def test_a_finding_on_a_function_coded_figure_names_its_subject(db, monkeypatch):
    """The sentence of a finding on a figure of one 科目 gives the code with its name (2210201 住房公积金,
    206 科学技术支出 from marts.dim_function_subject), not the bare code."""
    from juesuan.findings import connect_ro, document_summaries
    from juesuan.i18n import Labels, set_lang

    monkeypatch.setenv("JUESUAN_LANG", "zh")
    set_lang(None)
    con = connect_ro(db)
    labels = Labels.load(con)
    con.close()
    said = {f.statement(labels) for d in document_summaries(db) for f in d.findings}
    assert "本年支出合计 [财政拨款] 预算数 2210201 住房公积金：208.80 万元 ≠ 201.50 万元（相差 7.30 万元，" \
           "舍入允许 ±0.055 万元）" in said
    assert "本年支出合计 [全部资金] 占比 206 科学技术支出：0.56% ≠ 0.5542%（相差 0.0058 个百分点，" \
           "舍入允许 ±0.005 个百分点）" in said


def test_budget_findings_are_the_reports_own_contradictions(db):
    """The three budgets' only finding: 普陀 p9 states 2210201 住房公积金 as 208.8 万元 (its tables print
    2,087,959.00 元) and, a line later, '2026年预算安排201.50万元'.  Procurement parts, fund budgets of 0,
    单位预留机动经费 (a part of 本年支出合计) and its share give none."""
    rows = query(db, """select d.source_file, c.check_name, c.lhs, c.rhs, c.lhs_refs, c.rhs_refs
                        from marts.fct_identity_check c join marts.dim_document d using (doc_id)
                        where d.basis = 'budget' and not c.passed order by 1, 2""")
    assert rows == [(BUDGETS[0], "narrative_vs_narrative", Decimal("208.8"), Decimal("201.5"),
                     'p9 L15 narrative "208.8万元"', 'p9 L16 narrative "201.50万元"')]
    # the sums that gave the false findings now hold: 本年支出合计 = 基本 + 项目 + 预留 on the unit's total,
    # 政府采购 = 货物 + 工程 + 服务 in the prose
    checked = query(db, """select d.source_file, c.check_name, c.lhs, c.rhs, c.lhs_refs from marts.fct_identity_check c
                           join marts.dim_document d using (doc_id) where d.basis = 'budget' and c.passed and
                           ((c.check_name = 'expenditure_current_total' and c.subject like '%budget')
                            or c.check_name = 'procurement_total') order by 1, 2, 5""")
    assert checked == [
        (BUDGETS[0], "expenditure_current_total", Decimal("9628.2213"), Decimal("9628.2213"),
         'p13 T1 R10 C5 预算03表 "96282213.44元"'),
        (BUDGETS[0], "expenditure_current_total", Decimal("9628.2213"), Decimal("9628.2213"),
         'p16 T1 R11 C5 预算05表 "96282213.44元"'),
        (BUDGETS[0], "procurement_total", Decimal("1486.42"), Decimal("1486.42"), 'p22 L11 narrative "1486.42万元"'),
        (BUDGETS[1], "expenditure_current_total", Decimal("27664.22"), Decimal("27664.22"),
         'p1 T1 R26 C6 预算01表 "27,664.22"'),
        (BUDGETS[2], "expenditure_current_total", Decimal("24169.74"), Decimal("24169.74"),
         'p14 T1 R37 C6 预算01表 "24,169.74"'),
        (BUDGETS[2], "expenditure_current_total", Decimal("24169.74"), Decimal("24169.74"),
         'p27 L8 narrative "24,169.74 万元"'),
        (BUDGETS[2], "procurement_total", Decimal("2744.84"), Decimal("2744.84"), 'p31 L23 narrative "2744.84万元"'),
    ]


def test_budget_reserve_and_class_rows_reach_the_budget_marts(db):
    rows = query(db, """select d.source_file, e.funding_scope, e.function_code, e.amount_wan, e.source_ref
                        from marts.fct_budget_expenditure e join marts.dim_document d using (doc_id)
                        where e.expenditure_type = 'reserve' and e.source_kind = 'table' order by 1, 2""")
    assert rows == [(BUDGETS[1], "all", None, Decimal("2938.21"), "p1 T1 R7 C6"),
                    (BUDGETS[1], "fiscal", None, Decimal("2938.21"), "p4 T1 R7 C4"),
                    (BUDGETS[2], "all", None, Decimal("3990.40"), "p14 T1 R13 C6"),
                    (BUDGETS[2], "fiscal", None, Decimal("3990.40"), "p16 T1 R6 C4")]
