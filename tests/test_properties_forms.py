"""Every form, sent anything at all by the person who may use it (Hypothesis).

Whatever is sent, the answer is never a server error. A form that takes what was sent
saves it and moves on (a redirect); a form that refuses it says why, in an error summary
whose links lead to each field's error, shows back what was typed (never a password),
and writes nothing. The strategies, and how a refusal is judged, are in tests/properties.py.
Named tests beside each property keep the failures it found.
"""

import re
from datetime import date

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import given
from hypothesis import strategies as st

from assessments import services
from assessments.forms.assessments import EVIDENCE_LIMIT, LINK_LIMIT, REASON_LIMIT
from assessments.models import Council, Invitation, InvitationRole, Service, User
from tests.conftest import PASSWORD
from tests.factories_services import ProductFactory, ServiceFactory
from tests.properties import (
    assert_refused_clearly,
    choice,
    fingerprint,
    numbers,
    raw_bytes,
    raw_query,
    rolled_back,
    text,
    typed,
)

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"
ADDRESSES = ["https://www.coventry.gov.uk/bins", "http://example.com/a?b=c#d", "example.com"]
# Forms filled in correctly, for the named tests to change one field of.
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


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


def sent(client, address, data, check, *, typed_back=(), passwords=()):
    """POST `data`; a refusal must be clear and change nothing. Returns the response.

    `check(response)` is called when the form took the data."""
    before = fingerprint()
    response = client.post(address, data)
    if response.status_code == 302:
        check(response)
    else:
        assert_refused_clearly(response, typed=typed_back, not_echoed=passwords)
        assert fingerprint() == before, "a refused form wrote something"
    return response


@pytest.fixture
def bins(coventry, standard):
    return ServiceFactory(council=coventry, name="Report a missed bin collection")


# --- a point of an assessment --------------------------------------------------------


@st.composite
def point_form(draw):
    """The point form: an answer, evidence, a reason, the revision it was opened at,
    the links formset (its management numbers and rows) and the button pressed."""
    rows = draw(
        st.lists(
            st.tuples(typed(200, "User research report"), typed(1000, *ADDRESSES)),
            max_size=LINK_LIMIT + 2,
        )
    )
    data = {
        "answer": draw(choice("0", "1", "2", "3", "4", "5", "na", "")),
        "evidence": draw(typed(EVIDENCE_LIMIT, "We ran **12** interviews.")),
        "not_applicable_reason": draw(typed(REASON_LIMIT, "", "It has no users yet")),
        "revision": draw(st.one_of(st.just("0"), numbers)),
        "action": draw(choice("continue", "later", "add_link")),
        "links-TOTAL_FORMS": draw(st.one_of(st.just(str(len(rows))), numbers)),
        "links-INITIAL_FORMS": draw(st.one_of(st.just("0"), numbers)),
    }
    if draw(st.booleans()):
        data["replacing"] = draw(text)
    for number, (title, address) in enumerate(rows):
        data[f"links-{number}-title"] = title
        data[f"links-{number}-url"] = address
    return data


@pytest.fixture
def draft(bins, coventry_lead):
    return services.start_assessment(bins, by=coventry_lead, phase="beta")


@given(data=point_form())
def test_the_point_form_saves_or_refuses_clearly(client_for, coventry_lead, draft, data):
    lead = client_for(coventry_lead)
    address = url("edit_point", "cov", draft.pk, 1)
    titles = [value for name, value in data.items() if name.endswith("-title")]
    if (data["links-TOTAL_FORMS"], data["links-INITIAL_FORMS"]) != (str(len(titles)), "0"):
        titles = []  # a tampered count: the rows cannot be read back
    titles = titles[: LINK_LIMIT + 1]  # the formset reads no more rows than this
    with rolled_back():
        if data["action"] == "add_link":
            # Adds a row to the form, keeping what was typed; never saves.
            before = fingerprint()
            response = lead.post(address, data)
            assert response.status_code == 200
            assert fingerprint() == before
            return

        def saved(response):
            assert draft.points.get(point__number=1).evidence == data["evidence"].strip()

        sent(
            lead,
            address,
            data,
            saved,
            typed_back=[data["evidence"], data["not_applicable_reason"], *titles],
        )


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


