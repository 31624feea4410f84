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
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ingest.model import Indicator, Observation, ParseIssue, Reject, SectionRow, TableCell
from ingest.parse import ParsedDocument
from ingest.readers import format_of
from ingest.schema import SCHEMA_SQL, connect, now  # noqa: F401  (the loader's names since before ingest.schema)

DEC = pa.decimal128(18, 4)

CHILD_TABLES = ("observations", "rejects", "indicators", "table_cells", "sections", "parse_issues", "coverage",
                "toc_entries")


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


def _source_refs(doc: ParsedDocument, objects: Sequence[Any], with_col: bool = True) -> list[str]:
    """:func:`source_ref` of each object (its ``source_ref``, ``line_no`` and, ``with_col``, ``col_no``), as a list.
    A text file has no locators to consult: its refs are the object's own or :func:`_ref` of its line and column."""
    if doc.format != "text":
        return [source_ref(doc, o.source_ref, o.line_no, o.col_no if with_col else None) for o in objects]
    return [o.source_ref or _ref(o.line_no, o.col_no if with_col else None) for o in objects]


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


def document_tables(doc: ParsedDocument, kinds: Counter | None = None,
                    reasons: Counter | None = None, *, line_refs: bool = True) -> dict[str, pa.Table]:
    """All child rows of one parsed document as one Arrow table per raw table (the rows of
    :func:`document_rows`, built by :func:`objects_to_arrow`).  Tables without rows are left out.
    ``kinds`` / ``reasons``: the observations' kinds and the rejects' reasons counted, when the caller has
    them (:func:`pack`), else counted here (the coverage rows).

    ``line_refs=False`` (:func:`pack`): a text file's observations and table cells keep their own
    ``source_ref`` (None or "" where the line and column make it), completed by :func:`insert_arrow` as
    they are inserted (LINE_REF_SQL, the same refs) — not in the worker."""
    r = doc.result
    did = doc.doc_id
    obs, rej, inds, cells = r.observations, r.rejects, r.indicators, r.cells
    # a text file's table gets its source_refs on the Arrow columns (_with_line_refs, when large), or in the
    # INSERT (line_refs=False); the others row by row here (_source_refs: other formats consult the locators)
    on_arrow = {name for name, objects in (("observations", obs), ("table_cells", cells))
                if doc.format == "text" and (not line_refs or len(objects) >= ARROW_REFS_FROM)}
    out = {
        "observations": objects_to_arrow("observations", obs, {
            "doc_id": did, "seq": _seq(len(obs)),
            "source_ref": None if "observations" in on_arrow else _source_refs(doc, obs),
            "locator": [_locator(doc, o.line_no) for o in obs] if doc.locators else None}),
        "rejects": objects_to_arrow("rejects", rej, {
            "doc_id": did, "seq": _seq(len(rej)), "source_ref": _source_refs(doc, rej, with_col=False)}),
        "indicators": objects_to_arrow("indicators", inds, {
            "doc_id": did, "source_ref": [source_ref(doc, None, i.line_no) for i in inds]}),
        "table_cells": objects_to_arrow("table_cells", cells, {
            "doc_id": did, "source_ref": None if "table_cells" in on_arrow else _source_refs(doc, cells)}),
        "sections": objects_to_arrow("sections", r.sections, {"doc_id": did}),
        "parse_issues": objects_to_arrow("parse_issues", r.issues, {"doc_id": did}),
        "toc_entries": objects_to_arrow("toc_entries", doc.contents, {
            "doc_id": did, "source_ref": [_ref(e.line_no) for e in doc.contents]}),
    }
    if line_refs:
        for name in on_arrow:
            out[name] = _with_line_refs(out[name])
    if kinds is None or reasons is None:
        kinds, reasons = Counter(map(_KIND, obs)), Counter(map(_REASON, rej))
    coverage = coverage_from(kinds, reasons)
    out["coverage"] = columns_to_arrow("coverage", coverage, {
        "doc_id": did, "category": [c for c, _, _ in coverage],
        "key": [k for _, k, _ in coverage], "n": [n for _, _, n in coverage]})
    return {name: table for name, table in out.items() if table.num_rows}


