"""PDF reports with a text layer (pdfplumber): prose lines with their page, and tables as tables.

Per page, tables are found on ruling lines (``page.find_tables()``).  On a page
with no ruled table, tables drawn without lines are found band by band: a text
line is cut into cells at gaps wider than half the font size (a prose line is one
run of text), a run of consecutive lines of several cells holding numbers is one
table (``_table_bands``), and its columns are the merged x extents of its body
cells (``_band_piece``: left-, right- or centre-aligned alike; a cell is never
cut, so a column boundary never runs through a printed number).  Prose is the
page's text outside the tables' rows, as lines with their page (``p3 L12``).  A table's
title block (its title, ``单位：元``, ``公开NN表``) is the prose just above it —
printed above the grid or inside its first ruled rows — so the table parsers find
it as the grid's context.

pdfplumber's cell grid is the union of every ruling line, so converters that
draw text boxes give fragments: columns that only hold padding, cells that span
(pdfplumber returns None for the covered positions), a label broken over two
grid rows.  ``_Piece`` rebuilds the printed table from it: columns are the
positions where body figures/labels start, rows that complement each other
across a vertical span are one row, a short word left alone on a row is the end
of the label above it.

A table continued on the next page (the page ends with the table, the next page
starts with one of the same width, with no header or a repeated header; running
headers, page numbers and 续表 lines in between) is one grid; every cell keeps the
page it was printed on (``p10 T1 R5 C3``).  An unruled table's pages are matched
on their columns' x extents (a page shows only the columns it fills), and a header
ending a page heads the table the next page continues.

A table too wide for its page, printed as Excel and WPS print it (its first columns on
one page, its other columns on the next, row labels repeated or not, under 续表 or its
title repeated; taller ones down, then over) is one grid too: a page's first table whose
rows line up with the pending table's rows and that repeats its row labels or prints none
adds its columns to them (``_column_part``); each cell keeps the page, row and column it
is printed at.  In tables drawn without lines, a word spread over its cell (分散对齐) is
one word, not one column per character (``_join_spread_runs``).

Pages are read as displayed: /Rotate 90/180/270 pages (wide tables stored portrait, drawn rotated) and
landscape media boxes alike; a page whose text runs up, down or upside down on the displayed page (drawn
turned without /Rotate) is read in its text's frame, and header labels printed vertically as words
(``pdfium_page.turned``, ``stand_up_labels``).  A page holding text of two directions (upright prose above a
turned table) is cut into regions of one direction, each read in its own frame, tables numbered and lines
counted across them in reading order (``pdfium_page.by_direction``); text on a slight slope is levelled
(``pdfium_page.deskewed``).  A wide table's other columns that fill one column only, drawn without lines,
join it too (``_one_column_part``).  What cannot be read is said, never parsed as garbage: a
page that is a scanned image (OCR needed) and glyphs without a Unicode mapping (``(cid:N)``, private-use characters)
are issues naming their pages; a document of scanned images only is a ReadError.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import ReadError
from ingest.grids import is_page_footer
from ingest.normalize import squash
from ingest.numbers import parse_plain
from ingest.readers import DocumentBuilder, RawText, cell_text, register

_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）])")
_CONTINUED = re.compile(r"^[（(]?续(?:表|上表|前表)?[)）]?\s*\d*$")
_FIGURE_TOKEN = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$|^-?\d{1,3}(?:,\d{3})+$")


# CJK ideographs, radicals, CJK and full-width punctuation: a space between two of them inside a table cell
# is the producer's spacing (labels spread over their cell, 分散对齐, or set with character spacing), never a
# word boundary, so it is not kept ('一 般 公 共 服 务 支 出' is 一般公共服务支出).
_CJK = "\u2e80-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")


def _unspaced(text: str) -> str:
    """A table cell's text less the spaces between two CJK characters (see _CJK)."""
    return _CJK_SPACE.sub("", text) if " " in text else text


def _is_figure(text: str) -> bool:
    """A money-like cell: decimals or thousands separators (codes and 栏次 numbers are plain integers)."""
    t = text.replace(" ", "")
    return bool(_FIGURE_TOKEN.match(t)) and parse_plain(t) is not None


def _is_body_row(texts: list[str]) -> bool:
    if any(_is_figure(t) for t in texts if t):
        return True
    first = next((squash(t) for t in texts if t), "")
    return bool(_CODE.match(first))


@dataclass
class _Piece:
    """One ruled table as pdfplumber found it on one page: the physical cell grid (None = covered)."""

    page_no: int
    table_no: int
    texts: list[list[str | None]]  # non-blank rows only
    across: list[list[bool]]  # True where a None position is covered from the left (a horizontal span)
    row_ids: list[int]  # 1-based row of each kept row in pdfplumber's grid
    col_x0: list[float]
    header_rows: int  # rows before the first body row (a figure, or a subject code first)
    top: float
    bottom: float
    right: float
    ruled: bool = True  # False: drawn without lines (a wrapped header cell is then several rows)
    lines: list[str] = field(default_factory=list)  # unruled: its text lines, prose again if it joins no table
    first_line: int = 0  # unruled: the page's line number of its first line
    col_x1: list[float] = field(default_factory=list)  # unruled: where each column's cells end at the most
    row_bounds: list[tuple[float, float, float, float]] = field(default_factory=list)  # bbox of each kept row
    grid_top: float | None = None  # ruled: the top of the whole grid (its blank rows too)
    turn: int = 0  # the frame it was read in (pdfium_page.turned): its boxes are turned back by display_box

    @property
    def ncols(self) -> int:
        return len(self.col_x0)

    def header_key(self, n: int) -> list[str]:
        return ["|".join(squash(t or "") for t in row) for row in self.texts[:n]]


def _piece(page_no: int, table_no: int, table) -> _Piece | None:
    raw = table.extract()
    rows_geo = table.rows
    ncols = max((len(r) for r in raw), default=0)
    if ncols < 2:
        return None
    texts = [[cell_text(t) if t is not None else None for t in row] + [None] * (ncols - len(row)) for row in raw]
    col_x0 = [min((r.cells[j][0] for r in rows_geo if j < len(r.cells) and r.cells[j]), default=0.0)
              for j in range(ncols)]
    keep = [i for i, row in enumerate(texts) if any(t for t in row)]
    width = table.bbox[2] - table.bbox[0]
    while keep and _is_title_row(texts[keep[0]], rows_geo[keep[0]].cells, width):
        keep.pop(0)  # a title block drawn inside the grid: left to the prose above the table
    if not keep:
        return None
    across = []
    for i in keep:
        cells = rows_geo[i].cells
        across.append([texts[i][j] is None and any(k < len(cells) and cells[k] and cells[k][2] > col_x0[j] + 0.5
                                                    for k in range(j)) for j in range(ncols)])
    kept = [texts[i] for i in keep]
    header_rows = next((n for n, row in enumerate(kept) if _is_body_row([t or "" for t in row])), len(kept))
    return _Piece(page_no, table_no, kept, across, [i + 1 for i in keep], col_x0, header_rows,
                  min(rows_geo[i].bbox[1] for i in keep), max(rows_geo[i].bbox[3] for i in keep), table.bbox[2],
                  row_bounds=[tuple(rows_geo[i].bbox) for i in keep], grid_top=table.bbox[1])


_TITLE_LABEL = re.compile(r"(?:单位|部门|编制部门|编制单位|单位名称|部门名称|预算单位)\s*[:：]|公开\s*\d+\s*表")


def _is_title_row(texts: list[str | None], cells: list, table_width: float) -> bool:
    """A row of the ruled grid that holds the table's title block (title, 部门：…, 单位：万元), not a header."""
    if _is_body_row([t or "" for t in texts]):
        return False
    filled = [(t, c) for t, c in zip(texts, cells) if t]
    if any(_TITLE_LABEL.search(t) for t, _ in filled):
        return True
    if len(filled) != 1:
        return False
    text, cell = filled[0]
    return bool(re.search(r"表$|表[（(].{0,8}[)）]$", text)) or bool(cell and cell[2] - cell[0] >= 0.6 * table_width)


