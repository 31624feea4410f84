"""dbt, as a child process: ``dbt build`` (incremental by default) and ``dbt docs generate``.

A child process, not dbtRunner in-process: dbt-duckdb keeps its DuckDB instance open
for the life of the process, which would stop the checks that follow from opening
the file read-only, and dbt's global state is not meant to be invoked repeatedly.
Progress comes from dbt's JSON log lines; results from run_results.json.

The child never outlives the run: it is started as ``python -m juesuan.dbt`` (this module),
which binds its life to the parent's (ingest.limits.die_with_parent) and then runs dbt; if the
run is interrupted (Ctrl-C, SIGTERM) the child is terminated before the exception goes on.
A failure is summarised in one line (the full text stays in dbt's log).  A build whose nodes ran out of
DuckDB's memory (two heavy models built at once share its memory_limit) builds its failed and skipped nodes
again, one at a time (``dbt retry --threads 1``; DbtOutcome.memory_retry).

Two things keep repeated builds cheap (issue #14):
- parsing: dbt's partial-parse state (``partial_parse.msgpack``) is shared between warehouses through a
  cache under ``target/partial_parse/`` (one file per warehouse file name: dbt runs in the warehouse's
  folder with the bare file name as its path, so the profile it hashes — and the database name
  dbt-duckdb derives from the file — is the same for every warehouse of that name), so a new warehouse
  does not pay for a full parse of the project;
- a plain incremental ``dbt build`` is skipped when neither the raw schema nor the project changed since
  the last successful build of this warehouse (``build_fingerprint``, and the listing's digest); when the only new
  rows are files that feed no fact (failed, not a report) it builds the document listing alone (LISTING_MODELS,
  ≈ 4 CPU-s instead of 10–16); a duplicate adds no row; ``--full-refresh`` always builds;
- a plain incremental build leaves out the seeds and their tests (``--exclude path:seeds``, a fifth of the
  nodes) when the seed files and dbt_project.yml are those of the last successful build (``seeds_fingerprint``):
  they are in the warehouse, loaded and tested, and unchanged since; and it leaves out the views too (not their
  tests) when every project file is that build's (``project_fingerprint``): a view is only the project's SQL.
  The models' data tests test the documents of the build (macros/test_scope.sql) since the mark a complete
  successful build leaves (``mark_build``: intermediate.build_marks); ``--full-refresh`` tests everything;
- start-up overlaps the ingest: ``Standby`` starts the child before the run's ingest; it imports dbt and
  parses the project (dbt's documented ``dbtRunner`` parse-then-invoke, ``dbtRunner(manifest=…)``) while the
  files are read, then waits for the build's arguments, which depend on what the ingest loaded; a run whose
  build is skipped ends it unused.  Parsing reads only the project's files, never the warehouse;
- debug events that no logger writes are dropped before dbt builds their message (``_drop_unlogged_debug``):
  ≈ 30 a node (every SQL statement, connection and transaction), each converted to protobuf and JSON only to
  be discarded at info level — about a sixth of dbt's Python time in an incremental build (py-spy, issue #14);
- dbt's own work per node (compiling, events, connections: ≈ 0.05–0.1 CPU-s) is most of an incremental build at
  10,000 reports, so the nodes are few (a key is one primary_key test, macros/generic_tests.sql) and dbt.log is
  written at info level (``DBT_LOG_LEVEL_FILE=debug`` for every SQL statement).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from juesuan.paths import ROOT, dbt_log_dir, dbt_target_dir

FAILED = ("error", "fail", "runtime error")
PARTIAL_PARSE = "partial_parse.msgpack"
PARSE_ROOT = "partial_parse.root"   # beside a partial-parse state: the project folder that made it (_reuse_parse)
PARSE_CACHE = ROOT / "target" / "partial_parse"
FINGERPRINT = "last_build.json"
# what a build reads besides the raw schema: the project's files
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds")
# unit tests describe the models, not the data: `dbt build` of a warehouse leaves them to `dbt test`
BUILD_EXCLUDES = ["--exclude-resource-type", "unit_test"]
# what the seeds (and their tests) depend on: the files and their column types in dbt_project.yml
SEED_FILES = ("seeds", "dbt_project.yml")
UNCHANGED_SEEDS = ["--exclude", "path:seeds"]
# views hold no data, only the project's SQL (no view model's SQL depends on the data or the build): when every
# project file is that of this warehouse's last successful build, the views in it are what this build would
# create.  `empty` indirect selection keeps the views' data tests (they test the raw rows beneath, which changed);
# the seeds' tests are under path:seeds and stay out with the seeds.
UNCHANGED_PROJECT = ["--exclude", "path:seeds", "config.materialized:view", "--indirect-selection", "empty"]


@dataclass
class DbtOutcome:
    command: str
    success: bool
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)            # status -> nodes
    failures: list[tuple[str, str]] = field(default_factory=list)   # (node, message)
    error: str | None = None
    skipped: bool = False                                           # nothing changed: dbt did not run
    listing_only: bool = False                                      # only files feeding no fact: LISTING_MODELS built
    project_changed: bool = False                                   # models changed since the last build: all rebuilt
    memory_retry: bool = False                                      # out of memory: failed nodes rebuilt one at a time


def target_dir(db: Path) -> Path:
    return dbt_target_dir(db)


# statuses of a raw.documents row that never feeds a fact (int_document_versions: exclusion failed, not_a_report,
# unattributed); such a row only adds a line to the document listing
LISTING_STATUSES = ("failed", "not_a_report", "unattributed")
# what a listing-only build refreshes: the models that list documents and units (a file that failed or is not a
# report is a row of dim_document and qa_document_versions; a unit it names is a row of dim_unit)
LISTING_MODELS = ["int_document_versions", "dim_document", "dim_unit", "qa_document_versions"]


def build_fingerprint(db: Path) -> str | None:
    """What the facts of an incremental build depend on, as one hex digest: every row of raw.documents that can
    feed a fact (any status but LISTING_STATUSES), whole (a document's figures come with it; its status, kind,
    unit and year are its columns; a version replaced by another changes its row), and the bytes of the
    project's files.  None when the warehouse has no raw schema yet (nothing to compare).

    A file that failed or is not a report changes only the listing's digest (_fingerprints): loading nothing new but such files
    (or duplicates, which add a path, not a row) leaves this digest — and every fact mart — as they were.
    Cost: one scan of raw.documents (one row per file version) and a read of the project (~100 small files).
    """
    found = _fingerprints(db)
    return None if found is None else found[0]


def _fingerprints(db: Path) -> tuple[str, str] | None:
    """(build_fingerprint, the listing's digest) in one scan of raw.documents: the listing's is one hex digest of
    the rows that feed no fact (LISTING_STATUSES), what only the document listing (LISTING_MODELS) shows."""
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    listing = "d.status in (" + ", ".join(f"'{s}'" for s in LISTING_STATUSES) + ")"
    digest = "coalesce(md5(string_agg(d::varchar, ',' order by d.doc_id, d.ingested_at) filter (where {})), '')"
    try:
        n_facts, facts, n_listing, listing_rows = con.execute(
            f"select count(*) filter (where not {listing}), {digest.format('not ' + listing)}, "
            f"count(*) filter (where {listing}), {digest.format(listing)} from raw.documents as d").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return (hashlib.sha256(repr((n_facts, facts)).encode() + _files_digest(PROJECT_FILES).encode()).hexdigest(),
            hashlib.sha256(repr((n_listing, listing_rows)).encode()).hexdigest())


def _files_digest(names: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in names:
        path = ROOT / name
        for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if f.is_file():
                digest.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def project_fingerprint() -> str:
    """One hex digest of every project file (PROJECT_FILES): what the SQL of every model is rendered from."""
    return _files_digest(PROJECT_FILES)


def seeds_fingerprint() -> str:
    """One hex digest of the seed files and dbt_project.yml (their column types): what loading the seeds reads."""
    return _files_digest(SEED_FILES)


def _last_build(db: Path) -> dict:
    """The record of this warehouse's last successful incremental build ({} when none or unreadable)."""
    record = target_dir(db) / FINGERPRINT
    try:
        found = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _up_to_date(db: Path, fingerprint: str | None) -> bool:
    return fingerprint is not None and _last_build(db).get("fingerprint") == fingerprint


def mark_build(db: Path) -> None:
    """Record what a complete, successful ``dbt build`` covered: intermediate.build_marks.ingested_through, the
    newest ingestion time of a document it saw.  The data tests of the next incremental build test the
    documents of every unit with a document ingested after it (macros/test_scope.sql); a build that fails,
    is cut short or builds a selection leaves the previous mark, so its documents are tested again.
    """
    import duckdb

    try:
        con = duckdb.connect(str(db))
        try:
            con.execute("create or replace table intermediate.build_marks as "
                        "select max(ingested_at) as ingested_through, now() as marked_at "
                        "from intermediate.int_document_versions")
        finally:
            con.close()
    except duckdb.Error:   # no mark: the next build tests more documents, never fewer
        pass


def _made_here(mark: Path) -> bool:
    """Whether the partial-parse state beside ``mark`` was made by this project folder (ROOT)."""
    try:
        return mark.read_text(encoding="utf-8") == str(ROOT)
    except OSError:
        return False


def _mark_parse(target: Path) -> None:
    """Record that the warehouse's partial-parse state is this project folder's (dbt has just written it)."""
    if (target / PARTIAL_PARSE).exists():
        try:
            (target / PARSE_ROOT).write_text(str(ROOT), encoding="utf-8")
        except OSError:   # unmarked: the next run parses afresh
            pass


def _reuse_parse(target: Path, db: Path) -> None:
    """Start from the shared partial-parse state when this warehouse has none (dbt re-parses what changed).

    dbt's partial parse keeps absolute paths (a seed's file) and does not check the project folder it was made
    in: a state made in another folder — a project moved or copied, a warehouse built by two checkouts — fails
    the build ("No files found that match the pattern …/seeds/….csv").  A state not marked as this folder's
    (PARSE_ROOT, written after each dbt run) is dropped first; the shared one is used only if marked so too."""
    state = target / PARTIAL_PARSE
    if state.exists() and not _made_here(target / PARSE_ROOT):
        state.unlink(missing_ok=True)
    cached = PARSE_CACHE / f"{db.name}.msgpack"
    if not state.exists() and cached.exists() and _made_here(cached.with_suffix(".root")):
        try:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, state)
            _mark_parse(target)
        except OSError:   # a full disk or a read-only folder: dbt parses for itself (and names the cause)
            state.unlink(missing_ok=True)


