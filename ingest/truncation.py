"""Is the document cut short?  Signals that need no 目录 (ingest.toc covers a report that has one).

A copy cut at a line (a download that stopped, a text dump that lost its tail, a PDF that lost its last
pages) usually ends inside a table.  Ending in a table is normal on its own (tables-only PDFs, a workbook,
reports whose tables are the last part), so a document counts as cut short only when it ends inside its
last table (nothing after its last row but notes, 注：…, and table title blocks) *and* that table — or
the set of standard tables the document follows — cannot be complete:

- a standard function table (公开02/03/05/07/08表 and their budget counterparts) whose 合计 row is printed
  first, while its 类 rows add up to less than that 合计 beyond the rounding of the printed figures: the
  rows stop before the table does (a table whose 合计/总计 row comes last is already caught by the table
  parser: 'has no 合计 row', 'ends without its 总计 row');
- a table laid out one cell per line whose last row has fewer cells than each of the rows before it: the
  cut fell inside a row;
- a project performance self-evaluation table (绩效自评表) whose indicators stop before 满意度指标, the last
  一级指标 of the national template, and that has no 总分 row;
- a standard table of a template (the nine 决算 tables 公开01–09表, the nine 预算 tables) after which the
  template has two or more tables and none of them is anywhere in the document;
- the document's last lines are the title of a standard table that never comes.

The place is the document's last non-blank line (``L511``, or the reader's locator such as ``p11 L40``),
so `juesuan report` says where the copy stops.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ingest.grids import Grid
from ingest.model import Observation, ParseIssue
from ingest.normalize import squash
from ingest.performance.grid import is_performance_grid
from ingest.tables import standard

# the order in which a template prints its standard tables (TABLE_DEFS' 10, the university template's
# 财政拨款支出决算表, has no fixed place and is left out)
_TEMPLATES = (tuple(f"{n:02d}" for n in range(1, 10)), tuple(f"B{n:02d}" for n in range(1, 10)))
_TOTAL_LABELS = {"合计", "总计", "本年合计", "本年支出合计", "本年收入合计", "支出合计", "收入合计", "合计数"}


# what may follow a table's last row without being the document going on: its notes (注：…) and the next
# table's title block (公开04表, 编制部门：…, 单位：万元)
_NOTE = re.compile(r"^(?:注|说明|备注)\s*\d?\s*[:：、.．]|^注\s")
_TITLE_BLOCK = re.compile(r"^(?:公开\s*0?\d{1,2}\s*表|(?:金额)?单位\s*[:：]\s*\S{1,3}$|编制(?:单位|部门|机关)\s*[:：])")


def _short_title(text: str) -> bool:
    """A line that is a standard table's title (and nothing more)."""
    return len(squash(text)) <= 40 and standard.title_of(text) is not None


def _last_line(lines: list[str]) -> int:
    """1-based number of the last non-blank line (0: none), looked for from the end."""
    for n in range(len(lines), 0, -1):
        if lines[n - 1].strip():
            return n
    return 0


def _place(last: int, locators: list[str] | None) -> str:
    if locators and 0 < last <= len(locators) and locators[last - 1]:
        return locators[last - 1]
    return f"L{last}"


def _half_unit(o: Observation) -> Decimal:
    return Decimal(5) / Decimal(10) ** (max(o.decimals, 0) + 1)


def _function_rows_stop(grid: Grid, tdef, table_no: int, observations: list[Observation]) -> str | None:
    """A function table with its 合计 row first whose 类 rows add up to less than the 合计 (first value
    column where both are read)."""
    if tdef.layout != "function":
        return None
    mine = [o for o in observations if o.table_no == table_no and o.source_kind == "table" and o.col_no is not None]
    totals = [o for o in mine if o.function_code is None]
    # 类 rows: 3-digit function codes, or 经济分类 codes in a function table coded by 经济分类 (…支出决算明细表)
    classes = [o for o in mine if len(o.function_code or o.economic_code or "") == 3]
    if not totals:
        return None
    first_total_line = min(o.line_no for o in totals)
    if classes and first_total_line > min(o.line_no for o in classes):
        return None  # the 合计 row comes last: the table parser checks that it is there
    for total in sorted(totals, key=lambda o: (o.line_no, o.col_no)):
        parts = [o for o in classes if o.col_no == total.col_no]
        if total.value <= 0:
            continue
        if not parts:
            return (f"its 合计 row ({total.value_text}) is followed by no 类 row: the rows stop before the table "
                    "completes")
        tolerance = _half_unit(total) + sum((_half_unit(o) for o in parts), Decimal(0))
        shown = sum((o.value for o in parts), Decimal(0))
        if total.value - shown > tolerance:
            shown = shown.quantize(Decimal(1).scaleb(-max(max(o.decimals for o in parts), 0)))
            return (f"its 类 rows ({len(parts)}) add up to {shown:,f} of the 合计 {total.value_text}: "
                    "the rows stop before the table completes")
        return None
    return None


