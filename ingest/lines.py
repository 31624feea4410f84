"""Questions asked of every line of a document, answered by one regex pass over the joined lines.

A stage that looks for a few lines among hundreds (titles end in 表, 告 or 目) need not test each line in
Python: the regex engine jumps between the occurrences of the characters it looks for, and only the lines
it stops on are handed back.  The answers are those of the line-by-line tests they replace.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=16)
def _ending(chars: str) -> re.Pattern[str]:
    # one of ``chars`` followed by nothing but blanks to the line's end (\s but the line break: a match
    # never reaches into the next line)
    return re.compile("[" + re.escape(chars) + r"](?=[^\S\n]*$)", re.M)


def ending_with(lines: list[str], chars: str) -> list[int]:
    """0-based indices, in order, of the lines whose last non-blank character is one of ``chars``: those
    for which ``line.rstrip().endswith(tuple(chars))``.  Lines that themselves hold a line break are
    tested one by one."""
    text = "\n".join(lines)
    if text.count("\n") != max(len(lines) - 1, 0):
        ends = tuple(chars)
        return [i for i, line in enumerate(lines) if line.rstrip().endswith(ends)]
    out: list[int] = []
    line = pos = 0
    for m in _ending(chars).finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        out.append(line)  # (one match a line at most: only a line's last character is followed by blanks alone)
    return out