def test_a_link_title_that_is_too_long_gets_one_error_not_two(client_for, coventry_lead, draft):
    """Found by the point form's property: a title refused for its length was also said to
    be missing ("Enter a title for the link")."""
    address = url("edit_point", "cov", draft.pk, 1)
    response = client_for(coventry_lead).post(address, {**POINT, "links-0-title": "x" * 201})
    html = response.content.decode()
    assert "Link 1: The title must be 200 characters or fewer" in html
    assert "Enter a title for the link" not in html


# --- starting an assessment ------------------------------------------------------------


@pytest.fixture
def reassessed(bins, coventry_lead):
    """A service with a finished assessment, so that starting asks how to start."""
    assessment = services.start_assessment(bins, by=coventry_lead, phase="beta")
    assessment.points.update(score=3, evidence="We ran 12 interviews.")
    services.submit(assessment, by=coventry_lead)
    services.withdraw(assessment, by=coventry_lead, reason="Start again")
    return bins


@given(phase=choice("discovery", "alpha", "beta", "live"), start=choice("previous", "blank"))
def test_starting_an_assessment_starts_it_or_refuses_clearly(
    client_for, coventry_lead, reassessed, phase, start
):
    with rolled_back():
        sent(
            client_for(coventry_lead),
            url("start_assessment", "cov", reassessed.pk),
            {"phase": phase, "start_from": start},
            lambda response: reassessed.assessments.get(status="draft"),
        )


# --- a service ---------------------------------------------------------------------------


@st.composite
def service_form(draw, product):
    return {
        "name": draw(typed(150, "Pay for a parking permit")),
        "description": draw(typed(2000, "", "Residents apply for permits.")),
        "url": draw(typed(500, "", *ADDRESSES)),
        "phase": draw(choice("discovery", "alpha", "beta", "live")),
        "owner": draw(typed(150, "", "Head of Parking")),
        "sourcing": draw(choice("in_house", "bought")),
        "product": draw(choice("", "not-listed", str(product.pk))),
        "suggested_supplier": draw(typed(150, "", "Bartec")),
        "suggested_product": draw(typed(150, "", "Collective")),
    }


@pytest.fixture
def product(db):
    return ProductFactory()


TYPED_INTO_A_SERVICE = ["name", "description", "url", "owner"]


@given(data=st.data())
def test_adding_a_service_adds_it_or_refuses_clearly(
    client_for, coventry_lead, coventry, product, data
):
    answers = data.draw(service_form(product))
    with rolled_back():
        sent(
            client_for(coventry_lead),
            url("add_service", "cov"),
            answers,
            lambda response: Service.objects.get(council=coventry, name=answers["name"].strip()),
            typed_back=[answers[name] for name in TYPED_INTO_A_SERVICE],
        )


@given(data=st.data())
def test_changing_a_service_saves_or_refuses_clearly(
    client_for, coventry_lead, bins, product, data
):
    answers = data.draw(service_form(product))
    answers["revision"] = data.draw(st.one_of(st.just(str(bins.revision)), numbers))
    with rolled_back():
        sent(
            client_for(coventry_lead),
            url("edit_service", "cov", bins.pk),
            answers,
            lambda response: Service.objects.get(pk=bins.pk, revision=bins.revision + 1),
            typed_back=[answers[name] for name in TYPED_INTO_A_SERVICE],
        )


@given(name=raw_bytes)
def test_a_service_name_in_bytes_that_are_not_utf_8_is_read_or_refused(
    client_for, coventry_lead, coventry, name
):
    """Lone surrogates and invalid UTF-8 arrive as bytes, which the client cannot send as text."""
    body = raw_query({"name": name, "phase": b"beta", "sourcing": b"in_house"})
    with rolled_back():
        response = client_for(coventry_lead).post(
            url("add_service", "cov"), body, content_type="application/x-www-form-urlencoded"
        )
        if response.status_code != 302:
            assert_refused_clearly(response)


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


# --- the buttons' own fields ---------------------------------------------------------------------


