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

from ingest import load, pipeline
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


# ---------------------------------------------------------------- several documents a worker task
WORDDOC = REPORTS.parent.parent / "tests" / "fixtures" / "worddoc" / "report.docx"


@pytest.fixture(scope="module")
def mixed():
    """The bundled text reports and a DOCX (source_refs and locators from its reader), in one task's order:
    002 has no table cells, 003 a parse issue, the DOCX locators and refs of its own."""
    return [parse_file(REPORTS / NAMES[0]), parse_file(WORDDOC)] + [parse_file(REPORTS / n) for n in NAMES[1:]]


def _same(a, b) -> None:
    """Two PackedDocuments hold the same rows (and fields, but the parse time of two parses of one file)."""
    untimed = [{k: v for k, v in d.items() if k != "parse_ms"} for d in (a.fields, a.outcome, b.fields, b.outcome)]
    assert (a.doc_id, a.source_path, a.unit_name, untimed[:2]) == (b.doc_id, b.source_path, b.unit_name, untimed[2:])
    assert a.tables.keys() == b.tables.keys()
    for name, table in a.tables.items():
        assert b.tables[name].schema == table.schema, name
        assert b.tables[name].to_pylist() == table.to_pylist(), (a.source_path, name)


def test_documents_packed_together_are_packed_as_each_alone(mixed):
    together = load.pack_many(mixed)
    assert [p.doc_id for p in together] == [d.doc_id for d in mixed]
    for doc, packed in zip(mixed, together):
        _same(load.pack(doc), packed)
    docx = together[1]
    assert docx.fields["format"] == "docx" and "table_cells" not in together[3].tables   # 002: no cells
    first = docx.tables["observations"].slice(0, 1).to_pylist()[0]
    assert (first["seq"], first["source_ref"]) == (1, "T8 R4 C3")
    assert together[0].tables["observations"].num_rows == 536 and together[0].tables["table_cells"].num_rows == 2578


def test_a_task_result_crosses_as_one_message_and_arrives_whole(mixed):
    packed = load.pack_many(mixed[:3])
    batch = load.PackedBatch([("ok", packed[0]), ("error", ("cannot read file: gone", None)), ("ok", packed[1]),
                              ("ok", packed[2])])
    state = batch.__getstate__()
    assert set(state["tables"]) == set().union(*(p.tables for p in packed)) and not state["streams"]
    assert state["results"][1] == ("error", ("cannot read file: gone", None))
    back = pickle.loads(pickle.dumps(batch))
    assert [kind for kind, _ in back.results] == ["ok", "error", "ok", "ok"]
    for want, (_, got) in zip(packed, [r for r in back.results if r[0] == "ok"]):
        _same(want, got)
        assert got.fields["parse_ms"] == want.fields["parse_ms"]
    # each document's tables are its slices of the one table a raw table received
    assert back.results[2][1].tables["observations"].num_rows == packed[1].outcome["figures"] == 536


def test_a_task_keeps_each_documents_fault_its_own(tmp_path, monkeypatch):
    good = REPORTS / NAMES[1]
    (tmp_path / "nul.txt").write_bytes(b"\x00binary")
    paths = [str(good), str(tmp_path / "nul.txt"), str(tmp_path / "gone.txt"), str(REPORTS / NAMES[4])]
    results = pipeline._parse_some(paths).results
    assert results[1] == ("error", ("binary file, not text (contains NUL bytes)", "byte 0"))
    assert results[2][0] == "error" and results[2][1][0].startswith("cannot read file: ")
    assert [k for k, _ in results] == ["ok", "error", "error", "ok"]
    alone = [pipeline._parse_one(p) for p in paths]
    assert alone[1:3] == results[1:3]
    _same(alone[0][1], results[0][1])

    def fails(docs):   # packing them together fails: each is packed alone, the fault is its document's
        raise ValueError("not together")

    monkeypatch.setattr(load, "pack_many", fails)
    again = pipeline._parse_some(paths).results
    assert [k for k, _ in again] == ["ok", "error", "error", "ok"]
    _same(alone[3][1], again[3][1])


