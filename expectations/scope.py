"""Which rows a checkpoint run validates: the whole warehouse, or the documents built since the last check.

An integrity suite's cost grows with its mart; after a build that added 1 % of the documents, 99 % of
every fact mart is what the previous check already validated.  A check run is therefore *incremental*
when it can be: a suite of a mart whose checks decompose by unit (``MartSpec.scope_by_unit``: every
expectation looks at one row, or at rows of one unit — its key holds unit_id, or doc_id which belongs to
one unit) validates only the rows of the **units in scope**:

- every unit with a document the builds ingested since the last check (``intermediate.build_marks``
  .ingested_through at that check: what the marts it validated were built through);
- every unit of a document at the same path as such a document (a new version of a file may name
  another unit, and the old version leaves that unit's facts);
- rows whose unit_id is null (a row no unit owns is always validated).

The rows of the units in scope are copied once per suite, before Great Expectations runs, into a scratch
DuckDB file (``materialize``) that the checks' connections attach read-only as ``SCRATCH_CATALOG``; each
scoped suite's batch reads its copy.  Filtering the mart in the batch's query instead made every one of a
suite's ≈ 40 queries scan the whole mart again: after +1,000 reports on 100,000, 652 queries, 164 CPU-s, 80 of
them in 39 scans of the 18.7 M rows of fct_identity_check for its 186,043 rows in scope — more than a whole
check (issue #14; bench/README.md, "+1,000 on 100,000, fifteenth round").  The units go into the copy's
query as a semi-join over a list of values (``condition``): a constant ``in (...)`` list of 334 units, or'ed
with the null test, cost 5 times the CPU of the semi-join per scan.  When more than MAX_SHARE of the units
are in scope, the run is full: it costs about as much.

The rows of every other unit were built before the last check and not since (the per-document tables
rebuild a document only when its unit gets a document: macros/comparisons.sql, the same scope as the
dbt data tests' ``__documents_of_this_build__``, macros/test_scope.sql), and that check found none of
its expectations failing on them.  So the outcomes equal those of a full run: a scoped suite is one
that **passed entirely** at the last check; a suite that had a failure runs whole, so its count and rows
are the whole mart's.

Everything is validated (``Scope.full``) when
- asked: ``juesuan check --all``, ``juesuan run --full-refresh`` (``run_checks(full=True)``, the default
  of the function);
- there is no record of an earlier check (raw.check_marks), or no build mark;
- the checks' code, Great Expectations' version or the dbt project (models, macros, seeds) changed since
  that check (``checks_key``): the same rows may now give other outcomes.

The accounting-identity suite always runs over the whole of ``marts.fct_identity_check``: its
failures are findings about reports, and a finding in an old report is reported by every run, not only
the run that first found it (its queries read the failing rows only, so the whole mart costs little).

The record, ``raw.check_marks`` (one row per checkpoint run that ran GE, newest last): when it ran, the
build mark it validated, its checks_key, whether it was full, and the suites that passed entirely.
Importing this module does not import Great Expectations.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
# what the outcome of the same rows depends on besides the rows: the checks and the project that builds marts
PROJECT_FILES = ("dbt_project.yml", "models", "macros", "seeds")
# beyond this share of the units built since the last check, a whole run costs about as much: run it
MAX_SHARE = 0.25

# the name under which the checks' connections attach the scratch copy of the rows in scope (materialize)
SCRATCH_CATALOG = "juesuan_scope"

MARKS_DDL = """
create schema if not exists raw;
create table if not exists raw.check_marks (
    checked_at timestamp, built_through timestamp, checks_key varchar, full_run boolean, passed_suites varchar
)
"""


@dataclass(frozen=True)
class Scope:
    """What one checkpoint run validates.

    ``full``: every row of every mart.  Otherwise ``since`` is the build mark of the last check and
    ``suites`` the integrity suites validated over the units in scope only (``condition(table)``); every
    other suite runs whole.  ``built_through`` is the build mark of the marts this run validates (None:
    unknown, the run leaves no usable mark).  ``reason`` says, in words, why the run is full."""

    full: bool
    built_through: datetime | None
    since: datetime | None = None
    suites: frozenset[str] = frozenset()
    reason: str = ""
    key: str = ""
    units: tuple[str, ...] = ()                  # the units in scope (incremental runs)
    passed: tuple[str, ...] = field(default=())  # filled in by the run: suites that passed entirely

    def scoped(self, suite: str) -> bool:
        return not self.full and suite in self.suites

    def condition(self) -> str:
        """SQL condition on a mart with unit_id: its rows of the units in scope, or with no unit.  The units
        are a semi-join over a list of values, not a constant ``in (...)`` list (module docstring)."""
        if not self.units:
            return "(unit_id is null)"
        units = ", ".join("('" + u.replace("'", "''") + "')" for u in self.units)
        return f"(unit_id is null or unit_id in (select s.unit_id from (values {units}) s(unit_id)))"

    def describe(self) -> dict:
        return {"full": self.full, "reason": self.reason, "since": self.since.isoformat() if self.since else None,
                "built_through": self.built_through.isoformat() if self.built_through else None,
                "scoped_suites": sorted(self.suites),
                "units_in_scope": None if self.full else len(self.units)}


def _files_digest(names: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in names:
        path = ROOT / name
        for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if f.is_file() and "__pycache__" not in f.parts:
                digest.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def checks_key() -> str:
    """One hex digest of what, besides the rows, decides the checks' outcomes: expectations/*.py, Great
    Expectations' version and the dbt project's files (models, macros, seeds, dbt_project.yml)."""
    from expectations.results import add_checks_code

    digest = hashlib.sha256(_files_digest(PROJECT_FILES).encode())
    add_checks_code(digest)
    return digest.hexdigest()


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    try:
        row = con.execute(sql).fetchone()
    except duckdb.Error:   # the table is not there (a warehouse built before the record existed)
        return None
    return row


def plan(db: Path, scopable: tuple[str, ...], *, full: bool) -> Scope:
    """The scope of a checkpoint run on ``db`` (a DuckDB file, opened read-only here).

    ``scopable``: the integrity suites whose checks decompose by unit.  ``full``: validate everything.
    Never raises for a missing record: the run is then full, with the reason."""
    key = checks_key()
    con = duckdb.connect(str(db), read_only=True)
    try:
        mark = _one(con, "select max(ingested_through) from intermediate.build_marks")
        built = mark[0] if mark else None
        if full:
            return Scope(True, built, reason="asked for (--all / --full-refresh)", key=key)
        if built is None:
            return Scope(True, None, reason="no build mark (intermediate.build_marks)", key=key)
        last = _one(con, "select built_through, checks_key, passed_suites from raw.check_marks "
                         "order by checked_at desc limit 1")
        if last is None or last[0] is None:
            return Scope(True, built, reason="no earlier check recorded", key=key)
        since, last_key, passed = last
        if last_key != key:
            return Scope(True, built, reason="the checks or the dbt project changed since the last check", key=key)
        units = tuple(sorted(r[0] for r in con.execute(
            "select distinct v.unit_id from intermediate.int_document_versions v where v.unit_id is not null and "
            "(v.ingested_at > $since or v.source_path in (select n.source_path from "
            "intermediate.int_document_versions n where n.ingested_at > $since))", {"since": since}).fetchall()))
        total = con.execute("select count(distinct unit_id) from intermediate.int_document_versions").fetchone()[0]
        if len(units) > MAX_SHARE * total:
            return Scope(True, built, reason=f"{len(units)} of {total} units built since the last check", key=key)
        suites = frozenset(scopable) & frozenset(json.loads(passed or "[]"))
        return Scope(False, built, since=since, suites=suites, key=key, units=units)
    finally:
        con.close()


def record(db: Path, scope: Scope, checked_at: datetime) -> None:
    """Append this run's mark to raw.check_marks (after the run, which had the warehouse open read-only).
    A run whose marts' build mark is unknown records nothing usable: the next run is full."""
    con = duckdb.connect(str(db))
    try:
        con.execute(MARKS_DDL)
        con.execute("insert into raw.check_marks values (?, ?, ?, ?, ?)",
                    [checked_at.replace(tzinfo=None), scope.built_through, scope.key, scope.full,
                     json.dumps(sorted(scope.passed))])
    finally:
        con.close()


