"""The maintenance switch: with READ_ONLY=true the service can be read but not changed.

Every page and download still works. Every request that could change something (any
method but GET, HEAD, OPTIONS and TRACE) is answered 503 with a page saying so, before
any view runs, so nothing is written: no answers, no history, no emails or tasks queued.
Signing in and out still work, so that people can read their council's private pages;
they write a session, and django-axes' record of the attempt. Signed-in people see a
banner on every page (templates/includes/read_only_banner.html).

See docs/decisions/0012-read-only-mode.md.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve

# What may still be posted while the service is read-only: signing in and out.
STILL_ALLOWED = {
    "assessments:sign_in",
    "assessments:sign_in_code",  # the second step, for people with two-factor authentication
    "assessments:sign_in_recovery_code",
    "assessments:sign_out",
    "session_end",  # signing out when the timeout warning runs out
    "admin:login",
    "admin:logout",
}
READING = {"GET", "HEAD", "OPTIONS", "TRACE"}


class ReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.READ_ONLY and request.method not in READING and not _still_allowed(request):
            response = render(request, "read_only.html", status=503)
            # Expected while read-only: Django would otherwise log each refusal as an error.
            # The request log still has a line for it.
            response._has_been_logged = True
            return response
        return self.get_response(request)


def _still_allowed(request):
    try:
        return resolve(request.path_info).view_name in STILL_ALLOWED
    except Resolver404:
        return False
