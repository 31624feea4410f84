"""Inline SVG bar charts for the HTML pages (no script, no CDN: they render from file:// and print).

Conventions (as notebooks/charts.py): 红涨绿跌 — a change upward is red, downward green, none grey; amounts
that are not changes are drawn in a neutral blue.  Every chart states its year(s) and scope in its title or
its bars' labels; labels never overlap (one row per bar, long labels wrap onto a second line and are cut
with … on a third, the full text in the bar's tooltip).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

UP, DOWN, FLAT, NEUTRAL = "#d62728", "#2ca02c", "#8c8c8c", "#4c72b0"
WIDTH, LABEL_W, VALUE_W, ROW_H, TOP = 760, 250, 150, 36, 8
LABEL_CHARS = 17  # CJK characters per label line at 13 px in LABEL_W


@dataclass
class Bar:
    """One bar: ``label`` (unit, year, scope…), ``value`` (万元 or %, None = not stated: no bar),
    ``text`` the value as shown beside the bar, ``tip`` the tooltip (defaults to label and text)."""

    label: str
    value: Decimal | float | None
    text: str
    tip: str | None = None


def change_colour(value) -> str:
    """红涨绿跌: red for an increase, green for a decrease, grey for none or unknown."""
    if value is None or value == 0:
        return FLAT
    return UP if value > 0 else DOWN


def _lines(label: str) -> list[str]:
    if len(label) <= LABEL_CHARS:
        return [label]
    first, rest = label[:LABEL_CHARS], label[LABEL_CHARS:]
    return [first, rest if len(rest) <= LABEL_CHARS else rest[:LABEL_CHARS - 1] + "…"]


def bar_chart(bars: list[Bar], *, title: str, signed: bool = False, label: str = "") -> Markup:
    """A horizontal bar chart as an ``<svg>`` element (safe Markup).

    ``signed``: values are changes — bars grow left or right of a zero line, coloured 红涨绿跌; otherwise
    bars are amounts from zero, in the neutral colour.  ``label`` is the accessible name (aria-label).
    """
    values = [float(b.value) for b in bars if b.value is not None]
    top = max([abs(v) for v in values] + [1e-9])
    plot_w = WIDTH - LABEL_W - VALUE_W
    zero = LABEL_W + (plot_w / 2 if signed and any(v < 0 for v in values) else 0)
    scale = (plot_w / 2 if zero > LABEL_W else plot_w) / top
    height = TOP * 2 + ROW_H * len(bars)
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
           f'height="{height}" role="img" aria-label="{escape(label or title)}"><title>{escape(title)}</title>']
    for i, bar in enumerate(bars):
        y = TOP + i * ROW_H
        lines = _lines(bar.label)
        first = y + ROW_H / 2 + 4 - (7 if len(lines) == 2 else 0)
        tspans = "".join(f'<tspan x="{LABEL_W - 8}" y="{first + 15 * k:.1f}">{escape(t)}</tspan>'
                         for k, t in enumerate(lines))
        out.append(f'<g><title>{escape(bar.tip or bar.label + "：" + bar.text)}</title>'
                   f'<text class="lbl" text-anchor="end" font-size="13">{tspans}</text>')
        if bar.value is not None:
            v = float(bar.value)
            w = abs(v) * scale
            x = zero - w if v < 0 else zero
            colour = change_colour(v) if signed else NEUTRAL
            out.append(f'<rect x="{x:.1f}" y="{y + 8}" width="{max(w, 1):.1f}" height="{ROW_H - 16}" fill="{colour}"/>')
            tx = zero + (w if v >= 0 else 0) + 6 if not (signed and v < 0) else zero + 6
            out.append(f'<text x="{max(tx, zero + 6):.1f}" y="{y + ROW_H / 2 + 4:.1f}" font-size="12" '
                       f'fill="{colour if signed else "#333"}">{escape(bar.text)}</text>')
        else:
            out.append(f'<text x="{zero + 6:.1f}" y="{y + ROW_H / 2 + 4:.1f}" font-size="12" fill="#888">'
                       f'{escape(bar.text)}</text>')
        out.append("</g>")
    out.append(f'<line x1="{zero:.1f}" y1="{TOP}" x2="{zero:.1f}" y2="{height - TOP}" stroke="#999"/></svg>')
    return Markup("".join(out))
