"""Limits on guessing passwords, and on asking for password reset emails.

Signing in (with a password, then a security code for people who use two-factor
authentication) and changing your password all count failures towards, and all
obey, the same lock-out; the admin signs people in on the site's page. It is kept
for an account at one client address, so someone else's guesses never lock the
owner out from where they are; a second limit stops one address trying many
accounts; and a password reset always lets the owner back in.
Reset emails are limited per email address and per client address, without
saying so on the page.
"""

import re
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse

from assessments.models import PasswordResetRequest
from tests.conftest import PASSWORD
from tests.factories import UserFactory

SIGN_IN = reverse("assessments:sign_in")
ADMIN_SIGN_IN = reverse("admin:login")
CHANGE_PASSWORD = reverse("assessments:change_password")
LIMIT = settings.AXES_FAILURE_LIMIT
NEW_PASSWORD = "a-much-better-passphrase-2026"

# The load balancer's own address, and two people behind it.
BALANCER = "10.0.0.2"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def sign_in(client, email, password=PASSWORD):
    return client.post(SIGN_IN, {"email": email, "password": password})


def admin_sign_in(client, email, password=PASSWORD):
    return client.post(ADMIN_SIGN_IN, {"username": email, "password": password, "next": "/admin/"})


def change_password(client, current_password):
    return client.post(
        CHANGE_PASSWORD,
        {
            "old_password": current_password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )


def lock_out(client, email, times=LIMIT):
    for _ in range(times):
        sign_in(client, email, "wrong-password")


def from_address(address):
    """A browser behind the load balancer, which passes on the address it saw."""
    return Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=address)


