"""What becomes public when an assessment is published: one pure function.

`snapshot(...)` takes the assessment and what hangs off it, already loaded, and returns a
frozen `Snapshot`: every fact, text and figure the public will see, with the figures
worked out by `scoring.summarise`, the function behind the figures on check answers and
the review's outcome. It reads nothing from the database and writes nothing, so the
confirmation page ("this is what will become public") and the publication written by the
`publish` transition cannot differ. `load_snapshot(assessment)` loads what it needs in a
fixed number of queries and calls it.
"""

from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from assessments import scoring
from assessments.models import (
    AgreedPoint,
    Membership,
    Recommendation,
    ReviewerAssignment,
    ReviewType,
)

INDEPENDENT_ASSESSOR = "Independent assessor"
PEER_REVIEWER = "Peer reviewer"


@dataclass(frozen=True)
class Figures:
    """An assessment's figures, as `scoring.Summary` gives them."""

    total: int
    maximum: int
    met: int
    applicable: int
    average: Decimal | None
    rating: str

    @classmethod
    def of(cls, summary):
        return cls(
            total=summary.total,
            maximum=summary.maximum,
            met=summary.met,
            applicable=summary.applicable,
            average=summary.average,
            rating=str(summary.rating or ""),
        )


@dataclass(frozen=True)
class PointSnapshot:
    number: int
    short_title: str
    statement: str
    self_score: int | None
    self_not_applicable: bool
    not_applicable_reason: str
    evidence: str
    links: tuple  # ({"title": …, "url": …}, …)
    agreed_score: int | None
    agreed_not_applicable: bool
    done_well: str
    to_explore: str
    # What counts: the agreed answer when peer reviewed, the council's otherwise.
    score: int | None
    not_applicable: bool
    met: bool


@dataclass(frozen=True)
class Snapshot:
    review_type: str
    council: dict  # the Publication's council columns, as they are now
    service: dict  # its service columns
    phase: str
    standard_name: str
    standard_version: str
    started_at: object
    submitted_at: object
    reviewer_councils: tuple  # ("Birmingham City Council", "Independent assessor", …)
    review_completed_at: object
    recommendation: str
    recommendation_label: str
    review_summary: str
    council_response: str
    self_figures: Figures
    agreed_figures: Figures | None
    points: tuple[PointSnapshot, ...]

    @property
    def figures(self):
        """The figures that count: the review's when peer reviewed."""
        return self.agreed_figures or self.self_figures

    @property
    def is_peer_reviewed(self):
        return self.review_type == ReviewType.PEER_REVIEWED


def reviewer_label(reviewer, councils):
    """How the public sees a reviewer: by their council (never by name), or as an
    independent assessor. `councils` are the names of the councils they belong to."""
    if reviewer.is_independent_assessor:
        return INDEPENDENT_ASSESSOR
    return ", ".join(sorted(councils)) or PEER_REVIEWER


def agreed_summary(agreed_points):
    """The agreed scores' figures, by the same rules as the council's (`scoring.summarise`).
    An agreed point counts as completed once it has a score or is agreed not applicable:
    it carries no evidence of its own, the council's stands."""
    return scoring.summarise(
        SimpleNamespace(
            pk=row.pk,
            score=row.score,
            not_applicable=row.not_applicable,
            not_applicable_reason="agreed" if row.not_applicable else "",
            evidence="agreed" if row.is_set else "",
        )
        for row in agreed_points
    )


