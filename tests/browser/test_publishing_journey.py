"""Publishing from end to end, in the browser.

Coventry's lead checks what will be published after the peer review and publishes it;
a visitor who is not signed in reads the report, and a self-assessment beside it; a
coordinator corrects a published text, then withdraws the publication with a reason;
the visitor finds the report still there, with the notice at the top. axe-core and the
Nu HTML Checker check every page as it loads (the confirmation, each kind of report,
and the forms with and without their errors).
"""

import re

from playwright.sync_api import expect

from assessments import services
from assessments.models import Correction, Publication, Status
from tests.browser.conftest import assert_accessible
from tests.browser.test_invitation_journey import sign_in
from tests.browser.test_peer_review_journey import sign_in_as_coordinator
from tests.factories_reviews import begin_review, complete, submitted_assessment


def test_a_lead_publishes_a_peer_review_which_a_coordinator_corrects_then_withdraws(
    page,
    pages,
    live_server,
    live_standard,
    client,
    coventry,
    coventry_lead,
    peer_reviewer,
    independent_assessor,
    coordinator,
):
    reviewed = submitted_assessment(coventry, coventry_lead, name="Report a missed bin")
    begin_review(
        reviewed, coordinator=coordinator, lead=peer_reviewer, others=[independent_assessor]
    )
    complete(reviewed, peer_reviewer)
    self_assessed = submitted_assessment(coventry, coventry_lead, name="Pay council tax", score=2)
    services.publish(self_assessed, by=coventry_lead)
    report = f"/assessments/{reviewed.pk}/"

    # The lead finds "Publish" on the assessment and checks what will be public.
    sign_in(page, "lead@coventry.example")
    page.goto(f"/councils/cov/assessments/{reviewed.pk}/")
    page.get_by_role("link", name="Check what will be published, then publish").click()
    expect(page.locator("h1")).to_have_text("Check what will be published")
    expect(page.get_by_text("Peer reviewed", exact=True).first).to_be_visible()
    expect(page.get_by_text("Independent assessor").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish the assessment").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("The assessment has been published")
    assert Publication.objects.filter(pk=reviewed.pk, published_by=coventry_lead).exists()
    banner.get_by_role("link", name="Read the public report").click()
    expect(page.locator("h1")).to_have_text("Report a missed bin")

    # A visitor who is not signed in reads it, and the self-assessment.
    visitor = pages.new_page()
    visitor.goto(report)
    expect(visitor.locator("h1")).to_have_text("Report a missed bin")
    expect(visitor.get_by_text("Peer reviewed", exact=True).first).to_be_visible()
    expect(visitor.get_by_text("Meets the Standard, with actions")).to_be_visible()
    assert_accessible(visitor)
    visitor.goto(f"/assessments/{self_assessed.pk}/")
    expect(visitor.get_by_text("Self-assessed", exact=True).first).to_be_visible()
    expect(visitor.get_by_text("no other council has checked them")).to_be_visible()

    # A coordinator corrects a published text, first forgetting the reason.
    sign_in_as_coordinator(page, client, live_server, coordinator)
    page.goto(f"/councils/cov/assessments/{reviewed.pk}/")
    page.get_by_role("link", name="Correct the publication").click()
    expect(page.locator("h1")).to_have_text("Correct the publication")
    page.get_by_label("Which point?").select_option("1")
    page.get_by_label("What the team has done well").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Correct point 1")
    page.get_by_label("Corrected text").fill("Agreed strengths, with a name taken out.")
    page.get_by_role("button", name="Correct the publication").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the text is corrected")
    expect(page.get_by_label("Corrected text")).to_have_value(
        "Agreed strengths, with a name taken out."
    )
    assert_accessible(page)
    page.get_by_label("Why is it corrected?").fill("A reviewer's name was given by mistake.")
    page.get_by_role("button", name="Correct the publication").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("corrected")
    expect(page.get_by_text("A reviewer's name was given by mistake.").first).to_be_visible()
    assert Correction.objects.filter(publication=reviewed.pk, made_by=coordinator).exists()
    assert_accessible(page)

    # Then withdraws the publication, first without a reason.
    page.goto(f"/councils/cov/assessments/{reviewed.pk}/")
    page.get_by_role("link", name="Withdraw the publication").click()
    expect(page.locator("h1")).to_have_text("Withdraw the publication")
    page.get_by_role("button", name="Withdraw the publication").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you are withdrawing the publication"
    )
    assert_accessible(page)
    page.get_by_label("Why are you withdrawing this publication?").fill(
        "The council asked for it to be withdrawn while it checks the evidence."
    )
    page.get_by_role("button", name="Withdraw the publication").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The publication has been withdrawn"
    )
    reviewed.refresh_from_db()
    assert reviewed.status == Status.UNPUBLISHED

    # The visitor finds the report still there, with the notice and the reason.
    visitor.goto(report)
    notice = visitor.locator(".govuk-notification-banner")
    expect(notice).to_contain_text(re.compile(r"withdrew this publication on \d+ \w+ \d{4}"))
    expect(notice).to_contain_text("while it checks the evidence")
    expect(visitor.locator("h1")).to_have_text("Report a missed bin")
    expect(visitor.get_by_text("A reviewer's name was given by mistake.").first).to_be_visible()
    assert_accessible(visitor)
