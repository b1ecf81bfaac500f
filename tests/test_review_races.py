"""Races in peer review, made to happen on every run: two saves of the same agreed
score, and a reviewer's save against the lead completing the review. One side stops
inside its transaction just after locking the assessment; the other runs into it. See
tests/concurrency.py for how the pause works."""

import pytest

from assessments import services
from assessments.models import AgreedPoint, Recommendation, ReviewerPoint, Status
from tests.concurrency import Pause, in_thread
from tests.factories_reviews import agree_every_point

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.needs_postgresql]

LOCK_ASSESSMENT = r'FROM "assessments_assessment".* FOR UPDATE'


def agree_point_1(assessment, by, done_well):
    point = assessment.standard.points.get(number=1)
    return lambda: services.save_agreed_point(
        assessment,
        point,
        by=by,
        revision=0,
        score=3,
        not_applicable=False,
        done_well=done_well,
        to_explore="",
    )


def test_two_saves_of_an_agreed_score_from_the_same_revision_never_overwrite(
    in_review, peer_reviewer
):
    pause = Pause.after_query(LOCK_ASSESSMENT)
    first = in_thread(agree_point_1(in_review, peer_reviewer, "First tab."), pause)
    pause.wait_until_reached()
    second = in_thread(agree_point_1(in_review, peer_reviewer, "Second tab."))
    assert second.wait_until_blocked(), "the second save must wait for the first"
    pause.release()

    first.result()
    with pytest.raises(services.EditConflict) as refused:
        second.result()
    assert refused.value.current.done_well == "First tab."
    assert list(AgreedPoint.objects.values_list("done_well", "revision")) == [("First tab.", 1)]


def test_a_reviewers_save_that_waits_for_the_completion_is_refused(
    in_review, peer_reviewer, independent_assessor
):
    agree_every_point(in_review, peer_reviewer)
    pause = Pause.after_query(LOCK_ASSESSMENT)
    completing = in_thread(
        lambda: services.complete_review(
            in_review,
            by=peer_reviewer,
            revision=0,
            summary="Done.",
            recommendation=Recommendation.MEETS,
        ),
        pause,
    )
    pause.wait_until_reached()
    point = in_review.standard.points.get(number=2)
    saving = in_thread(
        lambda: services.save_reviewer_point(
            in_review,
            point,
            by=independent_assessor,
            revision=0,
            score=1,
            not_applicable=False,
            done_well="Too late.",
            to_explore="",
        )
    )
    assert saving.wait_until_blocked(), "the save must wait for the completion"
    pause.release()

    completing.result()
    with pytest.raises(services.ReviewClosed):
        saving.result()
    in_review.refresh_from_db()
    assert in_review.status == Status.REVIEWED
    assert not ReviewerPoint.objects.exists()
