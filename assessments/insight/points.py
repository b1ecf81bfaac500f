"""The national picture of each point, and self-assessed scores against agreed ones: the
arithmetic, done by the database in a fixed number of queries whatever the number of
publications.

Everything is read from the public record (`PublishedPoint`s of publications that are
not withdrawn, `Publication.objects.public()`), for publications made against one version
of the Standard (the current one, chosen by the caller), because a point's number and
wording belong to a version.

Each published assessment counts once, earlier assessments of a service included: the
figures describe what has been published, as the results page's do. The score that
counts is the agreed score when the assessment was peer reviewed, the council's own when
it was self-assessed (`PublishedPoint.score`); the figures keep the two apart, so that a
reader never mistakes a council's own view for a checked one.

Averages are worked out from exact sums and rounded half up to one place, as each
assessment's own average is (`scoring`); shares are whole percentages rounded the same
way (`publishing.filters._percentage`). The open data (`/data/point-scores.csv`) holds
every number needed to recompute them; tests do so.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from assessments.models import Phase, Publication, PublishedPoint, ReviewType
from assessments.scoring import MAX_SCORE, MET_FROM

PEER = ReviewType.PEER_REVIEWED.value
SELF = ReviewType.SELF_ASSESSED.value
REVIEW_TYPES = (PEER, SELF)
# How many best-scoring examples the national picture shows.
EXAMPLES = 5
SCORES = tuple(range(MAX_SCORE + 1))


def average(total, count):
    """`total / count` rounded half up to one place; None when nothing was counted."""
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.1"), ROUND_HALF_UP)


def percentage(part, whole):
    """A whole-number percentage rounded half up; None of nothing."""
    if not whole:
        return None
    return int((Decimal(100 * part) / whole).quantize(1, ROUND_HALF_UP))


@dataclass(frozen=True)
class Tally:
    """A set of assessments' answers to one point: how many, how many did not apply, the
    sum of the scores that count and how many met the point."""

    assessments: int = 0
    not_applicable: int = 0
    total: int = 0
    met: int = 0

    def __add__(self, other):
        return Tally(
            self.assessments + other.assessments,
            self.not_applicable + other.not_applicable,
            self.total + other.total,
            self.met + other.met,
        )

    @property
    def applicable(self):
        return self.assessments - self.not_applicable

    @property
    def average(self):
        """The average score over the assessments where the point applies."""
        return average(self.total, self.applicable)

    @property
    def met_share(self):
        """The percentage of assessments where the point applies that met it."""
        return percentage(self.met, self.applicable)


@dataclass(frozen=True)
class Group:
    """A row of a breakdown (a score, a phase, a council type): its tally by review type."""

    key: str
    label: str
    by_type: dict  # review type -> Tally

    @property
    def peer(self):
        return self.by_type.get(PEER, Tally())

    @property
    def self_assessed(self):
        return self.by_type.get(SELF, Tally())

    @property
    def all(self):
        return self.peer + self.self_assessed

    def mix(self):
        """What the row includes: "3 assessments: 2 peer reviewed, 1 self-assessed"."""
        return includes(self.all.assessments, self.peer.assessments, self.self_assessed.assessments)


def includes(count, peer, self_assessed):
    noun = "assessment" if count == 1 else "assessments"
    return f"{count} {noun}: {peer} peer reviewed, {self_assessed} self-assessed"


def _points(standard):
    """The public record's answers to points of `standard`."""
    return PublishedPoint.objects.filter(
        publication__withdrawn_at__isnull=True, publication__standard=standard
    )


_TALLY = {
    "assessments": Count("pk"),
    "not_applicable_count": Count("pk", filter=Q(not_applicable=True)),
    "score_total": Sum("score", default=0),
    "met_count": Count("pk", filter=Q(met=True)),
}


def _tally(row):
    return Tally(
        row["assessments"], row["not_applicable_count"], row["score_total"], row["met_count"]
    )


def _grouped(answers, *fields):
    """{(field values…, review type): Tally}, in one query."""
    rows = (
        answers.order_by()
        .values(*fields, "publication__review_type")
        .annotate(**_TALLY)
        .order_by(*fields, "publication__review_type")
    )
    return {
        (*(row[field] for field in fields), row["publication__review_type"]): _tally(row)
        for row in rows
    }


@dataclass(frozen=True)
class PointPicture:
    """The national picture of one point of one version of the Standard."""

    number: int
    overall: Group
    scores: list  # Groups: one per score 0 to 5, then "does not apply"
    phases: list  # Groups: one per phase with an assessment
    council_types: list  # Groups: one per council type with an assessment
    examples: list  # PublishedPoints, each with its `publication`

    @property
    def count(self):
        return self.overall.all.assessments