def snapshot(assessment, *, answers, agreed=None, review=None, reviewer_councils=()):
    """What would become public if `assessment` were published now.

    - `answers`: its `PointAssessment`s in point order, each with `point` and `links`
      loaded.
    - `agreed`: {point id: `AgreedPoint`} when peer reviewed (a completed review), else
      None: it is then published as a self-assessment.
    - `review`: the `Review` (summary, recommendation, the council's response), or None.
    - `reviewer_councils`: the reviewers' labels (`reviewer_label`), lead first.
    """
    service = assessment.service
    council = service.council
    product = service.product
    peer_reviewed = agreed is not None
    points = []
    for answer in answers:
        link_rows = tuple({"title": link.title, "url": link.url} for link in answer.links.all())
        row = agreed.get(answer.point_id) if peer_reviewed else None
        if peer_reviewed:
            score = row.score if row else None
            not_applicable = bool(row and row.not_applicable)
        else:
            score, not_applicable = answer.score, answer.not_applicable
        points.append(
            PointSnapshot(
                number=answer.point.number,
                short_title=answer.point.short_title,
                statement=answer.point.statement,
                self_score=answer.score,
                self_not_applicable=answer.not_applicable,
                not_applicable_reason=answer.not_applicable_reason,
                evidence=answer.evidence,
                links=link_rows,
                agreed_score=row.score if row else None,
                agreed_not_applicable=bool(row and row.not_applicable),
                done_well=row.done_well if row else "",
                to_explore=row.to_explore if row else "",
                score=score,
                not_applicable=not_applicable,
                met=not not_applicable and scoring.is_met(score),
            )
        )
    link_counts = {answer.pk: len(answer.links.all()) for answer in answers}
    self_figures = Figures.of(scoring.summarise(answers, link_counts))
    agreed_figures = None
    if peer_reviewed:
        agreed_figures = Figures.of(
            agreed_summary(agreed[a.point_id] for a in answers if a.point_id in agreed)
        )
    recommendation = review.recommendation if (review and peer_reviewed) else ""
    return Snapshot(
        review_type=ReviewType.PEER_REVIEWED if peer_reviewed else ReviewType.SELF_ASSESSED,
        council={
            "council_code": council.code,
            "council_name": council.official_name,
            "gss_code": council.gss_code,
            "nation": council.nation,
            "region": council.region,
            "authority_type": council.authority_type,
            "authority_type_name": council.authority_type_name,
            "peer_group_name": council.peer_group.name,
            "peer_group_slug": council.peer_group.slug,
        },
        service={
            "service_name": service.name,
            "service_description": service.description,
            "service_url": service.url,
            "sourcing": service.sourcing,
            "product_name": product.name if product else "",
            "supplier_name": product.supplier.name if product else "",
        },
        phase=assessment.phase,
        standard_name=assessment.standard.name,
        standard_version=assessment.standard.version,
        started_at=assessment.created_at,
        submitted_at=assessment.submitted_at,
        reviewer_councils=tuple(reviewer_councils) if peer_reviewed else (),
        review_completed_at=review.completed_at if (review and peer_reviewed) else None,
        recommendation=recommendation,
        recommendation_label=Recommendation(recommendation).label if recommendation else "",
        review_summary=review.summary if (review and peer_reviewed) else "",
        council_response=review.council_response if (review and peer_reviewed) else "",
        self_figures=self_figures,
        agreed_figures=agreed_figures,
        points=tuple(points),
    )


def load_snapshot(assessment, *, peer_reviewed):
    """`snapshot` of the assessment as it is in the database: peer reviewed (with its
    completed review) or as a self-assessment. Six queries whatever its size."""
    answers = list(
        assessment.points.select_related("point")
        .prefetch_related("links")
        .order_by("point__number")
    )
    if not peer_reviewed:
        return snapshot(assessment, answers=answers)
    review = assessment.review
    agreed = {row.point_id: row for row in AgreedPoint.objects.filter(assessment=assessment)}
    assignments = list(
        ReviewerAssignment.objects.current()
        .filter(assessment=assessment)
        .select_related("reviewer")
        .order_by("-is_lead", "created_at", "pk")
    )
    councils = {}
    for user_id, name in Membership.objects.filter(
        user__in=[a.reviewer_id for a in assignments]
    ).values_list("user_id", "council__official_name"):
        councils.setdefault(user_id, []).append(name)
    labels = []
    for assignment in assignments:
        label = reviewer_label(assignment.reviewer, councils.get(assignment.reviewer_id, []))
        if label not in labels:
            labels.append(label)
    return snapshot(
        assessment, answers=answers, agreed=agreed, review=review, reviewer_councils=labels
    )
