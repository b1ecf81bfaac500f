"""Finding the objects named in a URL. Every view goes through these.

Each lookup knows the user and answers in the same way:

- 404 for an object the user may not see, whether it exists or not, so that an
  address reveals nothing about what exists (and for one reached through another
  council's address). What a user may see is decided by the querysets'
  `visible_to(user)`, which agree with the `view_*` rules.
- 403 for an object they may see but lack the permission the view needs.

Anonymous visitors are sent to sign in by the views' `login_required` before
these run.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404

from assessments import rules
from assessments.models import Assessment, Council, Invitation, Membership, Review, Service


def _get(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.") from None


def _check(request, perm, obj):
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied
    return obj


def council_from_url(code, councils=None):
    """The council whose code is in the URL, among `councils` (all by default), or 404.
    For public pages: anyone may see a council's page."""
    councils = Council.objects.all() if councils is None else councils
    return _get(councils, code=code)


def council_for(request, code, perm, councils=None):
    """The council in the URL, if the user has `perm` on it.

    `councils` are those the page may be about; by default the councils whose private
    pages (members, invitations, services) the user may see, so another council's
    private pages are 404.
    """
    if councils is None:
        councils = Council.objects.private_pages_visible_to(request.user)
    return _check(request, perm, council_from_url(code, councils))


def service_from_url(request, code, pk, perm):
    """The service `pk` of the council in the URL, if the user may see it and has `perm`."""
    services = Service.objects.visible_to(request.user).select_related(
        "council", "product__supplier"
    )
    return _check(request, perm, _get(services, pk=pk, council__code=code))


def assessment_from_url(request, code, pk, perm="assessments.view_assessment", *, related=()):
    """The assessment `pk` of the council in the URL, if the user may see it and has `perm`.

    `related` names more to read in the same query, for pages that show it: its
    review, say (`"review"`, one-to-one: `review_of` reads it without another query)."""
    user = request.user
    assessments = Assessment.objects.visible_to(user).select_related(
        "service__council", "standard", "created_by", *related
    )
    if user.is_authenticated:
        # The person's role in its council, in the same query: every page about an
        # assessment asks it (rules.py), and it is then not asked again.
        assessments = assessments.annotate(
            viewer_role=Subquery(
                Membership.objects.filter(user=user, council=OuterRef("service__council")).values(
                    "role"
                )[:1]
            )
        )
    assessment = _get(assessments, pk=pk, service__council__code=code)
    if user.is_authenticated:
        rules.note_role_in_council(user, assessment.service.council_id, assessment.viewer_role)
    return _check(request, perm, assessment)


def review_of(assessment):
    """The assessment's review, or None: read with the assessment where its lookup asked
    for it (`related=("review",)`), else one query."""
    try:
        return assessment.review
    except Review.DoesNotExist:
        return None


def membership_from_url(request, code, pk, perm):
    """The membership `pk` of the council in the URL, if the user may see it and has `perm`."""
    memberships = Membership.objects.visible_to(request.user).select_related("council", "user")
    return _check(request, perm, _get(memberships, pk=pk, council__code=code))


def invitation_from_url(request, pk, perm):
    """The invitation `pk`, if the user may see it and has `perm` on it."""
    invitations = Invitation.objects.visible_to(request.user).select_related("council")
    return _check(request, perm, _get(invitations, pk=pk))