# A text file's table of at least this many rows gets its source_refs computed on its Arrow columns (≈ 7
# pyarrow.compute calls of ≈ 10–20 µs each, then ≈ 0.1 µs a row) rather than row by row (≈ 0.3 µs a row)
ARROW_REFS_FROM = 200
_KIND, _REASON = attrgetter("kind"), attrgetter("reason")

# The tables whose rows may arrive without their source_ref (document_tables(line_refs=False)), and the SQL
# that completes it as _ref and _with_line_refs do: the row's own non-empty ref, else L<line_no>, plus
# :C<col_no + 1> when the row has a column, "" for a row without a line.  A complete ref passes unchanged (a
# ref is "" only for a row without a line), so the INSERT may apply it to every row.  In the parent's INSERT
# it costs DuckDB ≈ 0.1 µs a row, against ≈ 0.3 µs a row in the worker's pyarrow.compute calls.
LINE_REF_TABLES = frozenset({"observations", "table_cells"})
LINE_REF_SQL = ("CASE WHEN coalesce(source_ref, '') <> '' THEN source_ref WHEN line_no IS NULL THEN '' "
                "WHEN col_no IS NULL THEN 'L' || line_no ELSE 'L' || line_no || ':C' || (col_no + 1) END")
_SEQ = pa.array(range(1, 4097), pa.int32())


def _seq(n: int) -> pa.Array:
    """The int32 array 1 … n (a slice of one array kept for the process while n ≤ 4,096)."""
    global _SEQ
    if n > len(_SEQ):
        _SEQ = pa.array(range(1, 2 * n + 1), pa.int32())
    return _SEQ.slice(0, n)


def _with_line_refs(table: pa.Table) -> pa.Table:
    """``table`` (rows of a text file with ``source_ref``, ``line_no`` and ``col_no`` columns) with its
    ``source_ref`` column completed as :func:`_ref` does it row by row: a row's own non-empty ref, else
    ``L<line_no>``, plus ``:C<col_no + 1>`` when the row has a column; ``""`` for a row without a line.
    Computed on the Arrow columns (pyarrow.compute), each step only where it can change something."""
    line_no, col_no, own = table["line_no"], table["col_no"], table["source_ref"]
    ref = pc.binary_join_element_wise("L", pc.cast(line_no, pa.string()), "")
    if col_no.null_count < len(col_no):
        with_col = pc.binary_join_element_wise(ref, ":C", pc.cast(pc.add_checked(col_no, 1), pa.string()), "")
        ref = pc.coalesce(with_col, ref) if col_no.null_count else with_col
    if line_no.null_count:
        ref = pc.coalesce(ref, "")
    if own.null_count < len(own):   # `o.source_ref or …`: an empty ref counts as none
        ref = pc.coalesce(pc.if_else(pc.equal(own, ""), pa.scalar(None, pa.string()), own), ref)
    i = table.schema.get_field_index("source_ref")
    return table.set_column(i, table.schema.field(i), ref)


@dataclass
class PackedDocument:
    """What the loader needs of a parsed document, compact enough to cross a process boundary cheaply:
    its raw.documents columns (:func:`document_fields`), its child rows as Arrow tables
    (:func:`document_tables`) and the one-line summary the CLI prints (``outcome``)."""

    doc_id: str
    source_path: str
    unit_name: str | None
    fields: dict[str, Any]
    tables: dict[str, pa.Table]
    outcome: dict[str, Any]

    # Pickled (sent from a worker to the parent) with each table as Arrow IPC bytes: pickling the tables
    # themselves walks their schema, fields, chunks and buffers as Python objects (measured ≈ 1.8 CPU-ms a report
    # to pickle and unpickle, against ≈ 0.4 for writing and reading IPC streams).  A table of its raw table's
    # schema (raw_schema, known to both processes) goes as one record-batch message without the schema (0.34 ->
    # 0.21 CPU-ms a report to write and read back); any other table as a whole IPC stream ("streams").  The
    # tables read back reference the received bytes (no copy).
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["tables"], state["streams"] = {}, {}
        for name, table in self.tables.items():
            batches = table.to_batches()
            if len(batches) == 1 and name in _RAW_TABLES and table.schema.equals(raw_schema(name)):
                state["tables"][name] = batches[0].serialize()
            else:
                state["streams"][name] = _ipc_bytes(table)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        tables = {name: pa.Table.from_batches([pa.ipc.read_record_batch(data, raw_schema(name))])
                  for name, data in state["tables"].items()}
        tables |= {name: pa.ipc.open_stream(data).read_all() for name, data in state.pop("streams", {}).items()}
        state["tables"] = tables
        self.__dict__.update(state)


