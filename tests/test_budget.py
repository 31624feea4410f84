"""部门预算 as a second basis: a counted budget feeds the fct_budget_* marts, never the 决算 marts, and meets
the 决算 of its unit-year in fct_budget_execution and in the 年初预算 = published budget identity.

Without ../shared: a text 部门预算 (tests/fixtures/budget/, tab-grid tables in the shapes of the bundled
reports — 收支预算总表 / 支出预算表 / 一般公共预算支出预算表) for 西安市总工会 2024, the unit and year of the
bundled 决算 data/reports/000, whose budget figures are those the 决算 states as 年初预算.
With ../shared/real: the three real 部门预算 PDFs load as budgets with the README's hand-read values."""

from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEEDS
from warehouse import query, run

ROOT = Path(__file__).resolve().parents[1]
BUDGET = ROOT / "tests" / "fixtures" / "budget" / "xian_federation_2024_budget.txt"
SHARED = Path(os.environ.get("JUESUAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REAL = SHARED / "real"
pytestmark = pytest.mark.pipeline


def _warehouse(folder: Path, budget_text: str) -> Path:
    folder.mkdir()
    shutil.copy(SEEDS["000"], folder / SEEDS["000"].name)
    (folder / BUDGET.name).write_text(budget_text, encoding="utf-8")
    db = folder.parent / f"{folder.name}.duckdb"
    assert run("run", folder, "--db", db, "--no-docs") == 0
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return _warehouse(tmp_path_factory.mktemp("budget") / "in", BUDGET.read_text(encoding="utf-8"))


def test_the_budget_counts_in_its_own_basis_and_the_final_account_in_its(db):
    docs = query(db, "select source_file, report_kind, basis, counted_in_facts, exclusion from marts.dim_document "
                     "order by basis")
    assert docs == [(BUDGET.name, "部门预算", "budget", True, None),
                    (SEEDS["000"].name, "部门决算", "final", True, None)]
    # no 决算 mart holds a figure of the budget, no budget mart one of the 决算
    for mart in ("fct_revenue", "fct_expenditure", "fct_expenditure_economic", "fct_three_public", "fct_yoy",
                 "fct_unit_year"):
        assert query(db, f"select count(*) from marts.{mart} m join marts.dim_document d using (doc_id) "
                         "where d.basis <> 'final'") == [(0,)], mart
    for mart in ("fct_budget_revenue", "fct_budget_expenditure"):
        assert query(db, f"select distinct d.source_file from marts.{mart} m join marts.dim_document d using (doc_id)") \
            == [(BUDGET.name,)], mart


def test_budget_tables_reach_the_budget_marts_with_provenance(db):
    expenditure = query(db, """
        select funding_scope, function_code, expenditure_type, amount_wan, source_kind, source_ref, table_code
        from marts.fct_budget_expenditure where function_code is null or function_code = '2080501'
        order by 1, 2 nulls first, 3""")
    assert expenditure == [
        ("all", None, "basic", Decimal("149.59"), "table", "L72:C4", "B03"),
        ("all", None, "grand_total", Decimal("5168.09"), "table", "L61:C4", "B01"),
        ("all", None, "project", Decimal("5018.50"), "table", "L72:C5", "B03"),
        ("all", None, "total", Decimal("5168.09"), "table", "L59:C4", "B01"),
        ("all", "2080501", "basic", Decimal("67.88"), "table", "L78:C4", "B03"),
        ("all", "2080501", "total", Decimal("67.88"), "table", "L78:C3", "B03"),
        ("general_budget", None, "basic", Decimal("149.59"), "table", "L93:C4", "B05"),
        ("general_budget", None, "project", Decimal("4338.50"), "table", "L93:C5", "B05"),
        ("general_budget", None, "total", Decimal("4488.09"), "table", "L93:C3", "B05"),
        ("general_budget", "2080501", "basic", Decimal("67.88"), "table", "L99:C4", "B05"),
        ("general_budget", "2080501", "total", Decimal("67.88"), "table", "L99:C3", "B05"),
    ]
    # 类 printed by name only on the 收支预算总表 resolve to their codes
    assert query(db, "select function_code, amount_wan, source_ref from marts.fct_budget_expenditure "
                     "where table_code = 'B01' and function_code is not null order by 1") == [
        ("201", Decimal("5018.50"), "L53:C4"), ("208", Decimal("148.44"), "L54:C4"), ("210", Decimal("1.15"), "L55:C4")]
    revenue = query(db, "select revenue_source, amount_wan, source_ref from marts.fct_budget_revenue "
                        "where funding_scope = 'all' and function_code is null order by 1")
    assert revenue == [("business", Decimal("680.00"), "L57:C2"), ("current_total", Decimal("5168.09"), "L59:C2"),
                       ("fiscal_total", Decimal("4488.09"), "L53:C2"), ("general_budget", Decimal("4488.09"), "L54:C2"),
                       ("grand_total", Decimal("5168.09"), "L61:C2")]
    assert query(db, "select typeof(amount_wan) from marts.fct_budget_expenditure limit 1")[0][0].startswith("DECIMAL")


def test_budget_against_actual_with_execution_rate(db):
    rows = query(db, """
        select function_code, budget_wan, budget_initial_wan, actual_wan, execution_rate, budget_source_ref,
               actual_source_ref
        from marts.fct_budget_execution
        where funding_scope = 'general_budget' and expenditure_type = 'total'
          and (function_code is null or function_code in ('201', '2080501', '2100212'))
        order by function_code nulls first""")
    assert rows == [
        # published 4,488.09 (B05 L93); the 决算 states 年初预算 4,488.09 and spent 4,671.91 (公开05表 L561)
        (None, Decimal("4488.09"), Decimal("4488.09"), Decimal("4671.91"), Decimal("1.0410"), "L93:C3", "L561:C7"),
        ("201", Decimal("4338.50"), None, Decimal("4422.39"), Decimal("1.0193"), "L94:C3", "L535:C7"),
        ("2080501", Decimal("67.88"), Decimal("67.88"), Decimal("67.87"), Decimal("0.9999"), "L99:C3", "L588:C3"),
        # 康复医院 was not in the published budget: actual only, no rate
        ("2100212", None, Decimal("0.00"), Decimal("100.00"), None, None, "L592:C3"),
    ]
    year = query(db, "select budget_doc_id is not null, budget_expenditure_total_wan, budget_basic_expenditure_wan, "
                     "budget_project_expenditure_wan, budget_revenue_total_wan, expenditure_total_wan "
                     "from marts.fct_unit_year")
    assert year == [(True, Decimal("5168.09"), Decimal("149.59"), Decimal("5018.50"), Decimal("5168.09"),
                     Decimal("5334.09"))]


def test_budget_initial_equals_published_budget_holds_and_budget_tables_are_checked(db):
    checks = query(db, "select count(*), count(*) filter (where passed) from marts.fct_identity_check "
                       "where check_name = 'budget_initial_equals_published_budget'")
    assert checks == [(8, 8)]
    # the budget's own sums: two-sided balance and 类 = Σ款 = Σ项, all holding
    own = dict(query(db, "select c.check_name, count(*) filter (where passed) || '/' || count(*) "
                         "from marts.fct_identity_check c join marts.dim_document d using (doc_id) "
                         "where d.basis = 'budget' and c.check_family in ('sums', 'hierarchy') group by 1"))
    # 收支预算总表 收入总计 = 支出总计; 合计 = Σ类 for 3 columns × 2 tables (B01's 类 merge with B03's);
    # 类 = Σ款 and 款 = Σ项 for 3 类 / 3 款 × 2 printed columns × 2 tables
    assert own == {"revenue_equals_expenditure": "1/1", "revenue_current_total": "1/1", "revenue_grand_total": "1/1",
                   "revenue_fiscal_parts": "1/1", "expenditure_current_total": "2/2", "expenditure_grand_total": "1/1",
                   "total_equals_sum_of_classes": "6/6", "class_equals_sum_of_subclasses": "12/12",
                   "subclass_equals_sum_of_items": "12/12"}


def test_a_planted_difference_fails_the_identity_with_both_places(tmp_path):
    text = BUDGET.read_text(encoding="utf-8")
    head, b05 = text.split("一般公共预算支出预算表\n", 1)
    planted = head + "一般公共预算支出预算表\n" + b05.replace("2080501\t行政单位离退休\t67.88\t67.88",
                                                          "2080501\t行政单位离退休\t67.98\t67.98")
    db = _warehouse(tmp_path / "planted", planted)
    failed = query(db, "select subject, lhs, rhs, diff, tolerance, lhs_refs, rhs_refs from marts.fct_identity_check "
                       "where check_name = 'budget_initial_equals_published_budget' and not passed")
    assert len(failed) == 1
    subject, lhs, rhs, diff, tolerance, lhs_refs, rhs_refs = failed[0]
    assert "2080501" in subject and (lhs, rhs, diff, tolerance) == (Decimal("67.88"), Decimal("67.98"),
                                                                    Decimal("-0.10"), Decimal("0.01"))
    assert lhs_refs == 'L151 narrative "67.88万元"'
    assert re.fullmatch(r'L99:C3 预算05表 "67\.98" \(budget [0-9a-f]{20}\)', rhs_refs), rhs_refs
    # the budget's own 款 = Σ项 no longer holds either (合计 and 基本支出 columns): the planted figure, from its own side
    assert query(db, "select count(*) from marts.fct_identity_check c join marts.dim_document d using (doc_id) "
                     "where d.basis = 'budget' and c.check_name = 'subclass_equals_sum_of_items' and not c.passed") \
        == [(2,)]
    assert query(db, "select execution_rate from marts.fct_budget_execution where funding_scope = 'general_budget' "
                     "and function_code = '2080501' and expenditure_type = 'total'") == [(Decimal("0.9984"),)]


def test_readme_budget_vs_actual_query(db):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```sql\n(.*?)```", text, re.S) if "-- name: budget_vs_actual_by_class" in b)
    rows = query(db, block)
    assert rows == [
        ("西安市总工会", 2024, None, None, Decimal("4488.09"), Decimal("4488.09"), Decimal("4671.91"), Decimal("1.0410")),
        ("西安市总工会", 2024, "201", "一般公共服务支出", Decimal("4338.50"), None, Decimal("4422.39"), Decimal("1.0193")),
        ("西安市总工会", 2024, "208", "社会保障和就业支出", Decimal("148.44"), None, Decimal("148.41"), Decimal("0.9998")),
        ("西安市总工会", 2024, "210", "卫生健康支出", Decimal("1.15"), None, Decimal("101.11"), Decimal("87.9217")),
    ]


# ---------------------------------------------------------------- the budget tables in other text layouts
LAYOUTS = {  # fixture written by tests/renderers.py from BUDGET → (renderer, arguments)
    "xian_federation_2024_budget_cells.txt": ("cells_per_line", {}),  # one cell per line (Word/WPS exports)
    "xian_federation_2024_budget_wrapped.txt": ("hard_wrapped", {"columns": 40}),  # prose cut as PDF text is
}


def _figures(doc) -> list[tuple]:
    return sorted((o.source_kind, o.table_code or "", o.kind, o.item or "", o.measure, o.scope or "",
                   o.function_code or "", o.economic_code or "", o.value, o.decimals) for o in doc.result.observations)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_budget_tables_in_every_text_layout_give_the_same_figures(name):
    """The text 部门预算 printed one cell per line (merged header cells once, empty leading label cells left
    out) and with its prose hard-wrapped: the same 64 figures — 收支预算总表, 支出预算表 and 一般公共预算支出
    预算表 rows and the prose's 年初预算 — as the tab-separated original.  The fixtures are the renderers'
    output (kept in the repository so the layouts can be read), checked here to be current."""
    import renderers

    from ingest.parse import parse_bytes

    renderer, kwargs = LAYOUTS[name]
    text = BUDGET.read_text(encoding="utf-8")
    fixture = BUDGET.with_name(name)
    assert fixture.read_bytes() == getattr(renderers, renderer)(text, **kwargs)
    original = parse_bytes(BUDGET, text.encode("utf-8"))
    doc = parse_bytes(fixture, fixture.read_bytes())
    assert (doc.report_kind, doc.unit_name, doc.fiscal_year) == ("部门预算", "西安市总工会", 2024)
    # the fixture is an excerpt (three of the template's tables, ending inside the third): partial in every layout
    assert doc.status == original.status == "partial"
    assert len(original.result.observations) == 64 and not original.result.rejects
    assert _figures(doc) == _figures(original)
    errors = [i.message for i in doc.result.issues if i.severity == "error"]
    assert not doc.result.rejects and len(errors) == 1 and errors[0].startswith(
        "the document is cut short: it ends inside 一般公共预算支出预算表")
    tables = {(o.table_code, o.kind, o.item, o.scope, o.function_code): o.value for o in doc.result.observations
              if o.source_kind == "table"}
    assert tables[("B01", "expenditure", "grand_total", "all", None)] == Decimal("5168.09")
    assert tables[("B03", "expenditure", "basic", "all", "2080501")] == Decimal("67.88")
    assert tables[("B05", "expenditure", "total", "general_budget", "201")] == Decimal("4338.50")


# ---------------------------------------------------------------- the real 部门预算 of ../shared/real
REAL_BUDGETS = {
    "上海市普陀区司法局2026年部门预算.pdf": ("上海市普陀区司法局", 2026),
    "江苏省人民检察院2019年度部门预算.pdf": ("江苏省人民检察院", 2019),
    "中共江苏省委办公厅2019年度部门预算公开表格.pdf": ("中共江苏省委办公厅", 2019),
}
# (file, funding scope, function code, expenditure type, 万元) — ../shared/real/README.md
REAL_EXPENDITURE = [
    ("上海市普陀区司法局2026年部门预算.pdf", "all", None, "grand_total", "9628.2213"),
    ("上海市普陀区司法局2026年部门预算.pdf", "all", None, "basic", "2574.1666"),
    ("上海市普陀区司法局2026年部门预算.pdf", "all", None, "project", "7054.0547"),
    ("上海市普陀区司法局2026年部门预算.pdf", "general_budget", None, "personnel", "2356.3342"),
    ("上海市普陀区司法局2026年部门预算.pdf", "general_budget", "204", "total", "8726.7272"),
    ("上海市普陀区司法局2026年部门预算.pdf", "general_budget", "2040601", "total", "1672.6725"),
    ("上海市普陀区司法局2026年部门预算.pdf", "general_budget", "208", "total", "334.3704"),
    ("江苏省人民检察院2019年度部门预算.pdf", "all", None, "total", "24169.74"),
    ("江苏省人民检察院2019年度部门预算.pdf", "all", None, "basic", "15844.04"),
    ("江苏省人民检察院2019年度部门预算.pdf", "all", None, "project", "4335.30"),
    ("江苏省人民检察院2019年度部门预算.pdf", "general_budget", "204", "total", "16593.12"),
    ("江苏省人民检察院2019年度部门预算.pdf", "general_budget", "2040401", "total", "12268.62"),
    ("中共江苏省委办公厅2019年度部门预算公开表格.pdf", "all", None, "total", "27664.22"),
    ("中共江苏省委办公厅2019年度部门预算公开表格.pdf", "all", None, "basic", "11700.63"),
    ("中共江苏省委办公厅2019年度部门预算公开表格.pdf", "all", None, "project", "13025.38"),
    ("中共江苏省委办公厅2019年度部门预算公开表格.pdf", "general_budget", "201", "total", "22395.50"),
    ("中共江苏省委办公厅2019年度部门预算公开表格.pdf", "general_budget", "2013101", "total", "9370.12"),
]
REAL_REVENUE = [  # 收入总计 / 本年收入合计 = 财政拨款收入 = 一般公共预算收入
    ("上海市普陀区司法局2026年部门预算.pdf", "grand_total", "9628.2213"),
    ("上海市普陀区司法局2026年部门预算.pdf", "fiscal_total", "9628.2213"),
    ("江苏省人民检察院2019年度部门预算.pdf", "grand_total", "24169.74"),
    ("江苏省人民检察院2019年度部门预算.pdf", "general_budget", "24169.74"),
    ("中共江苏省委办公厅2019年度部门预算公开表格.pdf", "current_total", "27664.22"),
    ("中共江苏省委办公厅2019年度部门预算公开表格.pdf", "fiscal_total", "27664.22"),
    ("中共江苏省委办公厅2019年度部门预算公开表格.pdf", "general_budget", "27664.22"),
]
REAL_THREE_PUBLIC = {"上海市普陀区司法局2026年部门预算.pdf": "10.81", "江苏省人民检察院2019年度部门预算.pdf": "418.26",
                     "中共江苏省委办公厅2019年度部门预算公开表格.pdf": "508.20"}


EXCERPT = "jcy2019_cover_p14.pdf"
# fct_budget_unit_year: 支出总计, 基本, 项目, 三公 total and where, 机关运行经费 and where (README's hand-read values)
REAL_HEADLINES = {
    "上海市普陀区司法局2026年部门预算.pdf":
        ("9628.2213", "2574.1666", "7054.0547", "10.81", "p21 T1 R4 C1", "217.83", "p21 T1 R4 C7"),
    "江苏省人民检察院2019年度部门预算.pdf":
        ("24169.74", "15844.04", "4335.30", "418.26", "p20 T1 R5 C2", "2391.92", "p21 T1 R3 C3"),
    "中共江苏省委办公厅2019年度部门预算公开表格.pdf":
        ("27664.22", "11700.63", "13025.38", "508.20", "p9 T1 R6 C2", "2232.91", "p11 T1 R3 C3"),
}


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared/real is not present")
    folder = tmp_path_factory.mktemp("real_budgets")
    for name in REAL_BUDGETS:
        shutil.copy(REAL / name, folder / name)
    # a one-page copy of the 检察院's budget (shadowed by the whole report): a second document of the unit
    shutil.copy(REAL / "repro" / "r13_flattened_two_sided_row" / EXCERPT, folder / EXCERPT)
    db = tmp_path_factory.mktemp("wh") / "budgets.duckdb"
    assert run("run", folder, "--db", db, "--no-docs") == 0
    return db


def test_real_budgets_load_as_counted_budgets(real_db):
    docs = query(real_db, "select d.source_file, u.unit_name, d.fiscal_year, d.basis, d.counted_in_facts, d.exclusion "
                          "from marts.dim_document d join marts.dim_unit u using (unit_id) order by 1")
    assert docs == sorted([(f, unit, year, "budget", True, None) for f, (unit, year) in REAL_BUDGETS.items()]
                          + [(EXCERPT, "江苏省人民检察院", 2019, "budget", False, "shadowed")])
    assert query(real_db, "select count(*) from marts.fct_expenditure") == [(0,)]


@pytest.mark.parametrize("source_file, scope, function_code, kind, value", REAL_EXPENDITURE)
def test_real_budget_expenditure_right_values(real_db, source_file, scope, function_code, kind, value):
    rows = query(real_db, """
        select e.amount_wan, e.source_kind, e.source_ref from marts.fct_budget_expenditure e
        join marts.dim_document d using (doc_id)
        where d.source_file = ? and e.funding_scope = ? and e.function_code is not distinct from ? and e.expenditure_type = ?""",
                 [source_file, scope, function_code, kind])
    assert len(rows) == 1 and rows[0][0] == Decimal(value) and rows[0][1] == "table", rows
    assert re.fullmatch(r"p\d+ T\d+ R\d+ C\d+", rows[0][2])


@pytest.mark.parametrize("source_file, source, value", REAL_REVENUE)
def test_real_budget_revenue_right_values(real_db, source_file, source, value):
    rows = query(real_db, """
        select r.amount_wan from marts.fct_budget_revenue r join marts.dim_document d using (doc_id)
        where d.source_file = ? and r.funding_scope = 'all' and r.function_code is null and r.revenue_source = ?""",
                 [source_file, source])
    assert rows == [(Decimal(value),)]


def test_real_budget_three_public(real_db):
    rows = dict(query(real_db, "select d.source_file, t.amount_wan from marts.fct_budget_three_public t "
                               "join marts.dim_document d using (doc_id) where t.item = 'total'"))
    assert rows == {f: Decimal(v) for f, v in REAL_THREE_PUBLIC.items()}


def test_real_budget_headlines_in_one_row_per_budget_unit_year(real_db):
    """MEDIUM-R1: a budget unit-year's headline figures, 机关运行经费 included, are in fct_budget_unit_year."""
    rows = query(real_db, """
        select d.source_file, b.expenditure_grand_total_wan, b.basic_expenditure_wan, b.project_expenditure_wan,
               b.three_public_total_wan, b.three_public_source_ref, b.agency_operation_wan, b.agency_operation_source_ref
        from marts.fct_budget_unit_year b join marts.dim_document d using (doc_id)""")
    assert {r[0]: r[1:] for r in rows} == {
        f: tuple(Decimal(v) if i not in (4, 6) else v for i, v in enumerate(values)) for f, values in REAL_HEADLINES.items()}


def test_agency_operation_tables_read_as_other_count_as_agency_operation(real_db):
    """The 机关运行经费 tables no template describes (省委办公厅 p11, 检察院 p21: read as kind other, column
    机关运行经费支出) and the 机关运行经费 column of 普陀's 三公 table give the total — only the 合计 row, not the
    经济分类 rows under it — and agree with the prose's figure where the prose states one."""
    readings = query(real_db, """
        select d.source_file, r.measure, r.value, r.source_ref, r.source_kind, r.measure_as_read
        from intermediate.int_fact_readings r join marts.dim_document d using (doc_id)
        where r.kind = 'agency_operation' and r.measure = 'budget' order by 1, r.reading_rank""")
    assert readings == [
        ("上海市普陀区司法局2026年部门预算.pdf", "budget", Decimal("217.83"), "p21 T1 R4 C7", "table", "budget"),
        ("上海市普陀区司法局2026年部门预算.pdf", "budget", Decimal("217.83"), "p22 L9", "narrative", "budget_initial"),
        ("中共江苏省委办公厅2019年度部门预算公开表格.pdf", "budget", Decimal("2232.91"), "p11 T1 R3 C3", "table", "value"),
        ("江苏省人民检察院2019年度部门预算.pdf", "budget", Decimal("2391.92"), "p21 T1 R3 C3", "table", "value"),
        ("江苏省人民检察院2019年度部门预算.pdf", "budget", Decimal("2391.92"), "p31 L18", "narrative", "budget_initial"),
    ]
    # the 经济分类 rows of those tables stay figures of kind other
    assert query(real_db, """
        select count(*) from intermediate.int_observations o join marts.dim_document d using (doc_id)
        where o.kind = 'other' and o.item = '机关运行经费支出' and o.source_ref = 'p11 T1 R4 C3'""") == [(1,)]


def test_dim_unit_sector_and_document_count(real_db):
    """LOW-C5: sector is the name without 中共 and its place; document_count counts every version of the unit's
    reports (the shadowed one-page copy too), counted_document_count the one that counts."""
    assert query(real_db, "select unit_name, sector, document_count, counted_document_count from marts.dim_unit "
                          "order by 1") == sorted([
        ("上海市普陀区司法局", "司法局", 1, 1), ("江苏省人民检察院", "人民检察院", 2, 1),
        ("中共江苏省委办公厅", "省委办公厅", 1, 1)])
