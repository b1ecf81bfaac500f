"""A member of the public reads the Standard from the start page to point 15."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


def test_reader_walks_from_the_start_page_through_every_point(page, live_standard):
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Assess, review and publish council digital services")
    assert_accessible(page)

    page.get_by_role("button", name="Read the Standard").click()
    expect(page).to_have_title(re.compile(r"^The Standard – "))
    assert_accessible(page)

    page.get_by_role("link", name="1. Understand user needs").click()
    for number in range(1, 16):
        expect(page).to_have_url(re.compile(rf"/standard/{number}/$"))
        expect(page.locator(".govuk-caption-xl")).to_have_text(f"Point {number} of 15")
        expect(page.get_by_role("heading", name="Why it matters")).to_be_visible()
        assert_accessible(page)
        if number < 15:
            page.get_by_role("link", name=re.compile(r"^Next point")).click()

    expect(page.get_by_role("link", name=re.compile(r"^Next point"))).to_have_count(0)


def test_service_navigation_menu_works_by_keyboard_on_a_small_screen(page, live_standard):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="The Standard", exact=True)).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    nav_link = page.get_by_role("link", name="The Standard", exact=True)
    expect(nav_link).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
