"""What a parsing worker sends back and how it collects garbage (issue 14, ingest CPU per report).

- a PackedDocument crosses the process boundary as Arrow IPC bytes (record batches without their schema, which
  both sides know, when a table has its raw table's) and arrives with the same tables, fields and outcome;
- parsing and packing a report make no reference cycles: the reason workers run the automatic garbage
  collector seldom (ingest.pipeline.WORKER_GC_THRESHOLDS);
- the loading connection's one DuckDB thread is not left to another connection of the process.
"""

from __future__ import annotations

import gc
import pickle

import duckdb
import pyarrow as pa
import pytest
from conftest import REPORTS

from ingest import pipeline
from ingest.load import pack
from ingest.parse import parse_file

NAMES = sorted(p.name for p in REPORTS.glob("*.txt"))


@pytest.mark.parametrize("name", NAMES)
def test_a_packed_document_arrives_whole(name):
    packed = pack(parse_file(REPORTS / name))
    state = packed.__getstate__()
    assert state["tables"] and all(isinstance(v, pa.Buffer) for v in state["tables"].values())
    back = pickle.loads(pickle.dumps(packed))   # as multiprocessing sends it
    assert back.tables.keys() == packed.tables.keys()
    for table, arrow in packed.tables.items():
        assert back.tables[table].schema == arrow.schema, table
        assert back.tables[table].to_pylist() == arrow.to_pylist(), table
    assert (back.doc_id, back.source_path, back.unit_name, back.fields, back.outcome) == \
        (packed.doc_id, packed.source_path, packed.unit_name, packed.fields, packed.outcome)
    assert back.tables["observations"].num_rows == packed.outcome["figures"] > 0


def test_a_table_not_of_its_raw_schema_arrives_whole_too():
    """Tables of their raw table's schema go as record batches without the schema; any other (two chunks, another
    schema) as a whole IPC stream — either way the same table arrives."""
    packed = pack(parse_file(REPORTS / NAMES[0]))
    cells = packed.tables["table_cells"]
    packed.tables["table_cells"] = pa.concat_tables([cells.slice(0, 5), cells.slice(5)])   # two chunks
    packed.tables["sections"] = packed.tables["sections"].drop_columns(["parent_seq"])
    state = packed.__getstate__()
    assert set(state["streams"]) == {"table_cells", "sections"} and "observations" in state["tables"]
    back = pickle.loads(pickle.dumps(packed))
    assert back.tables.keys() == packed.tables.keys()
    for table, arrow in packed.tables.items():
        assert back.tables[table].equals(arrow), table


def test_parsing_makes_no_reference_cycles():
    files = [REPORTS / n for n in NAMES]
    pack(parse_file(files[0]))   # first use: compiled patterns, reference tables, module state
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for f in files:
            pack(parse_file(f))
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_workers_collect_seldom():
    before = gc.get_threshold()
    try:
        pipeline.worker_gc()
        assert gc.get_threshold() == pipeline.WORKER_GC_THRESHOLDS
        assert pipeline.WORKER_GC_THRESHOLDS[0] >= 10_000
    finally:
        gc.set_threshold(*before)


def test_ingest_gives_back_the_threads_checkpoint_write_buffer_and_memory_settings(tmp_path):
    db = str(tmp_path / "w.duckdb")
    held = duckdb.connect(db)   # a caller's connection: the same database instance as ingest's
    try:
        held.execute("SET threads = 3")
        held.execute("SET checkpoint_threshold = '20MB'")
        held.execute("SET write_buffer_row_group_count = 3")
        held.execute("SET memory_limit = '3GB'")
        before = held.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]
        memory = held.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        seen = []
        original = pipeline._load_documents

        def spy(con, *args, **kwargs):   # the limit the load runs under
            seen.append(con.cursor().execute("SELECT current_setting('memory_limit')").fetchone()[0])
            return original(con, *args, **kwargs)

        pipeline._load_documents = spy
        try:
            summary = pipeline.ingest_paths([REPORTS / NAMES[0]], db, workers=1)
        finally:
            pipeline._load_documents = original
        assert pipeline.INGEST_MEMORY == "1GB" and seen and set(seen) == {"953.6 MiB"}   # DuckDB shows 1GB so
        assert summary.parsed == 1 and summary.failed == 0
        assert held.execute("SELECT count(*) FROM raw.observations").fetchone()[0] > 0
        assert held.execute("SELECT current_setting('threads')").fetchone()[0] == 3
        assert held.execute("SELECT current_setting('write_buffer_row_group_count')").fetchone()[0] == 3
        assert held.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0] == before == "19.0 MiB"
        # given back as DuckDB shows it ("2.7 GiB" for 3GB, truncated; set again, 2.6 GiB), not left at 1GB
        assert memory == "2.7 GiB" and held.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "2.6 GiB"
    finally:
        held.close()
