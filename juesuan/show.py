"""`juesuan show`: the source of a finding or of a figure, as printed in the report.

A finding (a check_id from fct_identity_check, or a prefix of one) shows its document, the identity,
both sides, and for every place its refs name (source_ref formats of the contract: ``L507``,
``L507:C4``, ``p3 L12``, ``p10 T1 R5 C3``, ``T2 R5 C3``, ``P41``, ``Sheet1!D7``) the readings taken
there: text as printed and the sentence or table row around it (raw.observations.snippet).
A figure is ``DOC SOURCE_REF``: DOC a doc_id prefix, file name or unit name.
A place on a page read by OCR (a scanned page) is marked （OCR 识读） — for a finding, the places
fct_identity_check.lhs_ocr_refs / rhs_ocr_refs name; for a figure, a reading there flagged ``ocr``.
"""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from juesuan.drill import PLACE_READINGS, cited
from juesuan.i18n import Labels, tr


class NotFound(ValueError):
    """Nothing matches what was asked for (exit 2)."""


def _readings(con, doc_id: str, ref: str) -> list[tuple]:
    return con.execute(
        f"select source_ref, value_text, kind, item, measure, section, snippet from {PLACE_READINGS} r "
        "where doc_id = ? and source_ref = ? order by seq", [doc_id, ref]).fetchall()


def _ocr_read(con, doc_id: str, ref: str) -> bool:
    """Whether a figure read at ``ref`` of the document is flagged ``ocr`` (raw.observations.flags)."""
    return bool(con.execute("select count(*) from raw.observations where doc_id = ? and source_ref = ? "
                            "and list_contains(string_split(flags, ','), 'ocr')", [doc_id, ref]).fetchone()[0])


def _print_readings(con, doc_id: str, places: list[tuple[str, str | None]], out: Console, labels: Labels,
                    ocr: frozenset[str] = frozenset()) -> None:
    """Each place: the readings taken there (only those of the cited printed text, when one is cited),
    then their section and the sentence or table row as printed; a place in ``ocr`` (read by OCR) is marked."""
    from juesuan.findings import ocr_mark

    for ref, text in places:
        rows = _readings(con, doc_id, ref)
        if text is not None and any(r[1] == text for r in rows):
            rows = [r for r in rows if r[1] == text]
        if not rows:
            out.print(f"  [cyan]{escape(ref)}[/cyan] [dim]{tr('（无原始读数）', '(no reading recorded)')}[/dim]")
            continue
        texts = "、".join(dict.fromkeys(f'"{r[1]}"' for r in rows if r[1]))
        what = "; ".join(dict.fromkeys(labels.subject(" ".join(x for x in (r[2], r[3], r[4]) if x)) for r in rows))
        mark = f"[yellow]{escape(ocr_mark())}[/yellow]" if ref in ocr else ""
        out.print(f"  [cyan]{escape(ref)}[/cyan] {escape(texts)}{mark}  [dim]{escape(what)}[/dim]")
        for section, snippet in dict.fromkeys((r[5], r[6]) for r in rows):
            if section:
                out.print(f"      {tr('章节', 'section')}: {escape(section)}")
            if snippet:
                out.print(f"      {tr('原文', 'as printed')}: {escape(snippet)}")


def _document(con, doc_id: str) -> tuple:
    return con.execute("select d.source_file, d.source_path, u.unit_name, d.unit_scope, d.fiscal_year "
                       "from raw.documents d left join marts.dim_unit u on u.unit_name = d.unit_name "
                       "where d.doc_id = ? limit 1", [doc_id]).fetchone()


def _print_document(con, doc_id: str, out: Console, labels: Labels) -> None:
    file, path, unit, scope, year = _document(con, doc_id)
    out.print(f"[bold]{escape(file)}[/bold] — {escape(unit or '?')}"
              + (tr(f"（{labels.code(scope)}）", f" ({scope})") if scope else "") + f" {year or '?'}"
              + f"  [dim]{escape(path)}[/dim]")


def show(db: Path, what: list[str], out: Console) -> int:
    """Print the source of a finding (``[CHECK_ID]``) or of a figure (``[DOC, SOURCE_REF]``); returns 0.

    Raises NotFound naming what to give instead."""
    from juesuan.findings import connect_ro

    con = connect_ro(db)
    try:
        labels = Labels.load(con)
        if len(what) == 1:
            return _show_finding(con, what[0], out, labels)
        if len(what) == 2:
            return _show_figure(con, what[0], what[1], out, labels)
        raise NotFound(tr("用法：juesuan show CHECK_ID，或 juesuan show DOC SOURCE_REF（如 002 L126）",
                          "usage: juesuan show CHECK_ID, or juesuan show DOC SOURCE_REF (e.g. 002 L126)"))
    finally:
        con.close()


