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


def placed_rows(header_rows: list[list[str]], ncols: int) -> list[list[str]]:
    """Header rows of a one-cell-per-line table put back on the grid's ``ncols`` columns.

    A converter that prints one cell per line (Word/WPS text export) prints a horizontally merged cell
    once, so a header row over a merged span comes with fewer cells than the table has columns, and
    nothing says where each cell starts.  Rows are placed from the bottom up: the lowest header row is
    taken as printed (padded at the right); a shorter row above is laid over the rows already placed
    so that a cell spanning several columns has labels under each of them (a merged parent heads its
    sub-columns; an empty cell under a label is the continuation of a vertically merged one), and no
    span ends inside a span of the row below.  When those rules leave a choice (收入 | 支出 over
    项目 行次 决算数 项目 行次 决算数), a span boundary goes where the row below repeats its first label.

    Returns rows of exactly ``ncols`` texts in the merged-header form :func:`column_paths` reads (a
    merged cell's text in its first column, blanks after it).  Rows already ``ncols`` wide are kept.
    """
    if not header_rows:
        return []
    placed: list[list[str]] = [[] for _ in header_rows]
    starts: set[int] = set(range(ncols + 1))
    for r in range(len(header_rows) - 1, -1, -1):
        row = list(header_rows[r])[:ncols]
        below = placed[r + 1:]
        if len(row) >= ncols or not below or not row:
            placed[r] = row + [""] * (ncols - len(row))
            starts = set(range(ncols + 1))
            continue
        covered = [any(squash(p[j]) for p in below) for j in range(ncols)]
        first = next(iter(below))
        repeat = {e for e in range(1, ncols) if squash(first[e]) and squash(first[e]) == squash(first[0])}
        cells = placed_spans(len(row), ncols, covered, starts, repeat)
        if cells is None:
            placed[r] = row + [""] * (ncols - len(row))
            starts = set(range(ncols + 1))
            continue
        out = [""] * ncols
        for text, (a, _b) in zip(row, cells):
            out[a] = text
        placed[r] = out
        starts = {a for a, _ in cells} | {ncols}
    return placed


def placed_spans(k: int, ncols: int, covered: list[bool], starts: set[int], repeat: set[int]) -> list[tuple[int, int]] | None:
    """The column span [a, b) of each of ``k`` cells laid over ``ncols`` columns (see :func:`placed_rows`):
    least cost, where a cell spanning several columns costs 1 for each column without a label below and a
    span boundary in ``repeat`` earns 0.5; boundaries only in ``starts``.  None when no placement fits."""
    inf = float("inf")
    best = [[inf] * (ncols + 1) for _ in range(k + 1)]
    back: list[list[int]] = [[-1] * (ncols + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for t in range(k):
        for a in range(ncols):
            if best[t][a] == inf or (a not in starts and a != 0):
                continue
            for b in range(a + 1, ncols - (k - t - 1) + 1):
                if b not in starts:
                    continue
                cost = sum(1 for j in range(a, b) if not covered[j]) if b - a > 1 else 0
                if b in repeat:
                    cost -= 0.5
                if best[t][a] + cost < best[t + 1][b]:
                    best[t + 1][b] = best[t][a] + cost
                    back[t + 1][b] = a
    if best[k][ncols] == inf:
        return None
    spans: list[tuple[int, int]] = []
    b = ncols
    for t in range(k, 0, -1):
        a = back[t][b]
        spans.append((a, b))
        b = a
    return spans[::-1]
