"""Per-document view of the warehouse: what was read, what was checked, where a report contradicts itself."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
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
    lhs_ocr_refs: str | None = None   # the side's places on a page read by OCR ("p3 T1 R4 C4; …"), None if none
    rhs_ocr_refs: str | None = None

    passed: bool = False

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Finding:
        """A Finding of a fct_identity_check row's columns (those named like the fields; others ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{"family": "", "identity": "", "meaning": "", **{k: v for k, v in row.items() if k in names}})

    def identity_text(self) -> str:
        """The identity in the CLI's language (Chinese when the catalogue has it)."""
        from juesuan.i18n import lang
        return self.identity_zh if lang() == "zh" and self.identity_zh else self.identity

    def statement(self, labels) -> str:
        """What the finding says, one line of plain text in the CLI's language: the subject, then both
        figures with their unit, the difference and the rounding tolerance — or, for a slip the parser
        corrected, what was printed, what the context shows and what the warehouse keeps.

        ``基本支出 [全部资金] 决算数：149.52 万元 ≠ 175.91 万元（相差 -26.39 万元，舍入允许 ±0.01 万元）``;
        ``项目支出 [全部资金] 全年预算数：印为“235.76 元”，同处“235.76 万元”（L318）表明单位是万元，
        已更正为 235.76 万元（= 2,357,600 元）``.  ``labels`` is an i18n.Labels.
        """
        return statement(self, labels)

    def ocr_places(self, side: str) -> list[str]:
        """The source_refs of ``side`` ('lhs' or 'rhs') read by OCR from a scanned page, in the order the side
        cites them (fct_identity_check.lhs_ocr_refs / rhs_ocr_refs); [] when none."""
        refs = self.lhs_ocr_refs if side == "lhs" else self.rhs_ocr_refs
        return [r for r in (refs or "").split("; ") if r]

    def ocr_note(self) -> str | None:
        """One line for a finding with a side read by OCR, in the CLI's language, naming the places — an OCR
        misreading is then a likelier cause than the report itself; None when neither side was:
        ``⚠ OCR 识读（扫描页）：左边 p3 T1 R4 C4 — 不符可能是识读错误，而非报告本身的矛盾，请对照原页核对``."""
        from juesuan.i18n import tr

        sides = [(tr("左边", "left side"), self.ocr_places("lhs")), (tr("右边", "right side"), self.ocr_places("rhs"))]
        named = tr("；", "; ").join(f"{side} {', '.join(refs)}" for side, refs in sides if refs)
        if not named:
            return None
        why = "" if self.passed else tr(" — 不符可能是识读错误，而非报告本身的矛盾，请对照原页核对",
                                        " — the mismatch may be a misreading rather than the report's own; check it against the page")
        return tr(f"⚠ OCR 识读（扫描页）：{named}{why}", f"⚠ read by OCR (scanned page): {named}{why}")

    def marked_refs(self, side: str) -> str:
        """The side's refs (lhs_refs / rhs_refs) with ocr_mark() after every place read by OCR (its source_ref
        and printed text): ``p3 T1 R4 C4 公开03表 "149.52"（OCR 识读）``."""
        refs = (self.lhs_refs if side == "lhs" else self.rhs_refs) or ""
        return mark_ocr(refs, self.ocr_places(side))


def ocr_mark() -> str:
    """What follows a figure or a place read by OCR: ``（OCR 识读）`` (`` (read by OCR)`` with --lang en)."""
    from juesuan.i18n import tr

    return tr("（OCR 识读）", " (read by OCR)")


def mark_ocr(refs: str, ocr_refs: list[str]) -> str:
    """``refs`` (a side's places, juesuan.drill.cited's format) with ocr_mark() after each place whose
    source_ref is in ``ocr_refs`` — after its printed text when the refs give it.

    >>> mark_ocr('p3 T1 R4 C4 公开03表 "149.52" basic; p1 L2 narrative "5万元"', ["p3 T1 R4 C4"])
    'p3 T1 R4 C4 公开03表 "149.52"（OCR 识读） basic; p1 L2 narrative "5万元"'
    """
    from juesuan.drill import CITED

    if not ocr_refs:
        return refs
    wanted, mark = set(ocr_refs), ocr_mark()
    return CITED.sub(lambda m: m.group(0) + mark if m.group("ref") in wanted else m.group(0), refs)


def _num(value, grouped: bool = False) -> str:
    """A figure as printed (report.fmt), with thousands separators when ``grouped``."""
    from juesuan.report import fmt

    text = fmt(value)
    if not grouped or not isinstance(value, Decimal):
        return text
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return sign + f"{int(whole.lstrip('-') or 0):,}" + ("." + frac if frac else "")


def _unit_of(f: Finding) -> str:
    """The unit of a finding's figures: the check's own (i18n.CHECK_UNIT), else by the measure its subject names
    (i18n.MEASURE_UNIT); points for a performance indicator (scores against weights); money (万元) otherwise."""
    from juesuan.i18n import CHECK_UNIT, MEASURE_UNIT

    if f.check_name in CHECK_UNIT:
        return CHECK_UNIT[f.check_name]
    tokens = (f.subject or "").split(" ")
    unit = next((MEASURE_UNIT[t] for t in tokens[1:] if t in MEASURE_UNIT), None)
    return unit or ("points" if tokens[0] == "indicator" else "wan")


