"""A council's average on each point beside its peers', and councils side by side.

Both read the published record only (`Publication.objects.public()`), never live
assessments, and count each service once: its latest public publication (`latest_public`).
A service assessed three times would otherwise weigh three times as much as one assessed
once, and a council's old scores would hide its new ones.

How an average is worked out, the same everywhere (and in the CSV downloads):

- it is the mean of the scores that count (agreed if peer reviewed, the council's own if
  self-assessed) over every latest publication in the group, each point of each
  publication counted once: a point a publication scored 4 and another scored 2 averages 3;
- points that do not apply have no score and are left out (they are not zeros);
- sums and counts are added up by the database and divided here, in `Decimal`, rounded
  half up to one decimal place, as the publications' own averages are
  (`assessments.scoring`), so the figures do not depend on the database's float division.

Peer-reviewed and self-assessed results are kept apart on a council's page: agreed scores
and a council's own are not the same measure. The comparison of councils mixes them and
says how many of each every council's figures include.

Each function issues a fixed number of queries, whatever the number of publications.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum

from assessments.insight.charts import BarChart, Row
from assessments.models import Publication, PublishedPoint, ReviewType

REVIEW_TYPES = (ReviewType.PEER_REVIEWED, ReviewType.SELF_ASSESSED)
MAXIMUM_SCORE = 5


def latest_public():
    """Public publications that are their service's latest public one (a correlated
    subquery, so it stays one query inside the aggregations that use it). A withdrawn
    publication is not public, so the one before it counts again."""
    newest = (
        Publication.objects.public()
        .filter(service_id=OuterRef("service_id"))
        .order_by("-published_at", "-pk")
        .values("pk")[:1]
    )
    return Publication.objects.public().filter(pk=Subquery(newest))


def average(total, count):
    """`total / count` to one decimal place, rounded half up; None when nothing was scored."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _plural(count, one, many=None):
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _versions(versions):
    versions = sorted(versions)
    if not versions:
        return ""
    label = "version" if len(versions) == 1 else "versions"
    return f"Standard {label} {', '.join(versions)}"


# A council against its peers ------------------------------------------------------------


@dataclass
class Group:
    """The council, the councils of its type or of its region: whose figures a series is."""

    key: str  # "council", "type", "region"
    name: str  # the series' name, as the chart's legend and table show it
    assessments: int = 0
    councils: set = field(default_factory=set)
    versions: set = field(default_factory=set)

    @property
    def includes(self):
        """What this group's figures include, as a sentence fragment."""
        parts = [_plural(self.assessments, "assessment")]
        if self.key != "council":
            parts.append(f"from {_plural(len(self.councils), 'council')}")
        text = f"{self.name}: {' '.join(parts)}"
        if self.versions:
            text += f", {_versions(self.versions)}"
        return text


@dataclass
class PointFigures:
    number: int
    title: str
    # per group key: (sum of scores, how many scored it)
    sums: dict = field(default_factory=dict)

    def average(self, key):
        total, count = self.sums.get(key, (0, 0))
        return average(total, count)

    def scored(self, key):
        return self.sums.get(key, (0, 0))[1]


@dataclass
class PeerComparison:
    """One review type's figures: the council's, its type's and its region's, per point."""

    review_type: str
    groups: list  # of Group, in the order council, type, region
    points: list  # of PointFigures, by number

    @property
    def label(self):
        return ReviewType(self.review_type).label

    @property
    def includes(self):
        return [group.includes for group in self.groups]

    def chart(self, council):
        kind = "peer reviewed" if self.review_type == ReviewType.PEER_REVIEWED else "self-assessed"
        return BarChart(
            id=f"peers-{self.review_type.replace('_', '-')}",
            title=f"Average score on each point, {kind} assessments",
            description=(
                f"{council.short_name}'s average score out of 5 on each point of the Standard "
                f"in its {kind} assessments, beside the average of the {kind} assessments of "
                f"councils of the same type and of the same region. "
                + ". ".join(self.includes)
                + ". Each service counts once, by its latest publication. Points that do not "
                "apply are left out of the averages."
            ),
            series=[group.name for group in self.groups],
            rows=[
                Row(
                    f"{point.number}. {point.title}",
                    tuple(point.average(group.key) for group in self.groups),
                    note=", ".join(str(point.scored(group.key)) for group in self.groups),
                )
                for point in self.points
            ],
            maximum=MAXIMUM_SCORE,
            unit="out of 5",
            row_header="Point",
            notes_header="Assessments scoring the point (each series)",
        )


def _peer_groups(council):
    return [
        Group("council", council.short_name),
        Group("type", f"Same type: {council.authority_type_name}"),
        Group("region", f"Same region: {council.region}"),
    ]


def _group_filters(council, prefix=""):
    """The Q each group's publications match (`prefix` for the points' publication)."""
    return {
        "council": Q(**{f"{prefix}council": council}),
        "type": Q(**{f"{prefix}authority_type": council.authority_type}),
        "region": Q(**{f"{prefix}region": council.region}),
    }


