"""The public directory of councils, each council's page, and recording that a council signed up."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from assessments import services
from assessments.forms.councils import AdoptionForm, CouncilFilterForm
from assessments.insight import peers
from assessments.models import Council, Publication
from assessments.publishing.caching import kept_for_record, public_record_page
from assessments.publishing.filters import latest_per_service
from assessments.views.lookups import council_for, council_from_url

COUNCILS_PER_PAGE = 50


@require_safe
def directory(request):
    """Every council, searchable and filtered, 50 to a page.

    The query count does not grow with the number of councils: the choices for
    the filters, the count and one page of councils.
    """
    councils = Council.objects.all()
    filters = CouncilFilterForm(
        request.GET,
        regions=councils.order_by("region").values_list("region", flat=True).distinct(),
        types=councils.order_by("authority_type_name")
        .values_list("authority_type", "authority_type_name")
        .distinct(),
    )
    filters.is_valid()  # unknown values were dropped, so the filters in use are always valid
    results = filters.apply(councils).order_by("short_name", "code")
    # A page number that is not a number goes to the first page, one past the end to the last.
    page = Paginator(results, COUNCILS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "assessments/councils/directory.html", {"filters": filters, "page": page}
    )


@require_safe
@public_record_page(changes_outside_record=True)
def detail(request, code):
    """A council's page: its facts, whether it has signed up, and its services' latest
    published results (public ones only, read from the publications), each with links to
    its earlier ones, and its average on each point beside its type's and its region's
    (`peers.council_against_peers`, two queries). A fixed number of queries, whatever
    the number of publications."""
    council = council_from_url(code, Council.objects.select_related("peer_group"))
    if request.path != council.get_absolute_url():  # the code was not typed in lower case
        return redirect(council, permanent=True)
    against_peers = _against_peers(council)
    return render(
        request,
        "assessments/councils/detail.html",
        {
            "council": council,
            "against_peers": [
                (comparison, comparison.chart(council)) for comparison in against_peers
            ],
            "publications": latest_per_service(
                Publication.objects.public().filter(council=council)
            ),
            **_successions(council),
            "may_record_adoption": council.is_current
            and request.user.has_perm("assessments.record_adoption", council),
            "may_view_members": request.user.has_perm("assessments.view_members", council),
            "may_manage_members": request.user.has_perm("assessments.invite_member", council),
        },
    )


def _against_peers(council):
    """`peers.council_against_peers`, kept under the record's version and the council's
    facts that it groups and names by: its two queries scan every publication of the
    council's type and region, and change only when the record or those facts do."""
    facts = "\n".join(
        [
            str(council.pk),
            council.short_name,
            council.authority_type,
            council.authority_type_name,
            council.region,
        ]
    )
    name = "council-against-peers:" + hashlib.sha256(facts.encode()).hexdigest()[:32]
    return kept_for_record(name, lambda: peers.council_against_peers(council))


def _successions(council):
    """The councils that replaced `council` and those it replaced, each by name: one query
    of the links between them, both ways."""
    links = (
        Council.replaced_by.through.objects.filter(Q(from_council=council) | Q(to_council=council))
        .select_related("from_council", "to_council")
        .order_by()
    )
    replaced_by, replaced = [], []
    for link in links:
        if link.from_council_id == council.pk:
            replaced_by.append(link.to_council)
        else:
            replaced.append(link.from_council)

    def by_name(councils):
        return sorted(councils, key=lambda each: (each.short_name, each.pk))

    return {"replaced_by": by_name(replaced_by), "replaced": by_name(replaced)}


@login_required
@require_http_methods(["GET", "POST"])
def record_adoption(request, code):
    """Record, or correct, the date a current council signed up and its senior sponsor.

    Former councils cannot sign up, so their address does not exist (404). Only
    the council's lead and coordinators may record it (403 for anyone else).
    """
    council = council_for(
        request, code, "assessments.record_adoption", councils=Council.objects.current()
    )
    initial = {"adopted_on": council.adopted_on, "sponsor_role": council.adoption_sponsor_role}
    form = AdoptionForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        services.record_adoption(
            council,
            by=request.user,
            adopted_on=form.cleaned_data["adopted_on"],
            sponsor_role=form.cleaned_data["sponsor_role"],
        )
        messages.success(
            request, f"{council.short_name}'s sign-up to the Standard has been recorded"
        )
        return redirect(council)
    return render(
        request, "assessments/councils/record_adoption.html", {"council": council, "form": form}
    )
