"""Signing in and out, passwords, and "your account"."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from assessments import two_factor
from assessments.auth import end_lock_out
from assessments.forms.accounts import (
    ChangePasswordForm,
    PasswordResetForm,
    SetPasswordForm,
    SignInForm,
)


def _safe_next(request):
    """The page to return to after signing in, if it is on this site.

    Only a path from the root ("/standard/3/"): redirect() reads a word without a slash
    or a dot as the name of a URL, and fails on any other word.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request) or reverse("assessments:your_work"))
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if two_factor.is_on(form.user):
            # Not signed in yet: first the code from their app.
            two_factor.start_code_step(request, form.user, _safe_next(request))
            return redirect("assessments:sign_in_code")
        login(request, form.user)
        return redirect(_safe_next(request) or reverse("assessments:your_work"))
    return render(
        request, "assessments/accounts/sign_in.html", {"form": form, "next": _safe_next(request)}
    )


@require_http_methods(["GET", "POST"])
def sign_out(request):
    """GET asks to confirm, POST signs out: signing out changes state, so it needs a form."""
    if request.method == "POST":
        logout(request)
        messages.success(request, "You have signed out")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    if not request.user.is_authenticated:
        return redirect("home")
    return render(request, "assessments/accounts/sign_out.html")


@login_required
@require_safe
def account(request):
    user = request.user
    memberships = user.memberships.select_related("council").order_by("council__short_name")
    return render(
        request,
        "assessments/accounts/account.html",
        {"memberships": memberships, "two_factor_on": two_factor.is_on(user)},
    )


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def change_password(request):
    form = ChangePasswordForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Changing the password ends other sessions but keeps this one.
        update_session_auth_hash(request, form.user)
        messages.success(request, "Your password has been changed")
        return redirect("assessments:account")
    return render(request, "assessments/accounts/change_password.html", {"form": form})


# Password reset: Django's views (which never reveal whether an account exists)
# with our templates and GOV.UK wording.
password_reset = auth_views.PasswordResetView.as_view(
    form_class=PasswordResetForm,
    template_name="assessments/accounts/password_reset.html",
    email_template_name="assessments/emails/password_reset.txt",
    subject_template_name="assessments/emails/password_reset_subject.txt",
    success_url=reverse_lazy("assessments:password_reset_sent"),
    extra_email_context={"site_url": settings.SITE_URL, "service_name": settings.SERVICE_NAME},
)
password_reset_sent = auth_views.PasswordResetDoneView.as_view(
    template_name="assessments/accounts/password_reset_sent.html"
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # Only someone who reads the account's email gets here: let them sign in again.
        end_lock_out(form.user)
        return response


password_reset_confirm = PasswordResetConfirmView.as_view(
    form_class=SetPasswordForm,
    template_name="assessments/accounts/password_reset_confirm.html",
    success_url=reverse_lazy("assessments:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetCompleteView.as_view(
    template_name="assessments/accounts/password_reset_done.html"
)
