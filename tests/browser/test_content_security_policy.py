"""Pages work under the Content Security Policy: GOV.UK Frontend's scripts start, and the
browser blocks code the policy does not allow. (Django's admin, whose pages do not pass
axe, is not opened in the browser tests: tests/test_content_security_policy.py checks that
its scripts are files and its inline code has the nonce.)

Every browser test's `page` also fails on any violation (see conftest.py); here the
pages of the journeys are walked on purpose, with the components checked.
"""

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Service
from lgdss.inline_script import JS_ENABLED_HASH
from tests.browser.conftest import assert_accessible
from tests.browser.test_invitation_journey import sign_in

# Each GOV.UK Frontend component marks its element data-<module>-init once it has started.
COMPONENTS_NOT_STARTED = """() => [...document.querySelectorAll("[data-module]")]
  .filter((element) => !element.hasAttribute(`data-${element.dataset.module}-init`))
  .map((element) => element.dataset.module)"""


def assert_govuk_frontend_started(page, response):
    """The js-enabled snippet ran, allowed by its hash (no nonce), and every component
    on the page started."""
    assert JS_ENABLED_HASH in response.headers["content-security-policy"]
    assert "'nonce-" not in response.headers["content-security-policy"]
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(page.locator("[data-govuk-service-navigation-init]")).to_have_count(1)
    assert page.evaluate(COMPONENTS_NOT_STARTED) == [], page.url


@pytest.fixture
def bins(live_standard, coventry):
    return Service.objects.create(
        council=coventry, name="Report a missed bin collection", phase="beta"
    )


def test_govuk_frontend_starts_on_the_journey_pages_under_the_policy(page, bins, coventry_lead):
    for url in ["/", "/standard/", "/standard/1/", "/councils/", "/councils/cov/", "/nowhere/"]:
        response = page.goto(url)
        assert_govuk_frontend_started(page, response)

    # The error summary's script moves focus to it when the page loads.
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill("lead@coventry.example")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()

    sign_in(page, "lead@coventry.example")
    for url in ["/account/", "/councils/cov/services/", f"/councils/cov/services/{bins.pk}/"]:
        response = page.goto(url)
        assert_govuk_frontend_started(page, response)

    page.get_by_role("button", name="Start an assessment").click()
    page.get_by_role("button", name="Start assessment").click()
    page.get_by_role("link", name="1. Understand user needs").click()
    expect(page.locator("h1")).to_have_text("Understand user needs")
    page.wait_for_load_state("load")  # the page's modules have run
    assert page.evaluate(COMPONENTS_NOT_STARTED) == []
    page.get_by_text("Guidance for this point").click()
    expect(page.get_by_text("Evidence a reviewer would expect")).to_be_visible()

    # The service navigation's menu button is shown and works only with its script.
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Your account")).to_be_visible()
    assert_accessible(page)


# An inline script and an inline style the policy does not allow.
INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.body.append(script);
  document.querySelector("h1").setAttribute("style", "color: red");
  return window.injected === true;
}"""


def wait_until(page, condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        page.wait_for_timeout(50)


def test_inline_code_the_policy_does_not_allow_is_blocked_and_reported(pages, db):
    page = pages.new_page(violations_expected=True)
    violations = pages.violations(page)
    page.goto("/cookies/")
    ran = page.evaluate(INJECT)
    wait_until(page, lambda: len(violations) >= 4)
    pages.close(page)

    assert ran is False
    assert page.url.endswith("/cookies/")
    reported = "\n".join(violations)
    assert "enforce: script-src-elem blocked inline" in reported
    assert "enforce: style-src-attr blocked inline" in reported
    assert "console: Executing inline script violates" in reported
    assert "console: Applying inline style violates" in reported


def test_in_report_only_mode_nothing_is_blocked_and_the_service_logs_the_report(
    pages, db, settings, caplog
):
    """What CSP_REPORT_ONLY=true with CSP_REPORT_URI=/csp-reports/ sets up."""
    policy = {**settings.SECURE_CSP, "report-uri": reverse("csp_report")}
    settings.SECURE_CSP, settings.SECURE_CSP_REPORT_ONLY = {}, policy
    page = pages.new_page(violations_expected=True)
    response = page.goto("/cookies/")
    assert "content-security-policy" not in response.headers
    assert page.evaluate(INJECT) is True
    logged = [
        "Content Security Policy blocked inline under script-src-elem on cookies",
        "Content Security Policy blocked inline under style-src-attr on cookies",
    ]
    wait_until(page, lambda: set(logged) <= set(caplog.messages))
    pages.close(page)
    assert set(logged) <= set(caplog.messages)