def _filled(row) -> int:
    n = len(row)
    while n and not row[n - 1].text.strip():
        n -= 1
    return n


def _row_cut(grid: Grid) -> str | None:
    """A one-cell-per-line table whose last row has fewer cells than each of the three rows before it (a
    row of totals — 合计, 总计, 总分 — may be shorter)."""
    if grid.layout != "cells" or len(grid.rows) < 4:
        return None
    last = grid.rows[-1]
    if any(squash(c.text) in _TOTAL_LABELS | {"总分"} for c in last):
        return None
    before = [_filled(r) for r in grid.rows[-4:-1]]
    if _filled(last) < min(before):
        return (f"its last row has {_filled(last)} cells where the rows before it have {min(before)} or more: "
                "the cut fell inside a row")
    return None


def _performance_stops(grid: Grid) -> str | None:
    """A project performance self-evaluation table (绩效自评表) without its 总分 row whose indicators stop
    before 满意度指标, the last 一级指标 of the national template."""
    if not is_performance_grid(grid):
        return None
    texts = [squash(c.text) for row in grid.rows for c in row]
    if "总分" in texts or any("满意度" in t for t in texts):
        return None
    return "its indicators stop before 满意度指标, the last 一级指标 of a 绩效自评表, and it has no 总分 row"


def _template_tail(tdef, present: set[str]) -> str | None:
    """The template's tables after ``tdef``, at least two of them absent from the whole document."""
    for order in _TEMPLATES:
        if tdef.code in order:
            later = order[order.index(tdef.code) + 1:]
            missing = [c for c in later if c not in present]
            if len(missing) >= 2 and len(missing) == len(later):
                names = "、".join(_title(c) for c in missing[:3]) + ("…" if len(missing) > 3 else "")
                return f"none of the {len(later)} standard tables that follow it in the template is in the document ({names})"
    return None


def _title(code: str) -> str:
    for t in (*standard.TABLE_DEFS, *standard.BUDGET_TABLE_DEFS):
        if t.code == code:
            return t.title
    return code


def cut_short(lines: list[str], grids: list[Grid], observations: list[Observation],
              locators: list[str] | None = None, tdefs: list | None = None) -> ParseIssue | None:
    """An error issue when the document stops inside its last table (see the module's signals), else None.

    ``lines``: the document's lines (raw.lines); ``grids``: its tables in reading order, numbered from 1 as
    ingest.parse numbers them (an observation's ``table_no``); ``observations``: what was read (money in
    万元 with its printed decimals, for the rounding tolerance); ``locators``: the reader's per-line places;
    ``tdefs``: ``standard.identify`` of each grid when the caller has them already (ingest.parse), else they
    are worked out here as needed.
    The issue's place is the last non-blank line; its message names the table and why it cannot be whole.
    """
    last = _last_line(lines)
    if not grids or not last:
        return None
    table_no, grid = max(enumerate(grids, start=1), key=lambda pair: pair[1].last_line)
    trailing = [(n, lines[n - 1].strip()) for n in range(grid.last_line + 1, last + 1) if lines[n - 1].strip()]
    if not all(_NOTE.match(t) or _TITLE_BLOCK.search(t) or _short_title(t) for _, t in trailing):
        return None  # text follows the last table: the document goes on after it
    titles = [(n, standard.title_of(t)) for n, t in trailing if _short_title(t)]
    if titles:
        n, tdef = titles[-1]
        return ParseIssue("error", _place(last, locators),
                          f"the document is cut short: it ends with the title of {tdef.title} (L{n}) but not its "
                          f"table (its last line is {last})")
    tdef = tdefs[table_no - 1] if tdefs is not None else standard.identify(grid)
    why = None
    if tdef is not None:
        why = _function_rows_stop(grid, tdef, table_no, observations)
    # a standard table is no 绩效自评表, whatever its header says (a 收支预算总表's revenue side is headed 项目名称)
    why = why or _row_cut(grid) or (_performance_stops(grid) if tdef is None else None)
    if why is None and tdef is not None:
        present = {t.code for t in (tdefs if tdefs is not None else map(standard.identify, grids)) if t is not None}
        why = _template_tail(tdef, present)
    if why is None:
        return None
    name = tdef.title if tdef is not None else "a 绩效自评表" if is_performance_grid(grid) else "a table"
    return ParseIssue("error", _place(last, locators),
                      f"the document is cut short: it ends inside {name} (L{grid.first_line}–L{grid.last_line}) and "
                      f"{why} (its last line is {last})")


