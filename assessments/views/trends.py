"""Trends on the public record: one service over its successive assessments, and the
share of points met nationally by quarter. Figures from `assessments.insight.trends`;
public publications only; a fixed number of queries; cached like every public page."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from assessments.insight import trends as insight
from assessments.insight.downloads import csv_download
from assessments.publishing.caching import public_record_download, public_record_page


@require_safe
@public_record_page
def service_record(request, pk):
    """A service's public assessments over time, each point's score in each with its
    change, linking to each report. Named and placed as last published. 404 if nothing
    of the service is public. Two queries (and the cache's one)."""
    publications, histories = insight.service_history(pk)
    latest = publications[-1]
    return render(
        request,
        "assessments/trends/service.html",
        {
            "publications": publications,
            "latest": latest,
            "histories": histories,
            "chart": insight.service_chart(publications),
            "crumbs": [
                ("Home", reverse("home")),
                ("Councils", reverse("assessments:council_directory")),
                (
                    latest.council_name,
                    reverse("assessments:council_detail", args=[latest.council_code]),
                ),
            ],
        },
    )


@require_safe
@public_record_page
def trends(request):
    """The share of points met nationally by quarter of publication. Two queries."""
    found = insight.quarters()
    return render(
        request,
        "assessments/trends/national.html",
        {
            "quarters": found,
            "chart": insight.quarters_chart(found) if found else None,
            "total": sum(q.count for q in found),
            "versions": insight.standard_versions(),
            "crumbs": [("Home", reverse("home"))],
        },
    )


@require_safe
@public_record_download
def trends_csv(request):
    """The national figures by quarter, as CSV."""
    return csv_download(
        "lgdss-trends-by-quarter.csv",
        insight.QUARTER_CSV_COLUMNS,
        insight.quarter_csv_rows(insight.quarters()),
    )
