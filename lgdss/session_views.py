"""A person's session: the CSRF failure page, and the timeout warning's two addresses.

The timeout warning (templates/includes/timeout_warning.html, static/js/timeout-warning.js)
asks `extend_session` to keep someone signed in, and `end_session` to sign them out when
its time runs out, keeping what they had typed on the page.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lgdss import unsaved

SIGNED_OUT = "For your security, we signed you out because you had not done anything for a while"


def csrf_failure(request, reason=""):
    """Our page for a form that failed Django's CSRF check (settings.CSRF_FAILURE_VIEW).

    Usually the page was open a long time, or the person signed in again in another tab.
    If the form was one that keeps unsaved text, was sent from one of our own pages and
    we know whose it is, what they typed is kept for them (lgdss.unsaved): a forged
    request from another site keeps nothing, and kept text is only ever shown in the
    form, never saved by itself.
    """
    kept = False
    if (
        request.method == "POST"
        and _sent_from_our_pages(request)
        and unsaved.keeps_unsaved_text_at(request.path_info)
    ):
        if request.user.is_authenticated:
            owner = request.user.pk
        else:
            owner = unsaved.owner_of_ended_session(request)
        kept = owner is not None and unsaved.keep(request, owner=owner)
    signed_in = request.user.is_authenticated
    back = request.path if kept else (_page_they_came_from(request) or reverse("home"))
    context = {
        "kept": kept,
        "signed_in": signed_in,
        "back": back,
        "sign_in": f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': back})}",
    }
    return render(request, "csrf_failure.html", context, status=403)


def _sent_from_our_pages(request):
    """Whether the browser says the form came from this site (browsers send Origin with
    every POST; older ones send Referer)."""
    origin = request.headers.get("Origin")
    if origin is not None:
        ours = f"{request.scheme}://{request.get_host()}"
        return origin == ours or origin in settings.CSRF_TRUSTED_ORIGINS
    return bool(_page_they_came_from(request))


def _page_they_came_from(request):
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


@never_cache
@require_POST
def extend_session(request):
    """ "Stay signed in": 204 with the session's end moved on, or 401 if it has ended."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session.modified = True  # saved, so its end moves on
    return HttpResponse(status=204)


@require_POST
def end_session(request):
    """The timeout warning ran out (or the person chose to sign out from it): sign out.

    The page's form comes with the request when the person had changed it; if that page
    keeps unsaved text, its fields are kept for them, as when a session ends on its own.
    The person lands on the sign-in page, which leads back to the page.
    """
    page = _our_path(request.GET.get("next", ""))
    if request.user.is_authenticated:
        owner = request.user.pk
    else:
        owner = unsaved.owner_of_ended_session(request)
    logout(request)
    kept = (
        owner is not None
        and page is not None
        and unsaved.keeps_unsaved_text_at(page)
        and unsaved.keep(request, owner=owner, path=page)
    )
    if kept:
        messages.info(request, f"{SIGNED_OUT}. {unsaved.SIGNED_OUT_KEPT}")
    else:
        messages.info(request, SIGNED_OUT)
    return redirect_to_login(page or reverse(settings.LOGIN_REDIRECT_URL))


def _our_path(address):
    if address and url_has_allowed_host_and_scheme(address, allowed_hosts=None):
        return urlsplit(address).path or None
    return None
