"""One writer at a time: a run holds an exclusive lock beside the warehouse file.

DuckDB itself refuses a second read-write process, but a run opens and closes the
file several times (ingest, dbt, checks); the lock covers the whole run so two
scheduled runs can never interleave.

The lock is ``filelock.FileLock`` on ``<warehouse>.lock`` (an OS lock on every
platform: released when the holding process ends, even when it is killed).  Who
holds it is recorded beside it in ``<warehouse>.lock.owner`` (JSON: pid, host,
command, since), so a refused run can name the holder, and a run that finds the
record of a run that never finished says so and takes over.  Worker and dbt
processes never inherit the lock: they are started by exec (spawn), and Python
opens files non-inheritable.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from filelock import FileLock, Timeout

from juesuan.i18n import tr


class WarehouseBusy(RuntimeError):
    """Another live process holds the warehouse lock; the message names it (pid, host, command, since)."""


def _owner_alive(info: dict) -> bool:
    """True when the recorded owner may still be running: another host (cannot tell), or a live pid
    whose process started before the lock was taken (a reused pid started later is not the owner)."""
    if info.get("host") not in (None, socket.gethostname()):
        return True
    try:
        proc = psutil.Process(int(info["pid"]))
        started = datetime.fromtimestamp(proc.create_time(), UTC)
        since = datetime.fromisoformat(info["since"])
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except (KeyError, ValueError, TypeError, psutil.Error):
        return True
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    # `since` is recorded to the second; the owner started before it took the lock
    return started <= since + timedelta(seconds=1)


def _describe(info: dict) -> str:
    try:
        return tr(f"主机 {info.get('host', '?')} 上的进程 {info['pid']}（`{info['command']}`，始于 {info['since']}）",
                  f"pid {info['pid']} on {info.get('host', '?')}, running `{info['command']}` since {info['since']}")
    except (KeyError, TypeError):
        return tr("另一个进程", "another process")


class WarehouseLock:
    """Context manager: hold ``<db>.lock`` for the duration of a run.

    Raises WarehouseBusy when a live process holds it.  ``notify(message)`` receives the one-line
    notice when the record of a run that did not finish (its process is gone) is taken over.
    """

    def __init__(self, db: Path, notify: Callable[[str], None] | None = None):
        self.path = db.with_name(db.name + ".lock")
        self.owner_path = db.with_name(db.name + ".lock.owner")
        self.notify = notify or (lambda message: print(message, file=sys.stderr))
        self._lock = FileLock(self.path, timeout=0, thread_local=False)
        self._held = False

    def _read_owner(self) -> dict | None:
        try:
            return json.loads(self.owner_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def __enter__(self) -> WarehouseLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            info = self._read_owner() or {}
            if not _owner_alive(info):
                time.sleep(0.5)   # a new holder may be between taking the lock and recording itself
                info = self._read_owner() or {}
            if _owner_alive(info):
                raise WarehouseBusy(tr(
                    f"{self.path.with_suffix('')}：数据仓库正由{_describe(info)}写入。"
                    "请等它结束（运行可以安全重复），或停止该进程；本次没有改动任何内容。",
                    f"{self.path.with_suffix('')}: the warehouse is being written by {_describe(info)}. "
                    "Wait for it to finish (runs are safe to repeat), or stop that process; nothing was changed."
                )) from None
            # the recorded owner is dead but its lock survives: an orphaned process inherited it.
            # Take over with a new lock file (the orphan keeps a lock on the unlinked one).
            self.notify(tr(f"锁：{_describe(info)}已不存在，但它的锁仍被持有；接管",
                           f"lock: {_describe(info)} is gone but its lock was still held; taking it over"))
            try:
                self.path.unlink()
            except OSError:
                pass
            try:
                self._lock.acquire()
            except Timeout:
                raise WarehouseBusy(tr(f"{self.path}：被一个未登记的进程持有；本次没有改动任何内容。请停止该进程或删除锁文件。",
                                       f"{self.path}: held by a process that is not recorded; nothing was changed. "
                                       "Stop it or remove the lock file.")) from None
        else:
            previous = self._read_owner()
            if previous is not None:
                self.notify(tr(f"锁：上一次运行（{_describe(previous)}）没有完成；接管 — 本次运行会补全它的工作",
                               f"lock: the previous run ({_describe(previous)}) did not finish; taking over — "
                               "this run completes its work"))
        self._held = True
        self.owner_path.write_text(json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(["juesuan", *sys.argv[1:]]),
            "since": datetime.now(UTC).isoformat(timespec="seconds")}), encoding="utf-8")
        return self

    def __exit__(self, *exc) -> None:
        if self._held:
            try:
                self.owner_path.unlink()
            except OSError:
                pass
            self._lock.release()
            self._held = False
