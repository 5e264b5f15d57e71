"""Server-side SVG charts: horizontal bars, year columns and lines, laid out here, drawn by templates.

Phone first: the SVGs have no viewBox, so text keeps its real size (never shrunk to fit a 375 px
screen); horizontal positions are percentages of the chart's width and vertical ones pixels. A bar's
label sits on its own line above the bar and its figure just after the bar's end, so long unit
names have the whole width. Every number shown is formatted here the Vietnamese way (1.234), and
every coordinate is a plain string ("41.25%"), so templates never localise a coordinate.

Each chart comes with its table (the same numbers), which the templates render next to it.
"""

import math
from dataclasses import dataclass, field

from django.utils.formats import number_format

# Horizontal bars --------------------------------------------------------------------------------

ROW_HEIGHT = 46  # px per bar: label line, then the bar with its figure
LABEL_BASELINE = 16
BAR_TOP = 23
BAR_HEIGHT = 14
BAR_SPACE = 80.0  # % of the width the longest bar takes; the rest holds its figure
MAX_LABEL = 40  # characters of a label drawn in the chart (the table and tooltip have it all)

# Columns and lines ------------------------------------------------------------------------------

PLOT_TOP = 24  # px above the highest gridline
PLOT_LEFT = 12.0  # % of the width left of the plot, where the gridlines' figures stand
PLOT_HEIGHT = 180
AXIS_LABELS = 28  # px under the plot for the x-axis labels
COLUMN_FILL = 0.64  # of each column's slot
PHONE_LABELS = 6  # at most this many x-axis labels stay visible on a phone
SERIES_CLASSES = 4  # lines are styled series-1 … series-4 (colour and dash), then again


def figure(value: int) -> str:
    """A count as the page shows it: 1.234."""
    return number_format(value, force_grouping=True)


def _percent(value: float) -> str:
    return f"{value:.2f}%"


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn, maybe shortened
    full_label: str
    count: int
    figure: str
    width: str  # of the bar, e.g. "41.25%"
    label_y: int
    bar_y: int
    figure_y: int
    url: str = ""  # drill down into this unit
    muted: bool = False  # models without a value ("No field"): drawn in grey


@dataclass(frozen=True)
class BarChart:
    slug: str
    title: str
    label_heading: str  # the table's first column
    bars: list[Bar]
    height: int
    note: str = ""  # said under the chart, e.g. why the bars add up to more than the total

    @property
    def is_empty(self) -> bool:
        return not any(bar.count for bar in self.bars)


def bar_chart(*, slug: str, title: str, label_heading: str, groups, urls=None, note: str = "") -> BarChart:
    """Horizontal bars for `groups` (objects with value, label, count); `urls` maps a value to a link."""
    urls = urls or {}
    groups = list(groups)
    largest = max((group.count for group in groups), default=0)
    bars = []
    for index, group in enumerate(groups):
        top = index * ROW_HEIGHT
        share = group.count / largest if largest else 0
        bars.append(
            Bar(
                label=_shorten(group.label),
                full_label=group.label,
                count=group.count,
                figure=figure(group.count),
                # A bar of a non-zero count is never thinner than a hairline.
                width=_percent(max(share * BAR_SPACE, 0.4 if group.count else 0)),
                label_y=top + LABEL_BASELINE,
                bar_y=top + BAR_TOP,
                figure_y=top + BAR_TOP + BAR_HEIGHT - 2,
                url=urls.get(group.value, ""),
                muted=group.value is None,
            )
        )
    return BarChart(
        slug=slug, title=title, label_heading=label_heading, bars=bars, height=len(bars) * ROW_HEIGHT, note=note
    )


# Shared by columns and lines --------------------------------------------------------------------


@dataclass(frozen=True)
class Gridline:
    y: int
    label: str


@dataclass(frozen=True)
class Tick:
    x: str  # centre of the slot, e.g. "12.50%"
    label: str
    minor: bool  # hidden on a phone, where there is no room for every label


