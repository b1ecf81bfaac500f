"""How the outbox is shown to coordinators: `{% load emails %}`."""

from django import template
from django.utils.html import format_html

from assessments.models import NotificationStatus
from assessments.notifications import KINDS

register = template.Library()


@register.filter
def email_kind(kind):
    """What the email is, in words: "Invitation"."""
    return KINDS[kind].label if kind in KINDS else kind


@register.simple_tag
def email_status_tag(notification):
    if notification.status == NotificationStatus.FAILED:
        label, colour = "Failed", "govuk-tag--red"
    elif notification.status == NotificationStatus.PENDING and notification.attempts:
        label, colour = "Trying again", "govuk-tag--yellow"
    elif notification.status == NotificationStatus.PENDING:
        label, colour = "Waiting", "govuk-tag--grey"
    else:
        label, colour = notification.get_status_display(), "govuk-tag--grey"
    return format_html('<strong class="govuk-tag {}">{}</strong>', colour, label)
