"""Bar charts drawn on the server as SVG geometry: positions and sizes in attributes, colours
from CSS classes (our CSP allows no inline styles). Every chart has a data table beside it."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma

WIDTH = 640
LABEL_WIDTH = 190
BAR_HEIGHT = 14
GROUP_GAP = 14
VALUE_GAP = 6


@dataclass
class Bar:
    series: str  # a CSS modifier: target, verified, claimed
    y: int
    width: int
    value_label: str
    value_x: int


@dataclass
class Group:
    label: str
    y: int
    bars: list


@dataclass
class Chart:
    title: str
    width: int
    height: int
    label_width: int
    groups: list
    series: list  # (css modifier, legend label)


def _pounds(value):
    return "£" + intcomma(f"{Decimal(value):.0f}")


def horizontal_bars(title, rows, series, format_value=_pounds):
    """rows: [(label, {series: value})]; series: [(key, legend label)]. Bars scale to the
    largest value in the chart; each bar is labelled with its value, in pounds unless
    `format_value` (a function of the value) says otherwise."""
    largest = max((Decimal(v) for _, values in rows for v in values.values()), default=Decimal(0))
    scale = (WIDTH - LABEL_WIDTH - 90) / float(largest) if largest > 0 else 0
    groups, y = [], 10
    for label, values in rows:
        bars = []
        for offset, (key, _) in enumerate(series):
            value = Decimal(values.get(key) or 0)
            width = max(0, round(float(value) * scale))
            bar_y = y + offset * (BAR_HEIGHT + 2)
            value_x = LABEL_WIDTH + width + VALUE_GAP
            bars.append(Bar(key, bar_y, width, format_value(value), value_x))
        groups.append(Group(label, y, bars))
        y += len(series) * (BAR_HEIGHT + 2) + GROUP_GAP
    return Chart(title, WIDTH, y, LABEL_WIDTH, groups, list(series))
