"""Pages about a person's session: the CSRF failure page, and staying signed in."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from lgdss import unsaved


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
