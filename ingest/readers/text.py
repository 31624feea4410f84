"""Plain-text reports: UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one: told by its zero
bytes), GB18030/GBK."""

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


def decode(path: Path, data: bytes) -> tuple[str, str, int | None]:
    """Return (text, encoding, cut): ``cut`` is the byte offset of an incomplete UTF-8 character the bytes
    end with (a copy cut short inside a character; the text is what comes before it), else None.
    Raises ReadError naming the offending byte."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            text, cut = _utf8(path, data, len(codecs.BOM_UTF8))
        except UnicodeDecodeError as exc:
            raise ReadError(str(path), "invalid utf-8 byte sequence", place=f"byte {len(codecs.BOM_UTF8) + exc.start}",
                            hint="re-save the file") from None
        return text, "utf-8-sig", cut
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(path, data, "utf-16"), "utf-16", None
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ReadError(str(path), "binary file, not text", place="byte 0", hint=f"looks like {what}")
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        utf16 = _utf16_by_its_nuls(data)
        if utf16 is not None:
            return _strict(path, data, utf16), utf16, None
        raise ReadError(str(path), "binary file, not text", place=f"byte {nul}", hint="contains NUL bytes")
    try:
        text, cut = _utf8(path, data, 0)
        return text, "utf-8", cut
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030", None
        except UnicodeDecodeError:
            pos = utf8_error.start
            line_no = data.count(b"\n", 0, pos) + 1
            raise ReadError(
                str(path),
                f"cannot decode byte 0x{data[pos]:02x}: neither UTF-8 nor GB18030",
                place=f"byte {pos} (line {line_no})",
                hint="re-save the file as UTF-8",
            ) from None


_TEXT_ASCII = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D}


def _utf16_by_its_nuls(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for UTF-16 without a BOM, else None.  Its ASCII characters (digits, spaces, line
    ends — plenty in a report) are a zero byte beside the character: in the first 64 KB the zero bytes sit mostly
    on one side of the byte pairs (at least 5 % of the pairs; the other side, where only characters such as 一
    U+4E00 put one, has at most a fifth as many), beside them printable ASCII, tabs and line ends, and the whole
    file decodes; a binary file has them anywhere, beside anything."""
    head = data[:65536]
    pairs = len(head) // 2
    even, odd = head[0::2], head[1::2]
    for encoding, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        n, other = zeros.count(0), chars.count(0)
        if not pairs or n < 0.05 * pairs or other > 0.2 * n:
            continue
        # beside each zero byte an ASCII character of text: printable, tab or line end (not 0x01, 0x02 …)
        ascii_chars = bytes(c for c, z in zip(chars, zeros) if z == 0)
        if sum(c in _TEXT_ASCII for c in ascii_chars) < 0.95 * len(ascii_chars):
            return None
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            return None
        return encoding
    return None


def _utf8(path: Path, data: bytes, start: int) -> tuple[str, int | None]:
    """UTF-8 from ``start`` (after a BOM): (text, None), or — UTF-8 to its last character, which the copy cut
    (never GB18030 then: that would read it as other characters) — (the text before that character, its byte
    offset).  Raises UnicodeDecodeError (offsets from ``start``) for any other invalid byte."""
    try:
        return data[start:].decode("utf-8"), None
    except UnicodeDecodeError as exc:
        if start + exc.end == len(data) and exc.reason == "unexpected end of data":
            return _strict(path, data[start:start + exc.start], "utf-8"), start + exc.start
        raise


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
    text, encoding, cut = decode(path, data)
    controls = len(_CONTROL.findall(text, 0, 20000))
    if controls > max(10, len(text[:20000]) // 100):
        raise ReadError(str(path), "binary file, not text", place="first 20000 characters",
                        hint=f"{controls} control characters")
    # Line numbers must match what an editor shows, so only \n (and \r\n / \r)
    # break lines; form feeds (PDF page breaks) are dropped in place.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "").split("\n")
    issues = []
    if cut is not None:   # the last line stops inside a character: what it holds is not read (a figure cut short)
        issues.append((f"L{len(lines)}", f"the document is cut short: the file ends inside a character at byte {cut}; "
                                         f"its last line, {len(lines)}, is incomplete and was not read"))
        lines[-1] = ""
    return RawText(lines=lines, format="text", encoding=encoding, issues=issues)
