"""GOV.UK's conditional reveals (docs/decisions/0019): a follow-up question appears under
the answer that needs it, and without JavaScript every question is shown and the form
works."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Invitation, Service, Sourcing
from tests.browser.conftest import assert_accessible
from tests.browser.test_emails import sign_in_as
from tests.factories_services import ProductFactory, SupplierFactory


@pytest.fixture
def draft(live_standard, coventry, coventry_lead):
    bins = Service.objects.create(
        council=coventry, name="Report a missed bin collection", phase="beta"
    )
    return services.start_assessment(bins, by=coventry_lead, phase="beta")


@pytest.fixture
def bartec_collective(transactional_db):
    return ProductFactory(supplier=SupplierFactory(name="Bartec"), name="Collective")


def reason(page):
    return page.get_by_label("Why does this point not apply at this phase?")


def product_fields(page):
    return [
        page.get_by_label("Product", exact=True),
        page.get_by_label("Supplier name"),
        page.get_by_label("Product name"),
    ]


def test_the_reason_appears_only_when_not_applicable_is_chosen(
    page, client, live_server, draft, coventry_lead
):
    sign_in_as(page, client, live_server, coventry_lead)
    page.goto(f"/councils/cov/assessments/{draft.pk}/points/6/")
    not_applicable = page.get_by_role("radio", name="Not applicable at this phase")
    expect(reason(page)).to_be_hidden()
    expect(not_applicable).to_have_attribute("aria-controls", "conditional-not-applicable")
    expect(not_applicable).not_to_have_attribute("aria-expanded", re.compile(".*"))

    not_applicable.check()
    expect(reason(page)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name=re.compile(r"^3 – ")).check()
    expect(reason(page)).to_be_hidden()
    not_applicable.check()
    reason(page).fill("Nothing is stored at beta.")
    page.get_by_role("button", name="Save and come back later").click()
    answer = draft.points.get(point__number=6)
    assert (answer.not_applicable, answer.not_applicable_reason) == (
        True,
        "Nothing is stored at beta.",
    )


def test_the_product_questions_appear_only_for_a_bought_service(
    page, client, live_server, coventry_lead, bartec_collective
):
    sign_in_as(page, client, live_server, coventry_lead)
    page.goto("/councils/cov/services/new/")
    for field in product_fields(page):
        expect(field).to_be_hidden()
    bought = page.get_by_role("radio", name="Bought from a supplier")
    expect(bought).to_have_attribute("aria-controls", "conditional-sourcing-bought")

    bought.check()
    for field in product_fields(page):
        expect(field).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Built in house").check()
    for field in product_fields(page):
        expect(field).to_be_hidden()


def test_the_council_or_peer_group_appears_by_the_invitations_role(
    page, client, live_server, coordinator, coventry
):
    sign_in_as(page, client, live_server, coordinator)
    page.goto("/invitations/new/")
    council, group = page.get_by_label("Council", exact=True), page.get_by_label("Peer group")
    expect(council).to_be_hidden()
    expect(group).to_be_hidden()

    for role in ["Council lead", "Council contributor"]:
        page.get_by_role("radio", name=role).check()
        expect(council).to_be_visible()
        expect(group).to_be_hidden()
    assert_accessible(page)
    page.get_by_role("radio", name="Peer reviewer").check()
    expect(council).to_be_hidden()
    expect(group).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Their work email address").fill("reviewer@leeds.example")
    group.select_option(label="Midlands")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("h1")).to_have_text("Invitations")
    assert Invitation.objects.get().peer_group.name == "Midlands"


def test_without_javascript_every_question_is_shown_and_the_forms_work(
    pages, client, live_server, draft, coventry_lead, coordinator, bartec_collective
):
    page = pages.new_page(javascript=False)
    sign_in_as(page, client, live_server, coventry_lead)

    page.goto(f"/councils/cov/assessments/{draft.pk}/points/6/")
    expect(reason(page)).to_be_visible()
    page.get_by_role("radio", name="Not applicable at this phase").check()
    reason(page).fill("Nothing is stored at beta.")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator("h1")).to_have_text("Assessment of Report a missed bin collection")
    assert draft.points.get(point__number=6).not_applicable_reason == "Nothing is stored at beta."

    page.goto("/councils/cov/services/new/")
    for field in product_fields(page):
        expect(field).to_be_visible()
    page.get_by_label("Service name").fill("Apply for a parking permit")
    page.get_by_role("radio", name="Alpha").check()
    page.get_by_role("radio", name="Bought from a supplier").check()
    page.get_by_label("Product", exact=True).select_option(label="Bartec – Collective")
    page.get_by_role("button", name="Save service").click()
    expect(page.locator("h1")).to_have_text("Apply for a parking permit")
    service = Service.objects.get(name="Apply for a parking permit")
    assert (service.sourcing, service.product) == (Sourcing.BOUGHT, bartec_collective)

    page.context.clear_cookies()
    sign_in_as(page, client, live_server, coordinator)
    page.goto("/invitations/new/")
    expect(page.get_by_label("Council", exact=True)).to_be_visible()
    expect(page.get_by_label("Peer group")).to_be_visible()
    page.get_by_label("Their work email address").fill("lead@coventry-two.example")
    page.get_by_role("radio", name="Council lead").check()
    page.get_by_label("Council", exact=True).select_option(label="Coventry City Council")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("h1")).to_have_text("Invitations")
    assert Invitation.objects.get().council == service.council