def _share_parse(target: Path, db: Path) -> None:
    """Offer this warehouse's parse state to the next new warehouse (atomic: written aside, then renamed)."""
    state = target / PARTIAL_PARSE
    if not state.exists() or not _made_here(target / PARSE_ROOT):
        return
    try:
        PARSE_CACHE.mkdir(parents=True, exist_ok=True)
        aside = PARSE_CACHE / f".{db.name}.{os.getpid()}.tmp"
        shutil.copyfile(state, aside)
        os.replace(aside, PARSE_CACHE / f"{db.name}.msgpack")
        (PARSE_CACHE / f"{db.name}.root").write_text(str(ROOT), encoding="utf-8")
    except OSError:   # a read-only checkout: every warehouse parses for itself
        pass


def _common_args(db: Path) -> list[str]:
    """The options every dbt command of this warehouse takes: the project, its profile, JSON log lines,
    and the warehouse's own log and target folders."""
    return ["--project-dir", str(ROOT), "--profiles-dir", str(ROOT), "--log-format", "json",
            "--log-path", str(dbt_log_dir(db)), "--target-path", str(target_dir(db))]


def _spawn(argv: list[str], db: Path, *, stdin=None) -> subprocess.Popen:
    """Start ``python -m juesuan.dbt ARGV`` in the warehouse's folder, its output (JSON log lines) piped.

    dbt runs in the warehouse's folder with the file's bare name as its path: the profile dbt hashes for
    partial parsing is then the same for every warehouse of that name, and the parse is shared.  dbt.log is
    at info (nodes, results, errors), not debug: the debug events (every SQL statement, connection and
    transaction, ~30 a node) were an eighth of an incremental build's CPU (py-spy, issue #14);
    DBT_LOG_LEVEL_FILE=debug in the environment puts them back."""
    env = {"DBT_LOG_LEVEL_FILE": "info", **os.environ, "JUESUAN_DB": db.name, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "JUESUAN_PARENT_PID": str(os.getpid())}
    return subprocess.Popen([sys.executable, "-m", "juesuan.dbt", *argv], cwd=db.parent, env=env, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                            errors="replace")


