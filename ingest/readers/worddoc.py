"""Word 97–2003 binary documents (.doc, and WPS .wps saved in the same format): the MS-DOC format, read with
olefile into the same RawText ``office.read_docx`` gives for the same content — paragraphs located ``P41``, table
cells ``T2 R5 C3``, the same lines and grids — so nothing downstream asks which of the two a report came in.

How the file is read (structure names as in [MS-DOC]):

* The Compound File (olefile) holds the ``WordDocument`` stream — the FIB at its start, the text, the pages of
  paragraph properties — and the table stream the FIB names (``0Table`` or ``1Table``): the piece table, the
  index of those pages, the section table.
* The FIB says whether the file is encrypted (refused with a ReadError saying so) and how many characters the
  main text has.  Footnotes, headers and footers, comments and text boxes come after it and are skipped, as the
  DOCX reader skips them.
* The piece table (CLX → PlcPcd) maps character positions (CP) to the bytes holding them: a "compressed" piece
  is 8-bit cp1252, any other UTF-16LE.
* A paragraph ends at ``\\r``, at a cell mark ``\\x07``, or at a section mark ``\\x0c`` (a ``\\x0c`` that is not a
  section's end is a page break and prints nothing, as in a DOCX).  Its properties — the PAPX its mark's file
  position falls in (PlcBtePapx → PAPX FKP pages), then its piece's Prm — say whether it is in a table
  (sprmPFInTable, sprmPItap) and whether its ``\\x07`` ends a row (sprmPFTtp) or a cell: an empty cell is a
  ``\\x07`` too, so ``\\x07\\x07`` is not guessed at.  A row's end mark carries the row's cell edges and merge
  flags (sprmTDefTable, sprmTVertMerge, sprmTMerge): the table's grid is every edge of its rows, a cell
  spanning several grid columns fills them (text in the first, blanks after, as a DOCX gridSpan reads), a cell
  continuing a vertical or legacy horizontal merge is blank.
* A nested table (depth > 1) ends its cells and rows with ``\\r`` marks (sprmPFInnerTableCell/InnerTtp): its
  cells stay inside the outer cell's text, one line each.  (python-docx leaves a nested table out of its
  cell's text; here the figures are kept.)
* Fields (``\\x13`` instruction ``\\x14`` result ``\\x15``) print their result, as a DOCX's runs do; text deleted
  with revision marks on and symbols inserted from a symbol font (sprmCFRMarkDel, sprmCSymbol in the run's CHPX:
  PlcBteChpx → CHPX FKP pages) are not printed, as a DOCX's w:delText and w:sym are not; line breaks (``\\x0b``) are newlines, a non-breaking hyphen ``-``, optional hyphens and object
  anchors (pictures, footnote references) nothing.

Word 6/95 files (a different FIB) are refused with a ReadError saying to save them as .docx or PDF.
"""

from __future__ import annotations

import bisect
import io
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.errors import ReadError
from ingest.readers import DocumentBuilder, RawText

_WORD_IDENT = 0xA5EC
_NFIB_WORD97 = 0x00C0          # Word 97 writes 0x00C1 (0x00C0 in betas); Word 6 and 95 write 0x0065–0x0069
_F_ENCRYPTED = 0x0100          # FibBase flags: fEncrypted (RC4 or XOR obfuscation, fObfuscated says which)
_F_WHICH_TABLE = 0x0200        # fWhichTblStm: the table stream is 1Table, else 0Table
_PAGE = 512                    # an FKP page

# FibRgFcLcb97 indices of the (fc, lcb) pairs read here
_FC_PLCFSED, _FC_PLCFBTECHPX, _FC_PLCFBTEPAPX, _FC_CLX = 6, 12, 13, 33

# paragraph and table sprms read here
_IN_TABLE, _TTP, _ITAP, _DTAP = 0x2416, 0x2417, 0x6649, 0x664A
_INNER_CELL, _INNER_TTP = 0x244B, 0x244C
_DEF_TABLE, _DEF_TABLE10, _VERT_MERGE, _MERGE, _CHG_TABS = 0xD608, 0xD606, 0xD62B, 0x5624, 0xC615
_HUGE_PAPX = (0x6646, 0x6645)   # sprmPHugePapx: the grpprl is too long for its page and stands in the Data stream
_PRM0_SPRMS = {0x18: _IN_TABLE, 0x19: _TTP}   # Prm0's isprm (Word 6 numbering) → the sprm, for those read here
_RMARK_DEL = 0x0800             # sprmCFRMarkDel: text deleted with revision marks on (still in the file)
_SYMBOL = 0x6A09                # sprmCSymbol: the run's 0x28 characters stand for a symbol font's character

