"""Scanned PDF pages read by OCR: the page image's text as the characters and rules the PDF reader reads.

A page the PDF reader finds to be a scanned image (``pdf._is_scanned``: images over half of it, no text
over them) is rendered with pdfium at OCR_DPI and read by RapidOCR (``rapidocr-onnxruntime``: PaddleOCR's
PP-OCRv4 detection and recognition models, shipped inside the wheel — nothing is downloaded — run by
onnxruntime on the CPU).  Each text box it finds comes back with its characters, each with a box and a
confidence; they become pdfplumber-shaped character dicts (points from the page's top left) laid side by
side inside their box (an OCR box is one run of text: the spaces the recogniser puts inside a figure,
``5, 334. 09``, are not kept), so the reader's table finder and text lines see the page as a text page.
The rules of a ruled table are in the image: long horizontal and vertical runs of dark pixels
(morphological opening, ``_rules``) become the page's edges, so a ruled table is found on its rules as on
a text page; a table printed without rules is found by its text's alignment, as on a text page.

A figure whose characters the recogniser is not sure of (a character under MIN_CONFIDENCE) is not
guessed: the page reports it (``OcrPage.doubtful``) and the reader turns it into a reject.

``JUESUAN_OCR=0`` (or ``off``/``no``/``false``) turns OCR off: scanned pages are then named, not read, as
before.  OCR stops (the rest of the document's scanned pages named as not read) once it has taken
OCR_SHARE of the per-document time budget (``JUESUAN_DOC_TIMEOUT``), so a long scanned report ends with the
pages it could read rather than being stopped whole.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

OCR_DPI = 150  # render scale of a scanned page: 9 pt print is ~19 px high (measured: bench/README.md)
MIN_CONFIDENCE = 0.9  # a figure with a character recognised below this is rejected, not loaded
OCR_SHARE = 0.6  # of JUESUAN_DOC_TIMEOUT: OCR stops taking pages once it has used this much
_ENV = "JUESUAN_OCR"
_OFF = {"0", "off", "no", "false"}
# a figure as printed: digits with separators, a sign, a per cent sign (a code, a 栏次 number alike)
_FIGURE = re.compile(r"^[-+−]?[\d,，.．]*\d[\d,，.．]*%?$")
_NUMBER = re.compile(r"\d[\d,，.．]*\d|\d")  # a number inside a line of prose
# a rule is a run of dark pixels at least this long (points): longer than any stroke of a character
_RULE_MIN = 18.0

_MAX_RATIO = 16  # a text line wider than this many times its height is recognised in pieces (_pieces)

_engine = None


def enabled() -> bool:
    """Is OCR of scanned pages on (``JUESUAN_OCR`` not 0/off/no/false)?"""
    return os.environ.get(_ENV, "1").strip().lower() not in _OFF


def unavailable() -> str | None:
    """Why OCR cannot run here (its package does not import: a missing libGL.so.1 for OpenCV, say), or None."""
    try:
        _get_engine()
    except Exception as exc:  # noqa: BLE001 - any import or start-up failure means: no OCR here
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def _get_engine():
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        # one thread: parsing workers run one a core, and onnxruntime's spinning threads cost CPU for nothing
        _engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    return _engine


def time_budget() -> float:
    """Seconds of OCR one document may use: OCR_SHARE of JUESUAN_DOC_TIMEOUT (300 s by default)."""
    from ingest.limits import Limits

    return OCR_SHARE * Limits.from_env().doc_timeout_s


@dataclass
class OcrPage:
    """One scanned page as read by OCR: pdfplumber-shaped `chars` and `edges` (points from the top left of
    the `width` × `height` displayed page), the `doubtful` figures (text as read, its box in points) whose
    characters were recognised below MIN_CONFIDENCE (in `chars` all the same: the reader finds their cells
    and rejects them), every text box (text without spaces, box in points) and the CPU seconds it took."""

    chars: list[dict]
    edges: list[dict]
    width: float
    height: float
    doubtful: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)
    boxes: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)
    seconds: float = 0.0


def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x2e80


def _char_dicts(text: str, boxes: list, x0: float, top: float, x1: float, bottom: float, height: float,
                scale: float) -> list[dict]:
    """The characters of one OCR box as pdfplumber char dicts, side by side from x0 to x1 (points): each
    where the recogniser placed it when it gave one box per character, else spread by width (a CJK or
    full-width character twice a digit's).  Spaces are dropped: a box is one run of text."""
    kept = [(k, ch) for k, ch in enumerate(text) if not ch.isspace()]
    if not kept:
        return []
    if boxes and len(boxes) == len(text):
        starts = [max(x0, min(x1, min(p[0] for p in boxes[k]) / scale)) for k, _ in kept]
        x1 = max(starts[-1] + 0.1, min(x1, max(p[0] for p in boxes[kept[-1][0]]) / scale))  # the box is padded
    else:
        weights = [1.0 if _is_wide(ch) else 0.55 for _, ch in kept]
        unit = (x1 - x0) / sum(weights)
        starts, at = [], x0
        for w in weights:
            starts.append(at)
            at += w * unit
    for k in range(1, len(starts)):
        starts[k] = max(starts[k], starts[k - 1] + 0.1)
    ends = starts[1:] + [x1]
    size = 0.8 * (bottom - top)
    out = []
    for (_, ch), a, b in zip(kept, starts, ends):
        b = max(b, a + 0.1)
        out.append({"object_type": "char", "text": ch, "x0": a, "x1": b, "top": top, "bottom": bottom,
                    "doctop": top, "y0": height - bottom, "y1": height - top, "width": b - a,
                    "height": bottom - top, "upright": True, "size": size, "fontname": "OCR",
                    "matrix": (1, 0, 0, 1, a, height - bottom)})
    return out


def _rules(gray, scale: float) -> list[dict]:
    """Horizontal and vertical rules drawn in a page image (`gray`: 2-D uint8, `scale` pixels a point) as
    pdfplumber line edges in points: runs of dark pixels at least _RULE_MIN points long, found by a
    morphological opening along each direction (strokes of characters are shorter and vanish)."""
    import cv2
    import numpy as np

    dark = (gray < 160).astype(np.uint8) * 255
    length = max(3, int(_RULE_MIN * scale))
    edges: list[dict] = []
    for orientation, kernel in (("h", (length, 1)), ("v", (1, length))):
        lines = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for k in range(1, count):
            x, y, w, h = (int(v) for v in stats[k][:4])
            if orientation == "h":
                mid = (y + h / 2) / scale
                a, b = x / scale, (x + w) / scale
                edges.append({"object_type": "line_edge", "orientation": "h", "x0": a, "x1": b, "top": mid,
                              "bottom": mid, "doctop": mid, "width": b - a, "height": 0})
            else:
                mid = (x + w / 2) / scale
                a, b = y / scale, (y + h) / scale
                edges.append({"object_type": "line_edge", "orientation": "v", "x0": mid, "x1": mid, "top": a,
                              "bottom": b, "doctop": a, "width": 0, "height": b - a})
    return edges


def _pieces(crop, box) -> list[tuple]:
    """A text line's image `crop` (its box `box`: 4 points, clockwise from the top left, in page pixels) cut
    into pieces no wider than _MAX_RATIO times its height, each at the column with the least ink near its
    aim (a gap between two characters), with each piece's box: the recogniser's time grows faster than a
    line's length (measured: a page of full-width prose lines 2–3× slower whole than in pieces)."""
    import numpy as np

    h, w = crop.shape[:2]
    if w <= _MAX_RATIO * h:
        return [(crop, box)]
    blank = (crop.min(axis=2) >= 200).all(axis=0)  # a column without a trace of ink (anti-aliasing counts)
    cuts = [0]
    while w - cuts[-1] > _MAX_RATIO * h:
        aim = cuts[-1] + int(0.75 * _MAX_RATIO * h)
        lo, hi = max(cuts[-1] + h, aim - 2 * h), min(w - h, aim + 2 * h)
        runs, start = [], None  # blank runs in the window: the widest is a gap between words or characters,
        for x in range(lo, hi + 1):  # never the narrow one between two digits of a figure, if it can be helped
            if x < hi and blank[x]:
                start = x if start is None else start
            elif start is not None:
                runs.append((x - start, -abs((start + x) // 2 - aim), (start + x) // 2))
                start = None
        if not runs:
            break  # no blank column near: the rest stays whole
        cuts.append(max(runs)[2])
    cuts.append(w)
    p0, p1, p2, p3 = (np.asarray(p, dtype=np.float32) for p in box)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        fa, fb = a / w, b / w
        out.append((crop[:, a:b], np.array([p0 + (p1 - p0) * fa, p0 + (p1 - p0) * fb, p3 + (p2 - p3) * fb,
                                            p3 + (p2 - p3) * fa], dtype=np.float32)))
    return out


def _recognise(engine, image) -> list:
    """RapidOCR's detection, then recognition of every text line in pieces (_pieces), each piece's characters
    with their boxes and confidences: [box, text, score, char boxes, chars, char scores] a piece, boxes in
    pixels of `image` (which must need no resizing: under 2,000 pixels a side, as OCR_DPI renders A4)."""
    boxes, _ = engine.auto_text_det(image)
    if boxes is None or not len(boxes):
        return []
    crops = engine.get_crop_img_list(image, boxes)
    pieces = [piece for crop, box in zip(crops, boxes) for piece in _pieces(crop, box)]
    images, piece_boxes = [p[0] for p in pieces], [p[1] for p in pieces]
    texts, _ = engine.text_rec(images, True)
    texts = engine.cal_rec_boxes(images, piece_boxes, texts)
    return [[box.tolist(), *found] for box, found in zip(piece_boxes, texts) if found[0].strip()]


def read_image_page(page) -> OcrPage:
    """OCR one pypdfium2 page (as displayed: /Rotate applied) → OcrPage.

    Raises whatever the OCR engine raises when it cannot start (see `unavailable`)."""
    import numpy as np

    started = time.process_time()
    engine = _get_engine()
    width, height = page.get_size()
    scale = OCR_DPI / 72
    image = page.render(scale=scale, grayscale=True).to_numpy()
    gray = image if image.ndim == 2 else image[..., 0]
    result = _recognise(engine, np.stack([gray] * 3, axis=-1))
    chars: list[dict] = []
    doubtful: list[tuple[str, tuple[float, float, float, float]]] = []
    boxes: list[tuple[str, tuple[float, float, float, float]]] = []
    for item in result or []:
        box, text, score = item[0], item[1], float(item[2])
        words = item[4] if len(item) > 5 else []  # with return_word_box: one box and score a character
        aligned = len(words) == len(text) and all(len(w) == 1 for w in words)
        char_boxes, char_scores = (item[3], item[5]) if aligned else ([], [])
        x0, x1 = min(p[0] for p in box) / scale, max(p[0] for p in box) / scale
        top, bottom = min(p[1] for p in box) / scale, max(p[1] for p in box) / scale
        squashed = "".join(text.split())
        if not squashed:
            continue
        scores = [float(s) for ch, s in zip(text, char_scores) if not ch.isspace()] \
            if len(char_scores) == len(text) else [score]
        if _FIGURE.match(squashed) and min(scores) < MIN_CONFIDENCE:
            doubtful.append((squashed, (x0, top, x1, bottom)))
        elif len(scores) > 1:  # prose: each number in it whose characters the recogniser was unsure of
            kept = [(ch, sc) for ch, sc in zip((c for c in text if not c.isspace()), scores)]
            for m in _NUMBER.finditer(squashed):
                if min(sc for _, sc in kept[m.start():m.end()]) < MIN_CONFIDENCE:
                    doubtful.append((m.group(), (x0, top, x1, bottom)))
        boxes.append((squashed, (x0, top, x1, bottom)))
        chars += _char_dicts(text, char_boxes, x0, top, x1, bottom, height, scale)
    edges = _rules(gray, scale)
    return OcrPage(chars, edges, width, height, doubtful, boxes, time.process_time() - started)


@dataclass
class Scans:
    """A document's scanned pages as OCR read them: `pages` (page number → OcrPage), and why OCR `stopped`
    before the last of them (its engine does not start here, or the time budget is used up), if it did."""

    pages: dict[int, OcrPage] = field(default_factory=dict)
    stopped: str | None = None

    def report(self, raw, where: dict) -> None:
        """Say in `raw` (the document's RawText, its tables assembled; `where`: locator → box in points, as
        pdf._assemble fills it) what OCR read: a note naming the pages, the pages (``raw.ocr_pages``: their
        figures are marked as read by OCR) and the cells or lines holding a doubtful figure
        (``raw.doubtful``: (locator, text as read), rejected by the parser, never loaded)."""
        if not self.pages:
            return
        from ingest.normalize import squash
        from ingest.readers.pdf import _page_list

        numbers = sorted(self.pages)
        raw.ocr_pages = numbers
        boxes = sum(len(p.boxes) for p in self.pages.values())
        seconds = sum(p.seconds for p in self.pages.values())
        raw.notes.append((f"page {numbers[0]}", f"page {_page_list(numbers)}: scanned image read by OCR ({boxes} "
                                                f"text boxes, {seconds:.1f} s CPU); its figures are marked ocr: "
                                                f"check them against the identity checks"))
        cells: dict[str, list] = {}
        for grid in raw.tables or []:
            for row in grid.rows:
                for cell in row:
                    if cell.ref and " C" in cell.ref:
                        cells.setdefault(cell.ref[:cell.ref.rindex(" C")], []).append(cell)
        for number, page in self.pages.items():
            for text, (x0, top, x1, bottom) in page.doubtful:
                middle = (top + bottom) / 2
                rows = [loc for loc, box in where.items() if loc.startswith(f"p{number} ")
                        and box[1] - 1 <= middle <= box[3] + 1]
                row = next((loc for loc in rows if " R" in loc), rows[0] if rows else None)
                if row is None:
                    raw.doubtful.append((f"p{number}", text))
                    continue
                same = [c for c in sorted(cells.get(row, []), key=lambda c: c.col) if squash(c.text) == text]
                rank = sum(1 for t, b in page.boxes if t == text and b[0] < x0 and b[1] < bottom and b[3] > top)
                raw.doubtful.append((same[min(rank, len(same) - 1)].ref if same else row, text))


def read_scans(data: bytes, pages: list, read_page) -> Scans:
    """OCR the scanned pages (``page.scanned``) of a PDF's `pages` (pdf._Page, read from `data`), each
    replaced in `pages` by ``read_page(objects, page_no)`` of the characters and rules OCR found (a
    pdfium_page.PageObjects), in page order until the time budget (time_budget, wall clock) is used up.
    Returns the Scans; a page OCR could not read stays as it was (named as a scan by the reader)."""
    import pypdfium2 as pdfium

    from ingest.readers.pdfium_page import PageObjects

    scans = Scans()
    why = unavailable()
    if why is not None:
        scans.stopped = f"the OCR engine does not start here ({why})"
        return scans
    budget = time_budget()
    started = time.monotonic()
    document = pdfium.PdfDocument(data)
    try:
        for k, page in enumerate(pages):
            if not page.scanned:
                continue
            if time.monotonic() - started > budget:
                scans.stopped = (f"the document's OCR time ({budget:.0f} s, {OCR_SHARE:.0%} of JUESUAN_DOC_TIMEOUT) "
                                 f"was used up")
                break
            image_page = document[page.page_no - 1]
            try:
                got = read_image_page(image_page)
            finally:
                image_page.close()
            pages[k] = read_page(PageObjects(got.chars, got.edges, [], got.width, got.height), page.page_no)
            scans.pages[page.page_no] = got
    finally:
        document.close()
    return scans
