"""Render report text to PDF: the corpus generator's PDF reports (bench/corpus.py --format pdf) and the
reader tests' documents (tests/test_pdf_reader.py).  reportlab; CJK via its built-in CID font STSong-Light,
which pdfplumber and pdfium extract as Unicode text, so no font file is needed.

A document is a list of blocks: a str is a prose line (wrapped at the page width, never inside a number,
as a PDF prints a paragraph), a list of rows (lists of cell texts) is a table.  Tables are drawn ruled
(every cell boxed) or unruled (text aligned in columns only), in a smaller font when they would be wider
than the page; a table that does not fit continues on the next page, optionally repeating its first
`header_rows` rows; every page gets its page number as a footer line.

Other producers' ways of making the same page can be asked for (tests/test_pdf_producers.py): table rules
drawn as cell boxes, as thin filled rectangles (spreadsheet exports) or as three horizontal rules only
(三线表); header cells merged over rows or columns (SPAN_LEFT / SPAN_UP cells); pages stored portrait with
/Rotate 90 or 270 and their content drawn rotated; content drawn turned on portrait pages without
/Rotate (`turn`), or only its tables, under upright prose (`turn_tables`); content on a slight slope
(`skew`); header labels printed vertically (`vertical`); every glyph its own text object; an owner
password with an empty user password, RC4 or AES, or a user password (`cipher`, `user_password`); tables
too wide for the page split by columns over pages (Excel/WPS); and
pages replaced by images of themselves (`scan`, a scanned document).
"""

from __future__ import annotations

import io
import os
import re

import reportlab
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
# Figures in a font without a Unicode map (unmapped_figures): an embedded TrueType subset whose codes are
# given in the order the glyphs are first used, with its ToUnicode map removed from the file.
UNMAPPED_FONT = "VeraSubsetUnmapped"
pdfmetrics.registerFont(TTFont(UNMAPPED_FONT, os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf"),
                               asciiReadable=False))
