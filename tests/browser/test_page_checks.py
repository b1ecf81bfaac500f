"""The checks every browser test gets miss no page: one left at once, one reached by a
form's redirect, and one drawn without JavaScript are all checked with axe and the Nu
HTML Checker."""

import pytest

from tests.browser.conftest import Redrawer, check_every_page


@pytest.fixture
def faulty_pages(settings, db):
    settings.ROOT_URLCONF = "tests.browser.pages_with_faults"


@pytest.fixture
def checked(browser, live_server, html_checker, faulty_pages):
    """Opens a page with the checks, and gives what they found when the test ends."""
    redrawer = Redrawer(browser, live_server.url)
    contexts = []

    def open_page(javascript=True):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        return page, check_every_page(page, html_checker, redrawer, javascript)

    yield open_page
    for context in contexts:
        context.close()
    redrawer.close()


def found(problems, address):
    """The kinds of problem found on the page at this address."""
    kinds = set()
    for problem in problems:
        if problem.startswith("axe found violations on") and address in problem:
            assert "image-alt" in problem
            kinds.add("axe")
        if problem.startswith("Invalid HTML on") and address in problem:
            kinds.add("html")
    return kinds


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_a_page_left_at_once_is_still_checked(checked, html_checker, javascript):
    page, problems = checked(javascript)
    page.goto("/faulty/", wait_until="commit")
    page.goto("/standard/")
    problems.finish()
    expected = {"axe", "html"} if html_checker else {"axe"}
    assert found(problems, "/faulty/") == expected


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_a_page_reached_by_a_forms_redirect_is_checked(checked, html_checker, javascript):
    page, problems = checked(javascript)
    page.goto("/faulty/")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/faulty/after-sending/")
    problems.finish()
    expected = {"axe", "html"} if html_checker else {"axe"}
    assert found(problems, "/faulty/after-sending/") == expected
    assert not [p for p in problems if "/standard/" in p]
