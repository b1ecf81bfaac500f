"""The published results: every public publication, filtered, sorted and counted.

It reads publications only (docs/decisions/0020-publishing.md), through the filters the
API shares (`assessments.publishing.filters`). The query count is fixed, whatever the
number of publications: the filters' choices (one query each), the figures of what is
shown (one aggregate, which also gives the paginator its count) and one page of rows.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments.forms import results as layout
from assessments.publishing.caching import public_record_page
from assessments.publishing.filters import figures, filter_publications

RESULTS_PER_PAGE = 20


@require_safe
@public_record_page
def results(request):
    """Published results with MOJ Frontend's filter panel, in one GET form, so that each
    filtered page has its own address to share. A filter value that is not offered is
    shown as an error on its field; the other filters still apply."""
    publications, filterset = filter_publications(request.GET)
    if filterset.nothing_published:  # no filter has anything to offer, so none is shown
        return render(request, "assessments/results/results.html", {"filterset": filterset})
    form = filterset.form
    form.is_valid()
    shown = figures(publications)
    paginator = Paginator(publications, RESULTS_PER_PAGE)
    paginator.count = shown.count  # known from the figures: no second count query
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/results/results.html",
        {
            "filterset": filterset,
            "form": form,
            "filter_panel": layout.filter_panel(),
            "sort_order": layout.sort_order(),
            "selected": filterset.selected(request.path),
            "clear_address": filterset.clear_address(request.path),
            "params": filterset.params(),
            "figures": shown,
            "page": page,
        },
    )
