"""The kinds of email the service sends: each kind's templates and how its context is built.

A kind is registered once (in `assessments.notifications.kinds`) with a function
that builds the template context from the object the email is about. That
function runs when the email is sent, not when it is asked for, so the email
says what is true then. It returns None when the email is no longer wanted (an
invitation cancelled in the meantime): the notification is then cancelled.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Model
from django.template.loader import render_to_string


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what coordinators see in the list of emails, e.g. "Invitation"
    subject: str  # template names
    text: str
    html: str
    context: Callable[[Model], dict | None]

    def message(self, about, to, recipient=None):
        """The email for `about` to the address `to`, or None if it is no longer wanted."""
        context = self.context(about)
        if context is None:
            return None
        context = {
            "service_name": settings.SERVICE_NAME,
            "site_url": settings.SITE_URL,
            "recipient": recipient,
            **context,
        }
        context["subject"] = " ".join(render_to_string(self.subject, context).split())
        message = EmailMultiAlternatives(
            subject=context["subject"],
            body=render_to_string(self.text, context),
            to=[to],
        )
        message.attach_alternative(render_to_string(self.html, context), "text/html")
        return message


KINDS: dict[str, Kind] = {}


def register(name, *, label, subject, text, html):
    """Register the decorated function as the context builder of the kind `name`."""

    def decorator(context):
        if name in KINDS:
            raise ValueError(f"The notification kind {name!r} is registered twice.")
        KINDS[name] = Kind(name, label, subject, text, html, context)
        return context

    return decorator


def kind(name):
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"There is no notification kind {name!r}.") from None
