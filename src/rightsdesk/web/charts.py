"""Charts drawn on the server as SVG: no script, no library, nothing fetched.

Colours are presentation attributes (the pages' CSP allows no inline ``style``); every chart is
an image with a text alternative (``role="img"`` and a title), and the page shows its numbers
in a table beside it, so nothing is said by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from unicodedata import east_asian_width

from markupsafe import Markup

INK, MUTED, LINE = "#1f2933", "#52606d", "#d9e2ec"
#: Colour-blind-safe (Okabe-Ito), dark enough for thin bars on white.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8a6d00")
FONT = 'font-family="inherit" font-size="12"'
#: What fits left of a bar (220 px of 12 px text), counting a wide character as two.
LABEL_UNITS = 34


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: Sequence[int]


def _svg(title: str, width: int, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def columns(title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """Stacked columns, one per label (e.g. a week), one colour per series."""
    width, height, left, bottom, top = 640, 240, 36, 28, 12
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    peak = max([*totals, 1])
    step = (width - left) / max(len(labels), 1)
    scale = (height - bottom - top) / peak
    every = 1 if len(labels) <= 8 else 2  # axis labels that fit side by side
    body = _grid(left, width, height - bottom, top, peak)
    for i, label in enumerate(labels):
        x, y = left + i * step + step * 0.15, float(height - bottom)
        for s in series:
            h = s.values[i] * scale
            if h:
                y -= h
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{s.colour}"><title>{escape(s.name)}: {s.values[i]}</title></rect>'
                )
        if i % every == 0:
            body.append(
                f'<text x="{x + step * 0.35:.1f}" y="{height - 10}" text-anchor="middle" '
                f'fill="{MUTED}" {FONT}>{escape(label)}</text>'
            )
    return _svg(title, width, height, body)


def bars(title: str, rows: Sequence[tuple[str, int, str]]) -> Markup:
    """Horizontal bars: (label, value, colour) each, the value written at the bar's end."""
    width, row, label_width = 640, 28, 220
    height = max(len(rows), 1) * row + 8
    peak = max([v for _, v, _ in rows] + [1])
    scale = (width - label_width - 48) / peak
    body = []
    for i, (label, value, colour) in enumerate(rows):
        y = 4 + i * row
        body.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" fill="{INK}" {FONT}>'
            f"<title>{escape(label)}</title>{escape(_fit(label, LABEL_UNITS))}</text>"
            f'<rect x="{label_width}" y="{y + 4}" width="{max(value * scale, 1):.1f}" '
            f'height="{row - 10}" fill="{colour}"></rect>'
            f'<text x="{label_width + value * scale + 6:.1f}" y="{y + 17}" fill="{INK}" {FONT}>'
            f"{value}</text>"
        )
    return _svg(title, width, height, body)


def _fit(label: str, units: int) -> str:
    """``label`` cut to ``units`` (a wide CJK character counts two) with an ellipsis."""
    used = 0
    for i, char in enumerate(label):
        used += 2 if east_asian_width(char) in "WF" else 1
        if used > units:
            return label[: i - 1] + "…"
    return label


def _grid(left: int, right: int, base: int, top: int, peak: int) -> list[str]:
    """The baseline, a top line and their values."""
    lines = []
    for value, y in ((0, base), (peak, top)):
        lines.append(
            f'<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="{LINE}"></line>'
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" fill="{MUTED}" {FONT}>'
            f"{value}</text>"
        )
    return lines
