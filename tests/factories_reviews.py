"""Peer reviews for tests: a submitted assessment put in review with its reviewers, as
the coordinators' assignment would leave it, and a completed review.

They need the Standard loaded: use the `standard` fixture in tests that call them.
"""

from datetime import timedelta

from django.utils import timezone

from assessments import services
from assessments.models import (
    AgreedPoint,
    PointAssessment,
    Recommendation,
    Review,
    ReviewerAssignment,
)
from tests.factories_services import ServiceFactory


def submitted_assessment(council, lead, *, name="Report a missed bin", score=3):
    """A Coventry-style assessment with every point scored `score` with evidence, submitted
    by `lead` through the workflow."""
    service = ServiceFactory(council=council, name=name)
    assessment = services.start_assessment(service, by=lead, phase="beta")
    PointAssessment.objects.filter(assessment=assessment).update(
        score=score, evidence="What the team did."
    )
    services.submit(assessment, by=lead)
    return assessment


def begin_review(assessment, *, coordinator, lead, others=(), due_in_days=21):
    """Give the submitted assessment its review, `lead` as lead reviewer and `others`
    as reviewers (confirmed by `coordinator`), and start the review (`begin_review`)."""
    now = timezone.now()
    Review.objects.create(assessment=assessment, due_on=now.date() + timedelta(days=due_in_days))
    for reviewer, is_lead in [(lead, True), *((other, False) for other in others)]:
        ReviewerAssignment.objects.create(
            assessment=assessment,
            reviewer=reviewer,
            is_lead=is_lead,
            created_by=coordinator,
            confirmed_at=now,
            confirmed_by=coordinator,
        )
    return services.change_state(assessment, "begin_review", by=coordinator)


def agree_every_point(assessment, lead, *, score=3, skip=()):
    """Agreed scores for every point (but the numbers in `skip`), as the lead sets them."""
    for point in assessment.standard.points.exclude(number__in=skip):
        AgreedPoint.objects.create(
            assessment=assessment,
            point=point,
            score=score,
            done_well=f"Agreed strengths on point {point.number}.",
            to_explore=f"Agreed questions on point {point.number}.",
            revision=1,
            updated_at=timezone.now(),
            updated_by=lead,
        )


def complete(assessment, lead, *, score=3):
    """Agree every point and complete the review through the workflow."""
    agree_every_point(assessment, lead, score=score)
    review = Review.objects.get(assessment=assessment)
    return services.complete_review(
        assessment,
        by=lead,
        revision=review.revision,
        summary="A service that knows its users.",
        recommendation=Recommendation.MEETS_WITH_ACTIONS,
    )
