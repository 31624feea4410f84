"""The main job end to end on the bundled corpus: marts, README queries, checks, idempotence."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from warehouse import CONTRACT_MARTS, ROOT, last_ingest_run, query, run, snapshot

from juesuan.paths import data_docs_dir, report_html

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def db(warehouse_db):
    return warehouse_db


def test_every_contract_mart_has_rows_from_the_reports(db):
    for mart in CONTRACT_MARTS:
        assert query(db, f"select count(*) from marts.{mart}")[0][0] > 0, mart
    # facts come from every report that states such figures
    for mart in ("fct_revenue", "fct_expenditure", "fct_three_public", "fct_unit_year", "fct_identity_check"):
        assert query(db, f"select count(distinct doc_id) from marts.{mart}")[0][0] == 5, mart
    # money is exact decimal in every mart
    floats = query(db, "select table_name, column_name, data_type from information_schema.columns "
                       "where table_schema = 'marts' and column_name like '%_wan' and data_type not like 'DECIMAL%'")
    assert floats == []


def test_units_resolve_across_suffixes_with_geography(db):
    units = {r[0]: r[1:] for r in query(db, "select unit_name, scope, province, city, county, admin_level from marts.dim_unit")}
    assert units == {
        "西安市总工会": ("consolidated", "陕西省", "西安市", None, "prefecture"),   # 000: 西安市总工会（汇总）
        "广元市总工会": (None, "四川省", "广元市", None, "prefecture"),
        "榆林市横山区总工会": (None, "陕西省", "榆林市", "横山区", "county"),
        "乌海市总工会": ("balance", "内蒙古自治区", "乌海市", None, "prefecture"),  # 003: 乌海市总工会（差额）
        "攀枝花市西区总工会": (None, "四川省", "攀枝花市", "西区", "county"),
    }


def test_three_public_has_every_unit_with_stated_zeros(db):
    rows = query(db, "select u.unit_name, t.actual_wan, t.stated_as_none, t.source_ref from marts.fct_three_public t "
                     "join marts.dim_unit u using (unit_id) where t.item = 'total'")
    assert {r[0] for r in rows} == {"西安市总工会", "广元市总工会", "榆林市横山区总工会", "乌海市总工会", "攀枝花市西区总工会"}
    assert all(r[1] == 0 for r in rows)
    # 002 L219: "支出决算 0 万元" under a "2022 年度" that compares with 上年 — read as 2023, flagged
    assert ("榆林市横山区总工会", Decimal(0), False, "L219") in rows
    corrected = query(db, "select line_no, correction from marts.qa_corrected_readings where source_file like '002%' "
                          "and kind = 'three_public'")
    assert (219, "year_typo") in corrected
    # “无…支出” is a zero fact, not a missing row (002 L225 本年度无财政拨款因公出国（境）费支出)
    assert query(db, "select actual_wan, stated_as_none from marts.fct_three_public t join marts.dim_document d "
                     "using (doc_id) where d.source_file like '002%' and item = 'outbound'") == [(Decimal(0), True)]


def test_every_self_evaluated_project_is_a_fact(db):
    # every project with an indicator table appears, and carries its table figures
    missing = query(db, """select distinct i.doc_id, i.project_key from raw.indicators i
                           join marts.dim_document d using (doc_id) where i.project_key is not null
                           except select doc_id, project_key from marts.fct_project_performance""")
    assert missing == []
    projects = {(r[0][:3], r[1]): r[2:] for r in query(db, """
        select d.source_file, p.project_key, p.budget_full_year_wan, p.executed_wan, p.execution_rate, p.score
        from marts.fct_project_performance p join marts.dim_document d using (doc_id)""")}
    # 003 L269 ff: 劳动竞赛经费, 全年预算 7, 执行 0, 执行率 0%, 得分 40 (hand-read)
    assert projects[("003", "劳动竞赛")] == (Decimal(7), Decimal(0), Decimal(0), Decimal(40))
    # 000's self-evaluation tables: 困难职工援助 849.5 of 850 (L239 ff)
    assert projects[("000", "困难职工援助")][:2] == (Decimal("849.5"), Decimal("849.5"))
    # 002's whole-department evaluation (flattened PDF table): 254.13, score 99.5
    assert projects[("002", "部门整体支出")][0] == Decimal("254.13")
    assert projects[("002", "部门整体支出")][3] == Decimal("99.5")
    per_doc = dict(query(db, "select d.source_file[:3], count(*) from marts.fct_project_performance "
                             "join marts.dim_document d using (doc_id) group by 1"))
    assert set(per_doc) == {"000", "001", "002", "003", "004"}


def readme_queries() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, re.S)
    return {re.match(r"-- name: (\w+)", b).group(1): b for b in blocks}


def test_readme_sample_queries_answer_correctly(db):
    q = readme_queries()
    assert {"expenditure_by_city", "three_public_by_unit", "projects_under_90", "union_affairs_across_cities",
            "year_over_year", "inconsistencies"} <= set(q)
    # total expenditure by city, 2024 — hand-read: 000 L461 5,334.09; 001 L27 1309.54; 004 L25 273.52; 003 L108 199.32
    by_city = [(r[1], r[3]) for r in query(db, q["expenditure_by_city"])]
    assert by_city == [("西安市", Decimal("5334.09")), ("广元市", Decimal("1309.54")),
                       ("攀枝花市", Decimal("273.52")), ("乌海市", Decimal("199.32"))]
    three = query(db, q["three_public_by_unit"])
    assert len(three) == 5 and all(r[3] == 0 for r in three)
    under_90 = query(db, q["projects_under_90"])
    assert [(r[0], r[2], r[3]) for r in under_90] == [("乌海市总工会", "劳动竞赛经费", Decimal(40))]
    # 2012906 工会事务: 000 03表 L511 5,015.32 (all funds); 001 L52 730; 003 L169 97.06 (年初预算 84)
    union = [(r[1], r[4], r[5], r[6]) for r in query(db, q["union_affairs_across_cities"])]
    assert union == [("西安市", "all", Decimal("5015.32"), None), ("广元市", "general_budget", Decimal(730), None),
                     ("乌海市", "general_budget", Decimal("97.06"), Decimal(84))]
    yoy = query(db, q["year_over_year"])
    # 004 L17: 收支总计 273.52, 增加 27.26 → prior 246.26 stated in text
    assert ("攀枝花市西区总工会", 2024, "收入总计", Decimal("273.52"), Decimal("246.26"), Decimal("27.26")) in \
        [r[:6] for r in yoy]
    assert len(query(db, q["inconsistencies"])) == query(db, "select count(*) from marts.fct_identity_check "
                                                             "where not passed")[0][0]


def test_checks_pass_integrity_and_report_findings_with_data_docs(db):
    rows = query(db, "select kind, success, check_name, unexpected_count, error from raw.check_results")
    integrity = [r for r in rows if r[0] == "integrity"]
    assert len(integrity) > 100 and all(r[1] for r in integrity), [r for r in integrity if not r[1]]
    assert all(r[4] is None for r in rows)
    failed_identities = {r[2]: r[3] for r in rows if r[0] == "identity" and not r[1]}
    in_mart = dict(query(db, "select check_name, count(*) from marts.fct_identity_check where not passed group by 1"))
    assert failed_identities == in_mart
    docs = data_docs_dir(db) / "index.html"
    assert docs.exists() and "accounting_identities" in docs.read_text(encoding="utf-8")
    html = report_html(db).read_text(encoding="utf-8")
    assert "243.26" in html and "<style>" in html and "https://" not in html
    # the place in Chinese with the sentence as printed, not the internal code word 'narrative'
    assert "<code>L53</code> “243.26万元”" in html and "原文：2024年度一般公共预算财政拨款基本支出243.26万元" in html
    assert 'narrative "' not in html and '[general_budget]' not in html


def test_status_and_sql_commands(db, capsys):
    assert run("status", "--db", db, "--max-age", "1d") == 0
    assert run("status", "--db", db, "--max-age", "0m") == 5
    capsys.readouterr()
    assert run("sql", "--db", db, "--format", "csv", "select count(*) as units from marts.dim_unit") == 0
    assert capsys.readouterr().out.split() == ["units", "5"]


def test_second_run_parses_nothing_and_leaves_every_mart_identical(db):
    before = snapshot(db)
    assert run("run", "--db", db, "--no-docs") == 0
    assert last_ingest_run(db) | {"files_seen": 5} == {"files_seen": 5, "parsed": 0, "unchanged": 5, "failed": 0,
                                                        "superseded": 0, "duplicates": 0}
    assert snapshot(db) == before


def test_full_refresh_gives_exactly_the_incremental_rows(db):
    before = snapshot(db)
    assert run("build", "--db", db, "--full-refresh") == 0
    assert snapshot(db) == before
