"""Plain-text reports: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ingest.errors import ReadError
from ingest.readers import RawText, register

_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document; give it the .pdf extension",
    b"PK\x03\x04": "a ZIP container (DOCX/XLSX); give it its .docx or .xlsx extension",
    b"\xd0\xcf\x11\xe0": "a legacy Office document (.doc/.xls); save it as .docx/.xlsx",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Return (text, encoding).  Raises ReadError naming the offending byte."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(path, data[len(codecs.BOM_UTF8):], "utf-8"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(path, data, "utf-16"), "utf-16"
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ReadError(str(path), "binary file, not text", place="byte 0", hint=f"looks like {what}")
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        raise ReadError(str(path), "binary file, not text", place=f"byte {nul}", hint="contains NUL bytes")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pos = utf8_error.start
            line_no = data.count(b"\n", 0, pos) + 1
            raise ReadError(
                str(path),
                f"cannot decode byte 0x{data[pos]:02x}: neither UTF-8 nor GB18030",
                place=f"byte {pos} (line {line_no})",
                hint="re-save the file as UTF-8",
            ) from None


def _strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(
            str(path), f"invalid {encoding} byte sequence", place=f"byte {exc.start}", hint="re-save the file"
        ) from None


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")  # control characters but \t \n \f \r


@register(".txt", ".text", ".md", ".csv", format="text")
def read_text(path: Path, data: bytes) -> RawText:
    text, encoding = decode(path, data)
    controls = len(_CONTROL.findall(text, 0, 20000))
    if controls > max(10, len(text[:20000]) // 100):
        raise ReadError(str(path), "binary file, not text", place="first 20000 characters",
                        hint=f"{controls} control characters")
    # Line numbers must match what an editor shows, so only \n (and \r\n / \r)
    # break lines; form feeds (PDF page breaks) are dropped in place.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "").split("\n")
    return RawText(lines=lines, format="text", encoding=encoding)