@given(action=choice("retire", "restore"))
def test_retiring_a_service_does_what_the_button_says_or_refuses(
    client_for, coventry_lead, bins, action
):
    lead = client_for(coventry_lead)
    with rolled_back():
        before = fingerprint()
        response = lead.post(url("retire_service", "cov", bins.pk), {"action": action})
        if action in ("retire", "restore"):
            assert response.status_code == 302
        else:  # not from our page: refused, and nothing changes
            assert response.status_code == 400
            assert fingerprint() == before


@given(origin=choice("council", ""), resend=st.booleans())
def test_cancelling_or_resending_an_invitation_goes_back_where_it_came_from(
    client_for, coventry_lead, invitation, origin, resend
):
    with rolled_back():
        view = "resend_invitation" if resend else "cancel_invitation"
        response = client_for(coventry_lead).post(url(view, invitation.pk), {"from": origin})
        assert response.status_code == 302
        back = url("member_list", "cov") if origin == "council" else url("invitation_list")
        assert response["Location"] == back


# --- withdrawing, and signing up ----------------------------------------------------------


@pytest.fixture
def submitted(bins, coventry_lead):
    assessment = services.start_assessment(bins, by=coventry_lead, phase="beta")
    assessment.points.update(score=3, evidence="We ran 12 interviews.")
    return services.submit(assessment, by=coventry_lead)


@given(reason=typed(2000, "We are changing supplier"))
def test_withdrawing_withdraws_or_refuses_clearly(client_for, coventry_lead, submitted, reason):
    with rolled_back():
        sent(
            client_for(coventry_lead),
            url("withdraw_assessment", "cov", submitted.pk),
            {"reason": reason},
            lambda response: submitted.status_changes.get(to_status="withdrawn"),
            typed_back=[reason],
        )


@given(
    day=st.one_of(numbers, st.sampled_from(["7", "07", "31"])),
    month=st.one_of(numbers, st.sampled_from(["4", "12", "13"])),
    year=st.one_of(numbers, st.sampled_from(["2016", "2020", str(date.today().year + 1)])),
    role=typed(150, "Chief Executive"),
)
def test_recording_signing_up_saves_or_refuses_clearly(
    client_for, coventry_lead, coventry, day, month, year, role
):
    with rolled_back():
        sent(
            client_for(coventry_lead),
            url("record_adoption", "cov"),
            {
                "adopted_on_0": day,
                "adopted_on_1": month,
                "adopted_on_2": year,
                "sponsor_role": role,
            },
            lambda response: Council.objects.get(pk=coventry.pk, adopted_on__isnull=False),
            typed_back=[day, month, year, role],
        )


# --- invitations ------------------------------------------------------------------------------

emails = st.one_of(st.emails().map(str), typed(254, "new.person@coventry.example"))


@given(email=emails, role=choice("lead", "contributor"))
def test_a_lead_inviting_someone_invites_or_refuses_clearly(client_for, coventry_lead, email, role):
    with rolled_back():
        sent(
            client_for(coventry_lead),
            url("invite_member", "cov"),
            {"email": email, "role": role},
            lambda response: coventry_lead.invitations_sent.get(),
            typed_back=[email],
        )


def test_an_email_address_longer_than_any_can_be_is_in_the_wrong_format(client_for, coventry_lead):
    address = "a" * 250 + "@coventry.example"
    response = client_for(coventry_lead).post(
        url("invite_member", "cov"), {"email": address, "role": "contributor"}
    )
    assert_refused_clearly(response, typed=[address])
    assert "Enter an email address in the correct format" in response.content.decode()


@given(
    email=emails,
    role=choice("lead", "contributor", "reviewer"),
    council=choice("", "COV", "LDS", "cov"),
    peer_group=choice("", "midlands"),
)
def test_a_coordinator_inviting_anyone_invites_or_refuses_clearly(
    client_for, coordinator, coventry, leeds, email, role, council, peer_group
):
    with rolled_back():
        sent(
            client_for(coordinator),
            url("invite_anyone"),
            {"email": email, "role": role, "council": council, "peer_group": peer_group},
            lambda response: coordinator.invitations_sent.get(),
            typed_back=[email],
        )


