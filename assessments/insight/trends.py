"""Trends: how a service's scores change over its successive assessments, and how the
share of points met changes nationally, quarter by quarter.

Read from the public record only (`Publication.objects.public()` and its points), with
each publication's scores that count (agreed when peer reviewed, the council's own when
self-assessed). Points that do not apply are left out of every share and average.
A fixed number of queries whatever the number of publications: a service's history is
two (its publications, their points), the national picture one (grouped in the
database by quarter and review type).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncQuarter
from django.http import Http404
from django.utils import timezone

from assessments.insight.charts import BarChart, Row
from assessments.models import Publication, PublishedPoint, ReviewType
from assessments.publishing.filters import _percentage

MINUS = "\N{MINUS SIGN}"


# --- One service over time ---------------------------------------------------------------


@dataclass
class Cell:
    """A point's score in one assessment, and its change since the one before."""

    score: int | None
    not_applicable: bool
    change: int | None = None  # None: no earlier score to compare with

    @property
    def change_text(self):
        if self.change is None:
            return ""
        if self.change == 0:
            return "no change"
        return f"+{self.change}" if self.change > 0 else f"{MINUS}{abs(self.change)}"


@dataclass
class PointHistory:
    number: int
    title: str
    cells: list = field(default_factory=list)  # one per publication, oldest first


def service_history(service_id):
    """The service's public publications, oldest first, and each point's score in each
    with the change since the previous one. Two queries. Http404 if none is public."""
    publications = list(
        Publication.objects.public().filter(service_id=service_id).order_by("published_at", "pk")
    )
    if not publications:
        raise Http404("No public assessment of this service.")
    position = {publication.pk: index for index, publication in enumerate(publications)}
    histories = {}
    points = (
        PublishedPoint.objects.filter(publication__in=publications)
        .order_by("number", "publication__published_at", "publication_id")
        .values_list("publication_id", "number", "short_title", "score", "not_applicable")
    )
    for publication_id, number, title, score, not_applicable in points:
        history = histories.setdefault(number, PointHistory(number, title))
        if not history.cells:
            history.cells = [None] * len(publications)
        history.cells[position[publication_id]] = Cell(score, not_applicable)
        history.title = title  # the latest wording
    for history in histories.values():
        before = None
        for cell in history.cells:
            if cell is None:
                continue
            if before is not None and not cell.not_applicable and not before.not_applicable:
                cell.change = cell.score - before.score
            before = cell
    return publications, [histories[number] for number in sorted(histories)]


def service_chart(publications):
    """The share of points met in each of the service's assessments, oldest first."""
    latest = publications[-1]
    return BarChart(
        id="service-met",
        title=f"Share of points met in each assessment of {latest.service_name}",
        description=(
            f"The percentage of the points that applied which were met, in each of the "
            f"{len(publications)} published {_assessments(len(publications))} of "
            f"{latest.service_name} by {latest.council_name}, oldest first. Peer reviewed "
            "assessments count the agreed scores, self-assessments the council's own."
        ),
        series=("Points met",),
        rows=[
            Row(
                f"{timezone.localtime(p.published_at):%-d %b %Y}",
                (_percentage(p.met, p.applicable),),
                note=f"{p.met} of {p.applicable} met, average {p.average if p.average is not None else 'none'}"
                f" ({p.get_review_type_display().lower()})",
            )
            for p in publications
        ],
        maximum=100,
        unit="%",
        decimals=0,
        row_header="Published",
        notes_header="Points met, average score out of 5 and review type",
    )


# --- The national picture, by quarter ----------------------------------------------------


@dataclass
class Quarter:
    start: date
    peer_reviewed: int = 0
    self_assessed: int = 0
    peer_met: int = 0
    peer_applicable: int = 0
    self_met: int = 0
    self_applicable: int = 0

    @property
    def label(self):
        return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"

    @property
    def months(self):
        end = date(self.start.year, self.start.month + 2, 1)
        return f"{self.start:%B} to {end:%B %Y}"

    @property
    def count(self):
        return self.peer_reviewed + self.self_assessed

    @property
    def met(self):
        return self.peer_met + self.self_met

    @property
    def applicable(self):
        return self.peer_applicable + self.self_applicable

    @property
    def met_share(self):
        return _percentage(self.met, self.applicable)

    @property
    def peer_met_share(self):
        return _percentage(self.peer_met, self.peer_applicable)

    @property
    def self_met_share(self):
        return _percentage(self.self_met, self.self_applicable)

    @property
    def includes(self):
        return (
            f"{self.count} {_assessments(self.count)}: {self.peer_reviewed} peer reviewed, "
            f"{self.self_assessed} self-assessed"
        )


def quarters():
    """Each quarter (of the calendar year, in the site's time zone) in which something
    public was published, oldest first, with its counts and points met by review type.
    One query."""
    rows = (
        Publication.objects.public()
        .annotate(quarter=TruncQuarter("published_at"))
        .values("quarter", "review_type")
        .annotate(count=Count("pk"), met=Sum("met"), applicable=Sum("applicable"))
        .order_by("quarter", "review_type")
    )
    found = {}
    for row in rows:
        start = row["quarter"]
        start = timezone.localtime(start) if hasattr(start, "hour") else start
        start = date(start.year, start.month, 1)
        quarter = found.setdefault(start, Quarter(start))
        if row["review_type"] == ReviewType.PEER_REVIEWED:
            quarter.peer_reviewed += row["count"]
            quarter.peer_met += row["met"] or 0
            quarter.peer_applicable += row["applicable"] or 0
        else:
            quarter.self_assessed += row["count"]
            quarter.self_met += row["met"] or 0
            quarter.self_applicable += row["applicable"] or 0
    return [found[start] for start in sorted(found)]


def standard_versions():
    """The versions of the Standard the public publications were assessed against. One
    query."""
    return sorted(
        Publication.objects.public()
        .order_by()
        .values_list("standard_version", flat=True)
        .distinct()
    )


def quarters_chart(found):
    total = sum(q.count for q in found)
    return BarChart(
        id="national-met",
        title="Share of points met, by quarter of publication",
        description=(
            f"For each quarter in which councils published assessments, the percentage of "
            f"the points that applied which were met: in peer reviewed assessments (agreed "
            f"scores), in self-assessments (the council's own scores) and in all. "
            f"{total} published {_assessments(total)} in all."
        ),
        series=("Peer reviewed", "Self-assessed", "All"),
        rows=[
            Row(q.label, (q.peer_met_share, q.self_met_share, q.met_share), note=q.includes)
            for q in found
        ],
        maximum=100,
        unit="%",
        decimals=0,
        row_header="Quarter",
        notes_header="Assessments published",
    )


QUARTER_CSV_COLUMNS = [
    "quarter",
    "quarter_start",
    "assessments",
    "peer_reviewed",
    "self_assessed",
    "points_met",
    "points_applicable",
    "met_percent",
    "peer_reviewed_met_percent",
    "self_assessed_met_percent",
]


def quarter_csv_rows(found):
    for q in found:
        yield [
            q.label,
            q.start.isoformat(),
            q.count,
            q.peer_reviewed,
            q.self_assessed,
            q.met,
            q.applicable,
            _blank(q.met_share),
            _blank(q.peer_met_share),
            _blank(q.self_met_share),
        ]


def _blank(value):
    return "" if value is None else value


def _assessments(count):
    return "assessment" if count == 1 else "assessments"
