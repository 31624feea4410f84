"""dbt, as a child process: ``dbt build`` (incremental by default) and ``dbt docs generate``.

A child process, not dbtRunner in-process: dbt-duckdb keeps its DuckDB instance open
for the life of the process, which would stop the checks that follow from opening
the file read-only, and dbt's global state is not meant to be invoked repeatedly.
Progress comes from dbt's JSON log lines; results from run_results.json.

The child never outlives the run: it is started as ``python -m juesuan.dbt`` (this module),
which binds its life to the parent's (ingest.limits.die_with_parent) and then runs dbt; if the
run is interrupted (Ctrl-C, SIGTERM) the child is terminated before the exception goes on.
A failure is summarised in one line (the full text stays in dbt's log).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from juesuan.paths import ROOT, dbt_log_dir, dbt_target_dir

FAILED = ("error", "fail", "runtime error")


@dataclass
class DbtOutcome:
    command: str
    success: bool
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)            # status -> nodes
    failures: list[tuple[str, str]] = field(default_factory=list)   # (node, message)
    error: str | None = None


def target_dir(db: Path) -> Path:
    return dbt_target_dir(db)


def run_dbt(args: list[str], db: Path, on_node=None) -> DbtOutcome:
    """Run one dbt command against the warehouse file; on_node(name, status) is called per finished node."""
    target = target_dir(db)
    argv = [sys.executable, "-m", "juesuan.dbt", *args, "--project-dir", str(ROOT), "--profiles-dir", str(ROOT),
            "--log-format", "json", "--log-path", str(dbt_log_dir(db)), "--target-path", str(target)]
    env = {**os.environ, "JUESUAN_DB": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "JUESUAN_PARENT_PID": str(os.getpid())}
    run_results = target / "run_results.json"
    if run_results.exists():
        run_results.unlink()
    started = time.perf_counter()
    errors: list[str] = []
    with subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          encoding="utf-8", errors="replace") as proc, _ends_with_us(proc):
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                if line.strip():
                    errors.append(line.strip())
                continue
            info, data = event.get("info", {}), event.get("data", {})
            if info.get("name") == "NodeFinished" and on_node is not None:
                node = data.get("node_info", {})
                on_node(node.get("node_name", "?"), data.get("run_result", {}).get("status", "?"))
            elif info.get("level") == "error":
                errors.append(info.get("msg", "").strip())
        code = proc.wait()
    outcome = DbtOutcome(command=" ".join(args), success=code == 0, seconds=time.perf_counter() - started)
    if run_results.exists():
        for r in json.loads(run_results.read_text(encoding="utf-8")).get("results", []):
            status = r.get("status", "?")
            outcome.counts[status] = outcome.counts.get(status, 0) + 1
            if status in FAILED:
                outcome.failures.append((r.get("unique_id", "?"), (r.get("message") or "").strip()))
    if code != 0 and not outcome.failures:
        outcome.error = one_line_error(errors, code, db)
    return outcome


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


if __name__ == "__main__":   # the dbt child process: ends with its parent, then is dbt
    import runpy

    from ingest.limits import die_with_parent

    die_with_parent(int(os.environ.get("JUESUAN_PARENT_PID") or os.getppid()))
    sys.argv[0] = "dbt"
    runpy.run_module("dbt.cli.main", run_name="__main__", alter_sys=True)
