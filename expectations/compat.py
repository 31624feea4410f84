"""Make Great Expectations 1.x validate a DuckDB file correctly.

GE's SQL execution engine opens a fresh connection for every metric batch unless
the dialect is listed as one whose connection must persist.  For an embedded DuckDB
file that means the sub-queries GE builds see an empty catalogue and validations
pass vacuously (great_expectations#11579).  Registering "duckdb" as a persisted-
connection dialect keeps one connection for the whole validation.

Second, GE's ``util.convert_decimal_to_float`` (called for every Decimal of every result it stores: the
observed values and unexpected rows of each expectation) walks the whole call stack with
``inspect.stack()`` — reading the source file of every frame — only to decide whether to log a
warning inside its rule-based profiler, which this project does not use.  At 10,000 reports that was
half of the checks' CPU time (py-spy, issue #14).  The replacement converts and warns exactly as GE
does outside the profiler.

Import this module before creating a data source; it is idempotent.
"""
from __future__ import annotations

import decimal
import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations.execution_engine.sqlalchemy_execution_engine as _engine  # noqa: E402
import great_expectations.util as _util  # noqa: E402


class _DialectName(str):
    """GE compares ``dialect.value``; a str with a ``value`` property fits both uses."""

    @property
    def value(self) -> str:  # pragma: no cover - trivial
        return str(self)


def _convert_decimal_to_float(d) -> float:
    """GE's convert_decimal_to_float without its stack walk: float(d), with GE's warning when d is a
    Decimal that a float cannot hold exactly (great_expectations/util.py)."""
    if isinstance(d, decimal.Decimal) and _util.requires_lossy_conversion(d=d):
        _util.logger.warning(f"Using lossy conversion for decimal {d} to float object to support serialization.")
    return float(d)


def install() -> None:
    _util.convert_decimal_to_float = _convert_decimal_to_float
    names = {str(d.value if hasattr(d, "value") else d) for d in _engine._PERSISTED_CONNECTION_DIALECTS}
    if "duckdb" not in names:
        _engine._PERSISTED_CONNECTION_DIALECTS = (*_engine._PERSISTED_CONNECTION_DIALECTS, _DialectName("duckdb"))


install()
