"""Public pages of the published record: read from publications only, never from live
assessments (docs/decisions/0020-publishing.md)."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from assessments.models import Publication, PublishedPoint
from assessments.templatetags.presenters import published_summary


@require_safe
def published_assessment(request, pk):
    """The report of one publication, at its permanent address.

    Everything on it comes from the frozen record (`Publication`, `PublishedPoint`,
    `Correction`), never from the live assessment, council or service, so that later
    edits do not change what was published. A withdrawn publication is still found here,
    with the notice and the reason at the top, and stays readable.

    The other publications of the same service (not withdrawn) are linked: the earlier
    ones, and the latest after this one if there is one. Each point shows the change in
    its score since the most recent earlier publication. Six queries, whatever the
    number of points, corrections and earlier publications.
    """
    publication = get_object_or_404(Publication, pk=pk)
    points = list(publication.points.all())
    corrections = list(publication.corrections.all())
    by_point = {}
    for correction in corrections:
        by_point.setdefault(correction.point_number, []).append(correction)
    others = Publication.objects.public().filter(service_id=publication.service_id)
    earlier = list(
        others.filter(published_at__lt=publication.published_at)
        .order_by("-published_at", "-pk")
        .only("pk", "published_at", "review_type", "phase", "total", "maximum", "rating")
    )
    later = (
        others.filter(published_at__gt=publication.published_at)
        .order_by("-published_at", "-pk")
        .only("pk", "published_at", "review_type")
        .first()
    )
    previous = earlier[0] if earlier else None
    before = (
        {point.number: point for point in PublishedPoint.objects.filter(publication=previous)}
        if previous
        else {}
    )
    for point in points:
        point.before = before.get(point.number)
        point.corrections = by_point.get(point.number, [])
    count = len(points)
    return render(
        request,
        "assessments/public/report.html",
        {
            "publication": publication,
            "crumbs": [
                ("Home", reverse("home")),
                ("Councils", reverse("assessments:council_directory")),
                (
                    publication.council_name,
                    reverse("assessments:council_detail", args=[publication.council_code]),
                ),
            ],
            "points": points,
            "corrections": corrections,
            "earlier": earlier,
            "previous": previous,
            "later": later,
            "figures": published_summary(publication, "", count),
            "self_figures": published_summary(publication, "self_", count),
            "agreed_figures": published_summary(publication, "agreed_", count),
        },
    )
