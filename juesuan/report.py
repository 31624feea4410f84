"""Per-document findings, as text for the terminal and as one self-contained HTML page."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from juesuan.findings import DocumentSummary, Finding
from juesuan.i18n import Labels, message, tr
from juesuan.i18n import place as message_place


def fmt(value) -> str:
    """Decimals as printed in reports: no trailing zeros beyond two places."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        q = value.quantize(Decimal("0.0001")).normalize()
        text = format(q, "f")
        if "." in text and len(text.split(".")[1]) < 2:
            text = format(value.quantize(Decimal("0.01")), "f")
        return text
    return str(value)


# why a document does not feed the facts (dim_document.exclusion), as the status column shows it
_EXCLUSIONS = {
    "not_a_report": ("非报告", "not a report"),
    "unattributed": ("无法归属（缺单位或年度）", "unattributed (no unit or year)"),
    "shadowed": ("另一版本计入", "another version counts"),
}


def _status(doc: DocumentSummary) -> str:
    """The status cell: failed / partial / ok, and, for a document that does not feed the facts, why not."""
    if doc.status == "failed":
        return "[red]" + tr("失败", "failed") + "[/red]"
    base = "[yellow]" + tr("部分", "partial") + "[/yellow]" if doc.status == "partial" else tr("正常", "ok")
    if doc.counted:
        return base
    zh, en = _EXCLUSIONS.get(doc.exclusion or "shadowed", (doc.exclusion, doc.exclusion))
    if doc.exclusion in ("not_a_report", "unattributed"):
        return "[dim]" + tr(zh, en) + "[/dim]"
    return base + "[dim]" + tr(f"（{zh}）", f" ({en})") + "[/dim]"


def _unit(doc: DocumentSummary, labels: Labels) -> str:
    scope = labels.code(doc.scope)
    return (doc.unit_name or "?") + (tr(f"（{scope}）", f" ({scope})") if doc.scope else "")


def overview_table(docs: list[DocumentSummary], labels: Labels | None = None, title: str | None = None) -> Table:
    """One row per document: file, unit (scope label), year, status, facts, rejects, checks, findings."""
    labels = labels or Labels.load()
    table = Table(title=title or tr("文档", "documents"))
    for col, justify in ((tr("文件", "file"), "left"), (tr("单位", "unit"), "left"), (tr("年度", "year"), "right"),
                         (tr("状态", "status"), "left"), (tr("数据", "facts"), "right"),
                         (tr("未归属", "rejects"), "right"), (tr("检查", "checks"), "right"),
                         (tr("不符", "findings"), "right")):
        table.add_column(col, justify=justify)
    for d in docs:
        n = len(d.findings)
        table.add_row(escape(d.name), escape(_unit(d, labels)),
                      str(d.fiscal_year or "?"), _status(d), str(d.facts), str(d.rejects), str(d.checks),
                      f"[bold red]{n}[/bold red]" if n else "[green]0[/green]")
    return table


def _places(refs: str, short: bool, check_id: str | None) -> str:
    """A side's places; in the short summary at most three, then how many more and how to see them."""
    parts = (refs or "").split("; ")
    if not short or len(parts) <= 3:
        return refs
    more = len(parts) - 3
    return "; ".join(parts[:3]) + tr(f" … 另 {more} 处（`juesuan show {check_id}`）", f" … {more} more (`juesuan show {check_id}`)")


def print_finding(f: Finding, console: Console, labels: Labels, *, short: bool = False) -> None:
    """A finding in four lines: the identity (Chinese first), its id and check name (to query); what it says
    (Finding.statement: subject, both sides with their unit, difference and tolerance);
    where each side was read (source_ref and the text as printed; ``short``: at most three places a side).
    A side read by OCR (from a scanned page) has its figure and places marked （OCR 识读）, and a fifth line
    (Finding.ocr_note) names those places: an OCR misreading is then a likelier cause than the report."""
    console.print(f"  [red]✗[/red] [bold]{escape(f.identity_text())}[/bold]"
                  + (f"  [dim]{tr('编号', 'id')} {f.check_id} · {f.check_name}[/dim]" if f.check_id else ""))
    console.print(f"      {escape(f.statement(labels))}")
    for side, name in (("lhs", tr("左边", "lhs")), ("rhs", tr("右边", "rhs"))):
        console.print(f"      [cyan]{name}[/cyan] {escape(labels.refs(_places(f.marked_refs(side), short, f.check_id)))}")
    if note := f.ocr_note():
        console.print(f"      [yellow]{escape(note)}[/yellow]")


