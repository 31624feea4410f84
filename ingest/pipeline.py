"""Ingest many files: decide what needs parsing, parse in parallel, load set-based.

Files whose bytes (content hash) are already loaded by the current parser
version are not parsed again; the same bytes under a second path are recorded
as another path of the same document, never counted twice.  A file that fails
to read or parse is recorded as failed, with the place, and the rest of the
batch loads; an earlier good version of the same path stays current.  A file that
failed is reported as failed on every run until it changes; a good file at its path
later replaces the failure.

Files that are not reports are skipped, with the reason, before anything is read: in a walked folder
every file whose format no reader takes (images, archives …), and anywhere a file named like a project's
own documentation or packaging (README, LICENSE, CHANGELOG, manifest …, whatever the extension) — such
a file quotes report figures and years and would otherwise be read as a report (see NOT_REPORT_NAMES).

A file is known without being read when its (path, size, mtime in ns) equals what was recorded when its
bytes were last hashed (raw.file_stats, see FileStats) — the rule of make and rsync's quick check.  Its known
limit: a file rewritten with other bytes of the same size and given back its old mtime (``touch -d``, a
copy that keeps times over a same-size edit) is taken as unchanged; ``checksum=True`` (`juesuan run
--checksum`) reads and hashes every file, and ``force`` does too.

Parsing happens in worker processes (started by spawn, so they inherit no lock or
connection) under per-document budgets (ingest.limits): a document over its time
budget has its worker stopped and replaced, one over its memory budget fails with
MemoryError; either way the document fails with the reason and the batch goes on.
Workers end with the parent process, however it ends.
"""

from __future__ import annotations

import atexit
import fnmatch
import gc
import multiprocessing
import os
import re
import sys
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest import PARSER_VERSION
from ingest.errors import IngestError
from ingest.limits import MB, Limits, check_file_size, die_with_parent, limit_worker_memory
from ingest.schema import connect, now

if TYPE_CHECKING:
    from ingest.load import PackedDocument

# The parser, the loader and pyarrow (≈ 1.5 s of imports, pandas among them) are imported where a
# document is read, parsed or loaded: a run that finds nothing new never needs them.


def content_id(data: bytes) -> str:
    """A document's id: the hash of its bytes (ingest.parse.content_id, imported on first use)."""
    from ingest.parse import content_id as of_bytes

    return of_bytes(data)


def parse_bytes(path: Path, data: bytes):
    """ingest.parse.parse_bytes (one document's bytes → ParsedDocument), imported on first use."""
    from ingest.parse import parse_bytes as parse

    return parse(path, data)


def supported_extensions() -> list[str]:
    """File extensions a reader takes (ingest.readers.supported_extensions)."""
    from ingest.readers import supported_extensions as extensions

    return extensions()

BATCH = 200   # documents per set of INSERTs (one INSERT … SELECT per raw table for the batch)
BAD_COPY = " — a bad copy over a loaded report: "   # joins a failure's reason and what stays loaded
CHUNK = 200   # documents parsed before they are loaded; at most two chunks are held besides the open transaction's

# Child rows per load transaction: a transaction spans batches (and chunks) until it holds this many rows, then
# commits.  DuckDB writes a table's appended rows straight into the database file, compressed, once they fill a
# row group (122,880 rows; "optimistic writes"), and logs only the rest in the write-ahead log; a row that goes
# through the log is written twice (the log at COMMIT, the file at the next checkpoint), uncompressed the first
# time.  At 200 documents a transaction, raw.observations (≈ 300 rows a generated report) never filled a row
# group: ≈ 120 KB of log a report, the COMMITs and checkpoints ≈ 1.3 of the parent's ≈ 2.2 CPU-ms a report.  At
# 1.5 M rows (≈ 1,000 generated reports, ≈ 265 MB of Arrow held for a retry) the log is ≈ 10 KB a report:
# measured (bench/bench_ingest.py --stages DIR --grow 6000), the parent 2.27 → 1.76 CPU-ms a report, the peak
# RSS of that run +226 MB (1 M rows: 1.84 CPU-ms; 0.7 M: 2.11).  The documents of the open transaction are kept
# until it commits, so a failure can be retried batch by batch and then document by document.
COMMIT_ROWS = 1_500_000

# A parsed document's outcome (ingest.load.pack: path, unit, year, status, figures by kind, rejects by reason,
# issues) is ≈ 2.6 KB in the parent, and a run kept every one: 263 MB at 100,000 reports, where the parent's
# peak was 2,051 MB (bench/README.md, "Sixteenth round").  Only the first DOCUMENTS_KEPT are kept (the per-document
# tables of `juesuan ingest -v`; the warehouse has every document's coverage, raw.coverage), and every doc_id.
DOCUMENTS_KEPT = 10_000

