"""A page read with pdfium (pypdfium2, C) in the shape pdfplumber's table finder and text functions use.

pdfplumber reads a page through pdfminer, which interprets the content stream in Python (about 100 ms a
page on the development reports, 90% of the PDF parse).  pdfium reads the same page in a few ms.  This
adapter gives pdfplumber's algorithms — ``TableFinder`` (ruling lines and text alignment), ``Table.extract``
and the text-line clustering — the objects they need: characters with their boxes (font-size boxes, as
pdfplumber's) and the horizontal/vertical edges of every drawn path (rectangles and lines).  A glyph
pdfium finds no Unicode for (a font without a ToUnicode map: pdfium gives its raw char code, below 32) is
U+FFFD, as the reader makes pdfminer's ``(cid:N)``, so that it is seen and never silently dropped.

Only what the PDF reader uses is provided (``chars``, ``edges``, ``images``, ``bbox``, ``width``, ``height``,
``find_tables``, ``extract_words``, ``extract_text_lines``, ``filter``).  Pages are given as displayed
(/Rotate 0, 90, 180, 270), each glyph with its direction on the displayed page (a rotation matrix, from
pdfium's char angle) and its upright flag, as pdfminer gives them.  The reader falls back to pdfplumber for any document pdfium cannot read this way (a media box not at
the origin, for instance).

Page views, for pdfplumber's pages and these alike (``PageObjects``: a page given by its objects):
``by_direction`` cuts a page holding text of two directions into regions of one direction each,
``turned`` reads a page (or region) whose content is drawn a quarter or half turn round without /Rotate in
its text's own frame, ``deskewed`` levels text on a slight slope, and ``stand_up_labels`` makes header
labels printed vertically (one character per line, or glyphs turned ±90°) horizontal words, before the
table finder sees them.

pdfium's text page silently leaves out text objects whose box is zero wide: glyphs of a font that is not
embedded and that no installed font replaces have no shapes (a CJK font on a machine without CJK fonts).
A page where that may have happened is checked and, if so, is Unsupported (see ``_text_left_out``).
"""

from __future__ import annotations

import ctypes
import math
import re
from collections import Counter

from pdfplumber import utils
from pdfplumber.table import TableFinder, TableSettings

_EPS = 0.5


def _compose(outer: tuple, inner: tuple) -> tuple:
    """The affine matrix applying `inner`, then `outer` (PDF order a b c d e f)."""
    oa, ob, oc, od, oe, of = outer
    ia, ib, ic, id_, ie, if_ = inner
    return (oa * ia + oc * ib, ob * ia + od * ib, oa * ic + oc * id_, ob * ic + od * id_,
            oa * ie + oc * if_ + oe, ob * ie + od * if_ + of)


class Unsupported(Exception):
    """The page has a layout this adapter does not reproduce (the caller uses pdfplumber instead)."""


def _text_left_out(page, raw) -> bool:
    """Does pdfium's text page leave out some of the page's text?  It skips a text object whose box is zero
    wide in user space: the glyphs of a font the PDF does not embed, when no font installed on this machine
    replaces it (a CJK CID font such as STSong-Light on a machine without CJK fonts), have empty glyph boxes,
    so a single such glyph, or a line of them turned a quarter turn, is silently missing.  pdfminer, which the
    reader then uses, lays glyphs out from the PDF's own widths (/W), whatever the machine has installed.
    Only fonts that are neither embedded nor flagged Nonsymbolic count (font descriptor flag 6, ISO 32000-1
    §9.8.2: a font of the standard Latin character set, which pdfium's built-in fonts replace): an empty or
    blank text object of Word's non-embedded Times New Roman is zero wide too, and loses nothing.  Walks the
    page's text objects (Form XObjects included) once; an object's box is asked only for such fonts."""
    missing: dict[int, bool] = {}   # font handle → its glyphs may be missing on this machine
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    box = [ctypes.byref(v) for v in (left, bottom, right, top)]
    stack = [(raw.FPDFPage_CountObjects(page.raw), lambda i: raw.FPDFPage_GetObject(page.raw, i))]
    while stack:
        count, get = stack.pop()
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_FORM:
                stack.append((raw.FPDFFormObj_CountObjects(obj), lambda k, form=obj: raw.FPDFFormObj_GetObject(form, k)))
                continue
            if kind != raw.FPDF_PAGEOBJ_TEXT:
                continue
            font = raw.FPDFTextObj_GetFont(obj)
            key = ctypes.cast(font, ctypes.c_void_p).value or 0
            if key not in missing:
                missing[key] = not raw.FPDFFont_GetIsEmbedded(font) and not raw.FPDFFont_GetFlags(font) & 32
            if missing[key] and raw.FPDFPageObj_GetBounds(obj, *box) and right.value - left.value < 1e-3:
                return True
    return False


