"""`juesuan sql` cannot write: every kind of writing statement is refused or harmless, errors are one line.

The warehouse here is a small DuckDB file with a `marts` table (the switches under test are DuckDB's,
not dbt's, so no build is needed); every statement goes through the CLI exactly as a user types it.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from juesuan.cli import cli, main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def wh(tmp_path):
    db = tmp_path / "wh" / "juesuan.duckdb"
    db.parent.mkdir()
    con = duckdb.connect(str(db))
    con.execute("create schema marts; create table marts.dim_unit as "
                "select * from (values ('u1', '西安市总工会'), ('u2', '广元市总工会')) t(unit_id, unit_name)")
    con.close()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return db, outside


def _files(*folders: Path) -> dict[str, str]:
    """Every file under the folders with the hash of its bytes."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


def writing_statements(db: Path, out: Path) -> list[str]:
    other = out / "other.duckdb"
    return [
        # the warehouse itself
        "create table marts.x (a int)",
        "create view marts.v as select 1 as a",
        "create schema evil",
        "insert into marts.dim_unit values ('u3', 'x')",
        "update marts.dim_unit set unit_name = 'x'",
        "delete from marts.dim_unit",
        "drop table marts.dim_unit",
        "alter table marts.dim_unit add column b int",
        "create or replace table marts.dim_unit as select 1 as a",
        "create macro marts.m(x) as x + 1",
        # files
        f"copy marts.dim_unit to '{out / 'dump.csv'}'",
        f"copy (select * from marts.dim_unit) to '{out / 'dump.parquet'}' (format parquet)",
        f"copy marts.dim_unit to '{db}'",                 # the call that once destroyed the warehouse
        f"export database '{out / 'export'}'",
        f"select * from read_csv('{out / 'secret.csv'}')",
        f"select * from read_text('{out / 'secret.csv'}')",
        f"select * from glob('{out}/*')",
        # other databases
        f"attach '{other}' as o (read_write)",
        f"attach '{other}' as o; create table o.t as select 1 as a",
        f"attach '{db}' as again (read_write); insert into again.marts.dim_unit values ('u9', 'x')",
        "attach ':memory:' as m",
        # undoing the switches
        "set enable_external_access = true",
        f"set enable_external_access = true; copy marts.dim_unit to '{out / 'after_set.csv'}'",
        "reset enable_external_access",
        "set lock_configuration = false",
        "set access_mode = 'read_write'",
        f"set allowed_directories = ['{out}']",
        f"set temp_directory = '{out / 'spill'}'",
        f"set profiling_output = '{out / 'profile.json'}'; pragma enable_profiling",
        "pragma enable_checkpoint_on_shutdown",
        # extensions and secrets
        "install httpfs",
        "force install json",
        "load httpfs",
        "create persistent secret s (type s3, key_id 'k', secret 'v')",
    ]


def test_no_statement_writes_a_file_or_a_database(wh, capsys):
    db, outside = wh
    before = _files(db.parent, outside)
    refused = []
    for sql in writing_statements(db, outside):
        code = main(["sql", "--db", str(db), sql])
        captured = capsys.readouterr()
        assert _files(db.parent, outside) == before, f"{sql!r} changed files"
        if code == 2:
            refused.append(sql)
            # one line on stderr, no traceback
            assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err, (sql, captured.err)
            assert captured.err.startswith("SQL 错误: "), captured.err
    # every statement above is refused (statements that are harmless in read-only mode are below)
    assert refused == writing_statements(db, outside)
    # still readable, still the same rows
    assert main(["sql", "--db", str(db), "--format", "csv", "select unit_id, unit_name from marts.dim_unit order by 1"]) == 0
    assert capsys.readouterr().out.split() == ["unit_id,unit_name", "u1,西安市总工会", "u2,广元市总工会"]


def test_statements_that_succeed_read_only_write_nothing(wh, capsys):
    db, outside = wh
    before = _files(db.parent, outside)
    for sql in ("checkpoint", "vacuum", "create temp table t as select 1 as a",
                "select count(*) from range(3000000) a, range(3) b"):   # big enough to consider spilling
        assert main(["sql", "--db", str(db), sql]) == 0, sql
        capsys.readouterr()
        assert _files(db.parent, outside) == before, sql