STANDBY = "--standby"


class Standby:
    """A dbt child started before the build it will run, so dbt's start-up (importing dbt ≈ 2 CPU-s, parsing
    the project ≈ 1) overlaps the run's ingest instead of following it.

    ``Standby(db)`` starts ``python -m juesuan.dbt --standby <common options>``: the child imports dbt, parses
    the project (``dbt parse``: the project's files only, never the warehouse), then waits for one line on its
    stdin — the build's arguments — and runs them with the parsed manifest (``dbtRunner(manifest=…)``).  Hand
    it to run_dbt, which sends the arguments it decided after the ingest (``take``); ``close`` ends a child
    that is not needed (the build was skipped, or the run failed first).  Use it as a context manager.
    """

    def __init__(self, db: Path):
        db.parent.mkdir(parents=True, exist_ok=True)
        target = target_dir(db)
        _reuse_parse(target, db)
        self.proc = _spawn([STANDBY, *_common_args(db)], db, stdin=subprocess.PIPE)
        self.taken = False

    def take(self, args: list[str]) -> bool:
        """Send the build's arguments; False (and the child ended) when it cannot run them: a command
        other than ``build`` (the parse would not be its own) or a child that already exited."""
        if args[:1] != ["build"] or "--vars" in args or self.proc.poll() is not None:
            self.close()
            return False
        try:
            self.proc.stdin.write(json.dumps(args) + "\n")
            self.proc.stdin.close()
        except OSError:   # the child died meanwhile: run_dbt starts a fresh one
            self.close()
            return False
        self.taken = True
        return True

    def close(self) -> None:
        """End the child unless it was given a build (idempotent)."""
        if self.taken:
            return
        self.taken = True
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()

    def __enter__(self) -> Standby:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_dbt(args: list[str], db: Path, on_node=None, standby: Standby | None = None) -> DbtOutcome:
    """Run one dbt command against the warehouse file; on_node(name, status) is called per finished node.

    ``["build"]`` (incremental) returns at once with ``skipped=True`` when build_fingerprint and
    the listing's digest (_fingerprints) are those recorded by the last successful build of the whole project (``["build"]`` or
    ``["build", "--full-refresh"]``); when only the listing changed (the new files all failed or are not reports)
    it builds LISTING_MODELS alone (``listing_only=True``: the facts and the checks' outcomes stay); when the
    project's files are not those of the last successful build (project_fingerprint: an upgrade), it builds with
    ``--full-refresh`` (``project_changed=True``), so no row made by the old SQL stays;
    leaves out the views and the seeds when project_fingerprint is that build's, else the seeds when
    seeds_fingerprint is; unit tests are excluded from ``build`` (run them with ``dbt test --select
    test_type:unit``).  ``standby``: a child started earlier (Standby) that runs a ``build`` instead of a new
    one; it is ended when the build is skipped.  Returns the outcome: success, seconds (wall clock), node
    counts by status, failing nodes with dbt's message, or a one-line error.
    """
    target = target_dir(db)
    incremental_build = args == ["build"]
    whole_build = args in (["build"], ["build", "--full-refresh"])   # a record of it describes the warehouse
    fingerprint, listing = (_fingerprints(db) or (None, None)) if whole_build else (None, None)
    listing_only = False
    if incremental_build and _up_to_date(db, fingerprint):
        if _last_build(db).get("listing") == listing:
            if standby is not None:
                standby.close()
            return DbtOutcome(command="build", success=True, seconds=0.0, skipped=True)
        listing_only = True   # only files that feed no fact are new: refresh the listing, not the facts
    seeds = seeds_fingerprint() if whole_build else None
    project = project_fingerprint() if whole_build else None
    _reuse_parse(target, db)
    project_changed = False
    if args and args[0] == "build":
        last = _last_build(db) if incremental_build else {}
        if last.get("project") not in (None, project):
            # the project's files changed since this warehouse's last build (an upgrade): an incremental build
            # would run the new SQL over new documents only and leave every older row as the old SQL made it
            args, project_changed = ["build", "--full-refresh"], True
        same = ([] if project_changed else UNCHANGED_PROJECT if last.get("project") == project else
                UNCHANGED_SEEDS if last.get("seeds") == seeds else [])
        (target / FINGERPRINT).unlink(missing_ok=True)   # a build that fails or is killed leaves none
        args = [*args, *BUILD_EXCLUDES, *(["--select", *LISTING_MODELS] if listing_only else same)]
    run_results = target / "run_results.json"
    if run_results.exists():
        run_results.unlink()
    if standby is not None and not standby.take(args):
        standby = None
    started = time.perf_counter()
    errors: list[str] = []
    proc = standby.proc if standby is not None else _spawn([*args, *_common_args(db)], db)
    code = _follow(proc, on_node, errors)
    results = _results(run_results)
    memory_retry = False
    if code != 0 and args[0] == "build" and any(_OUT_OF_MEMORY.search(m) for m in _failures(results).values()):
        # Two models built at once share DuckDB's memory_limit; two heavy ones together can exceed it where
        # either alone fits (at 100,000 reports int_check_ratios beside int_check_readings: "Out of Memory
        # Error … 1.3 GiB/1.3 GiB used"; alone it built in 53 s).  dbt retry runs the failed and skipped nodes of
        # this build again, one at a time; a node that already succeeded is not run again.
        memory_retry = True
        errors = []
        code = _follow(_spawn(["retry", "--threads", "1", *_common_args(db)], db), on_node, errors)
        results |= _results(run_results)
    _mark_parse(target)
    outcome = DbtOutcome(command=" ".join(args), success=code == 0, seconds=time.perf_counter() - started,
                         listing_only=listing_only, project_changed=project_changed, memory_retry=memory_retry)
    for status, _ in results.values():
        outcome.counts[status] = outcome.counts.get(status, 0) + 1
    outcome.failures = list(_failures(results).items())
    if code != 0 and not outcome.failures:
        outcome.error = one_line_error(errors, code, db)
    if outcome.success:
        _share_parse(target, db)
        if args[0] == "build" and not {"--select", "-s", "--selector"} & set(args):
            mark_build(db)
        if whole_build and fingerprint is not None:
            (target / FINGERPRINT).write_text(json.dumps({"fingerprint": fingerprint, "listing": listing, "seeds": seeds,
                                                          "project": project}), encoding="utf-8")
    return outcome