# TC80.tcgrf bits
_FIRST_MERGED, _MERGED, _VERT_MERGED, _VERT_RESTART = 0x01, 0x02, 0x20, 0x40

# what each special character of the text prints: a line break a newline, a non-breaking hyphen "-", a page or
# column break, an optional hyphen and the anchors of pictures, footnotes, comments and drawn objects nothing
# (python-docx prints the same for the DOCX's w:br, w:noBreakHyphen, w:softHyphen and their other elements)
_PRINT = {0x0B: "\n", 0x1E: "-", 0x0C: "", 0x0E: "", 0x1F: ""}
_PRINT.update({c: "" for c in range(0x20) if c not in (0x09, 0x0B, 0x1E)})
_MARKS = re.compile("[\r\x07\x0c]")
_FIELD_CHARS = re.compile("[\x13\x14\x15]")

# a compressed piece is cp1252, its five unassigned bytes standing for themselves
_CP1252 = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xA0)}
_CP1252_TABLE = str.maketrans({chr(b): text for b, text in _CP1252.items()})


class _Damaged(Exception):
    """A structure of the file that is not where, or not what, the FIB says: what it is and where it was sought."""

    def __init__(self, part: str, stream: str, offset: int):
        super().__init__(part)
        self.part, self.stream, self.offset = part, stream, offset


@dataclass(frozen=True)
class _Piece:
    cp: int             # first character position
    cp_end: int         # one past the last
    fc: int             # byte offset of its first character in the WordDocument stream
    compressed: bool    # 8-bit cp1252, else UTF-16LE
    prm: int


@dataclass(frozen=True)
class _Row:
    """A row end mark's table properties: the cells' edges (twips) and, per cell, whether it is covered by a
    merge (its text blank)."""
    edges: tuple[int, ...]
    covered: tuple[bool, ...]


@dataclass(frozen=True)
class _Para:
    """The properties of one paragraph that decide where it goes."""
    in_table: bool = False
    row_end: bool = False       # its \x07 ends a row (a depth-1 table's TTP)
    row: _Row | None = None
    nested: bool = False        # in a table inside a table's cell


_BODY = _Para()


def _unpack(fmt: str, buf: bytes, offset: int, part: str, stream: str):
    try:
        return struct.unpack_from(fmt, buf, offset)
    except struct.error:
        raise _Damaged(part, stream, offset) from None


# ------------------------------------------------------------------------------------------------ the structures
@dataclass(frozen=True)
class _Fib:
    table: str            # the table stream's name
    ccp_text: int         # characters of the main text
    pairs: tuple[tuple[int, int], ...]   # FibRgFcLcb97's (fc, lcb) pairs, as many as the file has


def _fib(word: bytes) -> _Fib:
    """The parts of the FIB read here (FibBase, FibRgLw97.ccpText, FibRgFcLcb97).  Raises _Damaged."""
    part = "file information block"
    (flags,) = _unpack("<H", word, 0x0A, part, "WordDocument")
    (csw,) = _unpack("<H", word, 32, part, "WordDocument")
    lw_at = 34 + 2 * csw
    (cslw,) = _unpack("<H", word, lw_at, part, "WordDocument")
    (ccp_text,) = _unpack("<I", word, lw_at + 2 + 12, part, "WordDocument")
    blob_at = lw_at + 2 + 4 * cslw
    (count,) = _unpack("<H", word, blob_at, part, "WordDocument")
    if count <= _FC_CLX:
        raise _Damaged(part, "WordDocument", blob_at)
    flat = _unpack(f"<{2 * count}I", word, blob_at + 2, part, "WordDocument")
    pairs = tuple(zip(flat[0::2], flat[1::2]))
    return _Fib("1Table" if flags & _F_WHICH_TABLE else "0Table", ccp_text, pairs)


def _slice(stream: bytes, name: str, fc: int, lcb: int, part: str) -> bytes:
    if fc + lcb > len(stream):
        raise _Damaged(part, name, fc)
    return stream[fc:fc + lcb]


