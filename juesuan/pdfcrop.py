"""Cropped images of the place in a PDF where a figure was read — the drill-down of the HTML report and site.

The warehouse keeps each reading's ``source_ref`` (contract formats ``p10 T1 R5 C3``: page, table on the
page, row of pdfplumber's grid, column; ``p3 L12``: page, text line on the page) and the figure's text as
printed, not its coordinates.  Rather than widen the raw schema, the region is recomputed at render time:
the PDF reader (``ingest.readers.pdf``) reads the document again and says where it printed each line and
table row it numbered (``read_pdf(geometry=…)``), once per document and only for documents a finding or
fact names.  The figure's printed text is then searched inside that row or line, and the match is outlined.
If the ref does not resolve (a PDF read by a newer reader, a table found differently) the printed text is
searched on the whole page instead, so a crop is never of the wrong place without saying so
(``Region.how`` is ``"ref"`` or ``"text"``); when neither finds it, there is no crop.

Images: ``page.crop(bbox).to_image(resolution=...)`` (pdfplumber ≥ 0.11 renders with pypdfium2), the match
drawn with ``PageImage.draw_rect``; each page is rendered once and shared by the crops on it.
"""
from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from pathlib import Path

CELL_REF = re.compile(r"^p(\d+) T(\d+) R(\d+) C(\d+)$")
LINE_REF = re.compile(r"^p(\d+) L(\d+)$")
RESOLUTION = 110  # dots per inch of the crops: 9-pt table text stays legible at 100 % zoom
MARK_FILL = (214, 39, 40, 40)
MARK_STROKE = (214, 39, 40, 255)

Bbox = tuple[float, float, float, float]   # x0, top, x1, bottom in PDF points, origin top left (pdfplumber)


@dataclass(frozen=True)
class Region:
    """Where a reading sits on its page: ``bbox`` the crop (row or line with a little context, PDF points),
    ``mark`` the printed figure inside it (None when the text was not found in the row or line), ``how``
    ``"ref"`` (resolved from the source_ref) or ``"text"`` (found by searching the page for the text)."""

    page: int
    bbox: Bbox
    mark: Bbox | None
    how: str


def page_of(ref: str) -> int | None:
    """The page number a PDF source_ref names (``p10 T1 R5 C3`` → 10), else None."""
    m = re.match(r"^p(\d+) ", ref or "")
    return int(m.group(1)) if m else None


def _pattern(printed: str) -> re.Pattern:
    """The printed text with any spacing allowed between its characters (extraction may add or drop spaces),
    a figure never matched inside a longer one ("5" is not the 5 of "95" or of "5.00")."""
    text = re.sub(r"\s+", "", printed)
    body = r"\s*".join(re.escape(c) for c in text)
    before = r"(?<![\d.,])" if text[:1].isdigit() else ""
    after = r"(?![\d.,]?\d)" if text[-1:].isdigit() else ""
    return re.compile(before + body + after)


