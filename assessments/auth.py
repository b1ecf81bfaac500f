"""Helpers for signing in."""

from assessments.models import normalise_email


def axes_username(request, credentials=None):
    """The email address django-axes counts failed sign-ins against.

    Lower-cased, so that "Lead@Coventry.example" and "lead@coventry.example"
    share one count and changing case cannot get round the limit.
    """
    if credentials and credentials.get("username"):
        return normalise_email(credentials["username"])
    return normalise_email(request.POST.get("email", ""))


def locked_out(request, original_response=None, credentials=None):
    """The page shown while sign-in is paused after repeated failures (HTTP 429)."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "assessments/accounts/locked_out.html",
        {"cooloff_minutes": minutes},
        status=429,
    )
