"""Drawing `assessments.insight.charts.BarChart`s: `{% bar_chart chart %}`."""

from django import template

register = template.Library()


@register.inclusion_tag("assessments/insight/_bar_chart.html")
def bar_chart(chart):
    return {"chart": chart}


@register.filter
def chart_value(chart, value):
    """A value as the chart writes it ("3.4", "62%", "–")."""
    return chart.format(value)


@register.filter
def signed(value):
    """A difference as written: "+0.4", "−0.2" (with a minus sign), "0.0"; "–" for none."""
    if value is None:
        return "–"
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"\N{MINUS SIGN}{abs(value)}"
    return f"{value}"
