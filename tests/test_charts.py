"""Charts drawn on the server: labelled, every value written, series told apart by more
than colour, and the same figures in a table."""

from decimal import Decimal

from django.template import Context, Template

from assessments.insight.charts import BarChart, Row


def draw(chart):
    return Template("{% load insight %}{% bar_chart chart %}").render(Context({"chart": chart}))


CHART = BarChart(
    id="points",
    title="Average score on each point",
    description="Coventry's average beside the average of metropolitan districts.",
    series=("Coventry City Council", "Metropolitan districts"),
    rows=[
        Row("1. Understand user needs", (Decimal("3.5"), Decimal("2.9"))),
        Row("2. Ensure a suitably skilled team", (None, Decimal("3.25"))),
    ],
    maximum=5,
    unit="out of 5",
    row_header="Point",
)


def test_a_chart_is_labelled_by_its_title_and_description():
    html = draw(CHART)
    assert 'role="img" aria-labelledby="points-title points-desc"' in html
    assert '<title id="points-title">Average score on each point</title>' in html
    assert "metropolitan districts.</desc>" in html


def test_every_value_is_written_beside_its_bar_and_in_the_table():
    html = draw(CHART)
    for value in ("3.5", "2.9", "3.2", "–"):  # 3.25 is written to one place
        assert f">{value}</text>" in html
    table = html[html.index("<table") :]
    assert "Coventry City Council" in table
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3.2</td>' in table
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">–</td>' in table


def test_series_differ_in_pattern_as_well_as_colour():
    assert [pattern for _, _, pattern in CHART.styles] == ["solid", "stripes"]
    assert len({colour for _, colour, _ in CHART.styles}) == 2
    html = draw(CHART)
    assert html.count('<path d="M-2,2 l4,-4') == 2  # the striped series, in the chart and key


def test_bars_are_as_long_as_their_share_of_the_maximum():
    first, second = CHART.drawn_rows[0].bars
    assert first.width == int(340 * Decimal("3.5") / 5)
    assert second.width == int(340 * Decimal("2.9") / 5)
    assert CHART.drawn_rows[1].bars[0].width == 0  # no value: no bar, and a dash


def test_percentages_are_written_as_such():
    chart = BarChart(
        id="met",
        title="Points met",
        description="d",
        series=("All",),
        rows=[Row("Q1 2026", (Decimal("61.5"),))],
        maximum=100,
        unit="%",
        decimals=0,
    )
    assert chart.format(Decimal("61.5")) == "62%"
