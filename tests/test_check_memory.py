"""The checks' DuckDB connections are bounded (issue #14: peak memory < 2 GB at any size): validating every row of
a 101,000-report warehouse peaked at 13,066 MB with DuckDB's default buffer pool (80 % of the machine)."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from expectations import checkpoint


@pytest.fixture()
def warehouse(tmp_path) -> Path:
    import duckdb

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts; create table marts.t as select 1 as x")
    con.close()
    return db


def _setting(db: Path, name: str) -> str:
    source = checkpoint.warehouse_source(checkpoint._context(None), db)
    with source.get_engine().connect() as con:
        return con.execute(sa.text(f"select current_setting('{name}')")).scalar()


def test_the_checks_open_the_warehouse_read_only_under_a_memory_limit(warehouse, monkeypatch):
    monkeypatch.setattr(checkpoint, "CHECK_MEMORY", "700MB")
    assert _setting(warehouse, "memory_limit") == "667.5 MiB"    # DuckDB shows 700 MB in MiB
    assert _setting(warehouse, "access_mode") == "read_only"


def test_an_invalid_limit_fails_with_duckdbs_error(warehouse, monkeypatch):
    monkeypatch.setattr(checkpoint, "CHECK_MEMORY", "lots")
    with pytest.raises(Exception, match="Memory must have a number"):
        _setting(warehouse, "memory_limit")
