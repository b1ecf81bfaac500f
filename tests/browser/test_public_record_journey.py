"""The public record as a visitor meets it, on the demo data `make run` loads: from the home
page to a published assessment, the results filtered to one region and one point not met,
a council's page, the CSV whose figures match the page, the same through the API, and the
feed to subscribe to. Every page on the way is checked by axe and the Nu HTML Checker."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

LEEDS_PERMITS = "Apply for a residents' parking permit"


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEMO_DATA = True
    call_command("load_demo_data", verbosity=0)


def test_a_visitor_follows_the_public_record_from_the_home_page(page, demo):
    # The home page leads to the latest publication: its report.
    page.goto("/")
    page.get_by_role("link", name="Pay your council tax").click()
    expect(page.locator("h1")).to_contain_text("Pay your council tax")
    expect(page.get_by_text("City of Cardiff Council").first).to_be_visible()
    expect(page.get_by_text("Peer reviewed").first).to_be_visible()
    assert_accessible(page)

    # The results, filtered to one region and to one point not met.
    page.goto("/")
    page.get_by_role("link", name="See and filter every published result").click()
    page.get_by_label("Region").select_option("Yorkshire and The Humber")
    page.get_by_label("Point", exact=True).select_option("2")
    page.get_by_role("group", name="Was the point met?").get_by_label("Not met").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"region=Yorkshire.*point=2&point_met=false"))
    expect(page.get_by_role("heading", name="1 published assessment")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=LEEDS_PERMITS))
    expect(row).to_have_count(1)
    average_on_results = row.get_by_role("cell").nth(4).inner_text()
    assert_accessible(page)

    # The council's page shows the same service's latest result.
    page.goto("/councils/lds/")
    council_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=LEEDS_PERMITS))
    expect(council_row).to_contain_text(average_on_results)
    expect(page.get_by_text("Report a pothole").first).to_be_visible()
    assert_accessible(page)

    # The CSV from the open data page has the figures the pages show.
    page.get_by_role("link", name="Download every council's published results as open data").click()
    expect(page.locator("h1")).to_have_text("Open data: published assessments")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file of published assessments").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    permits = next(r for r in rows if r["service_name"] == LEEDS_PERMITS)
    assert permits["average"] == average_on_results
    assert permits["review_type"] == "peer_reviewed"
    published = {(r["council_code"], r["service_name"]) for r in rows}
    assert ("GLG", "Apply for a Blue Badge") not in published  # withdrawn
    assert ("GLG", "Book a bulky uplift") in published

    # The API says the same, filtered the same way.
    answer = page.request.get(
        "/api/v1/assessments?region=Yorkshire and The Humber&point=2&point_met=false"
    ).json()
    assert answer["count"] == 1
    (item,) = answer["items"]
    assert item["service_name"] == LEEDS_PERMITS
    assert f"{item['average']:.1f}" == average_on_results
    assert item["total"] == int(permits["total"])

    # And the feed, found from the page, to subscribe to.
    page.goto("/results/")
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    response = page.request.get(feed.get_attribute("href"))
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert LEEDS_PERMITS.replace("'", "&#x27;") in response.text() or LEEDS_PERMITS in (
        response.text()
    )
