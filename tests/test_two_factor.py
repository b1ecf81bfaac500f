"""Two-factor authentication: setting it up, signing in with a code or a recovery code,
turning it off, and who must use it.

A person with an authenticator app is signed in only once they give a code from it.
Wrong codes count towards the same lock-out as wrong passwords. Coordinators and staff
must use it: until they set it up they reach only the set-up page and signing out.
"""

import re
import time
from base64 import b32encode

import pytest
import segno
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import two_factor
from assessments.models import Invitation, PeerGroup, Service, User
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.test_services import answers as new_service
from tests.two_factor import code_for, give_app

SIGN_IN = reverse("assessments:sign_in")
CODE = reverse("assessments:sign_in_code")
RECOVERY = reverse("assessments:sign_in_recovery_code")
SET_UP = reverse("assessments:two_factor_set_up")
STATUS = reverse("assessments:two_factor")
TURN_OFF = reverse("assessments:two_factor_turn_off")
NEW_CODES = reverse("assessments:new_recovery_codes")
SHOW_CODES = reverse("assessments:recovery_codes")
ACCOUNT = reverse("assessments:account")
YOUR_WORK = reverse("assessments:your_work")  # where signing in lands
SERVICES = reverse("assessments:service_list", args=["cov"])
LIMIT = settings.AXES_FAILURE_LIMIT
WRONG_CODE = "The security code is not correct"


def sign_in(client, email="lead@coventry.example", password=PASSWORD, **extra):
    return client.post(SIGN_IN, {"email": email, "password": password, **extra})


def give_code(client, code):
    return client.post(CODE, {"code": code})


def give_recovery_code(client, code):
    return client.post(RECOVERY, {"code": code})


def signed_in(client):
    return "_auth_user_id" in client.session


def verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


def wrong_code(device):
    """A well-formed code the app does not show now (nor one period either side)."""
    right = {code_for(device, steps) for steps in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in right)


@pytest.fixture
def app(coventry_lead):
    """Coventry's lead has set up two-factor authentication."""
    device = give_app(coventry_lead)
    two_factor.new_recovery_codes(coventry_lead)
    return device


@pytest.fixture
def recovery_codes(app, coventry_lead):
    return list(
        StaticToken.objects.filter(device__user=coventry_lead).values_list("token", flat=True)
    )


# --- Setting it up ------------------------------------------------------------------


def test_set_up_shows_a_qr_code_and_the_key_as_text_in_groups_of_four(client_for, coventry_lead):
    client = client_for(coventry_lead)
    html = client.get(SET_UP).content.decode()
    device = TOTPDevice.objects.get(user=coventry_lead)
    assert not device.confirmed
    key = b32encode(device.bin_key).decode()
    assert " ".join(re.findall("....", key)) in html
    # The QR code is an SVG drawn on the server from this app's set-up address.
    drawn = segno.make(device.config_url, error="m").svg_inline(scale=4)
    assert re.search(r' d="([^"]+)"', drawn).group(1) in html
    assert '<svg role="img" aria-label="QR code to scan with your app"' in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    # Loaded again, it is the same app: what was scanned still works.
    assert " ".join(re.findall("....", key)) in client.get(SET_UP).content.decode()
    assert TOTPDevice.objects.filter(user=coventry_lead).count() == 1


def test_a_wrong_code_does_not_turn_it_on(client_for, coventry_lead):
    client = client_for(coventry_lead)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=coventry_lead)
    response = client.post(SET_UP, {"code": wrong_code(device)})
    assert WRONG_CODE in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.exists()
    assert not two_factor.is_on(coventry_lead)
    assert not verified(client)


