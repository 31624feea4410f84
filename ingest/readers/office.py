"""DOCX and XLSX reports: paragraphs become lines, table rows become tab-separated lines.

Both produce the same line-oriented text as the TXT corpus, so the section,
table and narrative parsers need no change for these formats.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

from ingest.errors import ReadError
from ingest.readers import RawText, register


def _cell_text(text: str) -> str:
    return " ".join(part.strip() for part in text.replace("\t", " ").splitlines() if part.strip())


@register(".docx", format="docx")
def read_docx(path: Path, data: bytes) -> RawText:
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any failure means "not a readable DOCX"
        raise ReadError(str(path), f"not a readable DOCX file: {exc}", place="byte 0") from None

    lines: list[str] = []
    locators: list[str] = []
    table_no = 0
    for block_no, element in enumerate(document.element.body.iterchildren(), start=1):
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(element, document).text)
            locators.append(f"paragraph {block_no}")
        elif tag == "tbl":
            table_no += 1
            table = Table(element, document)
            for row_no, row in enumerate(table.rows, start=1):
                cells: list[str] = []
                previous = None
                for cell in row.cells:
                    # A horizontally merged cell is returned once per grid column:
                    # keep its text in the first column only, as a text export does.
                    cells.append("" if cell._tc is previous else _cell_text(cell.text))
                    previous = cell._tc
                lines.append("\t".join(cells))
                locators.append(f"table {table_no} row {row_no}")
            lines.append("")
            locators.append(f"after table {table_no}")
    return RawText(lines=lines, format="docx", locators=locators)


def _format_number(value: float | int, number_format: str) -> str:
    """Print an Excel number the way the sheet displays it (decimals and % from its format)."""
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
    if m:
        text = f"{number:.{len(m.group(1))}f}"
    else:
        text = format(number, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


@register(".xlsx", ".xlsm", format="xlsx")
def read_xlsx(path: Path, data: bytes) -> RawText:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise ReadError(str(path), f"not a readable XLSX file: {exc}", place="byte 0") from None
    lines: list[str] = []
    locators: list[str] = []
    for sheet in workbook.worksheets:
        lines.append(sheet.title)
        locators.append(f"sheet {sheet.title}")
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                v = cell.value
                if v is None:
                    values.append("")
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    values.append(_format_number(v, getattr(cell, "number_format", "")))
                else:
                    values.append(_cell_text(str(v)))
            while values and not values[-1]:
                values.pop()
            lines.append("\t".join(values))
            locators.append(f"sheet {sheet.title} row {row[0].row if row else '?'}")
        lines.append("")
        locators.append(f"end of sheet {sheet.title}")
    workbook.close()
    return RawText(lines=lines, format="xlsx", locators=locators)
