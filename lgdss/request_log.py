"""One log line per request, with nothing in it that identifies a person.

A line says what was asked and how it went:

    request method=POST path=/invitations/accept/[hidden]/ status=302 duration_ms=41 request_id=…

and nothing else: no cookies, no email addresses or names (they are only ever in
bodies, which are not logged), no query strings except the few keys listed in
QUERY_KEYS, no secrets from addresses (invitation and password reset links carry
them), and no IP addresses unless LOG_IP_ADDRESSES is true. Django's own warnings
about failed requests ("Not Found: /path") go through `HidePathSecrets`, so they
hide the same secrets.
"""

import logging
import re
import time
import uuid
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.http import urlencode

logger = logging.getLogger("lgdss.requests")

HIDDEN = "[hidden]"
# Query keys that are safe and useful to log: the council directory's filters and page
# numbers. Anything else (a search someone typed, a `next` address that may hold an
# invitation link) is left out.
QUERY_KEYS = {"page", "nation", "region", "type", "status", "signed_up"}
# Parts of an address, by their name in the URL pattern, that are secrets or point at a person.
SECRET_PARTS = {"token", "uidb64"}
# In an address that matches no pattern, a part this long may be a secret (invitation
# tokens are 43 characters, reset tokens 39) and one with "@" an email address.
LONG_PART = 20
# A request id from the load balancer is kept if it looks like one; otherwise we make one.
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        fields = {
            "method": request.method,
            "path": loggable_address(request),
            "status": response.status_code,
            "duration_ms": round((time.monotonic() - started) * 1000),
            "request_id": request.request_id,
        }
        if settings.LOG_IP_ADDRESSES:
            from axes.helpers import get_client_ip_address

            fields["ip"] = get_client_ip_address(request)
        logger.info(
            "request %s", " ".join(f"{key}={value}" for key, value in fields.items()), extra=fields
        )
        return response


def loggable_address(request):
    """The request's path with secrets hidden, and only the query keys worth keeping."""
    path = loggable_path(request)
    query = [(key, value) for key, value in request.GET.items() if key in QUERY_KEYS]
    return f"{path}?{urlencode(query)}" if query else path


def loggable_path(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "/".join(_guess(part) for part in request.path.split("/"))
    secrets = {str(value) for name, value in match.kwargs.items() if name in SECRET_PARTS}
    secrets |= {quote(secret) for secret in secrets}
    return "/".join(HIDDEN if part in secrets else part for part in request.path.split("/"))


def _guess(part):
    return HIDDEN if len(part) >= LONG_PART or "@" in part else part


class HidePathSecrets(logging.Filter):
    """Hides secrets in the path that Django's request warnings log ("Not Found: /path")."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and isinstance(record.args, tuple):
            record.args = tuple(
                loggable_path(request) if arg == request.path else arg for arg in record.args
            )
        return True
