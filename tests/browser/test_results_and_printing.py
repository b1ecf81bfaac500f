"""A council lead signs in to their work, reads a submitted assessment's results, prints
it, and finds out why a new assessment cannot start yet; a coordinator sees what waits
for peer review."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Service
from tests.browser.conftest import assert_accessible
from tests.browser.test_emails import sign_in_as
from tests.browser.test_invitation_journey import sign_in


@pytest.fixture
def submitted(live_standard, coventry, coventry_lead):
    bins = Service.objects.create(
        council=coventry,
        name="Report a missed bin collection",
        phase="beta",
        url="https://www.coventry.gov.uk/bins",
    )
    assessment = services.start_assessment(bins, by=coventry_lead, phase="beta")
    for answer in assessment.points.order_by("point__number"):
        first = answer.point.number == 1
        services.save_point(
            answer,
            by=coventry_lead,
            revision=0,
            score=4 if first else 3,
            not_applicable=False,
            reason="",
            evidence="Our research: https://example.com/research" if first else "Done.",
            links=[("Survey results", "https://example.com/survey")] if first else [],
        )
    services.submit(assessment, by=coventry_lead)
    parking = Service.objects.create(
        council=coventry, name="Apply for a parking permit", phase="alpha"
    )
    services.start_assessment(parking, by=coventry_lead, phase="alpha")
    return assessment


def after_content(page, selector):
    """What the print stylesheet writes after an element (its ::after content)."""
    return page.locator(selector).first.evaluate("e => getComputedStyle(e, '::after').content")


def test_lead_reads_results_prints_them_and_learns_why_no_new_assessment_can_start(
    page, submitted, coventry_lead
):
    sign_in(page, "lead@coventry.example")
    expect(page.locator("h1")).to_have_text("Your work")
    expect(page.get_by_role("table", name="Drafts to continue")).to_contain_text(
        "Apply for a parking permit"
    )
    assert_accessible(page)

    page.get_by_role("table", name="Submitted assessments").get_by_role(
        "link", name="Report a missed bin collection"
    ).click()
    expect(page.locator("h1")).to_have_text("Assessment of Report a missed bin collection")
    expect(page.get_by_text("46 out of 75")).to_be_visible()
    expect(page.get_by_text("15 of 15 applicable points (100%)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="How scores and ratings are worked out").click()
    expect(page.locator("h1")).to_have_text("How self-assessments are scored")
    assert_accessible(page)
    page.go_back()

    page.get_by_role("link", name="Print or save as PDF").click()
    expect(page.locator("h1")).to_have_text("Assessment of Report a missed bin collection")
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    assert_accessible(page)

    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    assert after_content(page, ".app-evidence a.app-link--bare") == "none"
    assert "https://example.com/survey" in after_content(
        page, "a[href='https://example.com/survey']"
    )
    page.emulate_media(media="screen")

    # A new assessment waits until this one is reviewed or withdrawn.
    page.goto(submitted.service.get_absolute_url())
    expect(page.get_by_role("button", name="Start an assessment")).to_have_count(0)
    expect(page.get_by_text("is waiting for peer review")).to_be_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    assert after_content(page, "a[href='https://www.coventry.gov.uk/bins']") == "none"
    page.emulate_media(media="screen")

    page.goto(f"/councils/cov/services/{submitted.service.pk}/assess/")
    expect(page.locator("h1")).to_have_text("You cannot start a new assessment yet")
    assert_accessible(page)

    page.get_by_role("link", name="Digital services").first.click()
    row = page.get_by_role("row", name=re.compile("Report a missed bin collection"))
    expect(row).to_contain_text("Submitted for peer review")
    assert_accessible(page)


def test_coordinator_sees_what_waits_for_peer_review(
    page, client, live_server, submitted, coordinator
):
    sign_in_as(page, client, live_server, coordinator)
    page.goto("/")
    page.get_by_role("link", name="Your work").click()
    waiting = page.get_by_role("table", name="Waiting for peer review")
    expect(waiting).to_contain_text("Report a missed bin collection")
    expect(waiting).to_contain_text("Coventry")
    assert_accessible(page)
