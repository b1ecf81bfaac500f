"""State changes for councils and people, one function per workflow step.

Each function checks the rule it depends on, changes the database inside one
transaction (locking the rows it reads with select_for_update), and sends any
email only after the transaction has committed. Views call these; nothing else
changes the same state.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentEvent,
    Council,
    EventKind,
    EvidenceLink,
    Invitation,
    InvitationRole,
    Membership,
    PointAssessment,
    Role,
    Service,
    Status,
    User,
    normalise_email,
)
from assessments.models.people import invitation_lifetime
from standard.models import StandardVersion


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
    """Withdraw a pending invitation so its link no longer works."""
    allowed = (
        by.has_perm("assessments.invite_member", invitation.council)
        if invitation.council_id
        else by.has_perm("assessments.invite_anyone")
    )
    if not allowed:
        raise PermissionDenied
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.is_usable:
            invitation.cancelled_at = timezone.now()
            invitation.save(update_fields=["cancelled_at"])
    return invitation


def remove_member(membership, *, by):
    """Remove a person from a council.

    1. Locks the council's lead memberships, so that two leads removing each
       other at the same moment cannot leave the council with none.
    2. Checks that `by` may remove this member and that a council keeps at
       least one lead (raises ValidationError otherwise).
    3. Deletes the membership. The person's account stays: they may belong to
       other councils or review.
    """
    with transaction.atomic():
        leads = list(
            Membership.objects.select_for_update()
            .filter(council_id=membership.council_id, role=Role.LEAD)
            .values_list("pk", flat=True)
        )
        membership = (
            Membership.objects.select_for_update()
            .select_related("council", "user")
            .get(pk=membership.pk)
        )
        if membership.role == Role.LEAD and leads == [membership.pk]:
            raise ValidationError(
                f"{membership.user} is the only lead for {membership.council.short_name}. "
                "Make someone else a lead before removing them."
            )
        if not by.has_perm("assessments.remove_member", membership):
            raise PermissionDenied
        membership.delete()
    return membership


def record_adoption(council: Council, *, by, adopted_on, sponsor_role):
    """Record that a council has signed up to the Standard (or correct the record).

    1. Checks that `by` is the council's lead or a coordinator.
    2. Locks the council row and sets the date, the senior sponsor's role, who
       recorded it and when.
    """
    if not by.has_perm("assessments.record_adoption", council):
        raise PermissionDenied
    with transaction.atomic():
        council = Council.objects.select_for_update().get(pk=council.pk)
        council.adopted_on = adopted_on
        council.adoption_sponsor_role = sponsor_role.strip()
        council.adoption_recorded_by = by
        council.adoption_recorded_at = timezone.now()
        council.save(
            update_fields=[
                "adopted_on",
                "adoption_sponsor_role",
                "adoption_recorded_by",
                "adoption_recorded_at",
            ]
        )
    return council


# --- Services ---------------------------------------------------------------------


SERVICE_FIELDS = [
    "name",
    "description",
    "url",
    "phase",
    "owner",
    "sourcing",
    "product",
    "suggested_supplier",
    "suggested_product",
]


def _clean_sourcing(values):
    """An in-house service has no product; a bought one has a product or a suggestion."""
    if values.get("sourcing") != "bought":
        values.update(product=None, suggested_supplier="", suggested_product="")
    elif values.get("product") is not None:
        values.update(suggested_supplier="", suggested_product="")
    return values


def create_service(council, *, by, **values):
    """Add a digital service to a council's list (members only)."""
    if not by.has_perm("assessments.add_service", council):
        raise PermissionDenied

    values = _clean_sourcing({key: values.get(key) for key in SERVICE_FIELDS if key in values})
    with transaction.atomic():
        return Service.objects.create(council=council, created_by=by, **values)


def update_service(service, *, by, **values):
    """Change a service's details (members only). Returns the service."""
    if not by.has_perm("assessments.change_service", service):
        raise PermissionDenied
    values = _clean_sourcing({key: values.get(key) for key in SERVICE_FIELDS if key in values})
    with transaction.atomic():
        service = type(service).objects.select_for_update().get(pk=service.pk)
        for key, value in values.items():
            setattr(service, key, value)
        service.save()
    return service


def retire_service(service, *, by, retired=True):
    """Mark a service retired (or bring it back). Its assessments stay."""
    if not by.has_perm("assessments.change_service", service):
        raise PermissionDenied
    with transaction.atomic():
        service = type(service).objects.select_for_update().get(pk=service.pk)
        service.retired_at = timezone.now() if retired else None
        service.save(update_fields=["retired_at", "updated_at"])
    return service


# --- Assessments ------------------------------------------------------------------


class EditConflict(Exception):
    """Someone else saved this point after the person opened it. Carries their version."""

    def __init__(self, current):
        super().__init__("The point was changed by someone else.")
        self.current = current


class IncompleteAssessment(Exception):
    """Submission refused: these points are unscored or lack a not-applicable reason."""

    def __init__(self, problems):
        super().__init__("The assessment is not complete.")
        self.problems = problems  # [(point number, short title, what is missing)]


def _record(assessment, kind, by, *, point_number=None, detail=""):

    AssessmentEvent.objects.create(
        assessment=assessment, kind=kind, actor=by, point_number=point_number, detail=detail
    )


