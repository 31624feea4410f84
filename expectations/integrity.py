"""Warehouse integrity suites: a failure here is a bug in the warehouse, and fails the run.

One suite per mart, all generated from the table below, so adding a mart means
adding one MartSpec.  Every check is pushed down to DuckDB as SQL; nothing is
pulled into pandas.

What is enforced, per the contract:
- keys unique (the grain of every mart, nulls included in the key);
- every fact joins its dimensions (document, unit, function / economic subject);
- every fact has provenance (doc_id, source_ref, source_kind table|narrative);
- enumerations valid (codes from seeds/enum_labels.csv, statuses, scopes);
- money not null where the row exists for it, and money exact decimal (never float);
- no document counted twice (one counted report per unit-year; facts only from it).

This is the one place for the integrity of the marts: dbt tests only each model's primary key
(unique + not_null, or one_row_per_grain) and warn about content (non_negative_money), and dbt
model contracts fix every contract mart's column types.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import great_expectations as gx
from great_expectations.expectations.metadata_types import FailureSeverity

ROOT = Path(__file__).resolve().parents[1]
MARTS_SCHEMA = "marts"


@cache
def enumeration(name: str) -> tuple[str, ...]:
    """Codes of one contract enumeration, from the seed that also labels them."""
    with open(ROOT / "seeds" / "enum_labels.csv", encoding="utf-8") as fh:
        return tuple(r["code"] for r in csv.DictReader(fh) if r["enum"] == name)


@cache
def seed_codes(seed: str, column: str) -> tuple[str, ...]:
    """The values of one column of a seed (seeds/<seed>.csv), e.g. the metrics of yoy_metrics."""
    with open(ROOT / "seeds" / f"{seed}.csv", encoding="utf-8") as fh:
        return tuple(r[column] for r in csv.DictReader(fh))


@cache
def identity_names() -> tuple[str, ...]:
    with open(ROOT / "seeds" / "identity_catalogue.csv", encoding="utf-8") as fh:
        return tuple(r["check_name"] for r in csv.DictReader(fh))


@dataclass(frozen=True)
class MartSpec:
    name: str
    grain: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    money: tuple[str, ...] = ()            # exact decimals with 4+ places
    money_required: tuple[str, ...] = ()   # at least one of these is stated on every row
    provenance: bool = False               # source_kind + source_ref on every row
    joins: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (dimension, key)
    counted_documents: bool = False        # rows only from the one counted document of a unit-year
    basis: str | None = "final"            # ... of this basis (final = 决算, budget = 预算); None: either
    extra_sql: tuple[tuple[str, str], ...] = ()  # (description, unexpected-rows query over {batch})
    # every check of this mart looks at one row or at rows of one unit (the key holds unit_id or doc_id, and
    # no extra_sql compares units): an incremental check may validate the units built since (scope.py)
    scope_by_unit: bool = False


FACT_JOINS = {"doc_id": ("dim_document", "doc_id"), "unit_id": ("dim_unit", "unit_id")}
SOURCE_KINDS = ("table", "narrative")

MARTS: tuple[MartSpec, ...] = (
    MartSpec(
        "dim_document", grain=("doc_id",),
        not_null=("doc_id", "source_file", "format", "status", "parser_version", "ingested_at", "counted_in_facts"),
        enums={"status": ("ok", "partial", "not_a_report", "unattributed", "failed"),
               "format": ("text", "pdf", "docx", "xlsx", "xls", "html", "doc", "ofd", "archive"),
               "exclusion": ("failed", "not_a_report", "unattributed", "shadowed"),
               "basis": ("final", "budget")},
        joins={"unit_id": ("dim_unit", "unit_id"), "shadowed_by": ("dim_document", "doc_id")},
        extra_sql=(
            ("at most one counted document per unit, year and report kind (no document counted twice)",
             "select unit_id, fiscal_year, report_kind, count(*) as counted_documents from {batch} "
             "where counted_in_facts group by all having count(*) > 1"),
            ("no file is current in two versions (a failed later reading or a copy cut short of a path sits beside "
             "its loaded version)",
             "select source_path, count(*) as versions from {batch} where status <> 'failed' and cut_short_of is null "
             "group by source_path having count(*) > 1"),
            ("a failed document names the place of its failure",
             "select doc_id, source_file from {batch} where status = 'failed' and (error is null or error = '')"),
            ("a document counts in the facts exactly when nothing excludes it, and every exclusion has its reason",
             "select doc_id, source_file from {batch} where counted_in_facts = (exclusion is not null) "
             "or (exclusion is not null and coalesce(exclusion_reason, '') = '')"),
            ("at most one counted document per unit, year and basis (a 决算 and a 预算 each count in their own marts)",
             "select unit_id, fiscal_year, basis, count(*) as counted_documents from {batch} "
             "where counted_in_facts group by all having count(*) > 1"),
            ("a counted document is a parsed report with a unit and a year, its basis following its kind",
             "select doc_id, source_file from {batch} where counted_in_facts and (unit_id is null or fiscal_year is null "
             "or status not in ('ok', 'partial') or (report_kind like '%预算%') <> (basis = 'budget'))"),
        ),
    ),
    MartSpec(
        "dim_unit", grain=("unit_id",), not_null=("unit_id", "unit_name"),
        enums={"scope": ("consolidated", "own", "balance"), "admin_level": ("province", "prefecture", "county")},
        extra_sql=(
            ("every adcode is a GB/T 2260 division (reference.admin_divisions)",
             "select unit_id, adcode from {batch} where adcode is not null and adcode not in "
             "(select adcode from reference.admin_divisions)"),
            ("unit names carry no （汇总）/（差额）/（本级） suffix",
             "select unit_id, unit_name from {batch} where regexp_matches(unit_name, '[（(](汇总|差额|本级)[）)]$')"),
        ),
    ),
    MartSpec(
        "dim_function_subject", grain=("function_code",), not_null=("function_code", "name", "level"),
        enums={"level": ("类", "款", "项")}, joins={"parent_code": ("dim_function_subject", "function_code")},
        extra_sql=(("code length matches level (类 3 / 款 5 / 项 7 digits)",
                    "select function_code, level from {batch} where length(function_code) <> "
                    "case level when '类' then 3 when '款' then 5 else 7 end"),),
    ),
    MartSpec(
        "dim_economic_subject", grain=("economic_code",), not_null=("economic_code", "name", "level"),
        enums={"level": ("类", "款"), "personnel_or_public": ("personnel", "public")},
        joins={"parent_code": ("dim_economic_subject", "economic_code")},
    ),
    MartSpec(
        "fct_revenue", grain=("unit_id", "fiscal_year", "doc_id", "revenue_source", "function_code"),
        not_null=("unit_id", "fiscal_year", "doc_id", "revenue_source", "amount_wan"),
        enums={"revenue_source": enumeration("revenue_source")},
        money=("amount_wan", "budget_initial_wan", "yoy_change_wan_stated"), provenance=True,
        joins={**FACT_JOINS, "function_code": ("dim_function_subject", "function_code")}, counted_documents=True,
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_expenditure",
        grain=("unit_id", "fiscal_year", "doc_id", "funding_scope", "function_code", "expenditure_type"),
        not_null=("unit_id", "fiscal_year", "doc_id", "funding_scope", "expenditure_type"),
        enums={"funding_scope": enumeration("funding_scope"), "expenditure_type": enumeration("expenditure_type")},
        money=("amount_wan", "budget_initial_wan", "yoy_change_wan_stated"),
        money_required=("amount_wan", "budget_initial_wan"), provenance=True,
        joins={**FACT_JOINS, "function_code": ("dim_function_subject", "function_code")}, counted_documents=True,
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_expenditure_economic", grain=("unit_id", "fiscal_year", "doc_id", "economic_code"),
        not_null=("unit_id", "fiscal_year", "doc_id", "economic_code", "amount_wan"),
        money=("amount_wan",), provenance=True,
        joins={**FACT_JOINS, "economic_code": ("dim_economic_subject", "economic_code")}, counted_documents=True,
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_three_public", grain=("unit_id", "fiscal_year", "doc_id", "item"),
        not_null=("unit_id", "fiscal_year", "doc_id", "item"),
        enums={"item": enumeration("three_public_item")},
        money=("budget_wan", "actual_wan"), money_required=("budget_wan", "actual_wan"), provenance=True,
        joins=FACT_JOINS, counted_documents=True,
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_project_performance", grain=("unit_id", "fiscal_year", "doc_id", "project_key"),
        not_null=("unit_id", "fiscal_year", "doc_id", "project_key", "project"),
        enums={"project_kind": ("project", "department", "department_task")},
        money=("budget_initial_wan", "budget_full_year_wan", "executed_wan"), provenance=True,
        joins=FACT_JOINS, counted_documents=True,
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_performance_indicator", grain=("unit_id", "fiscal_year", "doc_id", "project_key", "indicator_id"),
        not_null=("unit_id", "fiscal_year", "doc_id", "indicator_id", "indicator"), provenance=True,
        joins=FACT_JOINS, counted_documents=True,
        extra_sql=(("every indicator belongs to a project of fct_project_performance",
                    "select i.doc_id, i.project_key, i.indicator from (select * from {batch}) i where i.project_key is not null "
                    "and not exists (select 1 from marts.fct_project_performance p "
                    "where p.doc_id = i.doc_id and p.project_key = i.project_key)"),),
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_budget_expenditure",
        grain=("unit_id", "fiscal_year", "doc_id", "funding_scope", "function_code", "expenditure_type"),
        not_null=("unit_id", "fiscal_year", "doc_id", "funding_scope", "expenditure_type", "amount_wan"),
        enums={"funding_scope": enumeration("funding_scope"), "expenditure_type": enumeration("expenditure_type")},
        money=("amount_wan", "yoy_change_wan_stated"), provenance=True,
        joins={**FACT_JOINS, "function_code": ("dim_function_subject", "function_code")}, counted_documents=True,
        basis="budget",
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_budget_revenue",
        grain=("unit_id", "fiscal_year", "doc_id", "funding_scope", "revenue_source", "function_code"),
        not_null=("unit_id", "fiscal_year", "doc_id", "funding_scope", "revenue_source", "amount_wan"),
        enums={"funding_scope": enumeration("funding_scope"), "revenue_source": enumeration("revenue_source")},
        money=("amount_wan", "yoy_change_wan_stated"), provenance=True,
        joins={**FACT_JOINS, "function_code": ("dim_function_subject", "function_code")}, counted_documents=True,
        basis="budget",
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_budget_three_public", grain=("unit_id", "fiscal_year", "doc_id", "item"),
        not_null=("unit_id", "fiscal_year", "doc_id", "item", "amount_wan"),
        enums={"item": enumeration("three_public_item")},
        money=("amount_wan",), provenance=True, joins=FACT_JOINS, counted_documents=True, basis="budget",
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_budget_execution",
        grain=("unit_id", "fiscal_year", "funding_scope", "function_code", "expenditure_type"),
        not_null=("unit_id", "fiscal_year", "funding_scope", "expenditure_type"),
        enums={"funding_scope": enumeration("funding_scope"), "expenditure_type": enumeration("expenditure_type")},
        money=("budget_wan", "budget_initial_wan", "budget_full_year_wan", "actual_wan"),
        money_required=("budget_wan", "budget_initial_wan", "budget_full_year_wan", "actual_wan"),
        joins={"unit_id": ("dim_unit", "unit_id"), "budget_doc_id": ("dim_document", "doc_id"),
               "final_doc_id": ("dim_document", "doc_id"), "function_code": ("dim_function_subject", "function_code")},
        extra_sql=(
            ("execution_rate = actual / published budget, and only when both are stated",
             "select unit_id, fiscal_year, function_code from {batch} where (execution_rate is null) <> "
             "(actual_wan is null or budget_wan is null or budget_wan = 0) "
             "or abs(execution_rate - actual_wan / budget_wan) > 0.00005"),
        ),
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_unit_year", grain=("unit_id", "fiscal_year"), not_null=("unit_id", "fiscal_year", "doc_id"),
        money=("expenditure_total_wan", "revenue_total_wan", "three_public_total_wan", "budget_expenditure_total_wan",
               "budget_basic_expenditure_wan", "budget_project_expenditure_wan"),
        joins=FACT_JOINS, counted_documents=True,
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_yoy", grain=("unit_id", "fiscal_year", "metric"),
        not_null=("unit_id", "fiscal_year", "doc_id", "metric", "value_wan", "prior_source"),
        enums={"prior_source": ("prior_document", "stated_in_text"), "metric": seed_codes("yoy_metrics", "metric")},
        money=("value_wan", "prior_value_wan", "change_wan"), provenance=True,
        joins={**FACT_JOINS, "prior_doc_id": ("dim_document", "doc_id")}, counted_documents=True,
        scope_by_unit=True,
    ),
    MartSpec(
        "fct_city_year", grain=("province", "city", "fiscal_year"), not_null=("province", "fiscal_year"),
        money=("expenditure_total_wan",),
    ),
    MartSpec(
        "fct_identity_check", grain=("check_id",),
        not_null=("check_id", "check_name", "doc_id", "lhs", "rhs", "diff", "tolerance", "passed", "refs"),
        enums={"check_name": identity_names(), "comparison": ("=", ">="),
               "check_family": tuple(sorted(set(seed_codes("identity_catalogue", "check_family"))))},
        joins=FACT_JOINS, counted_documents=True, basis=None,
        extra_sql=(
            ("tolerance is never negative", "select check_id, tolerance from {batch} where tolerance < 0"),
            ("passed follows from lhs, rhs and tolerance",
             "select check_id from {batch} where passed <> case comparison when '>=' then lhs - rhs >= -tolerance "
             "else abs(lhs - rhs) <= tolerance end"),
        ),
        scope_by_unit=True,   # check_id hashes doc_id: a key of one document cannot collide with another's
    ),
)


def _critical(expectation):
    expectation.severity = FailureSeverity.CRITICAL
    return expectation


def build_suite(spec: MartSpec) -> gx.ExpectationSuite:
    """The integrity suite of one mart."""
    E = gx.expectations
    suite = gx.ExpectationSuite(name=f"integrity.{spec.name}")
    add = lambda e: suite.add_expectation(_critical(e))  # noqa: E731
    key = ", ".join(spec.grain)
    add(E.UnexpectedRowsExpectation(
        description=f"key ({key}) is unique",
        unexpected_rows_query=f"select {key}, count(*) as n from {{batch}} group by all having count(*) > 1",
    ))
    for column in spec.not_null:
        add(E.ExpectColumnValuesToNotBeNull(column=column, description=f"{column} is never null"))
    for column, values in spec.enums.items():
        add(E.ExpectColumnValuesToBeInSet(column=column, value_set=list(values),
                                          description=f"{column} is one of the contract's codes"))
    for column in spec.money:
        add(E.UnexpectedRowsExpectation(
            description=f"{column} is an exact decimal with at least 4 places (never float)",
            unexpected_rows_query=(
                f"select typeof({column}) as type from {{batch}} "
                f"where not regexp_matches(typeof({column}), '^DECIMAL\\(\\d+,([4-9]|\\d\\d)\\)$') limit 1"),
        ))
    if spec.money_required:
        cols = ", ".join(spec.money_required)
        add(E.UnexpectedRowsExpectation(
            description=f"every row states money ({' or '.join(spec.money_required)})",
            unexpected_rows_query=f"select * from {{batch}} where coalesce({cols}) is null",
        ))
    if spec.provenance:
        add(E.ExpectColumnValuesToNotBeNull(column="source_ref", description="every row says where it was read"))
        add(E.ExpectColumnValuesToBeInSet(column="source_kind", value_set=list(SOURCE_KINDS),
                                          description="source_kind is table or narrative"))
        add(E.ExpectColumnValuesToNotBeNull(column="source_kind", description="source_kind is never null"))
    for column, (dim, dim_key) in spec.joins.items():
        add(E.UnexpectedRowsExpectation(
            description=f"every {column} joins {dim}",
            unexpected_rows_query=(
                f"select f.{column} from (select * from {{batch}}) f where f.{column} is not null and not exists "
                f"(select 1 from {MARTS_SCHEMA}.{dim} d where d.{dim_key} = f.{column})"),
        ))
    if spec.counted_documents:
        add(E.UnexpectedRowsExpectation(
            description="rows come only from the counted document of their unit-year (no document counted twice)",
            unexpected_rows_query=(
                f"select f.doc_id, count(*) as n from (select * from {{batch}}) f where not exists "
                f"(select 1 from {MARTS_SCHEMA}.dim_document d where d.doc_id = f.doc_id and d.counted_in_facts"
                + (f" and d.basis = '{spec.basis}'" if spec.basis else "") + ") group by f.doc_id"),
        ))
    for description, query in spec.extra_sql:
        add(E.UnexpectedRowsExpectation(description=description, unexpected_rows_query=query))
    return suite
