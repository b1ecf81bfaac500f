"""Template helpers for the site's layout."""

from django import template
from django.utils import dateformat, timezone

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_current(context, prefix):
    """True when the page being shown lives under `prefix` (for service navigation)."""
    request = context.get("request")
    if request is None:
        return False
    if prefix == "/":
        return request.path == "/"
    return request.path.startswith(prefix)


@register.filter
def paragraphs(text):
    """Split guidance text into paragraphs at blank lines."""
    return [part.strip() for part in (text or "").split("\n\n") if part.strip()]


def govuk_time(moment):
    """GOV.UK style times in UK time: "2:05pm", and "9am" on the hour."""
    local = timezone.localtime(moment)
    time = dateformat.format(local, "g:i" if local.minute else "g")
    return f"{time}{'am' if local.hour < 12 else 'pm'}"


@register.filter
def govuk_datetime(moment):
    """ "26 November 2026, 2:05pm" in UK time; empty for no time."""
    if not moment:
        return ""
    return f"{dateformat.format(timezone.localtime(moment), 'j F Y')}, {govuk_time(moment)}"


@register.filter(name="govuk_time")
def govuk_time_filter(moment):
    return govuk_time(moment) if moment else ""
