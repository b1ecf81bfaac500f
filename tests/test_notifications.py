"""Emails through the outbox: sent once, retried when the email server fails, and
seen by coordinators when they could not be sent.

The worker is run with `tests.worker.run_tasks`, the worker's own code on the
same database queue production uses, so retries really wait for their time.
"""

import re
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.tasks import default_task_backend
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import (
    Invitation,
    InvitationRole,
    Notification,
    NotificationStatus,
    Status,
    User,
)
from assessments.notifications import notify, send_again
from assessments.notifications.tasks import MAX_ATTEMPTS, send_notification
from tests.conftest import PERSONAS
from tests.email_backends import FailingEmailBackend, HeldEmailBackend
from tests.factories import UserFactory
from tests.factories_assessments import AssessmentFactory
from tests.factories_services import ServiceFactory
from tests.html import outline
from tests.worker import queued, run_tasks

ACCEPT = re.compile(r"http://\S+?(/invitations/accept/\S+/)")
A_LONG_TIME = timedelta(days=1)
# Per persona: sent to sign in (None), refused (False) or allowed (True).
COORDINATORS_ONLY = list(
    zip(PERSONAS, [None, False, False, False, False, False, True], strict=True)
)


@pytest.fixture
def smtp_down(settings):
    """`smtp_down(times)`: the email server refuses the next `times` emails (every one
    if no number is given), then works again."""

    def down(times=1_000_000):
        FailingEmailBackend.failures_left = times
        settings.MAILERS = {"default": {"BACKEND": "tests.email_backends.FailingEmailBackend"}}

    yield down
    FailingEmailBackend.failures_left = 0


def smtp_back():
    FailingEmailBackend.failures_left = 0


def invite_to_coventry(lead, email="new@coventry.example"):
    return services.invite(
        by=lead,
        email=email,
        role=InvitationRole.CONTRIBUTOR,
        council=lead.memberships.get().council,
    )


def accept_path(message):
    return ACCEPT.search(message.body).group(1)


def assert_near(moment, expected):
    assert abs(moment - expected) < timedelta(seconds=10), (moment, expected)


# --- Sent once, retried until it goes ---------------------------------------------


def test_inviter_gets_no_error_when_the_email_server_is_down(client_for, coventry_lead, smtp_down):
    smtp_down()
    response = client_for(coventry_lead).post(
        reverse("assessments:invite_member", args=["cov"]),
        {"email": "new@coventry.example", "role": "contributor"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new@coventry.example")
    notification = Notification.objects.get()
    assert (notification.kind, notification.about, notification.email) == (
        "invitation",
        invitation,
        "new@coventry.example",
    )
    assert notification.status == NotificationStatus.PENDING
    assert queued().count() == 1
    run_tasks()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING, "kept, to try again"
    assert mail.outbox == []


def test_an_email_the_server_refuses_twice_is_retried_later_and_then_sent_once(
    client, coventry_lead, smtp_down
):
    smtp_down(times=2)
    invite_to_coventry(coventry_lead)
    notification = Notification.objects.get()

    assert run_tasks() == 1
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert notification.status == NotificationStatus.PENDING
    assert notification.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert_near(notification.next_attempt_at, timezone.now() + timedelta(minutes=1))
    assert_near(queued().get().run_after, notification.next_attempt_at)

    assert run_tasks() == 0, "the retry waits for its time"
    assert run_tasks(later=timedelta(seconds=30)) == 0
    assert run_tasks(later=timedelta(minutes=1)) == 1
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert_near(notification.next_attempt_at, timezone.now() + timedelta(minutes=5))
    assert mail.outbox == []

    assert run_tasks(later=timedelta(minutes=5)) == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 3
    assert_near(notification.sent_at, timezone.now())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@coventry.example"]

    assert run_tasks(later=A_LONG_TIME) == 0
    assert len(mail.outbox) == 1, "sent exactly once"
    page = client.get(accept_path(mail.outbox[0]))
    assert page.status_code == 200, "the link in the email that went works"


def test_an_email_that_keeps_failing_is_marked_failed_and_a_coordinator_sends_it_again(
    client, client_for, coventry_lead, coordinator, smtp_down
):
    smtp_down()
    invite_to_coventry(coventry_lead)
    run_tasks()
    for _ in range(MAX_ATTEMPTS - 1):
        assert run_tasks(later=timedelta(hours=3)) == 1
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == MAX_ATTEMPTS
    assert notification.next_attempt_at is None
    assert not queued().exists(), "no more attempts"
    assert mail.outbox == []

    coordinators_page = client_for(coordinator)
    html = coordinators_page.get(reverse("assessments:email_list")).content.decode()
    assert "new@coventry.example" in html
    assert "Failed" in html
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in html
    assert "Send again" in html

    smtp_back()
    send_again = reverse("assessments:send_email_again", args=[notification.pk])
    response = coordinators_page.post(send_again)
    assert response["Location"] == reverse("assessments:email_list")
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 0)
    coordinators_page.post(send_again)  # a second click adds nothing
    assert queued().count() == 1

    run_tasks()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 1
    assert len(mail.outbox) == 1
    assert client.get(accept_path(mail.outbox[0])).status_code == 200
    html = coordinators_page.get(reverse("assessments:email_list")).content.decode()
    assert "No email has failed." in html
    assert "No email is waiting to be sent." in html


def test_an_email_that_cannot_be_rendered_is_retried_like_one_the_server_refused(
    coventry_lead,
):
    invite_to_coventry(coventry_lead)
    Notification.objects.update(kind="renamed_since")  # as after a deploy renaming a kind
    assert run_tasks() == 1
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 1)
    assert notification.last_error == "ValueError: There is no notification kind 'renamed_since'."
    assert queued().count() == 1


