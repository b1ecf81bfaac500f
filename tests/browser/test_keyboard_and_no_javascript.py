"""Everything works by keyboard alone, and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Service, Status
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


def test_a_point_with_several_links_is_saved_without_javascript(pages, draft, coventry_lead):
    page = pages.new_page(javascript=False)
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


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_after_add_another_link_by_keyboard_the_new_rows_title_has_focus(
    pages, draft, coventry_lead, javascript
):
    page = pages.new_page(javascript=javascript)
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


@pytest.fixture
def all_but_point_1(draft, coventry_lead):
    """The draft with every point but the first scored with evidence."""
    for answer in draft.points.exclude(point__number=1):
        services.save_point(
            answer,
            by=coventry_lead,
            revision=0,
            score=3,
            not_applicable=False,
            reason="",
            evidence="Done.",
            links=[],
        )
    return draft


def tab_to(page, name, locator):
    """Tab until `name` has focus, and check it is the element meant."""
    press_tab_until(page, name)
    expect(locator).to_be_focused()


def test_the_whole_journey_by_keyboard_alone(page, all_but_point_1, coventry_lead):
    """Score a point, preview its evidence, add a link, change the answer from check
    answers and submit, with Tab, Shift+Tab, Enter and Space only: no mouse."""
    draft = all_but_point_1
    page.goto("/sign-in/")
    tab_to(page, r"^Email address$", page.get_by_label("Email address"))
    page.keyboard.type("lead@coventry.example")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your work")

    service = page.get_by_role("link", name="Report a missed bin collection")
    tab_to(page, r"^Report a missed bin collection$", service)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Assessment of Report a missed bin collection")
    tab_to(page, r"^1\. Understand user needs$", page.get_by_role("link", name=re.compile("^1\\.")))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Understand user needs")

    # Score: Tab reaches the first radio of the group, and Space chooses it.
    nothing = page.get_by_role("radio", name=re.compile(r"^0 – "))
    tab_to(page, r"^0 – Nothing in place$", nothing)
    page.keyboard.press("Space")
    expect(nothing).to_be_checked()
    evidence = page.get_by_label("Evidence", exact=True)
    tab_to(page, r"^Evidence$", evidence)
    page.keyboard.type("We **interviewed** 12 residents.")

    # Preview: the page comes back with the evidence drawn and everything kept.
    tab_to(page, r"^Preview", page.get_by_role("button", name="Preview the evidence"))
    page.keyboard.press("Enter")
    expect(page.locator("#evidence-preview strong")).to_have_text("interviewed")
    expect(evidence).to_have_value("We **interviewed** 12 residents.")
    expect(nothing).to_be_checked()

    # Links: the first row, then "Add another link", whose new row's title has the focus.
    tab_to(page, r"^Title\s+of link 1$", page.get_by_label("Title of link 1"))
    page.keyboard.type("Research")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Address of link 1")).to_be_focused()
    page.keyboard.type("https://www.coventry.gov.uk/research")
    tab_to(page, r"^Add another link$", page.get_by_role("button", name="Add another link"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Title of link 2")).to_be_focused()
    page.keyboard.type("Survey")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Address of link 2")).to_be_focused()
    page.keyboard.type("https://www.coventry.gov.uk/survey")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_label("Title of link 2")).to_be_focused()
    tab_to(page, r"^Save and continue$", page.get_by_role("button", name="Save and continue"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/points/2/$"))

    # Check answers, and change the first point's answer from there.
    tab_to(page, r"^Back to the list of points$", page.get_by_role("link", name="Back to the list"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Assessment of Report a missed bin collection")
    check = page.get_by_role("link", name="Check your answers and submit for peer review")
    tab_to(page, r"^Check your answers and submit", check)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Check your answers before submitting")
    change = page.get_by_role("link", name=re.compile(r"^Change\s+point 1, "))
    tab_to(page, r"^Change\s+point 1, ", change)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Understand user needs")
    title = page.get_by_label("Title of link 2")
    tab_to(page, r"^Title\s+of link 2$", title)
    page.keyboard.type("Resident survey")  # Tab into a field selects its text: typed over
    expect(title).to_have_value("Resident survey")
    tab_to(page, r"^Save and continue$", page.get_by_role("button", name="Save and continue"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/check/$"))
    expect(page.get_by_role("link", name="Resident survey")).to_be_visible()

    submit = page.get_by_role("button", name="Submit for peer review")
    tab_to(page, r"^Submit for peer review$", submit)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Assessment submitted for peer review")

    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    answer = draft.points.get(point__number=1)
    assert (answer.score, answer.evidence) == (0, "We **interviewed** 12 residents.")
    assert [link.title for link in answer.links.all()] == ["Research", "Resident survey"]


def test_the_whole_journey_without_javascript(pages, all_but_point_1, coventry_lead):
    """The same journey in a browser that runs no JavaScript."""
    draft = all_but_point_1
    page = pages.new_page(javascript=False)
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill("lead@coventry.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Report a missed bin collection").click()
    page.get_by_role("link", name="1. Understand user needs").click()

    page.get_by_role("radio", name=re.compile(r"^4 – ")).check()
    page.get_by_label("Evidence", exact=True).fill("We **interviewed** 12 residents.")
    page.get_by_role("button", name="Preview the evidence").click()
    expect(page.locator("#evidence-preview strong")).to_have_text("interviewed")
    expect(page.get_by_role("radio", name=re.compile(r"^4 – "))).to_be_checked()
    page.get_by_label("Title of link 1").fill("Research")
    page.get_by_label("Address of link 1").fill("https://www.coventry.gov.uk/research")
    page.get_by_role("button", name="Add another link").click()
    page.get_by_label("Title of link 2").fill("Survey")
    page.get_by_label("Address of link 2").fill("https://www.coventry.gov.uk/survey")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/points/2/$"))

    page.get_by_role("link", name="Back to the list of points").click()
    page.get_by_role("link", name="Check your answers and submit for peer review").click()
    page.get_by_role("link", name=re.compile(r"^Change\s+point 1, ")).click()
    page.get_by_label("Title of link 2").fill("Resident survey")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/check/$"))
    expect(page.get_by_role("link", name="Resident survey")).to_be_visible()
    page.get_by_role("button", name="Submit for peer review").click()
    expect(page.locator("h1")).to_have_text("Assessment submitted for peer review")

    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    answer = draft.points.get(point__number=1)
    assert (answer.score, answer.evidence) == (4, "We **interviewed** 12 residents.")
    assert [link.title for link in answer.links.all()] == ["Research", "Resident survey"]
