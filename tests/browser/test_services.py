"""A council lead adds one of Coventry's digital services, bought from a supplier."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.factories_services import ProductFactory, SupplierFactory


def sign_in(page, email, password=PASSWORD):
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def bartec_collective(transactional_db):
    return ProductFactory(supplier=SupplierFactory(name="Bartec"), name="Collective")


def test_lead_adds_a_bought_service_after_correcting_mistakes(
    page, coventry_lead, bartec_collective
):
    sign_in(page, "lead@coventry.example")
    expect(page.locator("h1")).to_have_text("Your work")

    page.goto("/councils/cov/")
    assert_accessible(page)
    page.get_by_role("link", name="Digital services", exact=True).click()
    expect(page.locator("h1")).to_have_text("Digital services")
    expect(page.get_by_text("Coventry has not added any digital services yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add a service").click()
    expect(page.locator("h1")).to_have_text("Add a service")
    assert_accessible(page)

    page.get_by_role("button", name="Save service").click()  # nothing filled in
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the service name")
    expect(summary).to_contain_text("Select the phase the service is in")
    assert_accessible(page)
    summary.get_by_role("link", name="Select the phase the service is in").click()
    expect(page.get_by_role("radio", name="Discovery")).to_be_focused()

    page.get_by_label("Service name").fill("Report a missed bin collection")
    page.get_by_role("radio", name="Beta").check()
    page.get_by_role("radio", name="Bought from a supplier").check()
    page.get_by_label("Product", exact=True).select_option(label="Bartec – Collective")
    assert_accessible(page)
    page.get_by_role("button", name="Save service").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Report a missed bin collection has been added"
    )
    expect(page.locator("h1")).to_have_text("Report a missed bin collection")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Bartec – Collective")
    expect(page.get_by_text("No one has assessed this service yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Digital services").click()
    expect(page.get_by_role("link", name="Report a missed bin collection")).to_be_visible()
    assert_accessible(page)
