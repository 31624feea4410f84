"""Re-assemble paragraphs from wrapped lines, keeping every character's source line.

Text exported from PDF wraps at the column width, often mid-sentence and even
mid-number ("5,33" / "4.09"), with blank lines between the pieces and page
numbers in between.  A line is joined to the next text line when it reaches the
document's measured wrap width (or is a long line cut by a converter) and does
not end a sentence, and the next line does not start a heading or list item.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.normalize import display_width, squash
from ingest.sections import STANDARD_TITLES, heading_of

_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*)?\d{1,3}(?:\s*[-—–])?\s*$")
_SENTENCE_END = "。！？!?"
_MARKER = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+\s*[、．]|[（(]\s*(?:[一二三四五六七八九十]{1,2}|[1-9]\d?)\s*[）)]"
    r"|\d{1,2}\s*[.、．](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩]|[-*•]\s|附件\s*\d|附表)"
)
# Lines at least this wide (display columns) are treated as wrapped whatever the
# document's own wrap width: converters also cut long paragraphs mid-sentence.
LONG_LINE = 60


@dataclass(slots=True)  # (one per paragraph: attribute access without a __dict__)
class Paragraph:
    text: str
    starts: list[int]  # offset in text where each source line begins
    line_nos: list[int]  # 1-based source line for each start

    def line_at(self, offset: int) -> int:
        """The source line (1-based) of the character at ``offset`` in the text."""
        if len(self.starts) == 1:
            return self.line_nos[0]  # (most paragraphs are one line: no search)
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.line_nos[max(i, 0)]

    @property
    def first_line(self) -> int:
        return self.line_nos[0]

    @property
    def first_text(self) -> str:
        """The text of the paragraph's first source line."""
        return self.text[: self.starts[1]] if len(self.starts) > 1 else self.text


