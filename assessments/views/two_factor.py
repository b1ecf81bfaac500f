"""Two-factor authentication: the code asked for after the password, and setting it up,
turning it off and making new recovery codes under "Your account"."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from assessments import two_factor
from assessments.auth import locked_out, sign_in_is_paused
from assessments.forms.two_factor import ConfirmPasswordForm, RecoveryCodeForm, SecurityCodeForm

# The recovery codes just made, kept in the session for the one page that shows them.
NEW_CODES_SESSION_KEY = "two_factor_new_recovery_codes"

# --- Signing in: the second step ------------------------------------------------


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    return _code_step(request, SecurityCodeForm, recovery=False)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_recovery_code(request):
    return _code_step(request, RecoveryCodeForm, recovery=True)


def _code_step(request, form_class, *, recovery):
    user = two_factor.waiting_for_code(request)
    if user is None:  # no password given in this session, or too long ago
        return redirect("assessments:sign_in")
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if sign_in_is_paused(request, user):
            return locked_out(request)
        device = two_factor.check_code(request, user, form.cleaned_data["code"], recovery=recovery)
        if device is not None:
            next_url = two_factor.finish_sign_in(request, user, device)
            if recovery:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You have {left} recovery code{'' if left == 1 else 's'} left. "
                    "If you have lost your app, turn two-factor authentication off and on "
                    "again to set up a new one.",
                )
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        form.add_error("code", form.wrong_code)
    template = "sign_in_recovery_code.html" if recovery else "sign_in_code.html"
    return render(request, f"assessments/two_factor/{template}", {"form": form})


# --- Your account -------------------------------------------------------------------


@login_required
@require_safe
def status(request):
    user = request.user
    return render(
        request,
        "assessments/two_factor/status.html",
        {
            "is_on": two_factor.is_on(user),
            "is_required": two_factor.is_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
        },
    )


@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def set_up(request):
    user = request.user
    if two_factor.is_on(user):
        return redirect("assessments:two_factor")
    device = two_factor.app_being_set_up(user)
    form = SecurityCodeForm(
        request.POST if request.method == "POST" else None,
        button="Turn on two-factor authentication",
    )
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(request, device, form.cleaned_data["code"])
        if codes is not None:
            return _show_new_codes(request, codes)
        if two_factor.is_on(user):  # set up meanwhile in another window
            return redirect("assessments:two_factor")
        form.add_error("code", form.wrong_code)
    return render(
        request,
        "assessments/two_factor/set_up.html",
        {"form": form, "device": device, "is_required": two_factor.is_required(user)},
    )


def _show_new_codes(request, codes):
    request.session[NEW_CODES_SESSION_KEY] = codes
    return redirect("assessments:recovery_codes")


@login_required
@require_safe
def recovery_codes(request):
    """Shows recovery codes just made, once: they are not kept anywhere they can be read."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("assessments:two_factor")
    return render(request, "assessments/two_factor/recovery_codes.html", {"codes": codes})


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def new_recovery_codes(request):
    if not two_factor.is_on(request.user):
        return redirect("assessments:two_factor")
    form = ConfirmPasswordForm(
        request,
        request.POST if request.method == "POST" else None,
        button="Make new recovery codes",
    )
    if request.method == "POST" and form.is_valid():
        return _show_new_codes(request, two_factor.new_recovery_codes(request.user))
    return render(request, "assessments/two_factor/new_recovery_codes.html", {"form": form})


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def turn_off(request):
    user = request.user
    if not two_factor.is_on(user):
        return redirect("assessments:two_factor")
    form = ConfirmPasswordForm(
        request,
        request.POST if request.method == "POST" else None,
        button="Turn off two-factor authentication",
    )
    if request.method == "POST" and form.is_valid():
        two_factor.turn_off(user)
        if two_factor.is_required(user):
            messages.success(request, "Two-factor authentication is off. Set up your new app now")
            return redirect("assessments:two_factor_set_up")
        messages.success(request, "Two-factor authentication is off")
        return redirect("assessments:two_factor")
    return render(
        request,
        "assessments/two_factor/turn_off.html",
        {"form": form, "is_required": two_factor.is_required(user)},
    )
