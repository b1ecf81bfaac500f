"""The timeout warning shown to signed-in people before their session ends."""

from django import template
from django.conf import settings

from lgdss import sessions, unsaved

register = template.Library()


@register.inclusion_tag("includes/timeout_warning.html", takes_context=True)
def timeout_warning(context):
    """The dialog (closed: static/js/timeout-warning.js opens it) with the session's length
    and how much of it is left: a page does not always move the session's end on
    (lgdss/sessions.py)."""
    request = context["request"]
    return {
        "session_seconds": settings.SESSION_COOKIE_AGE,
        "seconds_left": sessions.seconds_left(request.session),
        "warning_seconds": settings.SESSION_WARNING_SECONDS,
        "keeps_text": unsaved.keeps_unsaved_text_at(request.path_info),
        "request": request,
    }
