"""Nothing stuck: a killed run leaves no process and no lock behind, and the next ordinary run repairs everything.

The crash tests run `juesuan run` as a real process (in its own session, so every process it starts
can be found by its process group), signal it while it parses or while dbt builds, and then run it
once more without any manual step: the marts must equal a clean build of the same files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from warehouse import REPORTS, VOLATILE, query, snapshot

from ingest.pipeline import _parse_one
from juesuan.cli import main
from juesuan.lock import WarehouseLock
from juesuan.paths import dbt_log_dir
from juesuan.status import freshness

ROOT = Path(__file__).resolve().parents[1]
POSIX = os.name == "posix"
needs_posix = pytest.mark.skipif(not POSIX, reason="process groups and signals as on POSIX")


def _juesuan(*args: str, env: dict | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "juesuan", *args], cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def _run(*args: str, env: dict | None = None) -> tuple[int, str, str]:
    proc = _juesuan(*args, env=env)
    out, err = proc.communicate(timeout=900)
    return proc.returncode, out, err


def _alive_in_group(pgid: int) -> list[psutil.Process]:
    """Processes (not zombies) of a process group."""
    found = []
    for p in psutil.process_iter(["status"]):
        try:
            if os.getpgid(p.pid) == pgid and p.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(p)
        except (ProcessLookupError, psutil.Error, PermissionError):
            continue
    return found


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _children(proc: subprocess.Popen, marker: str) -> list[psutil.Process]:
    try:
        kids = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for k in kids:
        try:
            if marker in " ".join(k.cmdline()):
                out.append(k)
        except psutil.Error:
            continue
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The bundled reports in one folder, a clean build of them, and a warehouse holding the first three."""
    base = tmp_path_factory.mktemp("crash")
    folder = base / "reports"
    folder.mkdir()
    for src in sorted(REPORTS.glob("*.txt")):
        shutil.copy(src, folder / src.name)
    reference = base / "reference" / "w.duckdb"
    code, out, err = _run("run", str(folder), "--db", str(reference), "--no-docs")
    assert code == 0, out + err
    earlier = base / "earlier" / "w.duckdb"
    first_three = [str(p) for p in sorted(folder.glob("*.txt"))[:3]]
    code, out, err = _run("run", *first_three, "--db", str(earlier), "--no-docs")
    assert code == 0, out + err
    return {"folder": folder, "reference": reference, "earlier": earlier, "base": base}


@needs_posix
@pytest.mark.pipeline
@pytest.mark.slow
@pytest.mark.parametrize("phase", ["parse", "dbt"])
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_run_leaves_nothing_running_and_the_next_run_repairs_everything(corpus, tmp_path, phase, signum):
    db = tmp_path / "w.duckdb"
    shutil.copy(corpus["earlier"], db)          # an existing warehouse; two new reports arrive
    env = {"JUESUAN_TEST_PARSE_DELAY": "4"} if phase == "parse" else {}
    proc = _juesuan("run", str(corpus["folder"]), "--db", str(db), "--no-docs", env=env)
    try:
        if phase == "parse":
            workers = _wait_for(lambda: _children(proc, "multiprocessing"), 120, "parsing workers")
            time.sleep(1.0)
            lock = str(db) + ".lock"
            for w in workers:   # no worker holds the warehouse lock (spawned, nothing inherited)
                assert lock not in [f.path for f in w.open_files()]
        else:
            dbt = _wait_for(lambda: _children(proc, "juesuan.dbt"), 300, "the dbt child")[0]
            time.sleep(5.0)
            assert dbt.is_running(), "dbt finished before it could be interrupted"
        assert proc.poll() is None
        os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    if signum == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        # the dbt child is started while the last files are parsed (juesuan.dbt.Standby): it may be the ingest
        steps = "读取" if phase == "parse" else "(读取|构建（dbt build）)"
        assert re.search(f"被信号 15 终止（正在{steps}，该步骤已进行 \\d+ 秒，命令共 \\d+ 秒）", " ".join(err.split())), err
    else:
        assert proc.returncode == -signal.SIGKILL
    # nothing left running: parsing workers and dbt end with the run
    _wait_for(lambda: not _alive_in_group(proc.pid), 30, "the run's processes to end")

    # a run that did not finish is no refresh: the last refresh is still the earlier run's
    assert freshness(db).last_run_at == freshness(corpus["earlier"]).last_run_at
    newest = "select command, refreshed, outcome, exit_code from raw.runs order by started_at desc limit 1"
    if signum == signal.SIGTERM:   # the run records how it ended
        assert query(db, newest) == [("run", False, "interrupted", 128 + signal.SIGTERM)]
    else:                          # no chance to: no end recorded
        assert query(db, newest) == [("run", False, None, None)]
        assert query(db, "select count(*) from raw.runs where finished_at is null") == [(1,)]

    # one ordinary run, no manual step
    code, out, err = _run("run", str(corpus["folder"]), "--db", str(db), "--no-docs")
    assert code == 0, out + err
    if signum == signal.SIGKILL:
        assert "没有完成；接管" in " ".join(err.split())
        assert "未记录结束（被强行终止或崩溃）；已在 raw.runs 记为强行终止" in " ".join(err.split())
        assert query(db, "select command, outcome, exit_code from raw.runs where finished_at is null") == \
            [("run", "killed", None)]
    assert query(db, newest) == [("run", True, "finished", 0)]
    assert snapshot(db, exclude=VOLATILE) == snapshot(corpus["reference"], exclude=VOLATILE)
    assert freshness(db).last_run_at > freshness(corpus["earlier"]).last_run_at


