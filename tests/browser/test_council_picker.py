"""A coordinator finds a council among hundreds by typing a few letters; without
JavaScript the drop-down still works."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Invitation
from tests.browser.conftest import assert_accessible
from tests.browser.test_emails import sign_in_as
from tests.factories import CouncilFactory


@pytest.fixture
def councils(transactional_db):
    for short, official in [
        ("Birmingham", "Birmingham City Council"),
        ("Bristol", "Bristol City Council"),
        ("Chorley", "Chorley Council"),
        ("Greenwich", "Royal Borough of Greenwich"),
    ]:
        CouncilFactory(short_name=short, official_name=official)


def test_coordinator_types_a_few_letters_and_chooses_a_council(
    page, client, live_server, councils, coordinator
):
    sign_in_as(page, client, live_server, coordinator)
    page.goto("/invitations/new/")
    page.get_by_label("Their work email address").fill("head.of.digital@bristol.example")
    page.get_by_role("radio", name="Council lead").check()
    picker = page.get_by_role("combobox", name="Council")
    picker.fill("Bri")
    # The component's list of suggestions (the peer group drop-down has options too).
    options = page.locator("#id_council__listbox").get_by_role("option")
    expect(options).to_have_text(["Bristol City Council"])
    assert_accessible(page)
    options.first.click()
    expect(picker).to_have_value("Bristol City Council")
    page.get_by_role("button", name="Send invitation").click()

    expect(page.locator("h1")).to_have_text("Invitations")
    invitation = Invitation.objects.get(email="head.of.digital@bristol.example")
    assert invitation.council.short_name == "Bristol"


def test_a_missing_council_is_explained_on_the_typed_in_field(
    page, client, live_server, councils, coordinator
):
    sign_in_as(page, client, live_server, coordinator)
    page.goto("/invitations/new/")
    page.get_by_label("Their work email address").fill("someone@chorley.example")
    page.get_by_role("radio", name="Council lead").check()
    page.get_by_role("button", name="Send invitation").click()
    picker = page.get_by_role("combobox", name="Council")
    expect(picker).to_have_accessible_description(
        re.compile("Choose the council you are inviting them to")
    )
    assert_accessible(page)


def test_without_javascript_the_council_is_chosen_from_the_drop_down(
    pages, live_server, client, councils, coordinator
):
    page = pages.new_page(javascript=False)
    sign_in_as(page, client, live_server, coordinator)
    page.goto("/invitations/new/")
    page.get_by_label("Their work email address").fill("lead@chorley.example")
    page.get_by_role("radio", name="Council lead").check()
    page.get_by_label("Council", exact=True).select_option(label="Chorley Council")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("h1")).to_have_text("Invitations")
    assert Invitation.objects.get(email="lead@chorley.example").council.short_name == "Chorley"
