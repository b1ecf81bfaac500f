"""CSV downloads of the insight pages' figures, written as the open data's are
(`assessments.publishing.open_data`): UTF-8 without a byte order mark, and every text
cell that a spreadsheet would run as a formula neutralised."""

import csv

from django.http import StreamingHttpResponse

from assessments.publishing.open_data import neutralise


class _Line:
    """A file-like object `csv.writer` writes one line into, to be yielded."""

    def write(self, value):
        return value


def csv_download(filename, header, rows):
    """A streamed CSV attachment: the header, then `rows` (lists of values; None is written
    as an empty cell)."""
    writer = csv.writer(_Line())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(["" if value is None else neutralise(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
