"""Peer review across the roles: the lead reviewer asks for clarification on two points;
the Coventry lead changes the evidence of one, answers the other in its discussion and
sends the answers back; the reviewer sees the new message flagged. Every page is checked
with axe-core and the Nu HTML Checker as it loads."""

import re

from playwright.sync_api import expect

from assessments.models import ClarificationRound, PointMessage, Status
from tests.browser.conftest import assert_accessible
from tests.browser.test_invitation_journey import sign_in
from tests.conftest import PASSWORD


def test_clarification_on_two_points_answered_by_evidence_and_in_the_thread(
    browser, live_server, page, live_standard, discussion_in_review, coventry_lead
):
    assessment = discussion_in_review
    task_list = f"/councils/cov/assessments/{assessment.pk}/"

    # The lead reviewer asks about points 2 and 5; a question left empty is an error.
    sign_in(page, "reviewer@birmingham.example")
    page.goto(task_list)
    page.get_by_role("link", name="Ask the council for clarification").click()
    expect(page.locator("h1")).to_have_text("Ask for clarification")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^2\. ")).check()
    page.get_by_role("button", name="Send the questions to Coventry").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your question on point 2")
    assert_accessible(page)
    page.get_by_label("Your question on point 2").fill("How often do you release changes?")
    page.get_by_label(re.compile(r"^5\. ")).check()
    page.get_by_label("Your question on point 5").fill("Who owns the service day to day?")
    page.get_by_role("button", name="Send the questions to Coventry").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your questions have been sent to the council"
    )
    assert_accessible(page)

    # The Coventry lead sees the questions, changes point 2's evidence...
    lead = browser.new_context(base_url=live_server.url).new_page()
    sign_in(lead, "lead@coventry.example")
    lead.goto(task_list)
    expect(lead.get_by_text("Clarification requested").first).to_be_visible()
    expect(lead.get_by_text("How often do you release changes?")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_role("link", name=re.compile(r"^2\. ")).click()
    expect(lead.locator("#question")).to_contain_text("How often do you release changes?")
    assert_accessible(lead)
    lead.get_by_label("Evidence", exact=True).fill("We release every fortnight.")
    lead.get_by_role("button", name="Save and come back later").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("Point 2 saved")

    # ...and answers point 5 in its discussion (an empty message is an error first).
    lead.get_by_role("link", name="Discussion about point 5").click()
    expect(lead.locator("h1")).to_contain_text("Discussion of")
    assert_accessible(lead)
    lead.get_by_role("button", name="Send message").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text("Enter your message")
    assert_accessible(lead)
    lead.get_by_label("Add a message").fill("Our service manager, Sam.\nShe started in May.")
    lead.get_by_role("button", name="Send message").click()
    expect(lead.get_by_text("Our service manager, Sam.")).to_be_visible()
    assert_accessible(lead)

    # Then sends the answers back.
    lead.get_by_role("link", name="Back to the assessment").click()
    lead.get_by_role("link", name="Send the answers back to the reviewers").click()
    expect(lead.locator("h1")).to_have_text("Send the answers back to the reviewers")
    expect(lead.get_by_text("The answer was changed, and nobody")).to_be_visible()
    expect(lead.get_by_text("The answer was not changed, and Coventry replied")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_role("button", name="Send the answers back").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your answers have been sent back to the reviewers"
    )
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_REVIEW
    assert ClarificationRound.objects.get(assessment=assessment).answered_by == coventry_lead
    assert PointMessage.objects.get(assessment=assessment).point.number == 5

    # The reviewer sees the new message on point 5, reads it, and the flag goes.
    page.goto(task_list)
    expect(page.get_by_text("New messages")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name="Discussion about point 5").click()
    expect(page.get_by_text("Our service manager, Sam.")).to_be_visible()
    expect(page.locator("h3", has_text="Cara Lead")).to_contain_text("(Council)")
    assert_accessible(page)
    page.goto(task_list)
    expect(page.get_by_text("New messages")).to_have_count(0)


def test_asking_for_clarification_and_writing_a_message_work_without_javascript(
    browser, live_server, live_standard, discussion_in_review
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill("reviewer@birmingham.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/councils/cov/assessments/{discussion_in_review.pk}/clarification/new/")
    # Every question box is there to type in, chosen or not.
    expect(page.get_by_label("Your question on point 15")).to_be_visible()
    page.get_by_label(re.compile(r"^3\. ")).check()
    page.get_by_label("Your question on point 3").fill("Is it accessible?")
    page.get_by_role("button", name="Send the questions to Coventry").click()
    expect(page.get_by_text("Is it accessible?")).to_be_visible()

    page.get_by_role("link", name="Discussion about point 3").click()
    page.get_by_label("Add a message").fill("See the audit of March.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("See the audit of March.")).to_be_visible()
    context.close()
    assert discussion_in_review.clarification_rounds.get().questions.get().point.number == 3