def nice_ceiling(value: int) -> tuple[int, int]:
    """A round maximum for an axis at or above `value`, and the step between its 4 or 5 gridlines."""
    if value <= 0:
        return 1, 1
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step)) if raw_step >= 1 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        step = max(1, int(multiple * magnitude))
        if step * 4 >= value:
            break
    top = step * math.ceil(value / step)
    return top, step


def _gridlines(top: int, step: int) -> list[Gridline]:
    return [Gridline(y=_y(value, top), label=figure(value)) for value in range(0, top + 1, step)]


def _y(value: int, top: int) -> int:
    return PLOT_TOP + PLOT_HEIGHT - round(value / top * PLOT_HEIGHT)


def _slot(count: int) -> float:
    """The width, in %, of each of `count` slots side by side in the plot."""
    return (100 - PLOT_LEFT) / count if count else 100 - PLOT_LEFT


def _centre(index: int, count: int) -> float:
    return PLOT_LEFT + (index + 0.5) * _slot(count)


def _ticks(labels: list[str]) -> list[Tick]:
    every = max(1, math.ceil(len(labels) / PHONE_LABELS))
    last = len(labels) - 1
    return [
        Tick(
            x=_percent(_centre(index, len(labels))),
            label=label,
            # The first and last labels always show; between them every `every`-th one.
            minor=not (index in (0, last) or (index % every == 0 and last - index >= every / 2)),
        )
        for index, label in enumerate(labels)
    ]


# Columns ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    count: int
    figure: str
    x: str
    width: str
    y: int
    height: int
    centre: str
    minor: bool  # its figure is hidden on a phone, like its axis label


@dataclass(frozen=True)
class ColumnChart:
    slug: str
    title: str
    label_heading: str
    columns: list[Column]
    ticks: list[Tick]
    gridlines: list[Gridline]
    height: int = PLOT_TOP + PLOT_HEIGHT + AXIS_LABELS
    axis_y: int = PLOT_TOP + PLOT_HEIGHT
    tick_y: int = PLOT_TOP + PLOT_HEIGHT + 18
    plot_left: str = f"{PLOT_LEFT:.2f}%"

    @property
    def is_empty(self) -> bool:
        return not any(column.count for column in self.columns)


def column_chart(*, slug: str, title: str, label_heading: str, groups) -> ColumnChart:
    """Vertical columns for `groups` in order (years, cycles), with a gridded axis."""
    groups = list(groups)
    top, step = nice_ceiling(max((group.count for group in groups), default=0))
    slot = _slot(len(groups))
    ticks = _ticks([group.label for group in groups])
    columns = []
    for index, (group, tick) in enumerate(zip(groups, ticks, strict=True)):
        y = _y(group.count, top)
        columns.append(
            Column(
                label=group.label,
                count=group.count,
                figure=figure(group.count),
                x=_percent(PLOT_LEFT + index * slot + slot * (1 - COLUMN_FILL) / 2),
                width=_percent(slot * COLUMN_FILL),
                y=y,
                height=PLOT_TOP + PLOT_HEIGHT - y,
                centre=tick.x,
                minor=tick.minor,
            )
        )
    return ColumnChart(
        slug=slug,
        title=title,
        label_heading=label_heading,
        columns=columns,
        ticks=ticks,
        gridlines=_gridlines(top, step),
    )


# Lines ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: str
    y: int
    label: str  # the x value, e.g. the year
    count: int
    figure: str


@dataclass(frozen=True)
class Segment:
    x1: str
    y1: int
    x2: str
    y2: int


@dataclass
class Series:
    name: str
    css_class: str
    points: list[Point] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class TableRow:
    label: str
    figures: list[str]


