"""A member of the public follows the published results from the home page, filters them
with and without JavaScript, and opens a council's page. Each page is checked by axe and
the Nu HTML Checker as it is shown (tests/browser/conftest.py)."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import ReviewType
from tests.browser.conftest import assert_accessible
from tests.browser.test_every_page import fits_the_screen
from tests.factories import CouncilFactory, PeerGroupFactory
from tests.factories_published_rows import publish_directly


@pytest.fixture
def published(transactional_db, standard, coventry, leeds):
    """Peer reviewed in Coventry, self-assessed in Leeds and in Cardiff, and a withdrawn one."""
    cardiff = CouncilFactory(
        code="CRF",
        official_name="Cardiff Council",
        short_name="Cardiff",
        nation="Wales",
        region="Wales",
        peer_group=PeerGroupFactory(name="Wales", slug="wales"),
    )
    publish_directly(coventry, review_type=ReviewType.PEER_REVIEWED, days_ago=3)
    publish_directly(leeds, name="Pay council tax", phase="live", scores=(2,) * 15, days_ago=2)
    publish_directly(cardiff, name="Apply for a school place", phase="alpha", days_ago=1)
    publish_directly(coventry, name="Find a school bus", withdrawn=True)


def test_reader_filters_the_results_and_opens_a_council(page, published):
    page.goto("/")
    expect(page.get_by_role("link", name="Report a missed bin")).to_be_visible()
    expect(page.get_by_text("3 assessments published by 3 councils")).to_be_visible()
    page.get_by_role("link", name="See and filter every published result").click()

    expect(page.locator("h1")).to_have_text("Published results")
    expect(page.get_by_role("heading", name="3 published assessments")).to_be_visible()
    page.get_by_role("group", name="Nation").get_by_label("England").check()
    page.get_by_label("Point", exact=True).select_option(label="1. Understand user needs")
    page.get_by_role("group", name="Was the point met?").get_by_label("Not met").check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"nation=England.*point=1&point_met=false"))
    expect(page.get_by_role("heading", name="1 published assessment")).to_be_visible()
    expect(page.get_by_role("link", name="Pay council tax")).to_be_visible()
    expect(page.get_by_role("link", name="Report a missed bin")).to_have_count(0)
    expect(page.get_by_role("link", name="Remove this filter: England")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Remove this filter: 1. Understand user needs: not met").click()
    expect(page.get_by_role("heading", name="2 published assessments")).to_be_visible()
    page.get_by_label("Sort by").select_option(label="Average score (highest first)")
    page.get_by_role("button", name="Sort").click()
    rows = page.locator("#results-caption ~ tbody th a")
    expect(rows).to_have_text(["Report a missed bin", "Pay council tax"])
    assert_accessible(page)

    page.goto("/councils/cov/")
    expect(page.get_by_role("link", name="Report a missed bin")).to_be_visible()
    expect(page.get_by_text("Find a school bus")).to_have_count(0)
    page.get_by_role("link", name="Coventry's results, filtered and sorted").click()
    expect(page).to_have_url(re.compile(r"/results/\?council=COV$"))
    expect(page.get_by_role("heading", name="1 published assessment")).to_be_visible()
    assert_accessible(page)


def test_the_filters_work_without_javascript_and_say_what_is_wrong(pages, published):
    page = pages.new_page(javascript=False)
    page.goto("/results/?region=Atlantis")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a region from the list")
    expect(page).to_have_title(re.compile(r"^Error: Published results"))

    page.get_by_label("Region").select_option("Yorkshire and The Humber")
    page.get_by_role("group", name="Review type").get_by_label("Self-assessed").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_role("heading", name="1 published assessment")).to_be_visible()
    expect(page.get_by_role("link", name="Pay council tax")).to_be_visible()


def test_at_320_pixels_the_public_pages_do_not_scroll_sideways(page, published):
    page.set_viewport_size({"width": 320, "height": 640})
    for address in ("/", "/results/?nation=England&rating=red", "/councils/cov/"):
        page.goto(address)
        expect(page.locator(".app-table-wrapper").first).to_be_visible()
        fits_the_screen(page)
        assert_accessible(page)


def test_before_anything_is_published_the_pages_say_so(page, transactional_db, standard):
    page.goto("/")
    expect(page.get_by_text("No council has published an assessment yet.")).to_be_visible()
    page.get_by_role("link", name="Published results", exact=True).last.click()
    expect(page.get_by_role("heading", name="No published assessments yet")).to_be_visible()
    assert_accessible(page)
