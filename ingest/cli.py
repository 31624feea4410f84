"""Coverage of an ingest run for the terminal; ``python -m ingest PATH…`` is ``juesuan ingest PATH…``."""

from __future__ import annotations

import os
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ingest.pipeline import IngestSummary
from juesuan.i18n import failure, message, tr

KIND_ORDER = ["revenue", "expenditure", "expenditure_economic", "three_public", "agency_operation", "procurement",
              "assets", "staff", "project", "indicator", "performance", "other"]


def _short(path: str) -> str:
    name = os.path.basename(path)
    return name if len(name) <= 14 else name[:12] + "…"


def print_summary(summary: IngestSummary, console: Console | None = None) -> None:
    """The run's counts, one row per parsed document, figures by kind and rejects by reason, then issues
    and failures (each naming the file and the place)."""
    console = console or Console()
    failed = f"[red]{summary.failed} {tr('个失败', 'failed')}[/red]" if summary.failed else tr("0 个失败", "0 failed")
    console.print(tr(
        f"[bold]读取[/bold] {summary.run_id}：{summary.files_seen} 个文件，[green]{summary.parsed} 个已解析[/green]，"
        f"{summary.unchanged} 个未变，{summary.duplicates} 个重复，{summary.superseded} 个被新版本取代，{failed}",
        f"[bold]ingest[/bold] run {summary.run_id}: {summary.files_seen} files, "
        f"[green]{summary.parsed} parsed[/green], {summary.unchanged} unchanged, "
        f"{summary.duplicates} duplicate, {summary.superseded} superseded, {failed}"))
    docs = summary.documents
    if docs:
        overview = Table(title=tr("已解析的文档", "documents parsed"))
        for col, right in ((tr("文件", "file"), False), (tr("单位", "unit"), False), (tr("年度", "year"), True),
                           (tr("状态", "status"), False), (tr("数据", "figures"), True),
                           (tr("未归属", "rejects"), True), ("ms", True)):
            overview.add_column(col, justify="right" if right else "left")
        for d in docs:
            status = d["status"] if d["status"] == "ok" else f"[yellow]{d['status']}[/yellow]"
            overview.add_row(escape(_short(d["path"])), escape(d["unit"] or "?"), str(d["year"] or "?"), status,
                             str(d["figures"]), str(d["rejects"]), f"{d['parse_ms']:.0f}")
        console.print(overview)
        for title, field, keys in (
            (tr("覆盖：各类数据条数", "coverage: figures by kind"), "by_kind",
             [k for k in KIND_ORDER if any(k in d["by_kind"] for d in docs)]),
            (tr("未归属的原因（像数字但未能归属的文字）",
                "rejects by reason (text that looked like a figure but was not attributed)"), "by_reason",
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
                console.print(f"  [yellow]{escape(os.path.basename(d['path']))}[/yellow]: {escape(message(issue))}")
    if summary.parsed > len(docs):
        console.print(tr(f"[dim]只列出前 {len(docs)} 个文档（共解析 {summary.parsed} 个）；每个文档的覆盖见 raw.coverage[/dim]",
                         f"[dim]the first {len(docs)} of {summary.parsed} documents parsed are listed; "
                         "raw.coverage has every document's[/dim]"))
    for f in summary.failures:
        console.print(f"[red]{tr('失败', 'failed')}[/red] {escape(failure(f.path, f.place, f.message))}")


def main(argv: list[str] | None = None) -> int:
    """``python -m ingest PATH… [--db FILE] [--workers N] [--force]``: the same as ``juesuan ingest`` (one CLI)."""
    from juesuan.cli import main as juesuan_main

    return juesuan_main(["ingest", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