def wait(minutes):
    """Moves every recorded failure this many minutes into the past."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def signed_in(client):
    return "_auth_user_id" in client.session


# --- One lock-out for every way of signing in --------------------------------


def test_the_admin_sends_people_to_the_sites_sign_in_and_checks_no_password(client, coordinator):
    """Its own form would sign people in without their security code."""
    response = client.get(ADMIN_SIGN_IN + "?next=/admin/assessments/council/")
    assert response["Location"] == SIGN_IN + "?next=/admin/assessments/council/"
    response = admin_sign_in(client, "coordinator@lgdss.example", "wrong-password")
    assert response["Location"].startswith(SIGN_IN)
    admin_sign_in(client, "coordinator@lgdss.example")  # the right password
    assert not signed_in(client)
    assert AccessAttempt.objects.count() == 0, "the admin form checked no password"


def test_guessing_the_current_password_is_locked_out_like_signing_in(client_for, coventry_lead):
    client = client_for(coventry_lead)
    for _ in range(15):
        change_password(client, "wrong-guess")
    response = change_password(client, PASSWORD)
    assert response.status_code == 429
    coventry_lead.refresh_from_db()
    assert coventry_lead.check_password(PASSWORD)
    assert not coventry_lead.check_password(NEW_PASSWORD)


def test_wrong_current_passwords_count_towards_the_sign_in_lock_out(
    client_for, client, coventry_lead
):
    signed_in_client = client_for(coventry_lead)
    for _ in range(LIMIT):
        change_password(signed_in_client, "wrong-guess")
    assert sign_in(client, "lead@coventry.example").status_code == 429


def test_the_admins_change_password_page_is_the_sites_own(client_for, coordinator):
    client = client_for(coordinator)
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302
    assert response["Location"] == CHANGE_PASSWORD
    client.post(
        reverse("admin:password_change"),
        {"old_password": "wrong-guess", "new_password1": "x", "new_password2": "x"},
    )
    assert AccessAttempt.objects.count() == 0, "the admin form checked no password"


# --- Keyed on the real client address ----------------------------------------


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_someone_elses_failures_do_not_lock_the_owner_out(coventry_lead):
    attacker = from_address(ATTACKER)
    lock_out(attacker, "lead@coventry.example")
    assert sign_in(attacker, "lead@coventry.example").status_code == 429
    owner = from_address(OWNER)
    assert sign_in(owner, "lead@coventry.example").status_code == 302
    assert signed_in(owner)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_client_cannot_forge_its_address_through_a_trusted_proxy(coventry_lead):
    """The balancer appends the address it saw; anything to its left the client wrote."""
    for n in range(LIMIT):
        sign_in(from_address(f"192.0.2.{n}, {ATTACKER}"), "lead@coventry.example", "wrong")
    assert sign_in(
        from_address(f"192.0.2.99, {ATTACKER}"), "lead@coventry.example"
    ).status_code == (429)


def test_the_forwarded_address_is_ignored_unless_a_proxy_is_trusted(coventry_lead):
    for n in range(LIMIT):
        sign_in(from_address(f"192.0.2.{n}"), "lead@coventry.example", "wrong-password")
    assert sign_in(from_address(OWNER), "lead@coventry.example").status_code == 429


def test_one_address_cannot_try_many_accounts(client, coventry_lead):
    for n in range(settings.AXES_IP_FAILURE_LIMIT):
        sign_in(client, f"person{n}@council.example", "wrong-password")
    response = sign_in(client, "lead@coventry.example")  # the right password
    assert response.status_code == 429
    assert not signed_in(client)
    elsewhere = Client(REMOTE_ADDR=OWNER)
    assert sign_in(elsewhere, "lead@coventry.example").status_code == 302


def test_failures_during_a_lock_out_do_not_extend_it(client, coventry_lead):
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    lock_out(client, "lead@coventry.example")
    wait(minutes=cooloff - 5)
    assert sign_in(client, "lead@coventry.example", "wrong-password").status_code == 429
    wait(minutes=6)  # the lock-out began cooloff + 1 minutes ago
    assert sign_in(client, "lead@coventry.example").status_code == 302


def test_failures_during_an_address_lock_out_do_not_extend_it(client, coventry_lead):
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    for n in range(settings.AXES_IP_FAILURE_LIMIT):
        sign_in(client, f"person{n}@council.example", "wrong-password")
    wait(minutes=cooloff - 5)
    assert sign_in(client, "someone.else@council.example", "wrong-password").status_code == 429
    wait(minutes=6)
    assert sign_in(client, "lead@coventry.example").status_code == 302


# --- A password reset always lets the owner back in ---------------------------


def reset_password(client, email, new_password=NEW_PASSWORD):
    client.post(reverse("assessments:password_reset"), {"email": email})
    body = mail.outbox[-1].body
    path = re.search(r"http://\S+?(/password-reset/\S+/\S+/)", body).group(1)
    form_page = client.get(path, follow=True)
    return client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )


def test_a_password_reset_ends_the_lock_out(client, coventry_lead):
    lock_out(client, "lead@coventry.example")
    assert sign_in(client, "lead@coventry.example").status_code == 429
    done = reset_password(client, "lead@coventry.example")
    assert done["Location"] == reverse("assessments:password_reset_done")
    response = sign_in(client, "lead@coventry.example", NEW_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_locked_account_can_still_ask_for_a_reset(client, coventry_lead):
    lock_out(client, "lead@coventry.example")
    response = client.post(
        reverse("assessments:password_reset"), {"email": "lead@coventry.example"}
    )
    assert response["Location"] == reverse("assessments:password_reset_sent")
    assert len(mail.outbox) == 1


# --- Password reset emails ----------------------------------------------------

RESET = reverse("assessments:password_reset")
RESET_SENT = reverse("assessments:password_reset_sent")


def ask_for_reset(client, email):
    response = client.post(RESET, {"email": email})
    assert response["Location"] == RESET_SENT, "the same page whatever happened"
    return response


def test_reset_emails_to_one_address_are_limited(coventry_lead):
    for n in range(20):
        ask_for_reset(Client(REMOTE_ADDR=f"192.0.2.{n}"), "lead@coventry.example")
    assert len(mail.outbox) == settings.PASSWORD_RESET_EMAIL_LIMIT
    assert {message.to[0] for message in mail.outbox} == {"lead@coventry.example"}


def test_the_email_limit_ignores_the_case_of_the_address(coventry_lead):
    for n in range(20):
        email = "LEAD@coventry.example" if n % 2 else "lead@Coventry.example"
        ask_for_reset(Client(REMOTE_ADDR=f"192.0.2.{n}"), email)
    assert len(mail.outbox) == settings.PASSWORD_RESET_EMAIL_LIMIT


def test_reset_requests_from_one_client_address_are_limited(client, db):
    people = UserFactory.create_batch(settings.PASSWORD_RESET_IP_LIMIT + 5)
    for person in people:
        ask_for_reset(client, person.email)
    assert len(mail.outbox) == settings.PASSWORD_RESET_IP_LIMIT
    elsewhere = Client(REMOTE_ADDR=OWNER)
    ask_for_reset(elsewhere, people[-1].email)
    assert mail.outbox[-1].to == [people[-1].email]


def test_requests_for_addresses_with_no_account_count_towards_the_client_limit(client, db):
    person = UserFactory()
    for n in range(settings.PASSWORD_RESET_IP_LIMIT):
        ask_for_reset(client, f"nobody{n}@nowhere.example")
    ask_for_reset(client, person.email)
    assert mail.outbox == []


def test_the_reset_limit_is_shared_by_every_server_process(client, coventry_lead):
    for _ in range(settings.PASSWORD_RESET_EMAIL_LIMIT):
        ask_for_reset(client, "lead@coventry.example")
    caches["default"].clear()  # another process starts with an empty cache of its own
    ask_for_reset(Client(REMOTE_ADDR=OWNER), "lead@coventry.example")
    assert len(mail.outbox) == settings.PASSWORD_RESET_EMAIL_LIMIT


def test_the_reset_limit_lasts_an_hour(client, coventry_lead):
    for _ in range(settings.PASSWORD_RESET_EMAIL_LIMIT + 2):
        ask_for_reset(client, "lead@coventry.example")
    PasswordResetRequest.objects.update(created_at=F("created_at") - timedelta(minutes=61))
    ask_for_reset(client, "lead@coventry.example")
    assert len(mail.outbox) == settings.PASSWORD_RESET_EMAIL_LIMIT + 1


def test_reset_requests_keep_no_email_address(client, coventry_lead):
    ask_for_reset(client, "lead@coventry.example")
    ask_for_reset(client, "nobody@nowhere.example")
    stored = " ".join(str(row) for row in PasswordResetRequest.objects.values_list())
    assert "@" not in stored