def _cited_first(refs: str) -> tuple[str | None, str | None]:
    from juesuan.drill import cited

    pairs = cited(refs)
    return pairs[0] if pairs else (None, None)


def statement(f: Finding, labels) -> str:
    """Finding.statement: see there."""
    from juesuan.i18n import UNITS, lang, tr

    zh = lang() == "zh"
    if f.check_name == "unit_slip_yuan":
        return _unit_slip(f, labels)
    if f.check_name == "year_slip":
        return _year_slip(f, labels)
    unit = UNITS[_unit_of(f)]
    grouped = _unit_of(f) == "wan"
    after, diff_unit = (unit[0], unit[2]) if zh else (unit[1], unit[3])
    if f.comparison == ">=":
        sign = "≥" if f.passed else "<"
    else:
        sign = "=" if f.passed else "≠"
    lhs, rhs = f"{_num(f.lhs, grouped)}{after}", f"{_num(f.rhs, grouped)}{after}"
    lhs, rhs = lhs + (ocr_mark() if f.lhs_ocr_refs else ""), rhs + (ocr_mark() if f.rhs_ocr_refs else "")
    if f.comparison == ">=":   # the sides are no readings of one figure: say which is which
        lhs, rhs = tr(f"左边 {lhs}", f"left side {lhs}"), tr(f"右边 {rhs}", f"right side {rhs}")
    tolerance = (tr(f"，舍入允许 ±{_num(f.tolerance, grouped)}{diff_unit}", f", rounding allows ±{_num(f.tolerance, grouped)}{diff_unit}")
                 if f.tolerance else "")
    subject = labels.subject(f.subject)
    return tr(f"{subject}：{lhs} {sign} {rhs}（相差 {_num(f.diff, grouped)}{diff_unit}{tolerance}）",
              f"{subject}: {lhs} {sign} {rhs} (diff {_num(f.diff, grouped)}{diff_unit}{tolerance})")


def _unit_slip(f: Finding, labels) -> str:
    """unit_slip_yuan (models/intermediate/checks/int_check_corrections.sql): lhs the figure as printed in
    元, rhs what the corrected 万元 figure is in 元; rhs_refs the 万元 figure of its sentence that proves it,
    then ``→ <corrected> 万元``."""
    from juesuan.i18n import tr

    subject = labels.subject(f.subject.removesuffix(" (元)"))
    _, printed = _cited_first(f.lhs_refs)
    printed = printed or f"{_num(f.lhs)} 元"
    proof_ref, proof = _cited_first(f.rhs_refs.split(" → ")[0])
    corrected, in_yuan = _num(f.lhs), _num(f.rhs, grouped=True)
    if proof and "万元" in proof and len(proof) <= 24:
        why = tr(f"同处“{proof}”（{proof_ref}）表明单位是万元", f'"{proof}" beside it ({proof_ref}) shows the unit is 万元')
    else:
        why = tr("上下文表明单位是万元", "its context shows the unit is 万元")
    mark = ocr_mark() if f.lhs_ocr_refs else ""
    return tr(f"{subject}：印为“{printed}”{mark}，{why}，已更正为 {corrected} 万元（= {in_yuan} 元）",
              f'{subject}: printed "{printed}"{mark}; {why}; corrected to {corrected} 万元 (= {in_yuan} 元)')


def _year_slip(f: Finding, labels) -> str:
    """year_slip (int_check_corrections.sql): lhs the year as printed, rhs the report's year; rhs_refs the
    comparison with 上年 that proves the passage is about the report's year."""
    from juesuan.i18n import tr

    subject = labels.subject(f.subject)
    _, printed = _cited_first(f.lhs_refs)
    printed = printed or str(int(f.lhs))
    proof_ref, proof = _cited_first(f.rhs_refs)
    year = int(f.rhs)
    if proof:
        why = tr(f"该段与上年比较（“{proof}”，{proof_ref}），说的是报告年度",
                 f'the passage compares with the year before ("{proof}", {proof_ref}), so it is about the report\'s year')
    else:
        why = tr("该段与上年比较，说的是报告年度", "the passage compares with the year before, so it is about the report's year")
    mark = ocr_mark() if f.lhs_ocr_refs else ""
    return tr(f"{subject}：印为“{printed}”{mark}，{why}，已更正为 {year} 年",
              f'{subject}: printed "{printed}"{mark}; {why}; corrected to {year}')


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
    source_path: str | None = None
    name: str = ""   # how lists show the file: source_file, or enough of its path to tell it from another

    def __post_init__(self):
        self.name = self.name or self.source_file


