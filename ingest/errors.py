"""Errors that name the file and the place, so an analyst can go and look."""

from __future__ import annotations


class IngestError(Exception):
    """A document could not be read or parsed.

    ``place`` is human-readable ("line 435", "byte 1024", "table 公开03表 row 7").
    """

    def __init__(self, path: str, message: str, place: str | None = None, hint: str | None = None):
        self.path = str(path)
        self.message = message
        self.place = place
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.path}" + (f", {self.place}" if self.place else "")
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class ReadError(IngestError):
    """The bytes of a file could not be turned into text."""
