"""Peer review from end to end, across the roles, in the browser.

A coordinator assigns the Birmingham reviewer (as lead) and an independent assessor to
Coventry's submission; both score and comment on every point; the lead reviewer asks for
clarification on two points; the Coventry lead answers one by changing its evidence and the
other in its discussion, and sends the answers back; the lead reviewer agrees the scores and
completes the review. Every email is sent once. axe-core and the Nu HTML Checker check every
page as it loads.
"""

import re
from collections import Counter

from django.core import mail
from playwright.sync_api import expect

from assessments import services
from assessments.models import (
    AgreedPoint,
    ClarificationRound,
    Notification,
    PointAssessment,
    PointMessage,
    ReviewerPoint,
    Status,
)
from tests.browser.conftest import assert_accessible
from tests.browser.test_invitation_journey import sign_in
from tests.browser.test_review_journey import score_every_point
from tests.factories import UserFactory
from tests.factories_assessments import make_assessment
from tests.factories_services import ServiceFactory
from tests.two_factor import verify_session
from tests.worker import run_tasks


def sign_in_as_coordinator(page, client, live_server, coordinator):
    """Coordinators sign in with a code from their app: the session is made here."""
    page.context.clear_cookies()
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    verify_session(client, coordinator)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def switch_to(page, email):
    page.context.clear_cookies()
    sign_in(page, email)


def test_a_review_from_assignment_to_agreed_scores_across_the_roles(
    page, live_server, live_standard, client, coventry, coventry_lead, peer_reviewer, coordinator
):
    assessor = UserFactory(
        email="assessor@lgdss.example",
        full_name="Ines Achebe",
        is_peer_reviewer=True,
        is_independent_assessor=True,
    )
    assessment = make_assessment(
        ServiceFactory(council=coventry, name="Report a missed bin"), by=coventry_lead
    )
    PointAssessment.objects.filter(assessment=assessment).update(
        score=3, evidence="What the team did."
    )
    services.submit(assessment, by=coventry_lead)
    task_list = f"/councils/cov/assessments/{assessment.pk}/"

    # The coordinator assigns the Birmingham reviewer as lead, then the assessor.
    sign_in_as_coordinator(page, client, live_server, coordinator)
    page.goto("/reviews/")
    expect(page.locator("h1")).to_have_text("Review queue")
    page.get_by_role("link", name=re.compile(r"^Report a missed bin")).click()
    expect(page.locator("h1")).to_have_text("Reviewers of Report a missed bin")
    page.get_by_label("Reviewer", exact=True).select_option(
        label="Rita Reviewer – peer reviewer (Midlands)"
    )
    page.get_by_label("Make them the lead reviewer").check()
    page.get_by_role("button", name="Add reviewer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Rita Reviewer is now lead reviewer"
    )
    page.get_by_label("Reviewer", exact=True).select_option(
        label="Ines Achebe – independent assessor"
    )
    page.get_by_role("button", name="Add reviewer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Ines Achebe is now a reviewer"
    )
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_REVIEW

    # Both reviewers score and comment on every point, each from their own work page.
    switch_to(page, assessor.email)
    page.get_by_role("link", name="Report a missed bin").first.click()
    expect(page.locator("h1")).to_have_text("Review of Report a missed bin")
    score_every_point(page, assessment, [2] * 15)
    switch_to(page, peer_reviewer.email)
    score_every_point(page, assessment, [4] * 15)
    assert ReviewerPoint.objects.filter(assessment=assessment).count() == 30

    # The lead reviewer asks about points 2 and 5, from her review.
    page.get_by_role("link", name="Back to the review's list of points").click()
    page.get_by_role("link", name="Ask the council for clarification").click()
    expect(page.locator("h1")).to_have_text("Ask for clarification")
    page.get_by_label(re.compile(r"^2\. ")).check()
    page.get_by_label("Your question on point 2").fill("How often do you release changes?")
    page.get_by_label(re.compile(r"^5\. ")).check()
    page.get_by_label("Your question on point 5").fill("Who owns the service day to day?")
    page.get_by_role("button", name="Send the questions to Coventry").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your questions have been sent to the council"
    )
    assessment.refresh_from_db()
    assert assessment.status == Status.CLARIFICATION_REQUESTED

    # The Coventry lead changes point 2's evidence and answers point 5 in its discussion.
    switch_to(page, coventry_lead.email)
    page.goto(task_list)
    expect(page.get_by_text("How often do you release changes?")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^2\. ")).click()
    page.get_by_label("Evidence", exact=True).fill("We release every fortnight.")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Point 2 saved")
    page.get_by_role("link", name="Discussion about point 5").click()
    page.get_by_label("Add a message").fill("Our service manager, Sam.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Our service manager, Sam.")).to_be_visible()
    page.get_by_role("link", name="Back to the assessment").click()
    page.get_by_role("link", name="Send the answers back to the reviewers").click()
    page.get_by_role("button", name="Send the answers back").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your answers have been sent back to the reviewers"
    )
    assert PointAssessment.objects.get(assessment=assessment, point__number=2).evidence == (
        "We release every fortnight."
    )
    assert PointMessage.objects.get(assessment=assessment).point.number == 5
    assert ClarificationRound.objects.get(assessment=assessment).answered_by == coventry_lead

    # The lead reviewer sees the reply flagged, agrees every point and completes.
    switch_to(page, peer_reviewer.email)
    page.get_by_role("link", name="Report a missed bin").first.click()
    expect(page.locator("h1")).to_have_text("Review of Report a missed bin")
    expect(page.get_by_text("New messages")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Agreed score for 1\. ")).click()
    for number in range(1, 16):
        expect(page).to_have_url(re.compile(rf"/review/agreed/{number}/$"))
        page.get_by_role("radio", name=re.compile(r"^3 – ")).check()
        page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("Complete the review")
    page.get_by_label("Overall summary").fill("A team that knows its residents.")
    page.get_by_role("radio", name="Meets the Standard, with actions").check()
    page.get_by_role("button", name="Complete the review").click()
    expect(page.locator("h1")).to_have_text("Outcome of the peer review")
    assessment.refresh_from_db()
    assert assessment.status == Status.REVIEWED
    assert set(
        AgreedPoint.objects.filter(assessment=assessment).values_list("score", flat=True)
    ) == {3}

    # Every email the journey asked for went once, and each kind the issue names went.
    run_tasks()
    sent = Counter((message.subject, tuple(message.to)) for message in mail.outbox)
    assert sent
    assert max(sent.values()) == 1, sent
    kinds = Counter(Notification.objects.values_list("kind", flat=True))
    assert kinds["reviewer_assigned"] == 2
    assert kinds["clarification_requested"] == 1  # the council's lead also edited last
    assert kinds["thread_message"] == 2  # to both reviewers
    assert kinds["clarification_answered"] == 2
    assert kinds["review_completed"] == 1
    assert len(mail.outbox) == Notification.objects.count()
