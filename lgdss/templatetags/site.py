"""Template helpers for the site's layout."""

from django import template

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
