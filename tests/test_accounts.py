"""Signing in and out, password reset and change, throttling, sessions."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.html import outline

SIGN_IN = reverse("assessments:sign_in")


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(SIGN_IN, {"email": email, "password": password, **extra})


def test_person_signs_in_with_email_and_password_and_lands_on_their_work(client, coventry_lead):
    response = sign_in(client, "lead@coventry.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:your_work")
    page = client.get(response["Location"])
    assert "Digital services of Coventry" in page.content.decode()


def test_email_address_is_matched_whatever_its_case(client, coventry_lead):
    assert sign_in(client, "Lead@Coventry.EXAMPLE").status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, coventry_lead):
    response = sign_in(client, "lead@coventry.example", next="/standard/3/")
    assert response["Location"] == "/standard/3/"
    client.logout()
    response = sign_in(client, "lead@coventry.example", next="https://evil.example/")
    assert response["Location"] == reverse("assessments:your_work")


def test_wrong_password_gets_an_error_without_saying_whether_the_account_exists(
    client, coventry_lead
):
    wrong_password = sign_in(client, "lead@coventry.example", "not-the-password")
    no_account = sign_in(client, "nobody@coventry.example", "not-the-password")
    for response in (wrong_password, no_account):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Enter a correct email address and password" in html
        assert "govuk-error-summary" in html
        assert outline(response)[1].startswith("Error: Sign in")
    assert 'value="lead@coventry.example"' in wrong_password.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "password": "x"}, "Enter your email address"),
        (
            {"email": "not-an-email", "password": "x"},
            "Enter an email address in the correct format",
        ),
        ({"email": "a@b.example", "password": ""}, "Enter your password"),
    ],
)
def test_sign_in_form_errors_are_in_the_summary_and_by_the_field(client, db, data, message):
    html = client.post(SIGN_IN, data).content.decode()
    assert html.count(message) == 2  # error summary and next to the field


def test_repeated_failures_pause_sign_in_with_a_clear_message(client, coventry_lead):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "lead@coventry.example", "wrong-password")
    response = sign_in(client, "lead@coventry.example")  # even the right password
    assert response.status_code == 429
    assert "You cannot sign in at the moment" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_changing_the_email_case_does_not_get_round_the_limit(client, coventry_lead):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = "lead@coventry.example" if attempt % 2 else "LEAD@coventry.example"
        sign_in(client, email, "wrong-password")
    assert sign_in(client, "Lead@Coventry.example").status_code == 429


def test_a_success_resets_the_failure_count(client, coventry_lead):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "lead@coventry.example", "wrong-password")
    assert sign_in(client, "lead@coventry.example").status_code == 302
    client.logout()
    sign_in(client, "lead@coventry.example", "wrong-password")
    assert sign_in(client, "lead@coventry.example").status_code == 302


def test_inactive_account_cannot_sign_in(client, coventry_lead):
    coventry_lead.is_active = False
    coventry_lead.save()
    assert sign_in(client, "lead@coventry.example").status_code == 200


def test_sign_out_needs_a_post_and_ends_the_session(client_for, coventry_lead):
    client = client_for(coventry_lead)
    confirm = client.get(reverse("assessments:sign_out"))
    assert confirm.status_code == 200
    assert "_auth_user_id" in client.session
    response = client.post(reverse("assessments:sign_out"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sessions_expire_after_inactivity_and_when_the_browser_closes():
    # Requests move a session's end on through lgdss/sessions.py (tests/test_request_path.py).
    assert "lgdss.sessions.SessionRefreshMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_account_page_needs_sign_in(client, db):
    response = client.get(reverse("assessments:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN + "?next=")


def test_account_page_shows_roles(client_for, peer_reviewer, coordinator):
    html = client_for(peer_reviewer).get(reverse("assessments:account")).content.decode()
    assert "You are a peer reviewer in the Midlands peer group" in html
    html = client_for(coordinator).get(reverse("assessments:account")).content.decode()
    assert "Invitations" in html


def test_change_password(client_for, coventry_lead):
    client = client_for(coventry_lead)
    url = reverse("assessments:change_password")
    bad = client.post(url, {"old_password": "wrong", "new_password1": "x", "new_password2": "y"})
    assert "Your current password is not correct" in bad.content.decode()
    new = "a-much-better-passphrase-2026"
    good = client.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert good.status_code == 302
    coventry_lead.refresh_from_db()
    assert coventry_lead.check_password(new)
    assert client.get(reverse("assessments:account")).status_code == 200, "still signed in"


def test_password_reset_sends_a_single_use_link(client, coventry_lead):
    response = client.post(
        reverse("assessments:password_reset"), {"email": "LEAD@coventry.example"}
    )
    assert response["Location"] == reverse("assessments:password_reset_sent")
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/password-reset/\S+/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Create a new password" in form_page.content.decode()
    new = "a-much-better-passphrase-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done["Location"] == reverse("assessments:password_reset_done")
    coventry_lead.refresh_from_db()
    assert coventry_lead.check_password(new)
    reused = client.get(path, follow=True)
    assert "This link has expired or has already been used" in reused.content.decode()


def test_password_reset_does_not_reveal_whether_an_account_exists(client, db):
    response = client.post(
        reverse("assessments:password_reset"), {"email": "nobody@nowhere.example"}
    )
    assert response["Location"] == reverse("assessments:password_reset_sent")
    assert mail.outbox == []


def test_tampered_reset_link_gets_a_clear_page(client, coventry_lead):
    response = client.get("/password-reset/MQ/not-a-token/", follow=True)
    assert response.status_code == 200
    assert "This link has expired or has already been used" in response.content.decode()


def test_new_password_must_pass_the_validators(client, coventry_lead):
    client.post(reverse("assessments:password_reset"), {"email": "lead@coventry.example"})
    link = re.search(r"http://\S+/password-reset/\S+/\S+/", mail.outbox[0].body).group(0)
    form_page = client.get(link.split("8000", 1)[1], follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    html = response.content.decode()
    assert "This password is too short" in html
    assert "This password is entirely numeric" in html