def test_the_right_code_turns_it_on_and_shows_the_recovery_codes_once(client_for, coventry_lead):
    client = client_for(coventry_lead)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=coventry_lead)
    response = client.post(SET_UP, {"code": code_for(device)})
    assert response["Location"] == SHOW_CODES
    device.refresh_from_db()
    assert device.confirmed
    assert verified(client), "this session gave a code"
    codes = set(
        StaticToken.objects.filter(device__user=coventry_lead).values_list("token", flat=True)
    )
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    html = client.get(SHOW_CODES).content.decode()
    assert {f"{code[:4]} {code[4:]}" for code in codes} <= set(
        re.findall(r"<code>([^<]+)</code>", html)
    )
    assert "This is the only time we show these codes" in html
    assert client.get(SHOW_CODES)["Location"] == STATUS, "shown once"
    assert client.get(SET_UP)["Location"] == STATUS, "not set up twice"


def test_the_code_shown_by_an_app_set_up_before_is_not_accepted(client_for, coventry_lead):
    """Setting up again replaces the old app: only the new one's codes work."""
    old = give_app(coventry_lead)
    client = client_for(coventry_lead)
    client.post(TURN_OFF, {"password": PASSWORD})
    client.get(SET_UP)
    new = TOTPDevice.objects.get(user=coventry_lead)
    assert new.pk != old.pk
    client.post(SET_UP, {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=coventry_lead)) == [new]


# --- Signing in with a code -------------------------------------------------------


def test_with_an_app_the_password_alone_does_not_sign_in(client, app):
    response = sign_in(client)
    assert response["Location"] == CODE
    assert not signed_in(client)
    assert client.get(ACCOUNT)["Location"].startswith(SIGN_IN)
    assert "Enter the security code from your app" in client.get(CODE).content.decode()


def test_the_right_code_signs_in_with_a_verified_session(client, app):
    sign_in(client, next=SERVICES)
    response = give_code(client, code_for(app))
    assert response["Location"] == SERVICES
    assert signed_in(client)
    assert verified(client)
    assert client.get(SERVICES).status_code == 200


def test_a_wrong_code_does_not_sign_in(client, app):
    sign_in(client)
    response = give_code(client, wrong_code(app))
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert not signed_in(client)


def test_a_code_works_once(client, app):
    code = code_for(app)
    sign_in(client)
    give_code(client, code)
    client.post(reverse("assessments:sign_out"))
    sign_in(client)
    assert WRONG_CODE in give_code(client, code).content.decode()
    assert not signed_in(client)
    give_code(client, code_for(app, steps=1))  # the app's next code
    assert signed_in(client)


def test_the_code_step_needs_the_password_first(client, app):
    assert client.get(CODE)["Location"] == SIGN_IN
    assert give_code(client, code_for(app))["Location"] == SIGN_IN
    assert not signed_in(client)


def test_the_code_step_ends_after_ten_minutes(client, app):
    sign_in(client)
    session = client.session
    session[two_factor.CODE_STEP_SESSION_KEY]["started"] = time.time() - 10 * 60 - 1
    session.save()
    assert give_code(client, code_for(app))["Location"] == SIGN_IN
    assert not signed_in(client)


def test_the_code_step_ends_when_the_password_is_changed_meanwhile(client, app, coventry_lead):
    sign_in(client)
    coventry_lead.set_password("a-much-better-passphrase-2026")
    coventry_lead.save()
    assert give_code(client, code_for(app))["Location"] == SIGN_IN
    assert not signed_in(client)


