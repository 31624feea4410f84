"""Freshness and history: how old the newest data is, and how the last runs went."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from juesuan.findings import connect_ro
from juesuan.i18n import tr

CHECK_RESULTS_DDL = """
create schema if not exists raw;
create table if not exists raw.check_results (
    run_id varchar, checked_at timestamp, suite varchar, kind varchar, expectation varchar,
    check_name varchar, success boolean, unexpected_count integer, error varchar
);
-- what the checked marts were (checks_fingerprint; null: unknown, never reused), and enough of each
-- outcome to print it again when a run with nothing new reuses it
alter table raw.check_results add column if not exists fingerprint varchar;
alter table raw.check_results add column if not exists expectation_type varchar;
alter table raw.check_results add column if not exists sample varchar;
alter table raw.check_results add column if not exists docs_index varchar
"""


RUNS_DDL = """
create schema if not exists raw;
create table if not exists raw.runs (
    run_id varchar, command varchar, started_at timestamp, finished_at timestamp, refreshed boolean, exit_code integer
);
alter table raw.runs add column if not exists outcome varchar;
alter table raw.runs add column if not exists stages varchar
"""

# raw.runs.outcome: how a run ended
OUTCOMES = {
    "finished": "ended by itself; exit_code says how (0 ok, 1 build/integrity failed, 4 some documents unreadable, 6 findings)",
    "interrupted": "stopped by Ctrl-C or SIGTERM/SIGHUP; exit_code 130 / 143 / 129",
    "killed": "never recorded its end (SIGKILL, a crash, the machine stopped); marked by the next run, exit_code null",
}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record_run_started(db: Path, command: str, notify=None) -> str:
    """Note the start of a run in raw.runs (finished_at null); returns its run_id.

    Called under the warehouse lock, so no other run is alive: an earlier run whose end was never recorded
    was killed (or crashed) and is marked outcome 'killed' here; ``notify(message)`` hears of each one.
    A killed run never counts as a refresh.
    """
    import uuid

    run_id = uuid.uuid4().hex[:12]
    con = duckdb.connect(str(db))
    try:
        con.execute(RUNS_DDL)
        killed = con.execute("update raw.runs set outcome = 'killed' where finished_at is null and outcome is null "
                             "returning command, started_at").fetchall()
        for command_, started in killed:
            if notify:
                notify(tr(f"运行：{started:%Y-%m-%d %H:%M:%S} UTC 开始的 `{command_}` 未记录结束（被强行终止或崩溃）；"
                          "已在 raw.runs 记为强行终止",
                          f"run: the `{command_}` run started {started:%Y-%m-%d %H:%M:%S} UTC never recorded its end "
                          "(killed or crashed); recorded as killed in raw.runs"))
        con.execute("insert into raw.runs (run_id, command, started_at, finished_at, refreshed, exit_code, outcome) "
                    "values (?, ?, ?, null, false, null, null)", [run_id, command, _now()])
    finally:
        con.close()
    return run_id


def record_run_finished(db: Path, run_id: str, *, refreshed: bool, exit_code: int, outcome: str = "finished",
                        stages: dict | None = None) -> None:
    """Note the end of a run: refreshed = the marts were rebuilt and checked; exit_code = the process's exit
    code; outcome 'finished' or 'interrupted' (see OUTCOMES); stages = each step's wall seconds and what it
    did, e.g. {"ingest": {"seconds": 0.4, "files": 10100, "hashed": 0, "parsed": 0}, "build": {"seconds": 0.3,
    "skipped": true}, "check": {"seconds": 0.1, "reused": true}, "report": {"seconds": 0.2}} (raw.runs.stages,
    JSON)."""
    import json

    con = duckdb.connect(str(db))
    try:
        con.execute(RUNS_DDL)
        con.execute("update raw.runs set finished_at = ?, refreshed = ?, exit_code = ?, outcome = ?, stages = ? "
                    "where run_id = ?", [_now(), refreshed, exit_code, outcome,
                                         json.dumps(stages) if stages is not None else None, run_id])
    finally:
        con.close()


@dataclass
class LastAttempt:
    """The newest run in raw.runs: when it started, how it ended (outcome None: no end recorded — still
    running, or killed and not yet marked by a later run) and its exit code."""
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    exit_code: int | None
    refreshed: bool


@dataclass
class Freshness:
    """What `juesuan status` shows.  ``documents``: current documents that were read (any status but
    failed); ``failed``: files that could not be read, counting bad copies over a loaded report;
    ``newest_final_year`` / ``newest_budget_year``: the newest fiscal year of a usable (ok/partial, attributed)
    部门决算/单位决算 and of a 部门预算/单位预算; ``last_run_at``: the end of the last refresh;
    ``last_attempt``: the newest run whatever its end."""
    documents: int
    failed: int
    newest_final_year: int | None
    newest_budget_year: int | None
    newest_ingested_at: datetime | None
    last_run_at: datetime | None
    last_check_at: datetime | None
    last_check_ok: bool | None
    findings: int
    last_attempt: LastAttempt | None = None

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
    """The warehouse's freshness and run history (read-only).  Raises FileNotFoundError without a warehouse."""
    con = connect_ro(db)
    try:
        docs, failed, final_year, budget_year, newest = con.execute(
            "select count(*) filter (where status <> 'failed'), count(*) filter (where status = 'failed'), "
            "max(fiscal_year) filter (where usable and report_kind not like '%预算%'), "
            "max(fiscal_year) filter (where usable and report_kind like '%预算%'), max(ingested_at) "
            "from (select *, is_current and status in ('ok', 'partial') and unit_name is not null as usable "
            "      from raw.documents where is_current or status = 'failed')"
        ).fetchall()[0]
        has_runs = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'runs'"
        ).fetchall()[0][0]
        # the last run that rebuilt and checked the marts; a run that was killed or failed is no refresh
        last_run = con.execute("select max(finished_at) from raw.runs where refreshed").fetchall()[0][0] \
            if has_runs else con.execute("select max(finished_at) from raw.ingest_runs").fetchall()[0][0]
        attempt = None
        if has_runs:
            has_outcome = con.execute("select count(*) from information_schema.columns where table_schema = 'raw' "
                                      "and table_name = 'runs' and column_name = 'outcome'").fetchall()[0][0]
            outcome_sql = "coalesce(outcome, case when finished_at is not null then 'finished' end)" if has_outcome \
                else "case when finished_at is not null then 'finished' end"   # a warehouse older than the column
            rows = con.execute(f"select started_at, finished_at, {outcome_sql}, exit_code, refreshed from raw.runs "
                               "order by started_at desc limit 1").fetchall()
            if rows:
                started, finished, outcome, code, refreshed = rows[0]
                attempt = LastAttempt(_utc(started), _utc(finished), outcome, code, bool(refreshed))
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
    return Freshness(docs, failed, final_year, budget_year, _utc(newest), _utc(last_run), _utc(last_check), last_ok,
                     findings, attempt)