# DuckDB's error when a query needs more memory than memory_limit leaves it (duckdb.OutOfMemoryException)
_OUT_OF_MEMORY = re.compile(r"Out of Memory Error")


def _follow(proc: subprocess.Popen, on_node, errors: list[str]) -> int:
    """Read a dbt child's JSON log lines to its end: on_node(name, status) per finished node, error lines (and
    lines that are not JSON) appended to ``errors``.  Returns the child's exit code."""
    with proc, _ends_with_us(proc):
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                if line.strip():
                    errors.append(line.strip())
                continue
            info, data = event.get("info", {}), event.get("data", {})
            # a node's result line (LogModelResult, LogTestResult, LogSeedResult …) is info-level, as printed;
            # NodeFinished is debug, so it never reaches the info-level stdout
            if info.get("name", "").endswith("Result") and "node_info" in data and on_node is not None:
                node = data["node_info"]
                on_node(node.get("node_name", "?"), data.get("status") or node.get("node_status", "?"))
            elif info.get("level") == "error":
                errors.append(info.get("msg", "").strip())
        return proc.wait()


def _results(run_results: Path) -> dict[str, tuple[str, str]]:
    """unique_id → (status, message) of the nodes in a run_results.json (empty when there is none)."""
    if not run_results.exists():
        return {}
    return {r.get("unique_id", "?"): (r.get("status", "?"), (r.get("message") or "").strip())
            for r in json.loads(run_results.read_text(encoding="utf-8")).get("results", [])}


