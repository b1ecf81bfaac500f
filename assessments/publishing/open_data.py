"""The open data downloads: what their columns are, and how their rows are written.

Each download is described once, here, as a list of `Column`s: the `/data/` page lists
them (name, meaning, type, example) from the same list that writes the files, so the
page cannot drift from the files. Rows come from the publication tables only
(`Publication.objects.public()`), never from live assessments.

The files stream: rows are read with `values_list(...).iterator(chunk_size=...)` and
written one at a time, so memory and the number of queries stay the same whether there
are ten publications or ten thousand (one query per download, in chunks on databases
that support server-side cursors).

Two decisions a reader of the files needs to know, stated on `/data/` too:

- CSV is UTF-8 **without** a byte order mark: RFC 4180 readers, `csv` modules and
  command-line tools read it as it is; spreadsheet users open it with "UTF-8" chosen
  (the page says how).
- A CSV text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
  prefixed with a single quote (`'`), so that a spreadsheet never runs it as a formula
  (OWASP's advice on CSV injection). JSON is not changed: it is not opened as a sheet.
"""

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse

from assessments.models import Publication, PublishedPoint

# Rows read from the database at a time: few enough to keep memory flat, many enough
# that a national download is a handful of round trips.
CHUNK_SIZE = 2000

# What a spreadsheet would take as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str  # the column's heading in CSV and its key in JSON
    source: str  # the `values_list` path it is read from
    type: str  # as shown on /data/: "text", "whole number", "decimal", "date and time"…
    meaning: str
    example: str
    # Turns the database value into the file's value (e.g. a list into text for CSV).
    as_csv: Any = None
    as_json: Any = None


def _joined(values):
    return "; ".join(values or [])


def _report_url(pk):
    return reverse("assessments:published_assessment", args=[pk])


def _date(value):
    return value.isoformat() if value is not None else None


_ID = "whole number"
_TEXT = "text"
_NUMBER = "whole number (blank if none)"
_DECIMAL = "decimal, one place (blank if none)"
_DATE = "date and time, ISO 8601, UTC"

