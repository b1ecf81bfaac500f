"""A council's members, invitations, and accepting an invitation."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments import services
from assessments.forms.members import AcceptInvitationForm, InviteAnyoneForm, InviteMemberForm
from assessments.models import Invitation, InvitationRole, Membership, User
from assessments.views.lookups import council_for, invitation_from_url, membership_from_url


@login_required
@require_safe
def member_list(request, code):
    """The council's members and, for those who manage them, invitations waiting."""
    council = council_for(request, code, "assessments.view_members")
    members = (
        Membership.objects.visible_to(request.user)
        .filter(council=council)
        .select_related("user", "council")
        .order_by("role", "user__full_name", "user__email")
    )
    can_invite = request.user.has_perm("assessments.invite_member", council)
    sole_lead = council.memberships.sole_lead()
    rows = [
        {
            "membership": m,
            "can_remove": m != sole_lead and request.user.has_perm("assessments.remove_member", m),
        }
        for m in members
    ]
    invitations = (
        Invitation.objects.visible_to(request.user)
        .filter(council=council)
        .unanswered()
        .select_related("invited_by")
        .order_by("-created_at")
        if can_invite
        else []
    )
    return render(
        request,
        "assessments/members/member_list.html",
        {"council": council, "rows": rows, "can_invite": can_invite, "invitations": invitations},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite_member(request, code):
    council = council_for(request, code, "assessments.invite_member")
    form = InviteMemberForm(request.POST if request.method == "POST" else None, council=council)
    if request.method == "POST" and form.is_valid():
        services.invite(
            by=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            council=council,
        )
        messages.success(request, f"Invitation sent to {form.cleaned_data['email']}")
        return redirect("assessments:member_list", code=council)
    return render(
        request, "assessments/members/invite_member.html", {"council": council, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove_member(request, code, pk):
    """Remove someone from the council, after asking. Its sole lead cannot be removed (409)."""
    membership = membership_from_url(request, code, pk, "assessments.remove_member")
    council = membership.council
    error = None
    if request.method == "POST":
        try:
            services.remove_member(membership, by=request.user)
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            messages.success(
                request, f"{membership.user} has been removed from {council.short_name}"
            )
            return redirect("assessments:member_list", code=council)
    elif council.memberships.sole_lead() == membership:
        error = services.only_lead_message(membership)
    return render(
        request,
        "assessments/members/remove_member.html",
        {"council": council, "membership": membership, "error": error},
        status=409 if error else 200,
    )


@login_required
@require_POST
def cancel_invitation(request, pk):
    invitation = invitation_from_url(request, pk, "assessments.cancel_invitation")
    services.cancel_invitation(invitation, by=request.user)
    messages.success(request, f"The invitation to {invitation.email} has been cancelled")
    if invitation.council_id and request.POST.get("from") == "council":
        return redirect("assessments:member_list", code=invitation.council)
    return redirect("assessments:invitation_list")


@login_required
@require_POST
def resend_invitation(request, pk):
    invitation = invitation_from_url(request, pk, "assessments.resend_invitation")
    try:
        services.resend_invitation(invitation, by=request.user)
    except services.InvitationUnusable:
        messages.info(
            request,
            f"The invitation to {invitation.email} has been accepted or cancelled: "
            "no new link was sent",
        )
    else:
        messages.success(request, f"A new invitation link has been sent to {invitation.email}")
    if invitation.council_id and request.POST.get("from") == "council":
        return redirect("assessments:member_list", code=invitation.council)
    return redirect("assessments:invitation_list")


@login_required
@require_safe
def invitation_list(request):
    if not request.user.has_perm("assessments.invite_anyone"):
        raise PermissionDenied
    invitations = Invitation.objects.visible_to(request.user)
    return render(
        request,
        "assessments/members/invitation_list.html",
        {
            "invitations": invitations.select_related(
                "council", "peer_group", "invited_by"
            ).order_by("-created_at")[:100],
            "pending_count": invitations.pending().count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite_anyone(request):
    if not request.user.has_perm("assessments.invite_anyone"):
        raise PermissionDenied
    form = InviteAnyoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.invite(
            by=request.user,
            email=data["email"],
            role=data["role"],
            council=data["council"],
            peer_group=data["peer_group"],
        )
        messages.success(request, f"Invitation sent to {data['email']}")
        return redirect("assessments:invitation_list")
    return render(request, "assessments/members/invite_anyone.html", {"form": form})


def _landing_page(invitation):
    if invitation.role in (InvitationRole.REVIEWER, InvitationRole.ASSESSOR):
        return reverse("assessments:account")
    return reverse("assessments:member_list", args=[invitation.council])


@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    """Where the emailed link leads. Tampered, used and expired links get a clear page."""
    try:
        invitation = Invitation.objects.select_related(
            "council", "peer_group", "invited_by"
        ).for_token(token)
    except Invitation.DoesNotExist:
        return render(request, "assessments/members/invitation_invalid.html", status=404)
    if not invitation.is_usable:
        return render(
            request,
            "assessments/members/invitation_unusable.html",
            {"invitation": invitation},
            status=410,
        )

    existing = User.objects.filter(email__iexact=invitation.email).first()
    context = {"invitation": invitation}

    if existing is not None:
        # The invitee already has an account: they accept it signed in as themselves.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user != existing:
            return render(
                request, "assessments/members/invitation_wrong_account.html", context, status=403
            )
        if request.method == "POST":
            return _accept(request, invitation, user=request.user)
        return render(request, "assessments/members/accept_existing.html", context)

    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None, email=invitation.email
    )
    if request.method == "POST" and form.is_valid():
        return _accept(
            request,
            invitation,
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["new_password1"],
        )
    return render(request, "assessments/members/accept_new.html", {**context, "form": form})


def _accept(request, invitation, **kwargs):
    try:
        user = services.accept_invitation(invitation, **kwargs)
    except services.InvitationUnusable:
        invitation.refresh_from_db()
        return render(
            request,
            "assessments/members/invitation_unusable.html",
            {"invitation": invitation},
            status=410,
        )
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if invitation.role == InvitationRole.ASSESSOR:
        messages.success(request, "You are now an independent assessor")
    elif invitation.role == InvitationRole.REVIEWER:
        messages.success(
            request, f"You are now a peer reviewer in the {invitation.peer_group} peer group"
        )
    else:
        role = dict(InvitationRole.choices)[invitation.role].lower()
        messages.success(request, f"You are now a {role} for {invitation.council.short_name}")
    return redirect(_landing_page(invitation))
