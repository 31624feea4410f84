"""Character-level normalisation applied to every line, whatever the source format.

Full-width digits, Latin letters and the ASCII-like punctuation that converters
emit (％ ． － ＋ ＜ ＞ ＝ ／) become ASCII so that numbers can be matched with one
pattern.  The CJK punctuation that carries sentence structure (，。；：（）！？)
is kept: parsers rely on it and it is never part of a number.
"""

from __future__ import annotations

import re
from functools import lru_cache

# The helpers below are pure functions of one line or cell and are called many times on the same
# text (every stage squashes the lines it looks at; boilerplate repeats across reports): cached.
_CACHE = 1 << 16
_CACHED_LENGTH = 400  # longer texts (a whole document squashed at once) are not kept: memory stays bounded

# Full-width forms U+FF01..U+FF5E map to U+0021..U+007E, except these, which are
# ordinary Chinese typography rather than "wide ASCII".
_KEEP_FULLWIDTH = set("，；：（）！？")
_TRANSLATE: dict[int, str] = {}
for _cp in range(0xFF01, 0xFF5F):
    _ch = chr(_cp)
    if _ch not in _KEEP_FULLWIDTH:
        _TRANSLATE[_cp] = chr(_cp - 0xFEE0)
_TRANSLATE.update(
    {
        0x3000: " ",  # ideographic space
        0x00A0: " ",  # no-break space
        0x2002: " ",
        0x2003: " ",
        0x2009: " ",
        0x200B: "",  # zero-width space
        0xFEFF: "",  # stray BOM inside text
        0x2212: "-",  # minus sign
        0xFE6A: "%",  # small percent
        0x2030: "‰",
    }
)

# Converters that go through LaTeX leave relational operators as macros.
_LATEX = re.compile(r"\\(leq|geq|le|ge|times)\b\s*")
_LATEX_MAP = {"leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "times": "×"}


# A full-width comma between digit groups is a thousands separator ("１，２３４．５６"), never the
# CJK comma of a sentence: it is followed by exactly three digits.
_WIDE_THOUSANDS = re.compile(r"(?<=\d)，(?=\d{3}(?!\d))")
# The same comma found by its literal first character (the regex engine then skips to each "，"; a pattern that
# begins with a lookbehind is tried at every position: 15x slower over a document), the digit before it checked
# by hand (``\d`` of a str pattern is str.isdecimal)
_WIDE_COMMA = re.compile(r"，(?=\d{3}(?!\d))")


def _wide_thousands(text: str) -> str:
    """``_WIDE_THOUSANDS.sub(",", text)``: each "，" between digit groups made ","."""
    return _WIDE_COMMA.sub(lambda m: "," if m.start() and text[m.start() - 1].isdecimal() else "，", text)


def normalise_line(line: str) -> str:
    """Normalise one line of text; leading tabs (cell markers) are preserved."""
    return _normalise_line(line) if len(line) <= _CACHED_LENGTH else _normalise(line)


@lru_cache(maxsize=_CACHE)
def _normalise_line(line: str) -> str:
    return _normalise(line)


# any character _TRANSLATE maps: a line without one (most lines: converters rarely emit wide ASCII) is
# left alone — str.translate with a dict looks every character up, a regex search only scans
_TRANSLATABLE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TRANSLATE)) + "]")


def normalise_lines(lines: list[str]) -> list[str]:
    """:func:`normalise_line` of every line, as a new list (same length, same order).

    A document's lines are normalised as one text — one search for a translatable character, one
    thousands-separator substitution, one split — then each line's trailing spaces are stripped: ≈ 0.1 against
    ≈ 0.4 CPU-ms a generated report line by line (a cached call a line).  The same result as line by line:
    the translation is character by character; the separator pattern looks one character before and four
    after a "，" and a line break is neither a digit nor a "，"; _TRANSLATE makes no line break.  Lines that
    hold a line break or a carriage return (rstrip(" \\r\\n") would differ) or a backslash, ASCII or
    full-width (the LaTeX macro's trailing ``\\s*`` would reach into the next line) are normalised line by line."""
    text = "\n".join(lines)
    if not lines or "\r" in text or "\\" in text or "＼" in text or text.count("\n") != len(lines) - 1:
        return [normalise_line(line) for line in lines]
    if _TRANSLATABLE.search(text):
        text = text.translate(_TRANSLATE)
    if "，" in text:
        text = _wide_thousands(text)
    return [line.rstrip(" ") for line in text.split("\n")]


def _normalise(line: str) -> str:
    if _TRANSLATABLE.search(line):
        line = line.translate(_TRANSLATE)
    if "，" in line:
        line = _wide_thousands(line)
    if "\\" in line:
        line = _LATEX.sub(lambda m: _LATEX_MAP[m.group(1)], line)
    return line.rstrip(" \r\n")


# East Asian Wide/Fullwidth blocks (Unicode EastAsianWidth W and F), as one class.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)


# Maximal runs of wide characters: their lengths add up to the number of wide characters, and CJK prose comes
# in runs, so findall builds a few strings instead of one per character (2-3x faster on a line of prose)
_WIDE_RUN = re.compile(_WIDE.pattern + "+")


def display_width(text: str) -> int:
    """Columns the text occupies in a fixed-pitch layout (CJK characters count twice): its length plus the
    number of its characters in _WIDE."""
    if text.isascii():
        return len(text)
    return _display_width(text) if len(text) <= _CACHED_LENGTH else _width(text)


def _width(text: str) -> int:
    return len(text) + sum(map(len, _WIDE_RUN.findall(text)))


@lru_cache(maxsize=_CACHE)
def _display_width(text: str) -> int:
    return _width(text)


def squash(text: str) -> str:
    """Remove all whitespace: wrapped table cells such as '年度 总体 目标' compare equal.

    Whitespace is what ``str.isspace`` says it is (the same set as the regex class ``\\s``)."""
    return _squash(text) if len(text) <= _CACHED_LENGTH else "".join(text.split())


@lru_cache(maxsize=_CACHE)
def _squash(text: str) -> str:
    return "".join(text.split())
