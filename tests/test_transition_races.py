"""Races between a transition and a save, or two transitions, made to happen on every run.

One side stops inside its transaction just after locking the assessment; the other
side then runs into it. Each test shows exactly one outcome and one history entry per
change that happened. See tests/concurrency.py for how the pause works.
"""

import pytest

from assessments import services
from assessments.models import Status
from tests.concurrency import Pause, in_thread
from tests.factories_assessments import make_assessment
from tests.factories_services import ServiceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.needs_postgresql]

# The first statement of a save or a transition: locking the assessment's row.
LOCK_ASSESSMENT = r'FROM "assessments_assessment".* FOR UPDATE'


@pytest.fixture
def draft(standard, coventry, coventry_lead):
    """A draft with every point answered: ready to submit."""
    service = ServiceFactory(council=coventry, name="Report a missed bin collection")
    assessment = make_assessment(service, by=coventry_lead)
    for answer in assessment.points.all():
        services.save_point(
            answer,
            by=coventry_lead,
            revision=0,
            score=3,
            not_applicable=False,
            reason="",
            evidence="We ran 12 interviews.",
            links=[],
        )
    return assessment


def save_point_5(assessment, by, *, score, evidence):
    answer = assessment.points.get(point__number=5)
    return lambda: services.save_point(
        answer,
        by=by,
        revision=answer.revision,
        score=score,
        not_applicable=False,
        reason="",
        evidence=evidence,
        links=[],
    )


def events(assessment):
    return list(assessment.events.order_by("pk").values_list("kind", "point_number"))


def test_a_save_that_began_first_lands_before_the_submission_which_then_sees_it(
    draft, coventry_lead, coventry_contributor
):
    """The finding: a save clearing point 5's score, paused after its checks while the lead
    submitted, ended in a submitted assessment with point 5 unscored. Now the submission waits
    for the save, sees point 5 unscored, and is refused: the assessment stays a draft."""
    before = events(draft)
    pause = Pause.after_query(LOCK_ASSESSMENT)
    saving = in_thread(save_point_5(draft, coventry_contributor, score=None, evidence=""), pause)
    pause.wait_until_reached()

    submitting = in_thread(lambda: services.submit(draft, by=coventry_lead))
    assert submitting.wait_until_blocked(), "the submission must wait for the save"
    pause.release()

    saving.result()
    with pytest.raises(services.IncompleteAssessment) as refused:
        submitting.result()
    assert [number for number, *_ in refused.value.problems] == [5]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.status_changes.count() == 0
    assert events(draft) == [*before, ("saved_point", 5)]


def test_a_submission_that_began_first_refuses_the_save_and_keeps_the_assessment_whole(
    draft, coventry_lead, coventry_contributor
):
    before = events(draft)
    pause = Pause.after_query(LOCK_ASSESSMENT)
    submitting = in_thread(lambda: services.submit(draft, by=coventry_lead), pause)
    pause.wait_until_reached()

    saving = in_thread(save_point_5(draft, coventry_contributor, score=None, evidence=""))
    assert saving.wait_until_blocked(), "the save must wait for the submission"
    pause.release()

    submitting.result()
    with pytest.raises(services.NotEditable):
        saving.result()
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    point_5 = draft.points.get(point__number=5)
    assert (point_5.score, point_5.evidence) == (3, "We ran 12 interviews.")
    assert draft.status_changes.count() == 1
    assert events(draft) == [*before, ("submitted", None)]


def test_two_submissions_at_once_submit_once(draft, coventry_lead):
    before = events(draft)
    pause = Pause.after_query(LOCK_ASSESSMENT)
    first = in_thread(lambda: services.submit(draft, by=coventry_lead), pause)
    pause.wait_until_reached()

    second = in_thread(lambda: services.submit(draft, by=coventry_lead))
    assert second.wait_until_blocked(), "the second submission must wait for the first"
    pause.release()

    first.result()
    with pytest.raises(services.AlreadyDone):
        second.result()
    assert draft.status_changes.count() == 1
    assert events(draft) == [*before, ("submitted", None)]


def test_a_withdrawal_racing_a_submission_of_the_same_draft_is_refused_whole(
    draft, coventry_lead, coordinator
):
    pause = Pause.after_query(LOCK_ASSESSMENT)
    submitting = in_thread(lambda: services.submit(draft, by=coventry_lead), pause)
    pause.wait_until_reached()

    withdrawing = in_thread(lambda: services.withdraw(draft, by=coordinator, reason="Mistake"))
    assert withdrawing.wait_until_blocked()
    pause.release()

    submitting.result()
    withdrawing.result()  # it waited, then found a submitted assessment it may withdraw
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    assert list(draft.status_changes.values_list("from_status", "to_status")) == [
        ("draft", "submitted"),
        ("submitted", "withdrawn"),
    ]
