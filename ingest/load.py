"""The ``raw`` schema and set-based loading (Arrow → DuckDB, never row by row).

Each document's rows go in together: a batch of documents is loaded in one
transaction, and if anything in the batch fails the batch is retried one
document at a time so that only the faulty document is recorded as failed.
A document is identified by the hash of its bytes: loading the same bytes
again changes nothing; a changed file under the same path supersedes the
earlier version (its rows are removed, its document row kept as history).
"""

from __future__ import annotations

import json
from dataclasses import fields
from functools import cache
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Iterable

import duckdb
import pyarrow as pa

from ingest.model import Indicator, Observation, ParseIssue, Reject, SectionRow, TableCell
from ingest.parse import ParsedDocument
from ingest.readers import format_of

DEC = pa.decimal128(18, 4)

SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.documents (
    doc_id VARCHAR PRIMARY KEY,
    source_path VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    format VARCHAR,
    encoding VARCHAR,
    size_bytes BIGINT,
    unit_name VARCHAR,
    unit_name_raw VARCHAR,
    unit_scope VARCHAR,
    fiscal_year INTEGER,
    report_kind VARCHAR,
    sector VARCHAR,
    province VARCHAR,
    city VARCHAR,
    county VARCHAR,
    adcode VARCHAR,
    status VARCHAR NOT NULL,          -- ok | partial | not_a_report | unattributed | failed | superseded
    error VARCHAR,
    error_place VARCHAR,
    parser_version VARCHAR,
    parse_ms DOUBLE,
    observation_count INTEGER,
    reject_count INTEGER,
    indicator_count INTEGER,
    is_current BOOLEAN NOT NULL,
    superseded_by VARCHAR,
    ingested_at TIMESTAMP NOT NULL,
    run_id VARCHAR
);
-- completeness of a version, compared between files of one unit-year (stg_documents)
ALTER TABLE raw.documents ADD COLUMN IF NOT EXISTS standard_tables INTEGER;
ALTER TABLE raw.documents ADD COLUMN IF NOT EXISTS toc_promised INTEGER;
ALTER TABLE raw.documents ADD COLUMN IF NOT EXISTS toc_missing INTEGER;
CREATE TABLE IF NOT EXISTS raw.toc_entries (
    doc_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    source_ref VARCHAR,
    title VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,            -- table | section
    found_line INTEGER                -- first heading-like line carrying it; null = missing
);
CREATE TABLE IF NOT EXISTS raw.document_paths (
    doc_id VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    first_seen TIMESTAMP NOT NULL,
    PRIMARY KEY (doc_id, source_path)
);
CREATE TABLE IF NOT EXISTS raw.observations (
    doc_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    item VARCHAR,
    measure VARCHAR NOT NULL,
    scope VARCHAR,
    fiscal_year INTEGER,
    function_code VARCHAR,
    subject_name VARCHAR,
    economic_code VARCHAR,
    project VARCHAR,
    project_kind VARCHAR,
    project_key VARCHAR,
    indicator_no INTEGER,
    ref_key VARCHAR,
    value DECIMAL(18, 4) NOT NULL,
    decimals INTEGER NOT NULL,
    unit VARCHAR,
    value_text VARCHAR,
    printed_unit VARCHAR,
    source_kind VARCHAR NOT NULL,
    table_code VARCHAR,
    table_no INTEGER,
    line_no INTEGER NOT NULL,
    col_no INTEGER,
    source_ref VARCHAR NOT NULL,
    locator VARCHAR,
    section VARCHAR,
    snippet VARCHAR,
    flags VARCHAR,
    PRIMARY KEY (doc_id, seq)
);
CREATE TABLE IF NOT EXISTS raw.rejects (
    doc_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    line_no INTEGER,
    source_ref VARCHAR,
    value_text VARCHAR,
    reason VARCHAR NOT NULL,
    snippet VARCHAR,
    source_kind VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.indicators (
    doc_id VARCHAR NOT NULL,
    indicator_no INTEGER NOT NULL,
    project VARCHAR,
    project_kind VARCHAR,
    level1 VARCHAR,
    level2 VARCHAR,
    indicator VARCHAR,
    nature VARCHAR,
    direction VARCHAR,
    target_text VARCHAR,
    actual_text VARCHAR,
    unit_text VARCHAR,
    weight DECIMAL(18, 4),
    score DECIMAL(18, 4),
    completion_text VARCHAR,
    deviation_reason VARCHAR,
    line_no INTEGER,
    source_ref VARCHAR,
    layout VARCHAR,
    project_key VARCHAR,
    PRIMARY KEY (doc_id, indicator_no)
);
CREATE TABLE IF NOT EXISTS raw.table_cells (
    doc_id VARCHAR NOT NULL,
    table_no INTEGER,
    table_code VARCHAR,
    table_title VARCHAR,
    row_no INTEGER,
    col_no INTEGER,
    line_no INTEGER,
    text VARCHAR,
    value DECIMAL(18, 4),
    role VARCHAR,
    source_ref VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.sections (
    doc_id VARCHAR NOT NULL,
    seq INTEGER,
    level INTEGER,
    number VARCHAR,
    title VARCHAR,
    line_no INTEGER,
    end_line INTEGER,
    parent_seq INTEGER
);
CREATE TABLE IF NOT EXISTS raw.parse_issues (
    doc_id VARCHAR NOT NULL,
    severity VARCHAR,
    place VARCHAR,
    message VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.coverage (
    doc_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,   -- figures | rejects
    key VARCHAR NOT NULL,        -- kind of figure, or reject reason
    n INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS raw.ingest_runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    files_seen INTEGER,
    parsed INTEGER,
    unchanged INTEGER,
    failed INTEGER,
    superseded INTEGER,
    duplicates INTEGER
);
ALTER TABLE raw.ingest_runs ADD COLUMN IF NOT EXISTS skipped INTEGER;  -- files not read: not reports by name or format
"""

CHILD_TABLES = ("observations", "rejects", "indicators", "table_cells", "sections", "parse_issues", "coverage",
                "toc_entries")


def connect(path: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path, read_only=read_only)
    if not read_only:
        con.execute(SCHEMA_SQL)
    return con


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------- rows
def _ref(line_no: int | None, col_no: int | None = None) -> str:
    if line_no is None:
        return ""
    return f"L{line_no}" + (f":C{col_no + 1}" if col_no is not None else "")


def _locator(doc: ParsedDocument, line_no: int | None) -> str | None:
    if doc.locators and line_no and 0 < line_no <= len(doc.locators):
        return doc.locators[line_no - 1]
    return None


def source_ref(doc: ParsedDocument, ref: str | None, line_no: int | None, col_no: int | None = None) -> str:
    """Where a row was read, in the contract's format for the document's format: the cell's own ref when the
    reader gave one ('p10 T1 R5 C3', 'T2 R5 C3', 'Sheet1!D7'); else the line's locator (PDF prose 'p3 L12',
    DOCX paragraph 'P41'; a table row's locator plus the column); text files 'L507' / 'L507:C4'."""
    if ref:
        return ref
    if doc.format != "text":
        locator = _locator(doc, line_no)
        if locator:
            if col_no is not None and " R" in locator and " C" not in locator:
                return f"{locator} C{col_no + 1}"
            return locator
    return _ref(line_no, col_no)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _row(obj: Any) -> dict[str, Any]:
    """Shallow dataclass → dict (the values are scalars; dataclasses.asdict deep-copies and is 10× slower)."""
    return {name: getattr(obj, name) for name in _field_names(type(obj))}


def document_rows(doc: ParsedDocument) -> dict[str, list[dict[str, Any]]]:
    """All child rows of one parsed document, keyed by raw table name."""
    r = doc.result
    observations = []
    for seq, o in enumerate(r.observations, start=1):
        row = _row(o)
        row.update(doc_id=doc.doc_id, seq=seq, source_ref=source_ref(doc, o.source_ref, o.line_no, o.col_no),
                   locator=_locator(doc, o.line_no))
        observations.append(row)
    rejects = [
        dict(doc_id=doc.doc_id, seq=seq, line_no=x.line_no, source_ref=source_ref(doc, x.source_ref, x.line_no),
             value_text=x.value_text,
             reason=x.reason, snippet=x.snippet, source_kind=x.source_kind)
        for seq, x in enumerate(r.rejects, start=1)
    ]
    indicators = []
    for ind in r.indicators:
        row = _row(ind)
        row.update(doc_id=doc.doc_id, source_ref=source_ref(doc, None, ind.line_no))
        indicators.append(row)
    cells = [dict(_row(c), doc_id=doc.doc_id, source_ref=source_ref(doc, c.source_ref, c.line_no, c.col_no))
             for c in r.cells]
    sections = [dict(_row(s), doc_id=doc.doc_id) for s in r.sections]
    issues = [dict(_row(i), doc_id=doc.doc_id) for i in r.issues]
    coverage = [dict(doc_id=doc.doc_id, category=c, key=k, n=n) for c, k, n in coverage_of(doc)]
    contents = [dict(doc_id=doc.doc_id, seq=e.seq, line_no=e.line_no, source_ref=_ref(e.line_no), title=e.title,
                     kind=e.kind, found_line=e.found_line) for e in doc.contents]
    return {
        "observations": observations, "rejects": rejects, "indicators": indicators, "table_cells": cells,
        "sections": sections, "parse_issues": issues, "coverage": coverage,
        "toc_entries": contents,
    }


def coverage_of(doc: ParsedDocument) -> list[tuple[str, str, int]]:
    counts: dict[tuple[str, str], int] = {}
    for o in doc.result.observations:
        counts[("figures", o.kind)] = counts.get(("figures", o.kind), 0) + 1
    for x in doc.result.rejects:
        counts[("rejects", x.reason)] = counts.get(("rejects", x.reason), 0) + 1
    return [(c, k, n) for (c, k), n in sorted(counts.items())]


def document_row(doc: ParsedDocument, *, run_id: str, geo: dict[str, Any], ingested_at: datetime) -> dict[str, Any]:
    errors = [i for i in doc.result.issues if i.severity == "error"]
    return dict(
        doc_id=doc.doc_id, source_path=doc.source_path, source_file=doc.source_file, format=doc.format,
        encoding=doc.encoding, size_bytes=doc.size_bytes, unit_name=doc.unit_name, unit_name_raw=doc.unit_name_raw,
        unit_scope=doc.unit_scope, fiscal_year=doc.fiscal_year, report_kind=doc.report_kind, sector=doc.sector,
        province=geo.get("province"), city=geo.get("city"), county=geo.get("county"), adcode=geo.get("adcode"),
        status=doc.status, error="; ".join(i.message for i in errors) or None,
        error_place="; ".join(i.place for i in errors) or None, parser_version=doc.parser_version,
        parse_ms=doc.parse_ms, observation_count=len(doc.result.observations), reject_count=len(doc.result.rejects),
        indicator_count=len(doc.result.indicators), is_current=True, superseded_by=None, ingested_at=ingested_at,
        run_id=run_id, standard_tables=doc.standard_tables, toc_promised=len(doc.contents),
        toc_missing=sum(e.found_line is None for e in doc.contents),
    )


def failure_row(doc_id: str, path: str, message: str, place: str | None, *, run_id: str,
                ingested_at: datetime, parser_version: str) -> dict[str, Any]:
    return dict(
        doc_id=doc_id, source_path=path, source_file=path.rsplit("/", 1)[-1], format=format_of(path), encoding=None,
        size_bytes=None, unit_name=None, unit_name_raw=None, unit_scope=None, fiscal_year=None, report_kind=None,
        sector=None, province=None, city=None, county=None, adcode=None, status="failed", error=message,
        error_place=place, parser_version=parser_version, parse_ms=None, observation_count=0, reject_count=0,
        indicator_count=0, is_current=False, superseded_by=None, ingested_at=ingested_at, run_id=run_id,
    )


# ---------------------------------------------------------------- arrow
_TYPES: dict[str, dict[str, pa.DataType]] = {}


def _arrow_types(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, pa.DataType]]:
    if table not in _TYPES:
        cols = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position", [table]
        ).fetchall()
        mapping = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
                   "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us")}
        _TYPES[table] = {name: (DEC if dtype.startswith("DECIMAL") else mapping[dtype]) for name, dtype in cols}
    return list(_TYPES[table].items())


