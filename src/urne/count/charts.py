"""Charts of the results as server-drawn SVG (ADR 0803): horizontal bars, one per list, whose
lengths are the shares of the valid votes. The SVG is an image (``role="img"`` with a title
and a description that says every value), and the page puts the same figures in a table
beside it; it needs no script and no style sheet (presentation attributes only, so the
Content-Security-Policy's ``style-src 'self'`` holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
LABEL_WIDTH = 200
BAR_HEIGHT = 22
GAP = 10
# Dark enough on white for 4.5:1 (WCAG 1.4.11 asks 3:1 for graphics); the labels are text.
COLOURS = ("#1d4f91", "#8a3b12", "#2f6b2f", "#6a2c70", "#0b6e6e", "#7a5c00", "#4d4d4d")


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    text_y: int
    width: int
    colour: str
    value_x: int


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    height: int
    label_width: int
    bars: list[Bar]
    width: int = WIDTH


def bar_chart(*, id: str, title: str, rows: list[tuple[str, str | None, str]]) -> Chart:
    """A chart of ``rows`` = (label, percent as text or None, the value's text shown)."""
    plot = WIDTH - LABEL_WIDTH - 90
    bars = []
    for n, (label, share, shown) in enumerate(rows):
        y = GAP + n * (BAR_HEIGHT + GAP)
        fraction = Decimal(share or "0") / 100
        width = int(plot * fraction)
        bars.append(
            Bar(
                label=label if len(label) <= 30 else label[:29] + "…",
                value_text=shown,
                y=y,
                text_y=y + BAR_HEIGHT - 6,
                width=max(width, 1),
                colour=COLOURS[n % len(COLOURS)],
                value_x=LABEL_WIDTH + max(width, 1) + 6,
            )
        )
    desc = " ; ".join(f"{label} : {shown}" for label, _, shown in rows)
    return Chart(
        id=id,
        title=title,
        desc=desc,
        height=GAP + len(rows) * (BAR_HEIGHT + GAP),
        label_width=LABEL_WIDTH,
        bars=bars,
    )