def _failures(results: dict[str, tuple[str, str]]) -> dict[str, str]:
    """unique_id → dbt's message, of the nodes that failed (FAILED statuses)."""
    return {uid: message for uid, (status, message) in results.items() if status in FAILED}


@contextmanager
def _ends_with_us(proc: subprocess.Popen):
    """Terminate the dbt child if the run is interrupted while it works (then kill it if it lingers)."""
    try:
        yield proc
    except BaseException:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        raise


_DISK_FULL = re.compile(r"no space left on device|disk is full|ENOSPC|out of disk", re.I)
_NOISE = re.compile(r'^\s*(Traceback|File "|\^|~|During handling|The above exception|\d+ of \d+ )')


def one_line_error(errors: list[str], code: int, db: Path) -> str:
    """dbt's error output (tracebacks, multi-line messages) reduced to the one line that says what failed.

    A full disk is named as such, with the folder to free space in.  Returns e.g.
    "disk full: no space left on device while dbt wrote /data/w.duckdb (free space in /data; details in …/dbt.log)".
    """
    text = [ln.strip() for e in errors for ln in e.splitlines() if ln.strip()]
    log = dbt_log_dir(db) / "dbt.log"
    if any(_DISK_FULL.search(ln) for ln in text):
        return (f"disk full: no space left on device while dbt wrote {db} "
                f"(free space in {db.parent}; details in {log})")
    meaningful = [ln for ln in text if not _NOISE.match(ln)]
    errorish = [ln for ln in meaningful if re.search(r"error|exception|failed", ln, re.I)]
    line = (errorish or meaningful or [f"dbt exited with code {code}"])[-1]
    line = " ".join(line.split())
    if len(line) > 300:
        line = line[:297] + "…"
    return f"{line} (details in {log})"


