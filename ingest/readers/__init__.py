"""Readers turn a file's bytes into a document: numbered prose lines and tables of cells.

``RawText.lines`` is the document as numbered lines — every parser downstream
(sections, paragraphs, narrative, metadata) works on lines.  ``RawText.tables``
are the document's tables as ``ingest.grids.Grid``s of ``Cell``s:

* the text reader finds them in the lines (``ingest.grids.find_grids``: tab
  separated or one-cell-per-line layouts);
* readers of formats with real tables (PDF, DOCX/DOC, XLSX/XLS, HTML) read the cells directly
  and build the grids with ``DocumentBuilder``, which also writes each table row
  into the line stream as a tab-separated line (so line numbers stay a total
  order of the document and prose parsers skip table lines).

Either way the table parsers get grids and never ask which reader made one.
``RawText.locators`` gives, per line, its place in the source file's own terms
(PDF ``p3 L12``, DOCX/DOC and HTML ``P41`` / ``T2 R5``, XLSX/XLS ``Sheet1!7``); a table cell keeps
its own ``ref`` (``p10 T1 R5 C3``, ``T2 R5 C3``, ``Sheet1!D7``).  Formats that cannot be read (RTF, OFD,
ZIP/RAR bundles) have readers too, which fail with what to do (``legacy``), so a run lists them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import ReadError
from ingest.grids import Cell, Grid, context_before, find_grids
from ingest.limits import check_archive
from ingest.normalize import normalise_line, normalise_lines


@dataclass
class RawText:
    lines: list[str]
    format: str
    encoding: str | None = None
    locators: list[str] | None = None  # same length as lines when the format has pages/tables
    issues: list[tuple[str, str]] = field(default_factory=list)  # (place, message): what the reader found wrong
    tables: list[Grid] | None = None  # None: the tables are in the lines (found by find_grids)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (place, message): worth saying, not wrong (warnings)
    ocr_pages: list[int] = field(default_factory=list)  # PDF pages whose text was read by OCR (ingest.readers.ocr)
    doubtful: list[tuple[str, str]] = field(default_factory=list)  # (locator, text): figures OCR was unsure of


def cell_text(text: str | None) -> str:
    """One table cell's printed text on one line: wrapped lines re-joined (no space between CJK
    characters, one space between Latin words/numbers), tabs removed, characters normalised."""
    if not text:
        return ""
    out = ""
    for part in str(text).replace("\t", " ").splitlines():
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return normalise_line(out).strip()


class DocumentBuilder:
    """Collects prose lines and tables in reading order for readers of formats with real tables."""

    def __init__(self, format: str):  # noqa: A002 - the word the raw schema uses
        self.format = format
        self.lines: list[str] = []
        self.locators: list[str] = []
        self.tables: list[Grid] = []
        self._taken: set[int] = set()

    def prose(self, text: str, locator: str) -> None:
        self.lines.append(normalise_line(text))
        self.locators.append(locator)

    def table(self, rows: list[list[tuple[str, str | None]]], row_locators: list[str]) -> Grid | None:
        """Add one table: rows of (cell text, cell ref); fully blank rows are dropped.
        Returns the grid (None when nothing is left), its context being the prose lines just above."""
        start = len(self.lines)
        grid_rows: list[list[Cell]] = []
        for row, locator in zip(rows, row_locators):
            texts = [cell_text(text) for text, _ in row]
            if not any(texts):
                continue
            line_no = len(self.lines) + 1
            self.lines.append("\t".join(texts))
            self.locators.append(locator)
            grid_rows.append([Cell(t, line_no, c, ref) for c, (t, (_, ref)) in enumerate(zip(texts, row))])
        if not grid_rows:
            return None
        consumed = set(range(start, len(self.lines)))
        grid = Grid(self.format, grid_rows, start + 1, len(self.lines), consumed,
                    context_before(self.lines, start, self._taken))
        self._taken |= consumed
        self.tables.append(grid)
        return grid

    def blank(self, locator: str) -> None:
        self.prose("", locator)

    def result(self, **kwargs) -> RawText:
        return RawText(lines=self.lines, format=self.format, locators=self.locators, tables=self.tables, **kwargs)


ReaderFn = Callable[[Path, bytes], RawText]
_READERS: dict[str, ReaderFn] = {}
_FORMATS: dict[str, str] = {}


def register(*extensions: str, format: str):  # noqa: A002 - the word the raw schema uses
    """Decorator: register a reader for file extensions (lower case, with dot) producing `format`."""

    def deco(fn: ReaderFn) -> ReaderFn:
        for ext in extensions:
            _READERS[ext] = fn
            _FORMATS[ext] = format
        return fn

    return deco


def format_of(path: str | Path) -> str:
    """The format a file would be read as (unknown extensions are read as text)."""
    return _FORMATS.get(Path(path).suffix.lower(), "text")


def supported_extensions() -> list[str]:
    return sorted(_READERS)


# A PDF ends with its %%EOF marker (after an incremental update, its last one), give or take trailing whitespace
# and a few bytes some writers append; a ZIP container (DOCX/XLSX) with its end-of-central-directory record,
# at most 65,535 bytes of comment before the end.
_UNREADABLE = "not a readable "
_PDF_TAIL = 1024
_ZIP_EOCD = b"PK\x05\x06"
_ZIP_TAIL = 22 + 65535
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _compound_file_end(data: bytes) -> int:
    """The bytes a Compound File (.doc/.xls/.wps/.et) needs by its own sector table: up to the end of its last
    sector in use (its FAT sectors as the header lists them, then the last entry of theirs that is not free);
    0 when the header makes no sense."""
    if len(data) < 512:
        return 512
    shift, = struct.unpack_from("<H", data, 0x1E)
    fat_sectors, = struct.unpack_from("<I", data, 0x2C)
    if shift not in (9, 12) or not 0 < fat_sectors <= 109:   # a FAT listed beyond the header: not checked
        return 0
    size = 1 << shift
    sectors = struct.unpack_from(f"<{fat_sectors}I", data, 0x4C)
    end = (max(sectors) + 2) * size
    last = -1
    for n, sector in enumerate(sectors):
        at = (sector + 1) * size
        if at + size <= len(data):
            entries = struct.unpack_from(f"<{size // 4}I", data, at)
            used = [i for i, e in enumerate(entries) if e != 0xFFFFFFFF]
            if used:
                last = max(last, n * (size // 4) + used[-1])
    return max(end, (last + 2) * size)


def cut_container(data: bytes) -> str | None:
    """Why bytes that begin as a PDF, a ZIP container (DOCX/XLSX) or a Compound File (.doc/.xls) are cut short —
    they hold the file's first parts (a PDF object, a second archive member, a compound file's header) but lack
    the end every such file has: a PDF's last %%EOF, a ZIP's end-of-central-directory record, the sectors a
    compound file's sector table lists — or None (complete, garbage behind a header, or another format).
    Says nothing of a text file (any prefix of a text is text)."""
    if data.startswith(b"%PDF") and b"endobj" in data and b"%%EOF" not in data[-_PDF_TAIL:]:
        return f"a PDF ends with %%EOF, this one stops at byte {len(data)} without it"
    if data.startswith(b"PK\x03\x04") and b"PK\x03\x04" in data[4:] and _ZIP_EOCD not in data[-_ZIP_TAIL:]:
        return (f"a DOCX/XLSX (ZIP) file ends with its central directory, this one stops at byte {len(data)} "
                "without it")
    if data.startswith(_OLE) and (end := _compound_file_end(data)) > len(data):
        return f"a Word/Excel 97–2003 file's sector table reaches byte {end}, this one stops at byte {len(data)}"
    return None


def read_bytes(path: Path, data: bytes) -> RawText:
    """Dispatch on extension (unknown extensions are read as text) → RawText with lines and tables.

    Raises ReadError (naming the file and the place) for empty, binary, undecodable or unreadable input; a PDF or
    DOCX/XLSX its reader cannot open that lacks its end (cut_container) is said to be cut short at its last byte.
    """
    if not data:
        raise ReadError(str(path), "empty file", place="byte 0", hint="the file has no content")
    if data[:4] == b"PK\x03\x04":   # a ZIP container (DOCX/XLSX): refuse a zip bomb before any reader inflates it
        check_archive(path, data)
    reader = _READERS.get(path.suffix.lower(), _READERS[".txt"])
    try:
        raw = reader(path, data)
    except ReadError as exc:
        # a reader that could not open the file at all ("not a readable PDF file: …") says why in its parser's
        # words; a file that lacks its end says it better.  A specific reason (encrypted, no text layer) stays.
        cut = cut_container(data) if exc.message.startswith(_UNREADABLE) else None
        if cut is None:
            raise
        raise ReadError(str(path), f"the file is cut short: {cut}", place=f"byte {len(data)}",
                        hint="the copy or download stopped before the end; fetch the file again") from exc
    raw.lines = normalise_lines(raw.lines)
    if not any(line.strip() for line in raw.lines):
        raise ReadError(str(path), "no text found", place="whole file", hint="the file holds only whitespace")
    if raw.tables is None:
        raw.tables = find_grids(raw.lines)
    return raw


# Register the built-in readers (import for side effect).
from ingest.readers import legacy as _legacy  # noqa: E402,F401
from ingest.readers import office as _office  # noqa: E402,F401
from ingest.readers import pdf as _pdf  # noqa: E402,F401
from ingest.readers import text as _text  # noqa: E402,F401
from ingest.readers import webpage as _webpage  # noqa: E402,F401