def point_picture(standard, number, *, examples=True):
    """The national picture of point `number` of `standard`: four queries (three without
    the `examples`, which a download of the figures does not need)."""
    answers = _points(standard).filter(number=number)

    spread = _grouped(answers, "not_applicable", "score")
    scores = [
        Group(str(score), f"Score {score}", _only(spread, (False, score))) for score in SCORES
    ]
    scores.append(Group("not applicable", "Does not apply", _only(spread, (True, None))))
    overall = Group("all", "All", _sum(spread))

    by_phase = _grouped(answers, "publication__phase")
    labels = dict(Phase.choices)
    present = {key[0] for key in by_phase}
    phases = [
        Group(phase, labels.get(phase, phase.capitalize()), _only(by_phase, (phase,)))
        for phase in [*Phase.values, *sorted(present - set(Phase.values))]
        if phase in present
    ]

    by_type = _grouped(answers, "publication__authority_type_name")
    council_types = [
        Group(name, name, _only(by_type, (name,)))
        for name in sorted({key[0] for key in by_type}, key=str.casefold)
    ]

    return PointPicture(
        number=number,
        overall=overall,
        scores=scores,
        phases=phases,
        council_types=council_types,
        examples=best_examples(answers) if examples else [],
    )


def _only(grouped, prefix):
    """The tallies of `grouped` whose key starts with `prefix`, by review type."""
    found = {}
    for key, tally in grouped.items():
        if key[:-1] == prefix:
            found[key[-1]] = found.get(key[-1], Tally()) + tally
    return found


def _sum(grouped):
    found = {}
    for key, tally in grouped.items():
        found[key[-1]] = found.get(key[-1], Tally()) + tally
    return found


def best_examples(answers, limit=EXAMPLES):
    """Up to `limit` answers that met the point with the highest scores, newest first among
    equals, with their publications: one query. Only each service's latest public
    publication is a candidate, so that one service's successive assessments (whose
    evidence is often carried forward) do not fill the list, and no example is out of date."""
    later = Publication.objects.public().filter(
        service_id=OuterRef("publication__service_id"),
        published_at__gt=OuterRef("publication__published_at"),
    )
    return list(
        answers.filter(met=True, score__gte=MET_FROM)
        .exclude(Exists(later))
        .select_related("publication")
        .order_by("-score", "-publication__published_at", "-publication_id")[:limit]
    )


@dataclass
class SelfAndAgreed:
    """One point across peer-reviewed publications: the council's own score against the
    agreed one, where both say the point applies."""

    number: int
    compared: int  # assessments where both scored the point
    excluded: int  # where either side said it does not apply
    self_total: int
    agreed_total: int
    higher: int  # the council scored itself higher than the reviewers agreed
    same: int
    lower: int
    title: str = ""  # the point's short title, for the page

    @property
    def self_average(self):
        return average(self.self_total, self.compared)

    @property
    def agreed_average(self):
        return average(self.agreed_total, self.compared)

    @property
    def difference(self):
        """The average of (council's score − agreed score): above 0, teams over-rated."""
        return average(self.self_total - self.agreed_total, self.compared)


def self_and_agreed(standard):
    """For each point of `standard` with a peer-reviewed publication: one query."""
    scored = Q(self_not_applicable=False, agreed_not_applicable=False)
    rows = (
        _points(standard)
        .filter(publication__review_type=PEER)
        .order_by()
        .values("number")
        .annotate(
            assessments=Count("pk"),
            compared=Count("pk", filter=scored),
            self_total=Sum("self_score", filter=scored, default=0),
            agreed_total=Sum("agreed_score", filter=scored, default=0),
            higher=Count("pk", filter=scored & Q(self_score__gt=F("agreed_score"))),
            same=Count("pk", filter=scored & Q(self_score=F("agreed_score"))),
            lower=Count("pk", filter=scored & Q(self_score__lt=F("agreed_score"))),
        )
        .order_by("number")
    )
    return [
        SelfAndAgreed(
            number=row["number"],
            compared=row["compared"],
            excluded=row["assessments"] - row["compared"],
            self_total=row["self_total"],
            agreed_total=row["agreed_total"],
            higher=row["higher"],
            same=row["same"],
            lower=row["lower"],
        )
        for row in rows
    ]


def peer_reviewed_count(standard):
    """How many public peer-reviewed publications there are against `standard`: one query."""
    return (
        Publication.objects.public()
        .filter(standard=standard, review_type=PEER)
        .aggregate(count=Count("pk"))["count"]
    )