# DuckDB's write-ahead log size at which a COMMIT also checkpoints (writes the log into the database file),
# while ingest_paths loads.  A checkpoint rewrites the raw tables' primary-key indexes whole, so its cost grows
# with the warehouse; at DuckDB's default (16 MB) a 200-document batch (≈ 25 MB of log, ≈ 125 KB a generated
# report) checkpointed on every other COMMIT, and the parent's CPU per report grew with the warehouse (measured,
# bench/README.md "Branch ingest4": 3.6 → 7.2 CPU-ms a report from the first to the last tenth of a run to
# 10,000 reports, 6.1 on average; 4.0 with this threshold).  It checkpoints once every ≈ 2,000 reports and bounds
# what the log holds (and the memory DuckDB keeps for it: +126 MB at 10,000; 1 GB would cost +780 MB); a crash
# loses nothing (the log is replayed at the next open).  (Since COMMIT_ROWS, little goes through the log.)
# The instance's own setting is given back at the end, and closing the last connection checkpoints.
CHECKPOINT_THRESHOLD = "256MB"
# DuckDB's buffer pool while loading (JUESUAN_INGEST_MEMORY; DuckDB's own default is 80 % of the machine's
# memory).  The pool keeps every block the load wrote or read — the tables' blocks, the open transaction's rows,
# the primary keys' ART — and evicts nothing until it is full, so one long run's memory grew with what it had
# loaded (measured, duckdb_memory() in one run over 25,000 reports: cached table blocks 36 → 580 MB; a run to
# 100,000 stood at 3.8 GB RSS after 26,000).  With a limit, written blocks are evicted (they are on disk):
# the parent's peak stays the Python process (≈ 0.7 GB with its imports) plus this (bench/README.md, "Ingest
# memory").
INGEST_MEMORY = os.environ.get("JUESUAN_INGEST_MEMORY", "1GB")


@dataclass
class Failure:
    path: str
    doc_id: str
    message: str
    place: str | None


@dataclass
class Skipped:
    """A file that was not read, and why (``reason`` one line)."""
    path: str
    reason: str


@dataclass
class IngestSummary:
    run_id: str
    files_seen: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: int = 0
    hashed: int = 0        # files read and hashed; the others were known by their size and mtime
    failed: int = 0
    superseded: int = 0
    duplicates: int = 0
    documents: list[dict[str, Any]] = field(default_factory=list)   # outcomes of the first DOCUMENTS_KEPT parsed
    doc_ids: list[str] = field(default_factory=list)                # every parsed document's doc_id, in order
    failures: list[Failure] = field(default_factory=list)

    @property
    def parsed(self) -> int:
        """Documents parsed and loaded in this run (one doc_id each)."""
        return len(self.doc_ids)

    @property
    def ok(self) -> bool:
        return self.failed == 0


# The names of a project's or a download's own files — documentation, licences, packaging, checksums —
# which are never a report, whatever their extension (README.md, readme_zh.txt, LICENSE, manifest.csv,
# SHA256SUMS).  A stem equal to one of these, or starting with one followed by . _ - or a space.
NOT_REPORT_NAMES = re.compile(
    r"^(?:readme|read[ _-]?me|license|licence|copying|notice|changelog|changes|authors|contributors|contributing|"
    r"manifest|checksums?|sha\d*sums?|md5sums?)(?:[._\- ].*)?$", re.IGNORECASE)


def not_a_report_by_name(path: Path) -> str | None:
    """The reason a file is not a report by its name alone (NOT_REPORT_NAMES), else None."""
    if NOT_REPORT_NAMES.match(path.stem) or NOT_REPORT_NAMES.match(path.name):
        return "not a report: a documentation or packaging file by its name"
    return None


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """Files named directly, plus report files found under directories (sorted), as absolute paths, each once;
    and the files skipped with their reason: under a directory, hidden files and folders (``.git``) and a
    warehouse's outputs folder (_warehouse_outputs) silently, files of a format no reader takes; anywhere,
    files named like documentation (not_a_report_by_name)."""
    found, skipped = _discover(paths)
    return [f for f, _ in found], skipped


def _discover(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, os.stat_result | None]], list[Skipped]]:
    """discover(), with each file's stat (None for a file named directly that cannot be stat'ed).

    One ``os.scandir`` per folder (linked folders are not walked, as with Path.rglob): a directory entry
    says whether it is a file without a stat call,
    and the one stat a report file needs (its size and mtime, for FileStats) is the entry's own; a file
    is resolved (symlinks followed) only when it is a symlink, else its resolved path is its folder's
    resolved path and its name.  Cost: one stat per report file, none per skipped one.
    """
    exts = set(supported_extensions())
    found: list[tuple[Path, Path, os.stat_result | None]] = []   # (path, resolved, stat)
    skipped: list[Skipped] = []
    for p in map(Path, paths):
        p = p.expanduser().absolute()
        if not p.is_dir():
            try:
                st = p.stat()
            except OSError:
                st = None
            found.append((p, p.resolve(), st))
            continue
        under: list[tuple[Path, Path, os.stat_result | None]] = []
        stack = [(p, p.resolve())]
        while stack:
            folder, real = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for e in entries:
                if e.name.startswith("."):
                    continue
                try:
                    if e.is_dir(follow_symlinks=False):   # as Path.rglob: a linked folder is not walked
                        if not _warehouse_outputs(folder, e.name):
                            stack.append((Path(e.path), real / e.name))
                        continue
                    if not e.is_file():
                        continue
                except OSError:
                    continue
                f = Path(e.path)
                if f.suffix.lower() not in exts:
                    skipped.append(Skipped(str(f), f"not a report format ({f.suffix.lower() or 'no extension'})"))
                    continue
                try:
                    st = e.stat()
                except OSError:
                    st = None
                under.append((f, f.resolve() if e.is_symlink() else real / e.name, st))
        under.sort(key=lambda t: t[0])
        found += under
    skipped.sort(key=lambda s: s.path)
    seen: set[Path] = set()
    unique: list[tuple[Path, os.stat_result | None]] = []
    for f, key, st in found:
        if key in seen:
            continue
        seen.add(key)
        reason = not_a_report_by_name(f)
        if reason:
            skipped.append(Skipped(str(f), reason))
        else:
            unique.append((f, st))
    return unique, skipped


