"""Insight as a visitor meets it, on the demo data `make run` loads: from the home page to
the insight pages, three councils compared, the national picture of point 9, a product's
page and a service's scores over time. Every page on the way is checked by axe and the Nu
HTML Checker, and every chart has its table of the same figures beside it."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEMO_DATA = True
    call_command("load_demo_data", verbosity=0)


def has_a_chart_with_its_table(page):
    chart = page.locator("svg.app-chart__svg").first
    expect(chart).to_have_attribute("role", "img")
    expect(page.locator("table.app-chart__table").first).to_be_visible()


def test_a_visitor_compares_councils_and_reads_the_national_picture(page, demo):
    page.goto("/")
    page.get_by_role("link", name=re.compile("^Insight")).first.click()
    expect(page.locator("h1")).to_have_text("Insight into the published results")
    assert_accessible(page)

    # Three demo councils side by side (the plain form's address, shared).
    page.get_by_role("link", name="Compare councils").click()
    page.goto("/compare/?councils=cov,lds,crf")
    expect(page.get_by_role("heading", name="City of Cardiff Council")).to_be_visible()
    has_a_chart_with_its_table(page)
    assert_accessible(page)

    # The national picture of point 9, reached from the Standard's page for it.
    page.goto("/standard/9/")
    page.get_by_role("link", name=re.compile("national picture")).click()
    expect(page.locator("h1")).to_have_text("The national picture of point 9")
    has_a_chart_with_its_table(page)
    assert_accessible(page)

    # A product's page, from the list of products.
    page.goto("/insight/")
    page.get_by_role("link", name="Suppliers' products").click()
    expect(page.locator("h1")).to_have_text("Products")
    page.get_by_role("link", name="Parking Permits Online").click()
    expect(page.get_by_text("Leeds City Council").first).to_be_visible()
    expect(page.get_by_text("Glasgow City Council").first).to_be_visible()
    has_a_chart_with_its_table(page)
    assert_accessible(page)

    # A service's scores over time, from Coventry's page (published twice).
    page.goto("/councils/cov/")
    page.get_by_role("link", name=re.compile("^Scores over time")).first.click()
    expect(page.locator("h1")).to_have_text(re.compile(": scores over time$"))
    has_a_chart_with_its_table(page)
    assert_accessible(page)
