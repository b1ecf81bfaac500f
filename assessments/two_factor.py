"""Two-factor authentication: after their password, a code from an authenticator app.

django-otp keeps the devices: a TOTP device is a person's authenticator app, and a
static device holds their single-use recovery codes. A session is verified once a
code from either has been given (django-otp's `login`, read back by its
OTPMiddleware as `request.user.is_verified()`).

This module decides who must use two-factor authentication, turns it on and off,
keeps the step between the password and the code, and checks codes under the
sign-in lock-out of assessments.auth. Where it is enforced:
assessments.middleware.TwoFactorMiddleware and the admin's `has_permission`. Why:
docs/decisions ("Two-factor sign-in").
"""

import time

from django.contrib.auth import BACKEND_SESSION_KEY, login, logout
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.auth import count_wrong_code
from assessments.models import User

RECOVERY_CODE_COUNT = 10
# How long someone has, after giving their password, to give a code.
CODE_STEP_SECONDS = 10 * 60
CODE_STEP_SESSION_KEY = "two_factor_code_step"


def is_required(user):
    """Coordinators and staff, who can use the admin, must use two-factor authentication."""
    return bool(
        user.is_authenticated and (user.is_coordinator or user.is_staff or user.is_superuser)
    )


def is_on(user):
    """Whether the person has confirmed an authenticator app (and so has recovery codes:
    the two are made and removed together)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Turning it on and off ------------------------------------------------------


def app_being_set_up(user):
    """The authenticator app the person is setting up, with a new secret key.

    Kept, unconfirmed, until a code from it confirms it, so that the QR code stays the
    same if the page is loaded again after it was scanned.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_app(request, device, code):
    """Turns two-factor authentication on, if `code` comes from the app being set up.

    In one transaction: checks the code against the unconfirmed device, confirms it,
    removes any other app the person had, and makes new recovery codes. Then marks this
    session verified. Returns the recovery codes, or None when the code is wrong, in
    which case the app stays unconfirmed and nothing else changes.
    """
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(
            pk=device.pk, user=user, confirmed=False
        )
        if not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _replace_recovery_codes(user)
    otp_login(request, device)
    return codes


def new_recovery_codes(user):
    """Replaces the person's recovery codes with new ones, and returns them."""
    with transaction.atomic():
        return _replace_recovery_codes(user)


def _replace_recovery_codes(user):
    device, _ = StaticDevice.objects.select_for_update().get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    codes = sorted(codes)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def turn_off(user):
    """Removes the person's authenticator app and recovery codes. Their sessions are no
    longer verified: django-otp's middleware finds no device for them."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


# --- Signing in: the step between the password and the code -----------------------


def start_code_step(request, user, next_url=""):
    """Remembers in the session that `user` gave the right password and must now give a
    code. They are not signed in until they do (`finish_sign_in`).

    The step ends after CODE_STEP_SECONDS, and as soon as their password changes.
    """
    request.session[CODE_STEP_SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "password": user.get_session_auth_hash(),
        "started": time.time(),
        "next": next_url,
    }


def waiting_for_code(request):
    """The person who gave their password in this session and is to give a code, or None."""
    step = request.session.get(CODE_STEP_SESSION_KEY)
    if not step or time.time() - step["started"] > CODE_STEP_SECONDS:
        return None
    user = User.objects.filter(pk=step["user"], is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), step["password"]):
        return None
    user.backend = step["backend"]
    return user


def check_code(request, user, code, *, recovery=False):
    """The device that accepts `code`, from the person's app or, with `recovery`, one of
    their recovery codes (which is then used up); None when neither does.

    A wrong code counts towards the sign-in lock-out, as a wrong password does. Callers
    check `assessments.auth.sign_in_is_paused` first.
    """
    model = StaticDevice if recovery else TOTPDevice
    for device in model.objects.devices_for_user(user, confirmed=True):
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    count_wrong_code(request, user)
    return None


def finish_sign_in(request, user, device):
    """Signs the person in with a verified session. Returns the page they asked for."""
    step = request.session.pop(CODE_STEP_SESSION_KEY, {})
    login(request, user, backend=user.backend)
    otp_login(request, device)
    return step.get("next", "")


def ask_for_code_again(request, next_url=""):
    """Turns a signed-in session that was never verified, of a person who has an app
    (signed in before they set it up, say), back into the code step."""
    user = request.user
    user.backend = request.session.get(BACKEND_SESSION_KEY)
    logout(request)
    start_code_step(request, user, next_url)
