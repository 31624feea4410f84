"""run_dbt's answer to DuckDB running out of memory: the failed and skipped nodes of a build are built again
one at a time (``dbt retry --threads 1``).

At 100,000 generated reports two check families built at once (int_check_ratios beside int_check_readings)
exceeded the build's memory_limit where each alone fits ("Out of Memory Error: failed to pin block of size
256.0 KiB (1.3 GiB/1.3 GiB used)"; bench/README.md, "Sixteenth round").  That takes a 100,000-report warehouse
to reproduce; here the dbt child is a stand-in that writes what dbt writes (JSON log lines on stdout,
run_results.json in the target folder) and exits as dbt does, so these tests follow run_dbt's own decisions.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from juesuan import dbt

OOM = ("Runtime Error in model int_check_ratios (models/intermediate/checks/int_check_ratios.sql)\n"
       "  Out of Memory Error: failed to pin block of size 256.0 KiB (1.3 GiB/1.3 GiB used)")


def _result(uid: str, status: str, message: str = "") -> dict:
    return {"unique_id": uid, "status": status, "message": message}


@pytest.fixture()
def fake_dbt(tmp_path, monkeypatch):
    """Replace the dbt child: each spawn plays the next of ``plays`` — (exit code, run_results rows) — and the
    arguments of every spawn are recorded in ``calls``."""
    db = tmp_path / "w.duckdb"
    target = dbt.target_dir(db)
    target.mkdir(parents=True)
    calls: list[list[str]] = []
    plays: list[tuple[int, list[dict]]] = []

    def spawn(argv, db_, *, stdin=None):
        calls.append(list(argv))
        code, rows = plays.pop(0)
        (target / "run_results.json").write_text(json.dumps({"results": rows}), encoding="utf-8")
        lines = [json.dumps({"info": {"name": "LogModelResult", "level": "info"},
                             "data": {"node_info": {"node_name": r["unique_id"].rsplit(".", 1)[-1]},
                                      "status": r["status"]}}) for r in rows]
        script = f"import sys; sys.stdout.write({chr(10).join(lines) + chr(10)!r}); sys.exit({code})"
        return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, encoding="utf-8")

    monkeypatch.setattr(dbt, "_spawn", spawn)
    return db, calls, plays


def test_a_build_that_ran_out_of_memory_builds_its_failed_and_skipped_nodes_again_one_at_a_time(fake_dbt):
    db, calls, plays = fake_dbt
    plays += [
        (1, [_result("model.juesuan.int_check_readings", "success"),
             _result("model.juesuan.int_check_ratios", "error", OOM),
             _result("model.juesuan.fct_identity_check", "skipped")]),
        (0, [_result("model.juesuan.int_check_ratios", "success"),
             _result("model.juesuan.fct_identity_check", "success")]),
    ]
    seen = []
    outcome = dbt.run_dbt(["build", "--select", "int_check_readings+", "int_check_ratios+"], db,
                          on_node=lambda name, status: seen.append((name, status)))
    assert calls[0][:1] == ["build"] and calls[1][:3] == ["retry", "--threads", "1"]
    assert "--target-path" in calls[1] and str(dbt.target_dir(db)) in calls[1]   # the retry reads this build's results
    assert outcome.success and outcome.memory_retry
    assert outcome.counts == {"success": 3} and outcome.failures == [] and outcome.error is None
    assert seen == [("int_check_readings", "success"), ("int_check_ratios", "error"), ("fct_identity_check", "skipped"),
                    ("int_check_ratios", "success"), ("fct_identity_check", "success")]


def test_a_node_that_fails_again_alone_fails_the_build_with_its_message(fake_dbt):
    db, calls, plays = fake_dbt
    plays += [(1, [_result("model.juesuan.int_check_ratios", "error", OOM)]),
              (1, [_result("model.juesuan.int_check_ratios", "error", OOM)])]
    outcome = dbt.run_dbt(["build", "--select", "int_check_ratios"], db)
    assert len(calls) == 2 and not outcome.success and outcome.memory_retry
    assert outcome.failures == [("model.juesuan.int_check_ratios", OOM)] and outcome.counts == {"error": 1}


def test_a_build_that_failed_for_another_reason_is_not_run_again(fake_dbt):
    db, calls, plays = fake_dbt
    plays += [(1, [_result("model.juesuan.int_check_ratios", "error", "Binder Error: column x not found"),
                   _result("test.juesuan.not_null_x", "fail", "Got 3 results, configured to fail if != 0")])]
    outcome = dbt.run_dbt(["build", "--select", "int_check_ratios"], db)
    assert len(calls) == 1 and not outcome.success and not outcome.memory_retry
    assert [uid for uid, _ in outcome.failures] == ["model.juesuan.int_check_ratios", "test.juesuan.not_null_x"]


def test_only_a_build_is_retried(fake_dbt):
    db, calls, plays = fake_dbt
    plays += [(1, [_result("test.juesuan.unit_x", "error", OOM)])]
    outcome = dbt.run_dbt(["test", "--select", "test_type:unit"], db)
    assert len(calls) == 1 and not outcome.success and not outcome.memory_retry
