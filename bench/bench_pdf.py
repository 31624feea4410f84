"""PDF parse time on one core: `.venv/bin/python bench/bench_pdf.py [--runs N] FILE.pdf…` (see README.md).

For each file: pages, and the median CPU time (process time, so other load on the machine does not count)
of N warm runs of the whole parse (`parse_bytes`: read + tables + parsers) with the default pdfium page
reader, and of reading it with the pdfplumber/pdfminer page reader (the fallback) for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pypdfium2

from ingest.parse import parse_bytes
from ingest.readers.pdf import read_pdf


def _cpu(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    for name in args.files:
        path = Path(name)
        data = path.read_bytes()
        parse_bytes(path, data)  # warm-up
        document = pypdfium2.PdfDocument(data)
        pages = len(document)
        document.close()
        fast = _cpu(lambda: parse_bytes(path, data), args.runs)
        slow = _cpu(lambda: read_pdf(path, data, backend="pdfplumber"), max(1, args.runs // 2))
        print(f"{path.name}: {pages} pages — parse {fast * 1000:.0f} ms CPU ({fast / max(pages, 1) * 1000:.0f} ms/page); "
              f"pdfminer page reader alone {slow * 1000:.0f} ms")


if __name__ == "__main__":
    main()
