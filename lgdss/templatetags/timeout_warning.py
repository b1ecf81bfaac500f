"""The timeout warning shown to signed-in people before their session ends."""

from django import template
from django.conf import settings

from lgdss import unsaved

register = template.Library()


@register.inclusion_tag("includes/timeout_warning.html", takes_context=True)
def timeout_warning(context):
    """The dialog (closed: static/js/timeout-warning.js opens it) with the session's length."""
    request = context["request"]
    return {
        "session_seconds": settings.SESSION_COOKIE_AGE,
        "warning_seconds": settings.SESSION_WARNING_SECONDS,
        "keeps_text": unsaved.keeps_unsaved_text_at(request.path_info),
        "request": request,
    }