PAGE_BREAK = "\f"  # a block: the next block starts a new page
SIZE = 9
MIN_SIZE = 5
ROW = 16
MARGIN = 40
_UNBREAKABLE = re.compile(r"[\d.,%]")
SPAN_LEFT = "\x00<"  # a table cell covered by the cell on its left (a header merged over columns)
SPAN_UP = "\x00^"  # a table cell covered by the cell above it (a header merged over rows)
RULES = ("box", "filled", "shaded", "three_line", "none")


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
           form: bool = False, placed: list[int] | None = None, right_figures: bool = False,
           rules: str | None = None, rotate: int = 0, per_char: bool | str = False,
           owner_password: str | None = None, unmapped_figures: bool = False,
           distributed: bool = False, ocr_layer: bool = False, middle: bool = False, turn: int = 0,
           turn_pages: set[int] | None = None, cipher: str = "RC4-128", user_password: str = "",
           vertical: str | None = None, page_label: str | None = None,
           split_columns: int = 0, repeat_columns: int = 0, continued: list[str] | None = None,
           turn_tables: bool = False, skew: float = 0.0) -> bytes:
    """PDF bytes of the blocks (landscape A4).

    `rows_per_page` forces a table to break after that many rows on a page; `header_rows` of the table are
    repeated at the top of the continuation; `form` draws each table row inside a Form XObject (as some
    converters do), shifted by the form's placement matrix.  `placed`, when given, receives the 1-based page
    of every prose block and every table row, in document order (where a generated error lands).
    `right_figures` prints the cells that are numbers right-aligned in their column, as many converters do
    (the others stay left-aligned).
    `rules` (one of RULES; default "box" when `ruled`, else "none") says how table rules are drawn: every
    cell stroked as a box, every cell edge a thin filled rectangle, every cell a shaded box with white gaps
    between the boxes and no line, or only the rules above and below the header and below the table
    (三线表).  A table cell SPAN_LEFT / SPAN_UP is covered by its left / upper neighbour, which is drawn as
    one box over both, its text centred vertically.
    `rotate` 90 or 270 stores each page portrait (180: upside down) with that /Rotate and draws its content
    rotated, so the page displays as the unrotated rendering; `per_char` draws every glyph as its own text
    object (a line's glyphs in the content stream last first when "backwards");
    `owner_password` encrypts the file with it and an empty user password (it opens without one);
    `cipher` "AES-128" (/V 4 /R 4) or "AES-256" (/V 5 /R 6) encrypts it that way instead of reportlab's RC4
    (pypdf writes it), and a `user_password` is then needed to open it;
    `unmapped_figures` prints the table cells that are numbers in a font without a Unicode map (UNMAPPED_FONT).
    `distributed` spreads the texts of table cells that are not numbers over their cell's width (分散对齐,
    as spreadsheets and WPS print labels: wide gaps between the characters of one word).
    `ocr_layer` draws only the texts, invisible (text render mode 3), no rules: the text layer OCR software
    puts under a scanned page's image (see `scan`).
    `middle` centres every cell's text vertically in its row (WPS/Excel do), so a one-line cell beside a
    wrapped one prints between the wrapped one's lines.
    `turn` 90 or 270 draws each page's content turned on a portrait page without any /Rotate, as some
    printer drivers and imposition tools store landscape pages (the text runs upwards at 90, downwards at
    270; 180: upside down); with `rotate` too, the page has that /Rotate and still displays turned.
    `turn_pages` (1-based) turns only those pages, the others upright (a rotated table page among prose).
    `vertical` prints the header labels over the figure columns (of the rows before the first row holding a
    number) vertically, in narrow columns: "stacked" one character per line (竖排, glyphs upright), "up" /
    "down" turned a quarter turn in the cell (glyphs rotated, the text running up / down: Excel's text
    orientation ±90°).
    `turn_tables` (with `turn` 90 or 270) draws only the tables turned: the pages are portrait, prose
    upright from the top, and each table turned in the part of the page below the prose before it (a
    table continuing over pages: whole pages turned after that), the page number upright at the foot —
    a page holding upright prose and a turned table.
    `skew` turns each page's content by that many degrees (counter-clockwise) about the page's centre: the
    text layer of a scan deskewed by a few degrees, or a page placed slightly askew.
    `page_label` is printed upright at the foot of every turned page as stored (`{page}`: its number), as a
    printer driver or imposition tool adds its own label to the pages it turns.
    `split_columns` prints a table wider than that many columns as Excel/WPS print a sheet too wide for the
    page: its first `split_columns` columns on one page, the other columns (after its first
    `repeat_columns` columns, the row labels repeated, or none) on the next page, under the `continued`
    lines (none, '续表', or the title block repeated), rows at the same heights.
    A block PAGE_BREAK starts a new page."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    rules = rules or ("box" if ruled else "none")
    if turn_tables and (turn not in (90, 270) or rotate or turn_pages is not None):
        raise ValueError("turn_tables: with turn 90 or 270, and no rotate or turn_pages")
    if rules not in RULES or rotate not in (0, 90, 180, 270) or turn not in (0, 90, 180, 270):
        raise ValueError(f"rules {rules!r} / rotate {rotate!r} / turn {turn!r}: not one of {RULES} / 0, 90, 180, 270")
    width, height = landscape(A4)
    buffer = io.BytesIO()
    if cipher not in CIPHERS:
        raise ValueError(f"cipher {cipher!r}: not one of {CIPHERS}")
    if vertical not in (None, *VERTICAL):
        raise ValueError(f"vertical {vertical!r}: not one of {VERTICAL}")
    later = cipher != "RC4-128" or user_password  # pypdf encrypts the rendered file
    encrypt = StandardEncryption("", ownerPassword=owner_password, canCopy=0, canModify=0) \
        if owner_password and not later else None
    c = canvas.Canvas(buffer, pagesize=(height, width) if rotate in (90, 270) or turn_tables else (width, height),
                      encrypt=encrypt)
    if per_char:
        c = _PerChar(c, backwards=per_char == "backwards")
    if ocr_layer:
        c = _Invisible(c)
    # the page prose is laid out on (portrait when only the tables are turned); the width tables are laid out in
    pw, ph = (height, width) if turn_tables else (width, height)
    state = {"y": ph - MARGIN, "page": 1, "frame": 0.0}

    def start_page() -> None:
        turned = turn if (turn_pages is None or state["page"] in turn_pages) and not turn_tables else 0
        if turned or (turn and not turn_tables):  # this page's size: the displayed page is portrait when turned 90/270, stored as /Rotate says
            c.setPageSize((height, width) if (rotate in (90, 270)) != (turned in (90, 270)) else (width, height))
        if rotate:
            c.setPageRotation(rotate)
        angle = (rotate + turned) % 360
        if page_label and turned:
            c.saveState()  # restored before the label is printed in the stored page's own frame
        if angle:  # displayed (X, Y) → stored portrait page: /Rotate 90 shows (x, y) at (y, W - x)
            c.transform(*{90: (0, 1, -1, 0, height, 0), 180: (-1, 0, 0, -1, width, height),
                          270: (0, -1, 1, 0, 0, width)}[angle])
        if skew:
            c.translate(pw / 2, ph / 2)
            c.rotate(skew)
            c.translate(-pw / 2, -ph / 2)

    def turned_frame(extent: float) -> None:
        """Draw what follows turned (turn_tables) in the page's part below `extent` points from its bottom:
        a frame `extent` wide (up the page) and as tall as the page is wide."""
        c.saveState()
        c.transform(*((0, 1, -1, 0, pw, 0) if turn == 90 else (0, -1, 1, 0, 0, extent)))
        state["frame"], state["y"] = extent, pw - MARGIN

    def end_page() -> None:
        if state["frame"]:
            c.restoreState()
        c.setFont(FONT, SIZE)
        c.drawString(pw / 2, MARGIN / 2, str(state["page"]))  # page number footer
        if page_label and turn and not turn_tables and (turn_pages is None or state["page"] in turn_pages):
            c.restoreState()
            c.setFont(FONT, SIZE)
            c.drawCentredString(c._pagesize[0] / 2, MARGIN / 3, page_label.format(page=state["page"]))
        c.showPage()

    def new_page() -> None:
        frame = state["frame"]
        end_page()
        state["page"] += 1
        state["y"] = ph - MARGIN
        start_page()
        if frame:  # a turned table goes on over the whole next page
            turned_frame(ph)

    if split_columns:
        blocks = _split_by_columns(blocks, split_columns, repeat_columns, continued or [])
    start_page()
    c.setFont(FONT, SIZE)
    figure_font = UNMAPPED_FONT if unmapped_figures else None
    for block in blocks:
        if block == PAGE_BREAK:
            new_page()
            continue
        if isinstance(block, str):
            for k, piece in enumerate(wrap_to_width(block, pw - 2 * MARGIN)):
                if state["y"] < MARGIN + ROW:
                    new_page()
                if k == 0 and placed is not None:
                    placed.append(state["page"])
                c.setFont(FONT, SIZE)
                c.drawString(MARGIN, state["y"] - SIZE, piece)
                state["y"] -= ROW
            continue
        rows = _vertical_header(block, vertical) if vertical else block
        ncols = max(len(r) for r in rows)
        widths = [max((_cell_width(part) for r in rows if j < len(r) and r[j] not in (SPAN_LEFT, SPAN_UP)
                       and r[j + 1:j + 2] != [SPAN_LEFT] for part in r[j].split("\n")), default=0) + 12
                  for j in range(ncols)]
        if turn_tables:  # turned, below the prose on the page (on a new page when it does not fit there)
            narrowest = sum((w - 12) * MIN_SIZE / SIZE + 12 for w in widths) + 2 * MARGIN
            if state["y"] < max(ph / 3, narrowest):
                new_page()
            turned_frame(ph if state["y"] >= ph - MARGIN else state["y"])
        size = max(MIN_SIZE, min(SIZE, SIZE * ((state["frame"] or width) - 2 * MARGIN) / sum(widths)))  # shrink a table wider than the page
        widths = [(w - 12) * size / SIZE + 12 for w in widths]
        xs = [MARGIN]
        for w in widths:
            xs.append(xs[-1] + w)
        on_page = 0
        for n, row in enumerate(rows):
            if state["y"] - _height(row) < MARGIN or (rows_per_page and on_page >= rows_per_page):
                new_page()
                on_page = 0
                for k, head in enumerate(rows[:header_rows] if n >= header_rows else []):
                    _draw_row(c, rows, k, xs, state["y"], rules, size, right_figures, header_rows, figure_font,
                          distributed, middle)
                    state["y"] -= _height(head)
                    on_page += 1
            if placed is not None:
                placed.append(state["page"])
            if form:
                name = f"row{state['page']}_{n}"
                c.beginForm(name)
                _draw_row(c, rows, n, [x - 10 for x in xs], state["y"] + 5, rules, size, right_figures, header_rows, figure_font,
                          distributed, middle)
                c.endForm()
                c.saveState()
                c.translate(10, -5)
                c.doForm(name)
                c.restoreState()
            else:
                _draw_row(c, rows, n, xs, state["y"], rules, size, right_figures, header_rows, figure_font,
                          distributed, middle)
            state["y"] -= _height(row)
            on_page += 1
        state["y"] -= ROW / 2
        if state["frame"]:  # the turned table fills the page's rest: what follows starts a new page
            c.restoreState()
            state["frame"], state["y"] = 0.0, MARGIN
    end_page()
    c.save()
    data = buffer.getvalue()
    data = data.replace(b"/ToUnicode", b"/ToUnicodX") if unmapped_figures else data  # same length: offsets hold
    return _encrypted(data, owner_password or "", user_password, cipher) if later else data


CIPHERS = ("RC4-128", "AES-128", "AES-256")


def _encrypted(data: bytes, owner_password: str, user_password: str, cipher: str) -> bytes:
    """`data` encrypted by pypdf with `cipher` (one of CIPHERS), copying and changing forbidden."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import UserAccessPermissions as Allow

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password or None, algorithm=cipher,
                   permissions_flag=Allow.PRINT | Allow.PRINT_TO_REPRESENTATION)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _split_by_columns(blocks: list, split: int, repeat: int, continued: list[str]) -> list:
    """The blocks with every table wider than `split` columns cut in two (see render's `split_columns`):
    its first `split` columns, a page break, the `continued` lines, its first `repeat` and last columns."""
    out: list = []
    for block in blocks:
        if isinstance(block, list) and max(len(r) for r in block) > split:
            out += [[r[:split] for r in block], PAGE_BREAK, *continued, [r[:repeat] + r[split:] for r in block]]
        else:
            out.append(block)
    return out


