"""juesuan — ingest 部门决算 reports, build the warehouse, and say where reports contradict themselves.

Exit codes (for schedulers)
  0 success (findings about reports are not failures unless --fail-on-findings)
  1 the warehouse build or its integrity checks failed
  2 bad invocation or missing input (the message names the file and the fix)
  3 another run holds the warehouse lock; nothing was changed
  4 some documents could not be read; every other document was loaded
  5 stale: the last run is older than --max-age
  6 reports contradict themselves (only with --fail-on-findings)
  130/143 interrupted (Ctrl-C / SIGTERM): what was committed stays, the next run completes the work

The command line is click; every command's own help is `juesuan COMMAND --help`.
"""
from __future__ import annotations

import codecs
import contextlib
import os
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from juesuan import i18n
from juesuan.i18n import tr
from juesuan.lock import WarehouseBusy, WarehouseLock
from juesuan.paths import SAMPLE_REPORTS, data_docs_dir, report_html, site_dir, sql_history, warehouse_path

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY, EXIT_DOC_FAILURES, EXIT_STALE, EXIT_FINDINGS = 0, 1, 2, 3, 4, 5, 6


class _Console(Console):
    """rich's Console, except that a reader who stops reading (`juesuan report | head -1`) does not end the
    command: rich's default exits with code 1; here the rest of the output goes to /dev/null, the command
    finishes its work and returns its own exit code."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        _silence(sys.stderr if self.stderr else sys.stdout)


# marks of the output that legacy code pages (GBK/cp936, the default of a redirected stream on a Chinese
# Windows) lack, and what stands for them there; any other character such a stream cannot take becomes "?"
_CODE_PAGE_MARKS = {"\u2713": "√", "\u2717": "×", "\u2714": "√", "\u2718": "×"}


def _code_page_fallback(exc: UnicodeError) -> tuple[str, int]:
    """codecs error handler "juesuan-console": a character the console's encoding lacks becomes its
    _CODE_PAGE_MARKS stand-in when that one is encodable, else "?" — printing never ends a command."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    def one(ch: str) -> str:
        mark = _CODE_PAGE_MARKS.get(ch, "?")
        try:
            mark.encode(exc.encoding)
        except (UnicodeError, LookupError):
            return "?"
        return mark
    return "".join(one(ch) for ch in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("juesuan-console", _code_page_fallback)


def _tolerant_streams() -> None:
    """stdout and stderr no longer raise on a character their encoding lacks (a log redirected under a
    Chinese Windows is GBK, where ✗ and ✓ do not exist): such a character is replaced (_code_page_fallback),
    so a command's output cannot fail it half-way and leave its run unrecorded."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(errors="juesuan-console")
            except (ValueError, OSError):   # a closed or detached stream: nothing to print there anyway
                pass


# logs of scheduled runs are read in files, not 80-column terminals
out = _Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = _Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)


class UsageError(Exception):
    """Bad input the user can fix; printed as one line, exit 2."""


class Terminated(BaseException):
    """SIGTERM (or SIGHUP) arrived: unwind like Ctrl-C so workers and dbt are stopped and the lock released."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame) -> None:
    raise Terminated(signum)


# the step a command is in (name, started: perf_counter) and when the command began: a run stopped by a signal
# or Ctrl-C says where it was, so a caller's time limit can be matched to the step that needed the time
_STEP: dict[str, Any] = {"name": None, "since": None, "began": None}
_STEP_NAMES = {"ingest": ("读取", "ingest"), "build": ("构建（dbt build）", "dbt build"),
               "check": ("检查", "checks"), "report": ("报告", "report")}


def _begin_step(name: str) -> None:
    """Note that the command now runs step ``name`` (a key of _STEP_NAMES)."""
    now = time.perf_counter()
    _STEP.update(name=name, since=now, began=_STEP["began"] or now)


def _stopped_where() -> str:
    """Where an interrupted command was, for its last line: e.g. "（正在构建（dbt build），该步骤已进行 41 秒，
    命令共 57 秒）"; "" before any step began."""
    if _STEP["name"] is None:
        return ""
    now = time.perf_counter()
    zh, en = _STEP_NAMES[_STEP["name"]]
    step, total = now - _STEP["since"], now - _STEP["began"]
    return tr(f"（正在{zh}，该步骤已进行 {step:.0f} 秒，命令共 {total:.0f} 秒）",
              f" (in the {en} step, {step:.0f}s into it, {total:.0f}s into the command)")


# ---------------------------------------------------------------- steps

def _check_inputs(paths: list[str]) -> list[str]:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(tr(f"{missing[0]}：没有这个文件或文件夹 — 请给出报告文件或文件夹（默认：自带语料 {SAMPLE_REPORTS}）",
                            f"{missing[0]}: no such file or directory — pass report files or folders "
                            f"(default: the bundled corpus {SAMPLE_REPORTS})"))
    return paths


# `juesuan ingest` prints its per-document tables (one row, and one pivot column, per document parsed) for a run
# of at most this many documents, or with -v: at 10,000 documents they cost ≈ 0.9 CPU-ms a document to lay out
# (bench/README.md, ingest's fifth round) and are no reading for anyone.
DOCUMENT_TABLES_MAX = 50


def step_ingest(paths: list[str], db: Path, *, workers: int | None, force: bool, verbose: bool | None,
                checksum: bool = False, on_parse=None):
    """Ingest ``paths`` into ``db`` and print its line of counts; ``on_parse(n)``: see ingest_paths.  With
    ``verbose`` the per-document tables (ingest.cli.print_summary) are printed instead; ``None``: when the run
    parsed at most DOCUMENT_TABLES_MAX documents."""
    from ingest.pipeline import ingest_paths

    db.parent.mkdir(parents=True, exist_ok=True)
    summary = ingest_paths(_check_inputs(paths), str(db), workers=workers, progress=err.is_terminal, force=force,
                           checksum=checksum, on_parse=on_parse)
    if verbose is None:
        verbose = summary.parsed <= DOCUMENT_TABLES_MAX
        if not verbose:
            out.print(tr(f"[dim]已解析 {summary.parsed} 个文档：每个文档的覆盖表用 -v 显示[/dim]",
                         f"[dim]{summary.parsed} documents parsed: -v prints each document's coverage tables[/dim]"))
    if summary.parsed and verbose:
        from ingest.cli import print_summary

        print_summary(summary, out)
    else:
        failed = f"[red]{summary.failed} {tr('个失败', 'failed')}[/red]" if summary.failed else tr("0 个失败", "0 failed")
        out.print(tr(f"[bold]读取[/bold]：{summary.files_seen} 个文件 — {summary.parsed} 个已解析，{summary.unchanged} 个未变，"
                     f"{summary.duplicates} 个重复，{summary.superseded} 个被新版本取代，{failed}",
                     f"[bold]ingest[/bold]: {summary.files_seen} files — {summary.parsed} parsed, "
                     f"{summary.unchanged} unchanged, {summary.duplicates} duplicate, {summary.superseded} superseded, "
                     f"{failed}"))
        not_read = summary.files_seen - summary.hashed - len(summary.failures)
        if not_read > 0 and summary.unchanged:
            out.print(tr(f"  [dim]{not_read} 个文件大小与修改时间未变，未读取（--checksum 读取并校验全部文件）[/dim]",
                         f"  [dim]{not_read} files not read: size and mtime unchanged (--checksum reads and hashes "
                         "every file)[/dim]"))
        for f in summary.failures:
            out.print(f"  [red]✗[/red] {escape(i18n.failure(f.path, f.place, f.message))}")
    _print_skipped(summary.skipped)
    return summary


def _print_skipped(skipped) -> None:
    """Files not read because they are not reports: one line per file skipped by its name, and the files of
    other formats counted by extension (a folder of scans would otherwise fill the log)."""
    if not skipped:
        return
    formats = Counter(s.reason for s in skipped if s.reason.startswith("not a report format"))
    out.print(tr(f"[bold]跳过[/bold]：{len(skipped)} 个文件不是报告，未读取", f"[bold]skipped[/bold]: {len(skipped)} files "
                 "that are not reports were not read"))
    for s in skipped:
        if s.reason not in formats:
            out.print(f"  [dim]–[/dim] {escape(s.path)}: {escape(_skip_reason(s.reason))}")
    for reason, n in sorted(formats.items()):
        out.print(f"  [dim]–[/dim] {n} × {escape(_skip_reason(reason))}")


def _skip_reason(reason: str) -> str:
    """ingest's reason for not reading a file (English, as the library states it) in the output language."""
    if reason.startswith("not a report format"):
        ext = reason[reason.find("(") + 1:reason.rfind(")")] if "(" in reason else ""
        return tr(f"不是报告的文件格式（{ext.replace('no extension', '无扩展名')}）", reason)
    if reason.startswith("not a report: a documentation or packaging file"):
        return tr("不是报告：按文件名是说明或打包文件（README、LICENSE、清单等）", reason)
    return reason


# dbt's node statuses, counted on the build line: status → (Chinese, English) phrase after the count
_DBT_STATUS = {"success": ("个模型/种子已构建", "built"), "pass": ("项测试通过", "tests passed"),
               "fail": ("项测试未通过", "tests failed"), "warn": ("项警告", "warnings"),
               "error": ("个节点出错", "errors"), "skipped": ("个节点跳过", "skipped")}


def step_build(db: Path, *, full_refresh: bool, docs: bool, standby=None):
    """dbt build (incremental unless ``full_refresh``), its line of counts, and dbt docs when ``docs``;
    ``standby``: a juesuan.dbt.Standby started earlier, which runs the build (or is ended if it is skipped)."""
    from juesuan.dbt import run_dbt

    args = ["build"] + (["--full-refresh"] if full_refresh else [])
    with Progress(SpinnerColumn(), TextColumn("[bold]dbt build[/bold] {task.completed} nodes"),
                  TextColumn("[dim]{task.description}"), TimeElapsedColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as progress:
        task = progress.add_task("", total=None)
        outcome = run_dbt(args, db, on_node=lambda name, status: progress.update(task, advance=1, description=name),
                          standby=standby)
    counts = tr("，", ", ").join(f"{n} {tr(*_DBT_STATUS.get(s, (s, s)))}" for s, n in sorted(outcome.counts.items()))
    if outcome.skipped:
        counts = tr("跳过：自上次构建以来数据与项目均未变", "skipped: raw data and project unchanged since the last build")
    elif outcome.project_changed:
        counts = tr(f"项目（模型）自上次构建以来已更新，全部重建；{counts}",
                    f"the project (models) changed since the last build, everything rebuilt; {counts}")
    elif outcome.listing_only and outcome.success:
        counts = tr(f"只更新文档清单：新文件都未读出数字，事实表未变；{counts}",
                    f"document listing only: no new file gave figures, the facts are unchanged; {counts}")
    if outcome.memory_retry:
        counts = tr(f"同时构建的模型超出内存上限，出错的节点已逐个重建；{counts}",
                    f"models built at once ran out of memory, the failed nodes were rebuilt one at a time; {counts}")
    colour = "green" if outcome.success else "red"
    verdict = tr("成功", "ok") if outcome.success else tr("失败", "FAILED")
    out.print(tr(f"[bold]构建[/bold]（dbt build）：[{colour}]{verdict}[/{colour}]（{counts or '没有节点运行'}）{outcome.seconds:.1f} 秒",
                 f"[bold]dbt build[/bold]: [{colour}]{verdict}[/{colour}] ({counts or 'nothing ran'}) "
                 f"in {outcome.seconds:.1f}s"))
    for node, message in outcome.failures[:20]:
        out.print(f"  [red]✗[/red] {escape(node)}: {escape(message)}")
    if outcome.error:
        out.print(f"  [red]✗[/red] {escape(outcome.error)}", soft_wrap=True)
    if docs and outcome.success:
        from juesuan.dbt_docs import generate, static_index

        d = generate(db)
        target = static_index(db)
        out.print(f"[bold]dbt docs[/bold]: {tr('已写入 ', 'written to ') + escape(str(target)) if d.success else '[red]' + tr('失败', 'failed') + '[/red] ' + escape(str(d.error))}")
    return outcome


def step_check(db: Path, *, docs: bool, reuse: bool = False, full: bool = False):
    """Run the Great Expectations checkpoint and record its outcomes — or, with ``reuse`` (the run's dbt
    build was skipped: nothing changed), print the outcomes recorded for the same marts
    (juesuan.status.reusable_checks) without importing GE.  Unless ``full``, the checkpoint validates the
    units built since the last check where that gives the same outcomes (expectations/scope.py)."""
    from juesuan.status import checks_fingerprint, record_checks, reusable_checks

    started = time.perf_counter()
    fingerprint = checks_fingerprint(db)
    run = reusable_checks(db, fingerprint, docs=docs) if reuse else None
    if run is None:
        from expectations import run_checks

        with Progress(SpinnerColumn(), TextColumn("[bold]checks[/bold] running Great Expectations suites"),
                      TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
            progress.add_task("", total=None)
            run = run_checks(db, data_docs_dir(db) if docs else None, full=full)
        record_checks(db, run, fingerprint)
    integrity = [o for o in run.outcomes if o.kind == "integrity"]
    identity = run.identity_outcomes
    bad = run.integrity_failures
    findings = sum(o.unexpected_count or 0 for o in run.findings)
    verdict = "[green]" + tr("通过", "pass") + "[/green]" if not bad else "[red]" + tr("未通过", "FAIL") + "[/red]"
    when = run.checked_at.strftime("%Y-%m-%d %H:%M:%S")
    reused = tr(f"沿用 {when} UTC 的结果（数据仓库未变）；", f"reused from {when} UTC (warehouse unchanged); ") \
        if run.reused else ""
    out.print(tr(f"[bold]检查[/bold]：{reused}完整性 {len(integrity) - len(bad)}/{len(integrity)} 项 {verdict}；"
                 f"勾稽关系 {len(identity) - len(run.findings)}/{len(identity)} 条处处成立，{findings} 处不符"
                 f"（{time.perf_counter() - started:.1f} 秒）",
                 f"[bold]checks[/bold]: {reused}integrity {len(integrity) - len(bad)}/{len(integrity)} expectations "
                 f"{verdict}; identities {len(identity) - len(run.findings)}/{len(identity)} hold everywhere, "
                 f"{findings} findings ({time.perf_counter() - started:.1f}s)"))
    for o in bad:
        sample = f" e.g. {o.rows[0]}" if o.rows else ""
        out.print(f"  [red]✗ {o.suite}[/red]: {escape(o.expectation)}"
                  + (f" — {o.unexpected_count} rows{escape(sample)}" if o.unexpected_count else "")
                  + (f" — error: {escape(o.error)}" if o.error else ""))
    for o in identity:
        if o.error:
            out.print(f"  [red]✗ {escape(o.expectation)}[/red] did not run: {escape(o.error)}")
    if run.scope and not run.scope["full"]:
        n = len(run.scope["scoped_suites"])
        out.print(tr(f"  [dim]{n} 个完整性套件只检查上次检查后构建的 {run.scope['units_in_scope']} 个单位（--all 检查全部）[/dim]",
                     f"  [dim]{n} integrity suites checked the {run.scope['units_in_scope']} units built since the "
                     "last check (--all checks everything)[/dim]"))
    if run.docs_index:
        out.print(f"  Data Docs: {escape(str(run.docs_index))}")
    return run


def step_report(db: Path, *, select: list[str] | None = None, limit: int | None = 3, html: Path | None = None):
    """Print the findings per document; write the HTML page to ``html``, or — only when no filter is
    given — to the full report beside the warehouse (a filtered view never overwrites it).  Without a filter
    and with more than RUN_LIST_MAX documents, the list holds those unreadable or with findings (a table
    row per document of a 10,000-report warehouse took 7 CPU-s and no one reads it); the page has all."""
    from juesuan.findings import document_summaries
    from juesuan.report import print_text, write_html

    docs = document_summaries(db, _path_terms(db, select) if select else None)
    if select and not docs:
        raise UsageError(tr(f"没有与 {' '.join(select)} 匹配的文档 — 请给出 doc_id 前缀、文件名或路径、或单位名称",
                            f"no document matches {' '.join(select)} (give a doc_id prefix, file name or path, or unit name)"))
    if select or len(docs) <= RUN_LIST_MAX:
        print_text(docs, out, limit=limit)
    else:   # thousands of documents: the ones to look at; every one is in the page (and marts.dim_document)
        notable = _to_look_at(docs)
        print_text(notable, out, limit=limit, title=tr(
            f"{len(docs)} 个文档中无法读取或有不符的 {len(notable)} 个（全部文档见报告页面）",
            f"the {len(notable)} of {len(docs)} documents unreadable or with findings (every document: the report page)"))
    target = html or (None if select else report_page(db))
    if target is not None:
        try:
            write_html(docs, target, db=db, data_docs=data_docs_dir(db) / "index.html")
        except (IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            raise UsageError(tr(f"{target}：无法写入报告页面（{exc.strerror}）— 用 --html 指定一个可写的文件",
                                f"{target}: cannot write the report page ({exc.strerror}) — give --html a writable file")) from None
        out.print(f"\n{tr('报告', 'report')}: {escape(str(target))}")
    return docs


RUN_LIST_MAX = 50   # `run` lists every document while the warehouse holds at most this many


def report_page(db: Path) -> Path:
    """The full report page in the output language: report.html (Chinese, the default — the same page whichever
    language the last run used) or, with --lang en, report.en.html beside it."""
    page = report_html(db)
    return page if i18n.lang() == "zh" else page.with_name("report.en.html")


def _to_look_at(docs: list) -> list:
    """The documents a long list keeps: those unreadable or with findings (DocumentSummary, in order)."""
    return [d for d in docs if d.status == "failed" or d.findings]


def step_run_report(db: Path, *, read: list[str], limit: int | None = 3):
    """What `run` says about the documents, at the cost of what is new.

    Up to RUN_LIST_MAX documents in the warehouse: every document and its findings, as `juesuan report`.
    Beyond: the documents this run read (``read``: doc_ids parsed, or failed, in this run) with their
    findings — of more than RUN_LIST_MAX read, only those unreadable or with findings, the first RUN_LIST_MAX
    of them — then the warehouse's totals; the full list is `juesuan report`.  The full page
    (report.html) is written again only when the marts, the checks or the language changed since it was
    written (its state: the checks' fingerprint and the language; no fingerprint: always written).
    Returns the warehouse's totals (juesuan.findings.Totals).
    """
    from juesuan.findings import document_summaries, totals
    from juesuan.i18n import lang
    from juesuan.report import html_state, print_text, write_html
    from juesuan.status import checks_fingerprint

    total = totals(db)
    if total.documents <= RUN_LIST_MAX:
        docs = document_summaries(db)
        print_text(docs, out, limit=limit)
    else:
        docs = None
        if read:
            docs_read = document_summaries(db, doc_ids=read)
            n = len(docs_read)
            if n <= RUN_LIST_MAX:
                print_text(docs_read, out, limit=limit,
                           title=tr(f"本次读取的文档（{n} 个）", f"documents read in this run ({n})"))
            else:   # a first load of thousands: the ones to look at, not a log of every document
                notable = _to_look_at(docs_read)
                print_text(notable[:RUN_LIST_MAX], out, limit=limit, title=tr(
                    f"本次读取 {n} 个文档，其中 {len(notable)} 个无法读取或有不符" + (
                        f"（列出前 {RUN_LIST_MAX} 个）" if len(notable) > RUN_LIST_MAX else ""),
                    f"{n} documents read in this run, {len(notable)} unreadable or with findings" + (
                        f" (the first {RUN_LIST_MAX} listed)" if len(notable) > RUN_LIST_MAX else "")))
        out.print(tr(f"\n[bold]全部文档[/bold]：{total.documents} 个（{total.failed} 个无法读取）；"
                     f"{total.with_findings} 个有不符，共 [red]{total.findings}[/red] 处（{total.checks} 条勾稽关系）"
                     "— 逐个文档的列表：`juesuan report`",
                     f"\n[bold]all documents[/bold]: {total.documents} ({total.failed} unreadable); "
                     f"{total.with_findings} with findings, [red]{total.findings}[/red] in all ({total.checks} identity "
                     "checks) — every document: `juesuan report`"))
    fingerprint = checks_fingerprint(db)
    state = f"{fingerprint}:{lang()}" if fingerprint else None
    target = report_page(db)
    if state is not None and html_state(target) == state:
        out.print(f"\n{tr('报告（未变）', 'report (unchanged)')}: {escape(str(target))}")
        return total
    try:
        write_html(docs if docs is not None else document_summaries(db), target, db=db,
                   data_docs=data_docs_dir(db) / "index.html", state=state)
    except (IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        raise UsageError(tr(f"{target}：无法写入报告页面（{exc.strerror}）",
                            f"{target}: cannot write the report page ({exc.strerror})")) from None
    out.print(f"\n{tr('报告', 'report')}: {escape(str(target))}")
    return total


def _path_terms(db: Path, terms: list[str]) -> list[str]:
    """Document filters with paths made doc_ids: a term that names a file (relative to the working folder,
    absolute, or with ~) selects the documents read from that file — any path it was loaded under
    (raw.document_paths) — and a folder the documents read below it; other terms stay as they are for
    document_summaries (doc_id prefix, file name or unit name), joined by the documents one of whose recorded
    file names contains them (a duplicate's second name: dim_document.source_file is the first one)."""
    from juesuan.findings import connect_ro

    pathlike = {t: {str(Path(t).expanduser().absolute()), str(Path(t).expanduser().resolve())}
                for t in terms if os.sep in t or Path(t).expanduser().exists()}
    con = connect_ro(db)
    try:
        known = con.execute("select doc_id, source_path from marts.dim_document union "
                            "select doc_id, source_path from raw.document_paths").fetchall()
    finally:
        con.close()
    out: list[str] = []
    for term in terms:
        wanted = pathlike.get(term)
        if not wanted:
            out += [term, *sorted({d for d, p in known if p and term in Path(p).name})]
            continue
        folders = tuple(w.rstrip(os.sep) + os.sep for w in wanted) if Path(term).expanduser().is_dir() else ()
        hits = sorted({d for d, p in known if p and (
            p in wanted or str(Path(p).expanduser().resolve()) in wanted or (folders and p.startswith(folders)))})
        out += hits or [term]
    return out


def _lock(db: Path) -> WarehouseLock:
    return WarehouseLock(db, notify=lambda message: err.print(f"[yellow]{escape(message)}[/yellow]"))


def _existing(db: Path) -> Path:
    if not db.exists():
        raise UsageError(tr(f"{db}：还没有数据仓库 — 先运行 `juesuan ingest PATH…` 或 `juesuan run`",
                            f"{db}: no warehouse yet — run `juesuan ingest PATH…` or `juesuan run` first"))
    return db


# ---------------------------------------------------------------- command line

def _db_option(f):
    """--db on every command (and before it: `juesuan --db FILE COMMAND`)."""
    return click.option("--db", metavar="FILE", callback=lambda ctx, param, value: value or ctx.find_root().params.get("db"),
                        help="DuckDB warehouse file (default: $JUESUAN_DB or warehouse/juesuan.duckdb)")(f)


def _lang_option(f):
    """--lang on every command too, so `juesuan report --lang en` works as well as `juesuan --lang en report`."""
    def pick(ctx, param, value):
        if value:
            i18n.set_lang(value)
        return value
    return click.option("--lang", type=click.Choice(i18n.LANGS), expose_value=False, callback=pick, is_eager=True,
                        help="output language: zh (default, or $JUESUAN_LANG) or en")(f)


def command(name: str, **kw):
    def wrap(f):
        return cli.command(name, **kw)(_lang_option(_db_option(f)))
    return wrap


# Chinese help of every command (by name) and option (by its English help): the help click prints is the output
# language's (_localise, before click parses: --lang / $JUESUAN_LANG), English with --lang en.
HELP_ZH = {
    "command cli": "juesuan — 部门决算数据仓库：读入报告，用 dbt 构建数据集市，检查每一条勾稽关系，指出报告自相矛盾之处"
                   "（默认中文输出；--lang en 为英文）。\n\n\b\n"
                   "退出码：0 正常 · 1 构建或完整性检查失败 · 2 用法错误或缺少输入\n"
                   "3 数据仓库被另一次运行锁定 · 4 有文档无法读取 · 5 数据过旧（--max-age）\n"
                   "6 有不符（--fail-on-findings） · 130/143 被中断（已提交的工作保留）",
    "command run": "读入 → dbt 构建 → 检查 → 汇总（PATHS 默认：自带的样本报告）。增量进行，可放心重复运行。",
    "command ingest": "把报告文件或文件夹解析进 raw 模式，并逐个文档打印覆盖情况（至多 50 个文档；-v 全部）。",
    "command build": "在 raw 模式上运行 dbt build（增量）。",
    "command check": "运行 Great Expectations 检查套件（完整性与勾稽关系），并写出 Data Docs。",
    "command report": "逐个文档列出不符之处。DOCUMENTS：doc_id 前缀、文件名或路径、单位名称（默认：全部）。\n\n"
                      "筛选后的报告只打印，只写到 --html 指定之处：绝不替换完整报告 warehouse/report.html。",
    "command sql": "在数据仓库上运行 SQL（只读）；不给 QUERY 时打开带历史记录、可多行编辑的提示符。",
    "command show": "一处不符或一个数字是在哪里读到的：文档、位置（页/行/单元格）、原样文字，以及所在的句子或表格行。\n\n\b\n"
                    "juesuan show CHECK_ID            一处不符（check_id 或其前缀，见 `juesuan report` 的输出）\n"
                    "juesuan show DOC SOURCE_REF      一个数字：DOC 为 doc_id 前缀、文件名或单位名称；\n"
                    "                                 SOURCE_REF 同数据契约：L507:C4、\"p10 T1 R5 C3\"、表2!C12",
    "command export": "把数据集市（或一条查询的结果）导出为 Excel（中文表头、标签，每个集市一张工作表）、CSV 或 Parquet"
                      "（按 fiscal_year 分区）。",
    "command site": "数据仓库的静态 HTML 网站，可离线以 file:// 打开：单位 × 年度、每个文档一页（数字、不符、各自出处、"
                    "PDF 的页面截图）、跨城市与同比图表。",
    "command status": "数据仓库有多新；--max-age 把过旧变成退出码 5。",
    "Show the version and exit.": "显示版本并退出。",
    "Show this message and exit.": "显示本帮助并退出。",
    "output language: zh (default) or en; else $JUESUAN_LANG (zh_CN.UTF-8 → zh, anything unknown → zh)":
        "输出语言：zh（默认）或 en；否则取 $JUESUAN_LANG（zh_CN.UTF-8 → zh，无法识别的 → zh）",
    "output language: zh (default, or $JUESUAN_LANG) or en": "输出语言：zh（默认，或 $JUESUAN_LANG）或 en",
    "DuckDB warehouse file (default: $JUESUAN_DB or warehouse/juesuan.duckdb)":
        "DuckDB 数据仓库文件（默认：$JUESUAN_DB 或 warehouse/juesuan.duckdb）",
    "parser processes (default: one per CPU)": "解析进程数（默认：每个 CPU 一个）",
    "re-parse files already loaded": "重新解析已读入的文件",
    "read and hash every file (default: a file whose size and mtime are unchanged is not read)":
        "读取并计算每个文件的哈希（默认：大小与修改时间未变的文件不读）",
    "rebuild every fact table from scratch": "从头重建每张事实表",
    "skip writing Great Expectations Data Docs": "不写 Great Expectations Data Docs",
    "exit 6 when any report contradicts itself": "任何报告自相矛盾时以退出码 6 结束",
    "findings shown per document": "每个文档显示的不符条数",
    "print coverage tables for parsed documents": "打印已解析文档的覆盖情况表",
    "print coverage tables per document however many were parsed (default: up to 50)":
        "无论解析了多少文档，都逐个打印覆盖情况表（默认：至多 50 个）",
    "also write the dbt docs site (`dbt docs generate --static`: one page that opens offline)":
        "同时写出 dbt 文档网站（`dbt docs generate --static`：一个可离线打开的页面）",
    "also write every expectation's outcome to this file": "同时把每项检查的结果写入此文件",
    "validate every row (default: the units built since the last check, where that gives the same outcomes)":
        "检查每一行（默认：只检查上次检查后构建的单位，结果相同之处）",
    "write the HTML page here (without a filter the default is warehouse/report.html)":
        "把 HTML 页面写到这里（不筛选时默认为 warehouse/report.html）",
    "show every finding, not the first three per document": "显示每一处不符，而不只是每个文档的前三处",
    "output format": "输出格式",
    "rows shown in a table (0: all)": "表格显示的行数（0：全部）",
    "every mart of the contract": "数据契约中的每个数据集市",
    "export the result of this read-only query instead": "改为导出这条只读查询的结果",
    "xlsx: the workbook file; csv: a file (one mart or --query) or a folder; parquet: a folder":
        "xlsx：工作簿文件；csv：一个文件（一个集市或 --query）或一个文件夹；parquet：一个文件夹",
    "csv: start with a UTF-8 byte order mark (Excel on Chinese Windows)":
        "csv：以 UTF-8 字节顺序标记开头（供中文 Windows 上的 Excel 使用）",
    "folder of the site (default: the warehouse's outputs folder's site/, e.g. warehouse/site)":
        "网站所在文件夹（默认：数据仓库输出文件夹下的 site/，如 warehouse/site）",
    "skip the cropped page images of PDF sources": "不生成 PDF 来源的页面截图",
    "exit 5 if the last run is older than this (e.g. 26h, 2d)": "上次运行早于此时长则以退出码 5 结束（如 26h、2d）",
}
# click's own words in a help page
_HELP_HEADINGS_ZH = {"Usage: ": "用法：", "Options": "选项", "Commands": "命令", "Arguments": "参数"}


class _HelpFormatter(click.HelpFormatter):
    """click's help page with its own words (Usage, Options, Commands, the --help option's help) in the output
    language; every other text is the command's, already localised (_localise)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, tr(_HELP_HEADINGS_ZH["Usage: "], prefix or "Usage: "))

    def write_heading(self, heading: str) -> None:
        super().write_heading(tr(_HELP_HEADINGS_ZH.get(heading, heading), heading))

    def write_dl(self, rows, *args, **kwargs) -> None:
        def zh(text: str) -> str:
            for en, cn in (("[default: ", "[默认："), ("[required]", "[必填]")):
                text = text.replace(en, cn)
            return HELP_ZH.get(text, text)
        super().write_dl([(term, tr(zh(text), text)) for term, text in rows], *args, **kwargs)


class _Context(click.Context):
    formatter_class = _HelpFormatter


def _lang_argument(args: list[str]) -> str | None:
    """The --lang given on the command line (--lang en or --lang=en, before or after the command), if any."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _localise(group: click.Group) -> None:
    """Every command's and option's help in the output language (i18n.lang(); HELP_ZH for Chinese, the English
    written beside the option or in the docstring otherwise), and click's own words through _HelpFormatter.
    Called before click parses, so `--help` is already in the language --lang asks for."""
    zh = i18n.lang() == "zh"
    for name, cmd in [("cli", group), *group.commands.items()]:
        cmd.context_class = _Context
        if not hasattr(cmd, "help_en"):
            cmd.help_en = cmd.help
            for p in cmd.params:
                p.help_en = getattr(p, "help", None)
        cmd.help = HELP_ZH.get(f"command {name}", cmd.help_en) if zh else cmd.help_en
        for p in cmd.params:
            if isinstance(p, click.Option) and p.help_en:
                p.help = HELP_ZH.get(p.help_en, p.help_en) if zh else p.help_en


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("juesuan")
    except PackageNotFoundError:   # run from a source tree that was never installed
        return "unknown"


def _print_version(ctx, param, value) -> None:
    """--version, reading the installed version only when asked (importlib.metadata costs ~0.1 s at start-up)."""
    if value and not ctx.resilient_parsing:
        click.echo(f"juesuan {_version()}")
        ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("-V", "--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
@click.option("--lang", type=click.Choice(i18n.LANGS),
              help="output language: zh (default) or en; else $JUESUAN_LANG (zh_CN.UTF-8 → zh, anything unknown → zh)")
@click.option("--db", metavar="FILE", help="DuckDB warehouse file (default: $JUESUAN_DB or warehouse/juesuan.duckdb)")
def cli(lang, db):
    """juesuan — 部门决算 warehouse: ingest reports, build marts with dbt, check every accounting identity,
    and say where a report contradicts itself (Chinese output by default; --lang en for English).

    \b
    Exit codes: 0 ok · 1 build or integrity checks failed · 2 bad invocation or missing input
    3 warehouse locked by another run · 4 some documents unreadable · 5 stale (--max-age)
    6 findings (--fail-on-findings) · 130/143 interrupted (committed work stays)
    """
    i18n.set_lang(lang)


@command("run")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--workers", type=int, help="parser processes (default: one per CPU)")
@click.option("--force", is_flag=True, help="re-parse files already loaded")
@click.option("--checksum", is_flag=True,
              help="read and hash every file (default: a file whose size and mtime are unchanged is not read)")
@click.option("--full-refresh", is_flag=True, help="rebuild every fact table from scratch")
@click.option("--no-docs", is_flag=True, help="skip writing Great Expectations Data Docs")
@click.option("--fail-on-findings", is_flag=True, help="exit 6 when any report contradicts itself")
@click.option("--limit", type=int, default=3, show_default=True, help="findings shown per document")
@click.option("-v", "--verbose", is_flag=True, help="print coverage tables for parsed documents")
def cmd_run(db, paths, workers, force, checksum, full_refresh, no_docs, fail_on_findings, limit, verbose) -> int:
    """Ingest → dbt build → checks → summary (PATHS default: the bundled corpus). Incremental, safe to repeat."""
    db = warehouse_path(db)
    from juesuan.status import record_run_finished, record_run_started

    paths = _check_inputs(list(paths) or [str(SAMPLE_REPORTS)])
    from juesuan.dbt import Standby

    with _lock(db):
        # a run that never records its end is not a refresh; the next run marks it 'killed'
        run_id = record_run_started(db, "run", notify=lambda m: err.print(f"[yellow]{escape(m)}[/yellow]"))
        steps: dict[str, dict] = {}
        try:
            clock, cpu = time.perf_counter(), _cpu()
            # dbt imports and parses the project while new files are parsed (never started when nothing is new)
            with contextlib.ExitStack() as children:
                standby = None

                def start_standby(_files: int) -> None:
                    nonlocal standby
                    standby = children.enter_context(Standby(db))

                _begin_step("ingest")
                summary = step_ingest(paths, db, workers=workers, force=force, verbose=verbose, checksum=checksum,
                                      on_parse=start_standby)
                steps["ingest"] = {"seconds": _lap(clock), "cpu_s": _lap_cpu(cpu), "files": summary.files_seen,
                                   "hashed": summary.hashed, "parsed": summary.parsed}
                if summary.parsed or summary.superseded:
                    _import_checks_meanwhile()   # the build will run, and the checks after it
                clock, cpu = time.perf_counter(), _cpu()
                _begin_step("build")
                build = step_build(db, full_refresh=full_refresh, docs=False, standby=standby)
            steps["build"] = {"seconds": _lap(clock), "cpu_s": _lap_cpu(cpu), "skipped": build.skipped,
                              "listing_only": build.listing_only, "memory_retry": build.memory_retry}
            if not build.success:
                record_run_finished(db, run_id, refreshed=False, exit_code=EXIT_FAILED, stages=steps)
                return EXIT_FAILED
            clock, cpu = time.perf_counter(), _cpu()
            _begin_step("check")
            checks = step_check(db, docs=not no_docs, reuse=build.skipped or build.listing_only,
                                full=full_refresh or build.project_changed)
            steps["check"] = {"seconds": _lap(clock), "cpu_s": _lap_cpu(cpu), "reused": checks.reused}
            clock, cpu = time.perf_counter(), _cpu()
            _begin_step("report")
            read = summary.doc_ids + [f.doc_id for f in summary.failures]
            findings = step_run_report(db, read=read, limit=limit).findings
            steps["report"] = {"seconds": _lap(clock), "cpu_s": _lap_cpu(cpu)}
            out.print(tr(f"数据仓库：{escape(str(db))} — 用 `juesuan sql` 查询，`juesuan show` 查看出处，`juesuan export` 导出",
                         f"warehouse: {escape(str(db))}  —  query it with `juesuan sql`"))
            code = (EXIT_FAILED if not checks.ok else EXIT_DOC_FAILURES if summary.failed
                    else EXIT_FINDINGS if fail_on_findings and findings else EXIT_OK)
        except (KeyboardInterrupt, Terminated) as exc:   # recorded as interrupted, then unwound by main()
            code = 128 + exc.signum if isinstance(exc, Terminated) else 130
            if _STEP["name"] is not None:   # the step it was stopped in, and for how long it had run
                steps[_STEP["name"]] = {"seconds": _lap(_STEP["since"]), "interrupted": True}
            try:
                record_run_finished(db, run_id, refreshed=False, exit_code=code, outcome="interrupted", stages=steps)
            except Exception:  # noqa: BLE001 - the warehouse is busy or gone: the next run marks this one
                pass
            raise
        record_run_finished(db, run_id, refreshed=True, exit_code=code, stages=steps)
    return code


def _import_checks_meanwhile() -> None:
    """Import the checkpoint (Great Expectations: ≈ 4 CPU-s, the largest fixed cost of the checks) in a
    background thread while dbt builds in its own process, so the two overlap.  Only when this run loaded
    something (the build then cannot be skipped): a run with nothing new never imports GE.  A failed import
    is left to step_check, which imports again and reports the error."""
    def load() -> None:
        try:
            import expectations.checkpoint  # noqa: F401
        except Exception:  # noqa: BLE001 - raised again, with its message, where the checks need it
            pass

    # set here, not by expectations.compat inside the thread: the environment is copied for dbt meanwhile
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    threading.Thread(target=load, name="import-checks", daemon=True).start()


def _lap(since: float) -> float:
    return round(time.perf_counter() - since, 3)


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended (the parse pool, dbt).

    psutil's cpu_times: the children's times are there on Linux and macOS; Windows has no such counter, so there
    a step's CPU is this process's alone."""
    import psutil

    t = psutil.Process().cpu_times()
    return t.user + t.system + getattr(t, "children_user", 0.0) + getattr(t, "children_system", 0.0)


def _lap_cpu(since: float) -> float:
    """CPU seconds since ``since`` (a _cpu() reading): a step's own and that of the children it waited for; the
    dbt child started during the ingest counts in the build, which waits for it."""
    return round(_cpu() - since, 3)


@command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--workers", type=int, help="parser processes (default: one per CPU)")
@click.option("--force", is_flag=True, help="re-parse files already loaded")
@click.option("--checksum", is_flag=True,
              help="read and hash every file (default: a file whose size and mtime are unchanged is not read)")
@click.option("-v", "--verbose", is_flag=True,
              help="print coverage tables per document however many were parsed (default: up to 50)")
def cmd_ingest(db, paths, workers, force, checksum, verbose) -> int:
    """Parse report files or folders into the raw schema and print coverage per document (up to 50; -v: all)."""
    db = warehouse_path(db)
    with _lock(db):
        _begin_step("ingest")
        summary = step_ingest(list(paths), db, workers=workers, force=force, verbose=verbose or None,
                              checksum=checksum)
    return EXIT_DOC_FAILURES if summary.failed else EXIT_OK


@command("build")
@click.option("--full-refresh", is_flag=True, help="rebuild every fact table from scratch")
@click.option("--docs", is_flag=True, help="also write the dbt docs site (`dbt docs generate --static`: one page that opens offline)")
def cmd_build(db, full_refresh, docs) -> int:
    """dbt build over the raw schema (incremental)."""
    db = _existing(warehouse_path(db))
    with _lock(db):
        _begin_step("build")
        outcome = step_build(db, full_refresh=full_refresh, docs=docs)
    return EXIT_OK if outcome.success else EXIT_FAILED


@command("check")
@click.option("--no-docs", is_flag=True, help="skip writing Great Expectations Data Docs")
@click.option("--json", "json_path", metavar="FILE", help="also write every expectation's outcome to this file")
@click.option("--fail-on-findings", is_flag=True, help="exit 6 when any report contradicts itself")
@click.option("--all", "check_all", is_flag=True,
              help="validate every row (default: the units built since the last check, where that gives the same outcomes)")
def cmd_check(db, no_docs, json_path, fail_on_findings, check_all) -> int:
    """Run the Great Expectations suites (integrity and accounting identities) and write Data Docs."""
    db = warehouse_path(db)
    with _lock(db):
        _begin_step("check")
        run = step_check(db, docs=not no_docs, full=check_all)
    if json_path:
        from expectations.checkpoint import to_json
        Path(json_path).write_text(to_json(run), encoding="utf-8")
        out.print(f"  {tr('结果', 'results')}: {escape(str(json_path))}")
    if not run.ok:
        return EXIT_FAILED
    return EXIT_FINDINGS if fail_on_findings and run.findings else EXIT_OK


@command("report")
@click.argument("documents", nargs=-1)
@click.option("--html", metavar="FILE", type=click.Path(dir_okay=False),
              help="write the HTML page here (without a filter the default is warehouse/report.html)")
@click.option("--all", "show_all", is_flag=True, help="show every finding, not the first three per document")
def cmd_report(db, documents, html, show_all) -> int:
    """Findings per document. DOCUMENTS: doc_id prefix, file name or path, or unit name (default: all).

    A filtered report is printed only, and written only where --html says: it never replaces the full
    report warehouse/report.html."""
    db = warehouse_path(db)
    step_report(db, select=list(documents) or None, limit=None if (show_all or documents) else 3,
                html=Path(html) if html else None)
    return EXIT_OK


@command("sql")
@click.argument("query", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True,
              help="output format")
@click.option("--max-rows", type=click.IntRange(min=0), default=100, show_default=True,
              help="rows shown in a table (0: all)")
def cmd_sql(db, query, fmt, max_rows) -> int:
    """Run SQL on the warehouse (read-only); without QUERY open a prompt with history and multi-line editing."""
    import duckdb

    from juesuan.sql import TABLES_SQL, connect_sql, print_result, prompt, sql_error

    db = warehouse_path(db)
    con = connect_sql(db)
    try:
        if query:
            text = " ".join(query)
            if text.strip() == ".tables":   # as at the prompt
                text = TABLES_SQL
            try:
                if not con.extract_statements(text):
                    raise UsageError(tr("查询中没有 SQL 语句（只有空白或注释）— 例如 `juesuan sql \"select * from marts.dim_unit\"`",
                                        "no SQL statement in the query (only blanks or comments) — e.g. "
                                        "`juesuan sql \"select * from marts.dim_unit\"`"))
                print_result(con.execute(text), fmt, max_rows, out)
            except duckdb.Error as exc:
                err.print(f"[red]{tr('SQL 错误', 'sql error')}[/red]: {escape(sql_error(exc))}", soft_wrap=True)
                return EXIT_USAGE
            return EXIT_OK
        prompt(con, db, fmt=fmt, max_rows=max_rows, out=out, err=err, history=sql_history(db))
    finally:
        con.close()
    return EXIT_OK


@command("show")
@click.argument("what", nargs=-1, required=True)
def cmd_show(db, what) -> int:
    """Where a finding or a figure was read: document, place (page/line/cell), text as printed, and the
    sentence or table row around it.

    \b
    juesuan show CHECK_ID            a finding (check_id or a prefix, as `juesuan report` prints it)
    juesuan show DOC SOURCE_REF      a figure: DOC is a doc_id prefix, file or unit name;
                                     SOURCE_REF as in the contract: L507:C4, "p10 T1 R5 C3", 表2!C12
    """
    from juesuan.show import show

    return show(_existing(warehouse_path(db)), list(what), out)


@command("export")
@click.argument("marts", nargs=-1)
@click.option("--all", "all_marts", is_flag=True, help="every mart of the contract")
@click.option("--query", "query", metavar="SQL", help="export the result of this read-only query instead")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "parquet"]), default="xlsx", show_default=True,
              help="output format")
@click.option("-o", "--output", metavar="PATH", required=True,
              help="xlsx: the workbook file; csv: a file (one mart or --query) or a folder; parquet: a folder")
@click.option("--bom", is_flag=True, help="csv: start with a UTF-8 byte order mark (Excel on Chinese Windows)")
def cmd_export(db, marts, all_marts, query, fmt, output, bom) -> int:
    """Export marts (or a query) to Excel (Chinese headers, one sheet per mart), CSV or Parquet
    (partitioned by fiscal_year)."""
    import duckdb

    from juesuan.export import export
    from juesuan.sql import sql_error

    db = _existing(warehouse_path(db))
    try:
        written = export(db, marts=list(marts), all_marts=all_marts, query=query, fmt=fmt, output=Path(output), bom=bom)
    except duckdb.Error as exc:   # the query's fault, like `juesuan sql`: one line, exit 2
        err.print(f"[red]{tr('SQL 错误', 'sql error')}[/red]: {escape(sql_error(exc))}", soft_wrap=True)
        return EXIT_USAGE
    for path, rows in written:
        out.print(tr(f"已导出 {rows} 行 → {escape(str(path))}", f"exported {rows} rows → {escape(str(path))}"))
    return EXIT_OK


@command("site")
@click.option("--out", "out_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="folder of the site (default: the warehouse's outputs folder's site/, e.g. warehouse/site)")
@click.option("--no-crops", is_flag=True, help="skip the cropped page images of PDF sources")
def cmd_site(db, out_dir, no_crops) -> int:
    """A static HTML site of the warehouse that opens from file:// offline: units × years, one page per
    document (figures, findings, where each was read, page crops for PDFs), cross-city and YoY charts."""
    from juesuan.site import build_site

    db = _existing(warehouse_path(db))
    summary = build_site(db, Path(out_dir) if out_dir else site_dir(db), crops=not no_crops)
    for doc_id, reason in summary.crop_errors:
        err.print(tr(f"[yellow]无页面截图[/yellow] {doc_id}：{escape(reason)}", f"[yellow]no page crops[/yellow] {doc_id}: {escape(reason)}"))
    out.print(tr(f"网站：{summary.pages} 个文档页面，{summary.images} 张原文截图 → {escape(str(summary.index))}",
                 f"site: {summary.pages} document pages, {summary.images} page crops → {escape(str(summary.index))}"))
    return EXIT_OK


@command("status")
@click.option("--max-age", metavar="AGE", help="exit 5 if the last run is older than this (e.g. 26h, 2d)")
def cmd_status(db, max_age) -> int:
    """How fresh the warehouse is; --max-age turns staleness into exit code 5."""
    from juesuan.status import freshness, parse_age

    db = warehouse_path(db)
    limit = parse_age(max_age) if max_age else None
    f = freshness(db)
    age = f.age()
    table = Table(title=escape(tr(f"数据仓库 {db}", f"warehouse {db}")), show_header=False)
    table.add_column("")
    table.add_column("")
    table.add_row(tr("已读取文档", "documents loaded"), str(f.documents))
    table.add_row(tr("读取失败文档", "documents failed"), str(f.failed))
    table.add_row(tr("最新决算年度", "newest final-accounts (决算) year"), str(f.newest_final_year or "—"))
    table.add_row(tr("最新预算年度", "newest budget (预算) year"), str(f.newest_budget_year or "—"))
    table.add_row(tr("最新读取时间", "newest document ingested"), f.newest_ingested_at.isoformat(timespec="seconds")
                  if f.newest_ingested_at else "—")
    table.add_row(tr("上次运行", "last run"), (f.last_run_at.isoformat(timespec="seconds")
                                            + tr(f"（{_human(age)} 前）", f" ({_human(age)} ago)"))
                  if f.last_run_at else tr("从未", "never"))
    attempt = _attempt_text(f.last_attempt, db)
    if attempt:
        table.add_row(tr("最近一次运行", "latest run"), attempt)
    table.add_row(tr("上次检查", "last checks"),
                  (f.last_check_at.isoformat(timespec="seconds")
                   + (" [green]" + tr("完整性通过", "integrity ok") + "[/green]" if f.last_check_ok
                      else " [red]" + tr("完整性未通过", "integrity FAILED") + "[/red]"))
                  if f.last_check_at else tr("从未", "never"))
    table.add_row(tr("未解决的不符", "open findings"), str(f.findings))
    table.add_row(tr("数据源新鲜度", "source freshness"), _source_freshness(db))
    out.print(table)
    if limit is not None and (age is None or age > limit):
        out.print(tr(f"[red]已过期[/red]：上次运行 {_human(age) + ' 前' if age else '从未'}，允许 {escape(max_age)}",
                     f"[red]stale[/red]: last run {_human(age) + ' ago' if age else 'never'}, allowed {escape(max_age)}"))
        return EXIT_STALE
    return EXIT_OK


def _attempt_text(a, db: Path) -> str | None:
    """The latest run when it was not a clean refresh: interrupted, killed, running, or ended with an error."""
    if a is None or (a.outcome == "finished" and a.exit_code == EXIT_OK):
        return None
    since = a.started_at.isoformat(timespec="seconds")
    if a.outcome is None:
        from juesuan.lock import WarehouseLock, _owner_alive

        owner = WarehouseLock(db)._read_owner()
        if owner and _owner_alive(owner):
            return tr(f"{since} 开始，正在运行（pid {owner.get('pid')}）", f"started {since}, running now (pid {owner.get('pid')})")
        return "[red]" + tr(f"{since} 开始，未记录结束：被强行终止或崩溃（下次运行会补全）",
                            f"started {since}, never recorded its end: killed or crashed (the next run completes the work)") \
            + "[/red]"
    if a.outcome == "killed":
        return "[red]" + tr(f"{since} 开始，被强行终止或崩溃", f"started {since}, killed or crashed") + "[/red]"
    if a.outcome == "interrupted":
        return "[yellow]" + tr(f"{since} 开始，被中断（退出码 {a.exit_code}）",
                               f"started {since}, interrupted (exit code {a.exit_code})") + "[/yellow]"
    meaning = {EXIT_FAILED: tr("构建或完整性检查失败", "build or integrity checks failed"),
               EXIT_DOC_FAILURES: tr("部分文档无法读取", "some documents could not be read"),
               EXIT_FINDINGS: tr("报告有不符", "findings")}.get(a.exit_code, "")
    return tr(f"{since} 开始，退出码 {a.exit_code}（{meaning}）", f"started {since}, exit code {a.exit_code} ({meaning})")


def _source_freshness(db: Path) -> str:
    """`dbt source freshness` in one cell: the count per status, and the raw tables that are not fresh."""
    from datetime import timedelta

    from juesuan.status import source_freshness

    found = source_freshness(db)
    if isinstance(found, str):
        return "[yellow]" + escape(found) + "[/yellow]"
    counts = {}
    for s in found:
        counts[s.status] = counts.get(s.status, 0) + 1
    late = [f"{s.table} {s.status} ({_human(timedelta(seconds=s.age_seconds)) if s.age_seconds is not None else '—'})"
            for s in found if s.status != "pass"]
    return escape(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + ("; " + "; ".join(late) if late else ""))


def _human(delta) -> str:
    if delta is None:
        return "—"
    s = max(0, int(delta.total_seconds()))
    d, h, m = s // 86400, s % 86400 // 3600, s % 3600 // 60
    return f"{d}d {h}h" if d else f"{h}h {m}m" if h else f"{m}m {s % 60}s"


# ---------------------------------------------------------------- entry point

def _usage_line(exc: click.ClickException) -> str:
    """click's error as one line naming the cause and where to read the fix."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "juesuan"
    if isinstance(exc, click.NoSuchOption) and any(c.isspace() for c in exc.option_name):
        # `juesuan sql "-- comment"`: an argument that starts with '-' but holds a space is text, not an option
        return tr(f"{exc.option_name!r} 以 '-' 开头，被当成了选项 — 在它前面加 `--`：`{where} -- {exc.option_name!r}`",
                  f"{exc.option_name!r} starts with '-' and was taken for an option — put `--` before it: "
                  f"`{where} -- {exc.option_name!r}`")
    return tr(f"{exc.format_message()} — 用法见 `{where} --help`", f"{exc.format_message()} — see `{where} --help`")


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code.  SIGTERM/SIGHUP unwind like Ctrl-C while it runs."""
    import duckdb

    from juesuan.sql import NoWarehouse

    i18n.set_lang(None)
    _tolerant_streams()
    args = list(sys.argv[1:] if argv is None else argv)
    if _lang_argument(args) in i18n.LANGS:   # the help click builds is already in that language
        i18n.set_lang(_lang_argument(args))
    _localise(cli)
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                handlers[name] = signal.signal(getattr(signal, name), _raise_terminated)
    try:
        with cli.make_context("juesuan", list(args)) as ctx:   # click consumes the list it parses
            return cli.invoke(ctx) or EXIT_OK
    except click.exceptions.Exit as exc:   # --help, --version
        return exc.exit_code
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help())
        return EXIT_USAGE
    except click.ClickException as exc:   # bad invocation: one line, no usage dump
        err.print(f"[red]{tr('用法错误', 'error')}[/red]: {escape(_usage_line(exc))}", soft_wrap=True)
        return EXIT_USAGE
    except WarehouseBusy as exc:
        err.print(f"[yellow]{tr('占用中', 'busy')}[/yellow]: {escape(str(exc))}")
        return EXIT_BUSY
    except (UsageError, NoWarehouse, FileNotFoundError, ValueError) as exc:
        err.print(f"[red]{tr('错误', 'error')}[/red]: {escape(str(exc))}", soft_wrap=True)
        return EXIT_USAGE
    except BrokenPipeError:   # `juesuan sql … | head`: the reader has all it wants
        _silence()
        return EXIT_OK
    except duckdb.IOException as exc:
        if "not a valid DuckDB database file" not in str(exc):
            err.print(f"[red]{tr('错误', 'error')}[/red]: {escape(_disk_or_io_error(exc))}", soft_wrap=True)
            return EXIT_FAILED
        err.print(f"[red]{tr('错误', 'error')}[/red]: " + escape(tr(
            f"{warehouse_path(_db_argument(args))}：不是 DuckDB 数据仓库文件 — 用 --db（或 JUESUAN_DB）指定 .duckdb 文件，"
            "或一个尚不存在的路径以新建", f"{warehouse_path(_db_argument(args))} is not a DuckDB warehouse file — give --db "
            "(or JUESUAN_DB) a .duckdb file, or a path that does not exist yet to create one")), soft_wrap=True)
        return EXIT_USAGE
    except (duckdb.Error, OSError) as exc:   # e.g. the disk is full: one line, not a traceback
        err.print(f"[red]{tr('错误', 'error')}[/red]: {escape(_disk_or_io_error(exc))}", soft_wrap=True)
        return EXIT_FAILED
    except (KeyboardInterrupt, click.Abort):
        err.print(tr(f"已中断{_stopped_where()}；数据仓库保留此前已提交的内容，下次运行会补全",
                     f"interrupted{_stopped_where()}; the warehouse keeps what was committed before, and the next run "
                     "completes the work"))
        return 130
    except Terminated as exc:
        err.print(tr(f"被信号 {exc.signum} 终止{_stopped_where()}；数据仓库保留此前已提交的内容，下次运行会补全",
                     f"terminated by signal {exc.signum}{_stopped_where()}; the warehouse keeps what was committed "
                     "before, and the next run completes the work"))
        return 128 + exc.signum
    finally:
        _STEP.update(name=None, since=None, began=None)
        for name, previous in handlers.items():
            signal.signal(getattr(signal, name), previous)


def _db_argument(args: list[str]) -> str | None:
    """The value of the last --db FILE / --db=FILE on the command line (None: $JUESUAN_DB or the default)."""
    found = None
    for i, a in enumerate(args):
        if a == "--db" and i + 1 < len(args):
            found = args[i + 1]
        elif a.startswith("--db="):
            found = a.split("=", 1)[1]
    return found


def _disk_or_io_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "No space left on device" in text or getattr(exc, "errno", None) == 28:
        return f"disk full: {text}"
    return text


def _silence(stream=None) -> None:
    """After a broken pipe, point the stream (stdout) at devnull so later writes and the final flush stay quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, (stream or sys.stdout).fileno())
    except (OSError, ValueError):
        pass


def entry() -> None:  # pragma: no cover - the console script
    """Exit without interpreter teardown: DuckDB's nanobind bindings print benign "leaked instance"
    warnings at shutdown when SQLAlchemy (used by the checks) still holds their types."""

    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
