"""Server-rendered bar charts (SVG, no JavaScript) for the statistics page: the geometry only; the
template draws it (templates/_bar_chart.html) with a title, a description and a legend in text, and
the page's table is the text alternative.

One chart is a group of bars per month, one bar per series, in a 320 × 180 viewBox that scales to
the page's width (so a 320 px phone shows it whole). Series colours have at least 3:1 contrast
against the white background (WCAG 1.4.11) and are told apart by the legend's order as well.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 320, 180
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 10, 22  # room for the value axis and the month labels
COLOURS = ("#1d4f91", "#a8461a", "#2e6b30")  # dark blue, dark orange, dark green: ≥ 5:1 against white


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    value: int


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Series:
    label: str
    colour: str


@dataclass(frozen=True)
class Chart:
    key: str  # for element ids
    title: str
    series: tuple[Series, ...]
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    months: tuple[Label, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    base: float = HEIGHT - BOTTOM


def _nice_top(largest: int) -> int:
    """The value axis' top: 1, 2 or 5 times a power of ten, at least the largest value."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= largest:
                return step * magnitude
        magnitude *= 10


def bar_chart(key: str, title: str, month_labels: list[str], series: list[tuple[str, list[int]]]) -> Chart:
    """Bars per month for each series (label, a value per month)."""
    top = _nice_top(max([1, *(v for _, values in series for v in values)]))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(1, len(month_labels))
    bar_width = max(1.0, (slot * 0.8) / max(1, len(series)))
    base = HEIGHT - BOTTOM
    bars = []
    for n, (_, values) in enumerate(series):
        for m, value in enumerate(values):
            height = plot_height * value / top
            bars.append(Bar(round(LEFT + m * slot + slot * 0.1 + n * bar_width, 2), round(base - height, 2),
                            round(bar_width, 2), round(height, 2), COLOURS[n % len(COLOURS)], value))  # fmt: skip
    ticks = tuple(Tick(round(base - plot_height * f, 2), f"{round(top * f):d}") for f in ((0, 0.5, 1) if top % 2 == 0 else (0, 1)))
    every = 1 if len(month_labels) <= 12 else (2 if len(month_labels) <= 24 else 3)  # labels must not overlap
    labels = tuple(Label(round(LEFT + m * slot + slot / 2, 2), text) for m, text in enumerate(month_labels)
                   if m % every == 0)  # fmt: skip
    return Chart(key, title, tuple(Series(label, COLOURS[n % len(COLOURS)]) for n, (label, _) in enumerate(series)),
                 tuple(bars), ticks, labels)  # fmt: skip