def _unwrap_header(texts: list[list[str | None]], across: list, where: list, body_start: int) -> int:
    """Header cells of a table drawn without lines wrap onto the next text line, which the text-alignment
    strategy returns as another row (a row of column numbers, 栏次 '1 2 3' with or without its label, never
    is).  A header cell whose lower neighbour holds text is the same cell wrapped, unless it is a group
    label (its row is empty to its right where the row below has labels) or the lower row fills a column
    the upper row leaves empty (then it is a header row of its own).
    Joins them in place and deletes header rows left empty; returns how many rows were deleted."""
    removed = 0
    h = 0
    while h + 1 < body_start - removed:
        upper, lower = texts[h], texts[h + 1]
        numbers = [squash(t) for t in lower if t]
        if any(t == "栏次" for t in numbers) or not any(lower) \
                or (len(numbers) >= 2 and all(t.isdigit() for t in numbers)) \
                or any(b and not a for a, b in zip(upper, lower)):
            h += 1  # a row of its own: it fills a column the row above leaves empty
            continue
        for c, (a, b) in enumerate(zip(upper, lower)):
            if not (a and b):
                continue
            end = next((k for k in range(c + 1, len(upper)) if upper[k]), len(upper))
            if any(lower[k] for k in range(c + 1, end)):
                continue  # a group label over several columns
            upper[c], lower[c] = a + b, ""
        if not any(t for t in lower):
            del texts[h + 1], across[h + 1], where[h + 1]
            removed += 1
            continue
        h += 1
    return removed


def _merge_unlabelled_columns(texts: list[list[str | None]], across: list[list[bool]], body_start: int) -> int:
    """A table drawn without lines whose pages show a column's texts and its figures apart (计量单位 '%'
    left-aligned, 执行率 '77.44' right-aligned, on a page without that column's header): a column with no
    header label that no row fills beside its labelled left neighbour is that neighbour.  Joins them in
    place; returns how many columns went."""
    gone = 0
    k = 0
    while texts and k + 1 < len(texts[0]):
        head = texts[:body_start]
        if any(row[k] for row in head) and not any(row[k + 1] for row in head) \
                and not any(row[k] and row[k + 1] for row in texts):
            for row, flags in zip(texts, across):
                if row[k + 1]:
                    row[k], flags[k] = row[k + 1], False
                del row[k + 1], flags[k + 1]
            gone += 1
            continue
        k += 1
    return gone


def _rebuild(pieces: list[_Piece], part: bool = False) -> tuple[list[list[tuple[str, str]]], list[str]]:
    """The printed table from one or more pieces of the same physical grid (see the module docstring):
    rows of (text, ref) and each row's locator.  Cell texts keep no space between CJK characters (_CJK).
    `part`: the pieces print a wide table's other columns (_column_part), which may start with a column
    blank in every body row."""
    head = pieces[0]
    if head.ruled:
        ncols = head.ncols
        maps = [_column_map(head.col_x0, piece) for piece in pieces]
    else:  # each page of a table drawn without lines shows only the columns it fills: their union
        spans = [(a, b) for a, b in zip(head.col_x0, head.col_x1)]
        maps = []
        for piece in pieces:
            cols = []
            for a, b in zip(piece.col_x0, piece.col_x1):
                k = max(range(len(spans)), key=lambda k: _overlap(spans[k], (a, b)))
                if _overlap(spans[k], (a, b)) <= 0:
                    spans.append((a, b))
                    k = len(spans) - 1
                cols.append(k)
            maps.append(cols)
        rank = {k: n for n, k in enumerate(sorted(range(len(spans)), key=lambda k: spans[k][0]))}
        maps = [[rank[k] for k in cols] for cols in maps]
        ncols = len(spans)
    texts: list[list[str | None]] = []
    across: list[list[bool]] = []
    where: list[tuple[int, int, int]] = []  # (page, table on page, row) of each physical row
    for n, piece in enumerate(pieces):
        skip = _repeated_header(head, piece) if n else 0
        cols = maps[n]
        for row, flags, row_id in list(zip(piece.texts, piece.across, piece.row_ids))[skip:]:
            full: list[str | None] = [None] * ncols
            full_flags = [True] * ncols  # head columns the piece does not divide are spanned from the left
            for j, t in enumerate(row):
                full[cols[j]] = t if full[cols[j]] is None else f"{full[cols[j]] or ''} {t or ''}".strip()
                full_flags[cols[j]] = flags[j]
            texts.append(full)
            across.append(full_flags)
            where.append((piece.page_no, piece.table_no, row_id))
    body_start = head.header_rows
    if len(pieces) > 1 and head.header_rows == len(head.texts):  # the header ended the page: its rest starts the next
        body_start += max(0, pieces[1].header_rows - _repeated_header(head, pieces[1]))
    if not head.ruled:
        ncols -= _merge_unlabelled_columns(texts, across, body_start)
        body_start -= _unwrap_header(texts, across, where, body_start)
    body = texts[body_start:] or texts
    bounds = sorted({j for row in body for j, t in enumerate(row) if t})
    if not bounds:
        bounds = sorted({j for row in texts for j, t in enumerate(row) if t})
    if part:  # a header label left of every body text beside another label over the first body column, in one
        # header row: a column of its own, blank in the body (elsewhere the start of a label over both)
        first = slice(bounds[0], bounds[1] if len(bounds) > 1 else None)
        lead = min((j for row in texts[:body_start] if any(row[first]) for j, t in enumerate(row[:bounds[0]]) if t),
                   default=None)
        if lead is not None:
            bounds.insert(0, lead)
    group = _spanned_columns(bounds, texts, across, body_start)

    def owner(j: int) -> int:
        b = max((b for b in bounds if b <= j), default=bounds[0])
        return group.get(b, b)

    for row in texts[:body_start]:  # two header labels in one column: the second starts a column
        seen: set[int] = set()
        for j, t in enumerate(row):
            if t:
                b = owner(j)
                if b in seen and j not in bounds:
                    bounds.append(j)
                    bounds.sort()
                    b = j
                seen.add(b)
    starts = sorted({owner(b) for b in bounds})
    index = {b: n for n, b in enumerate(starts)}
    width = len(starts)
    logical: list[list[list]] = []  # per row, per column: [text, ref, covered from above]
    for row, flags, (page_no, table_no, row_id) in zip(texts, across, where):
        out: list[list] = [["", None, True] for _ in range(width)]
        for j in range(ncols):
            t = row[j]
            cell = out[index[owner(j)]]
            if t is None:
                if flags[j]:
                    cell[2] = False
                continue
            cell[2] = False
            if t:
                cell[0] = f"{cell[0]} {t}" if cell[0] else t
        for c, cell in enumerate(out):
            cell[1] = f"p{page_no} T{table_no} R{row_id} C{c + 1}"
        logical.append(out)
    # A table drawn without lines has no vertical spans: a label wrapped onto a second text line is a row of
    # its own holding that one word.  In a table whose body rows start with subject codes (a row of the
    # table has a code or figures) it is part of the label of the body row it lies nearer to: the end of the
    # label above, or, when the row's texts are centred vertically, the start of the label below.
    firsts = [next((squash(c[0]) for c in row if c[0]), "") for row in logical[body_start:]]
    coded = not head.ruled and 2 * sum(bool(_CODE.match(t)) for t in firsts) >= len(firsts) > 0
    top_of = {(p.page_no, p.table_no, r): b[1] for p in pieces for r, b in zip(p.row_ids, p.row_bounds)}

    def nearer_below(n: int) -> bool:
        """Is row n clearly nearer the row below it than the row above (both on its page)?  Line tops differ
        by a point between digits and CJK characters: equal distances stay equal."""
        if n + 1 >= len(logical) or where[n + 1][:2] != where[n][:2] or where[n - 1][:2] != where[n][:2]:
            return False
        above, at, below = (top_of[where[k]] for k in (n - 1, n, n + 1))
        return below - at < 0.75 * (at - above)

    merged: list[list[list]] = []
    locators: list[str] = []
    carry: tuple[int, str] | None = None  # (column, start of a label) for the next row
    for n, row in enumerate(logical):
        if carry is not None:
            row[carry[0]][0] = carry[1] + row[carry[0]][0]
            carry = None
        if merged and coded and n >= body_start and n + 1 < len(logical):
            words = [(c, b[0]) for c, b in enumerate(row) if b[0]]
            if len(words) == 1 and not (_is_figure(words[0][1]) or _CODE.match(words[0][1])
                                        or _ENUMERATOR.match(words[0][1])) \
                    and _is_body_row([b[0] for b in logical[n + 1]]) and nearer_below(n):
                carry = words[0]
                continue
        if merged:
            prev = merged[-1]
            clash = any(a[0] and b[0] for a, b in zip(prev, row))
            spanned = any(b[2] and a[0] for a, b in zip(prev, row))
            if not clash and spanned:  # rows that complement each other across a vertical span
                for a, b in zip(prev, row):
                    if b[0]:
                        a[0], a[1] = b[0], b[1]
                    a[2] = a[2] and b[2]
                continue
            words = [(c, b[0]) for c, b in enumerate(row) if b[0]]
            wrapped = coded and len(words) == 1 and prev[words[0][0]][0] and not _is_figure(prev[words[0][0]][0]) \
                and _is_body_row([a[0] for a in prev])
            if (n >= body_start and words and (any(b[2] for b in row) or wrapped)
                    and all(len(w) <= 6 and not _is_figure(w) and not _ENUMERATOR.match(w)
                            and not _CODE.match(w) and prev[c][0] for c, w in words)):
                for c, w in words:  # the end of a label broken over two grid rows
                    prev[c][0] += w
                continue
        merged.append(row)
        page_no, table_no, row_id = where[n]
        locators.append(f"p{page_no} T{table_no} R{row_id}")
    body = next((n for n, row in enumerate(merged) if _is_body_row([c[0] for c in row])), len(merged))
    n = body + 1
    while n < len(merged):  # a row that starts with the ends of the labels above it belongs to that row
        prev, row = merged[n - 1], merged[n]
        ends = [c for c, b in enumerate(row) if b[0] and prev[c][0] and _is_label_end(b[0])]
        rest_clash = any(b[0] and prev[c][0] for c, b in enumerate(row) if c not in ends)
        if ends and not rest_clash:
            for c, (a, b) in enumerate(zip(prev, row)):
                if c in ends:
                    a[0] += b[0]
                elif b[0]:
                    a[0], a[1] = b[0], b[1]
            del merged[n], locators[n]
            continue
        n += 1
    return [[(_unspaced(c[0]), c[1]) for c in row] for row in merged], locators


