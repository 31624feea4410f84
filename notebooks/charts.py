"""Chart conventions shared by the analysis notebooks (imported from the notebook's folder).

- 红涨绿跌: an increase is drawn red, a decrease green (the Chinese convention), no change grey.
- Every bar names its unit (with the report's scope, 汇总/本级/差额), its year and its funding
  scope (资金范围, labels from ``reference.enum_labels``), because units report different
  years and not every unit states every scope.
- Labels never overlap: category labels wrap, and point labels go in a column beside the plot
  with a leader line to their point (points at the same place share one label).
"""
from __future__ import annotations

import textwrap

import duckdb
from matplotlib.axes import Axes
from matplotlib.patches import Patch

UP, DOWN, FLAT = "#d62728", "#2ca02c", "#8c8c8c"
# colours for categories that are neither increases nor decreases: no red, no green
NEUTRAL = ["#4c72b0", "#dd8452", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]
# fct_identity_check.check_family (the identity catalogue's families)
CHECK_FAMILY = {"sums": "合计", "hierarchy": "科目层级", "ratios": "比率", "readings_agree": "多处读数一致",
                "performance": "绩效"}
# dim_unit.scope comes from the suffix of the report's title (CONTRACT.md: （汇总）/（本级）/（差额）)
UNIT_SCOPE = {"consolidated": "汇总", "own": "本级", "balance": "差额"}
WRAP = 14  # characters per label line (CJK characters are about one em wide)


def funding_scope_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """funding_scope code → its Chinese label from reference.enum_labels, without the parenthesised
    note (全部资金（支出决算表） → 全部资金) so it fits a bar label."""
    rows = con.sql("select code, label from reference.enum_labels where enum = 'funding_scope'").fetchall()
    return {code: label.split("（")[0] for code, label in rows}


def change_colour(value: float | None) -> str:
    """红涨绿跌: red for an increase, green for a decrease, grey for none or unknown."""
    if value is None or value == 0:
        return FLAT
    return UP if value > 0 else DOWN


def legend_outside(ax: Axes, handles=None, **kwargs) -> None:
    """The legend to the right of the axes, where it cannot cover a bar."""
    kwargs = {"loc": "upper left", "bbox_to_anchor": (1.01, 1), "fontsize": 8, "frameon": False, **kwargs}
    if handles is None:
        ax.legend(**kwargs)
    else:
        ax.legend(handles=handles, **kwargs)


def change_legend(ax: Axes, **kwargs) -> None:
    """A legend stating the colour convention (增加 red, 减少 green), outside the axes."""
    legend_outside(ax, [Patch(color=UP, label="增加"), Patch(color=DOWN, label="减少")], **kwargs)


def wrap(text: str, width: int = WRAP) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def bar_label(unit: str, unit_scope: str | None, year: int, scope_label: str | None) -> str:
    """Category label of one bar: unit（汇总）, then 2024年 · funding scope; wrapped to WRAP characters."""
    head = unit + (f"（{UNIT_SCOPE.get(unit_scope, unit_scope)}）" if unit_scope else "")
    tail = f"{year}年" + (f" · {scope_label}" if scope_label else "")
    if len(tail) > WRAP:                     # year on its own line, then the scope
        tail = f"{year}年\n{wrap(scope_label)}"
    return f"{wrap(head)}\n{tail}"


def label_points(ax: Axes, points: list[tuple[float, float, str, str]], fontsize: float = 8) -> None:
    """Label scatter points ``(x, y, who, what)`` without overlap.

    Points at the same place share one callout, which lists ``who：what、what`` per distinct
    ``who``; callouts are stacked in a column right of the axes in the order of their points'
    y, each joined to its point by a leader line, and the figure grows when the column needs it.
    """
    groups: dict[tuple[float, float], dict[str, list[str]]] = {}
    for x, y, who, what in points:
        items = groups.setdefault((round(x, 6), round(y, 6)), {}).setdefault(who, [])
        if what not in items:
            items.append(what)
    if not groups:
        return
    items = sorted(groups.items(), key=lambda kv: (-kv[0][1], kv[0][0]))   # top to bottom
    texts = ["\n".join(wrap(f"{who}：{'、'.join(whats)}", 22) for who, whats in by_who.items())
             for _, by_who in items]
    lines = [t.count("\n") + 1 for t in texts]
    total = sum(lines) + len(lines)                                     # one blank line between callouts
    fig = ax.figure
    need = total * fontsize * 1.3 / 72 / ax.get_position().height   # inches of figure the column needs
    if fig.get_figheight() < need:
        fig.set_figheight(need)
    used = 0.0
    for (xy, _), text, n in zip(items, texts, lines):
        centre = 1 - (used + (n + 1) / 2) / total
        used += n + 1
        ax.annotate(text, xy=xy, xycoords="data", xytext=(1.04, centre), textcoords="axes fraction",
                    fontsize=fontsize, va="center", ha="left",
                    arrowprops={"arrowstyle": "-", "color": "#bbbbbb", "linewidth": 0.5})
