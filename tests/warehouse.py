"""Helpers for tests that run the whole pipeline (ingest → dbt → checks) into a temporary warehouse."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb

from juesuan.cli import main

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
CONTRACT_MARTS = ("dim_document", "dim_unit", "dim_function_subject", "dim_economic_subject", "fct_revenue",
                  "fct_expenditure", "fct_expenditure_economic", "fct_three_public", "fct_project_performance",
                  "fct_performance_indicator", "fct_unit_year", "fct_yoy", "fct_identity_check")
# columns that record when or how fast something was loaded, not what was loaded (the states an incremental
# build compares are hashes of ingestion times among others: macros/comparisons.sql)
VOLATILE = ("ingested_at", "parse_ms", "document_state", "unit_state")


def run(*argv: str) -> int:
    return main([str(a) for a in argv])


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def marts(db: Path) -> list[str]:
    return [r[0] for r in query(db, "select table_name from information_schema.tables "
                                    "where table_schema = 'marts' order by 1")]


def snapshot(db: Path, *, exclude: tuple[str, ...] = ()) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent content hash of every mart."""
    out = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in [r[0] for r in con.execute("select table_name from information_schema.tables "
                                                  "where table_schema = 'marts' order by 1").fetchall()]:
            cols = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = ? order by ordinal_position", [table]).fetchall()]
            keep = ", ".join(f'"{c}"' for c in cols if c not in exclude)
            n, digest = con.execute(
                f"select count(*), coalesce(md5(string_agg(h, '' order by h)), '') "
                f"from (select md5(row({keep})::varchar) as h from marts.{table})").fetchall()[0]
            out[table] = (n, digest)
    finally:
        con.close()
    return out


def last_ingest_run(db: Path) -> dict:
    row = query(db, "select files_seen, parsed, unchanged, failed, superseded, duplicates from raw.ingest_runs "
                    "order by started_at desc limit 1")[0]
    return dict(zip(("files_seen", "parsed", "unchanged", "failed", "superseded", "duplicates"), row))


def copy_corpus(dest: Path, keys: tuple[str, ...] = ("000", "001", "002", "003", "004")) -> dict[str, Path]:
    dest.mkdir(parents=True, exist_ok=True)
    out = {}
    for src in sorted(REPORTS.glob("*.txt")):
        if src.name[:3] in keys:
            out[src.name[:3]] = Path(shutil.copy(src, dest / src.name))
    return out


def replace_on_line(path: Path, pattern: str, old: str, new: str) -> int:
    """Replace the first `old` on the first line matching `pattern`; return that line's number (1-based)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if re.search(pattern, line) and old in line:
            lines[i] = line.replace(old, new, 1)
            path.write_text("\n".join(lines), encoding="utf-8")
            return i + 1
    raise AssertionError(f"{path.name}: no line matches {pattern!r} with {old!r}")


def findings(db: Path) -> set[tuple]:
    """Failed identities as (file prefix, check_name, subject, lines of lhs, lines of rhs)."""
    rows = query(db, "select d.source_file, c.check_name, c.subject, c.lhs_refs, c.rhs_refs "
                     "from marts.fct_identity_check c join marts.dim_document d using (doc_id) where not c.passed")
    return {(f[:3], name, subject, lines(lhs), lines(rhs)) for f, name, subject, lhs, rhs in rows}


def lines(refs: str) -> tuple[int, ...]:
    return tuple(sorted({int(n) for n in re.findall(r"L(\d+)", refs or "")}))
