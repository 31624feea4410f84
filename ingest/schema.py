"""The ``raw`` schema (SCHEMA_SQL) and the connection that creates it, without the loader's imports (pyarrow,
the parser): what a run that finds nothing new needs.  Every statement is IF NOT EXISTS, so a warehouse
made by an older version gains the new tables and columns on its next connection."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

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
-- the complete version a copy cut short is the beginning of (ingest.truncation.cut_copies); it never outranks it
ALTER TABLE raw.documents ADD COLUMN IF NOT EXISTS cut_short_of VARCHAR;
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
ALTER TABLE raw.ingest_runs ADD COLUMN IF NOT EXISTS hashed INTEGER;   -- files read and hashed (the rest: known by stat)
-- change detection without reading (ingest.pipeline.FileStats): the size and mtime a path had when its
-- bytes were last hashed, and the doc_id (hash) they gave; hashed_at_ns is when, for the racy-file guard
CREATE TABLE IF NOT EXISTS raw.file_stats (
    source_path VARCHAR PRIMARY KEY,
    size_bytes BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    doc_id VARCHAR NOT NULL,
    hashed_at_ns BIGINT NOT NULL
);
"""


def connect(path: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file; a writable one creates (or completes) the raw schema."""
    con = duckdb.connect(path, read_only=read_only)
    if not read_only:
        con.execute(SCHEMA_SQL)
    return con


def now() -> datetime:
    """Now in UTC, naive (as raw's TIMESTAMP columns hold it)."""
    return datetime.now(UTC).replace(tzinfo=None)
