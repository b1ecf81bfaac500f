"""Races around publishing, made to happen on every run (see tests/concurrency.py).

Publishing locks the assessment like every transition, so what the council writes at the
same moment either lands before the snapshot is taken (and is published) or is refused
(and is not): the publication never misses a change that was accepted.
"""

import pytest
from django.core.exceptions import PermissionDenied

from assessments import services
from assessments.models import Publication, Review, Role, Status
from assessments.publishing.records import correct
from tests.concurrency import Pause, in_thread
from tests.factories import MembershipFactory
from tests.factories_reviews import complete

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.needs_postgresql]

LOCK_ASSESSMENT = r'FROM "assessments_assessment".* FOR UPDATE'


@pytest.fixture
def reviewed(in_review, peer_reviewer):
    complete(in_review, peer_reviewer)
    return in_review


def respond(assessment, by, text):
    review = Review.objects.get(assessment=assessment)
    return lambda: services.respond_to_review(
        assessment, by=by, revision=review.revision, response=text
    )


def test_a_response_saved_first_is_in_the_publication(reviewed, coventry_lead):
    pause = Pause.after_query(LOCK_ASSESSMENT)
    responding = in_thread(respond(reviewed, coventry_lead, "We accept it."), pause)
    pause.wait_until_reached()
    publishing = in_thread(lambda: services.publish(reviewed, by=coventry_lead))
    assert publishing.wait_until_blocked(), "publishing must wait for the response"
    pause.release()

    responding.result()
    publishing.result()
    assert Publication.objects.get(pk=reviewed.pk).council_response == "We accept it."


def test_a_response_after_publishing_began_is_refused_and_not_lost_silently(
    reviewed, coventry_lead
):
    pause = Pause.after_query(LOCK_ASSESSMENT)
    publishing = in_thread(lambda: services.publish(reviewed, by=coventry_lead), pause)
    pause.wait_until_reached()
    responding = in_thread(respond(reviewed, coventry_lead, "Too late."))
    assert responding.wait_until_blocked(), "the response must wait for the publication"
    pause.release()

    publishing.result()
    with pytest.raises(PermissionDenied):
        responding.result()
    assert Publication.objects.get(pk=reviewed.pk).council_response == ""
    assert Review.objects.get(assessment=reviewed).council_response == ""


def test_two_leads_publishing_at_once_make_one_publication(reviewed, coventry_lead, coventry):
    other_lead = MembershipFactory(council=coventry, role=Role.LEAD).user
    pause = Pause.after_query(LOCK_ASSESSMENT)
    first = in_thread(lambda: services.publish(reviewed, by=coventry_lead), pause)
    pause.wait_until_reached()
    second = in_thread(lambda: services.publish(reviewed, by=other_lead))
    assert second.wait_until_blocked()
    pause.release()

    first.result()
    with pytest.raises(services.AlreadyDone):
        second.result()
    assert Publication.objects.count() == 1
    assert reviewed.status_changes.filter(to_status=Status.PUBLISHED).count() == 1


def test_a_correction_waiting_on_a_withdrawal_is_refused(reviewed, coventry_lead, coordinator):
    services.publish(reviewed, by=coventry_lead)
    publication = Publication.objects.get(pk=reviewed.pk)
    pause = Pause.after_query(r'UPDATE "assessments_publication"')
    withdrawing = in_thread(
        lambda: services.withdraw_publication(reviewed, by=coordinator, reason="Wrong figures."),
        pause,
    )
    pause.wait_until_reached()
    correcting = in_thread(
        lambda: correct(
            publication,
            by=coordinator,
            point_number=1,
            field="evidence",
            text="Corrected.",
            reason="A name was given by mistake.",
        )
    )
    assert correcting.wait_until_blocked(), "the correction must wait for the withdrawal"
    pause.release()

    withdrawing.result()
    with pytest.raises(Exception, match="withdrawn publication cannot be corrected"):
        correcting.result()
    assert not publication.corrections.exists()
    assert publication.points.get(number=1).evidence == "What the team did."
