"""Re-render a text report the way other converters write the same document (issue 13).

Each renderer takes the report's text and returns the bytes another converter would have
produced; the figures read from them must be exactly those read from the original.

* :func:`hard_wrapped` — prose cut at a fixed width, as PDF text extraction does (a number is
  never cut; table lines are left alone);
* :func:`full_width` — digits, decimal points and percent signs in their full-width forms;
* :func:`gb18030_crlf` — GB18030 bytes with Windows line ends;
* :func:`cells_per_line` — tables one cell per line (a 公开 table's merged header cells printed once, a figure row's
  empty leading label cells left out, long cells wrapped), as Word/WPS text exports print them.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.grids import find_grids
from ingest.normalize import display_width
from ingest.performance import flattened
from ingest.tables.standard import identify

WRAP_COLUMNS = 68  # about 34 Chinese characters: the text width of an A4 page at 四号

# a run that is never cut: a number with its separators and decimals
_UNBREAKABLE = re.compile(r"\d[\d,.]*\d|\d")


def table_lines(lines: list[str]) -> set[int]:
    """0-based indices of the lines that belong to tables (grids and flattened self-evaluation tables)."""
    grids = find_grids(lines)
    taken: set[int] = set()
    for grid in grids:
        taken |= grid.consumed
    for start, end, _, _ in flattened.find_regions(lines, taken):
        taken |= set(range(start, end + 1))
    return taken


def _pieces(line: str) -> list[str]:
    """The line as unbreakable pieces: whole numbers, single other characters."""
    out: list[str] = []
    pos = 0
    for m in _UNBREAKABLE.finditer(line):
        out.extend(line[pos:m.start()])
        out.append(m.group(0))
        pos = m.end()
    out.extend(line[pos:])
    return out


def wrap_line(line: str, columns: int = WRAP_COLUMNS) -> list[str]:
    """Cut one line into lines of at most ``columns`` display columns, never inside a number."""
    if display_width(line) <= columns:
        return [line]
    out: list[str] = []
    current = ""
    for piece in _pieces(line):
        if current and display_width(current + piece) > columns:
            out.append(current)
            current = piece
        else:
            current += piece
    if current:
        out.append(current)
    return out


def hard_wrapped(text: str, columns: int = WRAP_COLUMNS) -> bytes:
    """Every prose line longer than ``columns`` cut into lines of that width (UTF-8)."""
    lines = text.split("\n")
    tables = table_lines(lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in tables or "\t" in line:
            out.append(line)
        else:
            out.extend(wrap_line(line, columns))
    return "\n".join(out).encode("utf-8")


_FULL_WIDTH = str.maketrans({**{str(d): chr(0xFF10 + d) for d in range(10)}, ".": "．", "%": "％"})


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def full_width(text: str) -> bytes:
    """Digits, '.', '%' and the thousands separators of numbers as full-width characters (UTF-8);
    line numbers unchanged."""
    return _THOUSANDS.sub("，", text).translate(_FULL_WIDTH).encode("utf-8")


def gb18030_crlf(text: str) -> bytes:
    """The same text in GB18030 with CRLF line ends; line numbers unchanged."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("gb18030")


RENDERERS = {"hard_wrapped": hard_wrapped, "full_width": full_width, "gb18030_crlf": gb18030_crlf}


# ---------------------------------------------------------------- (b) tables one cell per line
CELL_WRAP_COLUMNS = 24  # a table cell's text width in a PDF/Word column of an A4 page (about 12 Chinese characters)


def _is_body_row(cells: list[str]) -> bool:
    """A row carrying a figure (it has a number in a cell after the first two): a body row, not a header."""
    from ingest.numbers import parse_plain

    return any(parse_plain(c) is not None for c in cells[2:])


def _merged_blanks(header: list[list[str]]) -> list[set[int]]:
    """For each header row, the columns whose blank is a horizontally merged cell's span (a label to its
    left in the row, a label under it in a lower header row), which a one-cell-per-line export does not
    print.  A blank with nothing under it is a vertically merged cell's continuation: printed empty."""
    out: list[set[int]] = []
    for r, row in enumerate(header):
        spans: set[int] = set()
        for j, text in enumerate(row):
            if not text and any(row[:j]) and any(j < len(lower) and lower[j] for lower in header[r + 1:]):
                spans.add(j)
        out.append(spans)
    return out


def cells_per_line(text: str, columns: int = CELL_WRAP_COLUMNS) -> bytes:
    """Every tab-separated table printed one cell per line, as Word/WPS text exports do (UTF-8): each cell
    on its own line after a tab, a blank line after each row; in a 公开 table a header cell merged over
    several columns printed once (see _merged_blanks); a body row's leading empty label cells left out (a converter prints
    nothing for them); a cell wider than ``columns`` wrapped onto following lines without a tab, never
    inside a number.  Prose and tables already one cell per line unchanged."""
    lines = text.split("\n")
    grids = {g.first_line - 1: g for g in find_grids(lines) if g.layout == "tsv"}
    out: list[str] = []
    i = 0
    while i < len(lines):
        grid = grids.get(i)
        if grid is None:
            out.append(lines[i])
            i += 1
            continue
        rows = [(k, [c.strip() for c in lines[k].split("\t")]) for k in sorted(grid.consumed)]
        first_body = next((n for n, (_, cells) in enumerate(rows)
                           if _is_body_row(cells) or "栏次" in cells), len(rows))
        # merged header cells printed once in the 公开 tables (the self-evaluation tables' parser does not
        # place a merged header row yet: those keep their blanks, as 001/004 print them)
        merged = _merged_blanks([cells for _, cells in rows[:first_body]]) if identify(grid) else [set()] * first_body
        n = 0
        for k in range(grid.first_line - 1, grid.last_line):
            if k not in grid.consumed:
                if lines[k].strip():
                    out.append(lines[k])  # a page footer inside the table stays where it was
                continue
            cells = rows[n][1]
            if n < first_body:
                cells = [c for j, c in enumerate(cells) if j not in merged[n]]
            elif _is_body_row(cells):
                while len(cells) > 1 and not cells[0]:
                    cells = cells[1:]
            n += 1
            for cell in cells:
                pieces = wrap_line(cell, columns) if cell else [""]
                out.append("\t" + pieces[0])
                out.extend(pieces[1:])
            out.append("")
        i = grid.last_line
    return "\n".join(out).encode("utf-8")


RENDERERS["cells_per_line"] = cells_per_line


def report_blocks(path: Path, start: int, end: int, cell=None) -> list:
    """The blocks bench/pdf_render.render draws, from lines start..end (0-based, end excluded) of a text report:
    a prose line is a str, a run of tab-separated lines is a table (a list of rows of cell texts, each cell
    passed through ``cell`` when given)."""
    blocks: list = []
    table = None
    for text in path.read_text(encoding="utf-8").split("\n")[start:end]:
        if "\t" in text:
            if table is None:
                table = []
                blocks.append(table)
            table.append([cell(c) if cell else c for c in text.split("\t")])
        elif text.strip():
            table = None
            blocks.append(text)
    return blocks
