"""dbt, as a child process: ``dbt build`` (incremental by default) and ``dbt docs generate``.

A child process, not dbtRunner in-process: dbt-duckdb keeps its DuckDB instance open
for the life of the process, which would stop the checks that follow from opening
the file read-only, and dbt's global state is not meant to be invoked repeatedly.
Progress comes from dbt's JSON log lines; results from run_results.json.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from juesuan.paths import ROOT

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
    return db.parent / "dbt_target"


def run_dbt(args: list[str], db: Path, on_node=None) -> DbtOutcome:
    """Run one dbt command against the warehouse file; on_node(name, status) is called per finished node."""
    target = target_dir(db)
    argv = [sys.executable, "-m", "dbt.cli.main", *args, "--project-dir", str(ROOT), "--profiles-dir", str(ROOT),
            "--log-format", "json", "--log-path", str(db.parent / "logs"), "--target-path", str(target)]
    env = {**os.environ, "JUESUAN_DB": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    run_results = target / "run_results.json"
    if run_results.exists():
        run_results.unlink()
    started = time.perf_counter()
    errors: list[str] = []
    with subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          encoding="utf-8", errors="replace") as proc:
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
        outcome.error = "\n".join(e for e in errors if e)[-2000:] or f"dbt exited with code {code}"
    return outcome
