"""Loading into DuckDB: idempotent, atomic per document, supersession, failures recorded."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import REPORTS, SEEDS

from ingest.pipeline import ingest_paths


def counts(db: str) -> dict[str, int]:
    con = duckdb.connect(db, read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0]
                for t in ("documents", "observations", "rejects", "indicators", "table_cells", "coverage")}
    finally:
        con.close()


@pytest.fixture()
def db(tmp_path):
    return str(tmp_path / "w.duckdb")


def test_corpus_loads_with_provenance_and_coverage(db, parsed):
    summary = ingest_paths([REPORTS], db, workers=2)
    assert (summary.parsed, summary.failed) == (5, 0)
    con = duckdb.connect(db, read_only=True)
    per_doc = dict(con.execute("SELECT source_file, count(*) FROM raw.observations JOIN raw.documents USING (doc_id) GROUP BY 1").fetchall())
    assert per_doc == {p.name: len(parsed[k].result.observations) for k, p in SEEDS.items()}
    row = con.execute("""SELECT value, value_text, source_ref, source_kind, snippet FROM raw.observations o JOIN raw.documents d USING (doc_id)
                         WHERE d.source_file LIKE '000%' AND o.table_code = '01' AND o.line_no = 464 AND o.kind = 'revenue'""").fetchone()
    assert row[0] == Decimal("5334.0900") and row[1] == "5,334.09" and row[2] == "L464:C3" and row[3] == "table"
    assert "总计" in row[4]
    coverage = dict(con.execute("""SELECT key, n FROM raw.coverage JOIN raw.documents USING (doc_id)
                                   WHERE source_file LIKE '003%' AND category = 'figures'""").fetchall())
    assert coverage["indicator"] == len([o for o in parsed["003"].result.observations if o.kind == "indicator"])
    assert con.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'observations' AND column_name = 'value'").fetchone()[0] == "DECIMAL(18,4)"
    assert con.execute("SELECT count(*) FROM raw.documents WHERE adcode IS NULL").fetchone()[0] == 0
    geo = con.execute("SELECT province, city, county, adcode FROM raw.documents WHERE source_file LIKE '004%'").fetchone()
    assert geo == ("四川省", "攀枝花市", "西区", "510403")
    con.close()


def test_second_run_changes_nothing(db):
    ingest_paths([REPORTS], db, workers=1)
    before = counts(db)
    again = ingest_paths([REPORTS], db, workers=1)
    assert (again.parsed, again.unchanged) == (0, 5)
    assert counts(db) == before


def test_forced_reparse_replaces_the_rows_of_the_same_bytes(db):
    one = REPORTS / SEEDS["000"].name
    ingest_paths([one], db, workers=1)
    con = duckdb.connect(db, read_only=True)
    q = "SELECT doc_id, seq, kind, item, measure, value, source_ref FROM raw.observations ORDER BY 1, 2"
    before, rows = counts(db), con.execute(q).fetchall()
    run = con.execute("SELECT run_id FROM raw.documents").fetchone()[0]
    con.close()
    again = ingest_paths([one], db, workers=1, force=True)
    assert (again.parsed, again.failed, again.unchanged) == (1, 0, 0)
    assert counts(db) == before and before["observations"] > 300   # replaced, not added beside
    con = duckdb.connect(db, read_only=True)
    assert con.execute(q).fetchall() == rows
    assert con.execute("SELECT run_id FROM raw.documents").fetchall() == [(again.run_id,)] != [(run,)]
    con.close()


def test_parallel_and_serial_load_the_same_rows(tmp_path):
    a, b = str(tmp_path / "a.duckdb"), str(tmp_path / "b.duckdb")
    ingest_paths([REPORTS], a, workers=1)
    ingest_paths([REPORTS], b, workers=3)
    q = "SELECT doc_id, seq, kind, item, measure, value, line_no FROM raw.observations ORDER BY 1, 2"
    assert duckdb.connect(a, read_only=True).execute(q).fetchall() == duckdb.connect(b, read_only=True).execute(q).fetchall()


def test_changed_file_supersedes_its_earlier_version(db, tmp_path):
    path = tmp_path / "report.txt"
    text = SEEDS["004"].read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    ingest_paths([path], db)
    path.write_text(text.replace("机关运行经费支出140.75万元", "机关运行经费支出141.75万元"), encoding="utf-8")
    summary = ingest_paths([path], db)
    assert summary.superseded == 1
    con = duckdb.connect(db, read_only=True)
    docs = con.execute("SELECT status, is_current FROM raw.documents ORDER BY ingested_at").fetchall()
    assert docs == [("superseded", False), ("ok", True)]
    values = [r[0] for r in con.execute("SELECT value FROM raw.observations WHERE kind = 'agency_operation' AND measure = 'amount' AND line_no = 75").fetchall()]
    assert values == [Decimal("141.7500")]  # only the current version's rows remain


def test_a_bad_file_never_removes_what_was_loaded(db, tmp_path):
    good = tmp_path / "a.txt"
    shutil.copy(SEEDS["003"], good)
    ingest_paths([good], db)
    before = counts(db)
    good.write_bytes(b"\x00\x01binary garbage" * 50)  # the file is replaced by garbage
    (tmp_path / "empty.txt").write_bytes(b"")
    summary = ingest_paths([tmp_path], db)
    assert summary.failed == 2 and summary.parsed == 0
    con = duckdb.connect(db, read_only=True)
    failed = dict(con.execute("SELECT source_file, error || ' @ ' || error_place FROM raw.documents WHERE status = 'failed'").fetchall())
    loaded = con.execute("SELECT doc_id FROM raw.documents WHERE is_current").fetchone()[0]
    # the bad copy is recorded beside the loaded version (so status counts it), naming the version that stays
    assert failed == {"empty.txt": "empty file (the file has no content) @ byte 0",
                      "a.txt": "binary file, not text (contains NUL bytes) — a bad copy over a loaded report: the "
                               f"version loaded earlier from this path (doc_id {loaded[:16]}) stays until the file "
                               "is fixed @ byte 0"}
    # a.txt keeps its loaded version; its failure is reported on every run
    assert {(Path(f.path).name, f.message, f.place) for f in summary.failures} == {
        ("a.txt", "binary file, not text (contains NUL bytes)", "byte 0"),
        ("empty.txt", "empty file (the file has no content)", "byte 0")}
    # 003 is partial: its 目录 lists eleven tables the text leaves to an attachment (见附件)
    current = con.execute("SELECT count(*) FROM raw.documents WHERE is_current AND status = 'partial'").fetchone()[0]
    assert current == 1  # the earlier good version is still there
    assert con.execute("SELECT count(*) FROM raw.observations").fetchone()[0] == before["observations"]


def test_batch_with_bad_files_loads_the_good_ones(db, tmp_path):
    for key in ("000", "002"):
        shutil.copy(SEEDS[key], tmp_path / SEEDS[key].name)
    (tmp_path / "zz_binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "cut.txt").write_text("\n".join(SEEDS["000"].read_text(encoding="utf-8").split("\n")[:550]), encoding="utf-8")
    summary = ingest_paths([tmp_path], db, workers=2)
    assert (summary.parsed, summary.failed) == (3, 1)
    con = duckdb.connect(db, read_only=True)
    statuses = dict(con.execute("SELECT source_file, status FROM raw.documents").fetchall())
    assert statuses["cut.txt"] == "partial" and statuses["zz_binary.txt"] == "failed"
    place = con.execute("SELECT place FROM raw.parse_issues JOIN raw.documents USING (doc_id) WHERE source_file = 'cut.txt' AND severity = 'error' LIMIT 1").fetchone()[0]
    assert place == "line 550"


def test_same_bytes_under_two_paths_is_one_document(db, tmp_path):
    shutil.copy(SEEDS["002"], tmp_path / "a.txt")
    shutil.copy(SEEDS["002"], tmp_path / "b.txt")
    summary = ingest_paths([tmp_path], db)
    assert (summary.parsed, summary.duplicates) == (1, 1)
    con = duckdb.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM raw.documents").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM raw.document_paths").fetchone()[0] == 2


def test_only_a_parsing_worker_freezes_its_long_lived_objects(monkeypatch):
    """The collect-and-freeze every _SETTLE_EVERY documents happens in pool workers, never in a process that
    parses in passing (this one): its objects stay collectable."""
    import gc

    from ingest import pipeline

    monkeypatch.setattr(pipeline, "_parsed_here", 0)
    before = gc.get_freeze_count()
    for _ in range(pipeline._SETTLE_EVERY):
        pipeline._settle()
    assert gc.get_freeze_count() == before and pipeline._parsed_here == 0
    monkeypatch.setattr(pipeline, "_in_worker", True)
    try:
        for _ in range(pipeline._SETTLE_EVERY):
            pipeline._settle()
        assert pipeline._parsed_here == pipeline._SETTLE_EVERY and gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("commit_rows", [1, 10**9])   # a transaction per batch; one transaction for everything
def test_a_document_that_fails_to_load_fails_alone_in_a_transaction_of_many_batches(tmp_path, monkeypatch,
                                                                                      commit_rows):
    """The loader's transaction spans batches and chunks (COMMIT_ROWS); a document whose rows the warehouse
    refuses (here: two observations with the same (doc_id, seq), the primary key) is rolled back with its
    transaction, and everything else of that transaction is loaded again without it."""
    import pyarrow as pa

    from ingest import pipeline
    from ingest.schema import connect

    monkeypatch.setattr(pipeline, "BATCH", 2)
    monkeypatch.setattr(pipeline, "COMMIT_ROWS", commit_rows)
    paths = sorted(str(p) for p in REPORTS.glob("*.txt"))
    results = [pipeline._tag(pipeline._parse_one(p), p, "") for p in paths]
    assert [kind for kind, _ in results] == ["ok"] * 5
    bad = results[2][1]
    obs = bad.tables["observations"]
    bad.tables["observations"] = pa.concat_tables([obs, obs.slice(0, 1)])
    db = str(tmp_path / "w.duckdb")
    con = connect(db)
    summary = pipeline.IngestSummary(run_id="t")
    loader = pipeline._Loader(con, summary, "t")
    loader.load(results[:3])   # the faulty document in the second batch of the first chunk
    loader.load(results[3:])
    loader.finish()
    con.close()
    assert summary.parsed == 4 and [f.path for f in summary.failures] == [bad.source_path]
    assert summary.failures[0].message.startswith("load error: ") and "key" in summary.failures[0].message.lower()
    assert [d["path"] for d in summary.documents] == [p for p in paths if p != bad.source_path]
    good = [doc for _, doc in results if doc is not bad]
    con = duckdb.connect(db, read_only=True)
    try:
        assert sorted(r[0] for r in con.execute("SELECT doc_id FROM raw.documents").fetchall()) == \
            sorted(d.doc_id for d in good)
        for table in ("observations", "table_cells", "indicators", "sections"):
            assert con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0] == \
                sum(d.tables[table].num_rows for d in good if table in d.tables), table
    finally:
        con.close()


def test_a_run_keeps_every_doc_id_but_the_outcomes_of_its_first_documents_only(tmp_path, monkeypatch):
    """A run's summary does not grow with the run beyond DOCUMENTS_KEPT outcomes (≈ 2.6 KB each: 263 MB at 100,000
    reports); every doc_id stays, for the run's report, and the per-document tables say what they leave out."""
    from io import StringIO

    from rich.console import Console

    from ingest import pipeline
    from ingest.cli import print_summary

    monkeypatch.setattr(pipeline, "DOCUMENTS_KEPT", 2)
    paths = sorted(REPORTS.glob("*.txt"))
    summary = ingest_paths(paths, str(tmp_path / "w.duckdb"), workers=1)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        loaded = dict(con.execute("SELECT source_path, doc_id FROM raw.documents").fetchall())
    finally:
        con.close()
    assert summary.parsed == 5 and sorted(summary.doc_ids) == sorted(loaded.values())
    assert [d["doc_id"] for d in summary.documents] == summary.doc_ids[:2]
    assert [loaded[d["path"]] for d in summary.documents] == summary.doc_ids[:2]
    text = StringIO()
    print_summary(summary, Console(file=text, width=200))
    assert "只列出前 2 个文档（共解析 5 个）" in text.getvalue()
