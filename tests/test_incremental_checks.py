"""Incremental builds of what compares documents (issue #14): the year-over-year and budget families and
fct_identity_check rebuild only the documents whose own state or whose counterparts' changed
(macros/comparisons.sql), and the data tests of an incremental build test the documents of the build
(macros/test_scope.sql).  Every mart and check table after the incremental builds must equal a
--full-refresh build of the same raw schema, row for row and column for column."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from warehouse import REPORTS, ROOT, query, run

from juesuan.dbt import run_dbt
from juesuan.paths import dbt_target_dir

sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate_corpus  # noqa: E402

pytestmark = pytest.mark.pipeline

BUDGET = ROOT / "tests" / "fixtures" / "budget" / "xian_federation_2024_budget.txt"


def tables(db: Path) -> list[str]:
    """Every mart and every identity-check family table."""
    return [f"{s}.{t}" for s, t in query(
        db, "select table_schema, table_name from information_schema.tables where (table_schema = 'marts' "
            "or (table_schema = 'intermediate' and table_name like 'int_check_%')) and table_type = 'BASE TABLE' "
            "order by 1, 2")]


def rows(db: Path, table: str) -> list[tuple]:
    return query(db, f"select * from {table} order by all")


def reissue(path: Path, note: str) -> None:
    """The same report issued again with a note at its end (new bytes, same figures)."""
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{note}\n", encoding="utf-8")


def doc_of(db: Path, name: str) -> str:
    [(doc_id,)] = query(db, "select doc_id from marts.dim_document where source_file = ?", [name])
    return doc_id


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """A warehouse built in two steps.  First: 西安 2024 (bundled 000) and the 2022 and 2024 reports of
    three generated units.  Then, incrementally: their 2023 reports (each the prior year of a report
    already built, and compared with the 2022 one), 西安's 2024 budget (the counterpart of 000's
    年初预算), and a corrected re-issue of one 2022 report (replacing the version built first)."""
    root = tmp_path_factory.mktemp("incremental")
    generate_corpus(root / "generated", 9, seed=5)
    generated = sorted((root / "generated" / "reports").glob("*.txt"))
    assert sorted({f.name.split("_")[1] for f in generated}) == ["2022", "2023", "2024"]
    reports = root / "reports"
    reports.mkdir()
    shutil.copy(next(REPORTS.glob("000_*.txt")), reports)
    for f in generated:
        if "_2023_" not in f.name:
            shutil.copy(f, reports)
    db = root / "w.duckdb"
    assert run("ingest", reports, "--db", db) == 0
    assert run("build", "--db", db) == 0
    first = {"yoy_prior_report": query(db, "select count(*) from marts.fct_identity_check "
                                            "where check_name = 'yoy_change_matches_prior_report'")[0][0],
             "budget_initial": query(db, "select count(*) from marts.fct_identity_check "
                                         "where check_family = 'budget_vs_final'")[0][0]}
    for f in generated:
        if "_2023_" in f.name:
            shutil.copy(f, reports)
    shutil.copy(BUDGET, reports)
    reissued = sorted(reports.glob("*_2022_*.txt"))[0]
    replaced = doc_of(db, reissued.name)
    reissue(reissued, "（更正稿）")   # a new version of the same unit-year, read the same
    assert run("ingest", reports, "--db", db) == 0
    assert run("build", "--db", db) == 0
    second = json.loads((dbt_target_dir(db) / "run_results.json").read_text(encoding="utf-8"))["results"]
    manifest = json.loads((dbt_target_dir(db) / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    return {"db": db, "root": root, "reports": reports, "first": first, "reissued": reissued.name, "replaced": replaced,
            "second_build": {r["unique_id"]: manifest[r["unique_id"]]["original_file_path"] for r in second
                             if r["unique_id"] in manifest}}


@pytest.fixture(scope="module")
def rebuilt(grown, tmp_path_factory):
    """The same raw schema built from scratch (--full-refresh) in a copy of the warehouse."""
    copy = tmp_path_factory.mktemp("full") / "w.duckdb"
    shutil.copy(grown["db"], copy)
    assert run("build", "--db", copy, "--full-refresh") == 0
    return copy


def test_incremental_builds_equal_a_full_rebuild_in_every_mart_and_check_table(grown, rebuilt):
    db = grown["db"]
    assert tables(db) == tables(rebuilt)
    assert "marts.fct_identity_check" in tables(db) and "intermediate.int_check_yoy" in tables(db)
    for table in tables(db):
        assert rows(db, table) == rows(rebuilt, table), table


def test_a_second_build_leaves_the_unchanged_seeds_views_and_seed_tests_out(grown, rebuilt):
    second = grown["second_build"]
    assert "model.juesuan.int_check_yoy" in second
    assert [n for n, path in second.items() if path.startswith("seeds/")] == []
    # the project did not change: the views are those of the first build, and their data tests still run
    assert [n for n in second if n.startswith("model.juesuan.stg_") or n == "model.juesuan.int_facts"] == []
    assert "test.juesuan.primary_key_stg_observations_observation_id" in {n.rsplit(".", 1)[0] for n in second}
    assert "model.juesuan.int_fact_readings" in second
    full = [r["unique_id"] for r in json.loads(
        (dbt_target_dir(rebuilt) / "run_results.json").read_text(encoding="utf-8"))["results"]]
    assert len([n for n in full if n.startswith("seed.")]) == len(list((ROOT / "seeds").glob("*.csv")))


def test_a_new_prior_year_report_is_compared_with_the_reports_built_before_it(grown):
    db = grown["db"]
    # 2024 reports built in the first step, now checked against their unit's 2023 report, which came after
    pairs = query(db, "select distinct d.source_file, p.source_file from marts.fct_identity_check c "
                      "join marts.dim_document d using (doc_id) "
                      "join marts.dim_document p on c.rhs_refs like '%(report ' || p.doc_id || ')' "
                      "where c.check_name = 'yoy_change_matches_prior_report' and d.fiscal_year = 2024 order by 1")
    assert pairs
    for current, prior in pairs:
        assert "_2024_" in current and prior == current.replace("_2024_", "_2023_").replace(
            current[:6], f"{int(current[:6]) - 1:06d}"), (current, prior)
    after = query(db, "select count(*) from marts.fct_identity_check where check_name = 'yoy_change_matches_prior_report'")
    assert after[0][0] > grown["first"]["yoy_prior_report"]


def test_a_new_budget_is_compared_with_the_final_account_built_before_it(grown):
    db = grown["db"]
    assert grown["first"]["budget_initial"] == 0
    final = doc_of(db, next(REPORTS.glob("000_*.txt")).name)
    budget = doc_of(db, BUDGET.name)
    rows_ = query(db, "select count(*), count(*) filter (where rhs_refs like ?) from marts.fct_identity_check "
                      "where check_family = 'budget_vs_final' and doc_id = ?", [f"%(budget {budget})%", final])
    assert rows_[0][0] > 0 and rows_[0][0] == rows_[0][1]


def test_the_replaced_version_leaves_every_check_table(grown):
    db = grown["db"]
    old = grown["replaced"]
    assert doc_of(db, grown["reissued"]) != old
    assert query(db, "select status from raw.documents where doc_id = ?", [old]) == [("superseded",)]
    for table in tables(db):
        columns = [c for (c,) in query(db, "select column_name from information_schema.columns "
                                           "where table_schema || '.' || table_name = ?", [table])]
        if "doc_id" in columns:
            assert query(db, f"select count(*) from {table} where doc_id = ?", [old]) == [(0,)], table


def test_data_tests_of_an_incremental_build_see_the_rows_of_its_units_and_a_full_test_sees_all(grown, tmp_path):
    """A duplicated check row planted in a document of a unit that gets a new report fails the incremental
    build's unique test; one planted in a unit the build does not touch is left to the full test.  (The key of
    fct_identity_check, which is also every family's: a family's rows are its rows.)"""
    db = tmp_path / "w.duckdb"
    shutil.copy(grown["db"], db)
    reports = tmp_path / "reports"
    shutil.copytree(grown["reports"], reports)
    touched, untouched = sorted(reports.glob("[0-9][0-9][0-9][0-9][0-9][0-9]_2024_*.txt"))[:2]
    planted = [doc_of(db, f.name) for f in (touched, untouched)]
    con = duckdb.connect(str(db))
    for doc_id in planted:
        con.execute("insert into marts.fct_identity_check select * from marts.fct_identity_check "
                    "where doc_id = ? order by check_id limit 1", [doc_id])
    con.close()
    # a new version of the touched unit's 2022 report: its unit is in this build
    unit_prefix = touched.name.split("_", 2)[2]
    [earlier] = [f for f in reports.glob(f"*_2022_{unit_prefix}")]
    reissue(earlier, "（再次更正稿）")
    assert run("ingest", reports, "--db", db) == 0
    outcome = run_dbt(["build"], db)
    assert not outcome.success
    assert [(node.split(".")[2], message) for node, message in outcome.failures] == \
        [("primary_key_fct_identity_check_check_id", "Got 1 result, configured to fail if != 0")]
    full = run_dbt(["test", "--select", "fct_identity_check", "--vars", "{full_tests: true}"], db)
    assert [(node.split(".")[2], message) for node, message in full.failures] == \
        [("primary_key_fct_identity_check_check_id", "Got 2 results, configured to fail if != 0")]


def test_staging_tests_of_an_incremental_build_see_the_raw_rows_ingested_since_the_last_build(grown, tmp_path):
    """The staging tests on rows of one document (macros/test_scope.sql raw_documents_of_this_build) test the
    documents ingested since the last complete build: a bad raw figure of a new document fails them, one of a
    document built before is left to the full test."""
    db = tmp_path / "w.duckdb"
    shutil.copy(grown["db"], db)
    reports = tmp_path / "reports"
    shutil.copytree(grown["reports"], reports)
    built_before = doc_of(db, sorted(reports.glob("*_2024_*.txt"))[0].name)
    reissue(sorted(reports.glob("*_2023_*.txt"))[0], "（第三次更正稿）")
    assert run("ingest", reports, "--db", db) == 0
    [(new_doc,)] = query(db, "select doc_id from raw.documents where ingested_at = (select max(ingested_at) "
                             "from raw.documents)")
    assert new_doc != built_before
    con = duckdb.connect(str(db))
    for doc_id, kind in ((built_before, "bogus_before"), (new_doc, "bogus_new")):
        con.execute("update raw.observations set source_kind = ? where doc_id = ? "
                    "and seq = (select min(seq) from raw.observations where doc_id = ?)", [kind, doc_id, doc_id])
    con.close()
    name = "accepted_values_stg_observations_source_kind__table__narrative"
    scoped = run_dbt(["test", "--select", "stg_observations"], db)
    assert [(node.split(".")[2], message) for node, message in scoped.failures] == \
        [(name, "Got 1 result, configured to fail if != 0")]
    full = run_dbt(["test", "--select", "stg_observations", "--vars", "{full_tests: true}"], db)
    assert [(node.split(".")[2], message) for node, message in full.failures] == \
        [(name, "Got 2 results, configured to fail if != 0")]


def test_fct_yoy_is_rebuilt_per_unit_and_the_families_read_the_documents_rows_once(grown, rebuilt):
    """fct_yoy's rows carry the state of their unit's counted reports (a unit whose reports changed is rebuilt,
    no row is left with an older state), and an incremental build selects a family's input rows once
    (materialized) where a full build inlines them (macros/incremental.sql slice_cte)."""
    db = grown["db"]
    assert "model.juesuan.fct_yoy" in grown["second_build"]
    stale = query(db, "select count(*), count(distinct y.unit_id) from marts.fct_yoy y left join ("
                      "select unit_id, md5(string_agg(state_key, ',' order by state_key)) as state "
                      "from intermediate.int_document_versions where is_loaded and unit_id is not null group by unit_id"
                      ") u on u.unit_id = y.unit_id where y.unit_state is distinct from u.state")
    assert stale == [(0, 0)]
    assert query(db, "select count(distinct unit_id) from marts.fct_yoy where prior_source = 'prior_document'")[0][0] >= 3
    family = Path("compiled", "juesuan", "models", "intermediate", "checks", "int_check_full_rates.sql")
    assert "with readings as materialized (" in (dbt_target_dir(db) / family).read_text(encoding="utf-8")
    assert "with readings as not materialized (" in (dbt_target_dir(rebuilt) / family).read_text(encoding="utf-8")
