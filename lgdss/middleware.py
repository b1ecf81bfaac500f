import logging

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from assessments.publishing.caching import BROWSER_MAX_AGE

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """Answers GET /healthz and /healthz/ready before any other middleware runs.

    Load balancers and Docker's HEALTHCHECK call them by IP address over plain
    HTTP, so they must not depend on ALLOWED_HOSTS or the HTTPS redirect.

    - /healthz: the process is alive and answering (liveness). It does not touch
      the database, so a database outage does not get healthy web processes restarted.
    - /healthz/ready: the database has answered a query (readiness); 503 otherwise,
      which load balancers take as "send no traffic here".
    """

    live_path = "/healthz"
    ready_path = "/healthz/ready"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reading = request.method in ("GET", "HEAD")
        if reading and request.path == self.live_path:
            response = HttpResponse("ok\n", content_type="text/plain")
        elif reading and request.path == self.ready_path:
            response = self._ready()
        else:
            return self.get_response(request)
        response["Cache-Control"] = "no-cache, no-store, must-revalidate, max-age=0"
        return response

    def _ready(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            logger.exception("Health check: the database did not answer")
            return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
        return HttpResponse("ok\n", content_type="text/plain")


class PrivatePagesNotStoredMiddleware:
    """Tells browsers and caches not to store private pages.

    Private are every response to a signed-in person (drafts, members, their
    account, and their name in the header of any page) and, for anonymous
    visitors, every page with a form that posts: it carries a CSRF token, and those
    pages are signing in, resetting a password or accepting an invitation. Public
    pages for anonymous visitors are left as they are.

    It must come before CsrfViewMiddleware in MIDDLEWARE, to see the CSRF cookie
    that middleware sets on its way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or settings.CSRF_COOKIE_NAME in response.cookies:
            add_never_cache_headers(response)
        return response


class PublicPagesKeptBrieflyMiddleware:
    """Lets browsers and shared caches (a CDN) keep a public page for a minute, as the pages
    of the public record already say they may (assessments/publishing/caching.py).

    For the pages that say nothing themselves: the Standard's, the council directory, the
    accessibility statement and the like. They change when a new Standard is loaded or a
    council's facts change, and a minute's delay is within what the record's cache already
    allows for such changes (`PUBLIC_CACHE_SECONDS`). Back, forward and a second look at a
    page then cost no request at all.

    Only an anonymous visitor's page that is the same for every anonymous visitor: a 200 to
    a GET or HEAD with no session or messages cookie, setting no cookie. Anything with a
    `Cache-Control` of its own keeps it: the record's pages, and private pages, which
    `PrivatePagesNotStoredMiddleware` marks first (it comes after this one in MIDDLEWARE).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.has_header("Cache-Control")
            and not response.cookies
            and not _carries_anything_personal(request)
        ):
            patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
        return response


def _carries_anything_personal(request):
    """Whether the request or its response may hold something of this visitor's own: they
    are signed in, or have (or are being given) a session, or messages to be shown."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return True
    return any(
        name in request.COOKIES
        for name in (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
    )


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy, switching off browser features the service never uses,
    for its pages and anything they might embed. Django has no setting for this header."""

    features = [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
    header = ", ".join(f"{feature}=()" for feature in features)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
