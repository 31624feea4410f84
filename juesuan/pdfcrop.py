"""Cropped images of the place in a PDF where a figure was read — the drill-down of the HTML report and site.

The warehouse keeps each reading's ``source_ref`` (contract formats ``p10 T1 R5 C3``: page, table on the
page, row of pdfplumber's grid, column; ``p3 L12``: page, text line on the page) and the figure's text as
printed, not its coordinates.  Rather than widen the raw schema, the region is recomputed at render time:
the PDF is reopened with pdfplumber and the page's tables and lines enumerated the way the PDF reader
(``ingest.readers.pdf``) numbers them; this is done only for the pages a finding or fact names, once per
page.  The figure's printed text is then searched inside that row or line, and the match is outlined.
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
    """The printed text with any spacing allowed between its characters (extraction may add or drop spaces)."""
    chars = [re.escape(c) for c in re.sub(r"\s+", "", printed)]
    return re.compile(r"\s*".join(chars))


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
        self._layout: dict[int, tuple[list, list]] = {}
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

    def _tables_and_lines(self, page_no: int) -> tuple[list, list]:
        """The page's tables (pdfplumber Table, numbered T1… as the reader numbers them) and its text
        lines outside the tables (sorted by top: line N is ``L{N}``) — ingest.readers.pdf._read_page."""
        if page_no in self._layout:
            return self._layout[page_no]
        from ingest.readers import pdf as reader

        page = self._page(page_no)
        tables: list = []
        for table in page.find_tables():
            if reader._piece(page_no, len(tables) + 1, table) is not None:
                tables.append(table)
        if not tables:
            lines = page.extract_text_lines(return_chars=False)
            if reader._aligned_figure_lines(lines) >= 3:
                for table in page.find_tables(reader._TEXT_SETTINGS):
                    piece = reader._piece(page_no, len(tables) + 1, table)
                    if piece is not None and piece.header_rows < len(piece.texts):
                        tables.append(table)
        if tables:
            bands = [(t.bbox[1] - 0.5, t.bbox[3] + 0.5) for t in tables]

            def outside(obj) -> bool:
                if obj.get("object_type") != "char":
                    return True
                mid = (obj["top"] + obj["bottom"]) / 2
                return not any(top <= mid <= bottom for top, bottom in bands)

            lines = page.filter(outside).extract_text_lines(return_chars=False)
        else:
            lines = page.extract_text_lines(return_chars=False)
        self._layout[page_no] = (tables, sorted(lines, key=lambda line: line["top"]))
        return self._layout[page_no]

    def _find(self, page, bbox: Bbox, printed: str | None, near: float | None = None) -> Bbox | None:
        """The printed text inside ``bbox`` (the hit whose top is nearest ``near`` when it occurs more than once)."""
        if not printed or not printed.strip():
            return None
        x0, top, x1, bottom = bbox
        area = page.crop((max(x0, 0), max(top, 0), min(x1, page.width), min(bottom, page.height)), strict=False)
        hits = area.search(_pattern(printed), return_chars=False)
        if not hits:
            return None
        hit = min(hits, key=lambda h: abs(h["top"] - near)) if near is not None else hits[0]
        return hit["x0"], hit["top"], hit["x1"], hit["bottom"]

    def region(self, ref: str, printed: str | None = None) -> Region | None:
        """The region of the reading at ``ref`` whose text as printed is ``printed`` (None if not found)."""
        cell, line = CELL_REF.match(ref or ""), LINE_REF.match(ref or "")
        if not cell and not line:
            return None
        page_no = int((cell or line).group(1))
        page = self._page(page_no)
        if page is None:
            return None
        tables, lines = self._tables_and_lines(page_no)
        band: Bbox | None = None
        context: Bbox | None = None   # the band with the row or line above and below it
        if cell:
            t, r = int(cell.group(2)), int(cell.group(3))
            if t <= len(tables) and r <= len(tables[t - 1].rows):
                table = tables[t - 1]
                rows = table.rows
                band = (table.bbox[0], rows[r - 1].bbox[1], table.bbox[2], rows[r - 1].bbox[3])
                context = (band[0], rows[max(r - 2, 0)].bbox[1], band[2], rows[min(r, len(rows) - 1)].bbox[3])
        else:
            n = int(line.group(2))
            if n <= len(lines):
                ln = lines[n - 1]
                left = min((x["x0"] for x in lines), default=ln["x0"])
                right = max((x["x1"] for x in lines), default=ln["x1"])
                band = (left, ln["top"], right, ln["bottom"])
                context = (left, lines[max(n - 2, 0)]["top"], right, lines[min(n, len(lines) - 1)]["bottom"])
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
