"""Finding the objects named in a URL. Every view goes through these.

Each lookup knows the user: it answers 404 for an object that does not exist (or
is reached through the wrong council's address) and 403 when the user lacks the
permission the view needs. Anonymous visitors are sent to sign in by the views'
`login_required` before these run.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from assessments.models import Assessment, Council, Service


def council_from_url(code, councils=None):
    """The council whose code is in the URL (in any case), or 404."""
    councils = Council.objects.all() if councils is None else councils
    try:
        return councils.by_code(code)
    except Council.DoesNotExist:
        raise Http404("No council has that code.") from None


def council_for(request, code, perm):
    """The council in the URL, if the signed-in user has `perm` on it."""
    council = council_from_url(code)
    if not request.user.has_perm(perm, council):
        raise PermissionDenied
    return council


def service_from_url(request, code, pk, perm):
    """The service `pk` of the council in the URL, if the user has `perm` on it.

    404 when the council or service does not exist or they do not belong together;
    sign-in for anonymous visitors is the view's `login_required`; 403 otherwise.
    """
    council = council_from_url(code)
    try:
        service = Service.objects.select_related("council", "product__supplier").get(
            pk=pk, council=council
        )
    except Service.DoesNotExist:
        raise Http404("No such service.") from None
    if not request.user.has_perm(perm, service):
        raise PermissionDenied
    return service


def assessment_from_url(request, code, pk, perm="assessments.view_assessment"):
    """The assessment `pk` of the council in the URL, if the user has `perm` on it."""
    council = council_from_url(code)
    try:
        assessment = Assessment.objects.select_related(
            "service__council", "standard", "created_by", "submitted_by"
        ).get(pk=pk, service__council=council)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None
    if not request.user.has_perm(perm, assessment):
        raise PermissionDenied
    return assessment
