"""Stored public pages and the browser's own cache work under the Content Security Policy.

A page served from the store has the same policy and bytes as the one drawn, with
GOV.UK Frontend's snippet allowed by its hash; a page the browser revalidates (a 304)
keeps what it came with, so GOV.UK Frontend still starts. The pages are read as they
arrive (`not_routed`): with a route on the page, Playwright turns the browser's cache off,
and no 304 would happen.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from tests.browser.test_content_security_policy import (
    COMPONENTS_NOT_STARTED,
    assert_govuk_frontend_started,
)
from tests.factories_reviews import begin_review, complete, submitted_assessment


@pytest.fixture
def published(
    live_standard, coventry, coventry_lead, coordinator, peer_reviewer, independent_assessor
):
    """Coventry's assessment, peer reviewed and published through the workflow."""
    assessment = submitted_assessment(coventry, coventry_lead, name="Report a missed bin")
    begin_review(
        assessment, coordinator=coordinator, lead=peer_reviewer, others=[independent_assessor]
    )
    complete(assessment, peer_reviewer)
    assessment.refresh_from_db()
    services.publish(assessment, by=coventry_lead)
    return assessment


@pytest.mark.not_routed
def test_a_visitor_gets_stored_and_revalidated_public_pages_that_still_work(
    page, pages, published, caplog
):
    another = pages.new_page()  # another visitor: a browser with an empty cache
    public_pages = ["/", "/results/", "/councils/cov/", f"/assessments/{published.pk}/", "/data/"]
    for url in public_pages:
        drawn = page.goto(url)
        assert drawn.status == 200
        assert_govuk_frontend_started(page, drawn)
        stored = another.goto(url)  # from the store: the same bytes and policy
        assert_govuk_frontend_started(another, stored)
        policy = "content-security-policy"
        assert stored.headers[policy] == drawn.headers[policy]
        assert stored.body() == drawn.body()

        # The browser asks again with the page's ETag, gets a 304 and shows what it kept.
        caplog.clear()
        page.reload()
        assert f"path={url} status=304" in caplog.text
        expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
        assert page.evaluate(COMPONENTS_NOT_STARTED) == [], url
