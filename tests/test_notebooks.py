"""The analysis notebooks run end to end against the warehouse, read-only, and draw their charts —
in the Chinese convention (红涨绿跌), with the year and funding scope on every bar, and no label
drawn over another."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from warehouse import ROOT, query, snapshot

pytestmark = pytest.mark.pipeline
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RED, GREEN = "#d62728", "#2ca02c"  # notebooks/charts.py UP and DOWN

# run before the notebook: keep every figure a cell shows (the inline backend closes them)
CAPTURE = """
import matplotlib.pyplot as _plt
_FIGURES = []
_show = _plt.show
def _capture(*args, **kwargs):
    _FIGURES.extend(_plt.figure(n) for n in _plt.get_fignums())
    return _show(*args, **kwargs)
_plt.show = _capture
"""

# run after it: describe each figure as JSON (bars, points, and the on-screen box of every label)
DESCRIBE = """
import json as _json
from matplotlib.colors import to_hex as _hex
from matplotlib.container import BarContainer as _Bars
from matplotlib.collections import PathCollection as _Points
from matplotlib.text import Text as _Text

def _box(artist, renderer):
    # a callout's own extent includes its leader line; the label is the text alone
    b = (_Text.get_window_extent(artist, renderer) if isinstance(artist, _Text)
         else artist.get_window_extent(renderer))
    return [b.x0, b.y0, b.x1, b.y1]