def council_against_peers(council):
    """`council`'s figures beside those of councils of its type and of its region, one
    `PeerComparison` per review type the council has published (empty if none).

    The type and region are the council's current ones; a publication is counted by the
    type and region it was published with (frozen in the record). The peer averages
    include the council's own assessments. Two queries."""
    filters = _group_filters(council)
    anyone = filters["council"] | filters["type"] | filters["region"]
    latest = latest_public().filter(anyone)

    groups = {review_type: _peer_groups(council) for review_type in REVIEW_TYPES}
    counts = latest.values("review_type", "standard_version", "council_id").annotate(
        **{key: Count("pk", filter=q) for key, q in filters.items()}
    )
    for row in counts:
        for group in groups[row["review_type"]]:
            if row[group.key]:
                group.assessments += row[group.key]
                group.councils.add(row["council_id"])
                group.versions.add(row["standard_version"])

    point_filters = _group_filters(council, prefix="publication__")
    scored = Q(not_applicable=False, score__isnull=False)
    aggregates = {}
    for key, q in point_filters.items():
        aggregates[f"{key}_sum"] = Sum("score", filter=q & scored)
        aggregates[f"{key}_count"] = Count("pk", filter=q & scored)
    rows = (
        PublishedPoint.objects.filter(publication__in=latest)
        .values("publication__review_type", "number")
        .annotate(title=Max("short_title"), **aggregates)
        .order_by("publication__review_type", "number")
    )
    points = defaultdict(list)
    for row in rows:
        points[row["publication__review_type"]].append(
            PointFigures(
                row["number"],
                row["title"],
                {key: (row[f"{key}_sum"] or 0, row[f"{key}_count"]) for key in filters},
            )
        )
    return [
        PeerComparison(review_type, groups[review_type], points[review_type])
        for review_type in REVIEW_TYPES
        if groups[review_type][0].assessments
    ]


# Councils side by side --------------------------------------------------------------------


@dataclass
class CouncilFigures:
    """One council in a comparison: its latest publications and its average per point."""

    council: object
    publications: list = field(default_factory=list)
    sums: dict = field(default_factory=dict)  # point number: (sum, count)

    @property
    def peer_reviewed(self):
        return sum(1 for p in self.publications if p.review_type == ReviewType.PEER_REVIEWED)

    @property
    def self_assessed(self):
        return len(self.publications) - self.peer_reviewed

    @property
    def versions(self):
        return {p.standard_version for p in self.publications}

    @property
    def includes(self):
        name = self.council.short_name
        if not self.publications:
            return f"{name}: nothing published"
        return (
            f"{name}: {_plural(len(self.publications), 'assessment')} "
            f"({self.peer_reviewed} peer reviewed, {self.self_assessed} self-assessed), "
            f"{_versions(self.versions)}"
        )

    def average(self, number):
        return average(*self.sums.get(number, (0, 0)))

    def scored(self, number):
        return self.sums.get(number, (0, 0))[1]


@dataclass
class Comparison:
    councils: list  # of CouncilFigures, in the order chosen
    titles: dict  # point number: short title

    @property
    def published(self):
        return [figures for figures in self.councils if figures.publications]

    @property
    def unpublished(self):
        return [figures for figures in self.councils if not figures.publications]

    @property
    def numbers(self):
        return sorted(self.titles)

    def chart(self):
        names = ", ".join(figures.council.short_name for figures in self.councils)
        return BarChart(
            id="compare-points",
            title="Average score on each point",
            description=(
                f"The average score out of 5 on each point of the Standard of {names}. "
                + ". ".join(figures.includes for figures in self.councils)
                + ". Each service counts once, by its latest publication; peer reviewed "
                "assessments count by their agreed scores, self-assessed ones by the "
                "council's own. Points that do not apply are left out of the averages."
            ),
            series=[figures.council.short_name for figures in self.councils],
            rows=[
                Row(
                    f"{number}. {self.titles[number]}",
                    tuple(figures.average(number) for figures in self.councils),
                )
                for number in self.numbers
            ],
            maximum=MAXIMUM_SCORE,
            unit="out of 5",
            row_header="Point",
        )


def compare(councils):
    """The councils' latest public publications and their average on each point, in the
    order given. Two queries, whatever the number of councils and publications."""
    by_pk = {council.pk: CouncilFigures(council) for council in councils}
    latest = latest_public().filter(council__in=list(by_pk))
    for publication in latest.order_by(
        "council_id", "service_name", "pk"
    ):  # service_name: as the council page lists them
        by_pk[publication.council_id].publications.append(publication)
    for figures in by_pk.values():
        figures.publications.sort(key=lambda p: (p.service_name.casefold(), p.pk))

    scored = Q(not_applicable=False, score__isnull=False)
    titles = {}
    rows = (
        PublishedPoint.objects.filter(publication__in=latest)
        .values("publication__council_id", "number")
        .annotate(
            title=Max("short_title"),
            total=Sum("score", filter=scored),
            count=Count("pk", filter=scored),
        )
        .order_by("number")
    )
    for row in rows:
        titles.setdefault(row["number"], row["title"])
        by_pk[row["publication__council_id"]].sums[row["number"]] = (
            row["total"] or 0,
            row["count"],
        )
    return Comparison([by_pk[council.pk] for council in councils], titles)
