"""Screenshots of pages for the README, in headless Chromium with networking cut off (tests/chromium.py).

    .venv/bin/python docs/screenshot.py PAGE.html OUT.png [PAGE.html OUT.png …]

Fails (exit 1) if a page makes a request that fails, leaves file://, or logs a console error — a
screenshot of a page that is not clean offline is not taken.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from chromium import Browser, find_browser  # noqa: E402


def main(args: list[str]) -> int:
    if not args or len(args) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = find_browser()
    if binary is None:
        print("no Chromium here (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as profile, Browser(binary, Path(profile)) as browser:
        for page, out in zip(args[::2], args[1::2]):
            load = browser.load(Path(page), screenshot=Path(out))
            bad = load.failed + load.console_errors + [u for u in load.requests
                                                       if not u.startswith(("file://", "data:"))]
            if bad:
                print(f"{page}: {bad}", file=sys.stderr)
                return 1
            print(f"{page} → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