def _warehouse_outputs(folder: Path, name: str) -> bool:
    """Whether folder/name is a warehouse's outputs folder — ``<stem>_outputs`` beside ``<stem>.duckdb``
    (juesuan.paths.outputs_dir) — whose pages (report.html, the site, Data Docs) quote every report's figures and
    would be read as reports now that HTML is a report format.  Not walked, as a hidden folder is not."""
    return name.endswith("_outputs") and (folder / f"{name[:-len('_outputs')]}.duckdb").is_file()


# a file whose mtime is this close to the moment its bytes were hashed is not trusted by its stat: it may
# have been written again within the same mtime tick (coarse file-system timestamps) — git's "racily
# clean" rule.  It assumes the file system's clock within RACY_NS of this machine's (a file server's clock
# ahead only costs re-hashing; one behind by more lets a racy write pass).  Rows of paths that are gone stay
# in raw.file_stats, unused.
RACY_NS = 2_000_000_000


class FileStats:
    """What each path's (size, mtime_ns) was when its bytes were last hashed, and the doc_id they gave
    (raw.file_stats, one row per path).

    ``known(path, st)`` is the recorded doc_id when the file's size and mtime (ns) both equal the recorded
    ones and the file was already RACY_NS old when it was hashed; else None (read and hash it).
    ``hashed(path, st, doc_id, at_ns)`` records a fresh hash (``st`` taken before the read, so a write
    during the read changes the mtime and the next run reads again); ``save(con)`` upserts them in one
    statement.  ``enabled=False`` (--checksum, --force) trusts nothing and still records.
    """

    def __init__(self, con, enabled: bool = True):
        self.recorded = {row[0]: row[1:] for row in con.execute(
            "SELECT source_path, size_bytes, mtime_ns, doc_id, hashed_at_ns FROM raw.file_stats").fetchall()} \
            if enabled else {}
        self.fresh: dict[str, tuple[int, int, str, int]] = {}

    def known(self, path: str, st: os.stat_result) -> str | None:
        rec = self.recorded.get(path)
        if rec is None:
            return None
        size, mtime_ns, doc_id, hashed_at_ns = rec
        if size == st.st_size and mtime_ns == st.st_mtime_ns and hashed_at_ns - mtime_ns >= RACY_NS:
            return doc_id
        return None

    def hashed(self, path: str, st: os.stat_result, doc_id: str, at_ns: int) -> None:
        self.fresh[path] = (st.st_size, st.st_mtime_ns, doc_id, at_ns)

    def save(self, con) -> None:
        if not self.fresh:
            return
        paths = list(self.fresh)
        rows = [self.fresh[p] for p in paths]
        # lists bound as parameters and unnested side by side: no pyarrow (and no pandas) on a quiet run
        con.execute("INSERT OR REPLACE INTO raw.file_stats (source_path, size_bytes, mtime_ns, doc_id, hashed_at_ns) "
                    "SELECT unnest(?::VARCHAR[]), unnest(?::BIGINT[]), unnest(?::BIGINT[]), unnest(?::VARCHAR[]), "
                    "unnest(?::BIGINT[])", [paths, [r[0] for r in rows], [r[1] for r in rows],
                                            [r[2] for r in rows], [r[3] for r in rows]])


# A parsing worker lives for thousands of documents and keeps what it has read in per-text caches (lines,
# sentences, labels): tens of thousands of long-lived objects that every full garbage collection would
# walk again, more of them as the process goes on (measured: 20 CPU-ms a report over the first 100
# reports of a worker, 33 after 900; 19–21 throughout with collection off).  Every _SETTLE_EVERY documents
# the process collects once and freezes what survived (gc.freeze: later collections skip it).  Frozen
# objects are still freed by reference counting when a cache drops them; only reference cycles among them
# would outlive their use, and the cached values (strings, tuples, tokens, subjects) hold none.
_SETTLE_EVERY = 50
_parsed_here = 0
_in_worker = False


# Between those settlements the automatic collector finds nothing to free — parsing makes no reference cycles
# (measured: 0 unreachable objects per 50 reports with automatic collection off) — yet at Python's default
# thresholds (700, 10, 10) it walks the young objects of every parse (≈ 100,000 a report) again and again:
# ≈ 18 % of a worker's parse and pack CPU.  Workers collect only every WORKER_GC_THRESHOLDS[0] net
# allocations, so a cycle made by a document is still freed during it (and at the next settlement).
WORKER_GC_THRESHOLDS = (100_000, 50, 1000)