@needs_posix
def test_a_run_stopped_by_its_callers_time_limit_says_which_step_it_was_in(tmp_path):
    """A caller's `timeout` (SIGTERM) ends the run with one line naming the step and how long it had run, and
    raw.runs.stages keeps the steps done and the one interrupted — so a time limit can be matched to its step."""
    report = sorted(REPORTS.glob("*.txt"))[0]
    db = tmp_path / "w.duckdb"
    proc = _juesuan("--db", str(db), "run", str(report), "--no-docs", env={"JUESUAN_TEST_PARSE_DELAY": "60"})
    try:
        _wait_for(lambda: _children(proc, "multiprocessing"), 120, "parsing workers")
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    line = " ".join(err.split())
    assert "被信号 15 终止（正在读取，该步骤已进行 " in line, err
    assert "；数据仓库保留此前已提交的内容，下次运行会补全" in line
    [(outcome, stages)] = query(db, "select outcome, stages from raw.runs")
    assert outcome == "interrupted"
    assert list(json.loads(stages)) == ["ingest"] and json.loads(stages)["ingest"]["interrupted"] is True
    assert json.loads(stages)["ingest"]["seconds"] >= 1.0


@pytest.mark.pipeline
@pytest.mark.slow
def test_replacing_a_loaded_report_by_an_empty_file_is_reported_until_fixed(corpus, tmp_path):
    db = tmp_path / "w.duckdb"
    folder = tmp_path / "reports"
    shutil.copytree(corpus["folder"], folder)
    assert _run("run", str(folder), "--db", str(db), "--no-docs")[0] == 0
    victim = sorted(folder.glob("004_*.txt"))[0]
    good = victim.read_bytes()
    before = snapshot(db, exclude=VOLATILE)
    victim.write_bytes(b"")
    for extra in ((), ("--force",)):
        code, out, err = _run("run", str(folder), "--db", str(db), "--no-docs", *extra)
        assert code == 4, out + err        # not 1: the warehouse is fine, one file is not
        assert f"{victim}（第 0 字节）：空文件" in " ".join(out.split())
    # the loaded version stayed; the bad copy is recorded beside it (failed, not counted), so status counts it
    after = snapshot(db, exclude=VOLATILE)
    assert {k: v for k, v in after.items() if k != "dim_document"} == \
        {k: v for k, v in before.items() if k != "dim_document"}
    assert query(db, "select status, counted_in_facts from marts.dim_document where source_path = ? order by 1",
                 [str(victim)]) == [("failed", False), ("ok", True)]
    assert freshness(db).failed == 1
    victim.write_bytes(good)
    code, out, err = _run("run", str(folder), "--db", str(db), "--no-docs")
    assert code == 0, out + err
    assert snapshot(db, exclude=VOLATILE) == before


# ---------------------------------------------------------------- the lock

def test_the_lock_records_its_owner(tmp_path):
    db = tmp_path / "w.duckdb"
    with WarehouseLock(db) as lock:
        owner = json.loads(lock.owner_path.read_text(encoding="utf-8"))
        assert (owner["pid"], owner["host"]) == (os.getpid(), socket.gethostname())
        assert owner["command"].startswith("juesuan") and owner["since"].endswith("+00:00")
    assert not lock.owner_path.exists()


