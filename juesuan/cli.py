"""juesuan — ingest 部门决算 reports, build the warehouse, and say where reports contradict themselves.

Commands
  run      ingest → dbt build → checks → summary (the main job; incremental and safe to repeat)
  ingest   parse report files into the raw schema
  build    dbt build (incremental; --full-refresh rebuilds every fact; --docs also writes dbt docs)
  check    run the Great Expectations suites and write Data Docs
  report   per-document findings, in the terminal and as a self-contained HTML page
  sql      run SQL on the warehouse (read-only), or open an interactive prompt
  status   how fresh the warehouse is; --max-age makes staleness an exit code

Exit codes (for schedulers)
  0 success (findings about reports are not failures unless --fail-on-findings)
  1 the warehouse build or its integrity checks failed
  2 bad invocation or missing input (the message names the file)
  3 another run holds the warehouse lock; nothing was changed
  4 some documents could not be read; every other document was loaded
  5 stale: the last run is older than --max-age
  6 reports contradict themselves (only with --fail-on-findings)
  130/143 interrupted (Ctrl-C / SIGTERM): what was committed stays, the next run completes the work
"""
from __future__ import annotations

import argparse
import csv
import os
import signal
import sys
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from juesuan.lock import WarehouseBusy, WarehouseLock
from juesuan.paths import SAMPLE_REPORTS, data_docs_dir, report_html, warehouse_path

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY, EXIT_DOC_FAILURES, EXIT_STALE, EXIT_FINDINGS = 0, 1, 2, 3, 4, 5, 6

# logs of scheduled runs are read in files, not 80-column terminals
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)


class UsageError(Exception):
    pass


