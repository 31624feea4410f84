"""Render report excerpts to PDF for reader tests (reportlab; CJK via its built-in CID font STSong-Light,
which pdfplumber extracts as Unicode text, so no font file is needed).

A document is a list of blocks: a str is a prose line, a list of rows (lists of cell texts) is a table.
Tables are drawn ruled (every cell boxed) or unruled (text aligned in columns only); a table that does not
fit continues on the next page, optionally repeating its first `header_rows` rows; every page gets its
page number as a footer line.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
SIZE = 9
ROW = 16
MARGIN = 40


def _width(text: str) -> float:
    return pdfmetrics.stringWidth(text, FONT, SIZE)


def render(blocks: list, *, ruled: bool = True, header_rows: int = 0, rows_per_page: int | None = None,
           form: bool = False) -> bytes:
    """PDF bytes of the blocks.  `rows_per_page` forces a table to break after that many rows on a page;
    `header_rows` of the table are repeated at the top of the continuation; `form` draws each table row
    inside a Form XObject (as some converters do), shifted by the form's placement matrix."""
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
            if state["y"] < MARGIN + ROW:
                new_page()
            c.setFont(FONT, SIZE)
            c.drawString(MARGIN, state["y"] - SIZE, block)
            state["y"] -= ROW
            continue
        rows = block
        ncols = max(len(r) for r in rows)
        widths = [max((_width(part) for r in rows if j < len(r) for part in r[j].split("\n")), default=0) + 12
                  for j in range(ncols)]
        xs = [MARGIN]
        for w in widths:
            xs.append(xs[-1] + w)
        on_page = 0
        for n, row in enumerate(rows):
            if state["y"] - _height(row) < MARGIN or (rows_per_page and on_page >= rows_per_page):
                new_page()
                on_page = 0
                for head in rows[:header_rows] if n >= header_rows else []:
                    _draw_row(c, head, xs, state["y"], ruled)
                    state["y"] -= _height(head)
                    on_page += 1
            if form:
                name = f"row{state['page']}_{n}"
                c.beginForm(name)
                _draw_row(c, row, [x - 10 for x in xs], state["y"] + 5, ruled)
                c.endForm()
                c.saveState()
                c.translate(10, -5)
                c.doForm(name)
                c.restoreState()
            else:
                _draw_row(c, row, xs, state["y"], ruled)
            state["y"] -= _height(row)
            on_page += 1
        state["y"] -= ROW / 2
    c.setFont(FONT, SIZE)
    c.drawString(width / 2, MARGIN / 2, str(state["page"]))
    c.showPage()
    c.save()
    return buffer.getvalue()


def _height(row: list[str]) -> float:
    """A cell's text wraps at "\n": the row is as tall as its tallest cell."""
    return ROW * max((cell.count("\n") + 1 for cell in row), default=1)


def _draw_row(c, row: list[str], xs: list[float], top: float, ruled: bool) -> None:
    c.setFont(FONT, SIZE)
    height = _height(row)
    for j in range(len(xs) - 1):
        text = row[j] if j < len(row) else ""
        if ruled:
            c.rect(xs[j], top - height, xs[j + 1] - xs[j], height, stroke=1, fill=0)
        for k, part in enumerate(text.split("\n") if text else []):
            c.drawString(xs[j] + 4, top - ROW * (k + 1) + 4, part)
