"""Freshness and history: how old the newest data is, and how the last runs went."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from juesuan.findings import connect_ro

CHECK_RESULTS_DDL = """
create schema if not exists raw;
create table if not exists raw.check_results (
    run_id varchar, checked_at timestamp, suite varchar, kind varchar, expectation varchar,
    check_name varchar, success boolean, unexpected_count integer, error varchar
)"""


RUNS_DDL = """
create schema if not exists raw;
create table if not exists raw.runs (
    run_id varchar, command varchar, started_at timestamp, finished_at timestamp, refreshed boolean, exit_code integer
)"""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record_run_started(db: Path, command: str) -> str:
    """Note the start of a run in raw.runs (finished_at null); returns its run_id.

    A run killed before record_run_finished keeps finished_at null and never counts as a refresh.
    """
    import uuid

    run_id = uuid.uuid4().hex[:12]
    con = duckdb.connect(str(db))
    try:
        con.execute(RUNS_DDL)
        con.execute("insert into raw.runs values (?, ?, ?, null, false, null)", [run_id, command, _now()])
    finally:
        con.close()
    return run_id


def record_run_finished(db: Path, run_id: str, *, refreshed: bool, exit_code: int) -> None:
    """Note the end of a run: refreshed = the marts were rebuilt and checked."""
    con = duckdb.connect(str(db))
    try:
        con.execute("update raw.runs set finished_at = ?, refreshed = ?, exit_code = ? where run_id = ?",
                    [_now(), refreshed, exit_code, run_id])
    finally:
        con.close()


@dataclass
class Freshness:
    documents: int
    failed: int
    newest_fiscal_year: int | None
    newest_ingested_at: datetime | None
    last_run_at: datetime | None
    last_check_at: datetime | None
    last_check_ok: bool | None
    findings: int

    def age(self, now: datetime | None = None) -> timedelta | None:
        if self.last_run_at is None:
            return None
        now = now or datetime.now(UTC)
        return now - self.last_run_at


def _utc(ts: datetime | None) -> datetime | None:
    if ts is None:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def freshness(db: Path) -> Freshness:
    con = connect_ro(db)
    try:
        docs, failed, year, newest = con.execute(
            "select count(*) filter (where status <> 'failed'), count(*) filter (where status = 'failed'), "
            "max(fiscal_year), max(ingested_at) from raw.documents where is_current or status = 'failed'"
        ).fetchall()[0]
        has_runs = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'runs'"
        ).fetchall()[0][0]
        # the last run that rebuilt and checked the marts; a run that was killed or failed is no refresh
        last_run = con.execute("select max(finished_at) from raw.runs where refreshed").fetchall()[0][0] \
            if has_runs else con.execute("select max(finished_at) from raw.ingest_runs").fetchall()[0][0]
        has_checks = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'check_results'"
        ).fetchall()[0][0]
        last_check, last_ok = None, None
        if has_checks:
            latest = con.execute(
                "select checked_at, bool_and(success or kind = 'identity') from raw.check_results "
                "group by run_id, checked_at order by checked_at desc limit 1").fetchall()
            if latest:
                last_check, last_ok = latest[0]
        has_marts = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'fct_identity_check'").fetchall()[0][0]
        findings = con.execute("select count(*) from marts.fct_identity_check where not passed").fetchall()[0][0] \
            if has_marts else 0
    finally:
        con.close()
    return Freshness(docs, failed, year, _utc(newest), _utc(last_run), _utc(last_check), last_ok, findings)


def record_checks(db: Path, run) -> None:
    """Append one checkpoint's outcomes to raw.check_results (set-based, via Arrow)."""
    import pyarrow as pa

    run_id = run.checked_at.strftime("%Y%m%dT%H%M%S%f")
    table = pa.table({
        "run_id": [run_id] * len(run.outcomes),
        "checked_at": [run.checked_at.replace(tzinfo=None)] * len(run.outcomes),
        "suite": [o.suite for o in run.outcomes], "kind": [o.kind for o in run.outcomes],
        "expectation": [o.expectation for o in run.outcomes], "check_name": [o.check_name for o in run.outcomes],
        "success": [o.success for o in run.outcomes],
        "unexpected_count": pa.array([o.unexpected_count for o in run.outcomes], pa.int32()),
        "error": [o.error for o in run.outcomes],
    })
    con = duckdb.connect(str(db))
    try:
        con.execute(CHECK_RESULTS_DDL)
        con.register("incoming", table)
        con.execute("insert into raw.check_results by name select * from incoming")
        con.unregister("incoming")
    finally:
        con.close()


def parse_age(text: str) -> timedelta:
    """'36h', '2d', '90m' → timedelta."""
    units = {"m": "minutes", "h": "hours", "d": "days"}
    text = text.strip().lower()
    if not text or text[-1] not in units or not text[:-1].replace(".", "", 1).isdigit():
        raise ValueError(f"age {text!r}: use a number followed by m, h or d (e.g. 26h)")
    return timedelta(**{units[text[-1]]: float(text[:-1])})


@dataclass
class SourceFreshness:
    """One raw table as `dbt source freshness` judged it against models/staging/raw/_raw__sources.yml."""
    table: str                      # e.g. "raw.documents"
    status: str                     # pass | warn | error | runtime error
    max_loaded_at: datetime | None  # newest row's load time (UTC)
    age_seconds: float | None       # now − max_loaded_at


def source_freshness(db: Path) -> list[SourceFreshness] | str:
    """Run `dbt source freshness` on the warehouse and return one entry per raw table, or — when dbt
    could not judge (no raw schema yet, the file held by a running build) — its one-line error.

    Thresholds (warn after 26 h, error after 7 days) live in the sources' yml, not here.  Cost: one dbt
    start (~5 s, the project's parse is shared with the builds).
    """
    import json

    from juesuan.dbt import run_dbt, target_dir

    sources = target_dir(db) / "sources.json"
    sources.unlink(missing_ok=True)
    outcome = run_dbt(["source", "freshness"], db)
    if not sources.exists():
        return outcome.error or "dbt source freshness wrote no results"
    out = []
    for r in json.loads(sources.read_text(encoding="utf-8")).get("results", []):
        loaded = r.get("max_loaded_at")
        out.append(SourceFreshness(
            table=r.get("unique_id", "?").removeprefix("source.juesuan."),
            status=r.get("status", "?"),
            max_loaded_at=datetime.fromisoformat(loaded).replace(tzinfo=None) if loaded else None,
            age_seconds=r.get("max_loaded_at_time_ago_in_s")))
    sources.unlink()
    return sorted(out, key=lambda s: s.table)
