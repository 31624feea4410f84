"""The checkpoint the CLI runs after ``dbt build``: every suite against the warehouse file.

The Data Context is ephemeral — suites are code (integrity.py, identities.py),
so there is no YAML to drift from them — but Data Docs are written to disk
(by default next to the DuckDB file, ``<warehouse>/data_docs/index.html``) and
rewritten to load only local copies of their scripts, stylesheets and fonts, so
they open from ``file://`` without network (offline_docs.py).
The warehouse is opened read-only; the run's mark (scope.py) is written after it.

Where the seconds went on a 1,010-report warehouse (issue #14, cProfile): the UpdateDataDocsAction rebuilt the
whole site once per suite (19 site builds, each compiling GE's Jinja templates again) — about a third of the
step; now one build after the checkpoint.  What remains is GE's own work per expectation (≈ 300: metric graph,
pydantic configurations, freshness checks) and ≈ 650 small SQL statements; result_format SUMMARY instead of
COMPLETE measured no faster.

An incremental run's scoped suites read a copy of their marts' rows in scope, made once before GE runs
(scope.materialize) in a temporary directory and attached to GE's connections (``attaching``): filtering each
mart in the batch's query made each of GE's ≈ 650 queries scan a whole mart — after +1,000 on 100,000,
187 CPU-s against 16–53 now (bench/README.md, "+1,000 on 100,000, fifteenth round").
"""
from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import great_expectations as gx  # noqa: E402
from great_expectations.data_context.types.base import (  # noqa: E402
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from expectations import (  # noqa: E402
    compat,  # noqa: F401  (must precede data-source creation)
    identities,
    integrity,
    offline_docs,
    scope,
)
from expectations.results import CheckRun, Outcome, to_json  # noqa: F401  (re-exported)

DOCS_SITE = "warehouse_docs"
MAX_ROWS_KEPT = 200
# DuckDB's buffer pool in the checks' read-only connections (JUESUAN_CHECK_MEMORY).  DuckDB's default is 80 % of the
# machine and it keeps every block a scan read until then: validating every row of a 101,000-report warehouse
# (12 GB) peaked at 13,066 MB RSS, 1,429 MB under 1GB (99 s against 44); a 10,100-report one 1,691 against 1,310 MB,
# with 75 % more CPU, the same outcomes (issue #14: < 2 GB at any size; bench/README.md, "Fourteenth round").
CHECK_MEMORY = os.environ.get("JUESUAN_CHECK_MEMORY", "1GB")


def _context(docs_dir: Path | None) -> gx.data_context.EphemeralDataContext:
    sites = {}
    if docs_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_how_to_buttons": False},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites=sites,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _error_of(info: dict | None) -> str | None:
    """GE reports a failed metric as {metric_id: {exception_traceback, ...}} and a failed
    expectation as {raised_exception, exception_message}; both mean the check did not run."""
    if not info:
        return None
    if info.get("raised_exception"):
        return info.get("exception_message") or "expectation raised"
    for value in info.values():
        if isinstance(value, dict) and (value.get("exception_traceback") or value.get("exception_message")):
            text = value.get("exception_message") or value["exception_traceback"].strip().splitlines()[-1]
            return str(text)
    return None


def _close(source) -> None:
    """Release GE's DuckDB connection: the same process writes to the file next."""
    import gc

    engine = source.get_execution_engine()
    connection = getattr(engine, "_connection", None)
    if connection is not None:
        connection.close()
    engine.close()
    source.get_engine().dispose()
    gc.collect()


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


@contextmanager
def attaching(scratch: Path | None) -> Iterator[None]:
    """While open, every DuckDB connection SQLAlchemy opens (the checks' connections: GE opens its own, more
    than one) attaches ``scratch``, a DuckDB file, read-only as scope.SCRATCH_CATALOG.  None: nothing."""
    if scratch is None:
        yield
        return
    import sqlalchemy as sa

    statement = f"attach if not exists '{str(scratch).replace(chr(39), chr(39) * 2)}' as {scope.SCRATCH_CATALOG} (read_only)"

    def attach(dbapi_connection, _record) -> None:
        if type(dbapi_connection).__module__.startswith("duckdb"):
            dbapi_connection.cursor().execute(statement)

    sa.event.listen(sa.pool.Pool, "connect", attach)
    try:
        yield
    finally:
        sa.event.remove(sa.pool.Pool, "connect", attach)


def warehouse_source(ctx, db_path: Path):
    """The warehouse as a GE SQL data source named "warehouse" in ``ctx``: DuckDB connections opened read-only,
    with DuckDB's memory_limit at CHECK_MEMORY (a size DuckDB reads, e.g. "1GB"; an invalid one fails the
    first connection with DuckDB's error, "Memory must have a number")."""
    return ctx.data_sources.add_sql(
        "warehouse", connection_string=f"duckdb:///{db_path}",
        kwargs={"connect_args": {"read_only": True, "config": {"memory_limit": CHECK_MEMORY}}},
    )


def run_checks(db_path: str | Path, docs_dir: str | Path | None = "default", *, full: bool = True) -> CheckRun:
    """Validate every integrity suite and the identity suite; build Data Docs unless docs_dir is None.

    ``full`` (the default) validates every row.  ``full=False`` (``juesuan check``, ``juesuan run``) validates,
    where the outcome is provably the same (scope.py), only the rows of the units built since the last
    check, and everything else whole; the returned CheckRun's ``scope`` says which.  Those rows are copied first
    into a scratch DuckDB file in the system's temporary directory (removed after the run).  Either way the run's
    mark is appended to raw.check_marks (scope.record), so the warehouse is briefly opened for writing
    after the read-only validation.  Data Docs go to ``docs_dir`` (default ``<db dir>/data_docs``) with
    their CDN assets replaced by vendored local copies. Raises FileNotFoundError when ``db_path`` does not
    exist.
    """
    db_path = Path(db_path).resolve()
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no warehouse here — run `juesuan run` (or `make run`) first")
    if docs_dir == "default":
        docs_dir = db_path.parent / "data_docs"
    docs_dir = Path(docs_dir).resolve() if docs_dir is not None else None
    logging.getLogger("great_expectations").setLevel(logging.ERROR)

    run_scope = scope.plan(db_path, tuple(f"integrity.{spec.name}" for spec in integrity.MARTS if spec.scope_by_unit),
                           full=full)
    ctx = _context(docs_dir)
    plan: list[tuple[str, str, gx.ExpectationSuite]] = [
        ("integrity", spec.name, integrity.build_suite(spec)) for spec in integrity.MARTS
    ]
    plan.append(("identity", "fct_identity_check", identities.build_suite()))
    # the rows in scope of each scoped suite's mart, copied once (scope.materialize), not filtered by every query
    scoped = {table: f"{integrity.MARTS_SCHEMA}.{table}" for _, table, suite in plan if run_scope.scoped(suite.name)}
    definitions, kinds = [], {}
    with tempfile.TemporaryDirectory(prefix="juesuan-scope-") as scratch_dir:
        scratch = Path(scratch_dir) / "scope.duckdb" if scoped else None
        if scratch is not None:
            scope.materialize(db_path, run_scope, scoped, scratch, CHECK_MEMORY)
        with attaching(scratch):
            source = warehouse_source(ctx, db_path)
            for kind, table, suite in plan:
                # a query asset (not a table asset): GE's column-type metric ignores the schema of table assets
                query = (f"select * from {scope.SCRATCH_CATALOG}.{table}" if run_scope.scoped(suite.name)
                         else f"select * from {integrity.MARTS_SCHEMA}.{table}")
                asset = source.add_query_asset(f"{suite.name}", query=query)
                batch = asset.add_batch_definition_whole_table("whole table")
                suite = ctx.suites.add(suite)
                definitions.append(ctx.validation_definitions.add(
                    gx.ValidationDefinition(name=suite.name, data=batch, suite=suite)))
                kinds[suite.name] = kind
            checkpoint = ctx.checkpoints.add(gx.Checkpoint(
                name="warehouse", validation_definitions=definitions, actions=[],
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": []},
            ))
            try:
                result = checkpoint.run()
            finally:
                _close(source)

    outcomes: list[Outcome] = []
    for validation in result.run_results.values():
        suite_name = validation.suite_name
        for r in validation.results:
            cfg = r.expectation_config
            res = r.result or {}
            rows = res.get("details", {}).get("unexpected_rows") if isinstance(res.get("details"), dict) else None
            if rows is None:
                rows = [{"value": v} for v in (res.get("partial_unexpected_list") or [])]
            error = _error_of(r.exception_info)
            count = res.get("unexpected_count")
            if count is None and isinstance(res.get("observed_value"), int):
                count = res["observed_value"]
            if count is None and r.success and error is None:
                count = 0   # a column check over no rows (an empty mart, or no rows of the units in scope)
            outcomes.append(Outcome(
                suite=suite_name, kind=kinds[suite_name], expectation=cfg.description or cfg.type,
                expectation_type=cfg.type, success=bool(r.success), unexpected_count=count,
                rows=[{k: _jsonable(v) for k, v in dict(row).items()} for row in rows[:MAX_ROWS_KEPT]],
                check_name=(cfg.meta or {}).get("check_name"), error=error,
            ))
    if docs_dir is not None:
        # one build of the whole site after every validation: UpdateDataDocsAction rebuilds the site (index,
        # static assets, and a fresh Jinja environment that compiles every template again) once per suite
        ctx.build_data_docs(site_names=[DOCS_SITE])
    if docs_dir is not None and docs_dir.is_dir():
        for page, urls in offline_docs.localize(docs_dir).items():
            logging.getLogger(__name__).warning("%s: still loads %s from the network (no vendored copy)",
                                                page, ", ".join(sorted(set(urls))))
    index = docs_dir / "index.html" if docs_dir and (docs_dir / "index.html").exists() else None
    passed = tuple(sorted({o.suite for o in outcomes} - {o.suite for o in outcomes if not o.success or o.error}))
    run_scope = dataclasses.replace(run_scope, passed=passed)
    run = CheckRun(checked_at=datetime.now(UTC), outcomes=outcomes, docs_index=index, scope=run_scope.describe())
    scope.record(db_path, run_scope, run.checked_at)
    return run
