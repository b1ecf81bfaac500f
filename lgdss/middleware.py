import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """Answers GET /healthz before any other middleware runs.

    Load balancers and Docker's HEALTHCHECK call it by IP address over plain
    HTTP, so it must not depend on ALLOWED_HOSTS or the HTTPS redirect. It is
    200 only once the database has answered a query, 503 otherwise, which load
    balancers take as "send no traffic here".
    """

    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != self.path or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            logger.exception("Health check: the database did not answer")
            response = HttpResponse("database unavailable\n", status=503, content_type="text/plain")
        else:
            response = HttpResponse("ok\n", content_type="text/plain")
        response["Cache-Control"] = "no-cache, no-store, must-revalidate, max-age=0"
        return response
