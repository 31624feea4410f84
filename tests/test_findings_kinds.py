"""The contradiction kinds of issue 13, each a check of its own: slips the parser corrected (unit, year),
shares against a named base, rates of 100% whose amounts differ, fund revenue without a use — with the
exact figures and places on the bundled reports, and no false alarm where a base or a figure is not
stated.  (tests/test_identities.py holds the complete hand-checked list of findings.)"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import SEEDS
from test_narrative_real import prose, the
from warehouse import copy_corpus, findings, query, replace_on_line, run

from ingest.parse import parse_file


def _rows(db, check_name: str, passed: bool | None = False) -> list[tuple]:
    """(file prefix, subject, lhs, rhs, lhs_refs, rhs_refs) of one identity, failed ones by default."""
    where = "" if passed is None else f" and c.passed = {str(passed).lower()}"
    rows = query(db, "select d.source_file, c.subject, c.lhs, c.rhs, c.lhs_refs, c.rhs_refs "
                     "from marts.fct_identity_check c join marts.dim_document d using (doc_id) "
                     f"where c.check_name = ?{where} order by d.source_file, c.lhs_refs", [check_name])
    return [(f[:3], s, lhs.normalize(), rhs.normalize(), lr, rr) for f, s, lhs, rhs, lr, rr in rows]


# ---------------------------------------------------------------- the prose: what a share's base is

def test_a_share_takes_the_fund_its_base_names():
    obs = prose("2024年度本年支出合计500.00万元，其中：项目支出100.00万元，"
                "共涉及资金 40.00 万元，占政府性基金预算项目支出总额的 40%。", 2024).observations
    share = the(obs, measure="share_pct", value="40")
    assert share.ref_key == "expenditure|gov_fund|project||"


def test_a_base_qualified_beyond_the_vocabulary_is_unknown():
    """003 L257: "占应纳入绩效自评的政府性基金预算项目支出总额的 0%" — the funds that should have been
    evaluated are no figure of the report: the base is unknown, not the 项目支出 total; while the
    first share of the sentence names 一般公共预算项目支出 and keeps it."""
    doc = parse_file(SEEDS["003"])
    shares = sorted((o.line_no, o.value_text, o.ref_key) for o in doc.result.observations
                    if o.kind == "performance" and o.measure == "share_pct")
    assert shares == [(257, "0%", "unknown_base||||"), (257, "100%", "expenditure|general_budget|project||")]
    # 000 L225: "占部门预算项目支出总额的87.36%" — 部门 and 预算 do not change which 项目支出 it is
    doc = parse_file(SEEDS["000"])
    assert [(o.line_no, o.value_text, o.ref_key) for o in doc.result.observations
            if o.kind == "performance" and o.measure == "share_pct"] == [(225, "87.36%", "expenditure|all|project||")]


# ---------------------------------------------------------------- the bundled corpus

def test_unit_and_year_slips_are_findings_with_the_printed_text_the_correction_and_the_proof(warehouse_db):
    # both sides in 元: the figure as printed against what the corrected 万元 figure is in 元
    assert _rows(warehouse_db, "unit_slip_yuan") == [
        # 001 L177: "全年预算数10万元，…执行数为10元，完成预算的100%" — the 10万元 of the sentence proves it
        ("001", "project total executed 困难职工帮扶 (2023) (元)", Decimal("10"), Decimal("100000"),
         'L177 narrative "10元"', 'L177 narrative "10万元" → 10 万元'),
        # 002 L316: "全年预算数 235.76 元，执行数 235.76 万元"
        ("002", "expenditure project [all] budget_full_year (元)", Decimal("235.76"), Decimal("2357600"),
         'L316 narrative "235.76 元"', 'L318 narrative "235.76 万元" → 235.76 万元'),
        # 002 L99: "本年收入合计 360.4 万元，其中：财政拨款收入 360.44 元"
        ("002", "revenue fiscal_total [all] amount (元)", Decimal("360.44"), Decimal("3604400"),
         'L99 narrative "360.44 元"', 'L97 narrative "360.4 万元" → 360.44 万元'),
    ]
    # 002 L217-221, the 2023 report: "2022 年度财政拨款安排“三公”经费支出预算 0 万元，…决算数较上年持平" —
    # one passage, one finding, however many of its figures were corrected
    assert _rows(warehouse_db, "year_slip") == [
        ("002", "three_public total budget", Decimal("2022"), Decimal("2023"),
         'L217 narrative "2022 年度"', 'L221 narrative "较上年持平"; report year 2023'),
    ]
    # the facts keep the corrected value, and every correction is still listed for the analyst
    corrected = query(warehouse_db, "select source_file[:3], line_no, correction from marts.qa_corrected_readings "
                                    "where correction <> 'unit_missing' order by 1, 2, 3")
    assert {(f, line) for f, line, c in corrected if c == "unit_typo_yuan"} == {("001", 177), ("002", 99), ("002", 316)}
    assert {(f, line) for f, line, c in corrected if c == "year_typo"} == {("002", 217), ("002", 219), ("002", 221)}


def test_shares_against_a_named_base_compare_like_with_like(warehouse_db):
    """The evaluated funds are budget amounts: in a 决算 their base is the quantity's 全年预算数.
    003 L257 "共涉及资金 106.81 万元，占一般公共预算项目支出总额的 100%" is 84 年初预算 + 22.81 追加 (L169),
    not the 97.06 spent (L203); 000 L225's 部门预算项目支出总额 is stated nowhere.  Neither document
    states the base on the budget basis, so neither share is evaluated — no false alarm."""
    assert _rows(warehouse_db, "share_of_named_base", passed=None) == []
    f003 = SEEDS["003"].read_text(encoding="utf-8").splitlines()
    assert "年初预算 84 万元" in f003[168] and "22.81 万元" in f003[168] and "106.81 万元" in f003[256]


def test_a_fund_with_revenue_and_no_use(warehouse_db):
    # 004: 政府性基金预算财政拨款收入 3万元 (L21), its expenditure 0万元 (L69), no carry-over ("没有结转结余资金")
    assert _rows(warehouse_db, "fund_revenue_has_a_use", passed=None) == [
        ("004", "revenue gov_fund [all] amount", Decimal("0"), Decimal("3"),
         'L69 narrative "0万元"; L25 narrative "0万元" remit_superior', 'L21 narrative "3万元"'),
    ]


def test_rates_of_100_percent_compare_the_amounts(warehouse_db):
    # every 100% of the corpus is borne out by its amounts; the check runs on the prose and the tables
    rows = _rows(warehouse_db, "full_rate_amounts_equal", passed=None)
    assert _rows(warehouse_db, "full_rate_amounts_equal") == []
    assert ("003", "project total execution_rate 送温暖", Decimal("15"), Decimal("15"),
            'L366:C11 绩效自评表 "100.00": L366:C8 绩效自评表 "15.00"', 'L366:C6 绩效自评表 "15"') in rows
    # 001 L177's executed 10 is the corrected slip: the rate holds on the corrected figure
    assert ("001", "project total execution_rate 困难职工帮扶 (2023)", Decimal("10"), Decimal("10"),
            'L177 narrative "100%": L177 narrative "10元"', 'L177 narrative "10万元"') in rows
    assert len(rows) >= 50


def test_project_prose_is_checked_against_its_self_evaluation_table(warehouse_db):
    """全年预算数, 执行数 and 得分 in a project's prose are readings of the table's facts (readings_agree)."""
    rows = query(warehouse_db, "select subject, lhs_refs, rhs_refs, passed from marts.fct_identity_check c "
                               "join marts.dim_document d using (doc_id) where d.source_file like '003%' "
                               "and c.check_name = 'narrative_vs_table' and c.subject like 'project % 困难劳模'")
    assert sorted(rows) == [
        ("project score 困难劳模", 'L360:C11 绩效自评表 "94.5"', 'L273 narrative "94.5分"', True),
        ("project total budget_full_year 困难劳模", 'L342:C5 绩效自评表 "5"', 'L273 narrative "5万元"', True),
        ("project total executed 困难劳模", 'L342:C7 绩效自评表 "2.25"', 'L273 narrative "2.25万元"', True),
        ("project total execution_rate 困难劳模", 'L342:C10 绩效自评表 "45.00"', 'L273 narrative "45%"', True),
    ]


# ---------------------------------------------------------------- planted forms, on a copy of 002

@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """002 (prose only) with its 财政拨款收入 stated by fund only, and a 100% whose amounts differ."""
    base = tmp_path_factory.mktemp("planted")
    path = copy_corpus(base / "reports", ("002",))["002"]
    # L99: "财政拨款收入 360.44 元" → the general-budget revenue only; 事业收入 0 → 10: the parts no longer hold
    # 财政拨款收入 as one figure, and 事业 + 其他 alone is not the 本年收入合计
    fund_line = replace_on_line(path, r"^入 360\.44 元", "入 360.44 元", "入 350.44 万元")
    replace_on_line(path, r"^2023 年度本年收入合计", "其中：财政拨款收", "其中：一般公共预算财政拨款收")
    replace_on_line(path, r"^入 350\.44 万元", "事业收入 0 万元", "事业收入 10 万元")
    # L318: 执行数 235.76 → 235.50 with 完成预算的 100% (235.50 / 235.76 = 99.89% rounds to 100%)
    rate_line = replace_on_line(path, r"^执行数 235\.76 万元", "235.76", "235.50")
    db = base / "w.duckdb"
    assert run("run", base / "reports", "--db", db, "--no-docs") == 0
    return db, fund_line, rate_line


def test_income_sources_without_the_fiscal_total_raise_no_false_alarm(planted):
    db, fund_line, _ = planted
    assert query(db, "select count(*) from marts.fct_identity_check where check_name = 'revenue_current_total'") == [(0,)]
    # the by-fund rule checks the report instead: 350.44 + 10 + 0 + 0 = 360.44 against 360.4 (± 0.05)
    rows = query(db, "select lhs, rhs, passed, rhs_refs from marts.fct_identity_check "
                     "where check_name = 'revenue_current_total_by_fund'")
    assert [(r[0].normalize(), r[1].normalize(), r[2]) for r in rows] == [(Decimal("360.4"), Decimal("360.44"), True)]
    assert f"L{fund_line} narrative \"350.44 万元\" general_budget" in rows[0][3]


def test_a_rate_of_100_percent_over_different_amounts_is_a_finding(planted):
    db, _, rate_line = planted
    assert _rows(db, "full_rate_amounts_equal") == [
        ("002", "expenditure project [all] completion_pct", Decimal("235.5"), Decimal("235.76"),
         f'L{rate_line} narrative "100%": L{rate_line} narrative "235.50 万元"', 'L316 narrative "235.76 元"'),
    ]
    # completion_of_budget holds (99.89% is 100% as printed): only the new check sees it
    assert not {f for f in findings(db) if f[1] == "completion_of_budget"}