HOLDER = """
import sys, time
from pathlib import Path
from juesuan.lock import WarehouseLock
from juesuan.paths import dbt_log_dir
from juesuan.status import freshness
with WarehouseLock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_live_holder_gives_exit_3_naming_it(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert main(["ingest", str(REPORTS), "--db", str(db)]) == 3
        err = " ".join(capsys.readouterr().err.split())
        assert f"数据仓库正由主机 {socket.gethostname()} 上的进程 {holder.pid}" in err and "本次没有改动任何内容" in err
        assert main(["--lang", "en", "ingest", str(REPORTS), "--db", str(db)]) == 3
        err = " ".join(capsys.readouterr().err.split())
        assert f"being written by pid {holder.pid} on {socket.gethostname()}" in err and "nothing was changed" in err
        assert not db.exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_dead_owners_record_is_taken_over_with_a_message(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    owner = db.with_name(db.name + ".lock.owner")
    owner.write_text(json.dumps({"pid": gone.pid, "host": socket.gethostname(), "command": "juesuan run",
                                 "since": "2026-01-01T00:00:00+00:00"}), encoding="utf-8")
    report = sorted(REPORTS.glob("003_*.txt"))[0]
    assert main(["ingest", str(report), "--db", str(db)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"上一次运行（主机 {socket.gethostname()} 上的进程 {gone.pid}（`juesuan run`，始于 " \
           "2026-01-01T00:00:00+00:00））没有完成；接管" in err
    assert not owner.exists()


ORPHANING_HOLDER = """
import json, os, socket, sys, time
from datetime import datetime, timezone
from filelock import FileLock
db = sys.argv[1]
lock = FileLock(db + ".lock", timeout=0)
lock.acquire()
open(db + ".lock.owner", "w").write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
    "command": "juesuan run", "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
if os.fork() == 0:          # a child that inherited the locked descriptor outlives its parent
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    time.sleep(120)
    os._exit(0)
print(os.getpid(), flush=True)
os._exit(0)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_lock_kept_by_an_orphan_of_a_dead_owner_is_taken_over(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    proc = subprocess.run([sys.executable, "-c", ORPHANING_HOLDER, str(db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, start_new_session=True)
    dead = int(proc.stdout.strip())
    try:
        report = sorted(REPORTS.glob("003_*.txt"))[0]
        assert main(["ingest", str(report), "--db", str(db)]) == 0
        err = " ".join(capsys.readouterr().err.split())
        assert f"锁：主机 {socket.gethostname()} 上的进程 {dead}（`juesuan run`，始于" in err
        assert "已不存在，但它的锁仍被持有；接管" in err
    finally:
        for p in _alive_in_group(dead):   # the session of the dead holder: its orphan
            p.kill()


# ---------------------------------------------------------------- failures stay visible

def test_a_file_that_failed_is_reported_again_until_fixed(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    folder = tmp_path / "in"
    folder.mkdir()
    bad = folder / "report.txt"
    bad.write_bytes(b"")
    for _ in range(2):
        assert main(["ingest", str(folder), "--db", str(db)]) == 4
        out = " ".join(capsys.readouterr().out.split())
        assert f"✗ {bad}（第 0 字节）：空文件（文件没有任何内容）" in out   # the stored English, in Chinese
    assert query(db, "select status, error from raw.documents") == [("failed", "empty file (the file has no content)")]
    shutil.copy(sorted(REPORTS.glob("004_*.txt"))[0], bad)  # a complete report (003 is partial: its tables are attachments)
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    # the fixed file replaced the failure: one document for the path
    assert query(db, "select status from raw.documents where status <> 'superseded'") == [("ok",)]
    assert main(["ingest", str(folder), "--db", str(db)]) == 0


def test_no_failure_is_recorded_without_a_reason(tmp_path, monkeypatch):
    import ingest.pipeline as pipeline

    path = tmp_path / "odd.txt"
    path.write_text("x", encoding="utf-8")

    def silent(*_):
        raise ValueError()   # e.g. pdfminer's PDFPasswordIncorrect carries no message

    monkeypatch.setattr(pipeline, "parse_bytes", silent)
    kind, (message, place) = _parse_one(str(path))
    assert kind == "error" and message == "parser error ValueError (no message given)"
    assert place.startswith("test_crash_safety.py:")


def test_markup_in_paths_is_printed_as_text(tmp_path, capsys):
    folder = tmp_path / "in[" / "b]"        # the path contains "[/b]"
    folder.mkdir(parents=True)
    shutil.copy(sorted(REPORTS.glob("003_*.txt"))[0], folder / "a[red].txt")
    (folder / "e[i].txt").write_bytes(b"")
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(folder), "--db", str(db)]) == 4
    out = " ".join(capsys.readouterr().out.split())
    assert f"失败 {folder}/e[i].txt（第 0 字节）：空文件" in out
    assert "a[red].txt" in out


# ---------------------------------------------------------------- disk full

def _can_mount_tmpfs() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.mark.pipeline
@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs root to mount a small tmpfs")
def test_a_full_disk_is_one_clear_line(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mnt)], check=True)
    try:
        db = mnt / "w.duckdb"
        report = sorted(REPORTS.glob("003_*.txt"))[0]
        assert main(["ingest", str(report), "--db", str(db)]) == 0
        used = shutil.disk_usage(mnt).used // 1024
        subprocess.run(["mount", "-o", f"remount,size={used + 400}k", str(mnt)], check=True)
        code, out, err = _run("build", "--db", str(db))
        assert code == 1
        lines = [ln for ln in (out + err).splitlines() if ln.strip()]
        assert "Traceback" not in out + err
        assert lines[-1].strip() == (f"✗ disk full: no space left on device while dbt wrote {db} "
                                     f"(free space in {mnt}; details in {dbt_log_dir(db)}/dbt.log)")
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_posix_only_modules_are_not_imported_at_module_level():
    """juesuan/ and ingest/ import on Windows: fcntl, resource, termios… only inside functions, guarded."""
    posix_only = ("fcntl", "resource", "termios", "pwd", "grp", "posix")
    offenders = []
    for package in ("juesuan", "ingest"):
        for path in (ROOT / package).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith(("import ", "from ")) and line.split()[1].split(".")[0] in posix_only:
                    offenders.append(f"{path.relative_to(ROOT)}: {line}")
    assert offenders == []


