"""The Coventry lead assesses a service over several sittings and submits it; a colleague's
concurrent edit is caught."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Service
from tests.browser.conftest import assert_accessible
from tests.browser.test_invitation_journey import sign_in
from tests.conftest import PASSWORD


@pytest.fixture
def bins(live_standard, coventry):
    return Service.objects.create(
        council=coventry, name="Report a missed bin collection", phase="beta"
    )


def answer_point(page, score, evidence, *, link=None, button="Save and continue"):
    page.get_by_role("radio", name=re.compile(rf"^{score} – ")).check()
    page.get_by_label("Evidence", exact=True).fill(evidence)
    if link:
        page.get_by_label("Title of link 1").fill(link[0])
        page.get_by_label("Address of link 1").fill(link[1])
    page.get_by_role("button", name=button).click()


def test_lead_assesses_a_service_point_by_point_and_submits(
    page, pages, bins, coventry_lead, coventry_contributor
):
    sign_in(page, "lead@coventry.example")
    page.goto(f"/councils/cov/services/{bins.pk}/")
    expect(page.locator("h1")).to_contain_text("Report a missed bin collection")
    page.get_by_role("button", name="Start an assessment").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start assessment").click()

    expect(page.locator("h1")).to_have_text("Assessment of Report a missed bin collection")
    expect(page.get_by_text("0 of 15 points completed.")).to_be_visible()
    assert_accessible(page)

    # First sitting: points 1 to 5, then come back later.
    page.get_by_role("link", name="1. Understand user needs").click()
    assert_accessible(page)
    page.get_by_text("Guidance for this point").click()
    expect(page.get_by_text("Evidence a reviewer would expect")).to_be_visible()
    answer_point(
        page,
        4,
        "We interviewed **24 residents** who reported missed bins.\n\n- 8 by phone\n- 16 online",
        link=("Research summary", "https://www.coventry.gov.uk/research/bins"),
    )
    for number in range(2, 5):
        expect(page).to_have_url(re.compile(rf"/points/{number}/$"))
        answer_point(page, 3, f"Evidence for point {number}.")
    expect(page).to_have_url(re.compile(r"/points/5/$"))
    answer_point(page, 2, "Partly there.", button="Save and come back later")
    expect(page.get_by_text("5 of 15 points completed.")).to_be_visible()
    assert_accessible(page)

    # A colleague opens point 6 while the lead is working on it.
    colleague = pages.new_page()
    sign_in(colleague, "editor@coventry.example")
    colleague.goto(page.url + "points/6/")
    page.get_by_role("link", name=re.compile(r"^6\. ")).click()
    answer_point(page, 3, "The lead's evidence for point 6.", button="Save and come back later")
    answer_point(
        colleague, 1, "The editor's evidence for point 6.", button="Save and come back later"
    )
    expect(colleague.locator(".govuk-error-summary")).to_contain_text(
        "saved this point while you were editing it"
    )
    expect(colleague.locator("#their-version")).to_contain_text("The lead's evidence for point 6.")
    expect(colleague.get_by_label("Evidence", exact=True)).to_have_value(
        "The editor's evidence for point 6."
    )
    assert_accessible(colleague)
    pages.close(colleague)

    # Second sitting: the lead signs out, signs back in, and finishes.
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "lead@coventry.example", PASSWORD)
    page.goto(f"/councils/cov/services/{bins.pk}/")
    page.get_by_role("link", name="Continue the assessment").click()
    expect(page.get_by_text("6 of 15 points completed.")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^7\. ")).click()
    for number in range(7, 16):
        expect(page).to_have_url(re.compile(rf"/points/{number}/$"))
        if number == 9:
            page.get_by_role("radio", name="Not applicable at this phase").check()
            page.get_by_role("button", name="Save and continue").click()  # no reason yet
        elif number == 12:
            page.get_by_role("button", name="Save and continue").click()  # skipped
        else:
            answer_point(page, 3, f"Evidence for point {number}.")

    # Check answers: two points still need answers; submitting shows them as errors.
    expect(page.locator("h1")).to_have_text("Check your answers before submitting")
    gaps = page.get_by_role("region", name="Important")
    expect(gaps).to_contain_text("2 points still need an answer")
    assert_accessible(page)
    page.get_by_role("button", name="Submit for peer review").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Point 9, Make and test a plan for being offline: give a reason it is not applicable"
    )
    expect(summary).to_contain_text("Point 12")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile(r"^Point 9")).click()
    page.get_by_label(re.compile("Why does this point not apply")).fill(
        "The service is a form with no back-office integration yet."
    )
    page.get_by_role("button", name="Save and continue").click()
    # Back on check answers, not on point 10.
    expect(page).to_have_url(re.compile(r"/check/$"))
    page.get_by_role("region", name="Important").get_by_role(
        "link", name=re.compile(r"^Point 12")
    ).click()
    answer_point(page, 2, "Assisted digital support at libraries only.")
    expect(page).to_have_url(re.compile(r"/check/$"))

    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_role("region", name="Important")).to_have_count(0)
    expect(page.locator(".govuk-summary-list").first).to_contain_text("out of 70")
    expect(page.locator("strong", has_text="24 residents")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for peer review").click()

    expect(page.locator("h1")).to_have_text("Assessment submitted for peer review")
    assert_accessible(page)