def checks_fingerprint(db: Path) -> str | None:
    """What the checks' outcome depends on, as one hex digest: the state of the marts — the fingerprint the
    last successful incremental dbt build recorded (juesuan.dbt: raw.documents and the project's files,
    seeds included; a failed, killed or --full-refresh build leaves none) — and the checks' own code
    (expectations/*.py) and Great Expectations' version.  None when no build recorded its fingerprint:
    the marts' state is then unknown and recorded checks are never reused.  Reads two small files."""
    import hashlib
    import json

    from expectations.results import add_checks_code
    from juesuan.dbt import FINGERPRINT, target_dir

    try:
        build = json.loads((target_dir(db) / FINGERPRINT).read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        return None
    if not build:
        return None
    digest = hashlib.sha256(build.encode())
    add_checks_code(digest)
    return digest.hexdigest()


def record_checks(db: Path, run, fingerprint: str | None = None) -> None:
    """Append one checkpoint's outcomes to raw.check_results (set-based, via Arrow), with the
    checks_fingerprint of the marts they checked (None: not to be reused) and each failure's first row."""
    import json

    import pyarrow as pa

    run_id = run.checked_at.strftime("%Y%m%dT%H%M%S%f")
    n = len(run.outcomes)
    table = pa.table({
        "run_id": [run_id] * n,
        "checked_at": [run.checked_at.replace(tzinfo=None)] * n,
        "suite": [o.suite for o in run.outcomes], "kind": [o.kind for o in run.outcomes],
        "expectation": [o.expectation for o in run.outcomes], "check_name": [o.check_name for o in run.outcomes],
        "success": [o.success for o in run.outcomes],
        "unexpected_count": pa.array([o.unexpected_count for o in run.outcomes], pa.int32()),
        "error": [o.error for o in run.outcomes],
        "fingerprint": pa.array([fingerprint] * n, pa.string()),
        "expectation_type": [o.expectation_type for o in run.outcomes],
        "sample": pa.array([json.dumps(o.rows[0], ensure_ascii=False, default=str) if o.rows and not o.success
                            else None for o in run.outcomes], pa.string()),
        "docs_index": pa.array([str(run.docs_index) if run.docs_index else None] * n, pa.string()),
    })
    con = duckdb.connect(str(db))
    try:
        con.execute(CHECK_RESULTS_DDL)
        con.register("incoming", table)
        con.execute("insert into raw.check_results by name select * from incoming")
        con.unregister("incoming")
    finally:
        con.close()


def reusable_checks(db: Path, fingerprint: str | None, *, docs: bool):
    """The outcomes of the newest recorded checkpoint run when it checked marts of this ``fingerprint``
    (checks_fingerprint) — as an expectations.CheckRun with ``reused=True`` and the recorded time —, else
    None: no fingerprint, no record, a newer check of other marts, or ``docs`` wanted and the Data Docs
    it wrote are gone.  Failed expectations carry the first unexpected row they recorded."""
    import json

    from expectations.results import CheckRun, Outcome

    if fingerprint is None or not db.exists():
        return None
    con = duckdb.connect(str(db), read_only=True)
    try:
        has = con.execute("select count(*) from information_schema.columns where table_schema = 'raw' "
                          "and table_name = 'check_results' and column_name = 'docs_index'").fetchone()[0]
        if not has:
            return None
        rows = con.execute(
            "with latest as (select run_id from raw.check_results order by checked_at desc limit 1) "
            "select checked_at, fingerprint, docs_index, suite, kind, expectation, expectation_type, success, "
            "unexpected_count, check_name, error, sample from raw.check_results "
            "where run_id = (select run_id from latest) order by rowid").fetchall()
    finally:
        con.close()
    if not rows or rows[0][1] != fingerprint:
        return None
    index = Path(rows[0][2]) if rows[0][2] else None
    if docs and (index is None or not index.exists()):
        return None
    outcomes = [Outcome(suite=r[3], kind=r[4], expectation=r[5], expectation_type=r[6] or "", success=r[7],
                        unexpected_count=r[8], check_name=r[9], error=r[10],
                        rows=[json.loads(r[11])] if r[11] else []) for r in rows]
    return CheckRun(checked_at=rows[0][0].replace(tzinfo=UTC), outcomes=outcomes, docs_index=index if docs else None,
                    reused=True)


def parse_age(text: str) -> timedelta:
    """'36h', '2d', '90m' → timedelta."""
    units = {"m": "minutes", "h": "hours", "d": "days"}
    text = text.strip().lower()
    if not text or text[-1] not in units or not text[:-1].replace(".", "", 1).isdigit():
        raise ValueError(tr(f"时长 {text!r}：请写数字加 m、h 或 d（分钟、小时、天），例如 26h",
                            f"age {text!r}: use a number followed by m, h or d (e.g. 26h)"))
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
