"""The admin, where coordinators manage councils, peer groups and people."""

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

import assessments.admin_services  # noqa: F401 - registers Supplier, Product and Service
from assessments.admin_permissions import CoordinatorPermissions
from assessments.models import Council, Invitation, Membership, PeerGroup, Role, User


class KeepsALeadFormSet(BaseInlineFormSet):
    """Refuses to remove a council's sole lead, make them a contributor or move them to
    another council: a council keeps at least one lead (MembershipQuerySet.sole_lead)."""

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            changed = form.instance  # with the form's changes applied
            saved = Membership.objects.select_related("council", "user").get(pk=changed.pk)
            stays_lead = (
                not self._should_delete_form(form)
                and changed.role == Role.LEAD
                and changed.council_id == saved.council_id
            )
            if not stays_lead and saved.council.memberships.sole_lead() == saved:
                raise ValidationError(
                    f"{saved.user} is the only lead for {saved.council.short_name}. "
                    "Make someone else a lead and save, then change or remove them."
                )


class MembershipInline(CoordinatorPermissions, admin.TabularInline):
    model = Membership
    formset = KeepsALeadFormSet
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["council"]
    fields = ["council", "role", "created_at"]
    readonly_fields = ["created_at"]

    def has_delete_permission(self, request, obj=None):
        return self._coordinates(request)


class CouncilMembershipInline(MembershipInline):
    fk_name = "council"
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]


class UserCreationForm(auth_forms.BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(CoordinatorPermissions, BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "is_coordinator",
        "is_peer_reviewer",
        "is_independent_assessor",
        "is_active",
        "last_login",
    ]
    list_filter = [
        "is_coordinator",
        "is_peer_reviewer",
        "is_independent_assessor",
        "reviewer_peer_groups",
        "is_active",
    ]
    search_fields = ["email", "full_name", "memberships__council__short_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["full_name"]}),
        (
            "Roles",
            {
                "fields": [
                    "is_coordinator",
                    "is_peer_reviewer",
                    "is_independent_assessor",
                    "reviewer_peer_groups",
                ]
            },
        ),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def has_change_permission(self, request, obj=None):
        # Also asked by the password page for the person whose password it sets.
        return request.user.has_perm("assessments.change_person", obj)

    def get_readonly_fields(self, request, obj=None):
        # Only superusers hand out superuser or staff status.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser"]
        return fields


@admin.register(PeerGroup)
class PeerGroupAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["name", "slug", "council_count", "reviewer_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                council_count=Count("councils", distinct=True),
                reviewer_count=Count("reviewers", distinct=True),
            )
        )

    @admin.display(description="Councils", ordering="council_count")
    def council_count(self, group):
        return group.council_count

    @admin.display(description="Peer reviewers", ordering="reviewer_count")
    def reviewer_count(self, group):
        return group.reviewer_count


class SignedUpFilter(admin.SimpleListFilter):
    title = "signed up to the Standard"
    parameter_name = "signed_up"

    def lookups(self, request, model_admin):
        return [("yes", "Signed up"), ("no", "Not signed up")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.signatories()
        if self.value() == "no":
            return queryset.filter(adopted_on__isnull=True)
        return queryset


@admin.register(Council)
class CouncilAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = [
        "code",
        "official_name",
        "authority_type_name",
        "region",
        "peer_group",
        "is_current",
        "adopted_on",
    ]
    list_display_links = ["code", "official_name"]
    list_filter = [
        "is_current",
        SignedUpFilter,
        "nation",
        "region",
        "authority_type_name",
        "peer_group",
    ]
    list_select_related = ["peer_group"]
    list_editable = ["peer_group"]
    search_fields = ["official_name", "short_name", "code", "gss_code"]
    autocomplete_fields = ["replaced_by"]
    readonly_fields = ["adoption_recorded_by", "adoption_recorded_at"]
    inlines = [CouncilMembershipInline]
    fieldsets = [
        (None, {"fields": ["code", "official_name", "short_name", "gss_code"]}),
        (
            "Place",
            {"fields": ["nation", "region", "authority_type", "authority_type_name", "population"]},
        ),
        ("Status", {"fields": ["is_current", "start_date", "end_date", "replaced_by"]}),
        ("Peer review", {"fields": ["peer_group"]}),
        (
            "Signing up to the Standard",
            {
                "fields": [
                    "adopted_on",
                    "adoption_sponsor_role",
                    "adoption_recorded_by",
                    "adoption_recorded_at",
                ]
            },
        ),
    ]


@admin.register(Invitation)
class InvitationAdmin(CoordinatorPermissions, admin.ModelAdmin):
    """Invitations are sent from the service (so the email goes out); here they are read."""

    list_display = [
        "email",
        "role",
        "council",
        "peer_group",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "cancelled_at",
    ]
    list_filter = ["role", "accepted_at", "cancelled_at"]
    list_select_related = ["council", "peer_group", "invited_by"]
    search_fields = ["email", "council__short_name"]
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