def _describe(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(fig)  # the inline backend closed it: draw it again off screen, same size and layout
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    axes = []
    for ax in fig.axes:
        a = {"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "bars": [], "points": []}
        for c in ax.containers:
            if not isinstance(c, _Bars):
                continue
            horizontal = c.orientation == "horizontal"
            axis = ax.yaxis if horizontal else ax.xaxis
            ticks = {}
            # axes sharing the category axis show its labels once: read them from whichever shows them
            shared = ax.get_shared_y_axes() if horizontal else ax.get_shared_x_axes()
            for sibling in [ax, *shared.get_siblings(ax)]:
                sib_axis = sibling.yaxis if horizontal else sibling.xaxis
                for t, l in zip(sib_axis.get_ticklocs(), sib_axis.get_ticklabels()):
                    if l.get_text():
                        ticks.setdefault(round(float(t), 6), l.get_text())
            for p in c.patches:
                centre = p.get_y() + p.get_height() / 2 if horizontal else p.get_x() + p.get_width() / 2
                a["bars"].append({"value": float(p.get_width() if horizontal else p.get_height()),
                                  "colour": _hex(p.get_facecolor()), "label": ticks.get(round(centre, 6)),
                                  "box": _box(p, r)})
        for coll in ax.collections:
            if isinstance(coll, _Points):
                colours = [_hex(c) for c in coll.get_facecolors()]
                for i, (x, y) in enumerate(coll.get_offsets()):
                    a["points"].append({"x": float(x), "y": float(y), "colour": colours[i % len(colours)]})
        axes.append(a)
    legends = [lg for lg in fig.findobj(lambda o: o.__class__.__name__ == "Legend")]
    in_legend = {id(t) for lg in legends for t in lg.findobj(_Text)}
    # tick labels are drawn only for ticks inside the view; the others keep a stale position
    hidden = set(in_legend)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not (lo - 1e-9 <= tick.get_loc() <= hi + 1e-9):
                    hidden |= {id(tick.label1), id(tick.label2)}
    texts, seen = [], set()
    for t in fig.findobj(_Text):
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden:
            item = (t.get_text(), tuple(round(v, 1) for v in _box(t, r)))
            if item not in seen:  # the same label reached twice (e.g. a tick outside the view) is one label
                seen.add(item)
                texts.append({"text": item[0], "box": list(item[1])})
    texts += [{"text": "<legend>", "box": _box(lg, r)} for lg in legends]
    return {"axes": axes, "texts": texts}

print("CHARTS:" + _json.dumps([_describe(f) for f in _FIGURES], ensure_ascii=False))
"""


def run_notebook(path: Path, db: Path, monkeypatch) -> tuple[list, list[dict]]:
    """Execute the notebook with the chart probes; return its outputs and the description of each figure."""
    monkeypatch.setenv("JUESUAN_DB", str(db))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(CAPTURE))
    nb.cells.append(nbformat.v4.new_code_cell(DESCRIBE))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   env=dict(os.environ)).execute()
    outputs = [o for cell in nb.cells[1:-1] if cell.cell_type == "code" for o in cell.get("outputs", [])]
    probe = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []) if o.output_type == "stream")
    assert probe.startswith("CHARTS:"), probe[:500]
    return outputs, json.loads(probe[len("CHARTS:"):])


@pytest.fixture(scope="module")
def executed(warehouse_db, tmp_path_factory):
    """Each notebook run once against the session warehouse: {stem: (outputs, charts)}; marts unchanged."""
    before = snapshot(warehouse_db)
    results = {}
    with pytest.MonkeyPatch.context() as mp:
        for path in NOTEBOOKS:
            results[path.stem] = run_notebook(path, warehouse_db, mp)
    assert snapshot(warehouse_db) == before  # opened read-only: nothing changed
    return results


def overlap(a: list[float], b: list[float], slack: float = 1.0) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


def test_the_three_analyses_exist():
    assert {p.stem for p in NOTEBOOKS} >= {"cross_city", "year_over_year", "consistency"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_renders_its_charts(path: Path, executed):
    outputs, charts = executed[path.stem]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, f"{path.name}: expected charts"
    assert len(charts) == len(images)
    assert all(len(o["data"]["image/png"]) > 5000 for o in images)  # drawn, not empty canvases
    # no CJK glyph fell back to a missing-glyph box
    warnings = [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not [w for w in warnings if "Glyph" in w.text and "missing" in w.text]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_red_means_up_and_green_means_down(path: Path, executed):
    """红涨绿跌: red marks only increases, green only decreases; a chart of changes colours every bar by sign."""
    for chart in executed[path.stem][1]:
        for ax in chart["axes"]:
            for bar in ax["bars"]:
                if bar["colour"] == RED:
                    assert bar["value"] > 0, (ax["title"], bar)
                if bar["colour"] == GREEN:
                    assert bar["value"] < 0, (ax["title"], bar)
            if any(b["value"] < 0 for b in ax["bars"]) or "上年" in ax["xlabel"] + ax["ylabel"]:
                for bar in ax["bars"]:
                    assert bar["colour"] == (RED if bar["value"] > 0 else GREEN if bar["value"] < 0
                                             else bar["colour"]), (ax["title"], bar)
            for point in ax["points"]:  # scatter points coloured as changes follow the same rule
                if point["colour"] == RED:
                    assert point["x"] > 0, point
                if point["colour"] == GREEN:
                    assert point["x"] < 0, point


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_bar_names_its_year_and_funding_scope(path: Path, executed, warehouse_db):
    scopes = [label.split("（")[0] for (label,) in
              query(warehouse_db, "select label from reference.enum_labels where enum = 'funding_scope'")]
    bars = 0
    for chart in executed[path.stem][1]:
        for ax in chart["axes"]:
            money = any(unit in ax["xlabel"] + ax["ylabel"] for unit in ("万元", "%", "（%）"))
            for bar in ax["bars"]:
                bars += 1
                label = (bar["label"] or "").replace("\n", "")
                assert re.search(r"(19|20)\d\d年", label), (ax["title"], label)
                if money:
                    assert any(s in label for s in scopes), (ax["title"], label)
    assert bars > 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_label_is_drawn_over_another(path: Path, executed):
    for chart in executed[path.stem][1]:
        texts = chart["texts"]
        clashes = [(a["text"], b["text"]) for i, a in enumerate(texts) for b in texts[i + 1:]
                   if overlap(a["box"], b["box"])]
        assert clashes == []
        legends = [t["box"] for t in texts if t["text"] == "<legend>"]
        covered = [bar["label"] for ax in chart["axes"] for bar in ax["bars"] for box in legends
                   if overlap(box, bar["box"])]
        assert covered == []


def test_the_change_chart_shows_each_units_stated_change(executed, warehouse_db):
    """One bar per unit and year with a computed change in expenditure, valued as fct_yoy has it."""
    rows = query(warehouse_db, """
        select u.unit_name, y.fiscal_year, y.label, y.change_pct::double
        from marts.fct_yoy y join marts.dim_unit u using (unit_id) join reference.yoy_metrics m using (metric)
        where m.kind = 'expenditure' and m.item in ('total', 'grand_total') and y.change_pct is not null""")
    expected_units = {(unit, year) for unit, year, _, _ in rows}
    chart = next(c for c in executed["year_over_year"][1]
                 if any("上年" in ax["xlabel"] for ax in c["axes"]))
    bars = [b for ax in chart["axes"] for b in ax["bars"]]
    seen = set()
    for bar in bars:
        label = bar["label"].replace("\n", "")
        match = [(u, y, lab, v) for u, y, lab, v in rows
                 if label.startswith(u) and f"{y}年" in label and lab in label]
        assert match, label
        assert bar["value"] == pytest.approx(match[0][3], abs=1e-9), label
        seen.add(match[0][:2])
    assert seen == expected_units and len(bars) == len(expected_units)
