"""Charts drawn on the server as SVG: nothing needs JavaScript, and they print.

A chart is a `BarChart`: rows (a point, a phase, a quarter…), each with one value per
series (a council, "peer reviewed" and "self-assessed"…), drawn as horizontal bars. The
template (`assessments/insight/_bar_chart.html`, through the `bar_chart` tag in
`assessments.templatetags.insight`) draws it with:

- a `<title>` and `<desc>` the SVG is labelled by (`role="img"`), saying what the chart
  shows and what its figures include;
- every bar's value written at its end, and each series with its own pattern as well as
  its own colour (solid, stripes, dots, …) and named in a legend, so colour is never the
  only way to tell series apart, on screen or printed in black and white;
- the same figures in a GOV.UK table beside it, which screen readers and copy and paste use.

    chart = BarChart(
        id="points-against-peers",
        title="Average score on each point",
        description="Coventry City Council's average on each point beside…",
        series=("Coventry City Council", "Metropolitan districts"),
        rows=[Row("1. Understand user needs", (Decimal("3.5"), Decimal("2.9"))), …],
        maximum=5,
        unit="out of 5",
    )
"""

from dataclasses import dataclass, field
from decimal import Decimal

# GOV.UK Frontend's palette, dark enough for text contrast against white (3:1 for graphics).
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738"]
# SVG patterns drawn over the colour (ids made unique per chart): none, stripes, dots, ….
PATTERNS = ["solid", "stripes", "dots", "cross", "zigzag"]

ROW_HEIGHT = 18  # one bar
ROW_GAP = 12  # between rows
LABEL_WIDTH = 220  # the rows' labels, on the left
BAR_WIDTH = 340  # the longest bar
VALUE_WIDTH = 70  # the value written after each bar
WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple  # one per series: a number, or None where there is none
    # Shown in the table beside the chart, e.g. "12 assessments".
    note: str = ""


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    text_x: int
    text_y: int
    text: str
    colour: str
    pattern: str
    series: str


@dataclass(frozen=True)
class DrawnRow:
    label: str
    label_y: int
    bars: tuple


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    series: tuple  # the names of the series, in order
    rows: tuple
    maximum: Decimal | int  # the value of a full-length bar (5 for scores, 100 for %)
    unit: str = ""  # after each value in the table and the chart: "%", "out of 5"
    decimals: int = 1
    row_header: str = ""  # the table's first column heading: "Point", "Phase"…
    notes_header: str = ""  # the heading of the rows' notes, if any
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "series", tuple(self.series))

    def format(self, value):
        """A value as written in the chart and the table: "3.4", "62%", "–" for none."""
        if value is None:
            return "–"
        number = f"{Decimal(value):.{self.decimals}f}"
        return f"{number}%" if self.unit == "%" else number

    @property
    def styles(self):
        """(series name, colour, pattern) for each series, as the legend shows them."""
        return [
            (name, COLOURS[i % len(COLOURS)], PATTERNS[i % len(PATTERNS)])
            for i, name in enumerate(self.series)
        ]

    @property
    def height(self):
        per_row = ROW_HEIGHT * max(len(self.series), 1) + ROW_GAP
        return max(len(self.rows), 1) * per_row + ROW_GAP

    @property
    def width(self):
        return WIDTH

    @property
    def drawn_rows(self):
        """Each row's label position and bars, in SVG user units."""
        styles = self.styles
        per_row = ROW_HEIGHT * max(len(self.series), 1) + ROW_GAP
        maximum = Decimal(self.maximum) or Decimal(1)
        drawn = []
        for index, row in enumerate(self.rows):
            top = ROW_GAP + index * per_row
            bars = []
            for position, value in enumerate(row.values):
                name, colour, pattern = styles[position]
                length = (
                    0 if value is None else int(BAR_WIDTH * min(Decimal(value), maximum) / maximum)
                )
                y = top + position * ROW_HEIGHT
                bars.append(
                    Bar(
                        x=LABEL_WIDTH,
                        y=y + 2,
                        width=length,
                        height=ROW_HEIGHT - 4,
                        text_x=LABEL_WIDTH + length + 6,
                        text_y=y + ROW_HEIGHT - 5,
                        text=self.format(value),
                        colour=colour,
                        pattern=pattern,
                        series=name,
                    )
                )
            middle = top + (ROW_HEIGHT * max(len(self.series), 1)) // 2 + 5
            drawn.append(DrawnRow(label=_shorten(row.label), label_y=middle, bars=tuple(bars)))
        return drawn

    @property
    def table_caption_id(self):
        """The id of the caption of the table beside the chart, which names its region."""
        return f"{self.id}-table-caption"

    @property
    def label_x(self):
        return LABEL_WIDTH - 8

    @property
    def axis_x(self):
        return LABEL_WIDTH


def _shorten(label, limit=34):
    """Labels longer than the space for them are cut with an ellipsis in the drawing (the
    table beside it has them whole)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
