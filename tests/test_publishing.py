"""Publishing: the `publish` and `withdraw_publication` transitions and the frozen
publication they write (docs/decisions/0020-publishing.md).

Each test makes the change through the workflow and reads the database: the allowed
change is there with its history and emails; the refused one changed nothing.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from assessments import services
from assessments.models import (
    AgreedPoint,
    AssessmentEvent,
    EventKind,
    EvidenceLink,
    PointAssessment,
    Publication,
    PublishedPoint,
    ReviewerAssignment,
    ReviewType,
    Status,
    StatusChange,
)
from assessments.models.reviews import AssignmentEnd
from assessments.publishing.snapshot import load_snapshot
from assessments.services import reviewers
from tests.factories import MembershipFactory
from tests.factories_reviews import complete, submitted_assessment
from tests.worker import run_tasks


@pytest.fixture
def reviewed(in_review, peer_reviewer):
    complete(in_review, peer_reviewer)
    # One agreed score differs from the council's, and point 2 is agreed not applicable.
    AgreedPoint.objects.filter(assessment=in_review, point__number=1).update(score=5)
    AgreedPoint.objects.filter(assessment=in_review, point__number=2).update(
        score=None, not_applicable=True
    )
    in_review.refresh_from_db()
    return in_review


@pytest.fixture
def submitted(standard, coventry, coventry_lead):
    assessment = submitted_assessment(coventry, coventry_lead, name="Pay council tax", score=2)
    answer = PointAssessment.objects.get(assessment=assessment, point__number=4)
    EvidenceLink.objects.create(
        point_assessment=answer, title="Our repository", url="https://example.org/code"
    )
    return assessment


def test_a_lead_publishes_a_reviewed_assessment_with_the_agreed_scores(
    reviewed, coventry_lead, peer_reviewer, coventry
):
    MembershipFactory(council=coventry, user__email="colleague@coventry.example")
    services.publish(reviewed, by=coventry_lead)

    reviewed.refresh_from_db()
    assert reviewed.status == Status.PUBLISHED
    publication = Publication.objects.get(pk=reviewed.pk)
    assert publication.review_type == ReviewType.PEER_REVIEWED
    assert publication.council_code == "COV"
    assert publication.peer_group_name == "Midlands"
    assert publication.reviewer_councils == ["Peer reviewer", "Independent assessor"]
    assert publication.recommendation_label == "Meets the Standard, with actions"
    # The council scored every point 3; the review agreed 5 on point 1, and point 2 does
    # not apply: 14 applicable points, 3 x 13 + 5 = 44 of 70.
    assert (publication.self_total, publication.self_maximum) == (45, 75)
    assert (publication.agreed_total, publication.agreed_maximum) == (44, 70)
    assert (publication.total, publication.applicable, publication.met) == (44, 14, 14)
    assert publication.average == Decimal("3.1")
    assert publication.rating == "green"
    first, second = PublishedPoint.objects.filter(publication=publication)[:2]
    assert (first.self_score, first.agreed_score, first.score, first.met) == (3, 5, 5, True)
    assert first.done_well == "Agreed strengths on point 1."
    assert (second.self_score, second.not_applicable, second.met) == (3, True, False)
    assert PublishedPoint.objects.filter(publication=publication).count() == 15
    assert StatusChange.objects.filter(
        assessment=reviewed, from_status=Status.REVIEWED, to_status=Status.PUBLISHED
    ).exists()
    assert AssessmentEvent.objects.filter(assessment=reviewed, kind=EventKind.PUBLISHED).exists()

    run_tasks()
    published_emails = [m for m in mail.outbox if "is published" in m.subject]
    recipients = sorted(address for m in published_emails for address in m.to)
    # The council's other member and both reviewers; not the lead who published it.
    assert recipients == [
        "colleague@coventry.example",
        "ina@assessors.example",
        "reviewer@birmingham.example",
    ]
    assert f"/assessments/{reviewed.pk}/" in published_emails[0].body


def test_a_submitted_assessment_is_published_as_a_self_assessment(
    submitted, coventry_lead, peer_reviewer, coordinator
):
    offer = reviewers.assign(submitted, peer_reviewer, by=coordinator)
    services.publish(submitted, by=coventry_lead)

    publication = Publication.objects.get(pk=submitted.pk)
    assert publication.review_type == ReviewType.SELF_ASSESSED
    assert publication.agreed_total is None
    assert publication.reviewer_councils == []
    assert (publication.total, publication.met, publication.rating) == (30, 0, "red")
    point = PublishedPoint.objects.get(publication=publication, number=4)
    assert point.links == [{"title": "Our repository", "url": "https://example.org/code"}]
    assert (point.score, point.agreed_score) == (2, None)
    # The reviewer assigned before a lead was named is no longer needed.
    offer.refresh_from_db()
    assert offer.end == AssignmentEnd.NOT_NEEDED


def test_what_was_published_does_not_change_with_later_edits(reviewed, coventry_lead, standard):
    services.publish(reviewed, by=coventry_lead)
    council = reviewed.service.council
    council.official_name = "Renamed Council"
    council.save()
    reviewed.service.name = "Renamed service"
    reviewed.service.save()
    standard.points.filter(number=1).update(statement="New wording.", short_title="New")
    PointAssessment.objects.filter(assessment=reviewed).update(evidence="Changed later.")

    publication = Publication.objects.get(pk=reviewed.pk)
    point = publication.points.get(number=1)
    assert publication.council_name == "Coventry City Council"
    assert publication.service_name == "Report a missed bin"
    assert point.statement != "New wording."
    assert point.evidence == "What the team did."


def test_the_snapshot_shown_before_publishing_is_what_is_written(reviewed, coventry_lead):
    before = load_snapshot(reviewed, peer_reviewed=True)
    services.publish(reviewed, by=coventry_lead)
    publication = Publication.objects.get(pk=reviewed.pk)
    assert publication.total == before.figures.total
    assert publication.rating == before.figures.rating
    assert [p.score for p in publication.points.all()] == [p.score for p in before.points]


@pytest.mark.parametrize("who", ["coventry_contributor", "leeds_lead", "coordinator"])
def test_only_a_lead_of_the_council_publishes(reviewed, request, who):
    with pytest.raises(PermissionDenied):
        services.publish(reviewed, by=request.getfixturevalue(who))
    reviewed.refresh_from_db()
    assert reviewed.status == Status.REVIEWED
    assert not Publication.objects.exists()


def test_an_assessment_in_review_cannot_be_published(in_review, coventry_lead):
    with pytest.raises(services.NotAllowedNow):
        services.publish(in_review, by=coventry_lead)
    assert not Publication.objects.exists()
    assert not ReviewerAssignment.objects.filter(ended_at__isnull=False).exists()


def test_publishing_twice_is_refused_as_already_done(reviewed, coventry_lead):
    services.publish(reviewed, by=coventry_lead)
    with pytest.raises(services.AlreadyDone):
        services.publish(reviewed, by=coventry_lead)
    assert Publication.objects.count() == 1


def test_a_withdrawn_publication_keeps_its_record_with_the_reason(
    reviewed, coventry_lead, coordinator
):
    services.publish(reviewed, by=coventry_lead)
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        services.withdraw_publication(reviewed, by=coordinator, reason="  ")
    assert Publication.objects.public().count() == 1

    services.withdraw_publication(reviewed, by=coordinator, reason="Figures were wrong.")
    publication = Publication.objects.get(pk=reviewed.pk)
    assert publication.withdrawn_reason == "Figures were wrong."
    assert publication.withdrawn_by == coordinator
    assert not Publication.objects.public().exists()
    reviewed.refresh_from_db()
    assert reviewed.status == Status.UNPUBLISHED
    run_tasks()
    withdrawn = [m for m in mail.outbox if "was withdrawn" in m.subject]
    assert [m.to for m in withdrawn] == [["lead@coventry.example"]]
    assert "Figures were wrong." in withdrawn[0].body


def test_another_councils_lead_cannot_withdraw_a_publication(reviewed, coventry_lead, leeds_lead):
    services.publish(reviewed, by=coventry_lead)
    with pytest.raises(PermissionDenied):
        services.withdraw_publication(reviewed, by=leeds_lead, reason="Not ours.")
    assert Publication.objects.public().count() == 1
