"""Parse time of PDF reports on one core: `.venv/bin/python bench/bench_pdf.py FILE.pdf…` (see README.md).

Prints, per file, pages and the median of 3 warm runs of parse_bytes, split into pdfplumber's page parsing
(pdfminer interpreting the content streams, `page.chars`) and everything after it (tables, prose, parsers).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pdfplumber

from ingest.parse import parse_bytes


def main(paths: list[str]) -> None:
    for name in paths:
        path = Path(name)
        data = path.read_bytes()
        total, layout = [], []
        for _ in range(3):
            t = time.perf_counter()
            parse_bytes(path, data)
            total.append(time.perf_counter() - t)
            t = time.perf_counter()
            with pdfplumber.open(path) as pdf:
                pages = len(pdf.pages)
                for page in pdf.pages:
                    page.chars  # noqa: B018 - forces pdfminer's page interpretation
            layout.append(time.perf_counter() - t)
        tm, lm = statistics.median(total), statistics.median(layout)
        print(f"{path.name}: {pages} pages, parse {tm * 1000:.0f} ms ({tm / pages * 1000:.0f} ms/page); "
              f"pdfminer page parsing {lm * 1000:.0f} ms, the rest {max(tm - lm, 0) * 1000:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
