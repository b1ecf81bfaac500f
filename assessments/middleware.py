"""Two-factor authentication, enforced on every page (see assessments.two_factor)."""

from django.shortcuts import redirect

from assessments import two_factor

# All that a coordinator or staff member who has not set up two-factor authentication
# may reach, until they do.
SET_UP_PAGES = {
    "assessments:two_factor_set_up",
    "assessments:recovery_codes",
    "assessments:sign_out",
}


class TwoFactorMiddleware:
    """Keeps signed-in sessions that no code has verified to what they may reach.

    - A person with an authenticator app whose session was never verified (they signed
      in elsewhere before setting the app up, say) is signed out there and asked for a
      code from it, whatever page they asked for.
    - A coordinator or staff member without an app reaches only the set-up page and
      signing out, until they set one up.

    Everyone else is left alone. It comes after django-otp's OTPMiddleware, which says
    whether the session is verified. The admin checks again for itself
    (lgdss.admin.AdminSite.has_permission).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        view_name = request.resolver_match.view_name
        if view_name == "assessments:sign_out":
            return None
        if two_factor.is_on(user):
            next_url = request.get_full_path() if request.method == "GET" else ""
            two_factor.ask_for_code_again(request, next_url)
            return redirect("assessments:sign_in_code")
        if two_factor.is_required(user) and view_name not in SET_UP_PAGES:
            return redirect("assessments:two_factor_set_up")
        return None