class _Pool:
    """A stand-in for _Workers: a task of several paths fails as a whole when one of them is 'slow' (as pebble's
    timeout stops it), a task of one path fails only for that path; every task is recorded."""

    def __init__(self):
        self.tasks = []

    def schedule(self, paths):
        from concurrent.futures import Future
        from concurrent.futures import TimeoutError as FutureTimeout

        self.tasks.append([p.rsplit("/", 1)[-1] for p in paths])
        future = Future()
        if any("slow" in p for p in paths):
            future.set_exception(FutureTimeout())
        else:
            future.set_result(load.PackedBatch([("error", (f"read {p}", None)) for p in paths]))
        return future


def test_a_task_over_its_budget_has_each_document_parsed_again_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "TASK_DOCS", 3)
    chunk = []
    for name in ("a", "b", "slow", "c", "d"):
        (tmp_path / f"{name}.txt").write_text("报告", encoding="utf-8")
        chunk.append((str(tmp_path / f"{name}.txt"), name))
    pool = _Pool()
    results = pipeline._collect(chunk, pipeline._submit(chunk, pool), pipeline._NoBar(), pipeline.Limits(doc_timeout_s=2),
                                pool)
    assert pool.tasks == [["a.txt", "b.txt", "slow.txt"], ["c.txt", "d.txt"], ["a.txt"], ["b.txt"], ["slow.txt"]]
    assert [(f.path, f.doc_id, f.message, f.place) for _, f in results] == [
        (chunk[0][0], "a", f"read {chunk[0][0]}", None), (chunk[1][0], "b", f"read {chunk[1][0]}", None),
        (chunk[2][0], "slow", "over the time budget of 2s per document (JUESUAN_DOC_TIMEOUT); its parser was stopped",
         "whole file"),
        (chunk[3][0], "c", f"read {chunk[3][0]}", None), (chunk[4][0], "d", f"read {chunk[4][0]}", None)]


def test_a_task_holds_at_most_task_bytes_of_files_and_a_larger_file_goes_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "TASK_BYTES", 100)
    sizes = {"a": 40, "b": 40, "c": 40, "big": 101, "d": 10, "e": 10}
    for name, n in sizes.items():
        (tmp_path / f"{name}.txt").write_bytes(b"x" * n)
    chunk = [(str(tmp_path / f"{name}.txt"), name) for name in sizes] + [(str(tmp_path / "gone.txt"), "gone")]
    pool = _Pool()
    futures = pipeline._submit(chunk, pool)
    assert pool.tasks == [["a.txt", "b.txt"], ["c.txt"], ["big.txt"], ["d.txt", "e.txt"], ["gone.txt"]]
    assert list(futures.values()) == [[0, 1], [2], [3], [4, 5], [6]]


def test_a_run_looks_up_each_units_place_once_and_loads_a_tasks_slices(tmp_path, monkeypatch):
    """The loader asks cpca (pipeline._geography) only for unit names it has not placed yet this run — a unit's
    reports of several years fall in several chunks — and each document gets its unit's place.  The documents
    arrive as a worker task's slices (PackedBatch round trip) and load the rows they hold."""
    from ingest.schema import connect

    paths = sorted(str(p) for p in REPORTS.glob("*.txt"))
    batch = pickle.loads(pickle.dumps(pipeline._parse_some(paths)))
    results = [pipeline._tag(r, p, "") for p, r in zip(paths, batch.results)]
    docs = [d for _, d in results]
    docs[3].unit_name = docs[0].unit_name        # 003 placed as 000's unit (a second year of one unit, say)
    asked = []

    def geography(names):
        asked.append(set(names))
        return {n: {"province": f"省{n}", "city": None, "county": None, "adcode": str(len(n))} for n in names}

    monkeypatch.setattr(pipeline, "_geography", geography)
    con = connect(str(tmp_path / "w.duckdb"))
    loader = pipeline._Loader(con, pipeline.IngestSummary(run_id="t"), "t")
    loader.load(results[:2])
    loader.load(results[2:])
    loader.finish()
    assert asked == [{docs[0].unit_name, docs[1].unit_name}, {docs[2].unit_name, docs[4].unit_name}]
    rows = dict(con.execute("SELECT doc_id, province FROM raw.documents").fetchall())
    assert rows == {d.doc_id: f"省{d.unit_name}" for d in docs}
    assert rows[docs[3].doc_id] == "省西安市总工会"
    for table in ("observations", "table_cells", "indicators", "sections", "coverage"):
        assert con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0] == \
            sum(d.tables[table].num_rows for d in docs if table in d.tables) > 0, table
    assert con.execute("SELECT count(*), count(DISTINCT doc_id) FROM raw.observations").fetchone() == (1756, 5)
    con.close()