def materialize(db: Path, scope: Scope, tables: dict[str, str], scratch: Path, memory_limit: str) -> None:
    """Copy the rows of the units in scope (``scope.condition()``) of each mart into a new DuckDB file.

    ``tables``: {table in ``scratch``: qualified table of ``db``, e.g. "marts.fct_revenue"}; each copy keeps
    its mart's columns and types.  ``db`` is attached read-only; ``memory_limit`` bounds DuckDB's buffer pool
    as in the checks' own connections (e.g. "1GB").  One scan of each mart, whatever the number of
    expectations that read the copy next.  Raises duckdb.Error when a table is missing, FileExistsError when ``scratch`` exists."""
    if scratch.exists():
        raise FileExistsError(scratch)
    con = duckdb.connect(str(scratch), config={"memory_limit": memory_limit})
    try:
        path = str(db).replace("'", "''")
        con.execute(f"attach '{path}' as juesuan_warehouse (read_only)")
        base_tables = {f"{schema}.{name}" for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'juesuan_warehouse'").fetchall()}
        for name, table in tables.items():
            source = f"juesuan_warehouse.{table}"
            if table not in base_tables:   # a view: no rowid
                con.execute(f'create table "{name}" as select * from {source} where {scope.condition()}')
                continue
            # the rows' ids first (a scan of unit_id alone), then those rows by id: filtering every column by
            # the units decoded them all (19 against 3 CPU-s for fct_identity_check at 100,000 reports)
            con.execute(f"create or replace temp table rows_in_scope as select rowid as row_id from {source} "
                        f"where {scope.condition()}")
            con.execute(f'create table "{name}" as select * from {source} '
                        "where rowid in (select row_id from rows_in_scope)")
        con.execute("drop table if exists rows_in_scope")
    finally:
        con.close()
