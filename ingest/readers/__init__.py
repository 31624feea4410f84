"""Readers turn a file's bytes into numbered lines of text.

Every parser downstream works on lines, so a new format (PDF, DOCX, XLSX, …)
only needs a reader: it emits paragraphs as lines and table rows as
tab-separated lines, and may attach a locator per line ("page 3", "table 2
row 5") that provenance reports alongside the line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ingest.errors import ReadError
from ingest.limits import check_archive
from ingest.normalize import normalise_line


@dataclass
class RawText:
    lines: list[str]
    format: str
    encoding: str | None = None
    locators: list[str] | None = None  # same length as lines when the format has pages/tables
    notes: list[str] = field(default_factory=list)


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


def read_bytes(path: Path, data: bytes) -> RawText:
    """Dispatch on extension; unknown extensions are read as text."""
    if not data:
        raise ReadError(str(path), "empty file", place="byte 0", hint="the file has no content")
    if data[:4] == b"PK\x03\x04":   # a ZIP container (DOCX/XLSX): refuse a zip bomb before any reader inflates it
        check_archive(path, data)
    reader = _READERS.get(path.suffix.lower(), _READERS[".txt"])
    raw = reader(path, data)
    raw.lines = [normalise_line(line) for line in raw.lines]
    if not any(line.strip() for line in raw.lines):
        raise ReadError(str(path), "no text found", place="whole file", hint="the file holds only whitespace")
    return raw


# Register the built-in readers (import for side effect).
from ingest.readers import text as _text  # noqa: E402,F401
from ingest.readers import office as _office  # noqa: E402,F401
from ingest.readers import pdf as _pdf  # noqa: E402,F401