def _spanned_columns(bounds: list[int], texts: list[list[str | None]], across: list[list[bool]],
                     body_start: int) -> dict[int, int]:
    """Column starts that are one printed column: start → the start of its column.

    A converter that draws every cell as its own box can give one printed column different boxes on
    different rows — a 类 row's amount in a narrow box with padding boxes beside it, a 款 row's amount in
    one wide box over all three.  A start k belongs to an earlier start j when every body cell starting at
    k lies inside a body cell starting at j (same box edges or narrower) and no row prints text at both.
    A label spanning two real columns (合计 over a code and a name column) does not contain the cells of
    the column it reaches into, so those stay two columns.
    """
    spans: dict[int, list[tuple[int, int]]] = {b: [] for b in bounds}  # start → (row, end) of its body cells
    for r in range(body_start, len(texts)):
        row, flags = texts[r], across[r]
        for j, t in enumerate(row):
            if t and j in spans:
                end = j + 1
                while end < len(row) and row[end] is None and flags[end]:
                    end += 1
                spans[j].append((r, end))
    group = {b: b for b in bounds}
    for k in bounds:
        for j in reversed([b for b in bounds if b < k]):
            wide = [end for _, end in spans[j] if end > k]
            if not wide or not spans[k] or any(end > max(wide) for _, end in spans[k]):
                continue
            rows_j = {r for r, row in enumerate(texts) if any(row[m] for m in range(j, k))}
            if any(texts[r][k] for r in rows_j):
                continue  # a row prints text in both: two columns
            group[k] = group[j]
            break
    return group


def _is_label_end(text: str) -> bool:
    """One to three characters ending a label broken over two grid rows ('算', '费', '支出')."""
    return len(text) <= 3 and not _is_figure(text) and not _ENUMERATOR.match(text) and not _CODE.match(text) \
        and not text.isdigit()


@dataclass
class _Page:
    page_no: int
    blocks: list = field(default_factory=list)  # (top, "line", text, bbox) | (top, "table", _Piece, None), in reading order
    scanned: bool = False  # an image of a page without its text (see _is_scanned)
    unmapped: int = 0  # characters without a Unicode mapping (see _unmapped)
    turn: int = 0  # the page's text runs turned this far (counter-clockwise) and was read upright (pdfium_page.turned)
    displayed: tuple[float, float] = (0.0, 0.0)  # width, height of the page as displayed

    def display_box(self, box: tuple, turn: int) -> tuple:
        """A box of the frame a table was read in (turned `turn`), on the displayed page (where a crop is cut)."""
        if not turn:
            return box
        from ingest.readers.pdfium_page import display_box

        return display_box(box, turn, *self.displayed)


# A page is a scanned image when images cover at least half of it and fewer printed characters than
# _SCANNED_CHARS lie over them (its running header, page number or a stamp are typed beside or over the
# scan; an OCRed scan has its text over the image).  A page of _TEXT_PAGE characters or more is text.
_SCANNED_CHARS = 20
_TEXT_PAGE = 300
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010fffd]")


def _is_scanned(page, chars: list[dict]) -> bool:
    """Is `page` (pdfplumber's or PdfiumPage) an image of a page: images over half its area, fewer than
    _SCANNED_CHARS characters of text over them?"""
    if len(chars) >= _TEXT_PAGE:
        return False
    images = [(max(i["x0"], 0), max(i["top"], 0), min(i["x1"], page.width), min(i["bottom"], page.height))
              for i in page.images]
    if sum(max(0.0, x1 - x0) * max(0.0, y1 - y0) for x0, y0, x1, y1 in images) < 0.5 * page.width * page.height:
        return False
    over = sum(1 for c in chars if c["text"].strip() and any(
        x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and y0 <= (c["top"] + c["bottom"]) / 2 <= y1 for x0, y0, x1, y1 in images))
    return over < _SCANNED_CHARS


def _unmapped(chars: list[dict]) -> int:
    """How many characters of a page have no Unicode mapping: U+FFFD (a glyph of a font without a ToUnicode
    map: pdfminer's ``(cid:N)``, made U+FFFD by _pages_pdfplumber, or pdfium's raw code) and private-use characters
    inside a word.  A private-use character standing alone (a Symbol/Wingdings bullet, U+F0B7) is a mark,
    not unreadable text."""
    text = "".join(c["text"] for c in chars)
    if "\ufffd" not in text and not _PRIVATE_USE.search(text):
        return 0
    bad = [c for c in chars if c["text"] == "\ufffd"]
    private = [c for c in chars if _PRIVATE_USE.match(c["text"])]
    if len(private) > 50:  # a whole font of them
        return len(bad) + len(private)

    def touches(c: dict) -> bool:
        size = c.get("size") or (c["bottom"] - c["top"])
        mid = (c["top"] + c["bottom"]) / 2
        return any(o is not c and o["text"].strip() and o["top"] <= mid <= o["bottom"]
                   and -0.5 < max(o["x0"] - c["x1"], c["x0"] - o["x1"]) < 0.25 * size for o in chars)

    return len(bad) + sum(1 for c in private if touches(c))


# Two characters of one cell lie closer than half the font size (a word space is about a fifth of it); the
# cells of a row drawn without lines are further apart (a converter pads every column).
_CELL_GAP = 0.5
_NUMBER_CELL = re.compile(r"^[-—]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")


def _segments(line: dict) -> list[tuple[float, float, str]]:
    """A text line (pdfplumber's ``extract_text_lines`` with its chars) cut into runs of text at every gap
    wider than _CELL_GAP × the font size: (x0, x1, text) per run, left to right.  A prose line is one run;
    a row of a table drawn without lines is one run per filled cell.  A printed number is never cut (its
    digits touch)."""
    runs: list[list] = []
    last = None
    for c in sorted((c for c in line["chars"] if c["text"].strip()), key=lambda c: c["x0"]):
        size = c.get("size") or (c["bottom"] - c["top"])
        gap = c["x0"] - last["x1"] if last else None
        if gap is not None and gap <= _CELL_GAP * size:
            runs[-1][1] = max(runs[-1][1], c["x1"])
            runs[-1][2] += (" " if gap > 0.15 * size else "") + c["text"]
        else:
            runs.append([c["x0"], c["x1"], c["text"]])
        last = c
    return [(x0, x1, text) for x0, x1, text in runs]


def _table_bands(lines: list[dict]) -> list[list[tuple[dict, list]]]:
    """The vertical extents of tables drawn without lines: runs of consecutive text lines cut into two or
    more cells (see _segments), holding numbers and at least two lines of three or more cells.  Prose
    lines (one run of text) bound them, except a one-cell line between two table lines at the table's line
    pitch that is not a table title (a row with only its label filled).  Each band is its lines with
    their cells, top to bottom."""
    rows = [(line, _segments(line)) for line in lines]
    multi = [len(segs) >= 2 for _, segs in rows]
    for i in range(1, len(rows) - 1):
        if multi[i] or not (multi[i - 1] and multi[i + 1]) or _TITLE_CELL.search(squash(rows[i][0]["text"])):
            continue
        above, below = rows[i][0]["top"] - rows[i - 1][0]["top"], rows[i + 1][0]["top"] - rows[i][0]["top"]
        if max(above, below) <= 1.3 * min(above, below):
            multi[i] = True
    _join_half_rows(rows, multi)
    _join_figure_rows(rows, multi)
    bands, run = [], []
    for n, (row, is_multi) in enumerate(zip(rows + [None], multi + [False])):
        if is_multi:
            run.append(row)
            continue
        wide = sum(len(segs) >= 3 for _, segs in run)
        numbers = any(_NUMBER_CELL.match(t.replace(" ", "")) for _, segs in run for _, _, t in segs)
        ends_page = all(is_page_footer(line["text"]) for line, _ in rows[n:])
        if (wide >= 2 and numbers) or (wide == len(run) == 1 and any(_is_figure(t) for _, _, t in run[0][1])) \
                or (wide and ends_page):
            bands.append(run)  # one line: the last row of a table continued from the previous page, or prose;
        run = []               # ending the page: a header whose body is on the next page
    return bands


