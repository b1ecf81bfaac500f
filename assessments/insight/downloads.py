"""CSV downloads of the figures on insight pages, written as the open data is
(`assessments.publishing.open_data`): UTF-8 without a byte order mark, and every text cell
that a spreadsheet would run as a formula prefixed with a quote (`neutralise`).

The figures are a few dozen rows already worked out for the page, so they are written
in one response rather than streamed.
"""

import csv
import io

from django.http import HttpResponse

from assessments.publishing.open_data import neutralise


def csv_download(filename, header, rows):
    """A CSV file of `rows` under `header`, offered as `filename`. None is written as an
    empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else neutralise(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
