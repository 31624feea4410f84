"""Render report text to PDF: the corpus generator's PDF reports (bench/corpus.py --format pdf) and the
reader tests' documents (tests/test_pdf_reader.py).  reportlab; CJK via its built-in CID font STSong-Light,
which pdfplumber and pdfium extract as Unicode text, so no font file is needed.

A document is a list of blocks: a str is a prose line (wrapped at the page width, never inside a number,
as a PDF prints a paragraph), a list of rows (lists of cell texts) is a table.  Tables are drawn ruled
(every cell boxed) or unruled (text aligned in columns only), in a smaller font when they would be wider
than the page; a table that does not fit continues on the next page, optionally repeating its first
`header_rows` rows; every page gets its page number as a footer line.
"""

from __future__ import annotations

import io
import re

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
SIZE = 9
MIN_SIZE = 5
ROW = 16
MARGIN = 40
_UNBREAKABLE = re.compile(r"[\d.,%]")


def _width(text: str, size: float = SIZE) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap_to_width(text: str, width: float, size: float = SIZE) -> list[str]:
    """`text` cut into lines no wider than `width` points, never between two characters of a number
    (digits, '.', ',', '%'): a printed figure stays on one line, as in the PDFs governments publish."""
    out, start = [], 0
    while start < len(text):
        cut = start + 1
        while cut < len(text) and _width(text[start:cut + 1], size) <= width:
            cut += 1
        if cut < len(text):
            back = cut
            while back > start + 1 and _UNBREAKABLE.match(text[back - 1]) and _UNBREAKABLE.match(text[back]):
                back -= 1
            cut = back
        out.append(text[start:cut])
        start = cut
    return out or [""]


def render(blocks: list, *, ruled: bool = True, header_rows: int = 0, rows_per_page: int | None = None,
           form: bool = False, placed: list[int] | None = None, right_figures: bool = False) -> bytes:
    """PDF bytes of the blocks (landscape A4).

    `rows_per_page` forces a table to break after that many rows on a page; `header_rows` of the table are
    repeated at the top of the continuation; `form` draws each table row inside a Form XObject (as some
    converters do), shifted by the form's placement matrix.  `placed`, when given, receives the 1-based page
    of every prose block and every table row, in document order (where a generated error lands).
    `right_figures` prints the cells that are numbers right-aligned in their column, as many converters do
    (the others stay left-aligned)."""
    width, height = landscape(A4)
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(width, height))
    state = {"y": height - MARGIN, "page": 1}

    def new_page() -> None:
        c.setFont(FONT, SIZE)
        c.drawString(width / 2, MARGIN / 2, str(state["page"]))  # page number footer
        c.showPage()
        state["page"] += 1
        state["y"] = height - MARGIN

    c.setFont(FONT, SIZE)
    for block in blocks:
        if isinstance(block, str):
            for k, piece in enumerate(wrap_to_width(block, width - 2 * MARGIN)):
                if state["y"] < MARGIN + ROW:
                    new_page()
                if k == 0 and placed is not None:
                    placed.append(state["page"])
                c.setFont(FONT, SIZE)
                c.drawString(MARGIN, state["y"] - SIZE, piece)
                state["y"] -= ROW
            continue
        rows = block
        ncols = max(len(r) for r in rows)
        widths = [max((_width(part) for r in rows if j < len(r) for part in r[j].split("\n")), default=0) + 12
                  for j in range(ncols)]
        size = max(MIN_SIZE, min(SIZE, SIZE * (width - 2 * MARGIN) / sum(widths)))  # shrink a table wider than the page
        widths = [(w - 12) * size / SIZE + 12 for w in widths]
        xs = [MARGIN]
        for w in widths:
            xs.append(xs[-1] + w)
        on_page = 0
        for n, row in enumerate(rows):
            if state["y"] - _height(row) < MARGIN or (rows_per_page and on_page >= rows_per_page):
                new_page()
                on_page = 0
                for head in rows[:header_rows] if n >= header_rows else []:
                    _draw_row(c, head, xs, state["y"], ruled, size, right_figures)
                    state["y"] -= _height(head)
                    on_page += 1
            if placed is not None:
                placed.append(state["page"])
            if form:
                name = f"row{state['page']}_{n}"
                c.beginForm(name)
                _draw_row(c, row, [x - 10 for x in xs], state["y"] + 5, ruled, size, right_figures)
                c.endForm()
                c.saveState()
                c.translate(10, -5)
                c.doForm(name)
                c.restoreState()
            else:
                _draw_row(c, row, xs, state["y"], ruled, size, right_figures)
            state["y"] -= _height(row)
            on_page += 1
        state["y"] -= ROW / 2
    c.setFont(FONT, SIZE)
    c.drawString(width / 2, MARGIN / 2, str(state["page"]))
    c.showPage()
    c.save()
    return buffer.getvalue()


def blocks_of_text(lines: list[str]) -> list:
    """A text report's lines as blocks: a run of tab-separated lines is a table (its cells split at the
    tabs), any other non-empty line a prose block; blank lines end a table."""
    blocks: list = []
    table = None
    for text in lines:
        if "\t" in text:
            if table is None:
                table = []
                blocks.append(table)
            table.append(text.split("\t"))
        else:
            table = None
            if text.strip():
                blocks.append(text)
    return blocks


def _height(row: list[str]) -> float:
    """A cell's text wraps at "\n": the row is as tall as its tallest cell."""
    return ROW * max((cell.count("\n") + 1 for cell in row), default=1)


_NUMBER = re.compile(r"^-?[\d,]+(?:\.\d+)?%?$")


def _draw_row(c, row: list[str], xs: list[float], top: float, ruled: bool, size: float = SIZE,
              right_figures: bool = False) -> None:
    c.setFont(FONT, size)
    height = _height(row)
    for j in range(len(xs) - 1):
        text = row[j] if j < len(row) else ""
        if ruled:
            c.rect(xs[j], top - height, xs[j + 1] - xs[j], height, stroke=1, fill=0)
        for k, part in enumerate(text.split("\n") if text else []):
            if right_figures and _NUMBER.match(part):
                c.drawRightString(xs[j + 1] - 4, top - ROW * (k + 1) + 4, part)
            else:
                c.drawString(xs[j] + 4, top - ROW * (k + 1) + 4, part)
