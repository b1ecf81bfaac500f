"""Site-wide pages: the start page, how assessments are scored, the statutory pages,
the error pages, and where browsers report what the Content Security Policy blocked.

The health check is `lgdss.middleware.HealthCheckMiddleware`."""

import json
import logging
import re
from urllib.parse import urlsplit

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.template.context_processors import csp
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from assessments import scoring as scoring_model
from assessments.models import Publication
from assessments.publishing.caching import public_record_page
from assessments.publishing.filters import figures
from lgdss.context_processors import service as service_context
from standard.models import StandardVersion

logger = logging.getLogger(__name__)


LATEST_ON_HOME = 5


@require_safe
@public_record_page(changes_outside_record=True)
def home(request):
    """The start page: what the service is, the latest publications and the national
    figures, leading to the results. Three queries, whatever the number published."""
    standard = StandardVersion.objects.filter(is_current=True).first()
    public = Publication.objects.public()
    return render(
        request,
        "pages/home.html",
        {
            "standard": standard,
            "latest": list(public[:LATEST_ON_HOME]),
            "figures": figures(public),
        },
    )


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
        # Without the request no context processor runs: give the page what they would
        # (GOV.UK Frontend's snippet needs nothing: the policy allows it by its hash).
        context = {**service_context(request), **csp(request)}
        return HttpResponseServerError(loader.render_to_string("500.html", context))


@csrf_exempt  # browsers post reports with no CSRF token
@require_POST
def csp_report(request):
    """Logs a browser's report of something the Content Security Policy blocked, when
    CSP_REPORT_URI points here.

    Only what helps find the cause is logged: the directive, what was blocked (a
    keyword such as "inline", or the origin of an address) and the name of the page,
    never its address, which may hold an invitation or password reset token.
    """
    try:
        report = json.loads(request.body)["csp-report"]
        directive = report.get("effective-directive") or report["violated-directive"]
        blocked = report.get("blocked-uri", "")
        page = urlsplit(report.get("document-uri", "")).path
    except (ValueError, KeyError, TypeError, AttributeError):
        return HttpResponseBadRequest("not a CSP report\n", content_type="text/plain")
    logger.warning(
        "Content Security Policy blocked %s under %s on %s",
        _origin_only(blocked),
        directive if re.fullmatch(r"[a-z-]{1,40}", str(directive)) else "an unknown directive",
        _page_name(page),
    )
    return HttpResponse(status=204)


def _origin_only(blocked):
    """What was blocked: a keyword ("inline", "eval") as it is; of an address, its origin."""
    blocked = str(blocked)
    if re.fullmatch(r"[a-z-]{1,20}", blocked):
        return blocked
    try:
        address = urlsplit(blocked)
    except ValueError:
        return "an address"
    if address.scheme in ("http", "https") and re.fullmatch(r"[\w.:-]{1,100}", address.netloc):
        return f"{address.scheme}://{address.netloc}"
    return "an address"


def _page_name(path):
    try:
        return resolve(path).view_name
    except Resolver404:
        return "an unknown page"