def to_arrow(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> pa.Table:
    columns = _arrow_types(con, table)
    arrays = []
    for name, dtype in columns:
        values = [row.get(name) for row in rows]
        if dtype == DEC:
            values = [v if v is None else Decimal(v) for v in values]
        arrays.append(pa.array(values, type=dtype))
    return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    arrow = to_arrow(con, table, rows)
    con.register("_incoming", arrow)
    try:
        con.execute(f"INSERT INTO raw.{table} SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def delete_children(con: duckdb.DuckDBPyConnection, doc_ids: Iterable[str]) -> None:
    ids = list(doc_ids)
    if not ids:
        return
    con.register("_ids", pa.table({"doc_id": pa.array(ids, type=pa.string())}))
    try:
        for table in CHILD_TABLES:
            con.execute(f"DELETE FROM raw.{table} WHERE doc_id IN (SELECT doc_id FROM _ids)")
    finally:
        con.unregister("_ids")


def columns_of_model() -> dict[str, list[str]]:  # used by tests to keep schema and model in step
    return {
        "observations": [f.name for f in fields(Observation)],
        "rejects": [f.name for f in fields(Reject)],
        "indicators": [f.name for f in fields(Indicator)],
        "table_cells": [f.name for f in fields(TableCell)],
        "sections": [f.name for f in fields(SectionRow)],
        "parse_issues": [f.name for f in fields(ParseIssue)],
    }


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
