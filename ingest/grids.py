"""Find table grids in the line stream, whatever layout the converter produced.

Two layouts are recognised (both seen in the corpus):

* ``tsv``   — one row per line, cells separated by tabs (000, 003).
* ``cells`` — one cell per line, each starting with a tab; a blank line ends a
  row; a cell's text may wrap onto following lines that have no tab (001, 004:
  a blank line after each piece; Word/WPS exports of long cells: many pieces
  in a row); a page number between rows is skipped.  What such an export
  leaves out (a row's empty leading label cells, a merged header cell's span)
  the standard-table parser puts back (ingest.tables.standard.parse).

A third layout — PDF text with the grid lost, tokens flattened into wrapped
lines (002) — carries no cell boundaries at all; it is handled by the
performance parser that knows what such a table must contain.

This finder is the table producer of the text reader.  Readers of formats
with real tables (PDF, DOCX, XLSX) build their ``Grid``s directly from the
cells they read (``grid_from_rows``), so the table parsers never ask which
reader made a grid.

Every cell keeps its source line, so a figure read from it can be traced; a
cell read from a real table also keeps its ``ref`` in the source file's terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.normalize import display_width
from ingest.sections import heading_of


@dataclass(slots=True)  # (one per cell: attribute access without a __dict__)
class Cell:
    text: str
    line_no: int  # 1-based line where the cell starts
    col: int  # 0-based position in its row
    ref: str | None = None  # 'p10 T1 R5 C3' (PDF), 'T2 R5 C3' (DOCX), 'Sheet1!D7' (XLSX); None: line and column


@dataclass
class Grid:
    layout: str
    rows: list[list[Cell]]
    first_line: int  # 1-based
    last_line: int  # 1-based
    consumed: set[int] = field(default_factory=set)  # 0-based indices of the grid's lines
    context: list[tuple[int, str]] = field(default_factory=list)  # preceding text lines, nearest last

    def row_texts(self, r: int) -> list[str]:
        return [c.text for c in self.rows[r]]

    def context_text(self) -> str:
        return "\n".join(text for _, text in self.context)


def _is_tsv(line: str) -> bool:
    body = line[1:] if line.startswith("\t") else line
    return "\t" in body


def _is_cell(line: str) -> bool:
    return line.startswith("\t") and "\t" not in line[1:]


# A wrapped cell continues over following short lines: at most this many when blank lines separate them
# (001/004 print a blank line after every wrapped piece, the same blank that ends a row), at most
# _MAX_WRAPPED_LINES when the pieces follow each other directly (a long cell wrapped in a narrow column).
_MAX_CONTINUATION_LINES = 4
_MAX_WRAPPED_LINES = 120
_MAX_CONTINUATION_WIDTH = 48
# A table's title block (公开03表, 单位：万元, 编制单位：…, a line ending in 表) after a blank line is never a cell's
# continuation: it belongs to the next table, printed one cell per line right after this one.  (Directly
# under a cell line such a text is the cell's own wrapped end: a 目录 entry …决算表.)
_TITLE_BLOCK = re.compile(r"公开\s*0?\d{1,2}\s*表|(?:金额)?单位\s*[:：]|编制(?:单位|部门|机关)\s*[:：]|表\s*[)）]?$")


def _continuation_run(lines: list[str], j: int) -> list[int] | None:
    """If lines[j:] is a run of short cell-text lines followed by another cell line, its indices."""
    run: list[int] = []
    blanks = False
    k = j
    while k < len(lines):
        line = lines[k]
        if _is_cell(line) or _is_tsv(line):
            return run or None
        text = line.strip()
        if text:
            blanks = blanks or (bool(run) and k != run[-1] + 1)
            if (
                len(run) >= (_MAX_CONTINUATION_LINES if blanks else _MAX_WRAPPED_LINES)
                or display_width(text) > _MAX_CONTINUATION_WIDTH
                or heading_of(text) is not None
                or (not lines[k - 1].strip() and _TITLE_BLOCK.search(text))
            ):
                return None
            run.append(k)
        k += 1
    return None


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def _scan_tsv(lines: list[str], i: int) -> tuple[list[list[Cell]], set[int], int]:
    rows: list[list[Cell]] = []
    consumed: set[int] = set()
    j = i
    last = i
    while j < len(lines):
        line = lines[j]
        if _is_tsv(line):
            rows.append([Cell(t.strip(), j + 1, c) for c, t in enumerate(line.split("\t"))])
            consumed.add(j)
            last = j
            j += 1
            continue
        if not line.strip() or is_page_footer(line):
            # A page break inside a table — blank lines and at most one page-number/footer line:
            # continue if a table row follows.
            k = j
            footers = 0
            while k < len(lines) and k - j < 5:
                if is_page_footer(lines[k]) and footers == 0:
                    footers += 1
                elif lines[k].strip():
                    break
                k += 1
            if k < len(lines) and _is_tsv(lines[k]):
                j = k
                continue
        break
    return rows, consumed, last


_PAGE_FOOTER = re.compile(r"(?:[-—–]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[-—–])?|\d{1,4}\s*/\s*\d{1,4}|(?:第\s*\d{1,4}\s*页\s*)?共\s*\d{1,4}\s*页")


def is_page_footer(line: str) -> bool:
    """A line that is only a page number ('8', '- 8 -', '第8页', '8/21', '第 8 页 共 21 页') as exporters print it."""
    return bool(_PAGE_FOOTER.fullmatch(line.strip()))


def _scan_cells(lines: list[str], i: int) -> tuple[list[list[Cell]], set[int], int]:
    rows: list[list[Cell]] = []
    consumed: set[int] = set()
    row: list[Cell] | None = None
    cell: Cell | None = None
    after_blank = True
    j = i
    last = i
    while j < len(lines):
        line = lines[j]
        if _is_cell(line):
            if row is None or after_blank:
                row = []
                rows.append(row)
            cell = Cell(line[1:].strip(), j + 1, len(row))
            row.append(cell)
            consumed.add(j)
            last = j
            after_blank = False
            j += 1
            continue
        if not line.strip():
            after_blank = True
            j += 1
            continue
        if is_page_footer(line) and (cell is None or not cell.text or after_blank):
            # a page number between two rows (or after an empty cell, which has no text to wrap): a page
            # break inside the table, not a cell's text — skipped, if the table goes on after it
            k = j + 1
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k < len(lines) and _is_cell(lines[k]):
                consumed.add(j)
                j = k
                after_blank = True
                continue
        run = _continuation_run(lines, j) if cell is not None and cell.text else None
        if not run:
            break
        for k in run:
            cell.text = _join(cell.text, lines[k].strip())
            consumed.add(k)
        consumed.update(range(j, run[-1] + 1))
        last = run[-1]
        j = run[-1] + 1
        after_blank = False
    return rows, consumed, last


def context_before(lines: list[str], i: int, taken: set[int], context_lines: int = 8) -> list[tuple[int, str]]:
    """The non-blank text lines just above 0-based line i (at most `context_lines`, within 20 lines, not
    crossing another grid's lines), nearest last, as (1-based line, text): a table's title block."""
    context: list[tuple[int, str]] = []
    k = i - 1
    while k >= 0 and len(context) < context_lines and i - k <= 20 and k not in taken:
        text = lines[k].strip()
        if text:
            context.append((k + 1, text))
        k -= 1
    context.reverse()
    return context


def find_grids(lines: list[str], context_lines: int = 8) -> list[Grid]:
    """Grids of the text layouts above, in line order, each with its title block as context."""
    grids: list[Grid] = []
    taken: set[int] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" not in line:  # (both layouts' lines hold a tab: most lines are prose)
            i += 1
            continue
        if _is_tsv(line):
            rows, consumed, last = _scan_tsv(lines, i)
            layout = "tsv"
        elif _is_cell(line):
            rows, consumed, last = _scan_cells(lines, i)
            layout = "cells"
        else:
            i += 1
            continue
        if rows:
            context = context_before(lines, i, taken, context_lines)
            grids.append(Grid(layout, rows, i + 1, last + 1, consumed, context))
            taken |= consumed
        i = last + 1
    return grids