class Terminated(BaseException):
    """SIGTERM (or SIGHUP) arrived: unwind like Ctrl-C so workers and dbt are stopped and the lock released."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame) -> None:
    raise Terminated(signum)


# ---------------------------------------------------------------- steps

def _check_inputs(paths: list[str]) -> list[str]:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or directory — pass report files or folders "
                         f"(default: the bundled corpus {SAMPLE_REPORTS})")
    return paths


def step_ingest(paths: list[str], db: Path, *, workers: int | None, force: bool, verbose: bool):
    from ingest.cli import print_summary
    from ingest.pipeline import ingest_paths

    db.parent.mkdir(parents=True, exist_ok=True)
    summary = ingest_paths(_check_inputs(paths), str(db), workers=workers, progress=err.is_terminal, force=force)
    if summary.parsed and verbose:
        print_summary(summary, out)
    else:
        out.print(f"[bold]ingest[/bold]: {summary.files_seen} files — {summary.parsed} parsed, "
                  f"{summary.unchanged} unchanged, {summary.duplicates} duplicate, {summary.superseded} superseded, "
                  + (f"[red]{summary.failed} failed[/red]" if summary.failed else "0 failed"))
        for f in summary.failures:
            out.print(f"  [red]✗[/red] {escape(f.path)}{escape(', ' + f.place) if f.place else ''}: {escape(f.message)}")
    return summary


def step_build(db: Path, *, full_refresh: bool, docs: bool):
    from juesuan.dbt import run_dbt

    args = ["build"] + (["--full-refresh"] if full_refresh else [])
    with Progress(SpinnerColumn(), TextColumn("[bold]dbt build[/bold] {task.completed} nodes"),
                  TextColumn("[dim]{task.description}"), TimeElapsedColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as progress:
        task = progress.add_task("", total=None)
        outcome = run_dbt(args, db, on_node=lambda name, status: progress.update(task, advance=1, description=name))
    counts = ", ".join(f"{n} {s}" for s, n in sorted(outcome.counts.items()))
    colour = "green" if outcome.success else "red"
    out.print(f"[bold]dbt build[/bold]: [{colour}]{'ok' if outcome.success else 'FAILED'}[/{colour}] "
              f"({counts or 'nothing ran'}) in {outcome.seconds:.1f}s")
    for node, message in outcome.failures[:20]:
        out.print(f"  [red]✗[/red] {escape(node)}: {escape(message)}")
    if outcome.error:
        out.print(f"  [red]✗[/red] {escape(outcome.error)}", soft_wrap=True)
    if docs and outcome.success:
        d = run_dbt(["docs", "generate"], db)
        target = db.parent / "dbt_target" / "index.html"
        out.print(f"[bold]dbt docs[/bold]: {'written to ' + escape(str(target)) if d.success else '[red]failed[/red] ' + escape(str(d.error))}")
    return outcome


def step_check(db: Path, *, docs: bool):
    from expectations import run_checks
    from juesuan.status import record_checks

    started = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("[bold]checks[/bold] running Great Expectations suites"),
                  TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        progress.add_task("", total=None)
        run = run_checks(db, data_docs_dir(db) if docs else None)
    record_checks(db, run)
    integrity = [o for o in run.outcomes if o.kind == "integrity"]
    identity = run.identity_outcomes
    bad = run.integrity_failures
    out.print(f"[bold]checks[/bold]: integrity {len(integrity) - len(bad)}/{len(integrity)} expectations "
              + ("[green]pass[/green]" if not bad else "[red]FAIL[/red]")
              + f"; identities {len(identity) - len(run.findings)}/{len(identity)} hold everywhere, "
              f"{sum(o.unexpected_count or 0 for o in run.findings)} findings"
              f" ({time.perf_counter() - started:.1f}s)")
    for o in bad:
        sample = f" e.g. {o.rows[0]}" if o.rows else ""
        out.print(f"  [red]✗ {o.suite}[/red]: {escape(o.expectation)}"
                  + (f" — {o.unexpected_count} rows{escape(sample)}" if o.unexpected_count else "")
                  + (f" — error: {escape(o.error)}" if o.error else ""))
    for o in identity:
        if o.error:
            out.print(f"  [red]✗ {escape(o.expectation)}[/red] did not run: {escape(o.error)}")
    if run.docs_index:
        out.print(f"  Data Docs: {escape(str(run.docs_index))}")
    return run


def step_report(db: Path, *, select: list[str] | None = None, limit: int | None = 3, html: Path | None = None):
    from juesuan.findings import document_summaries
    from juesuan.report import print_text, write_html

    docs = document_summaries(db, select)
    if select and not docs:
        raise UsageError(f"no document matches {' '.join(select)} (give a doc_id prefix, file name or unit name)")
    print_text(docs, out, limit=limit)
    target = html or report_html(db)
    write_html(docs, target, db=db, data_docs=data_docs_dir(db) / "index.html")
    out.print(f"\nreport: {escape(str(target))}")
    return docs


# ---------------------------------------------------------------- commands

def cmd_run(args) -> int:
    db = warehouse_path(args.db)
    from juesuan.status import record_run_finished, record_run_started

    paths = _check_inputs(args.paths or [str(SAMPLE_REPORTS)])
    with _lock(db):
        run_id = record_run_started(db, "run")   # a run that never records its end is not a refresh
        summary = step_ingest(paths, db, workers=args.workers, force=args.force, verbose=args.verbose)
        build = step_build(db, full_refresh=args.full_refresh, docs=False)
        if not build.success:
            record_run_finished(db, run_id, refreshed=False, exit_code=EXIT_FAILED)
            return EXIT_FAILED
        checks = step_check(db, docs=not args.no_docs)
        record_run_finished(db, run_id, refreshed=True, exit_code=EXIT_OK if checks.ok else EXIT_FAILED)
    docs = step_report(db, limit=args.limit)
    findings = sum(len(d.findings) for d in docs)
    out.print(f"warehouse: {escape(str(db))}  —  query it with `juesuan sql`")
    if not checks.ok:
        return EXIT_FAILED
    if summary.failed:
        return EXIT_DOC_FAILURES
    if args.fail_on_findings and findings:
        return EXIT_FINDINGS
    return EXIT_OK


def _lock(db: Path) -> WarehouseLock:
    return WarehouseLock(db, notify=lambda message: err.print(f"[yellow]{escape(message)}[/yellow]"))


def cmd_ingest(args) -> int:
    db = warehouse_path(args.db)
    with _lock(db):
        summary = step_ingest(args.paths, db, workers=args.workers, force=args.force, verbose=True)
    return EXIT_DOC_FAILURES if summary.failed else EXIT_OK


def cmd_build(args) -> int:
    db = warehouse_path(args.db)
    if not db.exists():
        raise UsageError(f"{db}: no warehouse yet — run `juesuan ingest PATH…` or `juesuan run` first")
    with _lock(db):
        outcome = step_build(db, full_refresh=args.full_refresh, docs=args.docs)
    return EXIT_OK if outcome.success else EXIT_FAILED


def cmd_check(args) -> int:
    db = warehouse_path(args.db)
    with _lock(db):
        run = step_check(db, docs=not args.no_docs)
    if args.json:
        from expectations.checkpoint import to_json
        Path(args.json).write_text(to_json(run), encoding="utf-8")
        out.print(f"  results: {escape(str(args.json))}")
    if not run.ok:
        return EXIT_FAILED
    return EXIT_FINDINGS if args.fail_on_findings and run.findings else EXIT_OK


def cmd_report(args) -> int:
    db = warehouse_path(args.db)
    step_report(db, select=args.documents or None, limit=None if (args.all or args.documents) else 3,
                html=Path(args.html) if args.html else None)
    return EXIT_OK


def _print_result(cur, fmt: str, max_rows: int) -> None:
    if cur.description is None:   # a statement without a result (e.g. a temporary view)
        return
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(cols)
        w.writerows(rows)
        return
    table = Table(show_lines=False)
    for c in cols:
        table.add_column(c)
    for r in rows[:max_rows]:
        table.add_row(*[escape("" if v is None else str(v)) for v in r])
    out.print(table)
    if len(rows) > max_rows:
        out.print(f"[dim]{len(rows) - max_rows} more rows (use --max-rows {len(rows)} or --format csv for all)[/dim]")


# DuckDB switches that make a connection unable to write anything: the warehouse is opened read-only,
# no file system access beyond it (COPY … TO, EXPORT, ATTACH, read_csv, INSTALL, secrets), no extension
# loading, no spilling to a temporary directory, and the configuration locked so no SET or PRAGMA can
# undo any of it.  These must be given when connecting (https://duckdb.org/docs/operations_manual/securing_duckdb/overview).
READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "temp_directory": "",
    "lock_configuration": True,
}


def connect_sql(db: Path):
    """A connection to the warehouse through which no statement can write a file or a database."""
    import duckdb

    if not db.exists():
        raise UsageError(f"{db}: no warehouse here yet — run `juesuan run` (or `make run`) first")
    return duckdb.connect(str(db), read_only=True, config=READ_ONLY_CONFIG)


def _sql_error(exc: Exception) -> str:
    """DuckDB's error in one line: 'Catalog Error: Table with name x does not exist!'."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return " ".join(lines[:1]) or type(exc).__name__


