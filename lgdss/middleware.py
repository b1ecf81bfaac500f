import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse

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
