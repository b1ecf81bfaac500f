"""Races in the discussion and clarification, made to happen on every run (see
tests/concurrency.py): posting locks the assessment, so the hourly limit on emails holds
when two people post at once, and a save cannot land in a point whose round just closed."""

import pytest

from assessments import services
from assessments.models import Notification, PointAssessment
from assessments.services import discussion
from tests.concurrency import Pause, in_thread

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.needs_postgresql]

NOTIFICATION_INSERTED = r'^INSERT INTO "assessments_notification"'


def test_two_messages_posted_at_once_email_each_reviewer_once(
    discussion_in_review, coventry_lead, coventry_contributor
):
    Notification.objects.all().delete()
    pause = Pause.after_query(NOTIFICATION_INSERTED)
    first = in_thread(
        lambda: discussion.post_message(discussion_in_review, 1, by=coventry_lead, body="One"),
        pause,
    )
    pause.wait_until_reached()  # its email is asked for, not yet committed
    second = in_thread(
        lambda: discussion.post_message(
            discussion_in_review, 2, by=coventry_contributor, body="Two"
        )
    )
    second.wait_until_blocked()  # waiting for the assessment's lock
    pause.release()
    first.result()
    second.result()
    assert discussion_in_review.messages.count() == 2
    assert sorted(
        Notification.objects.filter(kind="thread_message").values_list("email", flat=True)
    ) == ["assessor@independent.example", "reviewer@birmingham.example"]


def test_a_save_waits_for_the_answers_sent_back_and_is_then_refused(
    discussion_in_review, peer_reviewer, coventry_lead, coventry_contributor
):
    discussion.request_clarification(
        discussion_in_review, by=peer_reviewer, questions={1: "What research?"}
    )
    answer = discussion_in_review.points.get(point__number=1)
    pause = Pause.after_query(r'^UPDATE "assessments_clarificationround"')
    sending = in_thread(
        lambda: discussion.send_back_clarification(discussion_in_review, by=coventry_lead), pause
    )
    pause.wait_until_reached()
    saving = in_thread(
        lambda: services.save_point(
            answer,
            by=coventry_contributor,
            revision=answer.revision,
            score=5,
            not_applicable=False,
            reason="",
            evidence="Too late.",
            links=[],
        )
    )
    saving.wait_until_blocked()
    pause.release()
    sending.result()
    with pytest.raises(services.NotEditable):
        saving.result()
    assert PointAssessment.objects.get(pk=answer.pk).evidence == "Evidence for point 1."
