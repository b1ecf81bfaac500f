"""Pages no journey reaches, walked as the person who would see them, so that the checks
every page gets (axe-core, the Nu HTML Checker, the Content Security Policy) reach them too;
and, at 320 CSS pixels wide (a 1280 pixel screen at 400% zoom), every page with a table
fits the screen, its table scrolling on its own."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from assessments.models import InvitationRole, Status
from tests.browser.conftest import assert_accessible
from tests.browser.test_emails import sign_in_as
from tests.factories_assessments import AssessmentEventFactory, make_assessment
from tests.factories_services import ServiceFactory


@pytest.fixture
def world(transactional_db, standard, coventry, coventry_lead):
    service = ServiceFactory(
        council=coventry, name="Report a missed bin collection with a long name"
    )
    draft = make_assessment(service, by=coventry_lead)
    AssessmentEventFactory(assessment=draft, actor=coventry_lead)
    other = ServiceFactory(council=coventry, name="Apply for a parking permit")
    submitted = make_assessment(other, by=coventry_lead)
    submitted.status, submitted.submitted_at = Status.SUBMITTED, timezone.now()
    submitted.save()
    services.invite(
        by=coventry_lead,
        email="priya.patel@coventry.example",
        role=InvitationRole.CONTRIBUTOR,
        council=coventry,
    )
    return {"service": service, "draft": draft, "submitted": submitted}


def fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} is {width} pixels wide"


def test_at_320_pixels_pages_with_tables_do_not_scroll_sideways(
    page, world, live_server, client, coordinator, coventry_lead
):
    page.set_viewport_size({"width": 320, "height": 640})
    service, draft = world["service"], world["draft"]
    sign_in_as(page, client, live_server, coventry_lead)
    for address in (
        "/your-work/",
        "/account/",
        "/councils/cov/services/",
        f"/councils/cov/services/{service.pk}/",
        "/councils/cov/members/",
        f"/councils/cov/assessments/{draft.pk}/history/",
        "/standard/scoring/",
        "/cookies/",
    ):
        page.goto(address)
        expect(page.locator(".app-table-wrapper").first).to_be_visible()
        fits_the_screen(page)
        assert_accessible(page)

    page.context.clear_cookies()
    sign_in_as(page, client, live_server, coordinator)
    for address in ("/councils/", "/invitations/", "/emails/"):
        page.goto(address)
        fits_the_screen(page)
        assert_accessible(page)


def test_lead_walks_the_pages_no_journey_reaches(page, world, live_server, client, coventry_lead):
    service, draft, submitted = world["service"], world["draft"], world["submitted"]
    sign_in_as(page, client, live_server, coventry_lead)
    for address, heading in (
        (f"/councils/cov/assessments/{draft.pk}/history/", "History"),
        (f"/councils/cov/assessments/{draft.pk}/delete/", None),
        (f"/councils/cov/assessments/{submitted.pk}/withdraw/", None),
        (f"/councils/cov/services/{service.pk}/edit/", None),
        (f"/councils/cov/services/{service.pk}/retire/", None),
        ("/account/password/", None),
        ("/invitations/", None),  # not a coordinator: refused, with the 403 page
        ("/councils/zzz/", None),  # the 404 page
    ):
        page.goto(address)
        expect(page.locator("h1")).to_have_count(1)
        if heading:
            expect(page.locator("h1")).to_have_text(heading)
        assert_accessible(page)

    # The password change, with a mistake, and its error summary.
    page.goto("/account/password/")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_someone_who_forgot_their_password_asks_for_a_link(page, world):
    page.goto("/password-reset/")
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)
    page.get_by_label("Email address").fill("lead@coventry.example")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page)


def test_coordinator_sees_the_invitations(page, world, live_server, client, coordinator):
    sign_in_as(page, client, live_server, coordinator)
    page.goto("/invitations/")
    expect(
        page.get_by_role("region", name="Latest invitations (1 waiting to be accepted)")
    ).to_be_visible()
    assert_accessible(page)
    page.goto("/invitations/new/")
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)