def worker_gc() -> None:
    """The garbage-collection thresholds of a parsing worker (WORKER_GC_THRESHOLDS); see _settle."""
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _settle() -> None:
    """In a parsing worker: count a parsed document; every _SETTLE_EVERY of them, collect garbage and freeze
    the survivors.  Only workers (_worker_init) do this: a process that parses in passing (tests, benches) keeps
    the default collector."""
    global _parsed_here
    if not _in_worker:
        return
    _parsed_here += 1
    if _parsed_here % _SETTLE_EVERY == 0:
        if _parsed_here == _SETTLE_EVERY:
            atexit.register(gc.unfreeze)  # at exit, everything is collected as usual (extension modules check)
        gc.collect()
        gc.freeze()


def _worker_init(parent_pid: int, limits: Limits) -> None:
    """Start-up of a parsing worker: end with the parent, leave Ctrl-C to the parent, cap memory."""
    import signal

    import pyarrow as pa

    global _in_worker
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _in_worker = True
    worker_gc()
    # Arrow reserves address space by the tens of MB when first used (its allocator, its threads), which
    # RLIMIT_AS counts: the documents' Arrow tables (ingest.load.pack) use malloc, and Arrow is started
    # before the cap, so the per-document budget measures the document, not the library
    pa.set_memory_pool(pa.system_memory_pool())
    pa.array(["start"])
    limit_worker_memory(limits)


