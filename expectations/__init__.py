"""Great Expectations suites for the juesuan warehouse (GE 1.x, pushed down to DuckDB SQL).

- integrity.py   — one suite per mart; failures are warehouse bugs and fail the run.
- identities.py  — one expectation per accounting identity; failures are findings about reports.
- checkpoint.py  — runs them all against the DuckDB file and renders Data Docs.
"""
from expectations.checkpoint import CheckRun, Outcome, run_checks

__all__ = ["CheckRun", "Outcome", "run_checks"]
