"""Find table grids in the line stream, whatever layout the converter produced.

Two layouts are recognised (both seen in the corpus):

* ``tsv``   — one row per line, cells separated by tabs (000, 003).
* ``cells`` — one cell per line, each starting with a tab; a blank line ends a
  row; a cell's text may wrap onto following lines that have no tab (001, 004).

A third layout — PDF text with the grid lost, tokens flattened into wrapped
lines (002) — carries no cell boundaries at all; it is handled by the
performance parser that knows what such a table must contain.

Every cell keeps its source line, so a figure read from it can be traced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.normalize import display_width
from ingest.sections import heading_of


@dataclass
class Cell:
    text: str
    line_no: int  # 1-based line where the cell starts
    col: int  # 0-based position in its row


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


# A wrapped cell continues over at most this many short lines.
_MAX_CONTINUATION_LINES = 4
_MAX_CONTINUATION_WIDTH = 48


def _continuation_run(lines: list[str], j: int) -> list[int] | None:
    """If lines[j:] is a short run of cell text followed by another cell line, its indices."""
    run: list[int] = []
    k = j
    while k < len(lines):
        line = lines[k]
        if _is_cell(line) or _is_tsv(line):
            return run or None
        text = line.strip()
        if text:
            if (
                len(run) >= _MAX_CONTINUATION_LINES
                or display_width(text) > _MAX_CONTINUATION_WIDTH
                or heading_of(text) is not None
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
        if not line.strip():
            # A blank line inside a table (page break): continue if a table row follows.
            k = j
            while k < len(lines) and not lines[k].strip() and k - j < 3:
                k += 1
            if k < len(lines) and _is_tsv(lines[k]):
                j = k
                continue
        break
    return rows, consumed, last


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
        run = _continuation_run(lines, j) if cell is not None else None
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


def find_grids(lines: list[str], context_lines: int = 8) -> list[Grid]:
    grids: list[Grid] = []
    taken: set[int] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
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
            context: list[tuple[int, str]] = []
            k = i - 1
            while k >= 0 and len(context) < context_lines and i - k <= 20 and k not in taken:
                text = lines[k].strip()
                if text:
                    context.append((k + 1, text))
                k -= 1
            context.reverse()
            grids.append(Grid(layout, rows, i + 1, last + 1, consumed, context))
            taken |= consumed
        i = last + 1
    return grids