def text_of_blocks(blocks: list) -> bytes:
    """The text report of `blocks` (UTF-8): prose blocks as lines, each table's rows tab-separated with a blank
    line after the table, PAGE_BREAK left out — what the same content reads as from a text file."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, list):
            lines += ["\t".join(row) for row in block] + [""]
        elif block != PAGE_BREAK:
            lines.append(block)
    return "\n".join(lines).encode()


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
    """A cell's text wraps at "\n": the row is as tall as its tallest cell (a turned label: its length)."""
    return max((max(ROW, _width(cell[1:]) + 8) if cell[:1] in _TURNED
                else STACK * (len(cell) - 1) + ROW - STACK if cell[:1] == _STACKED else ROW * (cell.count("\n") + 1)
                for cell in row), default=ROW)


VERTICAL = ("stacked", "up", "down")
_TURNED = {"\x01": 90, "\x02": 270}  # a table cell's first character: its label printed turned, running up / down
_STACKED = "\x03"  # … its label printed one character per line, STACK points apart (line spacing 1.2)
STACK = 11


def _cell_width(text: str) -> float:
    """How wide a line of a cell prints: a turned label is one glyph wide."""
    return _width("国") if text[:1] in _TURNED or text[:1] == _STACKED else _width(text)


def _vertical_header(rows: list[list[str]], mode: str) -> list[list[str]]:
    """The table with the header labels over its figure columns printed vertically (see render's `vertical`)."""
    body = next((n for n, r in enumerate(rows) if any(_NUMBER.match(t) for t in r)), len(rows))
    figures = {j for r in rows[body:] for j, t in enumerate(r) if _NUMBER.match(t) and "." in t}  # not codes
    marker = {"up": "\x01", "down": "\x02", "stacked": _STACKED}[mode]
    out = [list(r) for r in rows]
    for r in out[:body]:
        for j, t in enumerate(r):
            if j in figures and len(t) > 1 and t not in (SPAN_LEFT, SPAN_UP):
                r[j] = marker + t
    return out


