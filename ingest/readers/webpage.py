"""HTML pages (.html/.htm, and MHTML .mht) saved from a government site, and spreadsheets or Word files exported
as HTML.

Parsed with lxml.html (libxml2's HTML parser: tolerant of the unclosed tags such pages have).  Prose blocks
(``<p>``, ``<div>``, headings, list items; ``<br>`` breaks a line) become prose lines located ``P41`` (the
41st prose line); each ``<table>`` becomes a grid whose cells are located ``T2 R5 C3`` as in a DOCX: rows
and columns counted after ``rowspan``/``colspan`` are spread out, a spanned cell's text kept in its first
(top-left) position and the positions it covers left blank.  A table that holds another table is page
layout, not data: its cells are read as prose and tables in turn.  Tables that follow each other with no
prose between them and have the same number of columns are one table (as a converter splits a long one).
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import ReadError
from ingest.readers import DocumentBuilder, RawText, cell_text, register

# elements whose content is not the document's text
_SKIP = frozenset({"head", "title", "script", "style", "noscript", "template", "object", "iframe", "svg", "select",
                   "button", "textarea", "map"})
# elements that start and end a line of prose
_BLOCK = frozenset({"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "div",
                    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
                    "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "ul"})

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CHINESE_CHARSETS = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table|title)\b",
                         re.IGNORECASE | re.DOTALL)


def looks_like_html(data: bytes) -> bool:
    """Whether bytes are an HTML page (its first tag is <!DOCTYPE html>, <html>, <head>, <body>, <meta>,
    <title> or <table>, after an optional BOM and comments) — how sites serve "Excel" downloads and Word's
    "save as web page" gives a .doc."""
    head = data[:4096]
    for bom in (b"\xef\xbb\xbf",):
        if head.startswith(bom):
            head = head[len(bom):]
    return bool(_HTML_START.match(head))


def _decode(path: Path, data: bytes, charset: str | None = None) -> tuple[str, str]:
    """(text, encoding): the charset a <meta> declares, else ``charset`` (an MHTML part's header) — GB2312/GBK read
    as GB18030, their superset — when the bytes decode with it, else as a text file is decoded (UTF-8/UTF-16 by
    BOM, UTF-8, GB18030; ReadError naming the byte otherwise)."""
    from ingest.readers.text import decode

    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        m = _META_CHARSET.search(data[:8192])
        for declared in ([m.group(1).decode("ascii", "replace")] if m else []) + ([charset] if charset else []):
            encoding = "gb18030" if declared.lower() in _CHINESE_CHARSETS else declared.lower()
            try:
                return data.decode(encoding), encoding
            except (LookupError, UnicodeDecodeError):
                continue   # a wrong declaration: decode as a text file is
    text, encoding, _ = decode(path, data)
    return text, encoding


def _flat_text(element) -> str:
    """An element's text with line breaks where <br> and block elements break it (script/style left out)."""
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            return
        if tag == "br" or tag in _BLOCK or tag in ("tr", "table"):
            parts.append("\n")
        if tag and el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK or tag in ("td", "th", "tr", "table"):
            parts.append("\n")

    walk(element)
    return "".join(parts)


def _prose_text(raw: str) -> str:
    """A run of HTML text as one prose line: white space collapsed as a browser does, except that a line break
    in the source between two Chinese characters is no space (cell_text's rule)."""
    raw = raw.replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", cell_text(raw)).strip()


def _rows(table) -> list:
    """A table's own <tr> elements in order (directly or in its thead/tbody/tfoot; not those of nested tables)."""
    return table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")


def _spread(table) -> list[list[str]]:
    """A table's rows as a rectangular list of cell texts, rowspan/colspan spread out: a spanned cell's text in
    its top-left position, the covered positions ''."""
    grid: list[list[str | None]] = []
    for r, tr in enumerate(_rows(table)):
        while len(grid) <= r:
            grid.append([])
        row = grid[r]
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while c < len(row) and row[c] is not None:
                c += 1
            rowspan = _span(td.get("rowspan"))
            colspan = _span(td.get("colspan"))
            text = cell_text(_flat_text(td).replace("\u00a0", " "))
            for dr in range(rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                while len(target) < c + colspan:
                    target.append(None)
                for dc in range(colspan):
                    target[c + dc] = text if (dr, dc) == (0, 0) else ""
            c += colspan
    width = max((len(row) for row in grid), default=0)
    return [[v or "" for v in row] + [""] * (width - len(row)) for row in grid]


def _span(value: str | None) -> int:
    """rowspan/colspan as a browser reads it: a positive integer (its leading digits), at most 1000, else 1."""
    m = re.match(r"\s*(\d+)", value or "")
    n = int(m.group(1)) if m else 1
    return min(max(n, 1), 1000)


class _Page:
    """Walks the parsed page in reading order into a DocumentBuilder."""

    def __init__(self) -> None:
        self.out = DocumentBuilder("html")
        self.line: list[str] = []
        self.prose_no = 0
        self.table_no = 0
        self.rows: list[list[tuple[str, str]]] = []   # the table being gathered (consecutive tables, same columns)
        self.locators: list[str] = []

    def walk(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            return
        if tag == "table" and not el.xpath(".//table"):
            self.end_line()
            for caption in el.xpath("./caption"):   # the table's title (支出决算表) is a prose line above it
                self.line.append(_flat_text(caption))
                self.end_line()
            self.table(el)
            return
        if tag == "table" or tag in ("tr", "td", "th", "thead", "tbody", "tfoot"):
            # a layout table (it holds another table): each cell is a block of the page
            self.end_line()
            if el.text and tag not in ("table", "tr", "thead", "tbody", "tfoot"):
                self.line.append(el.text)
            for child in el:
                self.walk(child)
                if child.tail and tag in ("td", "th"):
                    self.line.append(child.tail)
            self.end_line()
            return
        if tag == "br":
            self.end_line()
            return
        if tag == "pre":
            self.end_line()
            for part in _flat_text(el).split("\n"):
                self.line.append(part)
                self.end_line()
            return
        block = tag in _BLOCK
        if block:
            self.end_line()
        if tag and el.text:
            self.line.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.line.append(child.tail)
        if block:
            self.end_line()

    def end_line(self) -> None:
        text = _prose_text("".join(self.line))
        self.line.clear()
        if not text:
            return
        self.flush()
        self.prose_no += 1
        self.out.prose(text, f"P{self.prose_no}")

    def table(self, el) -> None:
        grid = _spread(el)
        if not any(any(row) for row in grid):
            return
        self.table_no += 1
        if self.rows and len(grid[0]) != len(self.rows[-1]):
            self.flush()
        for r, row in enumerate(grid, start=1):
            self.rows.append([(text, f"T{self.table_no} R{r} C{c}") for c, text in enumerate(row, start=1)])
            self.locators.append(f"T{self.table_no} R{r}")

    def flush(self) -> None:
        if self.rows:
            self.out.table(self.rows, self.locators)
            self.out.blank(f"after T{self.table_no}")
        self.rows, self.locators = [], []


def looks_like_mhtml(data: bytes) -> bool:
    """Whether bytes are MHTML (a "single file web page": a MIME message whose first headers say so)."""
    head = data[:2048].lstrip().lower()
    return head.startswith((b"mime-version:", b"from:", b"subject:", b"date:", b"content-type: multipart/related")) \
        and b"multipart/related" in head


@register(".mht", ".mhtml", format="html")
def read_mhtml(path: Path, data: bytes) -> RawText:
    """MHTML (Word's or a browser's "single file web page", often published under .doc or .xls) → its HTML part
    read by read_html (that part's charset from its MIME header when the page declares none).  Raises ReadError
    naming the file when there is no HTML part."""
    import email
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if payload:
                return read_html(path, payload, charset=part.get_content_charset())
    raise ReadError(str(path), "not a readable MHTML file: it has no HTML part", place="whole file")


@register(".html", ".htm", ".xhtml", format="html")
def read_html(path: Path, data: bytes, charset: str | None = None) -> RawText:
    """HTML → RawText: prose lines located ``P41``, tables as grids located ``T2 R5 C3`` (see the module).

    The charset is the one a <meta> declares, else ``charset`` (from a MIME header), else told from the bytes
    (UTF-8, UTF-16, GB18030).  A page that is MHTML is read by read_mhtml.  Raises ReadError naming the file when
    the bytes are not text or hold no HTML element."""
    import lxml.etree
    import lxml.html

    if charset is None and looks_like_mhtml(data):
        return read_mhtml(path, data)
    text, encoding = _decode(path, data, charset)
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ReadError(str(path), f"not a readable HTML file: {exc}", place="byte 0") from None
    page = _Page()
    page.walk(root)
    page.end_line()
    page.flush()
    return page.out.result(encoding=encoding)