class PageObjects:
    """A page given by its objects (chars, edges, images; pdfplumber's dicts, points from the top left of a
    `width` × `height` page) with the pdfplumber API the reader uses: a page read in another frame (see
    `turned`), and the base of PdfiumPage."""

    def __init__(self, chars: list[dict], edges: list[dict], images: list[dict], width: float, height: float):
        self.chars, self.edges, self._images = chars, edges, images
        self.width, self.height = width, height
        self.bbox = (0, 0, width, height)

    @property
    def images(self) -> list[dict]:
        return self._images

    def find_tables(self, table_settings: dict | None = None):
        tables = TableFinder(self, TableSettings.resolve(table_settings)).tables
        for table in tables:  # Table.extract scans its page's chars once per row: give it only its own
            x0, top, x1, bottom = table.bbox
            table.page = self.filter(lambda c: x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom)
        return tables

    def extract_words(self, **kwargs):
        return utils.extract_words(self.chars, **kwargs)

    def extract_text_lines(self, return_chars: bool = False, **kwargs):
        if not self.chars:
            return []
        return utils.chars_to_textmap(self.chars, **kwargs).extract_text_lines(strip=True, return_chars=return_chars)

    def filter(self, test) -> PageObjects:
        return PageObjects([c for c in self.chars if test(c)], self.edges, self._images, self.width, self.height)

    def close(self) -> None:
        pass


