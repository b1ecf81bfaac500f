"""A member of the public finds Coventry in the council directory and opens its page."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.two_factor import verify_session


@pytest.fixture
def councils(transactional_db):
    """Every council from fixtures/councils.csv, in the database the live server reads."""
    call_command("import_councils", verbosity=0)


def test_reader_searches_filters_and_opens_a_council(page, councils):
    page.goto("/councils/")
    expect(page.locator("h1")).to_have_text("Councils")
    expect(page.get_by_text(re.compile(r"^Showing 1 to 50 of \d+ councils$"))).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Search by name or code").fill("Coventry")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("Showing 1 council", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Region").select_option("West Midlands")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"region=West\+Midlands"))
    expect(page.get_by_role("link", name="Leeds")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Coventry", exact=True).click()
    expect(page).to_have_url(re.compile(r"/councils/cov/$"))
    expect(page.locator("h1")).to_have_text("Coventry City Council")
    expect(page.get_by_text("Coventry has not published any assessments yet.")).to_be_visible()
    assert_accessible(page)


def test_coordinator_corrects_a_mistake_and_records_coventrys_sign_up(
    page, councils, live_server, client, coordinator
):
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    verify_session(client, coordinator)  # coordinators sign in with a code from their app
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])

    page.goto("/councils/cov/")
    page.get_by_role("button", name="Record that Coventry has signed up").click()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2020")
    page.get_by_label("Senior sponsor's role").fill("Chief Executive")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Date signed up must be a real date"
    )
    assert_accessible(page)

    page.get_by_label("Day").fill("7")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2016")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/councils/cov/$"))
    expect(page.get_by_text("Coventry's sign-up to the Standard has been recorded")).to_be_visible()
    assert_accessible(page)
