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
    identity_zh: str | None = None    # reference.identity_labels.label (seed identity_labels.csv)

    def identity_text(self) -> str:
        """The identity in the CLI's language (Chinese when the catalogue has it)."""
        from juesuan.i18n import lang
        return self.identity_zh if lang() == "zh" and self.identity_zh else self.identity


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
    exclusion: str | None = None  # why the document does not feed the facts (dim_document.exclusion)
    exclusion_reason: str | None = None
    findings: list[Finding] = field(default_factory=list)


def connect_ro(db: Path) -> duckdb.DuckDBPyConnection:
    if not db.exists():
        raise FileNotFoundError(f"{db}: no warehouse here yet — run `juesuan run` (or `make run`) first")
    return duckdb.connect(str(db), read_only=True)


def _rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def identity_zh_sql(con) -> str:
    """A SQL expression for the Chinese statement of check ``c.check_name``: reference.identity_labels (seed
    seeds/identity_labels.csv) when the warehouse has it, else the seed file's own values."""
    has = con.execute("select count(*) from information_schema.tables where table_schema = 'reference' "
                      "and table_name = 'identity_labels'").fetchone()[0]
    if has:
        return "(select l.label from reference.identity_labels l where l.check_name = c.check_name)"
    import csv

    from juesuan.paths import ROOT

    seed = ROOT / "seeds" / "identity_labels.csv"
    if not seed.exists():
        return "null"
    with open(seed, encoding="utf-8", newline="") as fh:
        pairs = [(r["check_name"], r["label"]) for r in csv.DictReader(fh)]
    cases = " ".join("when '{}' then '{}'".format(n.replace("'", "''"), t.replace("'", "''")) for n, t in pairs)
    return f"(case c.check_name {cases} end)"


def document_summaries(db: Path, select: list[str] | None = None,
                       doc_ids: list[str] | None = None) -> list[DocumentSummary]:
    """One summary per document (current versions and failures), findings attached.

    ``select`` filters by doc_id prefix, file name or unit name substring; ``doc_ids`` keeps only these
    documents, in the queries themselves (what a run just read, at the cost of those documents alone).
    """
    con = connect_ro(db)
    try:
        if doc_ids is not None:
            import pyarrow as pa

            con.register("_wanted", pa.table({"doc_id": pa.array(sorted(set(doc_ids)), pa.string())}))
        only = "where d.doc_id in (select doc_id from _wanted)" if doc_ids is not None else ""
        docs = _rows(con, f"""
            select d.doc_id, d.source_file, u.unit_name, d.unit_scope as scope, d.fiscal_year, d.status,
                   d.counted_in_facts as counted, d.fact_count as facts, d.reject_count as rejects,
                   d.error, d.error_place, d.exclusion, d.exclusion_reason,
                   (select count(*) from marts.fct_identity_check c where c.doc_id = d.doc_id) as checks
            from marts.dim_document d left join marts.dim_unit u on u.unit_id = d.unit_id
            {only}
            order by d.source_file""")
        zh = identity_zh_sql(con)
        found = _rows(con, f"""
            select c.doc_id, c.check_id, c.check_name, c.check_family as family,
                   coalesce(c.identity, c.description) as identity, {zh} as identity_zh,
                   coalesce(c.what_a_failure_means, '') as meaning, c.subject, c.comparison, c.lhs, c.rhs, c.diff,
                   c.tolerance, c.lhs_refs, c.rhs_refs
            from marts.fct_identity_check c
            where not c.passed {only.replace('where d.', 'and c.')}
            order by c.doc_id, c.check_family, c.check_name, c.lhs_refs, c.rhs_refs, c.check_id""")
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


@dataclass
class Totals:
    """The whole warehouse in counts: documents (dim_document rows: current versions and failures), of
    which failed, with at least one finding, and findings (failed identity checks) among checks."""
    documents: int
    failed: int
    with_findings: int
    findings: int
    checks: int


def totals(db: Path) -> Totals:
    """Totals of the warehouse in one aggregate query per mart (no per-document rows are fetched)."""
    con = connect_ro(db)
    try:
        documents, failed = con.execute(
            "select count(*), count(*) filter (where status = 'failed') from marts.dim_document").fetchone()
        with_findings, findings, checks = con.execute(
            "select count(distinct doc_id) filter (where not passed), count(*) filter (where not passed), count(*) "
            "from marts.fct_identity_check").fetchone()
    finally:
        con.close()
    return Totals(documents, failed, with_findings, findings, checks)
