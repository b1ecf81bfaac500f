"""A council officer reads how councils score on point 9 of the Standard, on the demo data
`make run` loads: from the point's page to its national picture, the examples of evidence,
the figures as CSV, then the insight pages and councils' own scores against agreed ones.
Every page on the way is checked by axe and the Nu HTML Checker."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_every_page import fits_the_screen


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEMO_DATA = True
    call_command("load_demo_data", verbosity=0)


def test_an_officer_reads_the_national_picture_of_point_9_and_the_insight_pages(page, demo):
    page.goto("/standard/9/")
    page.get_by_role("link", name="See how councils score on point 9: the national picture").click()

    expect(page.locator("h1")).to_have_text("The national picture of point 9")
    # The demo's 57 public publications (the withdrawn one is left out).
    expect(
        page.get_by_text("57 assessments: 30 peer reviewed, 27 self-assessed").first
    ).to_be_visible()
    expect(page.get_by_role("img", name="How point 9 was scored")).to_be_visible()
    expect(page.get_by_role("heading", name="By council type")).to_be_visible()
    # The best examples: the highest scores, newest first, each with its evidence and report.
    examples = page.locator("h3")
    expect(examples).to_have_text(
        [
            "Claim Housing Benefit and Council Tax Reduction, London Borough of Camden",
            "Claim Housing Benefit and Council Tax Reduction, Monmouthshire County Council",
            "Pay your council tax, City of Cardiff Council",
            "Book a bulky uplift, Glasgow City Council",
            "Subscribe to garden waste collection, Belfast City Council",
        ]
    )
    expect(
        page.get_by_text("a page explains how to phone the contact centre").first
    ).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the figures of point 9 (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    overall = next(r for r in rows if (r["breakdown"], r["review_type"]) == ("all", "all"))
    assert overall["assessments"] == "57"
    assert overall["not_applicable"] == "2"

    page.get_by_role("link", name="Read point 9 in the report of Pay your council tax").click()
    expect(page.locator("h1")).to_contain_text("Pay your council tax")
    expect(page).to_have_url(re.compile(r"/assessments/\d+/#point-9$"))

    page.goto("/")
    page.get_by_role("link", name="Insight: how councils compare").click()
    expect(page.locator("h1")).to_have_text("Insight into the published results")
    expect(page.get_by_role("link", name="9. ", exact=False).first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Councils' own scores against agreed scores").click()
    expect(page.locator("h1")).to_have_text("Councils' own scores against agreed scores")
    expect(page.get_by_text("The figures include the 30 peer-reviewed assessments")).to_be_visible()
    expect(page.get_by_text("Teams over-rate themselves most on point")).to_be_visible()
    assert_accessible(page)


def test_at_320_pixels_the_insight_pages_do_not_scroll_sideways(page, demo):
    page.set_viewport_size({"width": 320, "height": 640})
    for address in ("/standard/9/national-picture/", "/insight/self-and-agreed/", "/insight/"):
        page.goto(address)
        fits_the_screen(page)
        assert_accessible(page)