def _ipc_bytes(table: pa.Table) -> pa.Buffer:
    """One Arrow table as an IPC stream (schema and record batches), in one buffer."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def pack(doc: ParsedDocument) -> PackedDocument:
    """A parsed document → :class:`PackedDocument` (done in the parsing worker).  A text file's observations and
    table cells go without the source_refs their line and column make (:func:`insert_arrow` completes them)."""
    kinds = Counter(map(_KIND, doc.result.observations))
    reasons = Counter(map(_REASON, doc.result.rejects))
    outcome = {
        "doc_id": doc.doc_id, "path": doc.source_path, "unit": doc.unit_name_raw, "year": doc.fiscal_year,
        "status": doc.status, "figures": len(doc.result.observations), "rejects": len(doc.result.rejects),
        "by_kind": dict(kinds), "by_reason": dict(reasons), "issues": [i.message for i in doc.result.issues],
        "parse_ms": round(doc.parse_ms, 1),
    }
    return PackedDocument(doc.doc_id, doc.source_path, doc.unit_name, document_fields(doc),
                          document_tables(doc, kinds, reasons, line_refs=False), outcome)


def coverage_of(doc: ParsedDocument) -> list[tuple[str, str, int]]:
    """The raw.coverage rows of a document: (category, key, n), figures by kind and rejects by reason, sorted."""
    return coverage_from(Counter(map(_KIND, doc.result.observations)), Counter(map(_REASON, doc.result.rejects)))


def coverage_from(kinds: Counter, reasons: Counter) -> list[tuple[str, str, int]]:
    """:func:`coverage_of` from the counted kinds of the observations and reasons of the rejects."""
    return [("figures", k, n) for k, n in sorted(kinds.items())] + [("rejects", k, n) for k, n in sorted(reasons.items())]


def document_row(doc: ParsedDocument, *, run_id: str, geo: dict[str, Any], ingested_at: datetime) -> dict[str, Any]:
    """The raw.documents row of a parsed document (column → value)."""
    return with_run(document_fields(doc), run_id=run_id, geo=geo, ingested_at=ingested_at)


def with_run(fields_: dict[str, Any], *, run_id: str, geo: dict[str, Any], ingested_at: datetime) -> dict[str, Any]:
    """A raw.documents row from :func:`document_fields` plus what only the loading run knows: the
    place (``geo``: province/city/county/adcode), the run and the time."""
    return dict(fields_, province=geo.get("province"), city=geo.get("city"), county=geo.get("county"),
                adcode=geo.get("adcode"), run_id=run_id, ingested_at=ingested_at)


def document_fields(doc: ParsedDocument) -> dict[str, Any]:
    """The raw.documents columns a parsed document determines by itself (all but place, run and time)."""
    errors = [i for i in doc.result.issues if i.severity == "error"]
    return dict(
        doc_id=doc.doc_id, source_path=doc.source_path, source_file=doc.source_file, format=doc.format,
        encoding=doc.encoding, size_bytes=doc.size_bytes, unit_name=doc.unit_name, unit_name_raw=doc.unit_name_raw,
        unit_scope=doc.unit_scope, fiscal_year=doc.fiscal_year, report_kind=doc.report_kind, sector=doc.sector,
        status=doc.status, error="; ".join(i.message for i in errors) or None,
        error_place="; ".join(i.place for i in errors) or None, parser_version=doc.parser_version,
        parse_ms=doc.parse_ms, observation_count=len(doc.result.observations), reject_count=len(doc.result.rejects),
        indicator_count=len(doc.result.indicators), is_current=True, superseded_by=None,
        standard_tables=doc.standard_tables, toc_promised=len(doc.contents),
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
_SQL_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
              "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us")}
_COLUMN = re.compile(r"^\s+(\w+)\s+(VARCHAR|INTEGER|BIGINT|DOUBLE|BOOLEAN|TIMESTAMP|DECIMAL\(\d+,\s*\d+\))", re.M)
_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS raw\.(\w+) \((.*?)\n\);", re.S)
_ADD = re.compile(r"ALTER TABLE raw\.(\w+) ADD COLUMN IF NOT EXISTS (\w+) (\w+(?:\(\d+,\s*\d+\))?)")


_RAW_TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS raw\.(\w+)", SCHEMA_SQL))


def _arrow_type(sql_type: str) -> pa.DataType:
    return DEC if sql_type.startswith("DECIMAL") else _SQL_TYPES[sql_type]


@cache
def raw_schema(table: str) -> pa.Schema:
    """The Arrow schema of ``raw.<table>`` as SCHEMA_SQL declares it (columns in table order, DECIMAL as
    decimal128(18, 4)), read from the SQL text: a parsing worker builds Arrow tables without a connection.
    KeyError for a table SCHEMA_SQL does not create."""
    tables: dict[str, list[tuple[str, pa.DataType]]] = {}
    for name, body in _CREATE.findall(SCHEMA_SQL):
        tables[name] = [(col, _arrow_type(sql_type)) for col, sql_type in _COLUMN.findall(body)]
    for name, col, sql_type in _ADD.findall(SCHEMA_SQL):
        tables[name].append((col, _arrow_type(sql_type)))
    return pa.schema(tables[table])


def _array(values: Sequence[Any], dtype: pa.DataType) -> pa.Array:
    if dtype == DEC:
        values = [v if v is None or type(v) is Decimal else Decimal(v) for v in values]
    return pa.array(values, type=dtype)


def to_arrow(con: duckdb.DuckDBPyConnection | None, table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Row dicts → an Arrow table of ``raw.<table>``'s schema (a column missing from a row is NULL).
    ``con`` is not needed (kept for callers that pass it)."""
    schema = raw_schema(table)
    return pa.Table.from_arrays([_array([row.get(f.name) for row in rows], f.type) for f in schema], schema=schema)


