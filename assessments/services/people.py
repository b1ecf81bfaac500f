"""Invitations and council membership."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Invitation,
    InvitationRole,
    Membership,
    Role,
    User,
    normalise_email,
)
from assessments.models.people import invitation_lifetime


def invite(*, by, email, role, council=None, peer_group=None):
    """Invite someone to a council (as lead or contributor) or to review (in a peer group).

    1. Checks that `by` may: a council's lead invites to their council, a
       coordinator invites to any council and invites peer reviewers.
    2. Cancels any earlier pending invitation for the same person and place,
       so that only the newest link works.
    3. Stores the invitation with the hash of a new random token.
    4. After commit, emails the link (containing the token) to the invitee.

    Returns the invitation.
    """
    email = normalise_email(email)
    if role == InvitationRole.REVIEWER:
        if not by.has_perm("assessments.invite_anyone"):
            raise PermissionDenied("Only coordinators invite peer reviewers.")
        council = None
    elif not by.has_perm("assessments.invite_member", council):
        raise PermissionDenied("You may not invite people to this council.")

    token, token_hash = Invitation.new_token()
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.pending().filter(
            email=email, role=role, council=council, peer_group=peer_group
        ).update(cancelled_at=now)
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            council=council,
            peer_group=peer_group if role == InvitationRole.REVIEWER else None,
            token_hash=token_hash,
            invited_by=by,
            created_at=now,
            expires_at=now + invitation_lifetime(),
        )
        transaction.on_commit(lambda: _send_invitation(invitation, token))
    return invitation


def _send_invitation(invitation, token):
    link = settings.SITE_URL + reverse("assessments:accept_invitation", args=[token])
    context = {
        "invitation": invitation,
        "link": link,
        "service_name": settings.SERVICE_NAME,
        "days": settings.INVITATION_DAYS,
    }
    send_mail(
        subject=render_to_string("assessments/emails/invitation_subject.txt", context).strip(),
        message=render_to_string("assessments/emails/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


class InvitationUnusable(Exception):
    """The invitation was used, cancelled or has expired while the person was accepting it."""


def accept_invitation(invitation, *, user=None, full_name="", password=None):
    """Accept an invitation: make the person a member (or reviewer) and use up the link.

    1. Locks the invitation and checks it is still usable (not used, cancelled
       or expired): two clicks on one link cannot both succeed.
    2. With `user` (someone already signed in with the invited address) adds the
       role to that account; otherwise creates the account with the name and
       password given.
    3. Adds the council membership (a lead stays a lead if invited as a
       contributor) or makes the person a peer reviewer in the group.
    4. Marks the invitation accepted, by whom and when.

    Returns the user.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise InvitationUnusable
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise InvitationUnusable
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name.strip()
            )
        elif normalise_email(user.email) != invitation.email:
            raise PermissionDenied("This invitation is for a different email address.")

        if invitation.role == InvitationRole.REVIEWER:
            user.is_peer_reviewer = True
            user.reviewer_peer_group = invitation.peer_group
            user.save(update_fields=["is_peer_reviewer", "reviewer_peer_group"])
        else:
            membership, created = Membership.objects.select_for_update().get_or_create(
                user=user,
                council=invitation.council,
                defaults={"role": invitation.role, "added_by": invitation.invited_by},
            )
            if not created and invitation.role == Role.LEAD and membership.role != Role.LEAD:
                membership.role = Role.LEAD
                membership.save(update_fields=["role"])

        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def cancel_invitation(invitation, *, by):
    """Withdraw a pending invitation so its link no longer works.

    1. Checks that `by` may: the lead of the invitation's council or a coordinator
       (only coordinators, for invitations to review).
    2. Locks the invitation and, if it is still usable, marks it cancelled. Cancelling
       one that was used, cancelled or has expired meanwhile changes nothing.
    """
    if not by.has_perm("assessments.cancel_invitation", invitation):
        raise PermissionDenied
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.is_usable:
            invitation.cancelled_at = timezone.now()
            invitation.save(update_fields=["cancelled_at"])
    return invitation


def remove_member(membership, *, by):
    """Remove a person from a council.

    1. Checks that `by` may remove this member: the council's lead or a coordinator.
    2. Locks the council's lead memberships, so that two leads removing each
       other at the same moment cannot leave the council with none.
    3. Refuses (ValidationError) to remove the council's sole lead: a council
       keeps at least one.
    4. Deletes the membership. The person's account stays: they may belong to
       other councils or review.
    """
    if not by.has_perm("assessments.remove_member", membership):
        raise PermissionDenied
    with transaction.atomic():
        council_members = Membership.objects.filter(council_id=membership.council_id)
        list(council_members.leads().select_for_update().order_by("pk"))  # the lock only
        membership = (
            Membership.objects.select_for_update()
            .select_related("council", "user")
            .get(pk=membership.pk)
        )
        if council_members.sole_lead() == membership:
            raise ValidationError(only_lead_message(membership))
        membership.delete()
    return membership


def only_lead_message(membership):
    return (
        f"{membership.user} is the only lead for {membership.council.short_name}. "
        "Make someone else a lead before removing them."
    )
