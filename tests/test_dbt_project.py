"""The dbt project documents what analysts query: every mart and every column has a description,
every model its own yml, and `dbt docs generate` builds the docs site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from warehouse import ROOT, query, run

from juesuan.paths import dbt_target_dir

pytestmark = pytest.mark.pipeline


def documented() -> dict[str, dict]:
    models = {}
    for path in (ROOT / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            models[model["name"]] = {"file": path, **model}
    return models


def test_every_model_has_its_own_yml_with_a_description():
    docs = documented()
    for sql in (ROOT / "models").rglob("*.sql"):
        name = sql.stem
        assert name in docs, f"{sql}: no yml"
        assert docs[name]["file"].stem == name or docs[name]["file"].name.startswith("_"), f"{name}: not in {name}.yml"
        assert (docs[name].get("description") or "").strip(), f"{name}: no description"


def test_every_mart_column_is_described(warehouse_db):
    docs = documented()
    marts = query(warehouse_db, "select table_name, column_name from information_schema.columns "
                                "where table_schema = 'marts' order by table_name, ordinal_position")
    missing = []
    for table, column in marts:
        described = {c["name"]: (c.get("description") or "").strip() for c in docs[table].get("columns", [])}
        if not described.get(column):
            missing.append(f"{table}.{column}")
    assert missing == []


def test_dbt_docs_generate_builds_the_site(warehouse_db):
    assert run("build", "--db", warehouse_db, "--docs") == 0
    target = dbt_target_dir(Path(warehouse_db))
    assert (target / "index.html").exists()
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    assert "model.juesuan.fct_identity_check" in catalog["nodes"]
    # the descriptions were persisted to the warehouse too (persist_docs), so SQL clients show them
    comment = query(warehouse_db, "select comment from duckdb_tables() where schema_name = 'marts' "
                                  "and table_name = 'fct_revenue'")[0][0]
    assert comment and "revenue" in comment.lower()


# ---------------------------------------------------------------- structure (issue #12)

CONTRACT_MARTS = ("dim_document", "dim_unit", "dim_function_subject", "dim_economic_subject", "fct_revenue",
                  "fct_expenditure", "fct_expenditure_economic", "fct_three_public", "fct_project_performance",
                  "fct_performance_indicator", "fct_unit_year", "fct_yoy", "fct_identity_check")


def _test_name(test) -> str:
    return test if isinstance(test, str) else next(iter(test))


def test_staging_models_read_one_source_table_and_join_nothing():
    staging = sorted((ROOT / "models" / "staging").rglob("*.sql"))
    assert staging and all(p.parent.name == "raw" for p in staging)
    for path in staging:
        sql = path.read_text(encoding="utf-8").lower()
        assert sql.count("source('raw'") == 1 and "ref(" not in sql and " join " not in sql, path.name


def test_sources_declare_freshness_on_every_table():
    sources = yaml.safe_load((ROOT / "models" / "staging" / "raw" / "_raw__sources.yml").read_text(encoding="utf-8"))
    raw = sources["sources"][0]
    assert raw["config"]["freshness"]["warn_after"] == {"count": 26, "period": "hour"}
    for table in raw["tables"]:
        config = table.get("config", {})
        assert ("loaded_at_field" in config) != ("loaded_at_query" in config), table["name"]


def _tested_key(model: dict) -> bool:
    """Whether the model's yml tests a key itself: a column with primary_key (or unique + not_null), or a
    one_row_per_grain test."""
    column_keys = [c["name"] for c in model.get("columns", []) or []
                   if {"unique", "not_null"} <= (names := {_test_name(t) for t in c.get("data_tests", []) or []})
                   or "primary_key" in names]
    combined = [t for t in model.get("data_tests", []) or [] if _test_name(t) == "one_row_per_grain"]
    return bool(column_keys or combined)


def test_every_model_has_a_primary_key_test():
    """Every model's key is tested — by its own yml, or, where a test of another model already covers the same
    rows (meta.key_tested_by on the key column, bench/README "Build, thirteenth round"), by that model's own key
    test, which must exist."""
    docs = documented()
    lacking = []
    for name, model in docs.items():
        implied = [(c["name"], c["meta"]["key_tested_by"]) for c in model.get("columns", []) or []
                   if (c.get("meta") or {}).get("key_tested_by")]
        if _tested_key(model):
            continue
        if implied and all(by in docs and _tested_key(docs[by]) for _, by in implied):
            continue
        lacking.append((name, implied))
    assert lacking == []


def test_contract_marts_enforce_their_column_types(warehouse_db):
    docs = documented()
    for mart in CONTRACT_MARTS:
        model = docs[mart]
        assert model["config"]["contract"] == {"enforced": True}, mart
        declared = [(c["name"], c["data_type"]) for c in model["columns"]]
        built = query(warehouse_db, "select column_name, lower(data_type) from information_schema.columns "
                                    "where table_schema = 'marts' and table_name = ? order by ordinal_position", [mart])
        assert declared == [(n, t.replace(" ", "")) for n, t in built], mart


def test_every_check_family_is_in_the_union():
    families = sorted(p.stem for p in (ROOT / "models" / "intermediate" / "checks").glob("int_check_*.sql"))
    union = (ROOT / "models" / "marts" / "fct_identity_check.sql").read_text(encoding="utf-8")
    assert len(families) >= 8
    for family in families:
        assert f"ref('{family}')" in union, family
        assert "{{ identity_checks(" in (ROOT / "models" / "intermediate" / "checks" / f"{family}.sql").read_text(
            encoding="utf-8"), family


def test_unit_tests_of_the_check_families_and_the_tolerance_rule_pass(warehouse_db):
    from juesuan.dbt import run_dbt

    declared = [t["name"] for p in (ROOT / "models").rglob("*.yml")
                for t in (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("unit_tests", [])]
    finished = []   # the CLI's progress line counts the nodes as dbt reports them
    outcome = run_dbt(["test", "--select", "test_type:unit"], Path(warehouse_db),
                      on_node=lambda name, status: finished.append((name, status)))
    assert outcome.success, outcome.failures or outcome.error
    assert outcome.counts == {"pass": len(declared)} and len(declared) >= 9
    assert sorted(name for name, _ in finished) == sorted(declared) and {s for _, s in finished} == {"pass"}


def test_a_build_with_nothing_new_is_skipped_and_a_changed_raw_schema_is_built(warehouse_db, tmp_path):
    import shutil

    import duckdb

    from juesuan.dbt import build_fingerprint, run_dbt

    db = Path(shutil.copy(warehouse_db, tmp_path / "juesuan.duckdb"))
    shutil.copytree(dbt_target_dir(Path(warehouse_db)), dbt_target_dir(db))
    before = build_fingerprint(db)
    assert run_dbt(["build"], db).skipped
    con = duckdb.connect(str(db))
    con.execute("update raw.documents set ingested_at = ingested_at + interval 1 second "
                "where doc_id = (select min(doc_id) from raw.documents)")
    con.close()
    assert build_fingerprint(db) != before
    outcome = run_dbt(["build", "--select", "stg_documents"], db)   # not a plain build: never skipped
    assert not outcome.skipped and outcome.success


def _comments_against_descriptions(db: Path) -> list[str]:
    """Every model relation's and documented column's stored comment that is not its description (manifest)."""
    import duckdb

    manifest = json.loads((dbt_target_dir(db) / "manifest.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = {(s, t, None): c for s, t, c in con.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "union all select schema_name, view_name, comment from duckdb_views() where not internal").fetchall()}
        stored.update({(s, t, col): c for s, t, col, c in con.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns()").fetchall()})
    finally:
        con.close()
    wrong = []
    for node in manifest["nodes"].values():
        relation = (node["schema"], node["alias"], None)
        if node["resource_type"] != "model" or relation not in stored:
            continue
        if node["description"] and stored[relation] != node["description"]:
            wrong.append(f"{node['alias']}: {stored[relation]!r}")
        for name, column in node["columns"].items():
            key = (node["schema"], node["alias"], name)
            if key in stored and stored[key] != column["description"]:
                wrong.append(f"{node['alias']}.{name}: {stored[key]!r}")
    return wrong


def test_persisted_comments_are_the_descriptions_and_a_build_rewrites_only_those_that_differ(warehouse_db, tmp_path):
    """macros/persist_docs.sql: comments are written only where the stored one differs from the description.  After
    the bundled corpus's builds every relation and documented column holds its description; a stale comment on a
    table that an incremental build keeps (fct_revenue, per document) is rewritten by the next build, the
    comments that were right stay as they were."""
    import shutil

    import duckdb

    from juesuan.dbt import FINGERPRINT, run_dbt

    assert _comments_against_descriptions(Path(warehouse_db)) == []
    db = Path(shutil.copy(warehouse_db, tmp_path / "juesuan.duckdb"))
    shutil.copytree(dbt_target_dir(Path(warehouse_db)), dbt_target_dir(db))
    con = duckdb.connect(str(db))
    con.execute("comment on column marts.fct_revenue.amount_wan is 'stale'")
    con.execute("comment on table marts.fct_revenue is 'stale'")
    con.close()
    assert len(_comments_against_descriptions(db)) == 2
    (dbt_target_dir(db) / FINGERPRINT).unlink()   # no record of the last build: a plain incremental build runs
    outcome = run_dbt(["build"], db)
    assert outcome.success and not outcome.skipped, outcome.failures or outcome.error
    assert _comments_against_descriptions(db) == []


def test_status_runs_dbt_source_freshness(warehouse_db):
    from juesuan.status import source_freshness

    found = source_freshness(Path(warehouse_db))
    assert not isinstance(found, str), found
    assert [s.table for s in found] == sorted(f"raw.{t}" for t in (
        "documents", "observations", "indicators", "rejects", "parse_issues", "coverage", "ingest_runs",
        "document_paths"))
    assert {s.status for s in found} == {"pass"}
    newest = query(warehouse_db, "select max(ingested_at) from raw.documents")[0][0]
    assert next(s for s in found if s.table == "raw.documents").max_loaded_at == newest


def test_unlogged_debug_events_are_dropped_on_the_pinned_dbt():
    """juesuan.dbt._drop_unlogged_debug replaces dbt_common's EventManager.fire_event (a library internal)
    only where its parameters are the ones it was written for; a dbt upgrade that changes them makes the
    builds slower, silently — this test says so instead.  Run in a child: the patch is process-wide."""
    import subprocess
    import sys

    code = ("from juesuan.dbt import _drop_unlogged_debug; from dbt_common.events.event_manager import EventManager; "
            "before = EventManager.fire_event; print(_drop_unlogged_debug(), EventManager.fire_event is not before)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.split() == ["True", "True"]


def test_a_parse_state_made_in_another_project_folder_is_not_used(warehouse_db, tmp_path, monkeypatch):
    """dbt's partial parse keeps absolute paths (a seed's file) and does not check which folder made it: a
    warehouse whose state came from another checkout (a moved project, a warehouse built by two checkouts,
    the shared parse cache) failed its build with "No files found that match the pattern …/seeds/…".  Such
    a state, in the warehouse's target or in the shared cache, is dropped and dbt parses afresh."""
    import shutil

    import juesuan.dbt as dbt

    db = tmp_path / Path(warehouse_db).name   # the same name: the same profile, so dbt takes the state as its own
    shutil.copy(warehouse_db, db)
    made_here = (dbt.target_dir(Path(warehouse_db)) / dbt.PARTIAL_PARSE).read_bytes()
    elsewhere = "/" + "x" * (len(str(ROOT)) - 1)   # same length: the msgpack stays valid
    foreign = made_here.replace(str(ROOT).encode(), elsewhere.encode())
    assert foreign != made_here
    target = dbt.target_dir(db)
    target.mkdir(parents=True, exist_ok=True)
    cache = tmp_path / "cache"
    cache.mkdir()
    for folder, name in ((target, "partial_parse"), (cache, db.name)):
        (folder / f"{name}.msgpack").write_bytes(foreign)
        (folder / f"{name}.root").write_text(elsewhere, encoding="utf-8")
    monkeypatch.setattr(dbt, "PARSE_CACHE", cache)
    outcome = dbt.run_dbt(["seed"], db)
    assert outcome.success, outcome.failures or outcome.error
    assert (target / dbt.PARSE_ROOT).read_text(encoding="utf-8") == str(ROOT)
    state = (target / dbt.PARTIAL_PARSE).read_bytes()
    assert str(ROOT).encode() in state and elsewhere.encode() not in state
    # the shared cache is this folder's again too
    assert (cache / f"{db.name}.root").read_text(encoding="utf-8") == str(ROOT)