def columns_to_arrow(table: str, objects: list[Any], extra: dict[str, Any]) -> pa.Table:
    """Model objects (Observation, TableCell …) → an Arrow table of ``raw.<table>``, column by column:
    a column named in ``extra`` takes those values (a list: one per object; any other value: that value in
    every row, e.g. the doc_id), else the object's attribute of that name, else NULL.  The rows equal those
    of :func:`document_rows` (tests/test_ingest_speed.py)."""
    schema = raw_schema(table)
    extra = {name: value for name, value in extra.items() if value is not None}   # None: not given
    own = set(_field_names(type(objects[0]))) if objects and is_dataclass(objects[0]) else set()
    wanted = [f.name for f in schema if f.name not in extra and f.name in own]
    # one C-level pass reads every wanted attribute of every object, then rows → columns
    if len(wanted) > 1:
        columns = dict(zip(wanted, zip(*map(attrgetter(*wanted), objects)))) if objects else {}
    else:
        columns = {name: [getattr(o, name) for o in objects] for name in wanted}
    arrays = []
    for f in schema:
        values = extra.get(f.name)
        if values is None and f.name not in own:   # a column the objects do not have: all NULL
            arrays.append(pa.nulls(len(objects), f.type))
            continue
        if values is None:
            values = columns.get(f.name, ())
        elif not isinstance(values, list):   # one value for every row: made in C, not converted row by row
            arrays.append(pa.repeat(pa.scalar(values, f.type), len(objects)))
            continue
        arrays.append(_array(values, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


@cache
def _struct_of(table: str, cls: type, given: frozenset[str]) -> tuple[pa.StructType, Callable[[Any], tuple]]:
    """The Arrow struct of the columns of ``raw.<table>`` that objects of ``cls`` (a dataclass) carry as fields,
    less those in ``given``, in table order; and a function giving those fields of an object as one tuple."""
    own = set(_field_names(cls)) if is_dataclass(cls) else set()
    struct = pa.struct([f for f in raw_schema(table) if f.name in own and f.name not in given])
    names = struct.names
    if len(names) == 1:
        name = names[0]
        return struct, lambda o: (getattr(o, name),)
    return struct, attrgetter(*names) if names else (lambda o: ())


def objects_to_arrow(table: str, objects: list[Any], extra: dict[str, Any]) -> pa.Table:
    """Model objects (Observation, TableCell …, all of one dataclass) → an Arrow table of ``raw.<table>``: the
    rows of :func:`columns_to_arrow` (``extra`` as there; a pyarrow Array is also taken as a column), built in
    one pass of Arrow's converter over the objects' fields, read as one tuple per object (one ``attrgetter``:
    the model classes have slots) and converted as one struct column — ≈ 0.4 CPU-ms less a generated report
    than column by column.  Objects of mixed classes, or holding a value Arrow does not take as is for its
    column (e.g. a str for a DECIMAL, which :func:`columns_to_arrow` converts) go the column-by-column way, so
    the rows are the same either way (or the same error is raised)."""
    schema = raw_schema(table)
    n = len(objects)
    cls = type(objects[0]) if objects else None
    given = frozenset(name for name, value in extra.items() if value is not None)
    try:
        if cls is None or len(set(map(type, objects))) > 1:
            raise TypeError("not one class")
        struct, fields_of = _struct_of(table, cls, given)
        own = dict(zip(struct.names, pa.array(list(map(fields_of, objects)), type=struct).flatten()))
    except (TypeError, pa.ArrowException):
        return columns_to_arrow(table, objects, {k: v.to_pylist() if isinstance(v, pa.Array) else v
                                                 for k, v in extra.items()})
    arrays = []
    for f in schema:
        values = extra.get(f.name)
        if values is None:
            arrays.append(own[f.name] if f.name in own else pa.nulls(n, f.type))
        elif isinstance(values, pa.Array):
            arrays.append(values)
        elif isinstance(values, list):
            arrays.append(_array(values, f.type))
        else:   # one value for every row
            arrays.append(pa.repeat(pa.scalar(values, f.type), n))
    return pa.Table.from_arrays(arrays, schema=schema)


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    insert_arrow(con, table, to_arrow(con, table, rows))


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """``table`` readable by SQL as ``name`` for the block.  When the block fails, its error is the one raised:
    in a transaction DuckDB aborted (e.g. a primary key refused) the unregister fails too ("Current transaction
    is aborted"), and that message used to replace the cause in a failed document's "load error: …"."""
    con.register(name, table)
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):
            con.unregister(name)
        raise
    con.unregister(name)


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, arrow: pa.Table) -> None:
    """One INSERT … SELECT of an Arrow table into ``raw.<table>``, columns matched by name; the source_refs
    of LINE_REF_TABLES completed on the way (LINE_REF_SQL: rows of :func:`pack` may come without them)."""
    if not arrow.num_rows:
        return
    select = f"* REPLACE ({LINE_REF_SQL} AS source_ref)" if table in LINE_REF_TABLES else "*"
    with registered(con, "_incoming", arrow):
        con.execute(f"INSERT INTO raw.{table} BY NAME SELECT {select} FROM _incoming")


def delete_children(con: duckdb.DuckDBPyConnection, doc_ids: Iterable[str]) -> None:
    ids = list(doc_ids)
    if not ids:
        return
    with registered(con, "_ids", pa.table({"doc_id": pa.array(ids, type=pa.string())})):
        for table in CHILD_TABLES:
            con.execute(f"DELETE FROM raw.{table} WHERE doc_id IN (SELECT doc_id FROM _ids)")


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