@pytest.fixture
def invitation(coventry_lead, coventry):
    return services.invite(
        by=coventry_lead,
        email="new.person@coventry.example",
        role=InvitationRole.CONTRIBUTOR,
        council=coventry,
    )


@given(
    name=typed(150, "Nia Newcomer"),
    password=st.one_of(st.just(NEW_PASSWORD), text),
    again=st.one_of(st.just(NEW_PASSWORD), text),
)
def test_accepting_an_invitation_makes_the_account_or_refuses_clearly(
    invitation, name, password, again
):
    with rolled_back():
        address = url("accept_invitation", invitation.issue_token())
        sent(
            Client(),
            address,
            {"full_name": name, "new_password1": password, "new_password2": again},
            lambda response: Invitation.objects.get(pk=invitation.pk, accepted_at__isnull=False),
            typed_back=[name],
            passwords=[password, again],
        )


# --- signing in and passwords ----------------------------------------------------------------


@given(
    email=st.one_of(st.just("lead@coventry.example"), emails),
    password=st.one_of(st.just(PASSWORD), text),
    next_page=st.one_of(st.just(""), text),
)
def test_signing_in_signs_in_or_refuses_clearly(coventry_lead, email, password, next_page):
    client = Client()
    with rolled_back():
        before = fingerprint()
        response = client.post(
            url("sign_in"), {"email": email, "password": password, "next": next_page}
        )
        if response.status_code == 302:
            assert client.session["_auth_user_id"] == str(coventry_lead.pk)
        elif response.status_code == 429:  # paused after repeated failures
            assert "You cannot sign in at the moment" in response.content.decode()
        else:
            assert_refused_clearly(response, typed=[email], not_echoed=[password])
            assert fingerprint() == before


@pytest.mark.parametrize("next_page", ["0", "account", "standard:point_list", "../account/"])
def test_signing_in_to_return_to_something_that_is_not_a_path_lands_on_your_work(
    client, coventry_lead, next_page
):
    """Found by the sign-in property: redirect() takes a word without a slash or a dot
    for the name of a URL, so signing in with next=0 was a server error."""
    response = client.post(
        url("sign_in"), {"email": "lead@coventry.example", "password": PASSWORD, "next": next_page}
    )
    assert response["Location"] == url("your_work")


@given(
    old=st.one_of(st.just(PASSWORD), text),
    new=st.one_of(st.just(NEW_PASSWORD), text),
    again=st.one_of(st.just(NEW_PASSWORD), text),
)
def test_changing_a_password_changes_it_or_refuses_clearly(
    client_for, coventry_lead, old, new, again
):
    def changed(response):
        assert User.objects.get(pk=coventry_lead.pk).check_password(new)

    with rolled_back():
        sent(
            client_for(coventry_lead),
            url("change_password"),
            {"old_password": old, "new_password1": new, "new_password2": again},
            changed,
            passwords=[old, new, again],
        )


@given(email=st.one_of(st.just("lead@coventry.example"), emails))
def test_asking_for_a_password_reset_sends_or_refuses_clearly(coventry_lead, email):
    mail.outbox = []
    with rolled_back():
        response = sent(
            Client(), url("password_reset"), {"email": email}, lambda r: None, typed_back=[email]
        )
        if response.status_code != 302:
            assert mail.outbox == []


@given(new=st.one_of(st.just(NEW_PASSWORD), text), again=st.one_of(st.just(NEW_PASSWORD), text))
def test_choosing_a_new_password_from_a_reset_link_sets_it_or_refuses_clearly(
    coventry_lead, new, again
):
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(coventry_lead.pk))
    token = default_token_generator.make_token(coventry_lead)
    with rolled_back():
        form_page = client.get(f"/password-reset/{uid}/{token}/", follow=True)
        address = form_page.redirect_chain[-1][0]

        def changed(response):
            assert User.objects.get(pk=coventry_lead.pk).check_password(new)

        sent(
            client,
            address,
            {"new_password1": new, "new_password2": again},
            changed,
            passwords=[new, again],
        )


# --- limits: said in each field's hint, and in the error when one is passed --------------------

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
    assessment.points.update(score=3, evidence="We ran 12 interviews.")
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
