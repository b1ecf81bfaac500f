"""Every form, sent anything at all by the person who may use it (Hypothesis).

Whatever is sent, the answer is never a server error. A form that takes what was sent
saves it and moves on (a redirect); a form that refuses it says why, in an error summary
whose links lead to each field's error, shows back what was typed (never a password),
and writes nothing. The strategies, and how a refusal is judged, are in tests/properties.py.
Named tests beside each property keep the failures it found.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments import services
from tests.conftest import PASSWORD
from tests.factories_services import ProductFactory, ServiceFactory
from tests.properties import assert_refused_clearly


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


@pytest.fixture
def bins(coventry, standard):
    return ServiceFactory(council=coventry, name="Report a missed bin collection")


@pytest.fixture
def product(db):
    return ProductFactory()


@pytest.fixture
def draft(bins, coventry_lead):
    return services.start_assessment(bins, by=coventry_lead, phase="beta")


@pytest.mark.parametrize("rows", ["²", "9" * 5_000, "٣"])
def test_adding_a_link_row_to_a_tampered_count_is_refused_not_a_server_error(
    client_for, coventry_lead, draft, rows
):
    """Found by the point form's property: "²" is a digit to str.isdigit() but not to int(), and
    int() refuses more than 4,300 digits; both were a 500 on "Add another link"."""
    data = {
        "answer": "3",
        "evidence": "",
        "not_applicable_reason": "",
        "revision": "0",
        "action": "add_link",
        "links-TOTAL_FORMS": rows,
        "links-INITIAL_FORMS": "0",
    }
    response = client_for(coventry_lead).post(url("edit_point", "cov", draft.pk, 1), data)
    assert response.status_code == 200


@pytest.mark.parametrize("revision", ["", "abc", "-1", "9" * 5_000, "1\x00"])
def test_a_point_sent_with_a_revision_that_is_not_ours_shows_what_is_saved(
    client_for, coventry_lead, draft, revision
):
    """Found by the point form's property: the revision is a hidden field, so refusing it
    refused the form with no error to see. Now it is an edit conflict, as for a service."""
    data = {
        "answer": "3",
        "evidence": "We ran 12 interviews.",
        "not_applicable_reason": "",
        "revision": revision,
        "action": "later",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
    }
    response = client_for(coventry_lead).post(url("edit_point", "cov", draft.pk, 1), data)
    assert_refused_clearly(response, typed=["We ran 12 interviews."])
    assert 'href="#their-version"' in response.content.decode()
    assert draft.points.get(point__number=1).revision == 0, "nothing saved"


@pytest.mark.parametrize("revision", ["1\x00", "9" * 5_000])
def test_a_service_sent_with_a_revision_that_is_not_ours_shows_what_is_saved(
    client_for, coventry_lead, bins, revision
):
    """Found by the service form's property: a NUL in the hidden revision refused the form
    (Django refuses NUL in text fields) with no error to see."""
    data = {
        "name": "Report a missed bin",
        "phase": "beta",
        "sourcing": "in_house",
        "revision": revision,
    }
    response = client_for(coventry_lead).post(url("edit_service", "cov", bins.pk), data)
    assert_refused_clearly(response, typed=["Report a missed bin"])
    assert 'href="#saved-service"' in response.content.decode()
    bins.refresh_from_db()
    assert (bins.name, bins.revision) == ("Report a missed bin collection", 0)


def test_an_answer_that_is_not_one_of_the_choices_is_refused_at_the_radios(
    client_for, coventry_lead, draft
):
    """Found by the point form's property: the error summary linked to the radios, which
    showed no error, and the message was Django's ("Select a valid choice. 6 is not…")."""
    data = {
        "answer": "6",
        "evidence": "",
        "not_applicable_reason": "",
        "revision": "0",
        "action": "later",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
    }
    response = client_for(coventry_lead).post(url("edit_point", "cov", draft.pk, 1), data)
    assert_refused_clearly(response)
    html = response.content.decode()
    message = "Select a score from 0 to 5, or not applicable at this phase"
    assert html.count(message) == 2, "in the summary and at the radios"
    assert draft.points.get(point__number=1).revision == 0


@pytest.mark.parametrize("next_page", ["0", "account", "standard:point_list", "../account/"])
def test_signing_in_to_return_to_something_that_is_not_a_path_lands_on_the_account(
    client, coventry_lead, next_page
):
    """Found by the sign-in property: redirect() takes a word without a slash or a dot
    for the name of a URL, so signing in with next=0 was a server error."""
    response = client.post(
        url("sign_in"), {"email": "lead@coventry.example", "password": PASSWORD, "next": next_page}
    )
    assert response["Location"] == url("account")


# --- limits: said in each field's hint, and in the error when one is passed --------------------

