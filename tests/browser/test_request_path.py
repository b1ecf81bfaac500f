"""In the browser: a page arrives gzipped and its scripts' modules are fetched from the
page's head, at once, not one after another (docs/decisions/0025-the-request-path.md)."""

import re
import time
from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from lgdss.sessions import TOUCHED
from tests.browser.test_timeout_warning import HEADING, sign_in

# Each module the page fetched: its name, when the browser asked for it, and when it had it.
MODULES = """() => performance.getEntriesByType("resource")
  .filter((entry) => entry.name.includes("/static/") && entry.name.endsWith(".js"))
  .map((entry) => [new URL(entry.name).pathname.split("/").pop(), entry.startTime, entry.responseEnd])"""


def test_a_visitor_gets_the_page_gzipped_with_its_modules_preloaded(page, live_standard):
    response = page.goto("/standard/")

    assert response.headers["content-encoding"] == "gzip"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # GOV.UK Frontend started (app.js imported it): the menu's script marks it.
    expect(page.locator("[data-govuk-service-navigation-init]")).to_have_count(1)
    fetched = page.evaluate(MODULES)
    names = [name for name, *_ in fetched]
    assert sorted(names) == sorted(set(names)), "each module is fetched once"
    times = {name: (asked, had) for name, asked, had in fetched}
    app_arrived = times.pop("app.js")[1]
    assert set(times) == {"govuk-frontend.min.js", "conditional-reveal.js", "timeout-warning.js"}
    # Asked for by the <link rel="modulepreload"> in the head, beside app.js: an `import`
    # alone is found only once app.js has arrived.
    for name, (asked, _) in times.items():
        assert asked < app_arrived, (name, asked, app_arrived)


def test_without_javascript_the_page_is_whole(pages, live_standard):
    page = pages.new_page(javascript=False)
    page.goto("/standard/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(page.get_by_role("link", name="Councils")).to_be_visible()


def test_the_timeout_warning_counts_from_when_the_session_was_last_saved(
    page, settings, live_standard, coventry_lead
):
    """A page within the minute does not move the session's end on, so the warning opens
    when the session's real end draws near, not a whole session after the page loaded."""
    settings.SESSION_COOKIE_AGE = 60
    settings.SESSION_WARNING_SECONDS = 17
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    session = Session.objects.get()
    data = session.get_decoded()
    data[TOUCHED] = int(time.time()) - 40  # saved 40 seconds ago: 20 left
    Session.objects.filter(pk=session.pk).update(
        session_data=SessionStore().encode(data),
        expire_date=timezone.now() + timedelta(seconds=20),
    )

    page.goto("/account/")

    # 20 seconds left, warned 17 before: after 3 seconds, not 43.
    expect(page.get_by_role("alertdialog", name=HEADING)).to_be_visible(timeout=10_000)
    assert Session.objects.get().expire_date < timezone.now() + timedelta(seconds=21)
