from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.shortcuts import redirect


class AdminSite(admin.AdminSite):
    """The admin, for coordinators: councils, peer groups and people.

    Who may use it is decided in assessments.rules ("assessments.use_admin"),
    like every other permission, rather than by Django's is_staff flag.
    """

    site_header = "Council digital service assessments: administration"
    site_title = "Administration"
    index_title = "Councils, peer groups and people"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or user.has_perm("assessments.use_admin"))

    def password_change(self, request, extra_context=None):
        # One page for changing your own password: the site's, which checks the
        # current one under the sign-in lock-out.
        return redirect("assessments:change_password")


class AdminConfig(DjangoAdminConfig):
    """Installs `AdminSite` above as the admin site (see INSTALLED_APPS)."""

    default_site = "lgdss.admin.AdminSite"