def start_assessment(service, *, by, phase, carry_forward=False):
    """Start assessing a service against the current version of the Standard.

    1. Checks that `by` is a member of the service's council and the service is active.
    2. Creates the assessment and one empty answer per point. The database allows one
       draft per service, so two people starting at once cannot make two.
    3. With `carry_forward`, copies the evidence and links (not the scores) of the
       service's last finished assessment, point by point (matched by number), so the team
       edits rather than retypes.
    4. Records the start in the assessment's history.
    """

    if not by.has_perm("assessments.start_assessment", service):
        raise PermissionDenied
    standard = StandardVersion.objects.current()
    previous = None
    if carry_forward:
        previous = service.assessments.finished().order_by("-submitted_at").first()
    with transaction.atomic():
        if service.assessments.filter(status=Status.DRAFT).exists():
            raise ValidationError("This service already has an assessment in progress.")
        assessment = Assessment.objects.create(
            service=service, standard=standard, phase=phase, created_by=by, started_from=previous
        )
        earlier = {}
        if previous is not None:
            earlier = {
                answer.point.number: answer
                for answer in previous.points.select_related("point").prefetch_related("links")
            }
        answers = PointAssessment.objects.bulk_create(
            PointAssessment(
                assessment=assessment,
                point=point,
                evidence=earlier[point.number].evidence if point.number in earlier else "",
            )
            for point in standard.points.order_by("number")
        )
        if earlier:
            EvidenceLink.objects.bulk_create(
                EvidenceLink(
                    point_assessment=answer, title=link.title, url=link.url, position=link.position
                )
                for answer in answers
                if answer.point.number in earlier
                for link in earlier[answer.point.number].links.all()
            )
        if previous is not None:
            _record(
                assessment,
                EventKind.REASSESSMENT,
                by,
                detail=f"Evidence carried forward from the assessment submitted on "
                f"{timezone.localtime(previous.submitted_at):%-d %B %Y}.",
            )
        else:
            _record(assessment, EventKind.CREATED, by)
    return assessment


def save_point(answer, *, by, revision, score, not_applicable, reason, evidence, links):
    """Save the team's answer for one point, unless someone else saved it first.

    1. Checks that `by` may edit the assessment (a member, while it is a draft).
    2. Locks the answer. If its revision is not the one the person started from,
       someone else saved in between: raises EditConflict with their version and
       changes nothing.
    3. Saves the score or "not applicable" and reason, the evidence and the links
       (replacing the old links), bumps the revision, and notes who and when.
    4. Records the save in the history.

    `links` is a list of (title, url) pairs. Returns the saved answer.
    """

    with transaction.atomic():
        answer = (
            PointAssessment.objects.select_for_update(of=("self",))
            .select_related("assessment__service__council", "point", "updated_by")
            .get(pk=answer.pk)
        )
        if not by.has_perm("assessments.edit_assessment", answer.assessment):
            raise PermissionDenied
        if answer.revision != revision:
            raise EditConflict(answer)
        answer.not_applicable = not_applicable
        answer.score = None if not_applicable else score
        answer.not_applicable_reason = reason.strip() if not_applicable else ""
        answer.evidence = evidence.strip()
        answer.revision += 1
        answer.updated_at = timezone.now()
        answer.updated_by = by
        answer.save()
        answer.links.all().delete()
        EvidenceLink.objects.bulk_create(
            EvidenceLink(point_assessment=answer, title=title, url=url, position=position)
            for position, (title, url) in enumerate(links)
        )
        _record(answer.assessment, EventKind.SAVED_POINT, by, point_number=answer.point.number)
    return answer


def incomplete_points(assessment):
    """What stops submission: [(number, short title, what is missing)] in point order."""
    problems = []
    for answer in assessment.points.select_related("point").order_by("point__number"):
        if answer.not_applicable and not answer.not_applicable_reason.strip():
            problems.append(
                (
                    answer.point.number,
                    answer.point.short_title,
                    "give a reason it is not applicable",
                )
            )
        elif not answer.not_applicable and answer.score is None:
            problems.append((answer.point.number, answer.point.short_title, "score this point"))
    return problems


def submit(assessment, *, by):
    """Submit a draft for peer review.

    1. Checks that `by` is a lead of the council and the assessment is a draft.
    2. Locks the assessment, then refuses (IncompleteAssessment, listing the points)
       while any point is unscored or lacks its not-applicable reason.
    3. Marks it submitted, by whom and when, and records it in the history.
    """

    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if not by.has_perm("assessments.submit_assessment", assessment):
            raise PermissionDenied
        problems = incomplete_points(assessment)
        if problems:
            raise IncompleteAssessment(problems)
        assessment.status = Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = by
        assessment.save(update_fields=["status", "submitted_at", "submitted_by"])
        _record(assessment, EventKind.SUBMITTED, by)
    return assessment


def delete_draft(assessment, *, by):
    """Delete a draft that was never submitted (anything submitted can only be withdrawn)."""

    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if not by.has_perm("assessments.delete_assessment", assessment):
            raise PermissionDenied
        assessment.delete()


def withdraw(assessment, *, by, reason):
    """Withdraw a submitted assessment, with a reason that stays on the record."""

    reason = reason.strip()
    if not reason:
        raise ValidationError("Enter why you are withdrawing the assessment")
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if not by.has_perm("assessments.withdraw_assessment", assessment):
            raise PermissionDenied
        assessment.status = Status.WITHDRAWN
        assessment.withdrawn_at = timezone.now()
        assessment.withdrawn_by = by
        assessment.withdrawal_reason = reason
        assessment.save(
            update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason"]
        )
        _record(assessment, EventKind.WITHDRAWN, by, detail=reason)
    return assessment
