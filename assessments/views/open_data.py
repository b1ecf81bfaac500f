"""The open data: the page that describes the downloads, and the downloads themselves.

Both read the publication tables only (assessments.publishing.open_data), so nothing
that is not published, or has been withdrawn, can reach them.
"""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments.models import PublicRecord
from assessments.publishing.open_data import DOWNLOADS

LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


@require_safe
def open_data(request):
    """What can be downloaded, every column of it, and the licence."""
    return render(
        request,
        "assessments/open_data/index.html",
        {
            "downloads": list(DOWNLOADS.values()),
            "record": PublicRecord.current(),
            "licence_url": LICENCE_URL,
        },
    )


@require_safe
def download(request, slug, file_format):
    """One download, streamed row by row: a single query, however many rows."""
    if slug not in DOWNLOADS or file_format not in CONTENT_TYPES:
        raise Http404("No such download.")
    response = StreamingHttpResponse(
        DOWNLOADS[slug].stream(file_format), content_type=CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="lgdss-{slug}.{file_format}"'
    return response
