"""Site-wide pages: the start page, how assessments are scored, the statutory pages
and the error pages.

The health check is `lgdss.middleware.HealthCheckMiddleware`."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.http import require_safe

from assessments import scoring as scoring_model
from standard.models import StandardVersion

logger = logging.getLogger(__name__)


@require_safe
def home(request):
    standard = StandardVersion.objects.filter(is_current=True).first()
    return render(request, "pages/home.html", {"standard": standard})


@require_safe
def scoring(request):
    """How self-assessments are scored, for anyone: the scale, what counts as met and how
    the results are worked out, all read from `assessments.scoring`.

    It sits beside the Standard's pages (/standard/scoring/) but lives here, because the
    `standard` app knows nothing of assessments.
    """
    return render(
        request,
        "pages/scoring.html",
        {
            "levels": scoring_model.LEVELS,
            "met_from": scoring_model.MET_FROM,
            "max_score": scoring_model.MAX_SCORE,
            "rating_rule": scoring_model.RATING_RULE,
            "crumbs": [("Home", reverse("home")), ("The Standard", reverse("standard:point_list"))],
        },
    )


@require_safe
def accessibility(request):
    return render(request, "pages/accessibility.html")


@require_safe
def privacy(request):
    return render(request, "pages/privacy.html")


@require_safe
def cookies(request):
    return render(request, "pages/cookies.html")


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Our 500 page. With the request it shows who is signed in; if that fails too (the
    database may be what failed), it is rendered without the request."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("The error page could not be rendered with the request")
        return HttpResponseServerError(loader.render_to_string("500.html"))
