"""Shared fixtures: the bundled corpus, parsed once per session, and query helpers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.parse import ParsedDocument, parse_file

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
SEEDS = {p.name[:3]: p for p in sorted(REPORTS.glob("*.txt"))}


@pytest.fixture(scope="session")
def parsed() -> dict[str, ParsedDocument]:
    return {key: parse_file(path) for key, path in SEEDS.items()}


def D(text: str | int | float) -> Decimal:
    return Decimal(str(text))


def find(doc: ParsedDocument, **criteria) -> list:
    """Observations matching every given attribute (value compared as Decimal)."""
    out = []
    for o in doc.result.observations:
        ok = True
        for key, want in criteria.items():
            have = getattr(o, key)
            if key == "value":
                ok = have == D(want)
            else:
                ok = have == want
            if not ok:
                break
        if ok:
            out.append(o)
    return out


def one(doc: ParsedDocument, **criteria):
    found = find(doc, **criteria)
    assert found, f"no observation with {criteria}"
    return found[0]


@pytest.fixture(scope="session")
def warehouse_db(tmp_path_factory) -> Path:
    """The bundled corpus through the whole main job (ingest → dbt build → checks → report)."""
    from warehouse import run

    path = tmp_path_factory.mktemp("warehouse") / "juesuan.duckdb"
    assert run("run", "--db", path) == 0
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium with networking cut off (tests/chromium.py), one per test module; skips without one."""
    from chromium import Browser, find_browser

    binary = find_browser()
    if binary is None:
        pytest.skip("no headless Chromium here (Debian: apt-get install chromium)")
    with Browser(binary, tmp_path_factory.mktemp("chromium-profile")) as b:
        yield b
