"""Two reviewers score every point of Coventry's submitted assessment, the lead reviewer
agrees the scores and completes the review, and the Coventry lead reads the outcome and
responds on the record. axe-core and the HTML checker run on every page loaded."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from assessments.models import EventKind, Review, ReviewerPoint, Status
from tests.browser.conftest import assert_accessible
from tests.browser.test_every_page import fits_the_screen
from tests.browser.test_invitation_journey import sign_in
from tests.worker import run_tasks


@pytest.fixture
def review(live_standard, in_review):
    return in_review


def switch_to(page, email):
    page.context.clear_cookies()
    sign_in(page, email)


def score_every_point(page, review, scores):
    page.goto(f"/councils/cov/assessments/{review.pk}/")
    page.get_by_role("link", name="Score and comment on each point").click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^Review of "))
    assert_accessible(page)
    page.get_by_role("link", name="1. Understand user needs", exact=True).click()
    for number, score in enumerate(scores, start=1):
        expect(page).to_have_url(re.compile(rf"/review/points/{number}/$"))
        if number == 1:
            expect(page.get_by_text("What the team did.")).to_be_visible()  # the council's
            assert_accessible(page)
        page.get_by_role("radio", name=re.compile(rf"^{score} – ")).check()
        page.get_by_label("What the team has done well").fill(f"Point {number} done well.")
        page.get_by_label("What the team needs to explore").fill(f"Point {number} to explore.")
        page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("Check your scores and comments")
    expect(page.get_by_text("You have scored and commented on every point.")).to_be_visible()
    assert_accessible(page)


def test_reviewers_score_the_lead_completes_and_the_council_responds(
    page, live_server, review, peer_reviewer, independent_assessor, coventry_lead
):
    # The independent assessor scores every point 2; the lead reviewer every point 4.
    sign_in(page, independent_assessor.email)
    score_every_point(page, review, [2] * 15)
    switch_to(page, peer_reviewer.email)
    score_every_point(page, review, [4] * 15)
    assert ReviewerPoint.objects.filter(assessment=review).count() == 30

    # The lead agrees each point, seeing both reviewers' scores; the form starts from hers.
    page.get_by_role("link", name="Back to the review's list of points").click()
    page.get_by_role("link", name=re.compile(r"^Agreed score for 1\. ")).click()
    expect(page.get_by_text("range from 2 to 4: a spread of 2")).to_be_visible()
    expect(page.get_by_text("Point 1 done well.").first).to_be_visible()
    assert_accessible(page)
    for number in range(1, 16):
        expect(page).to_have_url(re.compile(rf"/review/agreed/{number}/$"))
        if number == 2:
            page.get_by_role("radio", name=re.compile(r"^3 – ")).check()
        page.get_by_role("button", name="Save and continue").click()

    # Completing without a summary is refused, with the errors tied to the fields.
    expect(page.locator("h1")).to_have_text("Complete the review")
    assert_accessible(page)
    page.get_by_role("button", name="Complete the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an overall summary")
    assert_accessible(page)
    page.get_by_label("Overall summary").fill("A team that knows its residents.")
    page.get_by_role("radio", name="Meets the Standard, with actions").check()
    page.get_by_role("button", name="Complete the review").click()

    expect(page.locator("h1")).to_have_text("Outcome of the peer review")
    assert_accessible(page)
    review.refresh_from_db()
    assert review.status == Status.REVIEWED
    run_tasks()
    completed = [m for m in mail.outbox if m.subject.startswith("The peer review of")]
    assert [m.to for m in completed] == [[coventry_lead.email]]

    # The Coventry lead reads the outcome from the assessment and responds.
    switch_to(page, coventry_lead.email)
    page.goto(f"/councils/cov/assessments/{review.pk}/")
    page.get_by_role("link", name="Read the outcome of the peer review").click()
    expect(page.locator("h1")).to_have_text("Outcome of the peer review")
    scores = page.get_by_role("table")
    expect(scores).to_contain_text("+1: 1 point higher than your score")
    expect(scores).to_contain_text("Same as your score")
    page.get_by_text("Each reviewer's score and comments on point 1", exact=True).click()
    expect(page.get_by_text("Point 1 to explore.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Respond to the review").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save the response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your council's response")
    page.get_by_label("Your council's response").fill("We will act on point 4 first.")
    page.get_by_role("button", name="Save the response").click()
    expect(page.get_by_text("We will act on point 4 first.")).to_be_visible()
    assert_accessible(page)
    assert Review.objects.get(assessment=review).council_response_by == coventry_lead
    assert review.events.filter(kind=EventKind.COUNCIL_RESPONDED).count() == 1

    # At 320 CSS pixels (400% zoom) the outcome's table scrolls on its own, not the page.
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    expect(page.locator(".app-table-wrapper").first).to_be_visible()
    fits_the_screen(page)
    assert_accessible(page)
