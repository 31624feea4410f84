"""One writer at a time: a run holds an exclusive lock beside the warehouse file.

DuckDB itself refuses a second read-write process, but a run opens and closes the
file several times (ingest, dbt, checks); the lock covers the whole run so two
scheduled runs can never interleave.  The lock is an OS lock (fcntl.flock): it is
released when the process ends, even if it is killed, so a stale lock file never
blocks the next run.
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path


class WarehouseBusy(RuntimeError):
    pass


class WarehouseLock:
    def __init__(self, db: Path):
        self.path = db.with_name(db.name + ".lock")
        self._fh = None

    def __enter__(self) -> "WarehouseLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            fh.close()
            try:
                info = json.loads(holder)
                who = f"pid {info['pid']}, running `{info['command']}` since {info['since']}"
            except (ValueError, KeyError):
                who = "another process"
            raise WarehouseBusy(
                f"{self.path.with_suffix('')}: the warehouse is being written by {who}. "
                "Wait for it to finish (runs are safe to repeat), or stop that process; nothing was changed."
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "command": " ".join(sys.argv[1:]) or "juesuan",
                             "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
