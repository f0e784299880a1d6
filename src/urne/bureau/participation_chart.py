"""The participation chart: the cumulative turnout hour by hour, as the coordinates of an
SVG drawn by the template (no script); the same figures are in the table next to it, which
is what assistive technologies read (RGAA 1.3: a chart has its data in text)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from .participation import Overview

WIDTH, HEIGHT = 720, 240
LEFT, BOTTOM = 40, 24


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM

    @property
    def axis_y(self) -> int:
        return self.height - self.bottom

    @property
    def ticks(self) -> list[tuple[float, int]]:
        """The y of 0 %, 25 %, 50 %, 75 %, 100 %."""
        span = self.height - self.bottom - 8
        return [(self.height - self.bottom - span * p / 100, p) for p in (0, 25, 50, 75, 100)]


def chart(overview: Overview) -> Chart:
    registered = overview.total.registered
    hours = overview.hours
    span = HEIGHT - BOTTOM - 8
    if not hours or not registered:
        return Chart(bars=[])
    step = (WIDTH - LEFT - 8) / len(hours)
    bars = []
    for i, h in enumerate(hours):
        share = h.cumulative / registered
        height = span * share
        bars.append(
            Bar(
                x=round(LEFT + i * step, 2),
                y=round(HEIGHT - BOTTOM - height, 2),
                width=round(max(step - 1, 1), 2),
                height=round(height, 2),
                label=f"{timezone.localtime(h.at):%d/%m %Hh} : {100 * share:.1f} %",
            )
        )
    return Chart(bars=bars)