def _pieces(table: bytes, fib: _Fib) -> tuple[list[_Piece], list[bytes]]:
    """The piece table (CLX): the pieces in CP order and the Prc grpprls a complex Prm points at."""
    part = "piece table"
    fc, lcb = fib.pairs[_FC_CLX]
    clx = _slice(table, fib.table, fc, lcb, part)
    prcs: list[bytes] = []
    i = 0
    while i < len(clx) and clx[i] == 0x01:           # Prc: clxt, cbGrpprl, grpprl
        (size,) = _unpack("<h", clx, i + 1, part, fib.table)
        prcs.append(clx[i + 3:i + 3 + max(size, 0)])
        i += 3 + max(size, 0)
    if i >= len(clx) or clx[i] != 0x02:               # Pcdt: clxt, lcb, PlcPcd
        raise _Damaged(part, fib.table, fc + i)
    (size,) = _unpack("<I", clx, i + 1, part, fib.table)
    count, rest = divmod(size - 4, 12)
    if size < 16 or rest or i + 5 + size > len(clx):
        raise _Damaged(part, fib.table, fc + i)
    at = i + 5
    cps = _unpack(f"<{count + 1}I", clx, at, part, fib.table)
    pieces = []
    for k in range(count):
        _, fc_compressed, prm = _unpack("<HIH", clx, at + 4 * (count + 1) + 8 * k, part, fib.table)
        compressed = bool(fc_compressed & 0x40000000)
        offset = fc_compressed & 0x3FFFFFFF
        pieces.append(_Piece(cps[k], cps[k + 1], offset // 2 if compressed else offset, compressed, prm))
    return pieces, prcs


def _main_text(word: bytes, pieces: list[_Piece], ccp_text: int) -> str:
    """The main text's characters [0, ccp_text), decoded piece by piece."""
    parts: list[str] = []
    done = 0
    for piece in pieces:
        if piece.cp != done or piece.cp_end < piece.cp:
            raise _Damaged("piece table", "WordDocument", piece.fc)
        count = min(piece.cp_end, ccp_text) - piece.cp
        width = 1 if piece.compressed else 2
        raw = word[piece.fc:piece.fc + count * width]
        if len(raw) < count * width:
            raise _Damaged("character data", "WordDocument", piece.fc)
        if piece.compressed:
            parts.append(raw.decode("latin-1").translate(_CP1252_TABLE))
        else:
            parts.append(raw.decode("utf-16-le", errors="replace"))
        done += count
        if done >= ccp_text:
            break
    if done < ccp_text:
        raise _Damaged("piece table", "WordDocument", 0)
    return "".join(parts)


def _papx_runs(word: bytes, table: bytes, data: bytes, fib: _Fib) -> tuple[list[int], list[int], list[bytes]]:
    """Every paragraph run the PAPX FKP pages list: (file position where it starts, where it ends, its grpprl
    without the style index — a long one's from the Data stream), sorted by position."""
    part = "paragraph formatting"
    fc, lcb = fib.pairs[_FC_PLCFBTEPAPX]
    plc = _slice(table, fib.table, fc, lcb, part)
    count = (lcb - 4) // 8
    if count < 1:
        raise _Damaged(part, fib.table, fc)
    pages = _unpack(f"<{count}I", plc, 4 * (count + 1), part, fib.table)
    runs: list[tuple[int, int, bytes]] = []
    for pn in pages:
        at = (pn & 0x3FFFFF) * _PAGE
        page = word[at:at + _PAGE]
        if len(page) < _PAGE:
            raise _Damaged(part, "WordDocument", at)
        crun = page[_PAGE - 1]
        if 4 * (crun + 1) + 13 * crun > _PAGE - 1:          # rgfc and rgbx do not fit the page
            raise _Damaged(part, "WordDocument", at + _PAGE - 1)
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for i in range(crun):
            offset = 2 * page[4 * (crun + 1) + 13 * i]     # BxPap.bOffset, in words
            grpprl = b""
            if offset:
                cb = page[offset]
                body = page[offset + 2:offset + 2 + 2 * page[offset + 1]] if cb == 0 else \
                    page[offset + 1:offset + 2 * cb]
                grpprl = _huge(body[2:], data)             # after the istd
            runs.append((fcs[i], fcs[i + 1], grpprl))
    runs.sort(key=lambda run: run[0])
    return [r[0] for r in runs], [r[1] for r in runs], [r[2] for r in runs]


def _huge(grpprl: bytes, data: bytes) -> bytes:
    """A grpprl whose sprmPHugePapx points into the Data stream: the grpprl stored there (PrcData) in its place."""
    if len(grpprl) < 6 or (grpprl[0] | grpprl[1] << 8) not in _HUGE_PAPX:
        return grpprl
    (at,) = struct.unpack_from("<I", grpprl, 2)
    (size,) = _unpack("<H", data, at, "paragraph formatting", "Data")
    if at + 2 + size > len(data):
        raise _Damaged("paragraph formatting", "Data", at)
    return data[at + 2:at + 2 + size] + grpprl[6:]


def _unprinted(word: bytes, table: bytes, fib: _Fib) -> list[tuple[int, int]]:
    """The file positions [start, end) of the text runs a DOCX's reader would not print, by their CHPX (from the
    PlcBteChpx → CHPX FKP pages): text deleted with revision marks on (sprmCFRMarkDel; a DOCX's w:delText) and
    symbols inserted from a symbol font (sprmCSymbol: a 0x28 placeholder in the text; a DOCX's w:sym)."""
    part = "character formatting"
    fc, lcb = fib.pairs[_FC_PLCFBTECHPX]
    count = (lcb - 4) // 8
    if count < 1:
        return []
    plc = _slice(table, fib.table, fc, lcb, part)
    out: list[tuple[int, int]] = []
    for pn in _unpack(f"<{count}I", plc, 4 * (count + 1), part, fib.table):
        at = (pn & 0x3FFFFF) * _PAGE
        page = word[at:at + _PAGE]
        if len(page) < _PAGE:
            raise _Damaged(part, "WordDocument", at)
        crun = page[_PAGE - 1]
        if 4 * (crun + 1) + crun > _PAGE - 1:               # rgfc and rgb do not fit the page
            raise _Damaged(part, "WordDocument", at + _PAGE - 1)
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for i in range(crun):
            offset = 2 * page[4 * (crun + 1) + i]
            grpprl = page[offset + 1:offset + 1 + page[offset]] if offset else b""
            if (b"\x00\x08" in grpprl or b"\x09\x6a" in grpprl) and any(
                    sprm == _SYMBOL or (sprm == _RMARK_DEL and op[0] in (1, 0x81)) for sprm, op in _sprms(grpprl)):
                out.append((fcs[i], fcs[i + 1]))
    return out


def _section_marks(table: bytes, fib: _Fib, ccp_text: int) -> set[int]:
    """The CPs of the section marks (the \\x0c ending each section but the last)."""
    fc, lcb = fib.pairs[_FC_PLCFSED]
    count = (lcb - 4) // 16
    if count < 1 or fc + lcb > len(table):
        return set()
    cps = struct.unpack_from(f"<{count + 1}I", table, fc)
    return {cp - 1 for cp in cps[1:] if 0 < cp <= ccp_text}


# ------------------------------------------------------------------------------------------------ properties
def _sprms(grpprl: bytes):
    """(sprm, operand) of each Prl of a grpprl; a Prl running past the end stops the walk."""
    i, end = 0, len(grpprl)
    while i + 2 <= end:
        sprm = grpprl[i] | grpprl[i + 1] << 8
        i += 2
        spra = sprm >> 13
        if spra in (0, 1):
            size = 1
        elif spra in (2, 4, 5):
            size = 2
        elif spra == 3:
            size = 4
        elif spra == 7:
            size = 3
        elif i >= end:
            return
        elif sprm in (_DEF_TABLE, _DEF_TABLE10):          # a 2-byte cb, counting itself less one
            size = (grpprl[i] | (grpprl[i + 1] << 8 if i + 1 < end else 0)) + 1
        elif sprm == _CHG_TABS and grpprl[i] == 255:       # PChgTabsDelClose + PChgTabsAdd
            deleted = grpprl[i + 1] if i + 1 < end else 0
            at = i + 2 + 4 * deleted
            size = 2 + 4 * deleted + 1 + 3 * (grpprl[at] if at < end else 0)
        else:
            size = grpprl[i] + 1
        if i + size > end:
            return
        yield sprm, grpprl[i:i + size]
        i += size


def _table_row(sprms: list[tuple[int, bytes]]) -> _Row | None:
    """A row end mark's cells: edges from sprmTDefTable, merges from its TC80s, sprmTMerge and sprmTVertMerge."""
    edges: tuple[int, ...] = ()
    flags: list[int] = []
    for sprm, op in sprms:
        if sprm == _DEF_TABLE and len(op) >= 3:
            count = op[2]
            at = 3 + 2 * (count + 1)
            if len(op) < at:
                continue
            edges = struct.unpack_from(f"<{count + 1}h", op, 3)
            flags = [struct.unpack_from("<H", op, at + 20 * c)[0] if at + 20 * c + 2 <= len(op) else 0
                     for c in range(count)]
        elif sprm == _MERGE and len(op) == 2 and flags:      # itcFirst, itcLim: one merged cell
            for c in range(op[0], min(op[1], len(flags))):
                flags[c] |= _FIRST_MERGED if c == op[0] else _MERGED
        elif sprm == _VERT_MERGE and len(op) >= 3 and op[1] < len(flags):   # cb, itc, code
            flags[op[1]] = flags[op[1]] & ~(_VERT_MERGED | _VERT_RESTART) | \
                (_VERT_MERGED if op[2] & 1 else 0) | (_VERT_RESTART if op[2] & 2 else 0)
    if not edges:
        return None
    covered = tuple(bool(f & _MERGED and not f & _FIRST_MERGED) or (f & _VERT_MERGED and not f & _VERT_RESTART)
                    for f in flags)
    return _Row(tuple(edges), covered)


@lru_cache(maxsize=4096)
def _para(grpprl: bytes, prm_sprms: tuple[tuple[int, bytes], ...] = ()) -> _Para:
    """A paragraph's properties from its PAPX grpprl, then its piece's Prm."""
    sprms = list(_sprms(grpprl)) + list(prm_sprms)
    in_table = ttp = inner = False
    depth = 0
    for sprm, op in sprms:
        if sprm == _IN_TABLE:
            in_table = op[0] != 0
        elif sprm == _TTP:
            ttp = op[0] != 0
        elif sprm == _ITAP and len(op) == 4:
            depth = struct.unpack("<i", op)[0]
        elif sprm == _DTAP and len(op) == 4:
            depth += struct.unpack("<i", op)[0]
        elif sprm in (_INNER_CELL, _INNER_TTP):
            inner = inner or op[0] != 0
    in_table = in_table or depth > 0 or inner
    if not in_table:
        return _BODY
    nested = depth > 1 or inner
    row_end = ttp and not nested
    return _Para(True, row_end, _table_row(sprms) if row_end else None, nested)


# ------------------------------------------------------------------------------------------------ the document
class _Reader:
    def __init__(self, word: bytes, table: bytes, data: bytes, fib: _Fib):
        self.pieces, self.prcs = _pieces(table, fib)
        self.text = _main_text(word, self.pieces, fib.ccp_text)
        self.piece_cps = [p.cp for p in self.pieces]
        self.starts, self.ends, self.grpprls = _papx_runs(word, table, data, fib)
        self.sections = _section_marks(table, fib, fib.ccp_text)
        self.hidden = _merge(_field_codes(self.text) + self._cps(_unprinted(word, table, fib)))

    def _cps(self, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """File position ranges as CP ranges of the main text, through the pieces that hold them."""
        out = []
        for piece in self.pieces:
            width = 1 if piece.compressed else 2
            end = piece.fc + (piece.cp_end - piece.cp) * width
            for a, b in runs:
                if a < end and b > piece.fc:
                    out.append((piece.cp + (max(a, piece.fc) - piece.fc) // width,
                                piece.cp + (min(b, end) - piece.fc + width - 1) // width))
        return out

    def props(self, cp: int) -> _Para:
        """The properties of the paragraph whose mark is at ``cp``."""
        piece = self.pieces[bisect.bisect_right(self.piece_cps, cp) - 1]
        fc = piece.fc + (cp - piece.cp) * (1 if piece.compressed else 2)
        k = bisect.bisect_right(self.starts, fc) - 1
        grpprl = self.grpprls[k] if k >= 0 and fc < self.ends[k] else b""
        return _para(grpprl, self._prm_sprms(piece.prm))

    def _prm_sprms(self, prm: int) -> tuple[tuple[int, bytes], ...]:
        if prm & 1:                                        # Prm1: a Prc's grpprl
            index = prm >> 1
            return tuple(_sprms(self.prcs[index])) if index < len(self.prcs) else ()
        sprm = _PRM0_SPRMS.get((prm >> 1) & 0x7F)        # Prm0: one sprm with a 1-byte operand
        return ((sprm, bytes([prm >> 8])),) if sprm and prm >> 8 else ()

    def paragraphs(self):
        """(text as printed, its mark, its properties) of each paragraph of the main text, in order; fields print
        their result."""
        text = self.text
        hidden = self.hidden or None
        start = 0
        for m in _MARKS.finditer(text):
            end = m.start()
            mark = m.group()
            if mark == "\x0c" and end not in self.sections:
                continue                                   # a page break inside a paragraph
            body = text[start:end]
            if hidden is not None:
                body = _visible(body, start, hidden)
            yield body.translate(_PRINT), mark, self.props(end)
            start = end + 1
        if start < len(text) and text[start:].strip():    # no final mark: what is left is a paragraph
            body = text[start:] if hidden is None else _visible(text[start:], start, hidden)
            yield body.translate(_PRINT), "\r", _BODY


def _field_codes(text: str) -> list[tuple[int, int]]:
    """The CP ranges of fields a reader does not see: each field's begin mark and instruction (up to and with its
    separator), its end mark.  A field without a separator shows nothing."""
    ranges: list[tuple[int, int]] = []
    if "\x13" not in text:
        return ranges
    stack: list[list[int]] = []
    for m in _FIELD_CHARS.finditer(text):
        c, at = m.group(), m.start()
        if c == "\x13":
            stack.append([at, -1])
        elif not stack:
            ranges.append((at, at + 1))                    # a stray mark
        elif c == "\x14":
            if stack[-1][1] < 0:
                stack[-1][1] = at
        else:
            begin, separator = stack.pop()
            if separator < 0:
                ranges.append((begin, at + 1))
            else:
                ranges.append((begin, separator + 1))
                ranges.append((at, at + 1))
    for begin, separator in stack:                         # never closed: its instruction is still hidden
        ranges.append((begin, separator + 1 if separator >= 0 else len(text)))
    return ranges


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges sorted, those that overlap or touch made one."""
    ranges = sorted(ranges)
    merged: list[tuple[int, int]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _visible(body: str, start: int, hidden: list[tuple[int, int]]) -> str:
    """``body`` (the text from CP ``start``) without the hidden ranges."""
    end = start + len(body)
    k = bisect.bisect_right(hidden, (start, end)) - 1
    k = max(k, 0)
    out: list[str] = []
    at = start
    while k < len(hidden) and hidden[k][0] < end:
        a, b = hidden[k]
        if b > at:
            out.append(body[at - start:max(a, at) - start])
            at = max(at, b)
        k += 1
    out.append(body[min(at, end) - start:])
    return "".join(out)


# ------------------------------------------------------------------------------------------------ tables
def _grid(rows: list[_Row | None]) -> list[int]:
    """The table's column edges: every cell edge of its rows, edges closer than a few twips taken as one."""
    edges = sorted({e for row in rows if row for e in row.edges})
    out: list[int] = []
    for e in edges:
        if not out or e - out[-1] > 4:
            out.append(e)
    return out


def _spread(cells: list[str], row: _Row | None, grid: list[int]) -> list[str]:
    """A row's cell texts laid on the table's grid: a cell spanning n columns gives its text then n-1 blanks; a
    covered cell is blank.  A row whose properties do not match its cells is taken as it is."""
    if row is None or len(row.edges) != len(cells) + 1:
        return cells
    out: list[str] = []
    for c, text in enumerate(cells):
        left = bisect.bisect_left(grid, row.edges[c] - 4)
        right = bisect.bisect_left(grid, row.edges[c + 1] - 4)
        out.append("" if c < len(row.covered) and row.covered[c] else text)
        out.extend([""] * max(right - left - 1, 0))
    return out


def build(reader: _Reader) -> DocumentBuilder:
    """The document's paragraphs and tables into a DocumentBuilder, as office.read_docx lays out a DOCX's."""
    out = DocumentBuilder("doc")
    table_no = para_no = 0
    rows: list[list[str]] = []
    props: list[_Row | None] = []
    cells: list[str] = []
    lines: list[str] = []                 # the current cell's paragraphs

    def flush() -> None:
        if cells or lines:                # a table cut short of its row end mark: its last row as it is
            rows.append(cells + ["\n".join(lines)] if lines else list(cells))
            props.append(None)
            cells.clear()
            lines.clear()
        if rows:
            grid = _grid(props)
            laid = [[(text, f"T{table_no} R{r} C{c}") for c, text in enumerate(_spread(row, tap, grid), start=1)]
                    for r, (row, tap) in enumerate(zip(rows, props), start=1)]
            out.table(laid, [f"T{table_no} R{r}" for r in range(1, len(laid) + 1)])
            out.blank(f"after T{table_no}")
        rows.clear()
        props.clear()

    for text, mark, para in reader.paragraphs():
        if not para.in_table:
            flush()
            para_no += 1
            out.prose(text, f"P{para_no}")
            continue
        if not rows and not cells and not lines:
            table_no += 1
        if mark != "\x07" or para.nested:
            lines.append(text)            # a paragraph inside a cell (or a nested table's cell or row)
        elif para.row_end:
            rows.append(list(cells))
            props.append(para.row)
            cells.clear()
            lines.clear()
        else:
            lines.append(text)
            cells.append("\n".join(lines))
            lines.clear()
    flush()
    return out


# ------------------------------------------------------------------------------------------------ the reader
def read_word97(path: Path, data: bytes) -> RawText:
    """A Word 97–2003 binary (.doc, WPS .wps; a Compound File) → RawText, as ``office.read_docx`` reads the same
    content: paragraphs located ``P41``, tables read cell by cell as grids located ``T2 R5 C3`` (a merged cell's
    text in its first position, the positions it covers blank).  Only the main text is read: footnotes, headers
    and footers, comments and text boxes are not.

    Raises ReadError naming the file: an encrypted document (it cannot be read without its password); a Word
    6/95 one; a compound file that holds no Word document; a damaged one, saying which structure and where
    (``1Table stream byte 5120``)."""
    import olefile

    ext = path.suffix.lower() or ".doc"
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))   # bytes shorter than a sector would be taken for a file name
    except Exception as exc:  # noqa: BLE001 - any failure means "not a readable compound file"
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ReadError(str(path), f"not a readable Word ({ext}) file: {detail}", place="byte 0") from None
    try:
        if not ole.exists("WordDocument"):
            raise ReadError(str(path), f"not a readable Word ({ext}) file: the compound file holds no Word document",
                            place="whole file")
        word = _stream(ole, path, ext, "WordDocument")
        if len(word) < 34:
            raise _Damaged("file information block", "WordDocument", 0)
        ident, nfib = struct.unpack_from("<HH", word, 0)
        (flags,) = struct.unpack_from("<H", word, 0x0A)
        if ident != _WORD_IDENT:
            raise _Damaged("file information block", "WordDocument", 0)
        if flags & _F_ENCRYPTED:
            raise ReadError(str(path), "encrypted Word document: it cannot be opened without its password",
                            place="whole file",
                            hint="ask the publisher for an unprotected copy or save it without the password")
        if nfib < _NFIB_WORD97:
            raise ReadError(str(path), f"Word 6/95 format ({ext}): save it as .docx or PDF", place="whole file",
                            hint="only Word 97–2003 binaries are read")
        fib = _fib(word)
        if not ole.exists(fib.table):
            raise _Damaged("file information block", fib.table, 0)
        table = _stream(ole, path, ext, fib.table)
        data = _stream(ole, path, ext, "Data") if ole.exists("Data") else b""
        return build(_Reader(word, table, data, fib)).result()
    except _Damaged as damage:
        raise ReadError(str(path), f"not a readable Word ({ext}) file: its {damage.part} is damaged",
                        place=f"{damage.stream} stream byte {damage.offset}") from None
    finally:
        ole.close()


def _stream(ole, path: Path, ext: str, name: str) -> bytes:
    try:
        return ole.openstream(name).read()
    except Exception as exc:  # noqa: BLE001 - olefile's errors for a broken sector chain
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ReadError(str(path), f"not a readable Word ({ext}) file: {detail}", place=f"{name} stream") from None