def test_the_prompt_uses_the_same_locked_connection(wh, capsys, monkeypatch):
    db, outside = wh
    lines = iter([f"copy marts.dim_unit to '{outside / 'p.csv'}';", "select count(*) as n from marts.dim_unit;"])

    def fake_input(prompt=""):
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr(builtins, "input", fake_input)
    assert main(["sql", "--db", str(db)]) == 0
    captured = capsys.readouterr()
    assert not (outside / "p.csv").exists()
    assert "Permission Error" in captured.err and "Traceback" not in captured.err
    assert "│ 2 │" in captured.out


def test_sql_error_is_one_line_with_exit_2(wh, capsys):
    db, _ = wh
    assert main(["sql", "--db", str(db), "select * from marts.no_such_table"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == "SQL 错误: Catalog Error: Table with name no_such_table does not exist!"
    assert main(["sql", "--lang", "en", "--db", str(db), "select * from marts.no_such_table"]) == 2
    assert capsys.readouterr().err.strip() == "sql error: Catalog Error: Table with name no_such_table does not exist!"
    assert main(["sql", "--lang", "en", "--db", str(db), "selec 1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sql error: Parser Error: syntax error at or near \"selec\"") and len(err.splitlines()) == 1


def test_truncation_hint_names_flags_that_exist(wh, capsys):
    db, _ = wh
    assert main(["--lang", "en", "sql", "--db", str(db), "--max-rows", "5", "select * from range(12)"]) == 0
    hint = capsys.readouterr().out.strip().splitlines()[-1]
    assert hint == "7 more rows (use --max-rows 12 or --format csv for all)"
    known = {opt for param in cli.commands["sql"].params for opt in param.opts}
    assert {"--max-rows", "--format"} <= known
    # and the hint works as written
    assert main(["sql", "--db", str(db), "--max-rows", "12", "select * from range(12)"]) == 0
    assert "more rows" not in capsys.readouterr().out


def test_piping_into_head_gives_no_traceback(wh):
    db, _ = wh
    cmd = (f"{sys.executable} -m juesuan sql --db '{db}' --format csv 'select * from range(300000)' | head -2")
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; {cmd}"], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.stdout.split() == ["range", "0"]
    assert proc.stderr == ""


class _Counting:
    """A cursor that counts the rows handed to Python (fetchall is not allowed: it would hold them all)."""

    def __init__(self, cur):
        self.cur, self.description, self.fetched = cur, cur.description, 0

    def fetchmany(self, n):
        rows = self.cur.fetchmany(n)
        self.fetched += len(rows)
        return rows

    def fetchall(self):
        raise AssertionError("fetchall: the whole result in memory")


def test_a_page_fetches_only_itself_and_a_bounded_count(tmp_path, capsys):
    from rich.console import Console

    from juesuan.i18n import set_lang
    from juesuan.sql import COUNT_LIMIT, print_result

    set_lang("en")
    con = duckdb.connect()
    try:
        out = Console(record=True, width=100, file=io.StringIO())
        cur = _Counting(con.execute("select range as n from range(100000)"))
        print_result(cur, "table", 5, out)
        assert cur.fetched == 5 + 1 + COUNT_LIMIT     # the page, the row that says there is more, the count
        text = out.export_text()
        assert text.strip().splitlines()[-1] == "more than 10,000 more rows (use --max-rows 0 or --format csv for all)"
        assert "│ 4 │" in text and "│ 5 │" not in text
        # a small rest is counted exactly
        cur = _Counting(con.execute("select range as n from range(12)"))
        print_result(cur, "table", 5, out)
        assert out.export_text().strip().splitlines()[-1] == "7 more rows (use --max-rows 12 or --format csv for all)"
        # CSV streams every row in chunks
        cur = _Counting(con.execute("select range as n from range(25001)"))
        print_result(cur, "csv", 5, out)
        lines = capsys.readouterr().out.splitlines()
        assert cur.fetched == 25001 and lines[0] == "n" and lines[-1] == "25000" and len(lines) == 25002
    finally:
        con.close()
        set_lang(None)
