"""fct_yoy takes the prior year from the unit's previous report when it is loaded, and checks the
change the report states against it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from warehouse import copy_corpus, query, run

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    base = tmp_path_factory.mktemp("two_years")
    files = copy_corpus(base / "reports", ("004",))
    text = files["004"].read_text(encoding="utf-8")
    # the same unit's 2023 report: years shifted back by one, 收支总计 246.26 (2024's 273.52 − the stated 27.26)
    prior = text.replace("2024", "\0").replace("2023", "2022").replace("\0", "2023").replace("273.52", "246.26")
    (base / "reports" / "004_prior_year.txt").write_text(prior, encoding="utf-8")
    db = base / "w.duckdb"
    assert run("run", base / "reports", "--db", db, "--no-docs") == 0
    return db


def test_prior_year_comes_from_the_previous_report(two_years):
    rows = query(two_years, """
        select y.value_wan, y.prior_value_wan, y.change_wan, y.prior_source, y.stated_change_wan, d.source_file
        from marts.fct_yoy y join marts.dim_document d on d.doc_id = y.prior_doc_id
        where y.fiscal_year = 2024 and y.metric = 'revenue_grand_total'""")
    assert rows == [(Decimal("273.52"), Decimal("246.26"), Decimal("27.26"), "prior_document", Decimal("27.26"),
                     "004_prior_year.txt")]
    units = query(two_years, "select unit_name, first_year, last_year, document_count from marts.dim_unit")
    assert units == [("攀枝花市西区总工会", 2023, 2024, 2)]


def test_stated_change_is_checked_against_the_previous_report(two_years):
    checks = query(two_years, """
        select subject, lhs, rhs, passed, rhs_refs from marts.fct_identity_check
        where check_name = 'yoy_change_matches_prior_report' and fiscal_year = 2024""")
    grand = [c for c in checks if c[0].startswith("revenue grand_total [all]")]
    assert grand and all(c[3] for c in grand)
    assert all(c[1] == Decimal("27.26") and c[2] == Decimal("27.26") for c in grand)
    assert all("report " in c[4] for c in checks)  # the prior side names the other report