_NUMBER = re.compile(r"^-?[\d,]+(?:\.\d+)?%?$")


def _draw_row(c, rows: list[list[str]], n: int, xs: list[float], top: float, rules: str, size: float = SIZE,
              right_figures: bool = False, header_rows: int = 0, figure_font: str | None = None,
              distributed: bool = False, middle: bool = False) -> None:
    """Row n of the table `rows` with its top at `top`: its cells' rules (see render) and texts.  A cell
    anchoring a span is drawn over the cells SPAN_LEFT to its right and SPAN_UP below it."""
    c.setFont(FONT, size)
    row = rows[n]
    height = _height(row)
    right = xs[-1]
    if rules == "three_line":  # a rule above the table, below its header and below its last row
        if n == 0:
            c.setLineWidth(1.2)
            c.line(xs[0], top, right, top)
        if n == max(header_rows, 1) - 1 or n == len(rows) - 1:
            c.setLineWidth(1.2 if n == len(rows) - 1 else 0.6)
            c.line(xs[0], top - height, right, top - height)
        c.setLineWidth(1)
    for j in range(len(xs) - 1):
        text = row[j] if j < len(row) else ""
        if text in (SPAN_LEFT, SPAN_UP):
            continue
        end = j + 1
        while end < len(xs) - 1 and end < len(row) and row[end] == SPAN_LEFT:
            end += 1
        below = n + 1
        while below < len(rows) and j < len(rows[below]) and rows[below][j] == SPAN_UP:
            below += 1
        cell_height = sum(_height(r) for r in rows[n:below])
        x0, x1, y0 = xs[j], xs[end], top - cell_height
        if rules == "box":
            c.rect(x0, y0, x1 - x0, cell_height, stroke=1, fill=0)
        elif rules == "shaded":  # each cell a filled box, white gaps between them, no line at all
            c.setFillGray(0.85)
            c.rect(x0 + 0.75, y0 + 0.75, x1 - x0 - 1.5, cell_height - 1.5, stroke=0, fill=1)
            c.setFillGray(0)
        elif rules == "filled":  # each edge a 0.5 pt filled rectangle, as spreadsheet exports draw them
            for rx, ry, rw, rh in ((x0, top - 0.25, x1 - x0, 0.5), (x0, y0 - 0.25, x1 - x0, 0.5),
                                   (x0 - 0.25, y0, 0.5, cell_height), (x1 - 0.25, y0, 0.5, cell_height)):
                c.rect(rx, ry, rw, rh, stroke=0, fill=1)
        if text[:1] in _TURNED:  # a label turned a quarter turn: from the cell's bottom up, or its top down
            c.saveState()
            up = _TURNED[text[0]] == 90
            pad = (cell_height - _width(text[1:], size)) / 2 if middle else 4  # `middle`: centred in its cell
            c.translate(x0 + 4 + (size if up else 0), y0 + pad if up else top - pad)
            c.rotate(_TURNED[text[0]])
            c.drawString(0, 0, text[1:])
            c.restoreState()
            continue
        if text[:1] == _STACKED:  # one character a line, at the cell's top (`middle`: centred)
            own = STACK * (len(text) - 1) + ROW - STACK
            for k, ch in enumerate(text[1:]):
                c.drawString(x0 + 4, top - ((cell_height - own) / 2 if middle else 0) - (ROW - STACK) / 2
                             - STACK * (k + 1) + 2.5, ch)
            continue
        parts = text.split("\n") if text else []
        # a cell merged over rows prints its text in the middle of them; `middle`: every cell in its row's
        drop = (cell_height - (ROW * len(parts) if middle else height)) / 2
        for k, part in enumerate(parts):
            y = top - drop - ROW * (k + 1) + 4
            if figure_font:
                c.setFont(figure_font if _NUMBER.match(part) else FONT, size)
            if right_figures and _NUMBER.match(part):
                c.drawRightString(x1 - 4, y, part)
            elif distributed and len(part) > 1 and not _NUMBER.match(part):
                spare = (x1 - x0 - 8) - _width(part, size)
                c.drawString(x0 + 4, y, part, charSpace=max(0.0, spare / (len(part) - 1)))
            else:
                c.drawString(x0 + 4, y, part)