@dataclass(frozen=True)
class LineChart:
    slug: str
    title: str
    label_heading: str
    series: list[Series]
    ticks: list[Tick]
    gridlines: list[Gridline]
    rows: list[TableRow]  # the table: one row per x value, one figure per series
    height: int = PLOT_TOP + PLOT_HEIGHT + AXIS_LABELS
    axis_y: int = PLOT_TOP + PLOT_HEIGHT
    tick_y: int = PLOT_TOP + PLOT_HEIGHT + 18
    plot_left: str = f"{PLOT_LEFT:.2f}%"

    @property
    def is_empty(self) -> bool:
        return not any(point.count for series in self.series for point in series.points)


def line_chart(
    *, slug: str, title: str, label_heading: str, labels: list[str], series: dict[str, list[int]]
) -> LineChart:
    """One line per entry of `series` (name → one value per label), over the x-axis `labels`."""
    top, step = nice_ceiling(max((value for values in series.values() for value in values), default=0))
    built = []
    for number, (name, values) in enumerate(series.items()):
        line = Series(name=name, css_class=f"series-{number % SERIES_CLASSES + 1}")
        for index, (label, value) in enumerate(zip(labels, values, strict=True)):
            line.points.append(
                Point(
                    x=_percent(_centre(index, len(labels))),
                    y=_y(value, top),
                    label=label,
                    count=value,
                    figure=figure(value),
                )
            )
        line.segments = [
            Segment(x1=a.x, y1=a.y, x2=b.x, y2=b.y) for a, b in zip(line.points, line.points[1:], strict=False)
        ]
        built.append(line)
    rows = [
        TableRow(label=label, figures=[figure(values[index]) for values in series.values()])
        for index, label in enumerate(labels)
    ]
    return LineChart(
        slug=slug,
        title=title,
        label_heading=label_heading,
        series=built,
        ticks=_ticks(labels),
        gridlines=_gridlines(top, step),
        rows=rows,
    )


# Paired bars -------------------------------------------------------------------------------------

PAIR_ROW_HEIGHT = 62  # label line, then two bars
PAIR_BAR_HEIGHT = 12


@dataclass(frozen=True)
class PairRow:
    label: str
    full_label: str
    first: int
    second: int
    first_figure: str
    second_figure: str
    share: str  # second as a share of first, "62,5 %", or "" when first is 0
    first_width: str
    second_width: str
    label_y: int
    first_y: int
    second_y: int


@dataclass(frozen=True)
class PairChart:
    slug: str
    title: str
    label_heading: str
    first_name: str
    second_name: str
    share_heading: str
    rows: list[PairRow]
    height: int

    @property
    def is_empty(self) -> bool:
        return not self.rows


def pair_chart(
    *, slug: str, title: str, label_heading: str, names: tuple[str, str], share_heading: str, rows
) -> PairChart:
    """Two bars per row (label, first, second), e.g. models registered and recognised per cycle."""
    rows = list(rows)
    largest = max((max(first, second) for _label, first, second in rows), default=0)
    built = []
    for index, (label, first, second) in enumerate(rows):
        top = index * PAIR_ROW_HEIGHT

        def width(value: int) -> str:
            return _percent(max(value / largest * BAR_SPACE, 0.4 if value else 0) if largest else 0)

        built.append(
            PairRow(
                label=_shorten(label),
                full_label=label,
                first=first,
                second=second,
                first_figure=figure(first),
                second_figure=figure(second),
                # Rounded here: number_format cuts the digits beyond decimal_pos off.
                share=number_format(round(second / first * 100, 1), decimal_pos=1) + " %" if first else "",
                first_width=width(first),
                second_width=width(second),
                label_y=top + LABEL_BASELINE,
                first_y=top + BAR_TOP,
                second_y=top + BAR_TOP + PAIR_BAR_HEIGHT + 4,
            )
        )
    return PairChart(
        slug=slug,
        title=title,
        label_heading=label_heading,
        first_name=names[0],
        second_name=names[1],
        share_heading=share_heading,
        rows=built,
        height=len(built) * PAIR_ROW_HEIGHT,
    )
