"""Everything works by keyboard alone, and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Service
from tests.conftest import PASSWORD


@pytest.fixture
def draft(live_standard, coventry, coventry_lead):
    bins = Service.objects.create(
        council=coventry, name="Report a missed bin collection", phase="beta"
    )
    return services.start_assessment(bins, by=coventry_lead, phase="beta")


def press_tab_until(page, name, limit=80):
    """Tab through the page until the element with this accessible name has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText || e.value || '').trim(); }"
        )
        if re.search(name, focused):
            return
    raise AssertionError(f"Could not reach {name!r} with the Tab key")


def test_a_point_is_answered_with_the_keyboard_alone(page, draft, coventry_lead):
    page.goto("/sign-in/")
    press_tab_until(page, r"^Email address$")
    page.keyboard.type("lead@coventry.example")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your work")

    page.goto(f"/councils/cov/assessments/{draft.pk}/")
    press_tab_until(page, r"^1\. Understand user needs$")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Understand user needs")

    press_tab_until(page, r"^0 – Nothing in place$")
    for _ in range(4):  # arrow keys move through a radio group
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name=re.compile(r"^4 – "))).to_be_checked()
    press_tab_until(page, r"^Evidence$")
    page.keyboard.type("Typed without a mouse.")
    press_tab_until(page, r"^Save and come back later$")
    page.keyboard.press("Enter")

    expect(page.get_by_text("1 of 15 points completed.")).to_be_visible()
    answer = draft.points.get(point__number=1)
    assert (answer.score, answer.evidence) == (4, "Typed without a mouse.")


def test_a_point_with_several_links_is_saved_without_javascript(
    browser, live_server, draft, coventry_lead
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill("lead@coventry.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"/councils/cov/assessments/{draft.pk}/points/13/")
    page.get_by_role("radio", name=re.compile(r"^3 – ")).check()
    page.get_by_label("Evidence", exact=True).fill("We publish **four** indicators.")
    page.get_by_role("button", name="Preview the evidence").click()
    expect(page.locator("#evidence-preview strong")).to_have_text("four")
    page.get_by_label("Title of link 1").fill("Dashboard")
    page.get_by_label("Address of link 1").fill("https://data.example/bins")
    page.get_by_role("button", name="Add another link").click()

    # The page came back from the server with a second row and everything kept.
    expect(page.get_by_label("Evidence", exact=True)).to_have_value(
        "We publish **four** indicators."
    )
    expect(page.get_by_role("radio", name=re.compile(r"^3 – "))).to_be_checked()
    page.get_by_label("Title of link 2").fill("Annual report")
    page.get_by_label("Address of link 2").fill("https://data.example/report")
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_url(re.compile(r"/points/14/$"))
    answer = draft.points.get(point__number=13)
    assert [link.title for link in answer.links.all()] == ["Dashboard", "Annual report"]
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_after_add_another_link_by_keyboard_the_new_rows_title_has_focus(
    browser, live_server, draft, coventry_lead, javascript
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    page = context.new_page()
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill("lead@coventry.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/councils/cov/assessments/{draft.pk}/points/13/")
    page.get_by_label("Title of link 1").fill("Dashboard")
    page.get_by_label("Address of link 1").fill("https://data.example/bins")

    press_tab_until(page, r"^Add another link$")
    page.keyboard.press("Enter")

    expect(page.get_by_label("Title of link 2")).to_be_focused()
    page.keyboard.type("Annual report")
    expect(page.get_by_label("Title of link 2")).to_have_value("Annual report")
    context.close()
