"""Limits: how big a file, an archive member and one document's parse may get.

One report never needs more than a few MB of file, a few tens of MB of XML, a few
seconds and a few hundred MB of memory.  A file beyond these limits is a mistake or
an attack (a zip bomb: a 600 KB DOCX whose XML inflates to GBs); it fails alone,
with a reason naming the file, and the batch goes on.

Every limit has a generous default and an environment variable:

=============================  =========  ==================================================
``JUESUAN_MAX_FILE_MB``        200        size of a report file on disk
``JUESUAN_MAX_UNZIPPED_MB``    256        total uncompressed size of a DOCX/XLSX archive
``JUESUAN_MAX_ZIP_RATIO``      200        uncompressed/compressed size of one archive member
                                          (checked for members over 4 MB; real Office XML
                                          compresses 5–30×)
``JUESUAN_DOC_TIMEOUT``        300        seconds one document may take to parse (worker is
                                          replaced when over)
``JUESUAN_DOC_MEMORY_MB``      2048       address space a parsing worker may add beyond what
                                          it had after start-up (POSIX ``RLIMIT_AS``)
=============================  =========  ==================================================

Nothing POSIX-only is imported at module level: ``resource`` is imported where it is
used and skipped where it does not exist (Windows: the time budget still applies).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from ingest.errors import ReadError

MB = 1024 * 1024
_RATIO_FLOOR = 4 * MB   # small members may compress arbitrarily well (an empty sheet, a style table)


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r}: give a number") from None
    if value <= 0:
        raise ValueError(f"{name}={text!r}: give a positive number")
    return value


@dataclass(frozen=True)
class Limits:
    """The limits in force; bytes and seconds.  ``Limits.from_env()`` reads the variables above."""

    max_file_bytes: int = 200 * MB
    max_unzipped_bytes: int = 256 * MB
    max_zip_ratio: float = 200.0
    doc_timeout_s: float = 300.0
    doc_memory_bytes: int = 2048 * MB

    @classmethod
    def from_env(cls) -> Limits:
        d = cls()
        return cls(
            max_file_bytes=int(_env_number("JUESUAN_MAX_FILE_MB", d.max_file_bytes / MB) * MB),
            max_unzipped_bytes=int(_env_number("JUESUAN_MAX_UNZIPPED_MB", d.max_unzipped_bytes / MB) * MB),
            max_zip_ratio=_env_number("JUESUAN_MAX_ZIP_RATIO", d.max_zip_ratio),
            doc_timeout_s=_env_number("JUESUAN_DOC_TIMEOUT", d.doc_timeout_s),
            doc_memory_bytes=int(_env_number("JUESUAN_DOC_MEMORY_MB", d.doc_memory_bytes / MB) * MB),
        )


def _mb(n: float) -> str:
    return f"{n / MB:,.1f} MB" if n >= MB else f"{n / 1024:,.0f} KB"


def check_file_size(path: str | Path, size: int, limits: Limits | None = None) -> None:
    """Raise ReadError when a file of `size` bytes is larger than a report can be."""
    limits = limits or Limits.from_env()
    if size > limits.max_file_bytes:
        raise ReadError(str(path), f"file too large: {_mb(size)}, the limit is {_mb(limits.max_file_bytes)}",
                        place="whole file", hint="raise JUESUAN_MAX_FILE_MB if this really is one report")


def check_archive(path: str | Path, data: bytes, limits: Limits | None = None) -> None:
    """Refuse a ZIP container (DOCX/XLSX) that would inflate beyond the limits, before any reader opens it.

    Uses the sizes the archive declares; Python's zipfile (which python-docx and openpyxl read
    through) never inflates a member past its declared size, so a lying header fails the CRC check
    instead of inflating.  Raises ReadError naming the member.  Data that is not a ZIP is left to
    the reader (which reports it as unreadable).
    """
    limits = limits or Limits.from_env()
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if total > limits.max_unzipped_bytes:
                raise ReadError(str(path), f"archive inflates to more than {_mb(limits.max_unzipped_bytes)} "
                                f"(at member {info.filename})", place=f"member {info.filename}",
                                hint="a zip bomb, or not a report; raise JUESUAN_MAX_UNZIPPED_MB if genuine")
            if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise ReadError(str(path), f"archive member {info.filename} inflates {ratio:,.0f}× "
                                f"({_mb(info.compress_size)} → {_mb(info.file_size)}), "
                                f"the limit is {limits.max_zip_ratio:,.0f}×", place=f"member {info.filename}",
                                hint="a zip bomb, or not a report; raise JUESUAN_MAX_ZIP_RATIO if genuine")


def limit_worker_memory(limits: Limits | None = None) -> int | None:
    """Cap this process's address space at its current size plus the per-document budget (RLIMIT_AS).

    Called once in each parsing worker at start-up, so a document that needs more raises
    MemoryError inside the worker (reported as over budget) instead of exhausting the machine.
    Returns the limit in bytes, or None where the platform has no RLIMIT_AS (Windows, some BSDs).
    """
    limits = limits or Limits.from_env()
    try:
        import resource
    except ImportError:   # Windows: only the time budget applies
        return None
    if not hasattr(resource, "RLIMIT_AS"):
        return None
    try:
        import psutil

        current = psutil.Process().memory_info().vms
    except Exception:  # noqa: BLE001 - without a measure of the baseline, no cap
        return None
    cap = current + limits.doc_memory_bytes
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        return None
    return cap


def die_with_parent(parent_pid: int, poll_s: float = 0.5) -> None:
    """End this process as soon as `parent_pid` is gone, however the parent ended (even SIGKILL).

    Linux: the kernel sends SIGKILL on the parent's death (prctl PR_SET_PDEATHSIG).  Everywhere: a
    daemon thread polls the parent and exits when it has gone (re-parented, or no such process).
    Called first thing in parsing workers and in the dbt child process.
    """
    import sys
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)   # PR_SET_PDEATHSIG
        except (OSError, AttributeError):   # pragma: no cover - no libc prctl
            pass

    def watch() -> None:
        import time

        import psutil

        while True:
            if os.getppid() != parent_pid or not psutil.pid_exists(parent_pid):
                os._exit(1)
            time.sleep(poll_s)

    if os.getppid() != parent_pid:   # the parent died before we got here
        os._exit(1)
    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