# ---------------------------------------------------------------- a copy cut short of a loaded version
# Candidates: the warehouse's current parsed versions of a new document's path or of its unit-year and report
# (the new documents themselves included, so two new files compare too).  A figure is its place and printed text.
_CUT_PAIRS_SQL = """
CREATE OR REPLACE TEMP TABLE _cut_pairs AS
SELECT n.doc_id AS new, o.doc_id AS old, o.source_file AS old_file,
    -- the preferred complete version: of the same path, not itself a cut copy, the smaller doc_id
    (o.source_path <> n.source_path, o.cut_short_of IS NOT NULL, o.doc_id) AS preference
FROM raw.documents n JOIN raw.documents o ON o.doc_id <> n.doc_id AND o.is_current AND o.status IN ('ok', 'partial')
    AND (o.source_path = n.source_path
         OR (o.unit_name = n.unit_name AND o.fiscal_year = n.fiscal_year
             AND o.report_kind IS NOT DISTINCT FROM n.report_kind))
WHERE n.doc_id IN (SELECT doc_id FROM _cut_new) AND n.observation_count > 0
"""
_CUT_COPIES_SQL = """
WITH last AS (
    SELECT doc_id, max(line_no) AS last_line, count(*) AS figures, arg_max(source_ref, (line_no, seq)) AS last_ref
    FROM raw.observations WHERE doc_id IN (SELECT new FROM _cut_pairs) GROUP BY doc_id
),
foreign_ AS (   -- figures of the new version, before its last line, that the other version does not print there
    SELECT p.new, p.old FROM _cut_pairs p JOIN last l ON l.doc_id = p.new
    JOIN raw.observations a ON a.doc_id = p.new AND a.line_no < l.last_line
    WHERE NOT EXISTS (SELECT 1 FROM raw.observations b
                      WHERE b.doc_id = p.old AND b.source_ref = a.source_ref AND b.value_text = a.value_text)
    GROUP BY ALL
),
beyond AS (     -- figures of the other version after the new one's last figure
    SELECT p.new, p.old, count(*) AS n, arg_min(b.source_ref, (b.line_no, b.seq)) AS first_ref
    FROM _cut_pairs p JOIN last l ON l.doc_id = p.new
    JOIN raw.observations b ON b.doc_id = p.old AND b.line_no > l.last_line
    GROUP BY ALL
)
SELECT p.new, arg_min(p.old, p.preference), arg_min(p.old_file, p.preference), any_value(l.figures),
       any_value(l.last_ref), arg_min(b.n, p.preference), arg_min(b.first_ref, p.preference)
FROM _cut_pairs p JOIN last l ON l.doc_id = p.new JOIN beyond b ON b.new = p.new AND b.old = p.old
WHERE NOT EXISTS (SELECT 1 FROM foreign_ f WHERE f.new = p.new AND f.old = p.old)
    -- something was compared: figures only on its last line prove nothing (a 5-row spreadsheet)
    AND EXISTS (SELECT 1 FROM raw.observations a WHERE a.doc_id = p.new AND a.line_no < l.last_line)
GROUP BY p.new
"""


def cut_copies(con, doc_ids: list[str]) -> dict[str, tuple[str, str, str]]:
    """Which of the newly loaded documents ``doc_ids`` are copies cut short of another version:
    {new doc_id: (the other version's doc_id, the place where the copy stops, the message)}.

    A version of the same path, or of the same unit, year and report kind (a copy cut before its 汇总 mark has
    no scope), current and parsed (ok/partial) in ``con`` — loaded earlier or in the same batch — is the
    *complete* one when every figure of the new document (its place and printed text, ``source_ref`` and
    ``value_text``) is one it prints at the same place, and it goes on with more figures after the new
    document's last one: the new document is that version's beginning, cut where a download, a copy or a
    conversion stopped.  The figures of the new document's last line are left out of the comparison (a cut
    inside a number changes it), and at least one figure before that line must be compared.  A copy that lost
    only prose (the same figures) or a re-issue that changed or added a figure is no cut copy.  Requires the
    documents and their raw.observations loaded (in the open transaction) and, for a path's earlier version,
    still current.  The place is the source_ref of the copy's last figure.  The complete version named is
    preferably of the same path, then one that is no cut copy itself (raw.documents.cut_short_of), then the
    smaller doc_id.
    """
    if not doc_ids:
        return {}
    import pyarrow as pa

    from ingest.load import registered

    with registered(con, "_cut_new", pa.table({"doc_id": pa.array(doc_ids, pa.string())})):
        con.execute(_CUT_PAIRS_SQL)
    try:   # the figures are compared only when some version of the same path or unit-year is there
        rows = con.execute(_CUT_COPIES_SQL).fetchall() if con.execute("SELECT 1 FROM _cut_pairs LIMIT 1").fetchone() else []
    finally:
        con.execute("DROP TABLE IF EXISTS _cut_pairs")
    return {new: (old, last_ref,
                  f"the document is cut short: its {figures} figures are the beginning of {old_file} "
                  f"(doc_id {old[:16]}), printed at the same places up to {last_ref}, and that version goes on with "
                  f"{more} more from {first_ref}")
            for new, old, old_file, figures, last_ref, more, first_ref in rows}
