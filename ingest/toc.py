"""The report's own table of contents (目录): where it is, and what it promises.

A 目录 is a heading line (目录 / 目 录 / 目次) followed by short entry lines —
numbered part, section or table titles, often with dot leaders and a page number
(``6.2026年部门政府性基金预算支出功能分类预算表 ……… 12``), markdown bullets, or
tab-separated rows of an index table (``表1<TAB>收入支出决算总表<TAB>否``).  The
region ends at the first line that is not an entry, at the first entry title
seen a second time (the body's first heading repeats the first entry), or — in a
paged source — at a page break followed by a non-entry line.

Two uses:
- its lines carry no figures: parse.py keeps them out of figure reading (a
  numbered entry such as ``6.2026年…预算表`` must never become 6.2026 万元);
- its entries are what the document promises: an entry whose title never appears
  as a heading-like line in the rest of the document is missing, which makes the
  document ``partial`` (a copy cut short, tables left out) and ranks it below a
  complete version of the same unit-year.

Only ``lines`` (and the optional per-line locators of paged sources) are used, so
it works the same for text, PDF, DOCX and spreadsheet readings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from ingest.normalize import squash

MAX_REGION = 120  # lines: a 目录 longer than this is not a 目录

_HEAD = re.compile(r"^[#*\s]*(?:目\s*录|目\s*次)[#*\s:：]*$")
_LEADER = re.compile(r"(?:[.…·．\-—_]\s*){3,}\s*\d{0,4}\s*$|\s\d{1,3}\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•●○■□]\s+)+")
_NUMBERING = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+(?:部分|章|节|篇)|[一二三四五六七八九十]+[、.．]|"
    r"[（(][一二三四五六七八九十\d]+[）)][、.．]?|\d{1,2}(?:[、．]|\.(?=\s*20\d\d|\s*\D))|"
    r"(?:附表|附件|表)\s*[\d一二三四五六七八九十]+[-\d]*[、.．:：]?|公开\s*\d{1,2}\s*表)\s*"
)
_YEAR = re.compile(r"20\d\d\s*年度?")
_SENTENCE = re.compile(r"[。；，]|[：:].+")
_EMPTY_FLAG = re.compile(r"^(?:是|否|空表|有|无)$")


@dataclass
class TocEntry:
    """One promised entry: ``title`` as printed (numbering, leaders and page number
    removed), ``key`` its comparison form (no year, no spaces), ``kind`` ``table``
    (title ends in 表) or ``section``; ``line_no`` 1-based in the document;
    ``found_line`` the first heading-like body line that carries it (None = missing)."""

    seq: int
    line_no: int
    title: str
    key: str
    kind: str
    found_line: int | None = None


@dataclass
class Toc:
    """``lines``: 0-based indices of every line of every 目录 region (heading included);
    ``entries``: what they promise, in order, each title once."""

    lines: set[int] = field(default_factory=set)
    entries: list[TocEntry] = field(default_factory=list)

    @property
    def missing(self) -> list[TocEntry]:
        return [e for e in self.entries if e.found_line is None]


def _title(cells: list[str]) -> tuple[str, bool] | None:
    """(title, numbered) of one entry line, or None when the line is not an entry."""
    if len(cells) > 1:  # index table row: 表1 | 收入支出决算总表 | 否 | reason
        numbered = bool(_NUMBERING.match(cells[0].strip() + " ") or re.fullmatch(r"\d{1,2}", cells[0].strip()))
        texts = [c.strip() for c in cells[1:] if c.strip() and not _EMPTY_FLAG.match(c.strip())]
        if not numbered or not texts:
            return None
        text = texts[0]
    else:
        text = cells[0]
    text = _BULLET.sub("", text).strip().strip("*#").strip()
    text = _LEADER.sub("", text).strip()
    numbered = bool(_NUMBERING.match(text)) or len(cells) > 1
    body = _NUMBERING.sub("", text, count=1).strip()
    compact = squash(body)
    if not compact or len(compact) > 60 or _SENTENCE.search(compact):
        return None
    if not re.search(r"[\u4e00-\u9fa5]", compact):
        return None
    if re.search(r"\d+(?:\.\d+)?\s*(?:万元|元|%)", compact):
        return None
    return body, numbered


def _key(title: str) -> str:
    return squash(_YEAR.sub("", title)).strip("“”\"'")


def _page(locators: list[str] | None, i: int) -> str | None:
    if not locators or i >= len(locators) or not locators[i]:
        return None
    m = re.match(r"(?:page\s*|p)(\d+)", locators[i])
    return m.group(1) if m else None


def _region(lines: list[str], start: int, locators: list[str] | None) -> tuple[list[int], list[tuple[int, str]]]:
    """Lines of the 目录 whose heading is at ``start`` and its (line index, title) entries."""
    region = [start]
    entries: list[tuple[int, str]] = []
    seen: set[str] = set()
    page = _page(locators, start)
    i = start + 1
    while i < len(lines) and i - start <= MAX_REGION:
        raw = lines[i]
        if not raw.strip():
            region.append(i)
            i += 1
            continue
        if re.fullmatch(r"\s*[-—]?\s*\d{1,3}\s*[-—]?\s*", raw):  # a page number line
            region.append(i)
            i += 1
            continue
        cells = raw.split("\t") if "\t" in raw else [raw]
        entry = _title(cells)
        if entry is None:
            if len(cells) > 1 and not entries:  # the header row of an index table
                region.append(i)
                i += 1
                continue
            break
        title, numbered = entry
        key = _key(title)
        if key in seen:
            break  # the body's first heading repeats an entry
        if page is not None and _page(locators, i) not in (None, page) and not numbered:
            break  # a new page that does not go on with numbered entries
        seen.add(key)
        entries.append((i, title))
        region.append(i)
        i += 1
    while region and not lines[region[-1]].strip():  # trailing blanks belong to the body
        region.pop()
    return region, entries


def _heading_like(line: str) -> str | None:
    """Comparison form of a line that could be a heading or a table title.  A pure function of the line,
    cached for lines of at most 400 characters (every line of a document with a 目录 is asked; most lines
    of a report repeat across reports: headings, the glossary, blank lines)."""
    return _cached_heading_like(line) if len(line) <= 400 else _heading_form(line)


@lru_cache(maxsize=1 << 14)
def _cached_heading_like(line: str) -> str | None:
    return _heading_form(line)


def _heading_form(line: str) -> str | None:
    cells = [c for c in line.split("\t") if c.strip()]
    if not cells or len(cells) > 4:
        return None
    text = _BULLET.sub("", " ".join(cells)).strip().strip("*#").strip()
    text = _NUMBERING.sub("", text, count=1)
    key = _key(text)
    return key if 0 < len(key) <= 80 else None


_OWNER = re.compile(r"^本?(?:部门|单位)")


def _matches(entry: str, heading: str, kind: str, core: str | None = None) -> bool:
    """An entry is carried by a heading-like line: equal, contained (the body may add the
    unit's name where the 目录 says 部门, or a year, a code, a unit of measure), or nearly
    equal; a table entry only by a line that names a table (表).  ``core``: the entry without its
    本部门/单位 (computed here when not given; ``find`` computes it once per entry)."""
    if kind == "table" and "表" not in heading:
        return False
    if core is None:
        core = _OWNER.sub("", entry)
    if len(core) >= 4 and core in heading and len(heading) - len(core) <= 20:
        return True
    if entry == heading or (len(entry) >= 4 and entry in heading and len(heading) - len(entry) <= 16):
        return True
    if kind == "section" and len(heading) >= 4 and heading in entry and len(entry) - len(heading) <= 6:
        return True  # a shorter body heading (一、主要职责 for 一、部门主要职责及内设机构) — never for a table:
        # 收入支出决算总表 is not 财政拨款收入支出决算总表
    if len(entry) < 6:
        return False
    # ratio() is bounded by quick_ratio() and by real_quick_ratio() = 2·min(len)/Σlen (difflib): the cheap
    # bounds reject most lines, the length bound before a matcher is even built
    if 2.0 * min(len(entry), len(heading)) / (len(entry) + len(heading)) < 0.85:
        return False
    matcher = SequenceMatcher(None, entry, heading)
    return matcher.quick_ratio() >= 0.85 and matcher.ratio() >= 0.85


def find(lines: list[str], locators: list[str] | None = None) -> Toc:
    """Every 目录 region of a document and what it promises.

    ``lines``: the document's lines (``raw.lines``); ``locators``: optional per-line
    place strings of paged sources (``page 2`` / ``p2 …``) so a region stops at a page
    break.  Returns a Toc (empty when the document has no 目录).  Entries are
    de-duplicated by title across regions; each is looked up among the heading-like
    lines outside every region (``found_line``, 1-based).
    """
    toc = Toc()
    keys: dict[str, TocEntry] = {}
    # the 目录 headings in order (_HEAD holds 目: the literal is looked for first); one inside a region already
    # read is not looked at again
    heads = [i for i, line in enumerate(lines) if len(line) < 20 and "目" in line and _HEAD.match(line)]
    after = 0  # the first line after the last region read
    for i in heads:
        if i < after:
            continue
        region, entries = _region(lines, i, locators)
        if entries:
            toc.lines.update(region)
            for line_idx, title in entries:
                key = _key(title)
                if key not in keys:
                    kind = "table" if key.endswith("表") else "section"
                    keys[key] = TocEntry(len(keys) + 1, line_idx + 1, title, key, kind)
            after = max(region) + 1
    toc.entries = list(keys.values())
    if not toc.entries:
        return toc
    # the heading-like lines in order, computed as far as an entry's search reaches: the last entry is
    # mostly found before the document's end (its tables, glossary and appendices are never looked at); an
    # empty line is no heading (_heading_form: no cell) and is not asked
    rest = ((n, h) for n, line in enumerate(lines) if line and n not in toc.lines and (h := _heading_like(line)))
    headings: list[tuple[int, str]] = []
    for e in toc.entries:
        core = _OWNER.sub("", e.key)
        table = e.kind == "table"  # (_matches' first test, made here: most lines name no table)
        k = 0
        while True:
            if k == len(headings):
                nxt = next(rest, None)
                if nxt is None:
                    break  # no line carries the entry: missing
                headings.append(nxt)
            n, h = headings[k]
            if (not table or "表" in h) and _matches(e.key, h, e.kind, core):
                e.found_line = n + 1
                break
            k += 1
    return toc
