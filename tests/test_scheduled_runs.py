"""What a scheduled run must get right: new files only, changed files replace, a unit-year counted
once, bad files isolated, one writer at a time, and incremental marts equal to a full rebuild."""

from __future__ import annotations

from decimal import Decimal

import pytest
from warehouse import VOLATILE, copy_corpus, last_ingest_run, query, replace_on_line, run, snapshot

from juesuan.lock import WarehouseLock

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def reference(warehouse_db):
    """The five reports built from scratch in one go."""
    return warehouse_db


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """A warehouse that starts with four reports; the tests below evolve it in order."""
    base = tmp_path_factory.mktemp("grown")
    files = copy_corpus(base / "reports", ("000", "001", "002", "003"))
    db = base / "w.duckdb"
    assert run("run", base / "reports", "--db", db, "--no-docs") == 0
    return {"db": db, "dir": base / "reports", "files": files}


def test_adding_one_report_parses_just_it_and_matches_a_full_build(grown, reference):
    db = grown["db"]
    grown["files"].update(copy_corpus(grown["dir"], ("004",)))
    assert run("run", grown["dir"], "--db", db, "--no-docs") == 0
    assert last_ingest_run(db) == {"files_seen": 5, "parsed": 1, "unchanged": 4, "failed": 0, "superseded": 0,
                                   "duplicates": 0}
    # facts built incrementally per document == the same five reports built from scratch (in another folder)
    exclude = (*VOLATILE, "source_path")
    assert snapshot(db, exclude=exclude) == snapshot(reference, exclude=exclude)


def test_a_changed_file_replaces_its_earlier_version_everywhere(grown):
    db = grown["db"]
    old_doc = query(db, "select doc_id from marts.dim_document where source_file like '001%'")[0][0]
    # 001 L52: 工会事务（项）支出决算为730万元 → 731
    line = replace_on_line(grown["files"]["001"], r"工会事务（项）", "730万元", "731万元")
    assert run("run", grown["dir"], "--db", db, "--no-docs") == 0
    assert last_ingest_run(db)["parsed"] == 1 and last_ingest_run(db)["superseded"] == 1
    new_doc = query(db, "select doc_id from marts.dim_document where source_file like '001%'")[0][0]
    assert new_doc != old_doc
    for mart in ("fct_revenue", "fct_expenditure", "fct_three_public", "fct_project_performance",
                 "fct_performance_indicator", "fct_unit_year", "fct_identity_check", "dim_document"):
        assert query(db, f"select count(*) from marts.{mart} where doc_id = ?", [old_doc]) == [(0,)], mart
    assert query(db, "select amount_wan, source_ref from marts.fct_expenditure where doc_id = ? "
                     "and function_code = '2012906' and expenditure_type = 'total'", [new_doc]) == \
        [(Decimal(731), f"L{line}")]


def test_a_unit_year_published_twice_is_counted_once(grown):
    db = grown["db"]
    # the same 西安 2024 accounts issued again as 本级 (own) under another file name
    src = grown["files"]["000"]
    own = grown["dir"] / "000_own_issue.txt"
    own.write_text(src.read_text(encoding="utf-8").replace("（汇总）", "（本级）"), encoding="utf-8")
    before = query(db, "select count(*), sum(amount_wan) from marts.fct_expenditure")
    assert run("run", grown["dir"], "--db", db, "--no-docs") == 0
    docs = query(db, "select source_file, unit_scope, counted_in_facts, shadowed_by is not null "
                     "from marts.dim_document where source_file like '000%' order by 1")
    assert docs == [("000_f1e20d8804268cb6.txt", "consolidated", True, False),
                    ("000_own_issue.txt", "own", False, True)]
    assert query(db, "select count(*), sum(amount_wan) from marts.fct_expenditure") == before
    assert query(db, "select count(*) from marts.fct_unit_year u join marts.dim_unit d using (unit_id) "
                     "where d.unit_name = '西安市总工会'") == [(1,)]
    own.unlink()


def test_a_bad_file_is_reported_and_everything_else_loads(grown, capsys):
    db = grown["db"]
    before = snapshot(db, exclude=VOLATILE)
    bad = grown["dir"] / "zz_broken.txt"
    bad.write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    code = run("run", grown["dir"], "--db", db, "--no-docs")
    out = capsys.readouterr().out
    assert code == 4, out
    assert "zz_broken.txt" in out and "二进制文件，不是文本" in out   # the stored English, in Chinese
    status = query(db, "select status, error_place is not null from raw.documents where source_path like '%zz_broken%'")
    assert status == [("failed", True)]
    after = snapshot(db, exclude=VOLATILE)
    assert {k: v for k, v in after.items() if k != "dim_document"} == \
        {k: v for k, v in before.items() if k != "dim_document"}
    bad.unlink()


def test_a_second_writer_waits_for_the_first(grown, capsys):
    db = grown["db"]
    runs_before = query(db, "select count(*) from raw.ingest_runs")
    with WarehouseLock(db):
        assert run("run", grown["dir"], "--db", db, "--no-docs") == 3
    assert "数据仓库正由" in " ".join(capsys.readouterr().err.split())
    assert query(db, "select count(*) from raw.ingest_runs") == runs_before


def test_missing_input_names_the_path(tmp_path, capsys):
    assert run("run", tmp_path / "no-such-folder", "--db", tmp_path / "w.duckdb") == 2
    assert "no-such-folder" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()