ASSESSMENT_COLUMNS = [
    Column("assessment_id", "pk", _ID, "The assessment's identifier: the same for ever, and the number in its report's address.", "1042"),
    Column("report_url", "pk", "text (a path on this site)", "Where the report is published.", "/assessments/1042/", as_csv=_report_url, as_json=_report_url),
    Column("council_code", "council_code", _TEXT, "The council's code in the local authority register.", "COV"),
    Column("gss_code", "gss_code", _TEXT, "The council's Government Statistical Service code (blank if it has none).", "E08000026"),
    Column("council_name", "council_name", _TEXT, "The council's name when it published.", "Coventry City Council"),
    Column("nation", "nation", _TEXT, "England, Northern Ireland, Scotland or Wales.", "England"),
    Column("region", "region", _TEXT, "The council's region.", "West Midlands"),
    Column("council_type_code", "authority_type", _TEXT, "The code of the council's type.", "MD"),
    Column("council_type", "authority_type_name", _TEXT, "The council's type.", "Metropolitan district"),
    Column("peer_group", "peer_group_name", _TEXT, "The peer group the council belonged to.", "Midlands"),
    Column("service_id", "service_id", _ID, "The service's identifier: the same for every assessment of the service.", "311"),
    Column("service_name", "service_name", _TEXT, "The service's name when it was published.", "Find a recycling centre"),
    Column("service_url", "service_url", _TEXT, "The service's web address (blank if none).", "https://www.coventry.gov.uk/recycling"),
    Column("sourcing", "sourcing", _TEXT, "How the service is provided: in_house (built in house) or bought (from a supplier).", "in_house"),
    Column("product", "product_name", _TEXT, "The supplier's product the service uses (blank if none).", "Bin Collections Online"),
    Column("supplier", "supplier_name", _TEXT, "The product's supplier (blank if none).", "Example Software Ltd"),
    Column("phase", "phase", _TEXT, "The service's phase when assessed: discovery, alpha, beta or live.", "beta"),
    Column("standard_version", "standard_version", _TEXT, "The version of the Standard it was assessed against.", "1.0"),
    Column("standard_name", "standard_name", _TEXT, "The Standard's name.", "Local Government Digital Service Standard"),
    Column("review_type", "review_type", _TEXT, "peer_reviewed (the figures are the review's agreed scores) or self_assessed (the council's own).", "peer_reviewed"),
    Column("reviewer_councils", "reviewer_councils", "list of text (in CSV, separated by \"; \")", "The reviewers' councils (empty if self-assessed). Reviewers are never named.", "Birmingham City Council; Independent assessor", as_csv=_joined),
    Column("recommendation", "recommendation", _TEXT, "The review's recommendation: meets, meets_with_actions or does_not_meet (blank if self-assessed).", "meets_with_actions"),
    Column("submitted_at", "submitted_at", _DATE, "When the council submitted its self-assessment.", "2026-03-02T10:15:00+00:00", as_json=_date),
    Column("review_completed_at", "review_completed_at", _DATE + " (blank if self-assessed)", "When the peer review was completed.", "2026-04-20T16:00:00+00:00", as_json=_date),
    Column("published_at", "published_at", _DATE, "When the council published it.", "2026-05-01T09:30:00+00:00", as_json=_date),
    Column("total", "total", _ID, "The score that counts, added up over the points that apply: the agreed total if peer reviewed, the council's own if self-assessed.", "44"),
    Column("maximum", "maximum", _ID, "The highest total possible over the points that apply.", "70"),
    Column("met", "met", _ID, "How many points are met (scored 3 or more).", "14"),
    Column("applicable", "applicable", _ID, "How many of the 15 points apply.", "14"),
    Column("average", "average", _DECIMAL, "The average score over the points that apply.", "3.1"),
    Column("rating", "rating", _TEXT, "green, amber or red.", "green"),
    Column("self_total", "self_total", _ID, "The council's own total.", "45"),
    Column("self_maximum", "self_maximum", _ID, "The highest total possible by the council's own answers.", "75"),
    Column("self_met", "self_met", _ID, "Points met by the council's own scores.", "15"),
    Column("self_applicable", "self_applicable", _ID, "Points that apply by the council's own answers.", "15"),
    Column("self_average", "self_average", _DECIMAL, "The council's own average score.", "3.0"),
    Column("self_rating", "self_rating", _TEXT, "The council's own rating.", "green"),
    Column("agreed_total", "agreed_total", _NUMBER, "The review's agreed total (blank if self-assessed).", "44"),
    Column("agreed_maximum", "agreed_maximum", _NUMBER, "The highest agreed total possible (blank if self-assessed).", "70"),
    Column("agreed_met", "agreed_met", _NUMBER, "Points met by the agreed scores (blank if self-assessed).", "14"),
    Column("agreed_applicable", "agreed_applicable", _NUMBER, "Points that apply by the review (blank if self-assessed).", "14"),
    Column("agreed_average", "agreed_average", _DECIMAL, "The agreed average score (blank if self-assessed).", "3.1"),
    Column("agreed_rating", "agreed_rating", _TEXT, "The agreed rating (blank if self-assessed).", "green"),
]  # fmt: skip

