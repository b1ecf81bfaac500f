"""Invitations and council membership."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from assessments.notifications import notify


def invite(*, by, email, role, council=None, peer_group=None):
    """Invite someone to a council (as lead or contributor) or to review (in a peer group).

    1. Checks that `by` may: a council's lead invites to their council, a
       coordinator invites to any council and invites peer reviewers.
    2. Cancels any earlier invitation for the same person and place that is
       neither accepted nor cancelled, so that only the newest link works.
    3. Stores the invitation.
    4. Asks for the invitation email (`notify`), in the same transaction. The
       email, sent by the worker, carries the link; its token is made when the
       email is sent and only its hash is stored.

    Returns the invitation.
    """
    email = normalise_email(email)
    if role in (InvitationRole.REVIEWER, InvitationRole.ASSESSOR):
        if not by.has_perm("assessments.invite_anyone"):
            raise PermissionDenied("Only coordinators invite reviewers.")
        council = None
    elif not by.has_perm("assessments.invite_member", council):
        raise PermissionDenied("You may not invite people to this council.")

    # A placeholder: nobody ever has this token. The email issues the real one.
    _, token_hash = Invitation.new_token()
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.unanswered().filter(
            email=email, role=role, council=council, peer_group=peer_group
        ).update(cancelled_at=now)
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            council=council,
            peer_group=peer_group if role != InvitationRole.LEAD and not council else None,
            token_hash=token_hash,
            invited_by=by,
            created_at=now,
            expires_at=now + invitation_lifetime(),
        )
        notify("invitation", invitation, [invitation.email])
    return invitation


def resend_invitation(invitation, *, by):
    """Send a new invitation, with a new link, in place of one waiting or expired.

    1. Locks the invitation and refuses (InvitationUnusable) one that was
       accepted or cancelled in the meantime.
    2. Invites the same person to the same place again with `invite`, which
       checks that `by` may, cancels this invitation (its link stops working)
       and emails the new one.

    Returns the new invitation.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.cancelled_at is not None:
            raise InvitationUnusable
        return invite(
            by=by,
            email=invitation.email,
            role=invitation.role,
            council=invitation.council,
            peer_group=invitation.peer_group,
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

        if invitation.role in (InvitationRole.REVIEWER, InvitationRole.ASSESSOR):
            user.is_peer_reviewer = True
            if invitation.role == InvitationRole.ASSESSOR:
                user.is_independent_assessor = True
            user.save(update_fields=["is_peer_reviewer", "is_independent_assessor"])
            if invitation.peer_group is not None:
                user.reviewer_peer_groups.add(invitation.peer_group)
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
    """Withdraw an invitation not yet answered (waiting or expired): its link no longer
    works, and it leaves the list of invitations waiting.

    1. Checks that `by` may: the lead of the invitation's council or a coordinator
       (only coordinators, for invitations to review).
    2. Locks the invitation and, unless it was accepted or cancelled meanwhile, marks it
       cancelled.
    """
    if not by.has_perm("assessments.cancel_invitation", invitation):
        raise PermissionDenied
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is None and invitation.cancelled_at is None:
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
