"""Ingest many files: decide what needs parsing, parse in parallel, load set-based.

Files whose bytes (content hash) are already loaded by the current parser
version are not parsed again; the same bytes under a second path are recorded
as another path of the same document, never counted twice.  A file that fails
to read or parse is recorded as failed, with the place, and the rest of the
batch loads; an earlier good version of the same path stays current.
"""

from __future__ import annotations

import os
import sys
import traceback
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ingest import PARSER_VERSION
from ingest.errors import IngestError
from ingest.load import (connect, delete_children, document_row, document_rows, failure_row, insert, now)
from ingest.parse import ParsedDocument, content_id, parse_bytes
from ingest.readers import supported_extensions

BATCH = 100


@dataclass
class Failure:
    path: str
    doc_id: str
    message: str
    place: str | None


@dataclass
class IngestSummary:
    run_id: str
    files_seen: int = 0
    parsed: int = 0
    unchanged: int = 0
    failed: int = 0
    superseded: int = 0
    duplicates: int = 0
    documents: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus report files found under directories (sorted)."""
    exts = set(supported_extensions())
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in exts
                            and not f.name.startswith("."))
        else:
            found.append(p)
    seen: set[Path] = set()
    unique = []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _parse_one(path: str, data: bytes) -> tuple[str, Any]:
    """Worker: never raises; returns ("ok", ParsedDocument) or ("error", (message, place))."""
    try:
        return "ok", parse_bytes(Path(path), data)
    except IngestError as exc:
        return "error", (exc.message + (f" ({exc.hint})" if exc.hint else ""), exc.place)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the batch
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        return "error", (f"parser error {type(exc).__name__}: {exc}",
                         f"{Path(frame.filename).name}:{frame.lineno}")


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


def ingest_paths(paths: Iterable[str | Path], db_path: str, *, workers: int | None = None,
                 progress: bool = False, force: bool = False) -> IngestSummary:
    files = discover(paths)
    run_id = uuid.uuid4().hex[:12]
    summary = IngestSummary(run_id=run_id, files_seen=len(files))
    started = now()
    con = connect(db_path)
    try:
        known = {row[0]: row for row in con.execute(
            "SELECT doc_id, source_path, status, parser_version FROM raw.documents").fetchall()}
        todo: list[tuple[str, str, bytes]] = []
        seen_this_run: dict[str, str] = {}
        aliases: list[dict[str, Any]] = []
        for f in files:
            path = str(f)
            try:
                data = f.read_bytes()
            except OSError as exc:
                doc_id = content_id(path.encode())
                summary.failures.append(Failure(path, doc_id, f"cannot read file: {exc.strerror or exc}", None))
                continue
            doc_id = content_id(data)
            if doc_id in seen_this_run:
                summary.duplicates += 1
                aliases.append(dict(doc_id=doc_id, source_path=path, first_seen=started))
                continue
            seen_this_run[doc_id] = path
            prior = known.get(doc_id)
            if prior is not None and not force and prior[3] == PARSER_VERSION and prior[2] != "superseded":
                if prior[1] != path:
                    summary.duplicates += 1
                else:
                    summary.unchanged += 1
                aliases.append(dict(doc_id=doc_id, source_path=path, first_seen=started))
                continue
            todo.append((path, doc_id, data))

        results = _parse_all(todo, workers, progress)
        names = {r.unit_name for kind, r in results if kind == "ok" and r.unit_name}
        geo = _geography(names)
        for start in range(0, len(results), BATCH):
            _load_batch(con, results[start:start + BATCH], summary, geo, run_id)
        for failure in summary.failures:
            if failure.doc_id not in known:
                _record_failure(con, failure, run_id)
        if aliases:
            con.execute("BEGIN")
            for a in aliases:
                con.execute("INSERT INTO raw.document_paths SELECT ?, ?, ? WHERE NOT EXISTS "
                            "(SELECT 1 FROM raw.document_paths WHERE doc_id = ? AND source_path = ?)",
                            [a["doc_id"], a["source_path"], a["first_seen"], a["doc_id"], a["source_path"]])
            con.execute("COMMIT")
        summary.failed = len(summary.failures)
        con.execute("INSERT INTO raw.ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, started, now(), summary.files_seen, summary.parsed, summary.unchanged,
                     summary.failed, summary.superseded, summary.duplicates])
    finally:
        con.close()
    return summary


def _parse_all(todo: list[tuple[str, str, bytes]], workers: int | None, progress: bool) -> list[tuple[str, Any]]:
    """Parse in a process pool (in-process when there is one file), keeping input order."""
    if not todo:
        return []
    workers = workers or min(len(todo), os.cpu_count() or 1)
    results: list[tuple[str, Any] | None] = [None] * len(todo)
    bar = _progress(len(todo), progress)
    if workers <= 1 or len(todo) == 1:
        for i, (path, doc_id, data) in enumerate(todo):
            results[i] = _tag(_parse_one(path, data), path, doc_id)
            bar.advance()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_parse_one, path, data): i for i, (path, _, data) in enumerate(todo)}
            for future in as_completed(futures):
                i = futures[future]
                path, doc_id, _ = todo[i]
                results[i] = _tag(future.result(), path, doc_id)
                bar.advance()
    bar.close()
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


def _load_batch(con, batch: list[tuple[str, Any]], summary: IngestSummary, geo: dict, run_id: str) -> None:
    try:
        con.execute("BEGIN")
        outcomes = [_load_one(con, kind, payload, geo, run_id) for kind, payload in batch]
        con.execute("COMMIT")
    except Exception:  # noqa: BLE001 - isolate the faulty document
        con.execute("ROLLBACK")
        outcomes = []
        for kind, payload in batch:
            try:
                con.execute("BEGIN")
                outcomes.append(_load_one(con, kind, payload, geo, run_id))
                con.execute("COMMIT")
            except Exception as exc:  # noqa: BLE001
                con.execute("ROLLBACK")
                doc = payload
                outcomes.append(("failed", Failure(doc.source_path, doc.doc_id, f"load error: {exc}", None)))
    for outcome, info in outcomes:
        if outcome == "failed":
            summary.failures.append(info)
        else:
            summary.parsed += 1
            summary.superseded += info.pop("_superseded", 0)
            summary.documents.append(info)


def _load_one(con, kind: str, payload: Any, geo: dict, run_id: str) -> tuple[str, Any]:
    if kind == "error":
        return "failed", payload
    doc: ParsedDocument = payload
    ts = now()
    # re-parse of the same bytes (new parser version): replace its rows
    delete_children(con, [doc.doc_id])
    con.execute("DELETE FROM raw.documents WHERE doc_id = ?", [doc.doc_id])
    # a changed file under the same path supersedes the earlier version
    older = [r[0] for r in con.execute(
        "SELECT doc_id FROM raw.documents WHERE source_path = ? AND doc_id <> ? AND is_current",
        [doc.source_path, doc.doc_id]).fetchall()]
    if older:
        delete_children(con, older)
        con.execute("UPDATE raw.documents SET is_current = false, status = 'superseded', superseded_by = ? "
                    "WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [doc.doc_id, older])
    insert(con, "documents", [document_row(doc, run_id=run_id, geo=geo.get(doc.unit_name or "", {}), ingested_at=ts)])
    for table, rows in document_rows(doc).items():
        insert(con, table, rows)
    con.execute("INSERT INTO raw.document_paths SELECT ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM raw.document_paths WHERE doc_id = ? AND source_path = ?)",
                [doc.doc_id, doc.source_path, ts, doc.doc_id, doc.source_path])
    kinds = Counter(o.kind for o in doc.result.observations)
    reasons = Counter(x.reason for x in doc.result.rejects)
    return "loaded", {
        "doc_id": doc.doc_id, "path": doc.source_path, "unit": doc.unit_name_raw, "year": doc.fiscal_year,
        "status": doc.status, "figures": len(doc.result.observations), "rejects": len(doc.result.rejects),
        "by_kind": dict(kinds), "by_reason": dict(reasons), "issues": [i.message for i in doc.result.issues],
        "parse_ms": round(doc.parse_ms, 1), "_superseded": len(older),
    }


def _record_failure(con, failure: Failure, run_id: str) -> None:
    """A failed file gets a document row (not current) saying where and why; nothing else changes."""
    exists = con.execute("SELECT 1 FROM raw.documents WHERE doc_id = ?", [failure.doc_id]).fetchone()
    if exists:
        return
    con.execute("BEGIN")
    insert(con, "documents", [failure_row(failure.doc_id, failure.path, failure.message, failure.place,
                                          run_id=run_id, ingested_at=now(), parser_version=PARSER_VERSION)])
    con.execute("COMMIT")
