"""The analysis notebooks run end to end against the warehouse, read-only, and draw their charts."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from warehouse import ROOT, snapshot

pytestmark = pytest.mark.pipeline
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_three_analyses_exist():
    assert {p.stem for p in NOTEBOOKS} >= {"cross_city", "year_over_year", "consistency"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_renders_its_charts(path: Path, warehouse_db, monkeypatch):
    before = snapshot(warehouse_db)
    monkeypatch.setenv("JUESUAN_DB", str(warehouse_db))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   env=dict(os.environ)).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, f"{path.name}: expected charts"
    assert all(len(o["data"]["image/png"]) > 5000 for o in images)  # drawn, not empty canvases
    # no CJK glyph fell back to a missing-glyph box
    warnings = [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not [w for w in warnings if "Glyph" in w.text and "missing" in w.text]
    assert snapshot(warehouse_db) == before  # opened read-only: nothing changed