def distinct_names(paths: list[tuple[str, str | None]]) -> list[str]:
    """How to show each of ``paths`` — (file name, full path) pairs — so that no two read alike: the file
    name, and, for names shared by several files, as many of the path's last folders as tell them apart
    (``r02_…/swu2023_excerpt.txt`` and ``r14_…/swu2023_excerpt.txt``); the same path twice (a failed copy
    beside the loaded version) stays as it is.

    >>> distinct_names([("a.txt", "/x/p/a.txt"), ("a.txt", "/x/q/a.txt"), ("b.txt", "/x/p/b.txt")])
    ['p/a.txt', 'q/a.txt', 'b.txt']
    """
    from collections import Counter
    from pathlib import PurePath

    out = [name for name, _ in paths]
    shared = {n for n, k in Counter(out).items() if k > 1}
    for name in shared:
        group = [i for i, (n, _) in enumerate(paths) if n == name]
        parts = {i: PurePath(paths[i][1] or name).parts for i in group}
        longest = max(len(p) for p in parts.values())
        for depth in range(2, longest + 1):
            tails = {i: PurePath(*parts[i][-depth:]).as_posix() for i in group}
            if len(set(tails.values())) == len(group) or depth == longest:
                break
        for i in group:
            out[i] = tails[i]
    return out


def connect_ro(db: Path) -> duckdb.DuckDBPyConnection:
    if not db.exists():
        raise FileNotFoundError(f"{db}: no warehouse here yet — run `juesuan run` (or `make run`) first")
    return duckdb.connect(str(db), read_only=True)


def _rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def finding_columns_sql(con) -> tuple[str, str]:
    """What a query of failing checks (fct_identity_check as ``c``) selects beside the mart's own columns, by
    what the warehouse holds, found in one catalogue query: the SQL expression of the Chinese statement of
    ``c.check_name`` — reference.identity_labels (seed seeds/identity_labels.csv) when the warehouse has it,
    else the seed file's own values — and the select list of ``lhs_ocr_refs, rhs_ocr_refs`` — nulls for a
    warehouse built before the mart had them (its next build adds them)."""
    labels, ocr = con.execute(
        "select (select count(*) from information_schema.tables where table_schema = 'reference' "
        "        and table_name = 'identity_labels'), "
        "(select count(*) from information_schema.columns where table_schema = 'marts' "
        " and table_name = 'fct_identity_check' and column_name in ('lhs_ocr_refs', 'rhs_ocr_refs'))").fetchone()
    columns = "c.lhs_ocr_refs, c.rhs_ocr_refs" if ocr == 2 else "null as lhs_ocr_refs, null as rhs_ocr_refs"
    if labels:
        return "(select l.label from reference.identity_labels l where l.check_name = c.check_name)", columns
    import csv

    from juesuan.paths import ROOT

    seed = ROOT / "seeds" / "identity_labels.csv"
    if not seed.exists():
        return "null", columns
    with open(seed, encoding="utf-8", newline="") as fh:
        pairs = [(r["check_name"], r["label"]) for r in csv.DictReader(fh)]
    cases = " ".join("when '{}' then '{}'".format(n.replace("'", "''"), t.replace("'", "''")) for n, t in pairs)
    return f"(case c.check_name {cases} end)", columns


def document_summaries(db: Path, select: list[str] | None = None,
                       doc_ids: list[str] | None = None) -> list[DocumentSummary]:
    """One summary per document (current versions and failures), findings attached.

    ``select`` filters by doc_id prefix, file name or unit name substring; ``name`` of each is its file name, with
    enough of its path to tell it from another file of the same name among those returned (distinct_names); ``doc_ids`` keeps only these
    documents, in the queries themselves (what a run just read, at the cost of those documents alone).
    """
    con = connect_ro(db)
    try:
        if doc_ids is not None:
            import pyarrow as pa

            con.register("_wanted", pa.table({"doc_id": pa.array(sorted(set(doc_ids)), pa.string())}))
        only = "where d.doc_id in (select doc_id from _wanted)" if doc_ids is not None else ""
        docs = _rows(con, f"""
            select d.doc_id, d.source_file, d.source_path, u.unit_name, d.unit_scope as scope, d.fiscal_year, d.status,
                   d.counted_in_facts as counted, d.fact_count as facts, d.reject_count as rejects,
                   d.error, d.error_place, d.exclusion, d.exclusion_reason,
                   (select count(*) from marts.fct_identity_check c where c.doc_id = d.doc_id) as checks
            from marts.dim_document d left join marts.dim_unit u on u.unit_id = d.unit_id
            {only}
            order by d.source_file""")
        zh, ocr = finding_columns_sql(con)
        found = _rows(con, f"""
            select c.doc_id, c.check_id, c.check_name, c.check_family as family,
                   coalesce(c.identity, c.description) as identity, {zh} as identity_zh,
                   coalesce(c.what_a_failure_means, '') as meaning, c.subject, c.comparison, c.lhs, c.rhs, c.diff,
                   c.tolerance, c.lhs_refs, c.rhs_refs, {ocr}
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
    for d, name in zip(out, distinct_names([(d.source_file, d.source_path) for d in out])):
        d.name = name
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
