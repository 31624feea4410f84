"""Make Great Expectations 1.x validate a DuckDB file correctly.

GE's SQL execution engine opens a fresh connection for every metric batch unless
the dialect is listed as one whose connection must persist.  For an embedded DuckDB
file that means the sub-queries GE builds see an empty catalogue and validations
pass vacuously (great_expectations#11579).  Registering "duckdb" as a persisted-
connection dialect keeps one connection for the whole validation.

Import this module before creating a data source; it is idempotent.
"""
from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations.execution_engine.sqlalchemy_execution_engine as _engine  # noqa: E402


class _DialectName(str):
    """GE compares ``dialect.value``; a str with a ``value`` property fits both uses."""

    @property
    def value(self) -> str:  # pragma: no cover - trivial
        return str(self)


def install() -> None:
    names = {str(d.value if hasattr(d, "value") else d) for d in _engine._PERSISTED_CONNECTION_DIALECTS}
    if "duckdb" not in names:
        _engine._PERSISTED_CONNECTION_DIALECTS = (*_engine._PERSISTED_CONNECTION_DIALECTS, _DialectName("duckdb"))


install()