class PdfiumPage(PageObjects):
    def __init__(self, page):
        import pypdfium2.raw as raw

        self._page = page
        width, height = page.get_size()  # as displayed (after /Rotate)
        rotation = page.get_rotation() % 360
        if rotation not in (0, 90, 180, 270):
            raise Unsupported(f"page rotated {rotation}°")
        self._rotation = rotation
        x0, y0, _, _ = page.get_mediabox()
        if abs(x0) > 1e-6 or abs(y0) > 1e-6:
            raise Unsupported("media box not at the origin")
        w, h = (width, height) if rotation in (0, 180) else (height, width)  # user space
        # PDF user space (origin bottom left) → displayed page, origin top left, as pdfplumber has it
        self._to_page = {
            0: lambda x, y: (x, h - y),
            90: lambda x, y: (y, x),
            180: lambda x, y: (w - x, y),
            270: lambda x, y: (h - y, w - x),
        }[rotation]
        super().__init__([], [], [], width, height)
        self.chars = self._read_chars(raw)
        # Checked on pages with turned glyphs, whose first CJK ideograph has an empty glyph box (one call a
        # page; the real reports' fonts are embedded: never) or that have none.
        if (self._turned_text or self._no_glyph_boxes) and _text_left_out(page, raw):
            raise Unsupported("text objects pdfium's text page leaves out (glyphs of a font not embedded, "
                              "without glyph boxes)")
        self.edges = self._read_edges(raw)

    # ------------------------------------------------------------ objects
    def _read_chars(self, raw) -> list[dict]:
        to_page = self._to_page
        textpage = self._page.get_textpage()
        rect = raw.FS_RECTF()
        rect_ref = ctypes.byref(rect)
        directions: dict[float, tuple] = {}  # pdfium's char angle → (matrix as displayed, upright)
        glyph = [ctypes.c_double() for _ in range(4)]  # left, right, bottom, top of a glyph's own box
        glyph_refs = [ctypes.byref(v) for v in glyph]
        glyph_box = None
        chars: list[dict] = []
        try:
            for i in range(textpage.count_chars()):
                code = raw.FPDFText_GetUnicode(textpage, i)
                if code in (0xFFFE, 0xFFFF) or raw.FPDFText_IsGenerated(textpage, i) == 1:
                    continue  # pdfium's own line breaks and spaces are "generated"
                if code < 32:  # a glyph of a font without a Unicode mapping: pdfium gives its char code
                    code = 0xFFFD
                if not raw.FPDFText_GetLooseCharBox(textpage, i, rect_ref):
                    continue
                if 0x4E00 <= code <= 0x9FFF and glyph_box is None:  # the first ideograph: has its font glyph boxes?
                    glyph_box = raw.FPDFText_GetCharBox(textpage, i, *glyph_refs) \
                        and min(glyph[1].value - glyph[0].value, glyph[3].value - glyph[2].value) \
                        > 0.02 * max(abs(rect.top - rect.bottom), abs(rect.right - rect.left))  # its loose box
                    self._no_glyph_boxes = not glyph_box
                angle = raw.FPDFText_GetCharAngle(textpage, i)
                if angle not in directions:
                    directions[angle] = self._direction(angle)
                    self._turned_text = self._turned_text or angle > 1e-3
                m, upright = directions[angle]
                (ax, ay), (bx, by) = to_page(rect.left, rect.top), to_page(rect.right, rect.bottom)
                x0, x1, top, bottom = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
                chars.append({
                    "object_type": "char", "text": chr(code), "x0": x0, "x1": x1,
                    "top": top, "bottom": bottom, "doctop": top, "y0": self.height - bottom, "y1": self.height - top,
                    "width": x1 - x0, "height": bottom - top, "upright": upright,
                    "size": raw.FPDFText_GetFontSize(textpage, i), "fontname": "",
                    "matrix": m,
                })
        finally:
            textpage.close()
        self._no_glyph_boxes = self._no_glyph_boxes or glyph_box is None  # no ideograph at all: all dropped?
        return chars

    _turned_text = False  # a glyph of the page is turned in user space (pdfium's char angle not 0)
    _no_glyph_boxes = False  # the page's first CJK ideograph has an empty glyph box (< 2 % of its loose box: no glyph shapes)

    def _direction(self, angle: float) -> tuple[tuple, bool]:
        """A glyph's direction on the displayed page from pdfium's char angle (radians, clockwise, user
        space; -1 when unknown) and the page's /Rotate (clockwise): a rotation matrix (PDF order, y upwards,
        as pdfminer's char matrix) and whether the glyph is upright as pdfminer says it (not running up or
        down: upside down and slanted glyphs are upright)."""
        theta = -math.degrees(angle if angle >= 0 else 0.0) - self._rotation
        cos, sin = math.cos(math.radians(theta)), math.sin(math.radians(theta))
        cos, sin = (round(cos), round(sin)) if abs(abs(cos) - round(abs(cos))) < 1e-6 else (cos, sin)
        return (cos, sin, -sin, cos, 0.0, 0.0), abs(cos) > abs(sin)

    def _read_edges(self, raw) -> list[dict]:
        """Horizontal and vertical segments of every path, in Form XObjects too (their matrices composed)."""
        to_page = self._to_page
        edges: list[dict] = []
        x, y = ctypes.c_float(), ctypes.c_float()
        forms: dict[int, tuple] = {0: (1, 0, 0, 1, 0, 0)}  # nesting level → matrix of its container
        for obj in self._page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM], max_depth=8):
            m = obj.get_matrix()
            matrix = _compose(forms.get(obj.level, forms[0]), (m.a, m.b, m.c, m.d, m.e, m.f))
            if obj.type == raw.FPDF_PAGEOBJ_FORM:
                forms[obj.level + 1] = matrix
                continue
            a, b, c, d, e, f = matrix
            points: list[tuple[float, float]] = []
            start: tuple[float, float] | None = None
            for k in range(raw.FPDFPath_CountSegments(obj.raw)):
                seg = raw.FPDFPath_GetPathSegment(obj.raw, k)
                raw.FPDFPathSegment_GetPoint(seg, x, y)
                point = to_page(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
                kind = raw.FPDFPathSegment_GetType(seg)
                if kind == raw.FPDF_SEGMENT_MOVETO:
                    start = point
                elif kind == raw.FPDF_SEGMENT_LINETO and points:
                    self._edge(edges, points[-1], point)
                points.append(point)
                if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                    self._edge(edges, point, start)
        return edges

    @staticmethod
    def _edge(edges: list[dict], p: tuple[float, float], q: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = p, q
        if abs(y1 - y0) <= _EPS and abs(x1 - x0) > _EPS:
            a, b = sorted((x0, x1))
            edges.append({"object_type": "line_edge", "orientation": "h", "x0": a, "x1": b, "top": y0,
                          "bottom": y0, "doctop": y0, "width": b - a, "height": 0})
        elif abs(x1 - x0) <= _EPS and abs(y1 - y0) > _EPS:
            a, b = sorted((y0, y1))
            edges.append({"object_type": "line_edge", "orientation": "v", "x0": x0, "x1": x0, "top": a,
                          "bottom": b, "doctop": a, "width": 0, "height": b - a})

    @property
    def images(self) -> list[dict]:
        """The page's images (in Form XObjects too) as pdfplumber gives them: x0, x1, top, bottom (displayed
        page, points from the top left)."""
        import pypdfium2.raw as raw

        out = []
        for obj in self._page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=8):
            left, bottom, right, top = obj.get_bounds()
            (ax, ay), (bx, by) = self._to_page(left, top), self._to_page(right, bottom)
            out.append({"object_type": "image", "x0": min(ax, bx), "x1": max(ax, bx), "top": min(ay, by),
                        "bottom": max(ay, by)})
        return out

    def close(self) -> None:
        self._page.close()


# ------------------------------------------------------------ pages drawn turned (no /Rotate)
def text_turn(char: dict) -> int:
    """How far a character's baseline is turned on the displayed page, counter-clockwise, to the nearest
    quarter turn: 0 (upright), 90 (text running upwards), 180, 270 (running downwards).  From its matrix
    (the displayed page's, y upwards, /Rotate applied: as pdfminer and PdfiumPage give it)."""
    a, b = char["matrix"][0], char["matrix"][1]
    return round(math.degrees(math.atan2(b, a)) / 90) * 90 % 360


def page_turn(page) -> int:
    """The quarter turn (0, 90, 180, 270) most of the page's printed characters share, when more than half
    of them do; 0 otherwise (a few rotated header labels on an upright page leave it upright)."""
    printed = [c for c in page.chars if c["text"].strip()]
    if 2 * sum(1 for c in printed if c["upright"] and c["matrix"][0] > 0) > len(printed):
        return 0  # most characters upright (the quick answer for most pages)
    turns = Counter(text_turn(c) for c in printed)
    if not turns:
        return 0
    turn, n = turns.most_common(1)[0]
    return turn if 2 * n > sum(turns.values()) else 0


def _turn_box(x0: float, top: float, x1: float, bottom: float, turn: int, width: float, height: float) -> tuple:
    """A box (points from the top left of a `width` × `height` page) in the frame of the page turned back by
    `turn` (its text upright): the same box seen on a page `height` × `width` (90, 270) or turned over (180)."""
    if turn == 90:  # text running upwards: the page's bottom edge is the left of the upright page
        return height - bottom, x0, height - top, x1
    if turn == 270:
        return top, width - x1, bottom, width - x0
    if turn == 180:
        return width - x1, height - bottom, width - x0, height - top
    return x0, top, x1, bottom


def display_box(box: tuple, turn: int, width: float, height: float) -> tuple:
    """The inverse of _turn_box: a box (x0, top, x1, bottom) of the upright frame of a page of displayed size
    `width` × `height` turned by `turn`, back on the displayed page (where pdfplumber crops it)."""
    x0, top, x1, bottom = box
    if turn == 90:
        return top, height - x1, bottom, height - x0
    if turn == 270:
        return width - bottom, x0, width - top, x1
    if turn == 180:
        return width - x1, height - bottom, width - x0, height - top
    return box


# A page holding text of two directions (upright prose above a table drawn turned, a turned block beside an
# upright one) is cut into regions of one direction each along straight gaps (an XY cut): a gap at least
# _CUT_GAP × the font size wide, crossed by no ruling line, with text of one direction on each side
# (_HOMOGENEOUS of its printed characters: a stray mark does not stop a cut) and different directions on
# the two sides.  Header labels turned inside an upright table are not cut off: their row's other labels,
# the title above and the body below them print upright beside them, and no gap that wide parts them.
_CUT_GAP = 1.5
_HOMOGENEOUS = 0.9
# A few characters of one direction apart from a region of another (a page number printed upright under a
# turned table, closer than _CUT_GAP) are cut off at any gap: up to _STRAY of them.
_STRAY = 6


def by_direction(page) -> list:
    """`page` (pdfplumber's or PdfiumPage) as the regions of its text's directions, in reading order (a cut
    across the page: the part above first; a cut down it: the left part first): each a PageObjects of the
    whole page's size holding the characters, rules and images whose middles lie in it, for `turned` to read
    in its own frame.  A page whose printed characters all run one way, or that no such cut divides, is
    returned alone as it is ([page])."""
    printed = [c for c in page.chars if c["text"].strip()]
    if all(c["upright"] and c["matrix"][0] > 0 for c in printed):
        return [page]  # the quick answer for most pages
    turns = {id(c): text_turn(c) for c in printed}
    if len(set(turns.values())) < 2:
        return [page]
    sizes = sorted(c.get("size") or min(c["x1"] - c["x0"], c["bottom"] - c["top"]) for c in printed)
    gap = _CUT_GAP * sizes[len(sizes) // 2]
    boxes = _cuts(printed, turns, (0.0, 0.0, page.width, page.height), gap, page.edges)
    if len(boxes) < 2:
        return [page]

    def inside(obj: dict, box: tuple) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return box[0] <= x < box[2] and box[1] <= y < box[3]

    return [PageObjects([c for c in page.chars if inside(c, box)], [e for e in page.edges if inside(e, box)],
                        [i for i in page.images if inside(i, box)], page.width, page.height) for box in boxes]


def _cuts(chars: list[dict], turns: dict[int, int], box: tuple, gap: float, edges: list[dict]) -> list[tuple]:
    """The regions (x0, top, x1, bottom) of `box` holding `chars` (see by_direction), cut recursively; of the
    possible cuts, the one leaving the fewest characters of another direction on its sides."""
    def dominant(part: list[dict]) -> tuple[int | None, int]:
        counts = Counter(turns[id(c)] for c in part)
        turn, n = counts.most_common(1)[0]
        return (turn if n >= _HOMOGENEOUS * len(part) else None), len(part) - n

    best = None  # (characters of another direction, axis, position, index in that axis' order)
    orders = {}
    for lo, hi in (("top", "bottom"), ("x0", "x1")):
        order = orders[lo] = sorted(chars, key=lambda c: c[lo])
        crossing = [e for e in edges if e["orientation"] == ("v" if lo == "top" else "h")]
        reach = order[0][hi]
        for k in range(1, len(order)):
            start = order[k][lo]
            small = min(k, len(order) - k)
            if start - reach >= gap or (start - reach > 0 and small <= _STRAY
                                        and len({turns[id(c)] for c in (order[:k] if k == small else order[k:])}) == 1):
                at = (reach + start) / 2
                crossed = any(e["top"] < at < e["bottom"] and box[0] <= e["x0"] <= box[2] for e in crossing) \
                    if lo == "top" else any(e["x0"] < at < e["x1"] and box[1] <= e["top"] <= box[3] for e in crossing)
                (a, stray_a), (b, stray_b) = dominant(order[:k]), dominant(order[k:])
                if not crossed and a is not None and b is not None and a != b \
                        and (best is None or stray_a + stray_b < best[0]):
                    best = (stray_a + stray_b, lo, at, k)
            reach = max(reach, order[k][hi])
    if best is None:
        return [box]
    _, lo, at, k = best
    x0, top, x1, bottom = box
    one, two = ((x0, top, x1, at), (x0, at, x1, bottom)) if lo == "top" else ((x0, top, at, bottom), (at, top, x1, bottom))
    return _cuts(orders[lo][:k], turns, one, gap, edges) + _cuts(orders[lo][k:], turns, two, gap, edges)


# A page whose text runs at a slight slope (the text layer of a scan deskewed by a few degrees, a page placed
# askew) is turned back by the slope most of its characters share, when it is more than _MIN_SKEW and less
# than _MAX_SKEW degrees (quarter turns are `turned`'s).  Its rules, drawn askew too, are left out: the
# table finder reads its tables by their text's alignment.
_MIN_SKEW = 0.05
_MAX_SKEW = 10.0


def deskewed(page):
    """`page` (pdfplumber's or PdfiumPage, or a region of one) with its characters turned back about the
    page's centre by the slope (degrees, from each glyph's matrix) more than half of its printed characters
    share — the median of theirs — when that slope is between _MIN_SKEW and _MAX_SKEW; each character keeps
    its glyph's own width and height (its box less the slope's spread).  Rules and images are left out.
    Any other page is returned as it is."""
    printed = [c for c in page.chars if c["text"].strip()]
    slopes = sorted(math.degrees(math.atan2(c["matrix"][1], c["matrix"][0])) for c in printed if c["matrix"][1])
    if 2 * len(slopes) <= len(printed):
        return page
    theta = slopes[len(slopes) // 2]
    if not _MIN_SKEW < abs(theta) < _MAX_SKEW:
        return page
    cos, sin = math.cos(math.radians(-theta)), math.sin(math.radians(-theta))
    cx, cy = page.width / 2, page.height / 2
    spread = abs(math.sin(math.radians(theta)))
    chars = []
    for c in page.chars:
        w, h = c["x1"] - c["x0"], c["bottom"] - c["top"]
        w, h = max(w - h * spread, 0.1), max(h - w * spread, 0.1)
        x, y = (c["x0"] + c["x1"]) / 2 - cx, cy - (c["top"] + c["bottom"]) / 2  # y upwards, from the centre
        x, y = cx + x * cos - y * sin, cy - (x * sin + y * cos)
        m = tuple(c["matrix"])
        matrix = _compose((cos, sin, -sin, cos, 0.0, 0.0), m)
        chars.append({**c, "x0": x - w / 2, "x1": x + w / 2, "top": y - h / 2, "bottom": y + h / 2, "doctop": y - h / 2,
                      "y0": page.height - y - h / 2, "y1": page.height - y + h / 2, "width": w, "height": h,
                      "matrix": (round(matrix[0], 6), round(matrix[1], 6), round(matrix[2], 6), round(matrix[3], 6),
                                 matrix[4], matrix[5]), "upright": True})
    return PageObjects(chars, [], [], page.width, page.height)


def turned(page):
    """`page` (pdfplumber's or PdfiumPage) in its text's own frame: a page whose content is drawn turned a
    quarter turn or two without /Rotate (its text runs up or down the displayed page: a landscape table
    printed onto a portrait page by a printer driver or imposition tool) is given as the upright page —
    characters, rules and images turned back (page_turn), each character's matrix and upright flag in that
    frame (a page number printed upright on the turned page is then vertical text: stand_up_labels reads it) —
    so the table finder sees rows and columns as printed.  Any other page is returned as it is.
    Returns the page and its turn (0, 90, 180, 270); display_box maps boxes back."""
    turn = page_turn(page)
    if not turn:
        return page, 0
    w, h = page.width, page.height

    def box(obj: dict) -> tuple:
        return _turn_box(obj["x0"], obj["top"], obj["x1"], obj["bottom"], turn, w, h)

    size = (h, w) if turn in (90, 270) else (w, h)
    chars = []
    back = {90: (0, -1, 1, 0, 0, 0), 180: (-1, 0, 0, -1, 0, 0), 270: (0, 1, -1, 0, 0, 0)}[turn]  # turned back
    for c in page.chars:
        x0, top, x1, bottom = box(c)
        matrix = _compose(back, tuple(c["matrix"]))  # the glyph's direction in the upright frame
        chars.append({**c, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "y0": size[1] - bottom,
                      "y1": size[1] - top, "width": x1 - x0, "height": bottom - top, "matrix": matrix,
                      "upright": abs(matrix[0]) > abs(matrix[1])})
    edges = []
    for e in page.edges:
        x0, top, x1, bottom = box(e)
        PdfiumPage._edge(edges, (x0, top), (x1, bottom))
    images = [dict(zip(("x0", "top", "x1", "bottom"), box(i)), object_type="image") for i in page.images]
    return PageObjects(chars, edges, images, *size), turn


# ------------------------------------------------------------ header labels printed vertically
# a CJK ideograph, CJK / full-width punctuation, dashes and quotes (“三公”) or a per cent sign (因\n公\n出\n国\n（\n境\n）\n费, 执\n行\n率\n（\n%\n）);
# never a digit or a Latin letter
_LABEL_CHAR = re.compile("[%\u2010-\u2030\u2e80-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff0f"
                         "\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")


def _lines_of(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into text lines (their vertical middles within half a character's height of the
    line's first), each line left to right."""
    lines: list[list[dict]] = []
    limit = float("-inf")
    for mid, _, c in sorted(((c["top"] + c["bottom"]) / 2, n, c) for n, c in enumerate(chars)):
        if mid <= limit:
            lines[-1].append(c)
        else:
            lines.append([c])
            limit = mid + 0.5 * (c["bottom"] - c["top"])
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    return lines


def _vertical_runs(page) -> tuple[list[list[dict]], list[list[dict]]]:
    """Labels printed vertically on an upright page, each a list of its characters in reading order:
    characters turned a quarter turn (not upright: 90 read upwards, 270 downwards), and single CJK
    characters standing alone on their text line (no other character within half the font size) stacked
    one per line in a column (竖排, '合\\n计').

    A run's characters follow each other top to bottom less than half the font size apart (stacked text is
    set at a line spacing of 1.0–1.5; a table's rows are further apart, so one-character cells of
    consecutive rows are never a label), at an even pitch (a wider gap starts the next label: the cell below), centred within a third of it horizontally, with no ruling line
    between them (ruled cells stacked in a column are different cells).  Stacked characters lie closer to
    each other than half their distance to the other characters of their lines (else they are read across:
    a label spread over its cell above single-character labels, 科 目 编 码 over 类 款 项); a stack of lone
    characters on lines that print digits (a body row's one-character cells: 是/否) is not a label.
    Returns the runs and the page's upright text lines (see _lines_of)."""
    chars = [c for c in page.chars if c["text"].strip()]
    turned_chars = [c for c in chars if not c["upright"] and text_turn(c) in (90, 270)]
    lone: list[dict] = []
    inf = float("inf")
    room: dict[int, float] = {}  # a lone character's gap to the nearest character on its line
    lines = _lines_of([c for c in chars if c["upright"]])
    for line in lines:
        if any(c["text"].isdigit() for c in line):
            continue  # a body row (or 栏次): its one-character cells are no label
        for k, c in enumerate(line):
            if not _LABEL_CHAR.match(c["text"]):
                continue
            gap = min(c["x0"] - line[k - 1]["x1"] if k else inf, line[k + 1]["x0"] - c["x1"] if k + 1 < len(line) else inf)
            if gap > 0.5 * (c.get("size") or c["bottom"] - c["top"]):
                room[id(c)] = gap
                lone.append(c)
    rules = [e for e in page.edges if e["orientation"] == "h"]
    runs: list[list[dict]] = []
    for group in (turned_chars, lone):
        open_runs: list[list[dict]] = []
        for c in sorted(group, key=lambda c: c["top"]):  # top to bottom, each joining the run it continues
            size = c.get("size") or c["x1"] - c["x0"]
            mid = (c["x0"] + c["x1"]) / 2
            turn = text_turn(c)

            def continues(r: list[dict]) -> bool:
                last = r[-1]
                gap = c["top"] - last["bottom"]
                return text_turn(last) == turn and abs((last["x0"] + last["x1"]) / 2 - mid) <= size / 3 \
                    and -0.25 * size <= gap <= 0.5 * size \
                    and (len(r) < 2 or gap <= r[1]["top"] - r[0]["bottom"] + 0.25 * size) \
                    and gap < 0.5 * min(room.get(id(c), inf), room.get(id(last), inf)) \
                    and not any(last["bottom"] - 0.5 <= e["top"] <= c["top"] + 0.5 and e["x0"] <= mid <= e["x1"]
                                for e in rules)

            run = next((r for r in open_runs if continues(r)), None)
            if run is not None:
                run.append(c)
            else:
                open_runs.append([c])
        runs += open_runs
    out = []
    for run in runs:
        if run[0]["upright"] and len(run) < 2:
            continue
        out.append(run[::-1] if text_turn(run[0]) == 90 else run)  # text running upwards: read from the bottom
    return out, lines


def _label_tops(runs: list[list[dict]], lines: list[list[dict]], rules: list[dict]) -> list[float]:
    """Where each vertical label is read as a word: the labels of one header row — runs overlapping
    vertically, however they are aligned in their cells (text running up from the bottom, stacked from the
    top, centred) — and the horizontal labels printed beside them on one text line: the top of the first
    horizontal text line inside their vertical extent, else the extent's top.  A label never leaves its
    ruled cell (the nearest horizontal rules above and below it)."""
    spans = [(min(c["top"] for c in run), max(c["bottom"] for c in run)) for run in runs]
    taken = {id(c) for run in runs for c in run}
    tops = [0.0] * len(runs)
    order = sorted(range(len(runs)), key=lambda k: spans[k][0])
    k = 0
    while k < len(order):
        band = [order[k]]
        low, high = spans[order[k]]
        while k + 1 < len(order) and spans[order[k + 1]][0] < high:
            k += 1
            band.append(order[k])
            high = max(high, spans[order[k]][1])
        k += 1
        beside = [line[0]["top"] for line in lines if low <= (line[0]["top"] + line[0]["bottom"]) / 2 <= high
                  and any(id(c) not in taken for c in line)]
        anchor = min(beside, default=low)
        for r in band:
            run, (top, bottom) = runs[r], spans[r]
            mid = sum(c["x0"] + c["x1"] for c in run) / (2 * len(run))
            over = [e["top"] for e in rules if e["x0"] <= mid <= e["x1"]]
            above = max((y for y in over if y <= top + 0.5), default=float("-inf"))
            below = min((y for y in over if y >= bottom - 0.5), default=float("inf"))
            height = max(c.get("size") or 0 for c in run) or max(c["x1"] - c["x0"] for c in run)
            tops[r] = min(max(anchor, above), below - height)
    return tops


def stand_up_labels(page):
    """`page` with its vertically printed labels (see _vertical_runs) as horizontal words: each label's
    characters laid side by side, in reading order, across the label's width at _label_tops, upright — so the
    table finder and the text lines read '基本支出' where it was printed '基\\n本\\n支\\n出' or turned, in
    its cell (ruled) or its column (unruled), and its column is the same as for a horizontal header.
    Returns the page itself when it has none."""
    runs, lines = _vertical_runs(page)
    if not runs:
        return page
    moved: dict[int, dict] = {}
    tops = _label_tops(runs, lines, [e for e in page.edges if e["orientation"] == "h"])
    for run, top in zip(runs, tops):
        x0, x1 = min(c["x0"] for c in run), max(c["x1"] for c in run)
        height = max(c.get("size") or 0 for c in run) or max(c["x1"] - c["x0"] for c in run)
        step = (x1 - x0) / len(run)
        for k, c in enumerate(run):
            left = x0 + k * step
            moved[id(c)] = {**c, "x0": left, "x1": left + step, "top": top, "bottom": top + height, "doctop": top,
                            "y0": page.height - top - height, "y1": page.height - top, "width": step,
                            "height": height, "upright": True, "matrix": (1, 0, 0, 1, left, page.height - top)}
    chars = [moved.get(id(c), c) for c in page.chars]
    return PageObjects(chars, page.edges, page.images, page.width, page.height)
