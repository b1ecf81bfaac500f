"""A peer reviewer offers to review Coventry's submission; a coordinator confirms the offer,
adds an independent assessor as lead reviewer and changes the due date."""

import re

from django.core import mail
from playwright.sync_api import expect

from assessments import services
from assessments.models import PointAssessment, ReviewerAssignment, Status
from tests.browser.conftest import assert_accessible
from tests.browser.test_invitation_journey import sign_in
from tests.factories import UserFactory
from tests.factories_assessments import make_assessment
from tests.factories_services import ServiceFactory
from tests.two_factor import verify_session
from tests.worker import run_tasks


def test_a_reviewer_offers_and_a_coordinator_assigns_two_reviewers_with_a_lead(
    page, live_server, live_standard, client, coventry, coventry_lead, peer_reviewer, coordinator
):
    UserFactory(
        email="assessor@lgdss.example",
        full_name="Ines Achebe",
        is_peer_reviewer=True,
        is_independent_assessor=True,
    )
    assessment = make_assessment(
        ServiceFactory(council=coventry, name="Report a missed bin"), by=coventry_lead
    )
    PointAssessment.objects.filter(assessment=assessment).update(score=4, evidence="Done.")
    services.submit(assessment, by=coventry_lead)

    # Rita, a peer reviewer in the Midlands, offers to review.
    sign_in(page, "reviewer@birmingham.example")
    expect(page.locator("h1")).to_have_text("Your work")
    expect(page.get_by_role("heading", name="Submissions you could review")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Offer to review Report a missed bin")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Thank you for offering to review Report a missed bin"
    )
    expect(page.get_by_role("heading", name="Submissions you could review")).to_have_count(0)
    assert_accessible(page)

    # A coordinator (signed in with a code from their app) finds it in the queue.
    page.context.clear_cookies()
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    verify_session(client, coordinator)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.goto("/your-work/")
    page.get_by_role("link", name="1 needs reviewers or a lead").click()
    expect(page.locator("h1")).to_have_text("Review queue")
    expect(page.locator("table")).to_contain_text("Needs a lead")
    expect(page.locator("table")).to_contain_text("1 offer to confirm")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Report a missed bin")).click()
    expect(page.locator("h1")).to_have_text("Reviewers of Report a missed bin")
    expect(page.locator(".govuk-warning-text")).to_contain_text("needs a lead reviewer")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm Rita Reviewer's offer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Rita Reviewer is now a reviewer"
    )

    # Adding nobody is an error; then the independent assessor, as lead.
    page.get_by_role("button", name="Add reviewer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a reviewer")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    page.get_by_label("Reviewer", exact=True).select_option(
        label="Ines Achebe – independent assessor"
    )
    page.get_by_label("Make them the lead reviewer").check()
    page.get_by_role("button", name="Add reviewer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Ines Achebe is now lead reviewer"
    )
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("In peer review")
    assert_accessible(page)

    # Unassigning asks first.
    page.get_by_role("link", name="Unassign Rita Reviewer").click()
    expect(page.locator("h1")).to_have_text("Take Rita Reviewer off the review?")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("h1")).to_have_text("Reviewers of Report a missed bin")

    # The due date: a date that does not exist, then a real one.
    page.get_by_role("link", name="Change the due date").click()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2031")
    page.get_by_role("button", name="Change due date").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Due date must be a real date")
    expect(page.get_by_label("Year")).to_have_value("2031")
    assert_accessible(page)
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("3")
    page.get_by_role("button", name="Change due date").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The review is due on 3 March 2031"
    )
    assert_accessible(page)

    assessment.refresh_from_db()
    assert assessment.status == Status.IN_REVIEW
    current = ReviewerAssignment.objects.current()
    assert sorted((a.reviewer.email, a.is_lead) for a in current) == [
        ("assessor@lgdss.example", True),
        ("reviewer@birmingham.example", False),
    ]
    # Rita sees the review on her work page, and could step aside, with a reason.
    page.context.clear_cookies()
    sign_in(page, "reviewer@birmingham.example")
    expect(page.locator("table")).to_contain_text("3 March 2031")
    page.get_by_role("link", name="Step aside from reviewing Report a missed bin").click()
    expect(page.locator("h1")).to_have_text("Step aside: declare a conflict of interest")
    page.get_by_role("button", name="Step aside").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are stepping aside")
    assert_accessible(page)

    run_tasks()
    assigned = sorted(m.to[0] for m in mail.outbox if "reviewer of" in m.subject)
    assert assigned == ["assessor@lgdss.example", "reviewer@birmingham.example"]