def _reason(exc: BaseException) -> str:
    """A non-empty one-line reason for an exception (some libraries raise with no message)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else f"{type(exc).__name__} (no message given)"


def _test_delay(path: str) -> None:
    """Tests only: JUESUAN_TEST_PARSE_DELAY="SECONDS[:PATTERN]" holds the parse of files whose name matches
    PATTERN (default all), so a run can be interrupted mid-parse or a time budget exceeded."""
    spec = os.environ.get("JUESUAN_TEST_PARSE_DELAY")
    if not spec:
        return
    seconds, _, pattern = spec.partition(":")
    if not pattern or fnmatch.fnmatch(Path(path).name, pattern):
        time.sleep(float(seconds))


def _parse_one(path: str, limits: Limits | None = None) -> tuple[str, Any]:
    """Worker: reads and parses one file; never raises.

    Returns ("ok", PackedDocument) or ("error", (message, place)); the message is never empty.
    The worker reads the bytes itself, so only a path crosses the process boundary on the way in, and
    it sends back the document's rows as Arrow tables (ingest.load.pack), not the parser's objects:
    unpickling Arrow buffers costs the parent next to nothing.
    """
    from ingest.load import pack

    limits = limits or Limits()
    _test_delay(path)
    try:
        check_file_size(path, os.stat(path).st_size, limits)
        document = parse_bytes(Path(path), Path(path).read_bytes())
        _settle()
        return "ok", pack(document)
    except OSError as exc:
        return "error", (f"cannot read file: {exc.strerror or _reason(exc)}", None)
    except IngestError as exc:
        message = exc.message or "unreadable (the reader gave no reason)"
        return "error", (message + (f" ({exc.hint})" if exc.hint else ""), exc.place)
    except MemoryError:
        return "error", (f"over the memory budget of {limits.doc_memory_bytes // MB} MB per document "
                         "(JUESUAN_DOC_MEMORY_MB)", "whole file")
    except RecursionError as exc:
        return "error", (f"parser error {_reason(exc)}", "whole file")
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the batch
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        return "error", (f"parser error {_reason(exc)}", f"{Path(frame.filename).name}:{frame.lineno}")


def _geography(names: set[str]) -> dict[str, dict[str, Any]]:
    """province / city / county / adcode for unit names, via cpca."""
    names = {n for n in names if n}
    if not names:
        return {}
    try:
        import cpca
    except ImportError:  # pragma: no cover - cpca is a declared dependency
        return {}
    ordered = sorted(names)
    frame = cpca.transform(ordered)
    out: dict[str, dict[str, Any]] = {}
    for name, (_, row) in zip(ordered, frame.iterrows()):
        def clean(v):
            return None if v is None or (isinstance(v, float) and v != v) or str(v) in ("", "nan", "None") else str(v)
        out[name] = {"province": clean(row.get("省")), "city": clean(row.get("市")), "county": clean(row.get("区")),
                     "adcode": clean(row.get("adcode"))}
    return out


@contextmanager
def loading_settings(con):
    """The DuckDB settings ingest_paths loads under, for the block; the instance's own values are given back at
    its end (they are settings of the database instance, which a caller's other connection to the same file
    shares).

    - one thread: the loads are small set-based INSERTs (≈ 1,000 rows a document) that a second thread does
      not speed up, and the parsing workers keep the other cores busy — measured, 4.1 → 2.7 CPU-ms a document
      for the parent's load with the default (one thread per core);
    - checkpoint_threshold = CHECKPOINT_THRESHOLD (see there);
    - write_buffer_row_group_count = 1: a table's appended rows go into the database file as soon as they fill one
      row group (COMMIT_ROWS), not five — the open transaction holds less (measured, ≈ 90 MB less at
      COMMIT_ROWS; the same CPU).
    - memory_limit = INGEST_MEMORY (see there): the parent's memory does not grow with what one run loads.
    """
    threads, threshold, buffered, memory = con.execute(
        "SELECT current_setting('threads'), current_setting('checkpoint_threshold'), "
        "current_setting('write_buffer_row_group_count'), current_setting('memory_limit')").fetchone()
    con.execute("SET threads = 1")
    con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    con.execute("SET write_buffer_row_group_count = 1")
    con.execute("SET memory_limit = ?", [INGEST_MEMORY])
    try:
        yield con
    finally:
        con.execute(f"SET threads = {int(threads)}")
        con.execute(f"SET checkpoint_threshold = '{threshold}'")
        con.execute(f"SET write_buffer_row_group_count = {int(buffered)}")
        con.execute("SET memory_limit = ?", [memory])


def ingest_paths(paths: Iterable[str | Path], db_path: str, *, workers: int | None = None,
                 progress: bool = False, force: bool = False, checksum: bool = False,
                 on_parse: Callable[[int], None] | None = None) -> IngestSummary:
    """Parse and load report files (folders are walked); returns what happened to each file.

    A file already loaded from the same bytes by this parser version is not parsed again; one that
    failed before is reported as failed again (with its stored reason) until its bytes change —
    ``force`` re-parses both.  A file whose path, size and mtime are those recorded when it was last
    hashed is not read at all (FileStats; ``checksum`` or ``force`` read and hash every file).
    Limits come from the environment (ingest.limits.Limits.from_env).  ``on_parse(n)`` is called once,
    before the first of ``n`` files is parsed (not at all when nothing is to be parsed): a caller starts
    there what only a run with new documents needs.
    """
    limits = Limits.from_env()
    files, skipped = _discover(paths)
    run_id = uuid.uuid4().hex[:12]
    summary = IngestSummary(run_id=run_id, files_seen=len(files), skipped=skipped)
    started = now()
    con = connect(db_path)
    try:
        with loading_settings(con):
            known = {row[0]: row for row in con.execute(
                "SELECT doc_id, source_path, status, parser_version, error, error_place FROM raw.documents").fetchall()}
            stats = FileStats(con, enabled=not (checksum or force))
            todo: list[tuple[str, str]] = []
            seen_this_run: dict[str, str] = {}
            aliases: list[dict[str, Any]] = []
            for f, st in files:
                path = str(f)
                try:
                    st = st or f.stat()   # taken before the read: a write during it changes the mtime
                    check_file_size(path, st.st_size, limits)   # before reading it whole to hash it
                    doc_id = stats.known(path, st)
                    if doc_id is None:
                        at_ns = time.time_ns()
                        doc_id = content_id(f.read_bytes())
                        summary.hashed += 1
                        stats.hashed(path, st, doc_id, at_ns)
                except OSError as exc:
                    doc_id = content_id(path.encode())
                    summary.failures.append(Failure(path, doc_id, f"cannot read file: {exc.strerror or exc}", None))
                    continue
                except IngestError as exc:
                    doc_id = content_id(f"{path}\0{exc.message}".encode())
                    summary.failures.append(Failure(path, doc_id, f"{exc.message} ({exc.hint})", exc.place))
                    continue
                if doc_id in seen_this_run:
                    summary.duplicates += 1
                    aliases.append(dict(doc_id=doc_id, source_path=path, first_seen=started))
                    continue
                seen_this_run[doc_id] = path
                prior = known.get(doc_id)
                if prior is not None and not force and prior[3] == PARSER_VERSION and prior[2] == "failed":
                    # the same bytes failed before: still failed, and said so, until the file changes
                    reason = (prior[4] or "could not be read").split(BAD_COPY)[0]
                    summary.failures.append(Failure(path, doc_id, reason, prior[5]))
                    continue
                if prior is not None and not force and prior[3] == PARSER_VERSION and prior[2] != "superseded":
                    if prior[1] != path:
                        summary.duplicates += 1
                    else:
                        summary.unchanged += 1
                    aliases.append(dict(doc_id=doc_id, source_path=path, first_seen=started))
                    continue
                todo.append((path, doc_id))

            if todo and on_parse is not None:
                on_parse(len(todo))
            # parse and load chunk by chunk: memory stays bounded whatever the corpus size
            bar = _progress(len(todo), progress)
            try:
                with _Workers(len(todo), workers, limits) if todo else _NoWorkers() as pool:
                    # the workers parse chunk k+1 while this process loads chunk k
                    loader = _Loader(con, summary, run_id)
                    parsed: list[tuple[str, Any]] | None = None
                    for start in range(0, len(todo) + CHUNK, CHUNK):
                        chunk = todo[start:start + CHUNK]
                        futures = _submit(chunk, pool)
                        if parsed is not None:
                            loader.load(parsed)
                        parsed = _collect(chunk, futures, bar, limits) if chunk else None
                        if parsed is None:
                            break
                    loader.finish()
            finally:
                bar.close()
            for failure in summary.failures:
                _record_failure(con, failure, run_id)
            # a second path holding the bytes of a file that failed (two empty files) fails too: named, not hidden
            failed = {f.doc_id: f for f in summary.failures}
            for a in aliases:
                first = failed.get(a["doc_id"])
                if first is not None and first.path != a["source_path"]:
                    summary.failures.append(Failure(a["source_path"], a["doc_id"],
                                                    f"{first.message} (the same bytes as {first.path})", first.place))
                    summary.duplicates -= 1
            if aliases:
                _record_aliases(con, aliases, started)
            stats.save(con)
            summary.failed = len(summary.failures)
            con.execute("INSERT INTO raw.ingest_runs (run_id, started_at, finished_at, files_seen, parsed, unchanged, "
                        "failed, superseded, duplicates, skipped, hashed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [run_id, started, now(), summary.files_seen, summary.parsed, summary.unchanged,
                         summary.failed, summary.superseded, summary.duplicates, len(summary.skipped), summary.hashed])
    finally:
        con.close()
    return summary


def _record_aliases(con, aliases: list[dict[str, Any]], first_seen) -> None:
    """Paths holding bytes already loaded (unchanged files, second copies), set-based in one transaction:
    each (doc_id, path) pair is recorded once in raw.document_paths, and a failure recorded earlier for
    such a path is history (superseded by the loaded bytes).  A path occurs once per run (discover)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _aliases AS SELECT unnest(?::VARCHAR[]) AS doc_id, "
                "unnest(?::VARCHAR[]) AS source_path", [[a["doc_id"] for a in aliases], [a["source_path"] for a in aliases]])
    try:
        con.execute("BEGIN")
        con.execute("""INSERT INTO raw.document_paths SELECT a.doc_id, a.source_path, ? FROM _aliases a
                       WHERE NOT EXISTS (SELECT 1 FROM raw.document_paths p
                                         WHERE p.doc_id = a.doc_id AND p.source_path = a.source_path)""", [first_seen])
        con.execute("""UPDATE raw.documents SET status = 'superseded', superseded_by = a.doc_id, is_current = false
                       FROM _aliases a
                       WHERE raw.documents.source_path = a.source_path AND raw.documents.doc_id <> a.doc_id
                         AND (raw.documents.status = 'failed'
                              OR (raw.documents.is_current AND raw.documents.cut_short_of IS NOT NULL))""")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _aliases")