def test_a_password_reset_does_not_skip_the_code(client, app):
    client.post(reverse("assessments:password_reset"), {"email": "lead@coventry.example"})
    path = re.search(r"http://\S+?(/password-reset/\S+/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(path, follow=True)
    new = "a-much-better-passphrase-2026"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert not signed_in(client), "a reset signs nobody in"
    assert sign_in(client, password=new)["Location"] == CODE
    assert not signed_in(client)
    give_code(client, code_for(app))
    assert verified(client)


# --- Wrong codes share the lock-out with wrong passwords --------------------------------


def test_wrong_codes_lock_out_like_wrong_passwords(client, app):
    sign_in(client)
    responses = [give_code(client, wrong_code(app)) for _ in range(LIMIT)]
    assert [r.status_code for r in responses] == [200] * (LIMIT - 1) + [429]
    assert "You cannot sign in at the moment" in responses[-1].content.decode()
    assert give_code(client, code_for(app)).status_code == 429, "even the right code"
    assert not signed_in(client)
    assert sign_in(client).status_code == 429, "and the password step too"


def test_wrong_passwords_and_wrong_codes_add_up(client, app):
    for _ in range(LIMIT - 1):
        sign_in(client, password="wrong-password")
    sign_in(client)  # the right password does not wipe the count: no code yet
    assert give_code(client, wrong_code(app)).status_code == 429
    assert sign_in(client).status_code == 429


def test_wrong_recovery_codes_lock_out_too(client, recovery_codes):
    sign_in(client)
    for _ in range(LIMIT):
        response = give_recovery_code(client, "aaaa aaaa")
    assert response.status_code == 429
    assert give_recovery_code(client, recovery_codes[0]).status_code == 429
    assert not signed_in(client)
    assert StaticToken.objects.count() == two_factor.RECOVERY_CODE_COUNT, "none used up"


def test_a_right_code_wipes_the_count_as_a_right_password_does(client, app):
    sign_in(client)
    for _ in range(LIMIT - 1):
        give_code(client, wrong_code(app))
    give_code(client, code_for(app))
    assert signed_in(client)
    client.post(reverse("assessments:sign_out"))
    sign_in(client)
    assert give_code(client, wrong_code(app)).status_code == 200


def test_a_password_reset_ends_a_lock_out_from_wrong_codes(client, app):
    sign_in(client)
    for _ in range(LIMIT):
        give_code(client, wrong_code(app))
    assert sign_in(client).status_code == 429
    client.post(reverse("assessments:password_reset"), {"email": "lead@coventry.example"})
    path = re.search(r"http://\S+?(/password-reset/\S+/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(path, follow=True)
    new = "a-much-better-passphrase-2026"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert sign_in(client, password=new)["Location"] == CODE


def test_codes_and_passwords_are_not_kept_with_the_failures(client_for, client, app, coventry_lead):
    sign_in(client)
    code = wrong_code(app)
    give_code(client, code)
    client_for(coventry_lead).post(
        reverse("assessments:change_password"),
        {
            "old_password": "my-old-guess-42",
            "new_password1": "my-new-secret-2026",
            "new_password2": "my-new-secret-2026",
        },
    )
    kept = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "code=" in kept
    for secret in [code, "my-old-guess-42", "my-new-secret-2026"]:
        assert secret not in kept


# --- Recovery codes ---------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client, recovery_codes):
    code = recovery_codes[0]
    sign_in(client, next=SERVICES)
    response = give_recovery_code(client, f"{code[:4].upper()} {code[4:].upper()}")
    assert response["Location"] == SERVICES
    assert verified(client)
    assert "You have 9 recovery codes left" in client.get(SERVICES).content.decode()
    client.post(reverse("assessments:sign_out"))
    sign_in(client)
    response = give_recovery_code(client, code)
    assert "The recovery code is not correct, or has already been used" in response.content.decode()
    assert not signed_in(client)
    assert StaticToken.objects.count() == two_factor.RECOVERY_CODE_COUNT - 1


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(
    client_for, coventry_lead, recovery_codes
):
    client = client_for(coventry_lead)
    response = client.post(NEW_CODES, {"password": "wrong-password"})
    assert "Your password is not correct" in response.content.decode()
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(recovery_codes)
    assert client.post(NEW_CODES, {"password": PASSWORD})["Location"] == SHOW_CODES
    new = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == two_factor.RECOVERY_CODE_COUNT
    assert not new & set(recovery_codes)
    html = client.get(SHOW_CODES).content.decode()
    assert all(f"{code[:4]} {code[4:]}" in html for code in new)


# --- Turning it off -----------------------------------------------------------------


def test_turning_it_off_needs_the_password(client_for, client, coventry_lead, app):
    signed_in_client = client_for(coventry_lead)
    response = signed_in_client.post(TURN_OFF, {"password": "wrong-password"})
    assert "Your password is not correct" in response.content.decode()
    assert two_factor.is_on(coventry_lead)
    assert StaticToken.objects.exists()
    response = signed_in_client.post(TURN_OFF, {"password": PASSWORD})
    assert response["Location"] == STATUS
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    assert sign_in(client)["Location"] == YOUR_WORK, "the password alone again"


def test_guessing_the_password_to_turn_it_off_is_locked_out(client_for, coventry_lead, app):
    signed_in_client = client_for(coventry_lead)
    for _ in range(LIMIT):
        response = signed_in_client.post(TURN_OFF, {"password": "wrong-guess"})
    assert response.status_code == 429
    assert signed_in_client.post(TURN_OFF, {"password": PASSWORD}).status_code == 429
    assert two_factor.is_on(coventry_lead)


def test_turning_off_and_new_codes_are_refused_when_it_is_off(client_for, coventry_lead):
    client = client_for(coventry_lead)
    assert client.post(TURN_OFF, {"password": PASSWORD})["Location"] == STATUS
    assert client.post(NEW_CODES, {"password": PASSWORD})["Location"] == STATUS
    assert not StaticDevice.objects.exists()


# --- Who must use it --------------------------------------------------------------


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@lgdss.example", is_staff=True)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="super@lgdss.example", password=PASSWORD)


MUST_USE_IT = ["coordinator", "staff", "superuser"]


@pytest.mark.parametrize("who", MUST_USE_IT)
def test_without_an_app_coordinators_and_staff_reach_only_set_up(
    request, client_for, coventry, who
):
    person = request.getfixturevalue(who)
    client = client_for(person, verified=False)
    for url in [
        ACCOUNT,
        SERVICES,
        reverse("assessments:invitation_list"),
        reverse("assessments:email_list"),
        STATUS,
        reverse("admin:index"),
        reverse("admin:assessments_council_changelist"),
        reverse("standard:point_list"),
    ]:
        assert client.get(url)["Location"] == SET_UP, url
    assert client.get(SET_UP).status_code == 200
    assert client.get(reverse("assessments:sign_out")).status_code == 200
    client.post(reverse("assessments:sign_out"))
    assert not signed_in(client)


def test_without_an_app_a_coordinators_changes_are_refused(client_for, coordinator, midlands):
    unverified = client_for(coordinator, verified=False)
    invite = {"email": "new.reviewer@dudley.example", "role": "reviewer", "peer_group": "midlands"}
    add_group = {"name": "North East", "slug": "north-east"}
    assert unverified.post(reverse("assessments:invite_anyone"), invite)["Location"] == SET_UP
    assert (
        unverified.post(reverse("admin:assessments_peergroup_add"), add_group)["Location"] == SET_UP
    )
    assert not Invitation.objects.exists()
    assert not PeerGroup.objects.filter(slug="north-east").exists()
    # The same requests from a verified session do change things.
    verified_client = client_for(coordinator)
    verified_client.post(reverse("assessments:invite_anyone"), invite)
    verified_client.post(reverse("admin:assessments_peergroup_add"), add_group)
    assert Invitation.objects.get().email == "new.reviewer@dudley.example"
    assert PeerGroup.objects.filter(slug="north-east").exists()


def test_once_a_coordinator_sets_it_up_they_reach_everything(client_for, coordinator):
    client = client_for(coordinator, verified=False)
    client.get(SET_UP)
    client.post(SET_UP, {"code": code_for(TOTPDevice.objects.get(user=coordinator))})
    assert client.get(ACCOUNT).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_coordinator_who_turns_it_off_is_sent_to_set_it_up_again(client_for, coordinator):
    client = client_for(coordinator)
    two_factor.new_recovery_codes(coordinator)
    assert client.post(TURN_OFF, {"password": PASSWORD})["Location"] == SET_UP
    assert client.get(ACCOUNT)["Location"] == SET_UP


def test_council_leads_and_contributors_need_not_use_it(
    client_for, coventry_lead, coventry_contributor
):
    for person in [coventry_lead, coventry_contributor]:
        client = client_for(person)
        assert not verified(client)
        assert client.get(SERVICES).status_code == 200


def test_a_coordinator_signing_in_is_sent_to_set_it_up(client, coordinator):
    response = sign_in(client, "coordinator@lgdss.example")
    assert signed_in(client)
    assert client.get(response["Location"])["Location"] == SET_UP


# --- A session that no code verified ---------------------------------------------------


def test_a_session_no_code_verified_reaches_no_page_of_someone_with_an_app(
    client_for, coventry_lead, app
):
    """Signed in before they set up their app (in another browser, say)."""
    client = client_for(coventry_lead, verified=False)
    assert client.get(SERVICES)["Location"] == CODE
    assert not signed_in(client), "signed out there, and asked for a code"
    assert client.get(ACCOUNT)["Location"].startswith(SIGN_IN)
    assert give_code(client, code_for(app))["Location"] == SERVICES
    assert verified(client)


def test_a_session_no_code_verified_changes_nothing(client_for, coventry_lead, app):
    client = client_for(coventry_lead, verified=False)
    response = client.post(reverse("assessments:add_service", args=["cov"]), new_service())
    assert response["Location"] == CODE
    assert not Service.objects.exists()
    # The same request from a verified session does add the service.
    client_for(coventry_lead).post(reverse("assessments:add_service", args=["cov"]), new_service())
    assert Service.objects.get().name == "Apply for a parking permit"


def test_the_admin_refuses_a_session_no_code_verified(client_for, coordinator):
    client = client_for(coordinator, verified=False)
    give_app(coordinator)
    assert client.get(reverse("admin:index"))["Location"] == CODE
    # And on its own, without the middleware in front of it:
    request = RequestFactory().get("/admin/")
    request.user = coordinator
    coordinator.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    coordinator.is_verified = lambda: True
    assert admin.site.has_permission(request)


# --- Your account -----------------------------------------------------------------


def test_the_account_page_says_whether_it_is_on(client_for, coventry_lead):
    client = client_for(coventry_lead)
    assert re.search(
        r"Two-factor authentication</dt>\s*<dd[^>]*>Off", client.get(ACCOUNT).content.decode()
    )
    give_app(coventry_lead)
    client = client_for(coventry_lead)
    assert re.search(
        r"Two-factor authentication</dt>\s*<dd[^>]*>On", client.get(ACCOUNT).content.decode()
    )


# --- Someone who has lost both their app and their recovery codes ------------------------


def test_a_superuser_removes_the_app_of_someone_who_lost_it(
    client_for, client, superuser, coordinator, coventry_lead, app
):
    codes = StaticDevice.objects.get(user=coventry_lead)
    for device, name in [(app, "otp_totp_totpdevice"), (codes, "otp_static_staticdevice")]:
        url = reverse(f"admin:{name}_delete", args=[device.pk])
        assert client_for(coordinator).post(url, {"post": "yes"}).status_code == 403
        assert type(device).objects.filter(pk=device.pk).exists()
        client_for(superuser).post(url, {"post": "yes"})
    assert not TOTPDevice.objects.filter(user=coventry_lead).exists()
    assert not StaticDevice.objects.filter(user=coventry_lead).exists()
    assert sign_in(client)["Location"] == YOUR_WORK, "the password alone again"


def test_the_admin_does_not_show_an_apps_secret_key(client_for, superuser, app):
    html = (
        client_for(superuser)
        .get(reverse("admin:otp_totp_totpdevice_change", args=[app.pk]))
        .content.decode()
    )
    assert app.key not in html
    assert b32encode(app.bin_key).decode() not in html