def _show_finding(con, check_id: str, out: Console, labels: Labels) -> int:
    from juesuan.findings import finding_columns_sql
    from juesuan.i18n import lang

    zh, ocr = finding_columns_sql(con)
    rows = con.execute(
        "select c.check_id, c.doc_id, c.check_name, "
        f"coalesce(case when ? = 'zh' then {zh} end, c.identity, c.description), "
        "c.subject, c.comparison, c.lhs, c.rhs, c.diff, c.tolerance, c.passed, c.lhs_refs, c.rhs_refs, "
        f"{ocr} "
        "from marts.fct_identity_check c "
        "where c.check_id like ? || '%' order by c.check_id", [lang(), check_id]).fetchall()
    if not rows:
        raise NotFound(tr(f"没有编号以 {check_id} 开头的检查 — 编号见 `juesuan report` 的输出",
                          f"no check whose id starts with {check_id} — `juesuan report` prints the ids"))
    if len(rows) > 1:
        raise NotFound(tr(f"{check_id} 对应 {len(rows)} 条检查 — 请多给几位编号",
                          f"{check_id} matches {len(rows)} checks — give more of the id"))
    from juesuan.findings import Finding

    cid, doc_id, name, identity, subject, comparison, lhs, rhs, diff, tol, passed, lrefs, rrefs, locr, rocr = rows[0]
    _print_document(con, doc_id, out, labels)
    verdict = "[green]" + tr("成立", "holds") + "[/green]" if passed else "[red]" + tr("不符", "fails") + "[/red]"
    out.print(f"{tr('检查', 'check')} {cid} {verdict}: [bold]{escape(identity or '')}[/bold]  [dim]{escape(name)}[/dim]")
    finding = Finding(name, "", identity or "", "", subject, comparison, lhs, rhs, diff, tol, lrefs or "", rrefs or "",
                      check_id=cid, lhs_ocr_refs=locr, rhs_ocr_refs=rocr, passed=passed)
    out.print(f"  {escape(finding.statement(labels))}")
    if note := finding.ocr_note():
        out.print(f"  [yellow]{escape(note)}[/yellow]")
    for side, heading, refs in (("lhs", tr("左边", "left side"), lrefs), ("rhs", tr("右边", "right side"), rrefs)):
        out.print(f"[bold]{heading}[/bold]: {escape(labels.refs(finding.marked_refs(side)))}")
        _print_readings(con, doc_id, cited(refs), out, labels, frozenset(finding.ocr_places(side)))
    return 0


def _show_figure(con, doc: str, ref: str, out: Console, labels: Labels) -> int:
    """``doc`` is a doc_id prefix, a file name (any name the file was loaded under: raw.document_paths) or a
    unit name.  Several documents matching it (versions of one report): those with a reading at ``ref``, then
    the one that counts in the facts — the choice is printed with the others' names."""
    docs = con.execute(
        "select d.doc_id, d.source_file, coalesce(v.counted_in_facts, false) from raw.documents d "
        "left join marts.dim_document v on v.doc_id = d.doc_id "
        "where (d.is_current or d.status = 'failed') and "
        "(d.doc_id like ? || '%' or d.source_file like '%' || ? || '%' or coalesce(d.unit_name, '') like '%' || ? || '%' "
        " or d.doc_id in (select p.doc_id from raw.document_paths p where parse_filename(p.source_path) like '%' || ? || '%')) "
        "order by d.source_file, d.doc_id", [doc, doc, doc, doc]).fetchall()
    if not docs:
        raise NotFound(tr(f"没有与 {doc} 匹配的文档 — 请给出 doc_id 前缀、文件名或单位名称",
                          f"no document matches {doc} (give a doc_id prefix, file name or unit name)"))
    chosen = docs
    if len(chosen) > 1:
        chosen = [d for d in chosen if _readings(con, d[0], ref)] or chosen
    if len(chosen) > 1:
        chosen = [d for d in chosen if d[2]] or chosen
    if len(chosen) > 1:
        raise NotFound(tr(f"{doc} 匹配 {len(docs)} 个文档 — 请给出更具体的 doc_id 前缀或文件名",
                          f"{doc} matches {len(docs)} documents — give a longer doc_id prefix or the file name"))
    doc_id = chosen[0][0]
    if not _readings(con, doc_id, ref):
        raise NotFound(tr(f"{doc} 中 {ref} 处没有读数 — 出处格式如 L507、L507:C4、p3 L12、p10 T1 R5 C3",
                          f"no figure read at {ref} in {doc} — source_ref looks like L507, L507:C4, p3 L12, p10 T1 R5 C3"))
    if len(docs) > 1:
        others = "、".join(d[1] for d in docs if d[0] != doc_id)
        why = tr("计入事实的版本" if chosen[0][2] else "该处有读数的版本",
                 "the version counted in the facts" if chosen[0][2] else "the version with a reading there")
        out.print(tr(f"[dim]{escape(doc)} 匹配 {len(docs)} 个文档，显示{why} {escape(chosen[0][1])}（另有：{escape(others)}）[/dim]",
                     f"[dim]{escape(doc)} matches {len(docs)} documents: showing {why}, {escape(chosen[0][1])} "
                     f"(also: {escape(others.replace('、', ', '))})[/dim]"))
    _print_document(con, doc_id, out, labels)
    _print_readings(con, doc_id, [(ref, None)], out, labels, frozenset({ref}) if _ocr_read(con, doc_id, ref) else frozenset())
    return 0
