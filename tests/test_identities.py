"""Accounting identities: the corpus's real inconsistencies are found (and nothing else), a planted
error is found at its place, and the integrity suites can fail."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from warehouse import copy_corpus, findings, query, replace_on_line, run

from expectations import run_checks
from expectations.identities import catalogue

pytestmark = pytest.mark.pipeline

# Every place the five reports contradict themselves, checked by hand against the text:
# (report, identity, subject, lines of the stated side, lines of the computed / other side)
HAND_CHECKED = {
    # 000: 公开03表 L507 says 基本 149.52 / 项目 5,184.57; the prose at L867 says 175.91 / 5158.18
    ("000", "narrative_vs_table", "expenditure basic [all] amount", (507,), (867,)),
    ("000", "narrative_vs_table", "expenditure project [all] amount", (507,), (867,)),
    # 000: the self-evaluation table scores 劳模专项补助资金 100 (L353), the evaluation text 96.59 分 (L1037)
    ("000", "narrative_vs_table", "project score 劳模专项补助资金", (353,), (1037,)),
    # 002 L186-198: 基本支出 124.68 = 人员经费 124.68 + 公用经费 6.12 cannot both be true
    ("002", "basic_personnel_public", "expenditure basic [general_budget] amount", (186,), (190, 198)),
    # 002: the listed 项 add up to 458.89, the stated total (budget and actual) is 360.44
    ("002", "total_equals_sum_of_items", "expenditure total [general_budget] budget_initial", (126,),
     (137, 143, 151, 159, 167, 174, 180)),
    ("002", "total_equals_sum_of_items", "expenditure total [general_budget] amount", (128,),
     (137, 143, 151, 159, 167, 174, 180)),
    # 002: department tasks weigh 212.5 points against 10 for the whole (a task printed 205 for 2.05)
    ("002", "department_tasks_sum_to_total", "project total funding_weight 部门整体支出", (560,), (450, 558)),
    # 002 L641: an indicator scored 5 out of 2.5
    ("002", "indicator_score_within_weight", "indicator 救助因病因学意外灾害等困难职工 (部门整体支出)", (641,), (641,)),
    # 002 L112: 124.68 / 360.44 is 34.59%, 235.76 / 360.44 is 65.41% — printed 34% and 66%
    ("002", "share_of_total", "expenditure basic [all] share_pct", (112,), (110, 112)),
    ("002", "share_of_total", "expenditure project [all] share_pct", (112,), (110, 112)),
    # 002 L92 / L119: down 20.7 from 381.14 is −5.43%, printed 0.005% and 0.05%
    ("002", "yoy_pct_matches_change", "revenue grand_total [all] yoy_change_pct", (92,), (90, 92)),
    ("002", "yoy_pct_matches_change", "expenditure grand_total [all] yoy_change_pct", (92,), (90, 92)),
    ("002", "yoy_pct_matches_change", "revenue grand_total [fiscal] yoy_change_pct", (119,), (117, 119)),
    ("002", "yoy_pct_matches_change", "expenditure grand_total [fiscal] yoy_change_pct", (119,), (117, 119)),
    # 004 L53-55: 基本支出 243.26 but 人员经费 129.77 + 公用经费 140.75 = 270.52 (and L25 says 270.52)
    ("004", "basic_personnel_public", "expenditure basic [general_budget] amount", (53,), (54, 55)),
    # 004: 财政拨款 totals 273.52 (L28) but its expenditure is 270.52 (L147) and its revenue 270.52 (L144),
    # while L21 splits it 270.52 + 3
    ("004", "expenditure_grand_total", "expenditure grand_total [fiscal] amount", (28,), (147,)),
    ("004", "revenue_current_total", "revenue current_total [all] amount", (21,), (21, 144)),
    ("004", "revenue_fiscal_parts", "revenue fiscal_total [all] amount", (144,), (21,)),
    # 004: 270.52 / 273.52 is 98.90%, printed 98.98% three times
    ("004", "share_of_total", "revenue general_budget [all] share_pct", (21,), (21,)),
    ("004", "share_of_total", "expenditure basic [all] share_pct", (25,), (25,)),
    ("004", "share_of_total", "expenditure total [general_budget] share_pct", (32,), (25, 32)),
    # 004 L32: up 27.26 on 243.26 is 11.21%, printed 11.07%
    ("004", "yoy_pct_matches_change", "expenditure total [general_budget] yoy_change_pct", (32,), (32,)),
    # slips the parser corrected, each a finding with the place that proves it (issue 13):
    # 001 L177 "全年预算数10万元…执行数为10元"; 002 L99 "本年收入合计 360.4 万元（L97），其中：财政拨款收入
    # 360.44 元"; 002 L316 "全年预算数 235.76 元，执行数 235.76 万元"（L318）
    ("001", "unit_slip_yuan", "project total executed 困难职工帮扶 (2023) (元)", (177,), (177,)),
    ("002", "unit_slip_yuan", "revenue fiscal_total [all] amount (元)", (99,), (97,)),
    ("002", "unit_slip_yuan", "expenditure project [all] budget_full_year (元)", (316,), (318,)),
    # 002 (the 2023 report) L217: "2022 年度…“三公”经费支出预算 0 万元…决算数较上年持平" (L221)
    ("002", "year_slip", "three_public total budget", (217,), (221,)),
    # 004: 政府性基金 revenue 3万元 (L21), its expenditure 0万元 (L69), no carry-over, 上缴上级 0 (L25)
    ("004", "fund_revenue_has_a_use", "revenue gov_fund [all] amount", (25, 69), (21,)),
}


def test_findings_are_exactly_the_hand_checked_inconsistencies(warehouse_db):
    found = findings(warehouse_db)
    assert found - HAND_CHECKED == set(), "false alarms"
    assert HAND_CHECKED - found == set(), "missed"


def test_every_catalogued_identity_is_an_expectation_and_most_are_exercised(warehouse_db):
    names = {i.check_name for i in catalogue()}
    evaluated = {r[0] for r in query(warehouse_db, "select distinct check_name from marts.fct_identity_check")}
    assert evaluated <= names
    # the corpus exercises the identities of every family
    families = {r[0] for r in query(warehouse_db, "select distinct check_family from marts.fct_identity_check")}
    assert {"sums", "hierarchy", "ratios", "readings_agree", "performance"} <= families
    assert len(evaluated) >= 30


def test_tolerance_is_the_rounding_of_the_printed_figures(warehouse_db):
    # 000 公开01表 L464: 收入总计 5,334.09 vs 支出总计 5,334.09: two figures at 2 decimals → ±0.005 each
    rows = query(warehouse_db, "select lhs, rhs, tolerance, passed from marts.fct_identity_check "
                               "where check_name = 'revenue_equals_expenditure' and lhs_refs like 'L464:%'")
    assert [(str(r[2].normalize()), r[3]) for r in rows] == [("0.01", True)]
    # 004 basic: 243.26 vs 129.77 + 140.75 → three printed figures, ±0.015
    rows = query(warehouse_db, "select tolerance from marts.fct_identity_check where check_name = "
                               "'basic_personnel_public' and lhs_refs like 'L53 %'")
    assert [str(r[0].normalize()) for r in rows] == ["0.015"]


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory):
    """Copies of the corpus with one table cell (000) and one narrative figure (003) changed."""
    base = tmp_path_factory.mktemp("corrupted")
    files = copy_corpus(base / "reports")
    # 000 公开03表: 2012906 工会事务 5,015.32 → 5,115.32 (its 款 20129 still says 5,084.57)
    cell_line = replace_on_line(files["000"], r"^2012906\t工会事务\t", "5,015.32", "5,115.32")
    # 003 L197: 人员经费 101.17 → 111.17 (基本支出 102.26 = 人员经费 + 公用经费 1.09)
    prose_line = replace_on_line(files["003"], r"（一）人员经费", "101.17", "111.17")
    db = base / "w.duckdb"
    assert run("run", base / "reports", "--db", db, "--no-docs") == 0
    return db, cell_line, prose_line


def test_a_corrupted_table_cell_fails_the_identity_covering_it_at_its_line(corrupted, warehouse_db):
    db, cell_line, _ = corrupted
    new = findings(db) - findings(warehouse_db)
    in_000 = {f for f in new if f[0] == "000"}
    assert in_000, "the changed cell raised no finding"
    # every new finding names the changed line, on one side or the other
    assert all(cell_line in f[3] + f[4] for f in in_000), in_000
    assert ("000", "subclass_equals_sum_of_items") in {(f[0], f[1]) for f in in_000}


def test_a_corrupted_narrative_figure_fails_the_identity_covering_it_at_its_line(corrupted, warehouse_db):
    db, _, prose_line = corrupted
    new = {f for f in findings(db) - findings(warehouse_db) if f[0] == "003"}
    assert new and all(prose_line in f[3] + f[4] for f in new), new
    assert ("003", "basic_personnel_public") in {(f[0], f[1]) for f in new}


def test_untouched_copies_raise_no_new_finding(corrupted, warehouse_db):
    db, _, _ = corrupted
    before, after = findings(warehouse_db), findings(db)
    for key in ("001", "002", "004"):
        assert {f for f in after if f[0] == key} == {f for f in before if f[0] == key}, key


def test_integrity_suite_fails_on_a_broken_warehouse(warehouse_db, tmp_path):
    broken = tmp_path / "broken.duckdb"
    shutil.copy(warehouse_db, broken)
    con = duckdb.connect(str(broken))
    con.execute("insert into marts.fct_revenue select * from marts.fct_revenue limit 1")  # a key twice
    con.execute("update marts.fct_three_public set item = 'lunch' where item = 'meeting'")  # not an enum code
    con.execute("update marts.fct_expenditure set source_ref = null where function_code = '2012906'")
    con.close()
    result = run_checks(broken, docs_dir=None)
    assert not result.ok
    failed = {(o.suite, o.expectation) for o in result.integrity_failures}
    assert ("integrity.fct_revenue", "key (unit_id, fiscal_year, doc_id, revenue_source, function_code) is unique") in failed
    assert ("integrity.fct_three_public", "item is one of the contract's codes") in failed
    assert ("integrity.fct_expenditure", "every row says where it was read") in failed
    assert len(failed) == 3, failed
    # findings are still reported, and do not make the warehouse unsound
    assert {o.check_name for o in result.findings} == {r[0] for r in query(
        warehouse_db, "select distinct check_name from marts.fct_identity_check where not passed")}