def cmd_sql(args) -> int:
    import duckdb

    db = warehouse_path(args.db)
    con = connect_sql(db)
    try:
        if args.query:
            try:
                _print_result(con.execute(" ".join(args.query)), args.format, args.max_rows)
            except duckdb.Error as exc:
                err.print(f"[red]sql error[/red]: {escape(_sql_error(exc))}", soft_wrap=True)
                return EXIT_USAGE
            return EXIT_OK
        out.print(f"[bold]juesuan sql[/bold] on {escape(str(db))} (read-only). End statements with ';'. "
                  "`.tables` lists tables, `.quit` leaves.")
        buffer = []
        while True:
            try:
                line = input("juesuan> " if not buffer else "     ...> ")
            except EOFError:
                break
            if not buffer and line.strip() in (".quit", ".exit", "\\q"):
                break
            if not buffer and line.strip() == ".tables":
                line = ("select table_schema as schema, string_agg(table_name, ', ' order by table_name) as tables "
                        "from information_schema.tables group by 1 order by 1;")
            buffer.append(line)
            if line.rstrip().endswith(";"):
                try:
                    _print_result(con.execute("\n".join(buffer)), args.format, args.max_rows)
                except duckdb.Error as exc:   # an interactive prompt reports and goes on
                    err.print(f"[red]sql error[/red]: {escape(_sql_error(exc))}", soft_wrap=True)
                buffer = []
    finally:
        con.close()
    return EXIT_OK


def cmd_status(args) -> int:
    from juesuan.status import freshness, parse_age

    db = warehouse_path(args.db)
    max_age = parse_age(args.max_age) if args.max_age else None
    f = freshness(db)
    age = f.age()
    table = Table(title=escape(f"warehouse {db}"), show_header=False)
    table.add_column("")
    table.add_column("")
    table.add_row("documents loaded", str(f.documents))
    table.add_row("documents failed", str(f.failed))
    table.add_row("newest fiscal year", str(f.newest_fiscal_year or "—"))
    table.add_row("newest document ingested", f.newest_ingested_at.isoformat(timespec="seconds")
                  if f.newest_ingested_at else "—")
    table.add_row("last run", (f.last_run_at.isoformat(timespec="seconds") + f" ({_human(age)} ago)")
                  if f.last_run_at else "never")
    table.add_row("last checks", (f.last_check_at.isoformat(timespec="seconds")
                                  + (" [green]integrity ok[/green]" if f.last_check_ok else " [red]integrity FAILED[/red]"))
                  if f.last_check_at else "never")
    table.add_row("open findings", str(f.findings))
    out.print(table)
    if max_age is not None and (age is None or age > max_age):
        out.print(f"[red]stale[/red]: last run {_human(age) + ' ago' if age else 'never'}, allowed {escape(args.max_age)}")
        return EXIT_STALE
    return EXIT_OK


def _human(delta) -> str:
    if delta is None:
        return "—"
    s = max(0, int(delta.total_seconds()))
    d, h, m = s // 86400, s % 86400 // 3600, s % 3600 // 60
    return f"{d}d {h}h" if d else f"{h}h {m}m" if h else f"{m}m {s % 60}s"


