"""Who may use each part of the admin, shared by every ModelAdmin in the app."""


class CoordinatorPermissions:
    """Coordinators (and superusers) may view, add and change; only superusers delete."""

    def _coordinates(self, request):
        return request.user.is_superuser or request.user.has_perm("assessments.use_admin")

    def has_module_permission(self, request):
        return self._coordinates(request)

    def has_view_permission(self, request, obj=None):
        return self._coordinates(request)

    def has_add_permission(self, request, obj=None):
        return self._coordinates(request)

    def has_change_permission(self, request, obj=None):
        return self._coordinates(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