def print_text(docs: list[DocumentSummary], console: Console, *, limit: int | None = None,
               labels: Labels | None = None, title: str | None = None) -> None:
    """The overview table (``title``: default 文档 / documents), then each document's findings (the first
    ``limit`` of each, or all)."""
    labels = labels or Labels.load()
    console.print(overview_table(docs, labels, title))
    for d in docs:
        if d.status == "failed":
            place = tr(f"（{message_place(d.error_place)}）", f" at {d.error_place}") if d.error_place else ""
            console.print(f"\n[red]✗ {escape(d.name)}[/red] {tr('无法读取', 'could not be read')}"
                          f"{escape(place)}{tr('：', ': ')}{escape(message(d.error) or '')}")
            continue
        if not d.findings:
            continue
        console.print(tr(f"\n[bold]{escape(d.name)}[/bold] — {escape(_unit(d, labels))} {d.fiscal_year}："
                         f"{d.checks} 条勾稽关系中 [red]{len(d.findings)}[/red] 条不符",
                         f"\n[bold]{escape(d.name)}[/bold] — {escape(d.unit_name or '?')} {d.fiscal_year}: "
                         f"[red]{len(d.findings)}[/red] of {d.checks} identities fail"))
        shown = d.findings if limit is None else d.findings[:limit]
        for f in shown:
            print_finding(f, console, labels, short=limit is not None)
        if limit is not None and len(d.findings) > limit:
            console.print(tr(f"  … 另有 {len(d.findings) - limit} 条：`juesuan report {d.doc_id[:8]}`",
                             f"  … {len(d.findings) - limit} more: `juesuan report {d.doc_id[:8]}`"))


REPORT_CROPS = 200  # page crops embedded in the one-page report (the site has them all, as files)


def render_html(docs: list[DocumentSummary], *, db: Path, data_docs: Path | None = None,
                crops: int = REPORT_CROPS) -> str:
    """The findings report as one self-contained HTML page (Chinese labels; English with --lang en).

    Every side of a finding lists its places with the sentence or table row as printed (juesuan.drill) and,
    for PDF sources, the cropped page region embedded as a data: URI, so the page has no file or network
    asset of its own.  Only the first ``crops`` places get an image, so that a report over thousands of
    documents stays a page a browser can open; `juesuan site` shows every crop.
    """
    from juesuan.drill import attach_crops, fill_readings, finding_places, pdf_sources
    from juesuan.findings import connect_ro
    from juesuan.i18n import lang
    from juesuan.pdfcrop import data_uri
    from juesuan.site import environment

    findings: dict[str, list[dict]] = {}
    places: dict[str, list] = {}
    for d in docs:
        for f in d.findings:
            row = dict(vars(f), lhs_places=finding_places(f.lhs_refs), rhs_places=finding_places(f.rhs_refs),
                       ocr_note=f.ocr_note())
            findings.setdefault(d.doc_id, []).append(row)
            places.setdefault(d.doc_id, []).extend(row["lhs_places"] + row["rhs_places"])
    con = connect_ro(db)
    try:
        labels = Labels.load(con)
        for d in docs:
            for row, f in zip(findings.get(d.doc_id, []), d.findings):
                row["statement"] = f.statement(labels)
        fill_readings(con, places)
        budget, cropped = crops, {}
        for doc, ps in places.items():
            if budget <= 0:
                break
            cropped[doc], budget = ps[:budget], budget - len(ps[:budget])
        if cropped:
            attach_crops(cropped, pdf_sources(con, cropped), lambda doc, place, png: data_uri(png))
    finally:
        con.close()
    env = environment()
    env.globals.update(L=labels, lang=lang())
    return env.get_template("report.html.j2").render(
        docs=docs, findings=findings, db=str(db), data_docs=str(data_docs) if data_docs else None,
        data_docs_url=Path(data_docs).resolve().as_uri() if data_docs else None,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        total_findings=sum(len(d.findings) for d in docs), total_checks=sum(d.checks for d in docs),
    )


STATE_MARK = "<!-- juesuan-state: {} -->\n"


def write_html(docs: list[DocumentSummary], out: Path, *, db: Path, data_docs: Path | None = None,
               state: str | None = None) -> Path:
    """Write render_html's page to ``out`` (folders created); returns ``out``.  ``state`` (what the page
    was made from, e.g. the checks' fingerprint and the language) is appended as a comment after the page,
    for html_state."""
    out.parent.mkdir(parents=True, exist_ok=True)
    page = render_html(docs, db=db, data_docs=data_docs)
    out.write_text(page if state is None else page.rstrip("\n") + "\n" + STATE_MARK.format(state), encoding="utf-8")
    return out


def html_state(page: Path) -> str | None:
    """The ``state`` a page was written with by write_html (read from its last bytes), or None."""
    try:
        with open(page, "rb") as fh:
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - 200))
            tail = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    prefix, suffix = STATE_MARK.split("{}")
    at = tail.rfind(prefix)
    return tail[at + len(prefix):].removesuffix(suffix) if at >= 0 and tail.endswith(suffix) else None
