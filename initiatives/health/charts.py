"""The health check's trend drawn on the server as SVG, like the dashboards' charts
(initiatives.progress.charts: its width, label column and CSS classes, no inline style): one
small line per dimension, the median across partners period by period, on a scale of 1 to 5.
The same figures are in a table beside it."""

from dataclasses import dataclass

from initiatives.health import periods
from initiatives.progress.charts import LABEL_WIDTH, WIDTH

ROW = 36  # height of one dimension's line
AXIS = 24  # room under the lines for the periods' names
MARGIN = 24  # room either side of the first and last point
SCORES = (1, 5)


@dataclass
class Point:
    x: int
    y: int


@dataclass
class Line:
    label: str
    y: int  # top of its row
    points: list
    value_label: str  # the latest median
    value_x: int
    value_y: int

    @property
    def path(self):
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass
class TrendChart:
    title: str
    width: int
    height: int
    label_width: int
    lines: list
    ticks: list  # (x, period's short name)
    axis_y: int


def trend(title, periods_figures, months):
    """periods_figures: [(period start, [DimensionFigures in Dimension order])], oldest first."""
    count = len(periods_figures)
    left, right = LABEL_WIDTH + MARGIN, WIDTH - MARGIN - 30
    step = (right - left) / (count - 1) if count > 1 else 0
    xs = [round(left + index * step) for index in range(count)]
    low, high = SCORES
    lines = []
    if count:
        for index, first in enumerate(periods_figures[0][1]):
            top = 8 + index * ROW
            figures = [figures[index] for _, figures in periods_figures]
            points = [
                Point(x, round(top + (high - f.median) * (ROW - 12) / (high - low)))
                for x, f in zip(xs, figures, strict=True)
            ]
            last = figures[-1].median_label
            lines.append(Line(first.label, top, points, last, xs[-1] + 10, points[-1].y + 5))
    axis_y = 8 + len(lines) * ROW
    ticks = [
        (x, periods.short_label(start, months))
        for x, (start, _) in zip(xs, periods_figures, strict=True)
    ]
    return TrendChart(title, WIDTH, axis_y + AXIS, LABEL_WIDTH, lines, ticks, axis_y)