class _Workers:
    """The parsing processes: a pebble ProcessPool of spawned workers with a per-document timeout.

    Pebble stops a worker whose task is over its time budget and starts a new one, so the batch
    goes on.  Leaving the block by an exception (Ctrl-C, SIGTERM, a load error) stops every worker
    at once instead of waiting for their tasks.
    """

    def __init__(self, n: int, workers: int | None, limits: Limits):
        self.size = max(1, min(n, workers or os.cpu_count() or 1))
        self.limits = limits
        self.pool = None

    def __enter__(self):
        import pebble

        self.pool = pebble.ProcessPool(max_workers=self.size, initializer=_worker_init,
                                       initargs=(os.getpid(), self.limits),
                                       context=multiprocessing.get_context("spawn"))
        return self

    def schedule(self, path: str):
        return self.pool.schedule(_parse_one, args=(path, self.limits), timeout=self.limits.doc_timeout_s)

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.pool.close()
        else:
            self.pool.stop()
        self.pool.join()


class _NoWorkers:
    """Nothing to parse: no worker process is started (and pebble is not imported)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None: ...


class _Loader:
    """Loads parsed chunks into the warehouse (``load(results)``, then ``finish()``): BATCH documents per set of
    INSERTs (places looked up once per chunk), several batches per transaction — it commits once it holds
    COMMIT_ROWS child rows, and at ``finish``.

    One faulty document never blocks the others: if a statement or the COMMIT fails, the transaction is rolled
    back and its batches are loaded again, one transaction each; a batch that fails again is loaded one
    document per transaction, and only the document that still fails is recorded as failed ("load error: …").
    A document counts as parsed (``summary.parsed``, ``summary.doc_ids``, ``summary.documents``) once its
    transaction committed."""

    def __init__(self, con, summary: IngestSummary, run_id: str):
        self.con, self.summary, self.run_id = con, summary, run_id
        self.open: list[tuple[list[PackedDocument], dict, list]] = []   # the open transaction's batches, outcomes
        self.rows = 0

    def load(self, results: list[tuple[str, Any]]) -> None:
        """One parsed chunk: ("ok", PackedDocument) or ("error", Failure) each, in input order."""
        geo = _geography({r.unit_name for kind, r in results if kind == "ok" and r.unit_name})
        for b in range(0, len(results), BATCH):
            self._batch(results[b:b + BATCH], geo)

    def _batch(self, batch: list[tuple[str, Any]], geo: dict) -> None:
        docs = [payload for kind, payload in batch if kind == "ok"]
        self.summary.failures += [payload for kind, payload in batch if kind == "error"]
        if not docs:
            return
        if not self.open:
            self.con.execute("BEGIN")
        try:
            outcomes = _load_documents(self.con, docs, geo, self.run_id)
        except Exception:  # noqa: BLE001 - isolate the faulty document
            self._retry([(docs, geo)])
            return
        self.open.append((docs, geo, outcomes))
        self.rows += sum(table.num_rows for d in docs for table in d.tables.values())
        if self.rows >= COMMIT_ROWS:
            self.finish()

    def finish(self) -> None:
        """Commit the open transaction (if any) and count its documents."""
        if not self.open:
            return
        try:
            self.con.execute("COMMIT")
        except Exception:  # noqa: BLE001
            self._retry([])
            return
        for _, _, outcomes in self.open:
            self._count(outcomes)
        self.open, self.rows = [], 0

    def _retry(self, failed: list[tuple[list[PackedDocument], dict]]) -> None:
        """Roll the open transaction back and load its batches and ``failed`` again, a transaction each; a batch
        that fails again one document per transaction."""
        _rollback(self.con)
        batches = [(docs, geo) for docs, geo, _ in self.open] + failed
        self.open, self.rows = [], 0
        for docs, geo in batches:
            try:
                self.con.execute("BEGIN")
                outcomes = _load_documents(self.con, docs, geo, self.run_id)
                self.con.execute("COMMIT")
            except Exception:  # noqa: BLE001
                _rollback(self.con)
                outcomes = []
                for doc in docs:
                    try:
                        self.con.execute("BEGIN")
                        outcomes += _load_documents(self.con, [doc], geo, self.run_id)
                        self.con.execute("COMMIT")
                    except Exception as exc:  # noqa: BLE001
                        _rollback(self.con)
                        outcomes.append(("failed", Failure(doc.source_path, doc.doc_id, f"load error: {exc}", None)))
            self._count(outcomes)

    def _count(self, outcomes: list[tuple[str, Any]]) -> None:
        for outcome, info in outcomes:
            if outcome == "failed":
                self.summary.failures.append(info)
            else:
                self.summary.superseded += info.pop("_superseded", 0)
                self.summary.doc_ids.append(info["doc_id"])
                if len(self.summary.documents) < DOCUMENTS_KEPT:
                    self.summary.documents.append(info)


def _rollback(con) -> None:
    """ROLLBACK, when a transaction is still open (a failed COMMIT may have ended it already)."""
    import duckdb

    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass


def _submit(chunk: list[tuple[str, str]], pool: _Workers) -> dict:
    """Schedule one chunk's documents on the workers: future → position in the chunk."""
    return {pool.schedule(path): i for i, (path, _) in enumerate(chunk)}


