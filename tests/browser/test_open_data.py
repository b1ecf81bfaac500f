"""Someone who reuses data finds the open data page, reads what each column means, and
downloads the published assessments; a feed reader finds the feed from the page."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories_publications import public_record


@pytest.fixture
def published(
    live_standard, coventry, leeds, coventry_lead, leeds_lead, peer_reviewer, coordinator
):
    return public_record(
        coventry=coventry,
        leeds=leeds,
        coventry_lead=coventry_lead,
        leeds_lead=leeds_lead,
        peer_reviewer=peer_reviewer,
        coordinator=coordinator,
    )


def test_a_reader_learns_what_the_data_holds_and_downloads_it(page, published):
    page.goto("/data/")
    expect(page.locator("h1")).to_have_text("Open data: published assessments")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Open Government Licence v3.0")).to_have_attribute(
        "href", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    )
    expect(page.get_by_role("table", name="Columns of published assessments")).to_be_visible()
    expect(page.get_by_role("row", name="review_type", exact=False).first).to_contain_text(
        "peer_reviewed"
    )
    expect(page.locator('link[rel="alternate"][type="application/atom+xml"]')).to_have_attribute(
        "href", "/feeds/published/"
    )
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file of published assessments").click()
    assert download.value.suggested_filename == "lgdss-assessments.csv"
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert sorted(row["service_name"] for row in rows) == [
        "Find a recycling centre",
        "Pay council tax",
    ]

    # A feed reader, not the browser, opens the feed (Chromium's own XML view would draw
    # it with inline styles, which the site's Content Security Policy refuses).
    feed_link = page.get_by_role("link", name="Atom feed of publications and withdrawals")
    feed = page.request.get(feed_link.get_attribute("href"))
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "Pay council tax, Leeds City Council" in feed.text()
