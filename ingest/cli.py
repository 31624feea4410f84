"""``ingest PATH…`` — parse report files into the warehouse's raw schema and print coverage."""

from __future__ import annotations

import argparse
import os
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ingest.pipeline import IngestSummary, ingest_paths

DEFAULT_DB = os.environ.get("JUESUAN_DB", "warehouse/juesuan.duckdb")

KIND_ORDER = ["revenue", "expenditure", "expenditure_economic", "three_public", "agency_operation", "procurement",
              "assets", "staff", "project", "indicator", "performance", "other"]


def _short(path: str) -> str:
    name = os.path.basename(path)
    return name if len(name) <= 14 else name[:12] + "…"


def print_summary(summary: IngestSummary, console: Console | None = None) -> None:
    console = console or Console()
    console.print(
        f"[bold]ingest[/bold] run {summary.run_id}: {summary.files_seen} files, "
        f"[green]{summary.parsed} parsed[/green], {summary.unchanged} unchanged, "
        f"{summary.duplicates} duplicate, {summary.superseded} superseded, "
        + (f"[red]{summary.failed} failed[/red]" if summary.failed else "0 failed")
    )
    docs = summary.documents
    if docs:
        overview = Table(title="documents parsed")
        for col in ("file", "unit", "year", "status", "figures", "rejects", "ms"):
            overview.add_column(col, justify="right" if col in ("figures", "rejects", "ms", "year") else "left")
        for d in docs:
            status = d["status"] if d["status"] == "ok" else f"[yellow]{d['status']}[/yellow]"
            overview.add_row(escape(_short(d["path"])), escape(d["unit"] or "?"), str(d["year"] or "?"), status,
                             str(d["figures"]), str(d["rejects"]), f"{d['parse_ms']:.0f}")
        console.print(overview)
        for title, field, keys in (
            ("coverage: figures by kind", "by_kind", [k for k in KIND_ORDER if any(k in d["by_kind"] for d in docs)]),
            ("rejects by reason (text that looked like a figure but was not attributed)", "by_reason",
             sorted({k for d in docs for k in d["by_reason"]})),
        ):
            if not keys:
                continue
            pivot = Table(title=title)
            pivot.add_column("")
            for d in docs:
                pivot.add_column(escape(_short(d["path"])[:7]), justify="right")
            for key in keys:
                pivot.add_row(key, *[str(d[field].get(key, "")) for d in docs])
            console.print(pivot)
        for d in docs:
            for issue in d["issues"]:
                console.print(f"  [yellow]{escape(os.path.basename(d['path']))}[/yellow]: {escape(issue)}")
    for f in summary.failures:
        where = f", {f.place}" if f.place else ""
        console.print(f"[red]failed[/red] {escape(f.path)}{escape(where)}: {escape(f.message)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ingest", description=__doc__)
    parser.add_argument("paths", nargs="+", help="report files or directories")
    parser.add_argument("--db", default=DEFAULT_DB, help="DuckDB file (default: %(default)s, env JUESUAN_DB)")
    parser.add_argument("--workers", type=int, default=None, help="parallel parser processes")
    parser.add_argument("--force", action="store_true", help="re-parse files that are already loaded")
    args = parser.parse_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    summary = ingest_paths(args.paths, args.db, workers=args.workers, progress=True, force=args.force)
    print_summary(summary)
    return 0 if summary.ok else 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