class PdfCropper:
    """One PDF opened for locating and cropping readings; use as a context manager.

    ``region(ref, printed)`` → Region or None; ``png(region)`` → PNG bytes.  Raises nothing for a ref it
    cannot resolve (returns None); opening a file that is not a PDF raises pdfplumber's error.
    """

    def __init__(self, path: Path, resolution: int = RESOLUTION):
        import pdfplumber

        self.path = Path(path)
        self.resolution = resolution
        self._pdf = pdfplumber.open(str(self.path))
        self._geometry: dict[str, tuple[float, float, float, float]] | None = None
        self._images: dict[int, object] = {}

    def __enter__(self) -> PdfCropper:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._images.clear()
        self._pdf.close()

    # ---------------------------------------------------------------- layout as the PDF reader numbers it
    def _page(self, page_no: int):
        if not 1 <= page_no <= len(self._pdf.pages):
            return None
        return self._pdf.pages[page_no - 1]

    def _where(self) -> dict[str, tuple[float, float, float, float]]:
        """Where the PDF reader printed each locator (``p3 L12`` → the line, ``p10 T1 R5`` → the row), from
        the reader itself (``ingest.readers.pdf.read_pdf(geometry=…)``), so the numbering is the reader's;
        read once per document, when the first crop is asked for ({} when the reader cannot read it)."""
        if self._geometry is None:
            from ingest.readers import pdf as reader

            self._geometry = {}
            try:
                reader.read_pdf(self.path, self.path.read_bytes(), geometry=self._geometry)
            except Exception:  # noqa: BLE001 - no crop by ref: the printed text is searched instead
                self._geometry = {}
        return self._geometry

    def _find(self, page, bbox: Bbox, printed: str | None, near: float | None = None) -> Bbox | None:
        """The printed text inside ``bbox`` (the hit whose top is nearest ``near`` when it occurs more than once)."""
        if not printed or not printed.strip():
            return None
        x0, top, x1, bottom = bbox
        area = page.crop((max(x0, 0), max(top, 0), min(x1, page.width), min(bottom, page.height)), strict=False)
        hits = area.search(_pattern(printed), return_chars=False) or self._turned_hits(area, printed)
        if not hits:
            return None
        hit = min(hits, key=lambda h: abs(h["top"] - near)) if near is not None else hits[0]
        return hit["x0"], hit["top"], hit["x1"], hit["bottom"]

    @staticmethod
    def _turned_hits(area, printed: str) -> list[dict]:
        """Matches of the printed text in `area` (a pdfplumber page or crop) where it runs turned: pdfplumber
        reads vertical text top to bottom, so a figure running up the page ('5,015.32' printed turned 90) is
        never found as printed.  The area's characters are read in their text's own frame
        (ingest.readers.pdfium_page.turned, as the reader reads the page), searched there, and each hit
        given as the box of its characters on the page; [] when the area's text is upright."""
        from pdfplumber import utils

        from ingest.readers.pdfium_page import PageObjects, turned

        chars = [{**c, "_n": n} for n, c in enumerate(area.chars)]
        if not chars:
            return []
        size = (max(c["x1"] for c in chars) + 1, max(c["bottom"] for c in chars) + 1)  # the page's coordinates
        frame, turn = turned(PageObjects(chars, [], [], *size))
        if not turn:
            return []
        hits = []
        for hit in utils.chars_to_textmap(frame.chars).search(_pattern(printed), return_chars=True):
            own = [chars[c["_n"]] for c in hit["chars"]]
            hits.append({"x0": min(c["x0"] for c in own), "top": min(c["top"] for c in own),
                         "x1": max(c["x1"] for c in own), "bottom": max(c["bottom"] for c in own)})
        return hits

    def region(self, ref: str, printed: str | None = None) -> Region | None:
        """The region of the reading at ``ref`` whose text as printed is ``printed`` (None if not found)."""
        cell, line = CELL_REF.match(ref or ""), LINE_REF.match(ref or "")
        if not cell and not line:
            return None
        page_no = int((cell or line).group(1))
        page = self._page(page_no)
        if page is None:
            return None
        where = self._where()
        if cell:
            t, r = int(cell.group(2)), int(cell.group(3))
            key = f"p{page_no} T{t} R{{}}"
            band = where.get(key.format(r))
            near = [b for b in (where.get(key.format(r - 1)), band, where.get(key.format(r + 1))) if b]
        else:
            n = int(line.group(2))
            band = where.get(f"p{page_no} L{n}")
            near = [b for b in (where.get(f"p{page_no} L{n - 1}"), band, where.get(f"p{page_no} L{n + 1}")) if b]
        # the band with the row or line above and below it
        context = (min(b[0] for b in near), min(b[1] for b in near), max(b[2] for b in near),
                   max(b[3] for b in near)) if band else None
        mark = self._find(page, band, printed) if band else None
        if band is not None and (mark is not None or not printed):
            return Region(page_no, self._pad(page, context), mark, "ref")
        # the ref did not lead to the printed text (a figure wrapped onto the next line, a table found
        # differently): search the page for it, nearest to where the ref pointed
        found = self._find(page, (0, 0, page.width, page.height), printed, near=band[1] if band else None)
        if found is None:
            return None
        width = page.width * 0.9
        mid = (found[0] + found[2]) / 2
        x0 = min(max(mid - width / 2, 0), page.width - width)
        return Region(page_no, self._context(page, (x0, found[1], x0 + width, found[3])), found, "text")

    @staticmethod
    def _pad(page, box: Bbox) -> Bbox:
        """A few points of margin around ``box``, clipped to the page."""
        x0, top, x1, bottom = box
        return (max(x0 - 6, 0), max(top - 3, 0), min(x1 + 6, page.width), min(bottom + 3, page.height))

    @staticmethod
    def _context(page, band: Bbox) -> Bbox:
        """The band with one of its own heights above and below (clipped to the page), a little wider."""
        x0, top, x1, bottom = band
        h = max(bottom - top, 8.0)
        return (max(x0 - 6, 0), max(top - h, 0), min(x1 + 6, page.width), min(bottom + h, page.height))

    # ---------------------------------------------------------------- images
    def png(self, region: Region) -> bytes:
        """The region as a PNG (the printed figure outlined in red), at ``self.resolution`` dpi."""
        from pdfplumber.display import PageImage

        page = self._page(region.page)
        full = self._images.get(region.page)
        if full is None:
            full = self._images[region.page] = page.to_image(resolution=self.resolution).original
        image = PageImage(page.crop(region.bbox, strict=False), original=full, resolution=self.resolution)
        if region.mark is not None:
            x0, top, x1, bottom = region.mark
            image.draw_rect((x0 - 1.5, top - 1.5, x1 + 1.5, bottom + 1.5), fill=MARK_FILL, stroke=MARK_STROKE,
                            stroke_width=2)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI (the single-page HTML report embeds its crops)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
