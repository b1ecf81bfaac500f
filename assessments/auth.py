"""Limits on guessing passwords, shared by every way of checking one, and on reset emails.

Signing in and changing your password call `authenticate(request,
username=email, password=...)`. django-axes counts the failures and refuses
further attempts for an account from one client address for a while; this
module tells it who the client is and whose account it is, and adds a second
limit on one address trying many accounts. Wrong security codes (two-factor
authentication) are counted as failures too, so codes and passwords share one
lock-out. Reset emails are limited here too. The reasons are in docs/decisions
("Limits on guessing passwords, and on reset emails"; "Two-factor sign-in").
"""

import ipaddress
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.utils import reset as reset_attempts
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from assessments.models import PasswordResetRequest, normalise_email

RESET_LIMIT_WINDOW = timedelta(hours=1)


def axes_username(request, credentials=None):
    """The email address django-axes counts failed sign-ins against.

    Read from the credentials given to authenticate(), never from the form, whose
    field is "email" on our pages and "username" in the admin. Lower-cased, so that
    "Lead@Coventry.example" and "lead@coventry.example" share one count.
    """
    return normalise_email((credentials or {}).get("username"))


def client_ip(request):
    """The address of the person making the request.

    Each of the TRUSTED_PROXY_COUNT proxies in front of the service (load
    balancers) appends the address it received the request from to
    X-Forwarded-For, so the client is that many entries from the right; anything
    further left was written by the client and could be forged. With no trusted
    proxy the header is ignored and the connection's own address is used.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            try:
                # Fewer entries than proxies: the request skipped an outer one, and
                # every entry in the header was still written by a proxy.
                return str(ipaddress.ip_address(hops[-min(count, len(hops))]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


class SignInLimits(AxesDatabaseHandler):
    """django-axes' database handler, with a limit on one address across accounts.

    django-axes locks an account at one address after AXES_FAILURE_LIMIT
    failures. This also locks an address, for every account, after
    AXES_IP_FAILURE_LIMIT failures from it within the cool-off, so that it cannot
    try one password on each of many accounts.
    """

    def address_is_locked(self, request):
        failures = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(total=Sum("failures_since_start"))["total"]
        return (failures or 0) >= settings.AXES_IP_FAILURE_LIMIT

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.address_is_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the address limit is answered with the lock-out
        # page at once, as the one that reaches the account limit is.
        if request is not None and not request.axes_locked_out and self.address_is_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def sign_in_is_paused(request, user):
    """Whether signing in to this account from this client is paused after failures."""
    return not AxesProxyHandler.is_allowed(request, {"username": user.email})


def count_wrong_code(request, user):
    """Counts a wrong security code as a failed sign-in, as authenticate() counts a
    wrong password, so that codes cannot be guessed without limit.

    The failure that reaches a limit is answered with the lock-out page, as for passwords.
    """
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)


def end_lock_out(user):
    """Lets the account sign in again from anywhere.

    Called after a password reset, which only someone who reads its email can do.
    """
    reset_attempts(username=normalise_email(user.email))


def may_send_password_reset(email, request):
    """Whether to send the password reset email asked for, counting it if so.

    At most PASSWORD_RESET_EMAIL_LIMIT emails an hour to one email address, and
    PASSWORD_RESET_IP_LIMIT requests an hour from one client address (for any
    addresses, with accounts or not). Requests over a limit are not counted, so
    asking again and again does not make the wait longer.
    """
    since = timezone.now() - RESET_LIMIT_WINDOW
    PasswordResetRequest.objects.filter(created_at__lte=since).delete()
    recent = PasswordResetRequest.objects.filter(created_at__gt=since)
    email_hash = PasswordResetRequest.hash_email(email)
    ip_address = client_ip(request)
    if recent.filter(email_hash=email_hash).count() >= settings.PASSWORD_RESET_EMAIL_LIMIT:
        return False
    if recent.filter(ip_address=ip_address).count() >= settings.PASSWORD_RESET_IP_LIMIT:
        return False
    PasswordResetRequest.objects.create(email_hash=email_hash, ip_address=ip_address)
    return True


def locked_out(request, original_response=None, credentials=None):
    """The page shown while sign-in is paused after repeated failures (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "assessments/accounts/locked_out.html",
        {"cooloff_minutes": minutes},
        status=429,
    )