def _collect(chunk: list[tuple[str, str]], futures: dict, bar, limits: Limits) -> list[tuple[str, Any]]:
    """The chunk's results in input order; a document over budget fails alone."""
    import pebble

    results: list[tuple[str, Any] | None] = [None] * len(chunk)
    for future in as_completed(futures):
        i = futures[future]
        path, doc_id = chunk[i]
        try:
            result = future.result()
        except FutureTimeout:
            result = "error", (f"over the time budget of {limits.doc_timeout_s:g}s per document "
                               "(JUESUAN_DOC_TIMEOUT); its parser was stopped", "whole file")
        except pebble.ProcessExpired as exc:
            result = "error", (f"the parsing process ended abruptly (exit code {exc.exitcode}), "
                               f"e.g. over the memory budget of {limits.doc_memory_bytes // MB} MB", "whole file")
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
            result = "error", (f"parser error {_reason(exc)}", None)
        results[i] = _tag(result, path, doc_id)
        bar.advance()
    return [r for r in results if r is not None]


def _tag(result: tuple[str, Any], path: str, doc_id: str) -> tuple[str, Any]:
    kind, payload = result
    if kind == "ok":
        return result
    message, place = payload
    return "error", Failure(path, doc_id, message, place)


class _NoBar:
    def advance(self) -> None: ...

    def close(self) -> None: ...


class _RichBar:
    def __init__(self, total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 transient=True, console=_stderr_console())
        self.task = self.progress.add_task("parse", total=total)
        self.progress.start()

    def advance(self) -> None:
        self.progress.advance(self.task)

    def close(self) -> None:
        self.progress.stop()


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _progress(total: int, enabled: bool):
    return _RichBar(total) if enabled and sys.stderr.isatty() else _NoBar()


def _load_documents(con, docs: list[PackedDocument], geo: dict, run_id: str) -> list[tuple[str, Any]]:
    """Replace these documents' rows and supersede earlier versions of their paths — set-based: one
    INSERT … SELECT per raw table for the whole batch (the documents' Arrow tables concatenated)."""
    import pyarrow as pa

    from ingest.load import delete_children, insert, insert_arrow, registered, with_run

    ts = now()
    ids = [d.doc_id for d in docs]
    with registered(con, "_batch", pa.table({"doc_id": pa.array(ids, pa.string()),
                                             "source_path": pa.array([d.source_path for d in docs], pa.string())})):
        # re-parse of the same bytes (new parser version, --force): replace their rows.  Child rows exist only
        # beside a raw.documents row (they are loaded and superseded with it): the child tables (millions of
        # rows in a large warehouse) are scanned only when some document of the batch is there already
        again = con.execute("SELECT doc_id FROM raw.documents WHERE doc_id IN (SELECT doc_id FROM _batch)").fetchall()
        if again:
            delete_children(con, [d for (d,) in again])
            con.execute("DELETE FROM raw.documents WHERE doc_id IN (SELECT doc_id FROM _batch)")
        # a changed file under the same path supersedes the earlier version — unless it is a copy cut short of it
        older = con.execute("""SELECT d.doc_id, b.doc_id FROM raw.documents d JOIN _batch b USING (source_path)
                               WHERE (d.is_current OR d.status = 'failed') AND d.doc_id <> b.doc_id""").fetchall()
        insert(con, "documents", [with_run(d.fields, run_id=run_id, geo=geo.get(d.unit_name or "", {}), ingested_at=ts)
                                  for d in docs])
        for table in sorted({t for d in docs for t in d.tables}):
            insert_arrow(con, table, pa.concat_tables([d.tables[table] for d in docs if table in d.tables]))
        con.execute("""INSERT INTO raw.document_paths SELECT b.doc_id, b.source_path, ? FROM _batch b
                       WHERE NOT EXISTS (SELECT 1 FROM raw.document_paths p
                                         WHERE p.doc_id = b.doc_id AND p.source_path = b.source_path)""", [ts])
        cut = _mark_cut_copies(con, docs, ids)
        older = [(old, new) for old, new in older if cut.get(new) != old]
        if older:
            delete_children(con, [old for old, _ in older])
            with registered(con, "_older", pa.table({"old": pa.array([o for o, _ in older], pa.string()),
                                                     "new": pa.array([n for _, n in older], pa.string())})):
                con.execute("""UPDATE raw.documents SET is_current = false, status = 'superseded', superseded_by = o.new
                               FROM _older o WHERE raw.documents.doc_id = o.old""")
    superseded = Counter(new for _, new in older)
    return [("loaded", dict(doc.outcome, _superseded=superseded.get(doc.doc_id, 0))) for doc in docs]