class _PerChar:
    """A canvas whose strings are drawn one glyph at a time, each glyph its own text object (BT … ET), as
    some converters write them, last glyph first when `backwards`; everything else is the wrapped canvas's."""

    def __init__(self, canvas, backwards: bool = False):
        self._canvas = canvas
        self._backwards = backwards

    def __getattr__(self, name):
        return getattr(self._canvas, name)

    def drawString(self, x: float, y: float, text: str) -> None:  # noqa: N802 - reportlab's name
        font, size = self._canvas._fontname, self._canvas._fontsize
        placed = []
        for ch in text:
            placed.append((x, ch))
            x += pdfmetrics.stringWidth(ch, font, size)
        for x, ch in reversed(placed) if self._backwards else placed:
            self._canvas.drawString(x, y, ch)

    def drawRightString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self.drawString(x - pdfmetrics.stringWidth(text, self._canvas._fontname, self._canvas._fontsize), y, text)


class _Invisible:
    """A canvas drawing its strings invisible (render mode 3) and no lines or rectangles: an OCR text layer."""

    def __init__(self, canvas):
        self._canvas = canvas

    def __getattr__(self, name):
        return getattr(self._canvas, name)

    def drawString(self, x: float, y: float, text: str, **kwargs) -> None:  # noqa: N802 - reportlab's name
        self._canvas.drawString(x, y, text, mode=3, **kwargs)

    def drawRightString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self._canvas.drawRightString(x, y, text, mode=3)

    def rect(self, *args, **kwargs) -> None:
        pass

    def line(self, *args, **kwargs) -> None:
        pass


