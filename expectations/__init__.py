"""Great Expectations suites for the juesuan warehouse (GE 1.x, pushed down to DuckDB SQL).

- integrity.py   — one suite per mart; failures are warehouse bugs and fail the run.
- identities.py  — one expectation per accounting identity; failures are findings about reports.
- checkpoint.py  — runs them all against the DuckDB file and renders Data Docs (one site build per run).
- scope.py       — what a run validates: everything, or (after a build that added documents) the per-unit marts'
                   rows of the units built since the last check, with the outcomes of a full run.
- results.py     — the outcomes (CheckRun, Outcome), importable without GE.

``run_checks`` is imported on first use: importing GE costs seconds, and a run whose checks are reused
(nothing changed) never needs it.
"""
from expectations.results import CheckRun, Outcome

__all__ = ["CheckRun", "Outcome", "run_checks"]


def __getattr__(name: str):
    if name == "run_checks":
        from expectations.checkpoint import run_checks

        return run_checks
    raise AttributeError(f"module 'expectations' has no attribute {name!r}")
