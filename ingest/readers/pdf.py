"""PDF reports with a text layer (pdfplumber).  Scanned PDFs need OCR first.

The extracted text wraps at the page's column width, like the 002 seed: the
paragraph assembler re-joins wrapped lines, and each line keeps its page.
"""

from __future__ import annotations

import io
from pathlib import Path

from ingest.errors import ReadError
from ingest.readers import RawText, register


@register(".pdf", format="pdf")
def read_pdf(path: Path, data: bytes) -> RawText:
    try:
        import pdfplumber

        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        raise ReadError(str(path), f"not a readable PDF file: {exc}", place="byte 0") from None
    lines: list[str] = []
    locators: list[str] = []
    with pdf:
        for page_no, page in enumerate(pdf.pages, start=1):
            text = page.extract_text() or ""
            for line in text.split("\n"):
                lines.append(line)
                locators.append(f"page {page_no}")
            # Blank line at a page break, as text exporters write it.
            lines.append("")
            locators.append(f"page {page_no}")
    if not any(line.strip() for line in lines):
        raise ReadError(str(path), "PDF has no text layer", place="all pages", hint="run OCR before ingesting")
    return RawText(lines=lines, format="pdf", locators=locators)
