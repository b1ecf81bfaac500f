import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

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
