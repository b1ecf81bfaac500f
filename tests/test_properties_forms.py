"""Every form, sent anything at all by the person who may use it (Hypothesis).

Whatever is sent, the answer is never a server error. A form that takes what was sent
saves it and moves on (a redirect); a form that refuses it says why, in an error summary
whose links lead to each field's error, shows back what was typed (never a password),
and writes nothing. The strategies, and how a refusal is judged, are in tests/properties.py.
Named tests beside each property keep the failures it found.
"""

import pytest
from django.urls import reverse

from assessments import services
from tests.conftest import PASSWORD
from tests.factories_services import ServiceFactory
from tests.properties import assert_refused_clearly


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


@pytest.fixture
def bins(coventry, standard):
    return ServiceFactory(council=coventry, name="Report a missed bin collection")


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
