"""A coordinator finds an email the server refused and sends it again; a council lead
sends a colleague a new invitation link."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from assessments.models import Invitation, InvitationRole, Notification, NotificationStatus
from tests.browser.conftest import assert_accessible
from tests.two_factor import needs_verifying, verify_session
from tests.worker import queued, run_tasks


def sign_in_as(page, client, live_server, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if needs_verifying(user):  # coordinators sign in with a code from their app
        verify_session(client, user)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def test_coordinator_sends_again_an_email_that_failed(
    page, live_server, client, coordinator, coventry_lead, coventry
):
    services.invite(
        by=coventry_lead,
        email="priya.patel@coventry.example",
        role=InvitationRole.CONTRIBUTOR,
        council=coventry,
    )
    queued().delete()
    Notification.objects.update(
        status=NotificationStatus.FAILED,
        attempts=5,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    sign_in_as(page, client, live_server, coordinator)

    page.goto("/account/")
    page.get_by_role("link", name="Emails not sent").click()
    expect(page.locator("h1")).to_have_text("Emails not sent")
    failed = page.get_by_role("table", name="Emails that failed")
    expect(failed).to_contain_text("priya.patel@coventry.example")
    expect(failed).to_contain_text("SMTPServerDisconnected")
    assert_accessible(page)

    page.get_by_role(
        "button", name="Send again the invitation email to priya.patel@coventry.example"
    ).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The email to priya.patel@coventry.example will be sent again"
    )
    expect(page.get_by_role("table", name="Emails waiting to be sent")).to_contain_text(
        "priya.patel@coventry.example"
    )
    assert_accessible(page)

    run_tasks()
    assert [m.to for m in mail.outbox] == [["priya.patel@coventry.example"]]
    page.reload()
    expect(page.get_by_text("No email has failed.")).to_be_visible()


def test_lead_sends_a_new_link_for_an_expired_invitation(
    page, live_server, client, coventry_lead, coventry
):
    invitation = services.invite(
        by=coventry_lead,
        email="priya.patel@coventry.example",
        role=InvitationRole.CONTRIBUTOR,
        council=coventry,
    )
    run_tasks()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    sign_in_as(page, client, live_server, coventry_lead)

    page.goto("/councils/cov/members/")
    waiting = page.locator("table").nth(1)
    expect(waiting).to_contain_text("Expired")
    assert_accessible(page)
    page.get_by_role("button", name="Send a new link to priya.patel@coventry.example").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "A new invitation link has been sent to priya.patel@coventry.example"
    )
    expect(waiting).not_to_contain_text("Expired")
    assert_accessible(page)

    run_tasks()
    assert len(mail.outbox) == 2
    link = re.search(r"http://\S+(/invitations/accept/\S+/)", mail.outbox[1].body).group(1)
    page.context.clear_cookies()
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Set up your account")