def scan(data: bytes, pages: set[int] | None = None, dpi: int = 100, ocr: bytes | None = None,
         under: bytes | None = None, inset: float = 0) -> bytes:
    """`data` with its `pages` (1-based; all when None) replaced by images of themselves and no text, as a
    scanner makes them; the other pages are kept as they are (pypdfium2).  With `ocr` (the same blocks
    rendered with `render(..., ocr_layer=True)`), each image lies over that page's invisible text, as
    OCR software leaves a scanned page.  With `under` (another rendering, its page k for page k) and
    `inset` points, the image is pasted `inset` points inside the edges of that page, its texts around
    the image (a scan pasted into a document page with its running header)."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(data)
    base = ocr if ocr is not None else under
    text = pdfium.PdfDocument(base) if base is not None else None
    out = pdfium.PdfDocument.new()
    for k in range(len(source)):
        if pages is not None and k + 1 not in pages:
            out.import_pages(source, [k])
            continue
        page = source[k]
        w, h = page.get_size()
        bitmap = page.render(scale=dpi / 72)
        if text is not None:
            out.import_pages(text, [k])
            new = out[len(out) - 1]
        else:
            new = out.new_page(w, h)
        image = pdfium.PdfImage.new(out)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(w - 2 * inset, h - 2 * inset).translate(inset, inset))
        new.insert_obj(image)
        new.gen_content()
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
