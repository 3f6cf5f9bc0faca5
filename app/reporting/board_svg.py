"""Server-drawn SVG bar charts for the board report: the page and the PDF draw the same image.

The chart is an `<img>` whose source is a `data:` URI (the page's CSP allows `img-src data:`)
with alternative text, so WeasyPrint tags it as a Figure with /Alt in the PDF (an inline
`<svg>` gets no /Alt). Each bar is one shown figure with its 95% interval as a whisker;
suppressed figures have no bar and the alternative text says so. No script draws it, so the
PDF and a printout hold it too. The table beside it holds the same figures.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 640
LABEL_WIDTH = 230
BAR_AREA = WIDTH - LABEL_WIDTH - 60
ROW_HEIGHT = 26
TOP = 22
BAR_COLOUR = "#1d70b8"
LOW_BASE_COLOUR = "#b1b4b6"  # a low-base bar is drawn pale: treat it with caution
FONT = "DejaVu Sans, Arial, sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str
    rate: float | None  # None: suppressed, no bar
    low: float | None
    high: float | None
    low_base: bool = False


def _x(rate: float) -> float:
    return LABEL_WIDTH + rate * BAR_AREA


def bar_chart_svg(bars: Sequence[Bar]) -> str:
    """The chart as SVG text: a bar and interval whisker per shown figure, axis 0–100%."""
    height = TOP + ROW_HEIGHT * len(bars) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" font-size="12">'
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = _x(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height - 20}" '
            'stroke="#dddddd"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{tick * 100:.0f}%</text>'
        )
    for index, bar in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{escape(bar.label)}</text>'
        )
        if bar.rate is None:
            parts.append(
                f'<text x="{LABEL_WIDTH + 4}" y="{y + 15}" fill="#505a5f">Suppressed</text>'
            )
            continue
        colour = LOW_BASE_COLOUR if bar.low_base else BAR_COLOUR
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{bar.rate * BAR_AREA:.1f}" '
            f'height="{ROW_HEIGHT - 10}" fill="{colour}"/>'
        )
        if bar.low is not None and bar.high is not None:
            mid = y + ROW_HEIGHT / 2 - 1
            parts.append(
                f'<line x1="{_x(bar.low):.1f}" y1="{mid:.1f}" x2="{_x(bar.high):.1f}" '
                f'y2="{mid:.1f}" stroke="#0b0c0c" stroke-width="1.5"/>'
            )
        parts.append(
            f'<text x="{_x(max(bar.rate, bar.high or 0)) + 6:.1f}" y="{y + 15}">'
            f"{bar.rate * 100:.0f}%</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def alt_text(title: str, bars: Sequence[Bar]) -> str:
    """What the chart shows, in words: each figure with its interval, or that it is hidden."""
    shown = [
        f"{bar.label} {bar.rate * 100:.0f}%"
        + (
            f" (95% interval {bar.low * 100:.0f}% to {bar.high * 100:.0f}%)"
            if bar.low is not None and bar.high is not None
            else ""
        )
        + (", low base" if bar.low_base else "")
        for bar in bars
        if bar.rate is not None
    ]
    hidden = [bar.label for bar in bars if bar.rate is None]
    text = f"Bar chart of {title} by crime group. "
    text += "; ".join(shown) + "." if shown else "No figure can be shown."
    if hidden:
        text += f" Suppressed: {', '.join(hidden)}."
    return text
