"""Per-document findings, as text for the terminal and as one self-contained HTML page."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from juesuan.findings import DocumentSummary


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


def _status(doc: DocumentSummary) -> str:
    if doc.status == "failed":
        return "[red]failed[/red]"
    if doc.status == "partial":
        return "[yellow]partial[/yellow]"
    return "ok" if doc.counted else "[dim]ok (shadowed)[/dim]"


def overview_table(docs: list[DocumentSummary]) -> Table:
    table = Table(title="documents")
    for col, justify in (("file", "left"), ("unit", "left"), ("year", "right"), ("status", "left"),
                         ("facts", "right"), ("rejects", "right"), ("checks", "right"), ("findings", "right")):
        table.add_column(col, justify=justify)
    for d in docs:
        n = len(d.findings)
        table.add_row(escape(d.source_file), escape((d.unit_name or "?") + (f" ({d.scope})" if d.scope else "")),
                      str(d.fiscal_year or "?"), _status(d), str(d.facts), str(d.rejects), str(d.checks),
                      f"[bold red]{n}[/bold red]" if n else "[green]0[/green]")
    return table


def print_text(docs: list[DocumentSummary], console: Console, *, limit: int | None = None) -> None:
    console.print(overview_table(docs))
    for d in docs:
        if d.status == "failed":
            place = f" at {d.error_place}" if d.error_place else ""
            console.print(f"\n[red]✗ {escape(d.source_file)}[/red] could not be read{escape(place)}: {escape(d.error or '')}")
            continue
        if not d.findings:
            continue
        console.print(f"\n[bold]{escape(d.source_file)}[/bold] — {escape(d.unit_name or '?')} {d.fiscal_year}: "
                      f"[red]{len(d.findings)}[/red] of {d.checks} identities fail")
        shown = d.findings if limit is None else d.findings[:limit]
        for f in shown:
            console.print(f"  [red]✗[/red] [bold]{f.check_name}[/bold]  {escape(f.identity)}")
            console.print(f"      {escape(f.subject)}: {fmt(f.lhs)} {'≥' if f.comparison == '>=' else 'vs'} {fmt(f.rhs)}"
                          f"  (diff {fmt(f.diff)}, rounding allows ±{fmt(f.tolerance)})")
            console.print(f"      [cyan]lhs[/cyan] {escape(f.lhs_refs)}")
            console.print(f"      [cyan]rhs[/cyan] {escape(f.rhs_refs)}")
        if limit is not None and len(d.findings) > limit:
            console.print(f"  … {len(d.findings) - limit} more: `juesuan report {d.doc_id[:8]}`")


def render_html(docs: list[DocumentSummary], *, db: Path, data_docs: Path | None = None) -> str:
    env = Environment(loader=PackageLoader("juesuan", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["fmt"] = fmt
    return env.get_template("report.html.j2").render(
        docs=docs, db=str(db), data_docs=str(data_docs) if data_docs else None,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        total_findings=sum(len(d.findings) for d in docs), total_checks=sum(d.checks for d in docs),
    )


def write_html(docs: list[DocumentSummary], out: Path, *, db: Path, data_docs: Path | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(docs, db=db, data_docs=data_docs), encoding="utf-8")
    return out