# ---------------------------------------------------------------- entry point

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="juesuan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p):
        p.add_argument("--db", help="DuckDB warehouse file (default: $JUESUAN_DB or warehouse/juesuan.duckdb)")
        return p

    p = common(sub.add_parser("run", help="ingest → dbt build → checks → summary"))
    p.add_argument("paths", nargs="*", help="report files or folders (default: the bundled corpus)")
    p.add_argument("--workers", type=int, help="parser processes (default: one per CPU)")
    p.add_argument("--force", action="store_true", help="re-parse files already loaded")
    p.add_argument("--full-refresh", action="store_true", help="rebuild every fact table from scratch")
    p.add_argument("--no-docs", action="store_true", help="skip writing Great Expectations Data Docs")
    p.add_argument("--fail-on-findings", action="store_true", help="exit 6 when any report contradicts itself")
    p.add_argument("--limit", type=int, default=3, help="findings shown per document (default 3)")
    p.add_argument("-v", "--verbose", action="store_true", help="print coverage tables for parsed documents")
    p.set_defaults(func=cmd_run)

    p = common(sub.add_parser("ingest", help="parse report files into the raw schema"))
    p.add_argument("paths", nargs="+", help="report files or folders")
    p.add_argument("--workers", type=int)
    p.add_argument("--force", action="store_true", help="re-parse files already loaded")
    p.set_defaults(func=cmd_ingest)

    p = common(sub.add_parser("build", help="dbt build over the raw schema"))
    p.add_argument("--full-refresh", action="store_true")
    p.add_argument("--docs", action="store_true", help="also run `dbt docs generate`")
    p.set_defaults(func=cmd_build)

    p = common(sub.add_parser("check", help="run the Great Expectations suites"))
    p.add_argument("--no-docs", action="store_true")
    p.add_argument("--json", help="also write every expectation's outcome to this file")
    p.add_argument("--fail-on-findings", action="store_true")
    p.set_defaults(func=cmd_check)

    p = common(sub.add_parser("report", help="per-document findings (text and HTML)"))
    p.add_argument("documents", nargs="*", help="doc_id prefix, file name or unit name (default: all)")
    p.add_argument("--html", help="where to write the HTML page (default: next to the warehouse)")
    p.add_argument("--all", action="store_true", help="show every finding, not the first three per document")
    p.set_defaults(func=cmd_report)

    p = common(sub.add_parser("sql", help="query the warehouse (read-only)"))
    p.add_argument("query", nargs="*", help="SQL to run; none opens a prompt")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument("--max-rows", type=int, default=100)
    p.set_defaults(func=cmd_sql)

    p = common(sub.add_parser("status", help="freshness of the warehouse"))
    p.add_argument("--max-age", help="exit 5 if the last run is older than this (e.g. 26h, 2d)")
    p.set_defaults(func=cmd_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code.  SIGTERM/SIGHUP unwind like Ctrl-C while it runs."""
    import duckdb

    args = build_parser().parse_args(argv)
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                handlers[name] = signal.signal(getattr(signal, name), _raise_terminated)
    try:
        return args.func(args)
    except WarehouseBusy as exc:
        err.print(f"[yellow]busy[/yellow]: {escape(str(exc))}")
        return EXIT_BUSY
    except (UsageError, FileNotFoundError, ValueError) as exc:
        err.print(f"[red]error[/red]: {escape(str(exc))}")
        return EXIT_USAGE
    except BrokenPipeError:   # `juesuan sql … | head`: the reader has all it wants
        _silence_stdout()
        return EXIT_OK
    except (duckdb.Error, OSError) as exc:   # e.g. the disk is full: one line, not a traceback
        err.print(f"[red]error[/red]: {escape(_disk_or_io_error(exc))}", soft_wrap=True)
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.print("interrupted; the warehouse keeps what was committed before, and the next run completes the work")
        return 130
    except Terminated as exc:
        err.print(f"terminated by signal {exc.signum}; the warehouse keeps what was committed before, "
                  "and the next run completes the work")
        return 128 + exc.signum
    finally:
        for name, previous in handlers.items():
            signal.signal(getattr(signal, name), previous)


def _disk_or_io_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "No space left on device" in text or getattr(exc, "errno", None) == 28:
        return f"disk full: {text}"
    return text


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at devnull so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def entry() -> None:  # pragma: no cover - the console script
    """Exit without interpreter teardown: DuckDB's nanobind bindings print benign "leaked instance"
    warnings at shutdown when SQLAlchemy (used by the checks) still holds their types."""

    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