def test_the_send_task_does_nothing_for_an_email_already_sent(coventry_lead):
    invite_to_coventry(coventry_lead)
    notification = Notification.objects.get()
    run_tasks()
    send_notification.enqueue(notification.pk)  # a duplicate task, as after a lost reply
    assert run_tasks() == 1
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_postgresql
def test_two_workers_sending_the_same_email_at_once_send_it_once(coventry_lead, settings):
    """The first worker is held inside the send, with the row locked; the second is
    let go only once it is waiting for that lock."""
    invite_to_coventry(coventry_lead)
    notification = Notification.objects.get()
    HeldEmailBackend.entered.clear()
    HeldEmailBackend.release.clear()
    settings.MAILERS = {"default": {"BACKEND": "tests.email_backends.HeldEmailBackend"}}

    def work():
        try:
            send_notification.call(notification.pk)
        finally:
            connection.close()

    first = threading.Thread(target=work)
    first.start()
    assert HeldEmailBackend.entered.wait(timeout=10)
    second = threading.Thread(target=work)
    second.start()
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the second worker never waited for the lock")
    HeldEmailBackend.release.set()
    first.join()
    second.join()
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


# --- notify: idempotent, and part of the caller's transaction ----------------------


@pytest.fixture
def submitted(standard, coventry, coventry_lead):
    service = ServiceFactory(council=coventry, name="Report a missed bin & more")
    assessment = AssessmentFactory(
        service=service, status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    assessment.status_changes.create(
        from_status=Status.DRAFT, to_status=Status.SUBMITTED, by=coventry_lead
    )
    return assessment


def test_notifying_again_creates_no_second_row_and_sends_no_second_email(submitted, coordinator):
    first = notify("assessment_submitted", submitted, [coordinator])
    again = notify("assessment_submitted", submitted, [coordinator, "Coordinator@LGDSS.example"])
    assert again == first
    assert Notification.objects.count() == 1
    assert queued().count() == 1
    run_tasks()
    assert notify("assessment_submitted", submitted, [coordinator]) == first
    assert run_tasks(later=A_LONG_TIME) == 0
    assert len(mail.outbox) == 1


def test_a_rollback_after_notify_leaves_no_email_and_no_task(submitted, coordinator):
    class Problem(Exception):
        pass

    def submit_then_fail():
        with transaction.atomic():
            notify("assessment_submitted", submitted, [coordinator])
            assert Notification.objects.count() == 1
            assert queued().count() == 1
            raise Problem

    with pytest.raises(Problem):
        submit_then_fail()
    assert not Notification.objects.exists()
    assert not queued().exists()
    assert run_tasks() == 0
    assert mail.outbox == []


def test_an_unknown_kind_is_refused(submitted, coordinator):
    with pytest.raises(ValueError, match="no notification kind 'assesment_submitted'"):
        notify("assesment_submitted", submitted, [coordinator])
    assert not Notification.objects.exists()


def test_an_email_about_something_since_deleted_is_cancelled_not_sent(
    standard, coventry, coventry_lead
):
    draft = AssessmentFactory(service=ServiceFactory(council=coventry))
    notify("assessment_submitted", draft, [coventry_lead])
    services.delete_draft(draft, by=coventry_lead)
    run_tasks()
    assert Notification.objects.get().status == NotificationStatus.CANCELLED
    assert mail.outbox == []


def test_an_invitation_cancelled_before_its_email_went_is_not_sent(coventry_lead):
    invitation = invite_to_coventry(coventry_lead)
    services.cancel_invitation(invitation, by=coventry_lead)
    run_tasks()
    assert Notification.objects.get().status == NotificationStatus.CANCELLED
    assert mail.outbox == []


def test_no_email_goes_to_someone_whose_account_was_closed(submitted, coordinator):
    notify("assessment_submitted", submitted, [coordinator])
    User.objects.filter(pk=coordinator.pk).update(is_active=False)
    run_tasks()
    assert Notification.objects.get().status == NotificationStatus.CANCELLED
    assert mail.outbox == []


def test_each_sending_of_an_invitation_has_a_new_link_and_only_its_hash_is_kept(
    client, coventry_lead, coordinator
):
    invitation = invite_to_coventry(coventry_lead)
    placeholder = invitation.token_hash
    run_tasks()
    invitation.refresh_from_db()
    assert invitation.token_hash != placeholder
    token = accept_path(mail.outbox[0]).split("/")[-2]
    assert token not in invitation.token_hash
    # Sent again (as "Send again" does after a failure): a new link, and the old one is dead.
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(status=NotificationStatus.FAILED)
    assert send_again(notification, by=coordinator)
    run_tasks()
    assert len(mail.outbox) == 2
    old, new = accept_path(mail.outbox[0]), accept_path(mail.outbox[1])
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_backend_that_cannot_defer_gets_the_retry_at_once(coventry_lead, smtp_down, monkeypatch):
    monkeypatch.setattr(default_task_backend, "supports_defer", False)
    smtp_down(times=1)
    invite_to_coventry(coventry_lead)
    run_tasks()
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_sends_queued_emails(coventry_lead):
    invite_to_coventry(coventry_lead)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == NotificationStatus.SENT


# --- The kinds of email -------------------------------------------------------------


def test_coordinators_hear_that_an_assessment_was_submitted_with_a_link_to_it(
    submitted, coordinator, coventry_lead
):
    UserFactory(email="retired@lgdss.example", is_coordinator=True, is_active=False)
    notify("assessment_submitted", submitted, User.objects.coordinators())
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coordinator@lgdss.example"]
    assert message.subject == "Coventry submitted Report a missed bin & more for peer review"
    link = f"http://127.0.0.1:8000/councils/cov/assessments/{submitted.pk}/"
    assert link == "http://127.0.0.1:8000" + reverse(
        "assessments:assessment", args=["cov", submitted.pk]
    )
    assert link in message.body
    assert "Hello Coco Coordinator" in message.body
    assert "Report a missed bin & more" in message.body
    assert "Cara Lead submitted it" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "Report a missed bin &amp; more" in html


def test_council_leads_hear_who_withdrew_an_assessment_and_why(
    submitted, coventry_lead, coventry_contributor, leeds_lead, coordinator
):
    submitted.status = Status.WITHDRAWN
    submitted.save()
    submitted.status_changes.create(
        from_status=Status.SUBMITTED,
        to_status=Status.WITHDRAWN,
        by=coordinator,
        reason="Submitted by mistake <before> the user research",
    )
    council = submitted.service.council
    notify("assessment_withdrawn", submitted, User.objects.leads_of(council))
    run_tasks()
    assert [m.to for m in mail.outbox] == [["lead@coventry.example"]]
    message = mail.outbox[0]
    assert message.subject == "Report a missed bin & more was withdrawn from peer review"
    assert "Coco Coordinator withdrew Coventry's assessment" in message.body
    assert "Submitted by mistake <before> the user research" in message.body
    assert f"/councils/cov/assessments/{submitted.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "Submitted by mistake &lt;before&gt; the user research" in html


# --- The coordinators' page ---------------------------------------------------------


@pytest.fixture
def failed(coventry_lead, smtp_down):
    """An invitation email that failed every attempt."""
    smtp_down()
    invite_to_coventry(coventry_lead, "stuck@coventry.example")
    Notification.objects.update(status=NotificationStatus.FAILED, attempts=MAX_ATTEMPTS)
    queued().delete()
    smtp_back()
    return Notification.objects.get()


@pytest.mark.parametrize(("persona", "allowed"), COORDINATORS_ONLY)
def test_only_coordinators_see_the_emails_not_sent(client_for, people, failed, persona, allowed):
    response = client_for(people[persona]).get(reverse("assessments:email_list"))
    if allowed is None:
        assert response["Location"].startswith(reverse("assessments:sign_in"))
    elif allowed:
        assert "stuck@coventry.example" in response.content.decode()
    else:
        assert response.status_code == 403
        assert "stuck@coventry.example" not in response.content.decode()


@pytest.mark.parametrize(("persona", "allowed"), COORDINATORS_ONLY)
def test_only_coordinators_send_an_email_again(client_for, people, failed, persona, allowed):
    client = client_for(people[persona])
    address = reverse("assessments:send_email_again", args=[failed.pk])
    assert client.get(address).status_code in (302, 405)  # GET changes nothing
    response = client.post(address)
    failed.refresh_from_db()
    run_tasks()
    if allowed:
        assert response.status_code == 302
        assert failed.status == NotificationStatus.PENDING
        assert [m.to for m in mail.outbox] == [["stuck@coventry.example"]]
    else:
        assert response.status_code == (302 if allowed is None else 403)
        assert failed.status == NotificationStatus.FAILED
        assert failed.attempts == MAX_ATTEMPTS
        assert mail.outbox == []


def test_an_email_whose_task_was_lost_can_be_sent_again(client_for, coventry_lead, coordinator):
    invite_to_coventry(coventry_lead)
    queued().delete()  # as when a worker stops in the middle of the task
    notification = Notification.objects.get()
    page = client_for(coordinator)
    assert "Send again" not in page.get(reverse("assessments:email_list")).content.decode()
    Notification.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=20))
    assert "Send again" in page.get(reverse("assessments:email_list")).content.decode()
    page.post(reverse("assessments:send_email_again", args=[notification.pk]))
    run_tasks()
    assert len(mail.outbox) == 1


