"""Two-factor authentication in tests: apps, the codes they show, verified sessions."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import two_factor


def give_app(user):
    """A confirmed authenticator app for `user`: the one they have, or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def code_for(device, steps=0):
    """The code the device's app shows now, or `steps` periods of 30 seconds from now.

    A code works once (a later one is needed after it), and codes one period either side
    of now are accepted, for clocks that differ.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def verify_session(client, user):
    """Marks the client's signed-in session verified by the user's app, as django-otp's
    `login` does after a right code."""
    device = give_app(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def needs_verifying(user):
    return two_factor.is_required(user) or two_factor.is_on(user)