def _mark_cut_copies(con, docs: list[PackedDocument], ids: list[str]) -> dict[str, str]:
    """Mark the batch's documents that are copies cut short of another current version
    (ingest.truncation.cut_copies): status partial (unless already partial, unattributed …), the message and
    place added to their error and parse issues, ``cut_short_of`` set — so the complete version keeps
    counting (int_document_versions ranks a cut copy below it) and, at the same path, stays current.
    Returns {cut copy: the complete version}."""
    from ingest.truncation import cut_copies

    found = cut_copies(con, ids)
    for doc in docs:
        if doc.doc_id not in found:
            continue
        old, place, message = found[doc.doc_id]
        con.execute("""UPDATE raw.documents SET status = CASE status WHEN 'ok' THEN 'partial' ELSE status END,
                           cut_short_of = ?, error = concat_ws('; ', error, ?), error_place = concat_ws('; ', error_place, ?)
                       WHERE doc_id = ?""", [old, message, place, doc.doc_id])
        con.execute("INSERT INTO raw.parse_issues VALUES (?, 'error', ?, ?)", [doc.doc_id, place, message])
        if doc.outcome.get("status") == "ok":
            doc.outcome["status"] = "partial"
        doc.outcome["issues"] = [*doc.outcome.get("issues", []), message]
    return {new: old for new, (old, _, _) in found.items()}


def _record_failure(con, failure: Failure, run_id: str) -> None:
    """A failed file gets a document row (status failed, not current) saying where and why; the reason is
    never empty.  It is the path's one recorded failure (an earlier failure of other bytes at that path is
    superseded).

    A bad copy never removes what was loaded: when its path has a loaded, current version, that version
    stays current (and counts) and the failure is recorded beside it, its error naming the version that
    stays — so `juesuan status` and `juesuan report` count and list it on every run until the file is
    fixed (the fixed file then supersedes the failure).  Bytes that are themselves loaded are never
    recorded as failed.

    A failure already recorded exactly so (same bytes, path, reason, place and parser version, and no other
    failure at that path) is left as it is: the warehouse does not change, so a run whose only news is a
    file that still fails leaves dbt's build fingerprint, and with it the build and the checks, skipped.
    """
    if con.execute("SELECT 1 FROM raw.documents WHERE is_current AND doc_id = ?", [failure.doc_id]).fetchone():
        return
    loaded = con.execute("SELECT doc_id FROM raw.documents WHERE is_current AND source_path = ? "
                         "ORDER BY cut_short_of IS NOT NULL, doc_id",
                         [failure.path]).fetchall()
    message = failure.message or "could not be read"
    if loaded:
        message += BAD_COPY + f"the version loaded earlier from this path (doc_id {loaded[0][0][:16]}) stays " \
                              "until the file is fixed"
    same = con.execute("SELECT count(*) FILTER (WHERE doc_id = ? AND error IS NOT DISTINCT FROM ? "
                       "AND error_place IS NOT DISTINCT FROM ? AND parser_version = ?), count(*) "
                       "FROM raw.documents WHERE source_path = ? AND status = 'failed'",
                       [failure.doc_id, message, failure.place, PARSER_VERSION, failure.path]).fetchone()
    if same == (1, 1):
        return
    from ingest.load import failure_row, insert

    con.execute("BEGIN")
    try:
        con.execute("UPDATE raw.documents SET status = 'superseded', superseded_by = ? "
                    "WHERE source_path = ? AND doc_id <> ? AND status = 'failed'",
                    [failure.doc_id, failure.path, failure.doc_id])
        con.execute("DELETE FROM raw.documents WHERE doc_id = ?", [failure.doc_id])
        insert(con, "documents", [failure_row(failure.doc_id, failure.path, message,
                                              failure.place, run_id=run_id, ingested_at=now(),
                                              parser_version=PARSER_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
