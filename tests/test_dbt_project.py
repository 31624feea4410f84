"""The dbt project documents what analysts query: every mart and every column has a description,
every model its own yml, and `dbt docs generate` builds the docs site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from juesuan.paths import dbt_target_dir
from warehouse import ROOT, query, run

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
