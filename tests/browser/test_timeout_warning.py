"""The warning before a session ends: seen, heard, worked by keyboard; and when time runs
out, what the person typed is waiting for them after they sign in again.

Sessions here last seconds, not two hours (pytest-django's `settings` reaches the live server).
"""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from assessments import services
from assessments.models import Service
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

HEADING = "You’re about to be signed out"


@pytest.fixture
def draft(live_standard, coventry, coventry_lead):
    bins = Service.objects.create(council=coventry, name="Report a missed bin", phase="beta")
    return services.start_assessment(bins, by=coventry_lead, phase="beta")


def sign_in(page, next_page=""):
    page.goto(f"/sign-in/?next={next_page}" if next_page else "/sign-in/")
    page.get_by_label("Email address").fill("lead@coventry.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def session_ends_at():
    return Session.objects.get().expire_date


def moved_on(before, seconds=5):
    """Whether the session's end moves past `before` within a few seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if session_ends_at() > before:
            return True
        time.sleep(0.1)
    return False


def test_the_warning_appears_works_by_keyboard_and_staying_signed_in_extends_the_session(
    page, settings, coventry_lead
):
    settings.SESSION_COOKIE_AGE = 20
    settings.SESSION_WARNING_SECONDS = 17  # the warning opens 3 seconds after a page loads
    sign_in(page)
    expect(page.locator("h1")).to_have_text("Your work")
    dialog = page.get_by_role("alertdialog", name=HEADING)

    expect(dialog).to_be_visible(timeout=8_000)
    expect(dialog).to_have_accessible_description(
        re.compile(r"we will sign you out in \d+ seconds")
    )
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Sign out")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(stay).to_be_focused()

    before = session_ends_at()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()  # closed once the server answered
    assert moved_on(before), "Stay signed in moved the session's end on"

    # It comes back before the new end; Escape also means "stay signed in".
    expect(dialog).to_be_visible(timeout=8_000)
    before = session_ends_at()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert moved_on(before)
    page.reload()
    expect(page.locator("h1")).to_have_text("Your work")  # still signed in


@pytest.mark.not_routed
def test_when_time_runs_out_they_are_signed_out_and_what_they_typed_waits_for_them(
    page, settings, draft, coventry_lead
):
    settings.SESSION_COOKIE_AGE = 8
    settings.SESSION_WARNING_SECONDS = 6
    point = f"/councils/cov/assessments/{draft.pk}/points/1/"
    sign_in(page, point)
    expect(page).to_have_url(re.compile(re.escape(point) + "$"))
    page.get_by_label("Evidence", exact=True).fill("Typed before a long lunch.")

    expect(page.get_by_role("alertdialog", name=HEADING)).to_be_visible(timeout=8_000)
    expect(page).to_have_url(re.compile(r"/sign-in/\?next="), timeout=15_000)
    expect(page.get_by_text("For your security, we signed you out")).to_be_visible()
    assert draft.points.get(point__number=1).evidence == ""

    settings.SESSION_COOKIE_AGE = 7200  # long enough to look at the page
    page.get_by_label("Email address").fill("lead@coventry.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(re.escape(point) + "$"))
    expect(page.get_by_text("Your changes have not been saved yet")).to_be_visible()
    expect(page.get_by_label("Evidence", exact=True)).to_have_value("Typed before a long lunch.")
    assert_accessible(page)
    assert draft.points.get(point__number=1).evidence == ""
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("Point 1 saved")).to_be_visible()
    assert draft.points.get(point__number=1).evidence == "Typed before a long lunch."


def test_without_javascript_no_warning_appears(pages, settings, coventry_lead):
    settings.SESSION_COOKIE_AGE = 20
    settings.SESSION_WARNING_SECONDS = 19
    page = pages.new_page(javascript=False)
    sign_in(page)
    expect(page.locator("h1")).to_have_text("Your work")
    page.wait_for_timeout(2_000)
    expect(page.locator("dialog")).to_be_hidden()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
