"""The copy an incremental check validates (expectations/scope.py, issue #14): the rows of the units in scope of
each scoped mart, made once before Great Expectations runs, attached read-only to the checks' connections —
after +1,000 reports on 100,000, filtering the marts in each of GE's queries cost 164 CPU-s of 171."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from expectations import checkpoint, scope


@pytest.fixture()
def warehouse(tmp_path) -> Path:
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("""
        create schema marts;
        create table marts.fct_x (unit_id varchar, doc_id varchar, amount_wan decimal(18, 4));
        insert into marts.fct_x values ('u1', 'd1', 1.5), ('u2', 'd2', 2.25), ('o''q', 'd3', 3), (null, 'd4', 4),
                                       ('u1', 'd5', 5), ('u3', 'd6', null);
        create view marts.v_x as select unit_id, doc_id from marts.fct_x where doc_id <> 'd5';
    """)
    con.close()
    return db


def _scope(*units: str) -> scope.Scope:
    return scope.Scope(False, datetime(2026, 1, 1), units=units)


def test_the_copy_holds_the_rows_of_the_units_in_scope_and_of_no_unit(warehouse, tmp_path):
    scratch = tmp_path / "scope.duckdb"
    scope.materialize(warehouse, _scope("u1", "o'q"), {"fct_x": "marts.fct_x", "v_x": "marts.v_x"}, scratch, "100MB")
    con = duckdb.connect(str(scratch), read_only=True)
    try:
        assert con.execute("select * from fct_x order by doc_id").fetchall() == [
            ("u1", "d1", Decimal("1.5000")), ("o'q", "d3", Decimal("3.0000")), (None, "d4", Decimal("4.0000")),
            ("u1", "d5", Decimal("5.0000"))]
        # the mart's types, which the integrity suites check (money: DECIMAL with 4 places)
        assert con.execute("select typeof(amount_wan) from fct_x limit 1").fetchone() == ("DECIMAL(18,4)",)
        # a view has no rowid: copied by the condition itself
        assert con.execute("select * from v_x order by doc_id").fetchall() == [
            ("u1", "d1"), ("o'q", "d3"), (None, "d4")]
        assert [t for (t,) in con.execute("select table_name from duckdb_tables() order by 1").fetchall()] == [
            "fct_x", "v_x"]
    finally:
        con.close()


def test_no_units_in_scope_copies_the_rows_of_no_unit(warehouse, tmp_path):
    scratch = tmp_path / "scope.duckdb"
    scope.materialize(warehouse, _scope(), {"fct_x": "marts.fct_x"}, scratch, "100MB")
    con = duckdb.connect(str(scratch), read_only=True)
    try:
        assert con.execute("select doc_id from fct_x").fetchall() == [("d4",)]
    finally:
        con.close()
    with pytest.raises(FileExistsError):
        scope.materialize(warehouse, _scope(), {"fct_x": "marts.fct_x"}, scratch, "100MB")


def test_the_checks_connections_attach_the_copy_while_the_run_lasts(warehouse, tmp_path):
    scratch = tmp_path / "scope.duckdb"
    scope.materialize(warehouse, _scope("u2"), {"fct_x": "marts.fct_x"}, scratch, "100MB")
    read = f"select doc_id from {scope.SCRATCH_CATALOG}.fct_x order by doc_id"
    with checkpoint.attaching(scratch):
        source = checkpoint.warehouse_source(checkpoint._context(None), warehouse)
        with source.get_engine().connect() as con:
            assert con.execute(sa.text(read)).fetchall() == [("d2",), ("d4",)]
            # the warehouse itself, still read-only, is the default catalog
            assert con.execute(sa.text("select count(*) from marts.fct_x")).scalar() == 6
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                con.execute(sa.text(f"create table {scope.SCRATCH_CATALOG}.y as select 1"))
        checkpoint._close(source)
    # the listener is gone with the run: a new connection does not attach the copy
    engine = sa.create_engine(f"duckdb:///{warehouse}", connect_args={"read_only": True})
    try:
        with engine.connect() as con, pytest.raises(sa.exc.DBAPIError, match=scope.SCRATCH_CATALOG):
            con.execute(sa.text(read))
    finally:
        engine.dispose()
