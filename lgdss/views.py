"""Site-wide pages: the start page, the statutory pages and the error pages.

The health check is `lgdss.middleware.HealthCheckMiddleware`."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from standard.models import StandardVersion


@require_GET
def home(request):
    standard = StandardVersion.objects.filter(is_current=True).first()
    return render(request, "pages/home.html", {"standard": standard})


@require_GET
def accessibility(request):
    return render(request, "pages/accessibility.html")


@require_GET
def privacy(request):
    return render(request, "pages/privacy.html")


@require_GET
def cookies(request):
    return render(request, "pages/cookies.html")


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered with the request so the page keeps the site's header and navigation;
    # the template must not query the database, which may be what failed.
    return render(request, "500.html", status=500)