def test_a_run_that_did_not_finish_is_not_a_refresh(tmp_path, capsys):
    from juesuan.status import record_run_finished, record_run_started

    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(sorted(REPORTS.glob("003_*.txt"))[0]), "--db", str(db)]) == 0
    run_id = record_run_started(db, "run")       # … then killed during dbt: no end recorded
    assert main(["--lang", "en", "status", "--db", str(db), "--max-age", "1d"]) == 5
    assert "stale: last run never, allowed 1d" in capsys.readouterr().out
    record_run_finished(db, run_id, refreshed=False, exit_code=1)     # the build failed: no refresh either
    assert main(["status", "--db", str(db), "--max-age", "1d"]) == 5
    record_run_finished(db, run_id, refreshed=True, exit_code=0)
    assert main(["status", "--db", str(db), "--max-age", "1d"]) == 0


def test_status_names_a_run_that_never_recorded_its_end_and_the_next_run_marks_it_killed(tmp_path, capsys):
    from juesuan.status import freshness, record_run_started

    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(sorted(REPORTS.glob("003_*.txt"))[0]), "--db", str(db)]) == 0
    capsys.readouterr()
    record_run_started(db, "run")                    # … and killed: no end, and no live lock owner
    assert main(["--lang", "en", "status", "--db", str(db)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "never recorded its end: killed or crashed" in out
    notes: list[str] = []
    record_run_started(db, "run", notify=notes.append)   # the next run (it holds the lock: nothing else runs)
    assert len(notes) == 1 and "never recorded its end (killed or crashed); recorded as killed" in notes[0]
    assert query(db, "select outcome, exit_code from raw.runs order by started_at") == [("killed", None), (None, None)]
    assert freshness(db).last_attempt.outcome is None and freshness(db).last_run_at is None


@pytest.mark.pipeline
def test_a_run_that_exits_4_records_4_and_a_bad_copy_over_a_loaded_report_is_counted(tmp_path, capsys):
    """raw.runs keeps the exit code the process returns; a bad copy over a loaded report is recorded (failed,
    beside the loaded version that still counts), so `status` counts it and `report` lists it."""
    folder = tmp_path / "in"
    folder.mkdir()
    report = folder / "004.txt"
    shutil.copy(sorted(REPORTS.glob("004_*.txt"))[0], report)
    db = tmp_path / "w.duckdb"
    assert main(["run", str(folder), "--db", str(db), "--no-docs"]) == 0
    report.write_bytes(b"")
    assert main(["run", str(folder), "--db", str(db), "--no-docs"]) == 4
    assert query(db, "select exit_code, outcome, refreshed from raw.runs order by started_at") == \
        [(0, "finished", True), (4, "finished", True)]
    assert query(db, "select status, counted_in_facts, error_place from marts.dim_document order by status") == \
        [("failed", False, "byte 0"), ("ok", True, None)]
    capsys.readouterr()
    assert main(["--lang", "en", "status", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "documents failed" in out and [ln for ln in out.splitlines() if "documents failed" in ln][0].split()[-2] == "1"
    assert "exit code 4 (some documents could not be read)" in " ".join(out.split())