_PAGE_MARK = re.compile(r"^\s*(?:第\s*\d{1,3}\s*页(?:\s*[/，,]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
# What continues a number wrapped onto its own line: a unit, or more digits of it.
_CONTINUES_NUMBER = re.compile(r"^\s*(?:万|亿|千|元|%|[.,]\d|人|个|辆|名|户|次|项)")


def page_number_lines(lines: list[str]) -> set[int]:
    """0-based indices of lines that are page numbers: "第 3 页", "3/21" anywhere, a bare
    number ("15", "- 15 -") after a page gap (two blank lines)."""
    return _page_number_and_text_lines(lines)[0]


def _page_number_and_text_lines(lines: list[str]) -> tuple[set[int], list[int]]:
    """:func:`page_number_lines`, and the indices of the other non-blank lines, in one pass."""
    found: set[int] = set()
    texts: list[int] = []
    blank_run = 0
    for i, line in enumerate(lines):
        if not line.strip():
            blank_run += 1
            continue
        # (_PAGE_MARK needs a 页 or a /: most lines are not tried)
        if (("页" in line or "/" in line) and _PAGE_MARK.match(line)) or (blank_run >= 2 and _PAGE_NUMBER.match(line)):
            found.add(i)
        else:
            texts.append(i)
        blank_run = 0
    return found, texts


def prose_page_numbers(lines: list[str], skip: set[int]) -> set[int]:
    """Page numbers among prose lines (``skip``: table lines): those of
    :func:`page_number_lines`, and a bare number between two prose lines when it continues
    neither — the line before does not end inside a number and the line after does not start
    with its unit.  A PDF's text puts the page number between the halves of a sentence:
    "…决算数为" / "15" / "7,970.38 万元".  (Not for one-cell-per-line tables, where a bare
    number is a cell.)
    """
    found, texts = _page_number_and_text_lines(lines)
    for k, i in enumerate(texts):
        if i in skip or not _PAGE_NUMBER.match(lines[i]) or k == 0 or k + 1 == len(texts):
            continue
        before, after = texts[k - 1], texts[k + 1]
        if before in skip or after in skip:
            continue
        prev = lines[before].strip()
        if not prev[-1:].isdigit() and prev[-1:] not in ",.，" and not _CONTINUES_NUMBER.match(lines[after]):
            found.add(i)
    return found


def _text_widths(lines: list[str], skip: set[int]) -> list[int]:
    """Display widths of the non-blank lines not in ``skip``, in line order."""
    return [display_width(t) for i, l in enumerate(lines) if i not in skip and (t := l.strip())]


def wrap_width(lines: list[str], skip: set[int], widths: list[int] | None = None) -> int:
    """The prose's wrap width: the 90th percentile of its lines' display widths (``widths``: those of
    :func:`_text_widths` when the caller has them)."""
    widths = sorted(_text_widths(lines, skip) if widths is None else widths)
    if not widths:
        return LONG_LINE
    return widths[int(0.9 * (len(widths) - 1))]


_MID_SENTENCE = "，、"
_PARAGRAPH_END = "。！？!?：:"
_BEGUN_SENTENCE = re.compile(r"[。！？!?][^。！？!?：:；;，,、]{1,12}$")
# "…其中：政府采购货物支出 26.21 万元、政" / "府采购工程支出 6.10 万元…": a list item begun a few
# characters before the line's end; no paragraph ends there, whatever the line's width
_BEGUN_ITEM = re.compile(r"[\u4e00-\u9fa5\d%）)][，,、][\u4e00-\u9fa5]{1,6}$")
# a line that cannot open a paragraph: it starts with punctuation, or with a figure's unit,
# or with a figure followed by its unit ("0 万元，接待 0 批次" continues "…公务接待支出")
_CONTINUES = re.compile(r"^(?:[，。、；：）％%]|(?:万元|亿元|千元|元)|[\d,.]+\s*(?:万元|亿元|千元|元|%)[，。；、])")


_CODE_BRACKET = re.compile(r"^[（(]\d{2,3}[）)]")
_ENDS_CJK = re.compile(r"[\u4e00-\u9fa5]$")
_STOPS = re.compile(r"[。；;]")
_STOPS_OR_COMMAS = re.compile(r"[。；;，,]")


def _code_bracket(last_text: str, text: str) -> bool:
    """'…其他行政事业单位医疗支出' / '（99）:支出决算为…': the bracket is the code of the name the
    line before ends with (a list marker follows a finished sentence, not a bare name)."""
    return bool(_CODE_BRACKET.match(text)) and bool(_ENDS_CJK.search(last_text))


def _heading(text: str) -> bool:
    """A heading and nothing more ("3. 送温暖项目自评综述：根据…。" is a numbered paragraph)."""
    return heading_of(text) is not None and not _STOPS.search(text)


_STANDARD = {squash(t) for t in STANDARD_TITLES}
# the last word of a finished section title ("…决算情况说明", "名词解释", "部门概况")
_TITLE_DONE = re.compile(r"(?:说明|解释|概况)$")


def _complete_heading(text: str) -> bool:
    """A heading whose title is finished: a title of the national template, or one ending like
    a title ends.  Nothing joins onto it, however close it comes to the wrap width (at a narrow
    width "五、一般公共预算财政拨款支出决算情况说明" fills the line, yet the paragraph after it is
    not its continuation)."""
    found = heading_of(text)
    if found is None or _STOPS_OR_COMMAS.search(text):
        return False
    title = squash(found[2])
    return title in _STANDARD or _TITLE_DONE.search(title) is not None


# A 功能分类 name cut across lines: "7.卫生健康支出（类）行政事业单位医疗（款）行政" / "单位" /
# "医疗（项）。" — the paragraph names a chain and ends inside a name, the line completes it.
_CHAIN_OPEN = re.compile(r"[（(](?:类|款|\d{3}|\d{5})[）)][\u4e00-\u9fa5]+$")
_CHAIN_REST = re.compile(r"^[\u4e00-\u9fa5]{0,30}[（(](?:款|项|\d{2})[）)]")


def _chain_continues(paragraph_text: str, text: str) -> bool:
    # the line's anchored test first: the paragraph's is a search through all its text, asked of every line
    return _CHAIN_REST.match(text) is not None and _CHAIN_OPEN.search(paragraph_text) is not None


def is_hard_wrapped(lines: list[str], skip: set[int], width: int, widths: list[int] | None = None) -> bool:
    """The prose was cut at a fixed width (PDF text extraction): most lines that continue
    into a next text line fill the width to within a character."""
    if widths is None:
        widths = _text_widths(lines, skip)
    if len(widths) < 20 or width > 2 * LONG_LINE:
        return False
    full = sum(1 for w in widths if width - 4 <= w <= width)
    return full >= 0.3 * len(widths)


def assemble(lines: list[str], skip: set[int]) -> list[Paragraph]:
    """Paragraphs of the text lines not in ``skip`` (0-based indices of table lines).

    Headings need no special case: a heading is short, so nothing joins onto
    it, unless it was itself wrapped at the column width ("…决算情" / "况说明").
    The last results are kept (the parse asks for one document's paragraphs more than once):
    the paragraphs returned are shared and must not be changed.
    """
    return _assemble(tuple(lines), frozenset(skip))


@lru_cache(maxsize=2)
def _assemble(lines: tuple[str, ...], skip: frozenset[int]) -> list[Paragraph]:
    pages = prose_page_numbers(lines, skip)
    dropped = skip | pages
    widths = _text_widths(lines, dropped)
    width = wrap_width(lines, dropped, widths)
    threshold = min(int(width * 0.85), LONG_LINE)
    hard_wrapped = is_hard_wrapped(lines, dropped, width, widths)

    paragraphs: list[Paragraph] = []
    current: Paragraph | None = None
    next_width = iter(widths).__next__  # widths are those of exactly the lines the loop reads, in order
    last_width = 0
    last_text = ""
    for i, line in enumerate(lines):
        if i in pages:
            continue
        if i in skip:
            current = None  # a table interrupts the paragraph
            continue
        text = line.strip()
        if not text:
            continue
        joinable = current is not None and _chain_continues(current.text, text)
        joinable = joinable or current is not None and not _complete_heading(last_text) and (
            not _MARKER.match(text) or _code_bracket(last_text, text)) and (
            # a line at the wrap width that does not end a sentence
            (last_width >= threshold and last_text[-1:] not in _SENTENCE_END)
            # a sentence cannot stop after "，" nor start with "，" or with a figure's unit
            or (last_text[-1:] not in _SENTENCE_END and _CONTINUES.match(text))
            or last_text[-1:] in _MID_SENTENCE
            # "…行政单位离退休（项）。年" / "初预算 24.34 万元": a sentence begun after the last 。
            or _BEGUN_SENTENCE.search(last_text) is not None
            or (_BEGUN_ITEM.search(last_text) is not None and not _heading(last_text))
            # a hard-wrapped document: a line filled to the wrap width ends at the margin,
            # not at the paragraph's end, even when a sentence ends there
            or (hard_wrapped and width - 4 <= last_width <= width and not _heading(text)
                and not _heading(current.first_text))
            # …and a wrapped paragraph ends with its sentence: one cut short mid-word ("…项目经"
            # / "费根据…", a break the original already had) goes on; a wrapped heading
            # ("…支出决算情" / "况说明") does not take the paragraph after it
            or (hard_wrapped and len(current.line_nos) >= 2 and last_text[-1:] not in _PARAGRAPH_END
                and not _heading(text) and not _heading(current.first_text))
        )
        if joinable:
            current.starts.append(len(current.text))
            current.line_nos.append(i + 1)
            current.text += text
        else:
            current = Paragraph(text=text, starts=[0], line_nos=[i + 1])
            paragraphs.append(current)
        last_width = next_width()
        last_text = text
    return paragraphs


_SENTENCE_BREAK = re.compile(r"[。！？!?]+")


def sentences(paragraph: Paragraph) -> tuple[tuple[int, str], ...]:
    """(offset, sentence) pairs; a sentence keeps its terminal punctuation.  A pure function of the
    paragraph's text, cached for texts of at most _CACHED_TEXT characters (boilerplate paragraphs repeat
    across reports; the same sentence objects then also hit the interpreter's per-sentence cache at once)."""
    text = paragraph.text
    return _sentences(text) if len(text) <= _CACHED_TEXT else _split(text)


_CACHED_TEXT = 1000


@lru_cache(maxsize=1 << 12)
def _sentences(text: str) -> tuple[tuple[int, str], ...]:
    return _split(text)


def _split(text: str) -> tuple[tuple[int, str], ...]:
    out: list[tuple[int, str]] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        out.append((start, text[start : m.end()]))
        start = m.end()
    if start < len(text):
        out.append((start, text[start:]))
    return tuple(out)
