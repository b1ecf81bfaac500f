from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class AdminSite(admin.AdminSite):
    """The admin, for coordinators: councils, peer groups and people.

    Who may use it is decided in assessments.rules ("assessments.use_admin"),
    like every other permission, rather than by Django's is_staff flag. They all
    must use two-factor authentication, so a session no code has verified may not
    use it, as in django-otp's OTPAdminSite.
    """

    site_header = "Council digital service assessments: administration"
    site_title = "Administration"
    index_title = "Councils, peer groups and people"

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_verified()
            and (user.is_superuser or user.has_perm("assessments.use_admin"))
        )

    def login(self, request, extra_context=None):
        # One page for signing in: the site's, which asks for the security code after
        # the password and counts both towards the sign-in lock-out.
        from django.contrib.auth.views import redirect_to_login  # needs the apps loaded

        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(reverse("admin:index", current_app=self.name))
            raise PermissionDenied  # signed in, but may not use the admin
        return redirect_to_login(
            request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        )

    def password_change(self, request, extra_context=None):
        # One page for changing your own password: the site's, which checks the
        # current one under the sign-in lock-out.
        return redirect("assessments:change_password")


class AdminConfig(DjangoAdminConfig):
    """Installs `AdminSite` above as the admin site (see INSTALLED_APPS)."""

    default_site = "lgdss.admin.AdminSite"
