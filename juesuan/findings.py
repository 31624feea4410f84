"""Per-document view of the warehouse: what was read, what was checked, where a report contradicts itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb


@dataclass
class Finding:
    check_name: str
    family: str
    identity: str
    meaning: str
    subject: str
    comparison: str
    lhs: Any
    rhs: Any
    diff: Any
    tolerance: Any
    lhs_refs: str
    rhs_refs: str
    check_id: str | None = None


@dataclass
class DocumentSummary:
    doc_id: str
    source_file: str
    unit_name: str | None
    scope: str | None
    fiscal_year: int | None
    status: str
    counted: bool
    facts: int
    rejects: int
    checks: int
    error: str | None
    error_place: str | None
    findings: list[Finding] = field(default_factory=list)


def connect_ro(db: Path) -> duckdb.DuckDBPyConnection:
    if not db.exists():
        raise FileNotFoundError(f"{db}: no warehouse here yet — run `juesuan run` (or `make run`) first")
    return duckdb.connect(str(db), read_only=True)


def _rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def document_summaries(db: Path, select: list[str] | None = None) -> list[DocumentSummary]:
    """One summary per document (current versions and failures), findings attached.

    ``select`` filters by doc_id prefix, file name or unit name substring.
    """
    con = connect_ro(db)
    try:
        docs = _rows(con, """
            select d.doc_id, d.source_file, u.unit_name, d.unit_scope as scope, d.fiscal_year, d.status,
                   d.counted_in_facts as counted, d.fact_count as facts, d.reject_count as rejects,
                   d.error, d.error_place,
                   (select count(*) from marts.fct_identity_check c where c.doc_id = d.doc_id) as checks
            from marts.dim_document d left join marts.dim_unit u on u.unit_id = d.unit_id
            order by d.source_file""")
        found = _rows(con, """
            select doc_id, check_id, check_name, check_family as family, coalesce(identity, description) as identity,
                   coalesce(what_a_failure_means, '') as meaning, subject, comparison, lhs, rhs, diff, tolerance,
                   lhs_refs, rhs_refs
            from marts.fct_identity_check where not passed
            order by doc_id, check_family, check_name, lhs_refs""")
    finally:
        con.close()
    by_doc: dict[str, list[Finding]] = {}
    for f in found:
        by_doc.setdefault(f.pop("doc_id"), []).append(Finding(**f))
    out = []
    for d in docs:
        if select and not any(
            d["doc_id"].startswith(s) or s in (d["source_file"] or "") or s in (d["unit_name"] or "") for s in select
        ):
            continue
        out.append(DocumentSummary(**d, findings=by_doc.get(d["doc_id"], [])))
    return out