def _drop_unlogged_debug() -> bool:
    """Drop dbt's debug events before their message is built when no logger writes debug lines.

    dbt_common's EventManager.fire_event converts every event to its protobuf message (and the JSON logger
    to a line) before the Python logger's level discards it; at info level that is ≈ 30 wasted events a node.
    An event is skipped only when it is debug, not forced through warn-or-error handling, no logger is at
    debug, and the only callback is dbt's own tracking hook (it reacts to one warn-level event).

    This replaces a library internal: it is applied only where fire_event has the parameters it was written
    for (dbt-core 1.10–1.11, the pinned range); elsewhere dbt runs unchanged, only slower.  Returns whether
    it was applied (tests/test_dbt_project.py fails when a dbt upgrade makes it stop applying)."""
    import inspect

    try:
        from dbt.tracking import track_behavior_change_warn
        from dbt_common.events.base_types import EventLevel
        from dbt_common.events.event_manager import EventManager
    except ImportError:
        return False
    fire = EventManager.fire_event
    if list(inspect.signature(fire).parameters) != ["self", "e", "level", "node", "force_warn_or_error_handling"]:
        return False

    def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
        if (not force_warn_or_error_handling and (level or e.level_tag()) == EventLevel.DEBUG
                and all(logger.level != EventLevel.DEBUG for logger in self.loggers)
                and all(cb is track_behavior_change_warn for cb in self.callbacks)):
            return None
        return fire(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    EventManager.fire_event = fire_event
    return True


def _standby(common: list[str]) -> int:
    """The Standby child: parse now, build when told (one JSON list of arguments on stdin; none: exit 0).
    Exit code as dbt's: 0 success, 1 a node failed, 2 dbt could not run."""
    from dbt.cli.main import dbtRunner

    _drop_unlogged_debug()
    parsed = dbtRunner().invoke(["parse", *common])
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    # a failed parse leaves no manifest: the build parses again and reports the error itself
    result = dbtRunner(manifest=parsed.result if parsed.success else None).invoke([*json.loads(line), *common])
    return 0 if result.success else 1 if result.exception is None else 2


if __name__ == "__main__":   # the dbt child process: ends with its parent, then is dbt
    import runpy

    from ingest.limits import die_with_parent

    die_with_parent(int(os.environ.get("JUESUAN_PARENT_PID") or os.getppid()))
    if sys.argv[1:2] == [STANDBY]:
        sys.exit(_standby(sys.argv[2:]))
    _drop_unlogged_debug()
    sys.argv[0] = "dbt"
    runpy.run_module("dbt.cli.main", run_name="__main__", alter_sys=True)