POINT_COLUMNS = [
    Column("assessment_id", "publication_id", _ID, "The assessment's identifier, as in the assessments download.", "1042"),
    Column("council_code", "publication__council_code", _TEXT, "The council's code in the local authority register.", "COV"),
    Column("gss_code", "publication__gss_code", _TEXT, "The council's GSS code (blank if it has none).", "E08000026"),
    Column("service_id", "publication__service_id", _ID, "The service's identifier.", "311"),
    Column("standard_version", "publication__standard_version", _TEXT, "The version of the Standard.", "1.0"),
    Column("review_type", "publication__review_type", _TEXT, "peer_reviewed or self_assessed.", "self_assessed"),
    Column("point_number", "number", _ID, "The point's number in that version of the Standard, 1 to 15.", "4"),
    Column("point_title", "short_title", _TEXT, "The point's short title.", "Make the service simple to use"),
    Column("score", "score", _NUMBER, "The score that counts, 0 to 5: the agreed score if peer reviewed, the council's own if self-assessed (blank if the point does not apply).", "3"),
    Column("not_applicable", "not_applicable", "true or false", "Whether the point does not apply (and is left out of the figures).", "false"),
    Column("met", "met", "true or false", "Whether the point is met (scored 3 or more).", "true"),
    Column("self_score", "self_score", _NUMBER, "The council's own score (blank if it said the point does not apply).", "3"),
    Column("self_not_applicable", "self_not_applicable", "true or false", "Whether the council said the point does not apply.", "false"),
    Column("agreed_score", "agreed_score", _NUMBER, "The review's agreed score (blank if self-assessed or not applicable).", "4"),
    Column("agreed_not_applicable", "agreed_not_applicable", "true or false", "Whether the review agreed the point does not apply (false if self-assessed).", "false"),
    Column("not_applicable_reason", "not_applicable_reason", _TEXT, "Why the council said the point does not apply.", "There is no service to test yet."),
    Column("evidence", "evidence", _TEXT, "The council's evidence.", "We tested the form with 12 residents."),
    Column("done_well", "done_well", _TEXT, "What the reviewers said the team has done well (blank if self-assessed).", "Clear research with residents."),
    Column("to_explore", "to_explore", _TEXT, "What the reviewers said the team needs to explore (blank if self-assessed).", "How the team measures success."),
]  # fmt: skip


def neutralise(value):
    """A CSV cell a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(column, value):
    if column.as_csv:
        value = column.as_csv(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(value)


def json_value(column, value):
    if column.as_json:
        return column.as_json(value)
    if isinstance(value, Decimal):
        # Averages have one decimal place, which a float holds exactly enough to print.
        return float(value)
    return value


class _Line:
    """A file-like object `csv.writer` writes one line into, to be yielded."""

    def write(self, value):
        return value


def _rows(queryset, columns):
    sources = list(dict.fromkeys(column.source for column in columns))
    index = {source: position for position, source in enumerate(sources)}
    for row in queryset.values_list(*sources).iterator(chunk_size=CHUNK_SIZE):
        yield [row[index[column.source]] for column in columns]


def stream_csv(queryset, columns):
    writer = csv.writer(_Line())
    yield writer.writerow([column.name for column in columns])
    for row in _rows(queryset, columns):
        yield writer.writerow(
            [_csv_value(column, value) for column, value in zip(columns, row, strict=True)]
        )


def stream_json(queryset, columns):
    """A JSON array of objects, one per row, keyed by column name, written as it is read."""
    yield "["
    separator = "\n"
    for row in _rows(queryset, columns):
        record = {
            column.name: json_value(column, value)
            for column, value in zip(columns, row, strict=True)
        }
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def public_publications():
    return Publication.objects.public().order_by("pk")


def public_points():
    return PublishedPoint.objects.filter(publication__withdrawn_at__isnull=True).order_by(
        "publication_id", "number"
    )


@dataclass(frozen=True)
class Download:
    slug: str  # the file name without its extension
    title: str
    description: str
    columns: list
    rows: Any  # a function giving the queryset of its rows, in a stable order

    def stream(self, file_format):
        writer = stream_csv if file_format == "csv" else stream_json
        return writer(self.rows(), self.columns)


ASSESSMENTS = Download(
    "assessments",
    "Published assessments",
    "One row for each published assessment that has not been withdrawn: the council, the "
    "service, how it was reviewed and its figures.",
    ASSESSMENT_COLUMNS,
    public_publications,
)
POINT_SCORES = Download(
    "point-scores",
    "Point scores",
    "One row for each point of each published assessment that has not been withdrawn: "
    "the scores, whether the point is met, the evidence and the reviewers' comments.",
    POINT_COLUMNS,
    public_points,
)
DOWNLOADS = {download.slug: download for download in (ASSESSMENTS, POINT_SCORES)}
