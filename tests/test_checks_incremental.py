"""Incremental checks (issue #14): after a build that added documents, `juesuan check` validates the integrity
suites of the per-unit marts over the units built since the last check (expectations/scope.py) and gives
exactly the outcomes of `juesuan check --all` on the same warehouse; a finding in an old report is reported
by every run, and a failure a full run found keeps its suite whole until it is gone."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from warehouse import copy_corpus, query, run

pytestmark = pytest.mark.pipeline


def outcomes(path: Path) -> list[tuple]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(o["suite"], o["expectation"], o["success"], o["unexpected_count"], json.dumps(o["rows"], sort_keys=True),
             o["error"]) for o in data["outcomes"]]


def scope_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["scope"]


def check(db: Path, out: Path, *extra: str) -> int:
    return run("check", "--db", db, "--json", out, *extra)


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """Four bundled reports built and checked, then the fifth ingested and built: the state after a run
    that added a document, before its checks."""
    base = tmp_path_factory.mktemp("incremental_checks")
    reports = base / "reports"
    copy_corpus(reports, keys=("000", "001", "002", "003"))
    db = base / "w.duckdb"
    assert run("run", reports, "--db", db, "--no-docs") == 0
    first = query(db, "select full_run from raw.check_marks order by checked_at")
    assert first == [(True,)]    # no earlier check: the first one validates everything
    copy_corpus(reports, keys=("004",))
    assert run("ingest", reports, "--db", db) == 0
    assert run("build", "--db", db) == 0
    return base, db


def test_an_incremental_check_gives_the_outcomes_of_a_full_one(grown, tmp_path):
    base, db = grown
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    inc, full = tmp_path / "inc.json", tmp_path / "full.json"
    statements = []
    listen = lambda conn, cursor, statement, *_: statements.append(statement)  # noqa: E731
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", listen)
    try:
        assert check(copy, inc) == 0
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", listen)
    assert check(copy, full, "--all") == 0
    scope = scope_of(inc)
    assert scope["full"] is False and scope_of(full)["full"] is True
    # only the unit of the new report (攀枝花市西区总工会) is validated again in the per-unit marts
    assert scope["units_in_scope"] == 1
    assert "integrity.fct_expenditure" in scope["scoped_suites"]
    assert "integrity.dim_document" not in scope["scoped_suites"]      # whole, always: it compares units
    # a scoped suite reads the copy of its rows in scope, made once (scope.materialize): GE's queries read no
    # scoped mart but fct_identity_check (the identity suite, always whole) and fct_project_performance (which
    # fct_performance_indicator's indicators must join)
    scoped = {s.removeprefix("integrity.") for s in scope["scoped_suites"]}
    read = {t for sql in statements for t in re.findall(r"\bmarts\.(\w+)", sql)}
    assert read & scoped == {"fct_identity_check", "fct_project_performance"}
    assert {t for sql in statements for t in re.findall(r"\bjuesuan_scope\.(\w+)", sql)} == scoped
    assert outcomes(inc) == outcomes(full)
    found = [o for o in outcomes(full) if o[0] == "accounting_identities" and not o[2]]
    assert sum(o[3] for o in found) == query(copy, "select count(*) from marts.fct_identity_check where not passed")[0][0]
    assert {o[3] for o in found} and all(o[3] > 0 for o in found)
    # Data Docs are written by each run: a validation page per suite (the newest run's), linked from the index
    docs = copy.parent / "w_outputs" / "data_docs"
    pages = list((docs / "validations").rglob("*.html"))
    assert len(pages) == len(outcomes_suites := {o[0] for o in outcomes(full)}) == 19
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert all(suite in index for suite in outcomes_suites)


def _doc_id(db: Path, prefix: str) -> str:
    return query(db, "select doc_id from marts.dim_document where source_file like ?", [prefix + "%"])[0][0]


def test_a_failure_planted_in_an_old_document(grown, tmp_path):
    base, db = grown
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    assert check(copy, tmp_path / "0.json") == 0            # checks the new document's unit: everything passes
    old = _doc_id(copy, "000")                               # built and checked before, not rebuilt since
    con = duckdb.connect(str(copy))
    # an identity that held now fails (figures and verdict consistent, so integrity still holds) …
    planted = con.execute(
        "update marts.fct_identity_check set lhs = lhs + 100, diff = diff + 100, passed = false "
        "where check_id = (select min(check_id) from marts.fct_identity_check "
        "where doc_id = ? and passed and comparison = '=') returning check_id, check_name", [old]).fetchall()
    # … and a row of an old document loses its provenance
    lost = con.execute("update marts.fct_expenditure set source_ref = null where doc_id = ? and rowid = "
                       "(select min(rowid) from marts.fct_expenditure where doc_id = ?) returning 1",
                       [old, old]).fetchall()
    con.close()
    assert len(planted) == 1 and len(lost) == 1
    check_id, name = planted[0]

    def identity(path: Path, name: str) -> tuple:
        data = json.loads(path.read_text(encoding="utf-8"))
        return next((o["success"], o["unexpected_count"], {r["check_id"] for r in o["rows"]})
                    for o in data["outcomes"] if o["suite"] == "accounting_identities" and o["check_name"] == name)

    provenance = ("integrity.fct_expenditure", "every row says where it was read")

    def failed(path: Path) -> set:
        return {(o[0], o[1]) for o in outcomes(path) if o[0].startswith("integrity.") and not o[2]}

    # the full run reports both
    assert check(copy, tmp_path / "full.json", "--all") == 1
    assert failed(tmp_path / "full.json") == {provenance}
    success, count, ids = identity(tmp_path / "full.json", name)
    assert not success and check_id in ids
    # an incremental run after it: the identity suite always reads the whole mart (a finding in an old report is
    # reported by every run), and the suite that failed is validated whole until it passes again
    assert check(copy, tmp_path / "inc.json") == 1
    assert scope_of(tmp_path / "inc.json")["full"] is False
    assert "integrity.fct_expenditure" not in scope_of(tmp_path / "inc.json")["scoped_suites"]
    assert outcomes(tmp_path / "inc.json") == outcomes(tmp_path / "full.json")


def test_an_incremental_check_trusts_rows_no_build_touched(grown, tmp_path):
    """What an incremental run does not see: a row of an old document changed behind the build's back (not by
    a build, which would put its unit in scope) after a check that passed — `check --all` finds it, and from
    then on every run does."""
    base, db = grown
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    assert check(copy, tmp_path / "0.json") == 0
    old = _doc_id(copy, "001")
    con = duckdb.connect(str(copy))
    con.execute("update marts.fct_revenue set source_kind = 'guess' where doc_id = ? and rowid = "
                "(select min(rowid) from marts.fct_revenue where doc_id = ?)", [old, old])
    con.close()
    assert check(copy, tmp_path / "inc.json") == 0          # scoped to the units built since: not seen
    assert check(copy, tmp_path / "full.json", "--all") == 1
    enum = ("integrity.fct_revenue", "source_kind is table or narrative")
    assert {(o[0], o[1]) for o in outcomes(tmp_path / "full.json") if not o[2] and o[0].startswith("integrity.")} == {enum}
    assert check(copy, tmp_path / "after.json") == 1
    assert outcomes(tmp_path / "after.json") == outcomes(tmp_path / "full.json")


def test_a_change_of_the_checks_or_the_project_makes_the_next_check_full(grown, tmp_path, monkeypatch):
    from expectations import scope

    base, db = grown
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    monkeypatch.setattr(scope, "checks_key", lambda: "another version of the checks")
    assert check(copy, tmp_path / "a.json") == 0
    assert scope_of(tmp_path / "a.json") | {"built_through": None} == {
        "full": True, "reason": "the checks or the dbt project changed since the last check", "since": None,
        "built_through": None, "scoped_suites": [], "units_in_scope": None}
    assert check(copy, tmp_path / "b.json") == 0             # same key now: incremental, nothing built since
    assert scope_of(tmp_path / "b.json")["full"] is False and scope_of(tmp_path / "b.json")["units_in_scope"] == 0
    assert outcomes(tmp_path / "a.json") == outcomes(tmp_path / "b.json")
