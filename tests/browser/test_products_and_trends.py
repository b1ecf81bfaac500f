"""A reader finds a product's page from the list of products, follows a council's report
to its service's scores over time, and reads the national trend by quarter. Each page is
checked by axe and the Nu HTML Checker as it is shown (tests/browser/conftest.py)."""

import pytest
from playwright.sync_api import expect

from assessments.models import ReviewType
from tests.browser.conftest import assert_accessible
from tests.factories_published_rows import publish_directly
from tests.factories_services import ProductFactory, ServiceFactory


@pytest.fixture
def published(transactional_db, standard, coventry, leeds):
    """Parking Permits used by Coventry (peer reviewed, twice, 100 days apart) and by
    Leeds (self-assessed); a bin service in Leeds on no product."""
    parking = ProductFactory(supplier__name="Example Civic Software Ltd", name="Parking Permits")
    permits = ServiceFactory(
        council=coventry, name="Apply for a parking permit", product=parking, sourcing="bought"
    )
    publish_directly(
        coventry,
        service=permits,
        product=parking,
        review_type=ReviewType.PEER_REVIEWED,
        scores=(2,) * 15,
        days_ago=100,
    )
    publish_directly(
        coventry,
        service=permits,
        product=parking,
        review_type=ReviewType.PEER_REVIEWED,
        scores=(3, None) + (4,) * 13,
        days_ago=1,
    )
    publish_directly(leeds, name="Residents' parking", product=parking, scores=(3,) * 15)
    publish_directly(leeds, name="Report a missed bin", scores=(4,) * 15, days_ago=200)
    return parking


def test_reader_compares_a_product_and_follows_a_service_and_the_national_trend(page, published):
    page.goto("/products/")
    expect(page.locator("h1")).to_have_text("Products")
    assert_accessible(page)
    page.get_by_role("link", name="Parking Permits").click()

    expect(page.locator("h1")).to_have_text("Parking Permits")
    expect(page.get_by_text("from 2 councils")).to_be_visible()
    expect(page.get_by_role("img", name="Average score on each point")).to_be_visible()
    expect(
        page.get_by_role("link", name="Download the figures for each point (CSV)")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Apply for a parking permit").first.click()
    page.get_by_role("link", name="See this service's scores over time").click()
    expect(page.locator("h1")).to_have_text("Apply for a parking permit: scores over time")
    expect(page.get_by_text("The 2 published assessments of this service")).to_be_visible()
    points = page.get_by_role("table", name="Each point's score")
    expect(points.get_by_role("row", name="1. Understand user needs")).to_contain_text("3 (+1)")
    assert_accessible(page)

    page.goto("/insight/trends/")
    expect(page.locator("h1")).to_have_text("Trends: points met by quarter")
    expect(
        page.get_by_role("img", name="Share of points met, by quarter of publication")
    ).to_be_visible()
    assert_accessible(page)


def test_the_pages_work_without_javascript(pages, published):
    page = pages.new_page(javascript=False)
    page.goto(f"/products/{published.slug}/")
    expect(page.get_by_role("table", name="Average score on each point")).to_be_visible()
    page.goto("/insight/trends/")
    expect(page.get_by_role("table", name="Share of points met")).to_be_visible()