def _join_half_rows(rows: list[tuple[dict, list]], multi: list[bool]) -> None:
    """A header whose cells are merged over two or three rows prints each label in the middle of its rows:
    its text lines lie closer than a line's own height (they overlap), one label per line.  A line that close
    to a table line is a table line too (in place in `multi`), and so on along the chain; a title block
    line (_TITLE_CELL) never is.  Lines of prose, at least a line height apart, are left alone.  So is a
    line between two table lines half a row from one of them (a wrapped label beside centred cells)."""
    def close(a: dict, b: dict) -> bool:
        return abs(b["top"] - a["top"]) < 0.95 * min(a["bottom"] - a["top"], b["bottom"] - b["top"])

    changed = True
    while changed:
        changed = False
        for i, (line, _) in enumerate(rows):
            if multi[i] or _TITLE_CELL.search(squash(line["text"])):
                continue
            if any(0 <= j < len(rows) and multi[j] and close(line, rows[j][0]) for j in (i - 1, i + 1)):
                multi[i] = changed = True
    # A one-line cell centred beside a label wrapped over two lines: the label's lines lie half a row above
    # and below the row's figures, between two table lines a row apart (the table's row pitch, the median
    # distance of consecutive table lines).
    pitches = sorted(rows[i + 1][0]["top"] - rows[i][0]["top"] for i in range(len(rows) - 1)
                     if multi[i] and multi[i + 1])
    if not pitches:
        return
    pitch = pitches[len(pitches) // 2]
    for i in range(1, len(rows) - 1):
        if multi[i] or not (multi[i - 1] and multi[i + 1]) or _TITLE_CELL.search(squash(rows[i][0]["text"])):
            continue
        above, below = rows[i][0]["top"] - rows[i - 1][0]["top"], rows[i + 1][0]["top"] - rows[i][0]["top"]
        if min(above, below) < 0.6 * pitch and max(above, below) < 1.3 * pitch:
            multi[i] = True


def _join_figure_rows(rows: list[tuple[dict, list]], multi: list[bool]) -> None:
    """A row of a table drawn without lines that prints one figure and no label is a text line of one
    cell (a page continuing a wide table by columns prints no row labels; rows blank in its columns are
    not printed at all).  A line holding only a figure right below a table line is a table line too (in
    place in `multi`), and so on down the chain, when it lies within 2.5 line heights of the line above
    or a whole number of row pitches below it (the smallest distance of two table lines in the chain)."""
    pitch = None
    for i in range(1, len(rows)):
        if not multi[i - 1]:
            pitch = None
            continue
        d = rows[i][0]["top"] - rows[i - 1][0]["top"]
        if multi[i]:
            pitch = d if pitch is None or 0 < d < pitch else pitch
            continue
        segs = rows[i][1]
        if len(segs) != 1 or not _is_figure(segs[0][2]) or d <= 0:
            continue
        height = rows[i][0]["bottom"] - rows[i][0]["top"]
        steps = d / pitch if pitch else 0
        if d <= 2.5 * height or (steps >= 0.85 and abs(steps - round(steps)) <= 0.15):
            multi[i] = True
            pitch = d if pitch is None or d < pitch else pitch


def _band_piece(page_no: int, table_no: int, band: list[tuple[dict, list]]) -> _Piece | None:
    """One table drawn without lines, from its band (see _table_bands), as a _Piece.

    Columns are the x extents of the body rows' cells (from the first row holding a figure or starting
    with a subject code), overlapping extents merged: this holds for left-, right- or centre-aligned
    columns alike.  A header cell over no body column (a column left empty in every row) adds its own
    column; a header cell over several columns is written in the first and spans the others (None)."""
    band = _join_spread_runs(band)
    texts_of = [[t for _, _, t in segs] for _, segs in band]
    body_from = next((i for i, row in enumerate(texts_of) if _is_body_row(row)), None)
    if body_from is None:  # a table of plain integers (scores, counts): from its first row holding one
        body_from = next((i for i, row in enumerate(texts_of) if squash(row[0]) != "栏次"
                          and any(_NUMBER_CELL.match(t.replace(" ", "")) for t in row)), None)
    base = band[body_from:] if body_from is not None else [max(band, key=lambda row: len(row[1]))]
    if body_from is None:  # a header ending the page: its columns are those of its most divided row
        body_from = len(band)
    cols: list[list[float]] = []
    for x0, x1, _ in sorted(seg for _, segs in base for seg in segs):
        if cols and x0 <= cols[-1][1]:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    band = [(line, _join_spread_word(segs, cols)) for line, segs in band]
    for _, segs in band:
        for x0, x1, _ in segs:
            if not any(min(x1, b) > max(x0, a) for a, b in cols):
                cols.append([x0, x1])
    cols.sort()
    _merge_mixed_columns(cols, band, body_from)
    if len(cols) < 2:
        return None
    texts: list[list[str | None]] = []
    across: list[list[bool]] = []
    for _, segs in band:
        row: list[str | None] = [""] * len(cols)
        flags = [False] * len(cols)
        for x0, x1, text in segs:
            owned = _owned_columns(cols, x0, x1)
            first = owned[0]
            row[first] = f"{row[first]} {text}" if row[first] else text
            for j in owned[1:]:
                if not row[j]:
                    row[j], flags[j] = None, True
        texts.append(row)
        across.append(flags)
    lines = [line for line, _ in band]
    piece = _Piece(page_no, table_no, texts, across, list(range(1, len(band) + 1)), [a for a, _ in cols],
                   body_from, min(line["top"] for line in lines), max(line["bottom"] for line in lines),
                   max(b for _, b in cols), ruled=False, lines=[line["text"] for line in lines],
                   col_x1=[b for _, b in cols], row_bounds=[_bbox(line) for line in lines])
    return piece


_ONE_CJK = re.compile(f"[{_CJK}]")
# A single character that may be one of a spread word's: anything but a digit, a letter or a figure's sign.
_SPREAD_CHAR = re.compile(r"[^0-9A-Za-z.,+\-\s]")
# Gaps of a word spread over its cell (分散对齐) are equal: the producer adds the same spacing after every
# character (measured: equal to 0.01 pt with pdfium's loose, advance-wide glyph boxes).  The padding
# between two cells can come close to a spread gap (0.7 pt apart in a generated 公开06表), so the
# tolerance is tight and the column starts decide (see _join_spread_runs).
_SPREAD_GAP_TOLERANCE = 0.3
_SPREAD_START_TOLERANCE = 1.0  # how far two texts starting one column may lie apart (points)


def _join_spread_runs(band: list[tuple[dict, list]]) -> list[tuple[dict, list]]:
    """A word spread over its cell (分散对齐: '绩    效    指    标') in any row of a table drawn without lines
    is cut by _segments into single characters: consecutive single-character segments (_SPREAD_CHAR)
    spaced evenly (gaps equal within _SPREAD_GAP_TOLERANCE) are one word, up to where a cell of the table
    starts.  Cells that start where another cell starts are known from the other rows: a column's start
    is an x where texts of different widths start (left-aligned texts and figures; right-aligned ones
    share their ends), and a column of figures is the x extent of the band's number cells (merged where
    they overlap).  A character at a column start, or over a column of figures other than the one the
    word lies over, begins the next word ('科目代码' and '科目名称', or '服务对象满意度' and '正', spread in
    neighbouring cells whose gaps happen to match; 类 款 项 over the code columns stay three labels);
    characters over no column belong to the word they follow (a header spread over a column whose
    figures are right-aligned under its last characters).  Returns the band with the runs joined (x0 of
    the first, x1 of the last character)."""
    def single(seg) -> bool:
        return len(seg[2]) == 1 and bool(_SPREAD_CHAR.match(seg[2]))

    texts = sorted((seg[0], seg[1]) for _, segs in band for seg in segs if not single(seg))
    starts: list[float] = []  # x0 of a column start, where texts of different widths start
    k = 0
    while k < len(texts):
        end = k
        while end + 1 < len(texts) and texts[end + 1][0] - texts[k][0] <= _SPREAD_START_TOLERANCE:
            end += 1
        ends = [x1 for _, x1 in texts[k:end + 1]]
        if max(ends) - min(ends) > _SPREAD_START_TOLERANCE:
            starts.append(texts[k][0])
        k = end + 1
    starts += [seg[0] for _, segs in band for seg in segs  # labels start at their cells' starts
               if not single(seg) and not _NUMBER_CELL.match(seg[2].replace(" ", ""))]
    # (x0, x1) of every text: a figure starting where a character does, not as wide as it; but a figure
    # right-aligned in its column (another figure ends where it ends and starts elsewhere) starts wherever its
    # width puts it: no column starts there
    numbers = sorted(((x0, x1) for _, segs in band for x0, x1, t in segs if _NUMBER_CELL.match(t.replace(" ", ""))),
                     key=lambda n: n[1])
    right = set()
    lo = 0
    for a, b in numbers:  # the figures ending within the tolerance of this one's end: a window of the sorted ends
        while numbers[lo][1] < b - _SPREAD_START_TOLERANCE:
            lo += 1
        hi = lo
        while hi < len(numbers) and numbers[hi][1] <= b + _SPREAD_START_TOLERANCE:
            if abs(numbers[hi][0] - a) > _SPREAD_START_TOLERANCE:
                right.add((a, b))
                break
            hi += 1
    anchors = [t for t in texts if t not in right]
    figures: list[list[float]] = []
    for x0, x1, _ in sorted(seg for _, segs in band for seg in segs if _NUMBER_CELL.match(seg[2].replace(" ", ""))):
        if figures and x0 <= figures[-1][1]:
            figures[-1][1] = max(figures[-1][1], x1)
        else:
            figures.append([x0, x1])

    def words(run: list, body: bool) -> list:
        out: list = []
        column = None  # the column of figures the word being built lies over (body rows)
        for x0, x1, text in run:
            over = next((n for n, (a, b) in enumerate(figures) if min(x1, b) > max(x0, a)), None) if body else None
            # (a right-aligned figure as wide as the character, two digits, may start where a spread word's last
            # character does: it ends there too)
            at_start = any(abs(x0 - x) <= _SPREAD_START_TOLERANCE for x in starts) or any(
                abs(x0 - a) <= _SPREAD_START_TOLERANCE < abs(x1 - b) for a, b in anchors)
            if out and not at_start and (over is None or column is None or over == column):
                out[-1] = (out[-1][0], x1, out[-1][2] + text)
                column = over if column is None else column
            else:
                out.append((x0, x1, text))
                column = over
        return out

    joined_band = []
    for line, segs in band:
        body = any(_NUMBER_CELL.match(t.replace(" ", "")) for _, _, t in segs)
        joined: list = []
        run: list = []
        for seg in segs + [None]:
            one = seg is not None and single(seg)
            if one and run and (len(run) < 2 or abs((seg[0] - run[-1][1]) - (run[1][0] - run[0][1]))
                                <= _SPREAD_GAP_TOLERANCE):
                run.append(seg)
                continue
            joined.extend(words(run, body or len(run) == 2) if len(run) >= 2 else run)
            run = [seg] if one else []
            if seg is not None and not one:
                joined.append(seg)
        joined_band.append((line, joined))
    return joined_band


def _join_spread_word(segs: list[tuple[float, float, str]], cols: list[list[float]]) -> list:
    """A label spread over its cell (分散对齐: '项    目') is cut by _segments into single characters: a
    single CJK character over no column of the body rows (`cols`) is the end of the single characters
    before it on its line, one word.  Single-character labels over columns of their own (类 款 项 over
    the code columns) stay apart."""
    out: list[tuple[float, float, str]] = []
    spread = False  # out[-1] is one or more single characters
    for x0, x1, text in segs:
        single = len(text) == 1 and bool(_ONE_CJK.match(text))
        if single and out and spread and not any(min(x1, b) > max(x0, a) for a, b in cols):
            out[-1] = (out[-1][0], x1, out[-1][2] + text)
            continue
        out.append((x0, x1, text))
        spread = single
    return out


def _owned_columns(cols: list[list[float]], x0: float, x1: float) -> list[int]:
    """The columns a cell printed from x0 to x1 lies over: the one it overlaps most, and any other it
    covers for 30% of the narrower of the two."""
    overlap = [min(x1, b) - max(x0, a) for a, b in cols]
    best = max(range(len(cols)), key=lambda j: overlap[j])
    return [j for j, o in enumerate(overlap)
            if o > 0 and (j == best or o >= 0.3 * min(x1 - x0, cols[j][1] - cols[j][0]))] or [best]


def _merge_mixed_columns(cols: list[list[float]], band: list[tuple[dict, list]], header_rows: int) -> None:
    """Join neighbouring column extents that are one printed column with texts left-aligned and figures
    right-aligned (计量单位 '%' and 执行率 '92.20' in one column of a 绩效自评表): no row fills both apart,
    and some row has one cell over both (its header), or the right one has no header label (the header is
    printed over the left-aligned texts).  Distinct columns have their own header labels."""
    k = 0
    while k + 1 < len(cols):
        bridged = apart = False
        labelled = header_rows == 0
        for n, (_, segs) in enumerate(band):
            owners = [_owned_columns(cols, x0, x1) for x0, x1, _ in segs]
            bridged = bridged or any(k in own and k + 1 in own for own in owners)
            apart = apart or (any(k in own and k + 1 not in own for own in owners)
                              and any(k + 1 in own and k not in own for own in owners))
            labelled = labelled or (n < header_rows and any(k + 1 in own for own in owners))
        if (bridged or not labelled) and not apart:
            cols[k:k + 2] = [[cols[k][0], max(cols[k][1], cols[k + 1][1])]]
            continue
        k += 1


def _read_page(page, page_no: int) -> _Page:
    from ingest.readers.pdfium_page import by_direction, turned

    displayed = (page.width, page.height)
    parts = by_direction(page)  # upright prose beside a turned table: each region read in its own frame
    frames = [turned(part) for part in parts]  # a page drawn turned without /Rotate is read in its text's frame
    if len(frames) == 1:
        page, turn = frames[0]
    else:
        turn = frames[0][1]
    chars = page.chars
    scanned = _is_scanned(page, chars)
    unmapped = _unmapped(chars)
    blocks: list = []
    tables = 0
    for part, part_turn in frames:
        found = _frame_blocks(part, page_no, tables, part_turn, displayed)
        tables += sum(1 for b in found if b[1] == "table")
        blocks += found
    return _Page(page_no, blocks, scanned, unmapped, turn, displayed)


def _frame_blocks(page, page_no: int, tables: int, turn: int, displayed: tuple[float, float]) -> list:
    """The blocks of a page, or of a region of a page read in its text's frame (`turn`, see
    pdfium_page.turned; `tables` numbered before it on the page), in reading order: (top, "line", text,
    box on the displayed page) and (top, "table", _Piece, None)."""
    from ingest.readers.pdfium_page import deskewed, display_box, stand_up_labels

    page = stand_up_labels(deskewed(page))  # text on a slight slope levelled; vertical header labels: words
    pieces: list[_Piece] = []
    for table in page.find_tables():
        piece = _piece(page_no, tables + len(pieces) + 1, table)
        if piece is not None:
            pieces.append(piece)
    lines = None
    if not pieces:
        lines = page.extract_text_lines(return_chars=True)
        for band in _table_bands(lines):
            piece = _band_piece(page_no, tables + len(pieces) + 1, band)
            if piece is not None:
                pieces.append(piece)
    if pieces:
        bands = [(p.top - 0.5, p.bottom + 0.5) for p in pieces]

        def outside(obj) -> bool:
            if obj.get("object_type") != "char":
                return True
            mid = (obj["top"] + obj["bottom"]) / 2
            return not any(top <= mid <= bottom for top, bottom in bands)

        lines = page.filter(outside).extract_text_lines()
    for piece in pieces:
        piece.turn = turn
    blocks = [(line["top"], "line", line["text"], display_box(_bbox(line), turn, *displayed)) for line in lines] + \
        [(p.top, "table", p, None) for p in pieces]
    return sorted(blocks, key=lambda b: b[0])


def _bbox(obj: dict) -> tuple[float, float, float, float]:
    return obj["x0"], obj["top"], obj["x1"], obj["bottom"]


def _edges(page: _Page) -> list:
    """The page's first and last blocks when they are text lines (where running headers and footers sit)."""
    if not page.blocks:
        return []
    ends = [page.blocks[0]] if page.blocks[0] is page.blocks[-1] else [page.blocks[0], page.blocks[-1]]
    return [b for b in ends if b[1] == "line"]


def _running_lines(pages: list[_Page]) -> set[str]:
    """Texts printed as the first or last line of many pages (running headers/footers), digits masked."""
    counts: Counter[str] = Counter()
    for page in pages:
        for block in _edges(page):
            counts[re.sub(r"\d+", "#", squash(block[2]))] += 1
    threshold = max(3, len(pages) // 2)
    return {key for key, n in counts.items() if n >= threshold}


def _pages_pdfium(data: bytes) -> list[_Page]:
    """All pages read with pdfium (see ingest.readers.pdfium_page); raises on anything it does not support."""
    import pypdfium2 as pdfium

    from ingest.readers.pdfium_page import PdfiumPage

    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for page_no in range(1, len(document) + 1):
            page = PdfiumPage(document[page_no - 1])
            pages.append(_read_page(page, page_no))
            page.close()
        return pages
    finally:
        document.close()


def _pages_pdfplumber(path: Path, data: bytes) -> list[_Page]:
    try:
        import pdfplumber

        pdf = pdfplumber.open(io.BytesIO(data))
        pages_list = pdf.pages
    except Exception as exc:  # noqa: BLE001
        if re.search(rb"/Encrypt\b", data):
            raise ReadError(str(path), "encrypted PDF: it cannot be opened without its password", place="document",
                            hint="ask the publisher for an unprotected copy or decrypt it first") from None
        raise ReadError(str(path), f"not a readable PDF file: {type(exc).__name__} {exc}".strip(),
                        place="byte 0") from None
    pages: list[_Page] = []
    with pdf:
        try:
            for page_no, page in enumerate(pages_list, start=1):
                for c in page.chars:  # pdfminer's text of a glyph without a Unicode mapping, as pdfium's
                    if c["text"].startswith("(cid:"):
                        c["text"] = "\ufffd"
                pages.append(_read_page(page, page_no))
                page.close()
        except Exception as exc:  # noqa: BLE001
            what = "encrypted PDF: its text cannot be decrypted" if re.search(rb"/Encrypt\b", data) else \
                f"unreadable page: {type(exc).__name__} {exc}".strip()
            raise ReadError(str(path), what, place=f"page {len(pages) + 1}") from None
    return pages


BACKENDS = ("pdfium", "pdfplumber")


@register(".pdf", format="pdf")
def read_pdf(path: Path, data: bytes, backend: str = "pdfium", geometry: dict | None = None) -> RawText:
    """PDF bytes → RawText: prose lines located ``p3 L12``, tables as grids with cells ``p10 T1 R5 C3``.

    Pages are read with pdfium (fast) and, when it cannot read a document (or `backend` is
    "pdfplumber"), with pdfplumber/pdfminer; the table and text algorithms are pdfplumber's either way.
    `geometry`, when given, receives where each locator was printed, in PDF points from the page's top left:
    ``"p3 L12"`` → the line's (x0, top, x1, bottom), ``"p10 T1 R5"`` → the table row's (juesuan/pdfcrop.py).
    An encrypted PDF whose user password is empty (an owner password only) opens and reads as any other.
    Pages read but not understood are `issues` of the document, its other pages being read: pages that
    are scanned images (no text layer: OCR needed) and pages whose text has glyphs without a Unicode
    mapping (a font without ToUnicode, private-use characters; see _unmapped).
    Scanned pages are read by OCR (ingest.readers.ocr; off with JUESUAN_OCR=0): the document says which
    pages were (a note, RawText.notes), their figures are marked as read by OCR (RawText.ocr_pages) and
    figures read with low confidence are named for rejection (RawText.doubtful), never loaded.
    Raises ReadError for a file that cannot be opened, an encrypted PDF, or one with no text layer (a
    scanned document names its image pages).
    """
    pages = None
    if backend == "pdfium":
        try:
            pages = _pages_pdfium(data)
        except Exception:  # noqa: BLE001 - pdfplumber reads it, or names the error
            pages = None
    if pages is None:
        pages = _pages_pdfplumber(path, data)
    scans = _read_scans(data, pages)
    where = geometry if geometry is not None else {}
    raw = _assemble(pages, where)
    scanned = [p.page_no for p in pages if p.scanned]
    if scans is not None:
        scans.report(raw, where)
    if not any(line.strip() for line in raw.lines):
        if scanned:
            raise ReadError(str(path), f"PDF has no text layer: scanned images on page {_page_list(scanned)}",
                            place="all pages", hint="run OCR before ingesting")
        raise ReadError(str(path), "PDF has no text layer", place="all pages", hint="run OCR before ingesting")
    if scanned:
        why = f"OCR not done: {scans.stopped}" if scans is not None and scans.stopped else "OCR needed"
        raw.issues.append((f"page {scanned[0]}",
                           f"page {_page_list(scanned)}: no text layer (scanned image), {why}; the other "
                           f"pages were read"))
    unreadable = [p for p in pages if p.unmapped]
    if unreadable:
        raw.issues.append((f"page {unreadable[0].page_no}",
                           f"page {_page_list([p.page_no for p in unreadable])}: "
                           f"{sum(p.unmapped for p in unreadable)} characters without a Unicode mapping (a font "
                           f"without ToUnicode, or private-use glyphs): that text cannot be read"))
    return raw


def _read_scans(data: bytes, pages: list[_Page]):
    """The scanned pages of `pages` read by OCR (ingest.readers.ocr), each replaced in place by the page its
    text makes; returns the ocr.Scans of the document (what was read, what was not and why), or None when
    no page is a scan or OCR is off (JUESUAN_OCR=0)."""
    from ingest.readers import ocr

    if not any(p.scanned for p in pages) or not ocr.enabled():
        return None
    return ocr.read_scans(data, pages, _read_page)


def _page_list(numbers: list[int]) -> str:
    """Page numbers as printed in a message: runs joined ("2, 4–6")."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _assemble(pages: list[_Page], geometry: dict | None = None) -> RawText:
    running = _running_lines(pages)
    out = DocumentBuilder("pdf")
    pending: list[_Piece] = []  # pieces of the table being continued
    columns: list[list[_Piece]] = []  # its other columns printed on the pages after it: a group of pieces per column range
    recent: list[str] = []  # prose since the last table: the title block of the next one
    title: list[str] = []  # the pending table's title block
    held: list[tuple] = []  # prose printed under the pending table on its page (注：…): after it, once it is whole
    issues: list[tuple[str, str]] = []
    where = geometry if geometry is not None else {}
    by_no = {page.page_no: page for page in pages}

    def prose(text: str, ref: str, bbox) -> None:
        out.prose(text, ref)
        recent.append(squash(text))
        where[ref] = bbox

    def flush() -> None:
        if not pending:
            return
        head = pending[0]
        if len(pending) == 1 and not head.ruled and head.header_rows == len(head.texts):
            for k, text in enumerate(head.lines):  # aligned lines ending a page that no table continues: prose
                prose(text, f"p{head.page_no} L{head.first_line + k}",
                      by_no[head.page_no].display_box(head.row_bounds[k], head.turn))
            pending.clear()
            return
        rows, locators = _rebuild(pending)
        for group in columns:
            rows, locators = _column_join(pending, rows, locators, group)
        out.table(rows, locators)
        for piece in pending + [p for group in columns for p in group]:
            for row_id, bbox in zip(piece.row_ids, piece.row_bounds):
                where[f"p{piece.page_no} T{piece.table_no} R{row_id}"] = by_no[piece.page_no].display_box(bbox,
                                                                                                   piece.turn)
        pending.clear()
        columns.clear()
        for line in held:
            prose(*line)
        held.clear()

    for page in pages:
        line_no = 0
        edge = {id(b) for b in _edges(page)}
        at_top = True
        skip = _column_part(pending, columns, title, page, edge, running, issues) if pending else set()
        for block in page.blocks:
            if id(block) in skip:  # the title repeated over a part continuing the pending table by columns, the part
                line_no += block[1] == "line"
                continue
            if block[1] == "line":
                text = block[2]
                line_no += 1
                dropped = (id(block) in edge and (is_page_footer(text)
                                                  or re.sub(r"\d+", "#", squash(text)) in running)) \
                    or _CONTINUED.match(squash(text))
                if dropped:
                    continue
                at_top = False
                if pending and pending[-1].page_no == page.page_no and not columns and \
                        pending[0].header_rows < len(pending[0].texts):
                    held.append((text, f"p{page.page_no} L{line_no}", block[3]))  # the next page may add columns
                    continue
                flush()
                prose(text, f"p{page.page_no} L{line_no}", block[3])
                continue
            piece: _Piece = block[2]
            if pending and at_top and not held and _continues(pending[0], piece):
                pending.append(piece)
            elif not piece.ruled and len(piece.texts) == 1 and piece.header_rows == 0:
                # one aligned line of figures that continues nothing: prose
                flush()
                at_top = False
                for text, bbox in zip(piece.lines, piece.row_bounds):
                    line_no += 1
                    prose(text, f"p{page.page_no} L{line_no}", page.display_box(bbox, piece.turn))
                continue
            else:
                flush()
                pending.append(piece)
                title[:] = recent[-_TITLE_LINES:]
                if not piece.ruled and piece.header_rows == len(piece.texts):  # prose again if nothing continues it
                    piece.first_line = line_no + 1
                    line_no += len(piece.lines)
            at_top = False
            recent.clear()
        # A table that ends the page stays pending: the next page may continue it.
    flush()
    return out.result(issues=issues)


_TITLE_CELL = re.compile(r"表$|表[（(].{0,8}[)）]$|(?:单位|部门|编制部门|单位名称|部门名称)\s*[:：]")


def _column_map(xs: list[float], piece: _Piece) -> list[int]:
    """For each column of `piece`, the column (of starts `xs`) starting at the same x position (nearest)."""
    return [min(range(len(xs)), key=lambda k: abs(xs[k] - x)) for x in piece.col_x0]


def _same_columns(head: list[float], piece: list[float]) -> bool:
    """Does every column start of `piece` lie within _EDGE_TOLERANCE of one of `head`?"""
    return all(any(abs(x - y) <= _EDGE_TOLERANCE for y in head) for x in piece)


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    """How far two x extents (x0, x1) overlap, in points (≤ 0: apart)."""
    return min(a[1], b[1]) - max(a[0], b[0])


def _unruled_continues(head: _Piece, piece: _Piece) -> bool:
    """Columns of a table drawn without lines are matched by their cells' x extents (cells left-, right- or
    centre-aligned in a column overlap on every page): the first columns overlap, and every column of one
    piece overlaps a column of the other (a page shows only the columns it fills)."""
    ours = list(zip(piece.col_x0, piece.col_x1))
    theirs = list(zip(head.col_x0, head.col_x1))
    if _overlap(ours[0], theirs[0]) <= 0:
        return False
    return all(any(_overlap(a, b) > 0 for b in theirs) for a in ours) \
        or all(any(_overlap(a, b) > 0 for b in ours) for a in theirs)


# How far the same column edge may lie on two pages: pdfplumber snaps ruling lines within snap_tolerance
# (3 pt by default) of each other to their mean, so an edge moves by up to that much depending on the other
# lines of its page (another table's column edge nearby).  Measured: 2.2–2.4 pt on generated reports.
# (pdfplumber.table.TableSettings' snap_x_tolerance, 3 — not imported here: text-only runs never load pdfplumber).
_EDGE_TOLERANCE = 3.5


def _continues(head: _Piece, piece: _Piece) -> bool:
    """Does `piece` (first on its page, the previous page ending with `head`'s table) continue that table:
    its columns start where head's do (a continuation may not repeat the head's subdivided header columns),
    the same left and right edge (within _EDGE_TOLERANCE), and its first row is not a title block of its own.
    A table drawn without lines has no edges: see _unruled_continues."""
    if head.ruled != piece.ruled:
        return False
    if not head.ruled:
        if not _unruled_continues(head, piece):
            return False
    elif abs(piece.col_x0[0] - head.col_x0[0]) > _EDGE_TOLERANCE or abs(piece.right - head.right) > _EDGE_TOLERANCE \
            or not _same_columns(head.col_x0, piece.col_x0):
        return False
    return not any(t and _TITLE_CELL.search(t) for t in piece.texts[0])


def _repeated_header(head: _Piece, piece: _Piece) -> int:
    """How many of the piece's first rows repeat the head's header rows."""
    n = 0
    while n < min(head.header_rows, len(piece.texts)) and piece.header_key(n + 1)[n] == head.header_key(n + 1)[n]:
        n += 1
    return n


# ---------------------------------------------------------------- tables split by columns over pages
# How many prose lines above a table are its title block (title, 公开NN表, 编制部门, 单位): a page continuing
# the table by columns may repeat them.
_TITLE_LINES = 6
_DASHES = re.compile(r"^[-—－–―\s]*$")
_CONTINUED_MARK = re.compile(r"[（(]\s*续(?:表|上表|前表)?\s*[)）]")  # '支出决算表（续）': the title repeated, marked


def _is_label(text: str) -> bool:
    """A body cell naming its row (a subject code or name), not a figure or a dash printed for zero."""
    t = squash(text)
    return bool(_CODE.match(t)) or (bool(t) and not _is_figure(t) and not _NUMBER_CELL.match(t)
                                    and not _DASHES.match(t))


def _row_tops(pieces: list[_Piece]) -> dict[str, float]:
    """Row locator ('p3 T1 R5') → the top of that printed row, for the rows of `pieces`."""
    return {f"p{p.page_no} T{p.table_no} R{r}": b[1] for p in pieces for r, b in zip(p.row_ids, p.row_bounds)}


def _body_start(rows: list[list[tuple[str, str]]]) -> int:
    return next((n for n, row in enumerate(rows) if _is_body_row([t for t, _ in row])), len(rows))


def _align_rows(head_rows: list, head_locators: list[str], head_tops: dict[str, float],
                part_rows: list, part_locators: list[str], part_tops: dict[str, float],
                first: tuple[float, ...] = ()) -> dict[int, int] | None:
    """Which row of the head table each row of a part printed on another page is: Excel and WPS print the
    columns a page cannot hold on the next page at the same row heights, so the part's rows lie at the
    head's row positions shifted by one offset (the part may leave out rows that are blank in its
    columns).  Offsets tried: `first` ones (the ruled grids' tops aligned), none (the same place on
    both pages: pages continuing a table start at the same top margin), then the tables' first rows,
    their first body rows, their last rows aligned.
    An offset fits when every part row lies within a third of the row pitch (2 pt at least) of its own
    head row, header rows over header rows and body rows over body rows.  Returns part row → head row,
    or None when no offset fits."""
    th = [head_tops[loc] for loc in head_locators]
    tp = [part_tops[loc] for loc in part_locators]
    hb, pb = _body_start(head_rows), _body_start(part_rows)
    if not tp or pb >= len(part_rows) or hb >= len(head_rows):
        return None
    pitches = sorted(b - a for a, b in zip(th, th[1:]) if b > a)
    tolerance = max(2.0, pitches[len(pitches) // 2] / 3 if pitches else 0.0)
    for offset in (*first, 0.0, tp[0] - th[0], tp[pb] - th[hb], tp[-1] - th[-1]):
        mapping: dict[int, int] = {}
        for j, top in enumerate(tp):
            i = min(range(len(th)), key=lambda i: abs(top - offset - th[i]))
            if abs(top - offset - th[i]) > tolerance or i in mapping.values() or (i < hb) != (j < pb):
                break
            mapping[j] = i
        else:
            return mapping
    return None


def _repeated_columns(head_rows: list, part_rows: list, mapping: dict[int, int]) -> int:
    """How many first columns of the part repeat the head's row labels (Excel's 'columns to repeat at
    left'): every body row of the part prints the head row's texts there, some of them a label."""
    body = [(j, i) for j, i in mapping.items() if j >= _body_start(part_rows)]
    m = 0
    while m < min(len(head_rows[0]), len(part_rows[0])) and body \
            and all(squash(part_rows[j][m][0]) == squash(head_rows[i][m][0]) for j, i in body) \
            and any(_is_label(part_rows[j][m][0]) for j, _ in body):
        m += 1
    return m


def _numbering_continues(head_rows: list, part_rows: list, mapping: dict[int, int]) -> bool:
    """Where the head and the part number their columns in one header row (栏次 1 2 … on the head, 3 4 …
    on the part), the part's first number follows the head's last; True when no row numbers both."""
    for j, i in mapping.items():
        if j >= _body_start(part_rows):
            break
        ours = [int(t) for t, _ in part_rows[j] if t.isdigit()]
        theirs = [int(t) for t, _ in head_rows[i] if t.isdigit()]
        if ours and theirs:
            return ours[0] == max(theirs) + 1
    return True


def _names_no_new_column(head_rows: list, part_rows: list, repeated: int) -> bool:
    """Does the part's header (after the `repeated` row-label columns, _repeated_columns) name only columns
    the head's header names already?  Other columns of a sheet printed on the next page have names of their
    own; a table of the same form (the next project's 绩效自评表, lined up row for row) prints the same names
    again."""
    ours = {squash(t) for row in part_rows[:_body_start(part_rows)] for t, _ in row[repeated:] if _is_label(t)}
    theirs = {squash(t) for row in head_rows[:_body_start(head_rows)] for t, _ in row if _is_label(t)}
    return bool(ours) and ours <= theirs


def _column_part(pending: list[_Piece], columns: list[list[_Piece]], title: list[str], page: _Page,
                 edge: set[int], running: set[str], issues: list[tuple[str, str]]) -> set[int]:
    """Does the first table of `page` continue the pending table by columns, as Excel/WPS print a sheet
    too wide for the page?  Pages go down, then over: the pending table's pieces (its rows over one or
    more pages) first, then its other columns at the same rows on as many pages, each page's part at the
    top of its page (under running headers, 续表 or the pending table's title block repeated, marked
    （续） or not; prose under the pending table on its page is held for this, see _assemble).  A first
    part has a header of its own (not a repeat of the head's); every part's rows line up with those of the
    pending piece it continues (_align_rows); the parts' body rows repeat the head's row labels in their
    first columns or print no label at all (a table of figures only cannot stand on its own); where both
    number their columns (栏次), the part's numbers follow the head's.  Then the part is added to
    `columns` (a group of parts per column range) and the ids of the blocks to leave out (the part and the
    lines above it) are returned.  A table of figures only at the top of a page whose rows do not line up
    cannot be placed: said in `issues`, read as a table of its own."""
    head = pending[0]
    at = next((k for k, b in enumerate(page.blocks) if b[1] == "table"), None)
    start = at
    single = _one_column_part(page, edge, running, pending) if not head.ruled else None
    if single is not None and (at is None or single[1] < at):
        start, at, part = single
    elif at is None or head.header_rows == len(head.texts):
        return set()
    else:
        part = page.blocks[at][2]
    if head.header_rows == len(head.texts):
        return set()
    for block in page.blocks[:start]:
        text = squash(block[2])
        if not (_CONTINUED_MARK.sub("", text) in title or _CONTINUED.match(text) or (id(block) in edge and (
                is_page_footer(block[2]) or re.sub(r"\d+", "#", text) in running))):
            return set()
    going_on = bool(columns) and len(columns[-1]) < len(pending)
    if going_on:  # the next piece of the current column range: continues its previous piece by rows
        if not _continues(columns[-1][0], part):
            return set()
        group = columns[-1] + [part]
    elif not 0 < part.header_rows < len(part.texts) or _repeated_header(head, part) >= part.header_rows:
        return set()
    else:
        group = [part]
    rows, locators = _rebuild(pending)
    found = _group_mapping(pending, rows, locators, group)
    part_rows = found[0] if found else _rebuild(group, part=True)[0]
    unlabelled = not any(_is_label(t) for row in part_rows[_body_start(part_rows):] for t, _ in row)
    if found is not None and not _numbering_continues(rows, *found):
        return set()  # its 栏次 numbers start again: a table of its own
    repeated = _repeated_columns(rows, *found) if found is not None else 0
    if found is not None and _names_no_new_column(rows, found[0], repeated):
        return set()  # the head's column names again: the next table of the same form (a project's 绩效自评表)
    if found is None or not (unlabelled or repeated):
        if unlabelled:
            issues.append((f"page {part.page_no}", f"page {part.page_no}: table {part.table_no} prints figures "
                           f"without row labels at the top of the page, and its rows do not line up with those "
                           f"of the table ending page {pending[-1].page_no}: it may continue that table by "
                           f"columns; read as a table of its own"))
        return set()
    if going_on:
        columns[-1].append(part)
    else:
        columns.append(group)
    return {id(b) for b in page.blocks[:at + 1]}


def _one_column_part(page: _Page, edge: set[int], running: set[str], pending: list[_Piece]) \
        -> tuple[int, int, _Piece] | None:
    """A wide table's other columns that fill one column only, printed without lines on a page of their
    own, are no table to _table_bands: text lines of one word each, its header label(s) then one figure a
    line (rows blank in that column are not printed).  The page's first such lines (after running headers,
    续表 lines or the title repeated) whose texts lie over one column (their x extents overlap), at least
    one a figure and every line after the first figure a figure, as a one-column _Piece drawn without
    lines for _column_part to line up with the pending table's rows: (index of its first and of its last
    block, the piece), or None.  Upright pages only (the lines' boxes are the page's)."""
    if page.turn:
        return None
    blocks = page.blocks
    k = 0
    while k < len(blocks) and blocks[k][1] == "line" and (_CONTINUED.match(squash(blocks[k][2])) or (
            id(blocks[k]) in edge and (is_page_footer(blocks[k][2])
                                       or re.sub(r"\d+", "#", squash(blocks[k][2])) in running))):
        k += 1
    first = k
    run: list = []
    while k < len(blocks) and blocks[k][1] == "line" and " " not in blocks[k][2].strip() \
            and not is_page_footer(blocks[k][2]):
        text = squash(blocks[k][2])
        if (run and _is_figure(squash(run[-1][2])) and not _is_figure(text)) \
                or (run and _overlap((min(b[3][0] for b in run), max(b[3][2] for b in run)),
                                     (blocks[k][3][0], blocks[k][3][2])) <= 0):
            break
        run.append(blocks[k])
        k += 1
    while run and not _is_figure(squash(run[-1][2])):  # labels after the figures: not this column's
        run.pop()
    header = next((n for n, b in enumerate(run) if _is_figure(squash(b[2]))), len(run))
    if not run or header == len(run):
        return None
    boxes = [b[3] for b in run]
    piece = _Piece(page.page_no, 1, [[b[2].strip()] for b in run], [[False] for _ in run], list(range(1, len(run) + 1)),
                   [min(b[0] for b in boxes)], header, min(b[1] for b in boxes), max(b[3] for b in boxes),
                   max(b[2] for b in boxes), ruled=False, lines=[b[2] for b in run],
                   col_x1=[max(b[2] for b in boxes)], row_bounds=[tuple(b) for b in boxes])
    return first, first + len(run) - 1, piece


def _group_mapping(pending: list[_Piece], rows: list, locators: list[str],
                   group: list[_Piece]) -> tuple[list, dict[int, int]] | None:
    """The rows of a column range printed on later pages (`group`, its k-th piece beside the k-th piece
    of `pending`; `rows`/`locators` rebuilt from `pending`) and which head row each of its rows is
    (_align_rows, page by page); None when a piece's rows do not line up."""
    part_rows, part_locators = _rebuild(group, part=True)
    head_tops, part_tops = _row_tops(pending), _row_tops(group)
    mapping: dict[int, int] = {}
    for target, piece in zip(pending, group):
        hi = [i for i, loc in enumerate(locators) if loc.startswith(f"p{target.page_no} T{target.table_no} R")]
        pj = [j for j, loc in enumerate(part_locators) if loc.startswith(f"p{piece.page_no} T{piece.table_no} R")]
        if not hi or not pj:
            return None
        grids = (piece.grid_top - target.grid_top,) if piece.grid_top is not None and target.grid_top is not None \
            else ()
        found = _align_rows([rows[i] for i in hi], [locators[i] for i in hi], head_tops,
                            [part_rows[j] for j in pj], [part_locators[j] for j in pj], part_tops, grids)
        if found is None:
            return None
        mapping.update({pj[a]: hi[b] for a, b in found.items()})
    return part_rows, mapping


def _column_join(pending: list[_Piece], rows: list[list[tuple[str, str]]], locators: list[str],
                 group: list[_Piece]) -> tuple[list[list[tuple[str, str]]], list[str]]:
    """The table `rows` (rebuilt from `pending`, see _rebuild) with the columns `group` prints on later
    pages appended to its rows (_group_mapping), less the row-label columns the parts repeat.  A cell
    keeps the page, table, row and column it is printed at (``p2 T1 R5 C1``); a head row the parts leave
    blank gets blank cells.  Row locators stay the head's."""
    found = _group_mapping(pending, rows, locators, group)
    if found is None:  # _column_part found it; kept safe all the same
        return rows, locators
    part_rows, mapping = found
    m = _repeated_columns(rows, part_rows, mapping)
    width = len(part_rows[0]) - m
    by_head = {i: j for j, i in mapping.items()}
    out = []
    for i, row in enumerate(rows):
        j = by_head.get(i)
        extra = part_rows[j][m:] if j is not None else \
            [("", f"{locators[i]} C{len(row) + k + 1}") for k in range(width)]
        out.append(row + extra)
    return out, locators
