"""Accounting-identity suite: a failure is a finding about a report, not a bug.

dbt evaluates every identity for every unit-year, table and subject where both
sides are stated and persists the result in ``marts.fct_identity_check`` (both
figures, the rounding tolerance and where each side was read).  This suite turns
each identity of ``seeds/identity_catalogue.csv`` into one named expectation over
that mart, so Data Docs show, per identity, which reports contradict themselves.

Tolerance comes from rounding, not from a magic number (XBRL Calculations 1.1):
a printed figure with k decimals stands for ± half a unit in its last digit, a
sum of n printed figures for the sum of their intervals, and an identity fails
only when the intervals of its two sides cannot meet.  See macros/tolerance.sql.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

import great_expectations as gx
from great_expectations.expectations.metadata_types import FailureSeverity

from expectations.integrity import ROOT

SUITE_NAME = "accounting_identities"
FINDING_COLUMNS = (
    "check_id, doc_id, unit_id, fiscal_year, subject, comparison, lhs, rhs, diff, tolerance, lhs_refs, rhs_refs"
)


@dataclass(frozen=True)
class Identity:
    check_name: str
    check_family: str
    identity: str
    what_a_failure_means: str


@cache
def catalogue() -> tuple[Identity, ...]:
    with open(ROOT / "seeds" / "identity_catalogue.csv", encoding="utf-8") as fh:
        return tuple(Identity(**row) for row in csv.DictReader(fh))


def build_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=SUITE_NAME)
    for ident in catalogue():
        expectation = gx.expectations.UnexpectedRowsExpectation(
            description=f"{ident.check_name}: {ident.identity}",
            unexpected_rows_query=(
                f"select {FINDING_COLUMNS} from {{batch}} "
                f"where check_name = '{ident.check_name}' and not passed order by doc_id, lhs_refs, check_id"),
            meta={"check_name": ident.check_name, "check_family": ident.check_family,
                  "what_a_failure_means": ident.what_a_failure_means},
        )
        expectation.severity = FailureSeverity.WARNING
        suite.add_expectation(expectation)
    return suite
