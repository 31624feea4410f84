"""Other formats reports are published in: legacy Excel (.xls, WPS .et), legacy Word (.doc, WPS .wps), OFD and
ZIP/RAR bundles.

* .xls/.et in the BIFF format are read with xlrd, sheet by sheet through office.add_sheet — the same lines,
  grids and refs (``Sheet1!D7``) as the XLSX of the same sheet.  Numbers print as the sheet displays them (the
  cell's number format, read with ``formatting_info``), dates as dates.
* .doc/.wps in the Word 97–2003 binary format are read by worddoc.read_word97 (olefile opens the Compound File,
  worddoc reads the piece table and the paragraph and table properties) — the same lines, grids and refs
  (``P41``, ``T2 R5 C3``) as the DOCX of the same content; an encrypted one, a Word 6/95 one or a damaged one
  fails with a reason naming the file and the place.
* What sites serve under these names is often another format: a workbook or document saved as XLSX/DOCX (a ZIP)
  or exported as an HTML page.  The bytes decide: such a file is read by the reader of what it is.
* The rest cannot be read here and fails with a reason that says what to do — never skipped silently, so the
  run lists it: RTF under a .doc name, OFD (the maintained OFD package, easyofd, needs PyMuPDF and reportlab),
  and bundles (a ZIP or RAR of a report's files: each member has to be its own document, with its own path).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ingest.errors import ReadError
from ingest.readers import DocumentBuilder, RawText, register
from ingest.readers.office import add_sheet, cell_value_text, read_docx, read_xlsx
from ingest.readers.text import read_text
from ingest.readers.webpage import looks_like_html, looks_like_mhtml, read_html
from ingest.readers.worddoc import read_word97

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # a Compound File (OLE2): .xls, .doc, .et, .wps
ZIP = b"PK\x03\x04"
RTF = b"{\\rtf"


def _what(data: bytes) -> str:
    """What the bytes are by their signature: 'ole' (Compound File), 'zip', 'rtf', 'html' (or MHTML), else 'other'."""
    if data.startswith(OLE):
        return "ole"
    if data.startswith(ZIP):
        return "zip"
    if data.startswith(RTF):
        return "rtf"
    if looks_like_html(data) or looks_like_mhtml(data):
        return "html"
    return "other"


def _cell_value(cell, book) -> object:
    """An xlrd cell as the Python value openpyxl gives for the same XLSX cell: float, datetime/time, bool, the
    error's text (#DIV/0!), str, or None."""
    import xlrd

    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return cell.value
        return moment.time() if cell.value < 1 else moment
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell.value


def _number_format(cell, book) -> str:
    """The cell's number format string ('#,##0.00', 'General'), when the workbook was opened with formatting_info."""
    try:
        return book.format_map[book.xf_list[cell.xf_index].format_key].format_str
    except (AttributeError, IndexError, KeyError, TypeError):
        return "General"


def _open_xls(path: Path, data: bytes):
    """xlrd's Book, with cell formats where xlrd can read them (not for every BIFF version), warnings kept out of
    stdout.  Raises ReadError naming the file."""
    import xlrd

    log = io.StringIO()
    try:
        try:
            return xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=log)
        except NotImplementedError:   # formatting_info is not supported for this file's BIFF version
            return xlrd.open_workbook(file_contents=data, logfile=log)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a readable XLS"
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ReadError(str(path), f"not a readable XLS file: {detail}", place="byte 0") from None


