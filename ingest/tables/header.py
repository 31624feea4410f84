"""Multi-row headers with merged cells → one label path per column.

A merged header cell is exported as its text in the first column and blanks
after it.  Each header row is forward-filled *within the span of its parent*,
so '财政拨款“三公”经费' covers the five columns under it but '会议费' next to it
does not inherit anything.
"""

from __future__ import annotations

from ingest.normalize import squash


def column_paths(header_rows: list[list[str]], ncols: int) -> list[list[str]]:
    paths: list[list[str]] = [[] for _ in range(ncols)]
    spans: list[tuple[int, int]] = [(0, ncols)]
    for row in header_rows:
        new_spans: list[tuple[int, int]] = []
        for a, b in spans:
            label: str | None = None
            start = a
            for j in range(a, b):
                text = squash(row[j]) if j < len(row) else ""
                if text:
                    if j > start:
                        new_spans.append((start, j))
                    label, start = text, j
                if label:
                    paths[j].append(label)
            new_spans.append((start, b))
        spans = new_spans
    return paths


def leaf(path: list[str]) -> str:
    return path[-1] if path else ""
