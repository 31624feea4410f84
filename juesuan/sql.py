"""`juesuan sql`: a read-only connection to the warehouse, result printing, and the interactive prompt."""
from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from juesuan.i18n import tr

# DuckDB switches that make a connection unable to write anything: the warehouse is opened read-only,
# no file system access beyond it (COPY … TO, EXPORT, ATTACH, read_csv, INSTALL, secrets), no extension
# loading, no spilling to a temporary directory, and the configuration locked so no SET or PRAGMA can
# undo any of it.  These must be given when connecting (https://duckdb.org/docs/operations_manual/securing_duckdb/overview).
READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "temp_directory": "",
    "lock_configuration": True,
}

TABLES_SQL = ("select table_schema as schema, string_agg(table_name, ', ' order by table_name) as tables "
              "from information_schema.tables group by 1 order by 1;")


class NoWarehouse(FileNotFoundError):
    """The warehouse file does not exist yet (a usage error: exit 2)."""


def connect_sql(db: Path):
    """A connection to the warehouse through which no statement can write a file or a database.

    Raises NoWarehouse when ``db`` does not exist."""
    import duckdb

    if not db.exists():
        raise NoWarehouse(tr(f"{db}：还没有数据仓库 — 先运行 `juesuan run`（或 `make run`）",
                             f"{db}: no warehouse here yet — run `juesuan run` (or `make run`) first"))
    return duckdb.connect(str(db), read_only=True, config=READ_ONLY_CONFIG)


def sql_error(exc: Exception) -> str:
    """DuckDB's error in one line: 'Catalog Error: Table with name x does not exist!'."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return " ".join(lines[:1]) or type(exc).__name__


CHUNK = 10_000       # rows fetched at a time (CSV streams in chunks of this size)
COUNT_LIMIT = 10_000  # rows past the page that are counted for the hint; beyond, the hint says "more than"


def print_result(cur, fmt: str, max_rows: int, out: Console) -> None:
    """Print a cursor's rows: a rich table of at most ``max_rows`` rows (0: all), or every row as CSV on
    stdout.  ``cur`` None (no statement) prints nothing.

    The table fetches only its page and one row more (DuckDB streams the result, so a query of millions of
    rows shows its first page at once); past the page it counts at most COUNT_LIMIT further rows for the
    hint that names the flags showing the rest ("7 more rows", or "more than 10,000 more rows").  CSV is
    written in chunks of CHUNK rows, never holding the whole result."""
    if cur is None or cur.description is None:   # no statement, or one without a result (a temporary view)
        return
    cols = [d[0] for d in cur.description]
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(cols)
        while chunk := cur.fetchmany(CHUNK):
            w.writerows(chunk)
        return
    if max_rows:
        rows = cur.fetchmany(max_rows + 1)
    else:
        rows = []
        while chunk := cur.fetchmany(CHUNK):
            rows += chunk
    table = Table(show_lines=False)
    for c in cols:
        table.add_column(escape(c))
    for r in rows[:max_rows or len(rows)]:
        table.add_row(*[escape("" if v is None else str(v)) for v in r])
    out.print(table)
    if max_rows and len(rows) > max_rows:
        more = 1
        while more <= COUNT_LIMIT and (chunk := cur.fetchmany(min(CHUNK, COUNT_LIMIT + 1 - more))):
            more += len(chunk)
        if more > COUNT_LIMIT:
            hint = tr(f"还有超过 {COUNT_LIMIT:,} 行（用 --max-rows 0 或 --format csv 显示全部）",
                      f"more than {COUNT_LIMIT:,} more rows (use --max-rows 0 or --format csv for all)")
        else:
            hint = tr(f"还有 {more} 行（用 --max-rows {max_rows + more} 或 --format csv 显示全部）",
                      f"{more} more rows (use --max-rows {max_rows + more} or --format csv for all)")
        out.print("[dim]" + hint + "[/dim]")


def _lines(history: Path, *, pt_input=None, pt_output=None) -> Iterator[str | None]:
    """Statements typed at the prompt: prompt_toolkit (history file, editing, multi-line: Enter continues
    until the text ends with ';') on a terminal or when given a prompt_toolkit input/output, plain input()
    line by line otherwise (pipes).  Ends at EOF; Ctrl-C yields None (drop what was typed)."""
    if pt_input is not None or (sys.stdin.isatty() and sys.stdout.isatty()):
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        history.parent.mkdir(parents=True, exist_ok=True)
        session = PromptSession(history=FileHistory(str(history)), input=pt_input, output=pt_output)
        # Enter inserts a newline until the statement ends with ';' (or is a dot command)
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.key_binding import KeyBindings

        keys = KeyBindings()

        @keys.add("enter", filter=Condition(lambda: not _complete(session.default_buffer.text)))
        def _newline(event):
            event.current_buffer.insert_text("\n")

        while True:
            try:
                yield session.prompt("juesuan> ", multiline=False, key_bindings=keys,
                                     prompt_continuation="     ...> ")
            except KeyboardInterrupt:
                yield None   # Ctrl-C drops the statement being typed
            except EOFError:
                return
    else:
        while True:
            try:
                yield input("juesuan> ")
            except EOFError:
                return


def _complete(text: str) -> bool:
    t = text.strip()
    return not t or t.endswith(";") or t.startswith((".", "\\"))


def prompt(con, db: Path, *, fmt: str, max_rows: int, out: Console, err: Console,
           history: Path, lines: Callable[[Path], Iterator[str | None]] = _lines) -> None:
    """The interactive prompt: statements end with ';', `.tables` lists tables, `.quit` leaves.
    An SQL error is printed on one line and the prompt goes on."""
    import duckdb

    out.print(tr(f"[bold]juesuan sql[/bold] 只读连接 {escape(str(db))}。语句以 ';' 结束；`.tables` 列出表，`.quit` 退出。",
                 f"[bold]juesuan sql[/bold] on {escape(str(db))} (read-only). End statements with ';'. "
                 "`.tables` lists tables, `.quit` leaves."))
    buffer: list[str] = []
    for line in lines(history):
        if line is None:
            buffer = []
            continue
        if not buffer and line.strip() in (".quit", ".exit", "\\q"):
            break
        if not buffer and line.strip() == ".tables":
            line = TABLES_SQL
        buffer.append(line)
        if line.rstrip().endswith(";"):
            try:
                print_result(con.execute("\n".join(buffer)), fmt, max_rows, out)
            except duckdb.Error as exc:   # an interactive prompt reports and goes on
                err.print(f"[red]{tr('SQL 错误', 'sql error')}[/red]: {escape(sql_error(exc))}", soft_wrap=True)
            buffer = []