def test_the_page_has_one_heading_and_its_own_title(client_for, coordinator, failed):
    response = client_for(coordinator).get(reverse("assessments:email_list"))
    assert outline(response) == (1, "Emails not sent – Council digital service assessments")


def test_a_coordinator_finds_the_page_from_their_account(client_for, coordinator, coventry_lead):
    html = client_for(coordinator).get(reverse("assessments:account")).content.decode()
    assert f'href="{reverse("assessments:email_list")}"' in html
    html = client_for(coventry_lead).get(reverse("assessments:account")).content.decode()
    assert reverse("assessments:email_list") not in html


@pytest.mark.parametrize("count", [1, 3])
def test_the_page_query_count_does_not_grow_with_emails(
    client_for, coordinator, coventry_lead, django_assert_num_queries, count
):
    for n in range(count):
        invite_to_coventry(coventry_lead, f"person{n}@coventry.example")
        invite_to_coventry(coventry_lead, f"other{n}@coventry.example")
    Notification.objects.filter(email__startswith="person").update(status=NotificationStatus.FAILED)
    client = client_for(coordinator)
    client.get(reverse("assessments:email_list"))  # moves the session's end on
    # The session, the user, the app that verified the session (two-factor
    # authentication), and the page's own two. The session, saved by the page before, is
    # not saved again.
    with django_assert_num_queries(5):
        html = client.get(reverse("assessments:email_list")).content.decode()
    assert html.count("govuk-tag--red") == count