@register(".xls", ".et", format="xls")
def read_xls(path: Path, data: bytes) -> RawText:
    """XLS (Excel 97–2003 BIFF, and WPS .et saved so) → RawText: each sheet through office.add_sheet, cells
    located ``Sheet1!D7``.  Numbers print as the cell's number format shows them (2 decimals for ``#,##0.00``),
    else as Excel's General format (up to 11 significant digits); dates print as dates (``2024-12-31``); merged
    cells keep their value in the top-left cell.  A file that is really an XLSX, an HTML table or tab-separated
    text (a site's "Excel" export) is read as what it is.  Raises ReadError naming the file when xlrd cannot open it."""
    kind = _what(data)
    if kind == "zip":
        return read_xlsx(path, data)
    if kind == "html":
        return read_html(path, data)
    if kind == "other":   # a site's "Excel" export that is tab-separated text (often UTF-16)
        try:
            return read_text(path, data)
        except ReadError:
            raise ReadError(str(path), "not a readable XLS file: neither an Excel workbook, HTML nor text",
                            place="byte 0") from None
    book = _open_xls(path, data)
    out = DocumentBuilder("xls")
    try:
        for sheet in book.sheets():
            rows = ((r + 1, [cell_value_text(_cell_value(cell, book), _number_format(cell, book))
                             for cell in sheet.row(r)])
                    for r in range(sheet.nrows))
            add_sheet(out, sheet.name, rows)
    finally:
        book.release_resources()
    return out.result()


# --------------------------------------------------------------------------- Word, and formats that fail with a reason
def _holds_workbook(data: bytes) -> bool:
    """Whether a Compound File holds an Excel workbook (a Workbook or Book stream) and no Word document."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return not ole.exists("WordDocument") and (ole.exists("Workbook") or ole.exists("Book"))
    except Exception:  # noqa: BLE001 - not a readable compound file: read_word97 says why
        return False


@register(".doc", ".wps", format="doc")
def read_doc(path: Path, data: bytes) -> RawText:
    """Legacy Word (.doc, WPS .wps) → RawText: a Word 97–2003 binary is read by worddoc.read_word97 (the same
    lines, grids and refs — ``P41``, ``T2 R5 C3`` — as the DOCX of the same content); a file that is really a DOCX,
    an HTML page (Word's "save as web page") or an Excel 97 workbook is read as what it is.  Raises ReadError naming the file for an
    encrypted, Word 6/95 or damaged binary (worddoc says which), an RTF document, or bytes that are none of these."""
    kind = _what(data)
    if kind == "zip":
        return read_docx(path, data)
    if kind == "html":
        return read_html(path, data)
    if kind == "ole":
        return read_xls(path, data) if _holds_workbook(data) else read_word97(path, data)
    ext = path.suffix.lower() or ".doc"
    if kind == "rtf":
        raise ReadError(str(path), f"an RTF document under {ext}: save it as .docx or PDF", place="whole file")
    raise ReadError(str(path), f"not a readable Word ({ext}) file: neither a Word binary, a DOCX nor HTML",
                    place="byte 0")


@register(".ofd", format="ofd")
def read_ofd(path: Path, data: bytes) -> RawText:
    """OFD (GB/T 33190): not read here; raises ReadError saying to save it as PDF (its ZIP sizes were checked
    against the zip-bomb limits first, like any ZIP container)."""
    raise ReadError(str(path), "OFD document: save it as PDF (OFD is not read)", place="whole file")


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name: one written without the UTF-8 flag by a Chinese system is GBK, which zipfile took for
    CP437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


@register(".zip", ".rar", format="archive")
def read_bundle(path: Path, data: bytes) -> RawText:
    """A ZIP/RAR bundle of a report's files: not expanded (each member would be a document of its own); raises
    ReadError naming the report files a ZIP holds, saying to unpack it and run on the folder."""
    ext = path.suffix.lower()
    if ext == ".zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = [_member_name(i) for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise ReadError(str(path), f"not a readable ZIP file: {exc}", place="byte 0") from None
        shown = ", ".join(names[:5]) + (f" … +{len(names) - 5}" if len(names) > 5 else "")
        raise ReadError(str(path), f"a bundle of {len(names)} files ({shown or '-'}): unpack it and run on "
                        "its folder (archives are not expanded)", place="whole file")
    raise ReadError(str(path), f"a {ext[1:].upper()} bundle: unpack it and run on its folder (archives are not "
                    "expanded)", place="whole file")


