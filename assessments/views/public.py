"""Public pages of the published record: read from publications only, never from live
assessments (docs/decisions/0020-publishing.md)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from assessments.models import Publication
from assessments.publishing.caching import public_record_page


@require_safe
@public_record_page
def published_assessment(request, pk):
    """The report of one publication, at its permanent address. A withdrawn publication
    is still found here, with the notice and the reason."""
    publication = get_object_or_404(Publication, pk=pk)
    return render(
        request,
        "assessments/public/report.html",
        {"publication": publication, "points": list(publication.points.all())},
    )
