"""Section tree from the text: 第一部分… / 一、… / （一）… / 1.… / （1）…

Headings are recognised by their numbering pattern and length, never by
position.  A table of contents is recognised as the run of headings after a
目录 line that ends where its first entry appears again; its lines are not
part of the tree.  Unnumbered standard titles (some offices drop the
numbering) are recognised from a list of the template's section names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.normalize import squash

CN_NUM = "一二三四五六七八九十"
_LEVELS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^第[{CN_NUM}]+部分\s*(?P<title>.*)$")),
    (2, re.compile(rf"^(?P<num>[{CN_NUM}]+)\s*[、.．]\s*(?P<title>.+)$")),
    (3, re.compile(rf"^[（(]\s*(?P<num>[{CN_NUM}]+)\s*[）)]\s*(?P<title>.+)$")),
    (4, re.compile(r"^(?P<num>\d{1,2})\s*[.、．](?!\d)\s*(?P<title>.+)$")),
    (5, re.compile(r"^[（(]\s*(?P<num>\d{1,2})\s*[）)]\s*(?P<title>.+)$")),
]

# Titles of the national template that some reports print without numbering.
STANDARD_TITLES = [
    "部门概况", "部门职责", "机构设置", "部门主要职责", "部门决算单位构成", "部门人员情况",
    "收入支出决算总体情况说明", "收入决算情况说明", "支出决算情况说明", "财政拨款收入支出决算总体情况说明",
    "一般公共预算财政拨款支出决算情况说明", "一般公共预算财政拨款基本支出决算情况说明",
    "政府性基金预算支出决算情况说明", "国有资本经营预算支出决算情况说明", "本经营预算支出决算情况说明",
    "其他重要事项的情况说明", "名词解释", "专业名词解释", "附件", "部门决算表",
    "项目绩效目标设置", "项目概况", "评价实施", "绩效分析", "评价结论", "存在主要问题", "改进建议",
]
_STANDARD = {squash(t) for t in STANDARD_TITLES}
_TITLE_END = re.compile(r"[。：:；;]")
MAX_TITLE = 42


@dataclass
class Section:
    seq: int
    level: int
    number: str | None
    title: str
    line_no: int
    parent: int | None
    end_line: int = 0
    children: list[int] = field(default_factory=list)


def heading_of(text: str) -> tuple[int, str | None, str] | None:
    """(level, number, title) when the line reads as a heading, else None.  A pure function of the text,
    cached for texts of at most 400 characters: the grid finder, the paragraph assembler, the section
    tree and its 目录 detection ask it of the same lines, and most lines repeat across reports."""
    return _cached_heading(text) if len(text) <= 400 else _heading(text)


@lru_cache(maxsize=1 << 14)
def _cached_heading(text: str) -> tuple[int, str | None, str] | None:
    return _heading(text)


def _heading(text: str) -> tuple[int, str | None, str] | None:
    stripped = text.strip()
    if not stripped or "\t" in text:
        return None
    for level, pattern in _LEVELS:
        m = pattern.match(stripped)
        if m:
            title = m.group("title").strip()
            cut = _TITLE_END.search(title)
            if cut:
                title = title[: cut.start()]
            if level == 1:
                return level, None, title or stripped
            if not title or len(title) > MAX_TITLE:
                return None
            return level, m.groupdict().get("num"), title
    if squash(stripped) in _STANDARD:
        return 2, None, stripped
    return None


def _toc_lines(lines: list[str]) -> set[int]:
    """Indices of lines that belong to a table of contents."""
    toc: set[int] = set()
    for i, line in enumerate(lines):
        if "目" not in line or squash(line) not in ("目录", "目次"):
            continue
        entries: list[tuple[int, str]] = []
        j = i + 1
        while j < len(lines) and j < i + 120:
            text = lines[j].strip()
            if text:
                item = text[2:] if text.startswith(("- ", "* ")) else text
                h = heading_of(item)
                if h is None:
                    break
                key = squash(item)
                if entries and key == entries[0][1]:
                    break  # the body starts: the first entry appears again
                entries.append((j, key))
            j += 1
        if len(entries) >= 2:
            toc.update(range(i, entries[-1][0] + 1))
    return toc


def build_tree(lines: list[str], skip: set[int] | None = None) -> list[Section]:
    """Sections in document order.  ``skip`` holds 0-based indices of table lines."""
    skip = skip or set()
    toc = _toc_lines(lines)
    sections: list[Section] = []
    stack: list[Section] = []
    for i, line in enumerate(lines):
        if i in skip or i in toc:
            continue
        h = heading_of(line)
        if h is None:
            continue
        level, number, title = h
        while stack and stack[-1].level >= level:
            stack.pop().end_line = i
        parent = stack[-1].seq if stack else None
        section = Section(len(sections), level, number, title, i + 1, parent)
        if parent is not None:
            sections[parent].children.append(section.seq)
        sections.append(section)
        stack.append(section)
    for section in stack:
        section.end_line = len(lines)
    for section in sections:
        if section.end_line == 0:
            section.end_line = len(lines)
    return sections


class SectionIndex:
    """Answers "which sections enclose line N" for the narrative parser."""

    def __init__(self, sections: list[Section], n_lines: int):
        self.sections = sections
        self._innermost: list[int | None] = [None] * (n_lines + 2)
        for s in sections:  # document order: later (deeper) sections overwrite
            for ln in range(s.line_no, min(s.end_line, n_lines) + 1):
                self._innermost[ln] = s.seq

    def path(self, line_no: int) -> list[Section]:
        seq = self._innermost[line_no] if 0 <= line_no < len(self._innermost) else None
        chain: list[Section] = []
        while seq is not None:
            s = self.sections[seq]
            chain.append(s)
            seq = s.parent
        return list(reversed(chain))

    def titles(self, line_no: int) -> list[str]:
        return [s.title for s in self.path(line_no)]
