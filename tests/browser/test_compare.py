"""A visitor compares three demo councils, typing to find them (accessible-autocomplete)
and without JavaScript (the select boxes), and reads a council's figures against its peers.
Every page on the way is checked by axe and the Nu HTML Checker."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

CHOSEN = [
    ("Cov", "Coventry City Council"),
    ("Leeds", "Leeds City Council"),
    ("Cardiff", "City of Cardiff Council"),
]
ADDRESS = re.compile(r"/compare/\?councils=cov,lds,crf$")


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEMO_DATA = True
    call_command("load_demo_data", verbosity=0)


def read_comparison(page):
    expect(page.locator("h1")).to_have_text("Compare councils")
    expect(page.get_by_role("heading", name="Point by point")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Average score on each point"))).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Average score on each point: the figures"))
    header = table.get_by_role("row").first
    expect(header).to_contain_text("Coventry")
    expect(header).to_contain_text("Leeds")
    expect(header).to_contain_text("Cardiff")
    expect(table.get_by_role("row")).to_have_count(16)  # a heading row and 15 points
    expect(page.get_by_role("heading", name="Coventry City Council")).to_be_visible()
    expect(page.get_by_role("link", name="Download these figures (CSV)")).to_be_visible()


def test_a_visitor_types_to_find_three_councils_and_compares_them(page, demo):
    page.goto("/compare/")
    for number, ((typed, name), ordinal) in enumerate(
        zip(CHOSEN, ["First", "Second", "Third"], strict=True)
    ):
        box = page.get_by_role("combobox", name=f"{ordinal} council")
        box.fill(typed)
        options = page.locator(f"#councils-{number + 1}__listbox").get_by_role("option")
        expect(options.filter(has_text=name)).to_have_count(1)
        if number == 0:
            assert_accessible(page)  # with the list of suggestions open
        options.filter(has_text=name).click()
        expect(box).to_have_value(name)
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(ADDRESS)
    read_comparison(page)
    # The choice comes back in the boxes, to change it.
    expect(page.get_by_role("combobox", name="Second council")).to_have_value("Leeds City Council")
    assert_accessible(page)


def test_without_javascript_the_councils_are_chosen_from_the_select_boxes(pages, demo):
    # axe cannot run where scripts are off: every page is checked when the test ends, drawn
    # again as the server sent it (tests/browser/conftest.py).
    page = pages.new_page(javascript=False)
    page.goto("/compare/")
    page.get_by_role("button", name="Compare").click()  # nothing chosen: an error
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose at least 2 councils to compare"
    )
    for (_, name), ordinal in zip(CHOSEN, ["First", "Second", "Third"], strict=True):
        page.get_by_label(f"{ordinal} council").select_option(label=name)
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(ADDRESS)
    read_comparison(page)


def test_a_visitor_reads_a_councils_figures_against_its_peers(page, demo):
    page.goto("/councils/cov/")
    expect(page.get_by_role("heading", name="Coventry against its peers")).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Average score on each point, peer reviewed"))
    expect(chart).to_be_visible()
    table = page.get_by_role(
        "table", name=re.compile("Average score on each point, peer reviewed assessments: the")
    )
    expect(table.get_by_role("row").first).to_contain_text("Same type: Metropolitan district")
    expect(table.get_by_role("row").nth(1)).to_contain_text("1. ")
    expect(
        page.get_by_text(re.compile(r"Coventry: \d+ assessments?, Standard version"))
    ).not_to_have_count(0)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures (CSV)").click()
    assert download.value.path().read_text(encoding="utf-8").startswith("review_type,point_number")
