"""DOCX and XLSX reports: paragraphs become prose lines, tables are read cell by cell into grids.

The grids (built with ``DocumentBuilder``) are the same ``Grid``s the text reader finds in its lines,
so the table parsers need no change for these formats; every cell keeps its ref (``T2 R5 C3``,
``Sheet1!D7``).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ingest.errors import ReadError
from ingest.readers import DocumentBuilder, RawText, register


def _cell_text(text: str) -> str:
    return " ".join(part.strip() for part in text.replace("\t", " ").splitlines() if part.strip())


@register(".docx", format="docx")
def read_docx(path: Path, data: bytes) -> RawText:
    """DOCX → RawText: paragraphs located ``P41`` (41st paragraph), tables read cell by cell as grids located
    ``T2 R5 C3``.  A merged cell's text is kept in its first (top-left) position, the covered positions
    are blank, as a text export prints them."""
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any failure means "not a readable DOCX"
        raise ReadError(str(path), f"not a readable DOCX file: {exc}", place="byte 0") from None

    out = DocumentBuilder("docx")
    table_no = para_no = 0
    rows: list[list[tuple[str, str]]] = []
    locators: list[str] = []

    def flush() -> None:
        # Tables that follow each other with no paragraph between and have the same columns are one
        # table (converters and page/section breaks split a table that way).
        if rows:
            out.table(rows, locators)
            out.blank(f"after T{table_no}")
        rows.clear()
        locators.clear()

    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            flush()
            para_no += 1
            out.prose(Paragraph(element, document).text, f"P{para_no}")
        elif tag == "tbl":
            table_no += 1
            table = Table(element, document)
            if rows and len(table.columns) != len(rows[-1]):
                flush()
            above: dict[int, object] = {}
            for row_no, row in enumerate(table.rows, start=1):
                cells: list[tuple[str, str]] = []
                previous = None
                for col_no, cell in enumerate(row.cells):
                    covered = cell._tc is previous or above.get(col_no) is cell._tc
                    cells.append(("" if covered else cell.text, f"T{table_no} R{row_no} C{col_no + 1}"))
                    previous = cell._tc
                    above[col_no] = cell._tc
                rows.append(cells)
                locators.append(f"T{table_no} R{row_no}")
    flush()
    return out.result()


def _format_number(value: float | int, number_format: str) -> str:
    """Print an Excel number the way the sheet displays it: the decimals (rounded half away from zero) and % of
    its format; General: at most 11 significant digits, no trailing zeros.  Thousands separators are not printed."""
    fmt = (number_format or "General").split(";")[0]
    percent = "%" in fmt
    m = re.search(r"\.([0#]+)", fmt)
    if isinstance(value, float):
        # Excel's General format shows at most 11 significant digits.
        number = Decimal(repr(value)) if m else Decimal(format(value, ".11g"))
    else:
        number = Decimal(value)
    if percent:
        number *= 100
    if m:   # Excel rounds half away from zero (2.675 shows 2.68), not to even
        text = format(number.quantize(Decimal(1).scaleb(-len(m.group(1))), rounding=ROUND_HALF_UP), "f")
    else:
        text = format(number, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


def cell_value_text(value: object, number_format: str = "General") -> str:
    """One spreadsheet cell's value as the sheet displays it: a number with the decimals and % of its format
    (_format_number), a date or time without the parts it does not have (``2024-12-31``, ``2024-12-31 08:30``),
    text re-joined on one line; None and booleans' absence → ''.  Shared by the XLSX and XLS readers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _format_number(value, number_format)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return _cell_text(str(value))


def add_sheet(out: DocumentBuilder, title: str, rows: Iterable[tuple[int, list[str]]]) -> None:
    """One worksheet into ``out``: ``rows`` are (row number, the row's cell texts from column A) in sheet order.

    A run of rows holding two or more cells is a table (cells located ``Title!D7``; a row with one cell inside
    a run belongs to it); single-cell rows outside a run (title, 单位：元) are prose located ``Title!A3``.  The
    sheet's title is a prose line of its own (``Title!``).  Used by every spreadsheet reader (XLSX, XLS), so
    the same sheet gives the same lines, grids and refs whichever file format it came in."""
    from openpyxl.utils import get_column_letter

    out.prose(title, f"{title}!")
    table: list[list[tuple[str, str]]] = []
    locators: list[str] = []

    def flush() -> None:
        if table:
            out.table(table, locators)
            out.blank(f"{title}!")
        table.clear()
        locators.clear()

    for row_no, values in rows:
        values = list(values)
        while values and not values[-1]:
            values.pop()
        filled = [v for v in values if v]
        if len(filled) >= 2 or (table and filled):
            table.append([(v, f"{title}!{get_column_letter(c + 1)}{row_no}") for c, v in enumerate(values)])
            locators.append(f"{title}!{row_no}")
            continue
        flush()
        if filled:
            out.prose(filled[0], f"{title}!A{row_no}")
    flush()


@register(".xlsx", ".xlsm", format="xlsx")
def read_xlsx(path: Path, data: bytes) -> RawText:
    """XLSX → RawText: each sheet through add_sheet (tables located ``Sheet1!D7``, single-cell rows above them
    prose located ``Sheet1!A3``).  Numbers print as the sheet shows them (decimals and % from the cell format);
    formula cells give their cached values; merged cells keep their value in the top-left cell; a row starting
    with an empty or merged cell is fine."""
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise ReadError(str(path), f"not a readable XLSX file: {exc}", place="byte 0") from None
    out = DocumentBuilder("xlsx")
    for sheet in workbook.worksheets:
        rows = ((row_no, [cell_value_text(getattr(cell, "value", None), getattr(cell, "number_format", ""))
                          for cell in row])
                for row_no, row in enumerate(sheet.iter_rows(), start=sheet.min_row or 1))
        add_sheet(out, sheet.title, rows)
    workbook.close()
    return out.result()