POINT = {
    "answer": "3",
    "evidence": "",
    "not_applicable_reason": "",
    "revision": "0",
    "action": "later",
    "links-TOTAL_FORMS": "1",
    "links-INITIAL_FORMS": "0",
    "links-0-title": "Report",
    "links-0-url": "https://example.com/report",
}
SERVICE = {"name": "Report a missed bin", "phase": "beta", "sourcing": "in_house"}
BOUGHT = {**SERVICE, "sourcing": "bought", "product": "not-listed"}
BOUGHT |= {"suggested_supplier": "Bartec", "suggested_product": "Collective"}
SIGN_UP = {"adopted_on_0": "7", "adopted_on_1": "4", "adopted_on_2": "2020", "sponsor_role": "CEO"}
ACCEPT = {"full_name": "Nia", "new_password1": PASSWORD * 2, "new_password2": PASSWORD * 2}

# (what, the field, its limit, where its hint is, the form it is in: its page and answers)
LIMITED = [
    ("service name", "name", 150, "id_name_hint", "add a service", SERVICE),
    ("description", "description", 2_000, "id_description-info", "add a service", SERVICE),
    ("web address", "url", 500, "id_url_hint", "add a service", SERVICE),
    ("service owner", "owner", 150, "id_owner_hint", "add a service", SERVICE),
    ("supplier", "suggested_supplier", 150, "id_suggested_supplier_hint", "add a service", BOUGHT),
    ("product", "suggested_product", 150, "id_suggested_product_hint", "add a service", BOUGHT),
    ("evidence", "evidence", 20_000, "evidence-hint", "a point", POINT),
    ("reason", "not_applicable_reason", 2_000, "not-applicable-reason-hint", "a point", POINT),
    ("link title", "links-0-title", 200, "links-hint", "a point", POINT),
    ("link address", "links-0-url", 1_000, "links-hint", "a point", POINT),
    ("withdrawal reason", "reason", 2_000, "id_reason_hint", "withdraw", {}),
    ("sponsor's role", "sponsor_role", 150, "id_sponsor_role_hint", "sign up", SIGN_UP),
    ("full name", "full_name", 150, "id_full_name_hint", "accept", ACCEPT),
]


@pytest.fixture
def form_pages(coventry, coventry_lead, draft, product, client_for):
    assessment = services.start_assessment(
        ServiceFactory(council=coventry), by=coventry_lead, phase="beta"
    )
    assessment.points.update(score=3)
    services.submit(assessment, by=coventry_lead)
    invitation = services.invite(
        by=coventry_lead, email="new@coventry.example", role="contributor", council=coventry
    )
    lead = client_for(coventry_lead)
    return {
        "add a service": (lead, url("add_service", "cov")),
        "a point": (lead, url("edit_point", "cov", draft.pk, 1)),
        "withdraw": (lead, url("withdraw_assessment", "cov", assessment.pk)),
        "sign up": (lead, url("record_adoption", "cov")),
        "accept": (Client(), url("accept_invitation", invitation.issue_token())),
    }


@pytest.mark.parametrize(
    ("name", "field", "limit", "hint", "form", "answers"), LIMITED, ids=[row[0] for row in LIMITED]
)
def test_a_limit_is_said_in_the_hint_and_in_the_error_when_passed(
    form_pages, name, field, limit, hint, form, answers
):
    client, address = form_pages[form]
    hints = re.findall(rf'id="{hint}"[^>]*>(.*?)</', client.get(address).content.decode(), re.S)
    assert re.search(rf"up to ({limit:,}|{limit}) characters", " ".join(hints[0].split()), re.I)
    too_long = "x" * (limit + 1)
    if field.endswith("url"):
        too_long = "https://example.com/" + "x" * limit
    response = client.post(address, {**answers, field: too_long})
    assert_refused_clearly(response, typed=[too_long])
    assert f"must be {limit:,} characters or fewer" in response.content.decode()


def test_a_link_title_that_is_too_long_gets_one_error_not_two(client_for, coventry_lead, draft):
    """Found by the point form's property: a title refused for its length was also said to
    be missing ("Enter a title for the link")."""
    address = url("edit_point", "cov", draft.pk, 1)
    response = client_for(coventry_lead).post(address, {**POINT, "links-0-title": "x" * 201})
    html = response.content.decode()
    assert "Link 1: The title must be 200 characters or fewer" in html
    assert "Enter a title for the link" not in html


def test_an_email_address_longer_than_any_can_be_is_in_the_wrong_format(client_for, coventry_lead):
    address = "a" * 250 + "@coventry.example"
    response = client_for(coventry_lead).post(
        url("invite_member", "cov"), {"email": address, "role": "contributor"}
    )
    assert_refused_clearly(response, typed=[address])
    assert "Enter an email address in the correct format" in response.content.decode()
