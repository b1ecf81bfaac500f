"""How an assessment moves from one state to another: the table and the one function.

Every change of an assessment's `status` goes through `change_state`; nothing else
writes that column. A transition is one row of `TRANSITIONS`: the states it may be
made from, the state it leads to, the permission (in `assessments.rules`) the person
needs, and what else it does. Peer review and publishing add rows here, not steps
of their own. See docs/decisions/0006-assessment-states.md.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessments.models import (
    AWAITING_REVIEW,
    Assessment,
    AssessmentEvent,
    AssignmentEnd,
    EventKind,
    PointAssessment,
    ReviewerAssignment,
    Role,
    Status,
    StatusChange,
    User,
)
from assessments.notifications import notify
from assessments.publishing.records import withdraw_publication_record, write_publication
from assessments.services.agreement import must_be_agreed
from assessments.services.assessments import IncompleteAssessment, incomplete_points

DELETED = None  # the target of a transition that removes the assessment


class AlreadyDone(Exception):
    """The assessment is already where the transition leads: the request was repeated
    (a double click, a second tab). Nothing changed; carries the assessment as it is."""

    def __init__(self, assessment):
        super().__init__("That has already been done.")
        self.assessment = assessment


class NotAllowedNow(Exception):
    """The transition cannot be made from the assessment's current state (someone moved
    it on in the meantime). Nothing changed; carries the assessment as it is."""

    def __init__(self, assessment):
        super().__init__(f"Not possible while the assessment is {assessment.status}.")
        self.assessment = assessment


@dataclass(frozen=True)
class Notice:
    """An email a transition sends: a notification kind, who receives it and what it is
    about (the assessment, unless `about` says otherwise: a transition made more than
    once, such as a request for clarification, names the object of each time, since
    each email of a kind is sent once per object and recipient)."""

    kind: str
    recipients: Callable  # (assessment, by) -> iterable of users or addresses
    about: Callable | None = None  # (assessment) -> a saved model instance


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str | None
    permission: str
    event: str
    reason_required: bool = False
    # Refuses the transition by raising (e.g. IncompleteAssessment); runs under the lock.
    check: Callable | None = None
    # Date columns of the assessment set to now the first time this transition is made.
    stamps: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = field(default=())
    # Writes what else the transition makes, after the state has changed, in the same
    # transaction: (assessment, by=, at=, reason=, source=) -> None. Publishing writes
    # the publication this way.
    effect: Callable | None = None


def _table(*transitions):
    return {transition.name: transition for transition in transitions}


def _coordinators(assessment, by):
    return User.objects.coordinators()


def _council_leads(assessment, by):
    """The council's leads, except the one who made the change."""
    return User.objects.leads_of(assessment.service.council).exclude(pk=by.pk)


def _current_reviewers(assessment, by):
    return User.objects.filter(
        is_active=True,
        review_assignments__assessment=assessment,
        review_assignments__confirmed_at__isnull=False,
        review_assignments__ended_at__isnull=True,
    )


def _open_round(assessment):
    return assessment.clarification_rounds.get(answered_at__isnull=True)


def _last_round(assessment):
    return assessment.clarification_rounds.order_by("-number").first()


def _round_is_open(assessment):
    """Clarification is requested with questions: services.discussion.request_clarification
    opens the round, with its questions, before making the transition."""
    if not assessment.clarification_rounds.filter(
        answered_at__isnull=True, questions__isnull=False
    ).exists():
        raise ValidationError("Ask a question on at least one point")


def _round_is_answered(assessment):
    """The answers go back once the round is closed: services.discussion.
    send_back_clarification closes it before making the transition."""
    rounds = assessment.clarification_rounds
    if rounds.filter(answered_at__isnull=True).exists() or not rounds.exists():
        raise ValidationError("Close the round of clarification first")


def _asked_in_open_round(assessment, by):
    """The council's leads and the last editor of each point asked about (if still a
    member of the council)."""
    council = assessment.service.council
    editors = PointAssessment.objects.filter(
        assessment=assessment,
        point__in=_open_round(assessment).questions.values("point"),
    ).values("updated_by")
    return (
        User.objects.filter(is_active=True, memberships__council=council)
        .filter(Q(memberships__role=Role.LEAD) | Q(pk__in=editors))
        .distinct()
    )


def _council_members(assessment, by):
    """Every active member of the council, leads and contributors."""
    return User.objects.filter(
        is_active=True, memberships__council=assessment.service.council
    ).distinct()


def _council_members_and_reviewers(assessment, by):
    """Every active member of the council and the review's current reviewers, but the
    person who made the change."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__council=assessment.service.council)
            | Q(
                review_assignments__assessment=assessment,
                review_assignments__confirmed_at__isnull=False,
                review_assignments__ended_at__isnull=True,
            )
        )
        .exclude(pk=by.pk)
        .distinct()
    )


def _council_leads_and_coordinators(assessment, by):
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__council=assessment.service.council, memberships__role=Role.LEAD)
            | Q(is_coordinator=True)
        )
        .exclude(pk=by.pk)
        .distinct()
    )


def _review_complete_if_reviewed(assessment):
    """Published as peer reviewed only with its completed review."""
    if assessment.status == Status.REVIEWED and not (
        hasattr(assessment, "review") and assessment.review.is_complete
    ):
        raise ValidationError("The peer review is not complete")


def _publish(assessment, *, by, at, reason, source):
    write_publication(assessment, by=by, at=at, source=source)
    if source == Status.SUBMITTED:
        # Published without review: reviewers assigned (or offering) before a lead was
        # named are no longer needed.
        ReviewerAssignment.objects.filter(assessment=assessment, ended_at__isnull=True).update(
            ended_at=at, ended_by=by, end=AssignmentEnd.NOT_NEEDED
        )


def _withdraw_publication(assessment, *, by, at, reason, source):
    withdraw_publication_record(assessment, by=by, at=at, reason=reason)


def _must_be_complete(assessment):
    problems = incomplete_points(assessment)
    if problems:
        raise IncompleteAssessment(problems)


TRANSITIONS = _table(
    Transition(
        name="submit",
        sources=(Status.DRAFT,),
        target=Status.SUBMITTED,
        permission="assessments.submit_assessment",
        event=EventKind.SUBMITTED,
        check=_must_be_complete,
        stamps=("submitted_at",),
        notices=(Notice("assessment_submitted", _coordinators),),
    ),
    # Peer review (docs/decisions/0015-peer-review.md). Assigning the lead reviewer starts
    # the review; the lead reviewer may send it back to the council for clarification
    # (the council's lead sends the answers back) and completes it.
    Transition(
        name="begin_review",
        sources=(Status.SUBMITTED,),
        target=Status.IN_REVIEW,
        permission="assessments.assign_reviewers",
        event=EventKind.REVIEW_STARTED,
    ),
    Transition(
        name="request_clarification",
        sources=(Status.IN_REVIEW,),
        target=Status.CLARIFICATION_REQUESTED,
        permission="assessments.lead_review",
        event=EventKind.CLARIFICATION_REQUESTED,
        check=_round_is_open,
        # Made by services.discussion.request_clarification, which creates the round first.
        notices=(Notice("clarification_requested", _asked_in_open_round, about=_open_round),),
    ),
    Transition(
        name="send_back_clarification",
        sources=(Status.CLARIFICATION_REQUESTED,),
        target=Status.IN_REVIEW,
        permission="assessments.send_back_clarification",
        event=EventKind.CLARIFICATION_ANSWERED,
        check=_round_is_answered,
        # Made by services.discussion.send_back_clarification, which closes the round first.
        notices=(Notice("clarification_answered", _current_reviewers, about=_last_round),),
    ),
    Transition(
        name="complete_review",
        sources=(Status.IN_REVIEW,),
        target=Status.REVIEWED,
        permission="assessments.lead_review",
        event=EventKind.REVIEW_COMPLETED,
        # Every point agreed, and the summary and recommendation written (ADR 0016).
        # Made through `reviewing.complete_review`, which saves those first.
        check=must_be_agreed,
        notices=(Notice("review_completed", _council_members),),
    ),
    Transition(
        name="withdraw",
        sources=AWAITING_REVIEW,
        target=Status.WITHDRAWN,
        permission="assessments.withdraw_assessment",
        event=EventKind.WITHDRAWN,
        reason_required=True,
        notices=(Notice("assessment_withdrawn", _council_leads),),
    ),
    # Publishing (docs/decisions/0020-publishing.md): once its review is complete ("peer
    # reviewed"), or, if the council chooses, before any review begins ("self-assessed").
    # Either way the publication is written, frozen, in the same transaction.
    Transition(
        name="publish",
        sources=(Status.REVIEWED, Status.SUBMITTED),
        target=Status.PUBLISHED,
        permission="assessments.publish_assessment",
        event=EventKind.PUBLISHED,
        check=_review_complete_if_reviewed,
        effect=_publish,
        notices=(Notice("assessment_published", _council_members_and_reviewers),),
    ),
    Transition(
        name="withdraw_publication",
        sources=(Status.PUBLISHED,),
        target=Status.UNPUBLISHED,
        permission="assessments.withdraw_publication",
        event=EventKind.PUBLICATION_WITHDRAWN,
        reason_required=True,
        effect=_withdraw_publication,
        notices=(Notice("publication_withdrawn", _council_leads_and_coordinators),),
    ),
    Transition(
        name="delete",
        sources=(Status.DRAFT,),
        target=DELETED,
        permission="assessments.delete_assessment",
        event="",
    ),
)


def change_state(assessment, name, *, by, reason=""):
    """Make the transition `name` of the assessment, on behalf of `by`.

    In one transaction:
    1. Locks the assessment row, so that a transition and any save to the assessment
       happen one after the other, never interleaved.
    2. If the assessment is already in the transition's target state, raises AlreadyDone
       (a repeated request); if the transition is not allowed from its current state,
       raises NotAllowedNow. Either way nothing changes.
    3. Checks that `by` has the transition's permission (PermissionDenied), that a
       required reason was given (ValidationError) and the transition's own check.
    4. Changes the state and stamps its dates, appends the status change (from, to,
       by, at, reason) and the history event, and makes the transition's effect (the
       publication, say).
    5. Enqueues the transition's emails in the same transaction, so they go out only if
       the change is committed, and once (see `assessments.notifications`).

    Returns the assessment, or None when the transition deleted it.
    """
    transition = TRANSITIONS[name]
    reason = reason.strip()
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if transition.target is not DELETED and assessment.status == transition.target:
            raise AlreadyDone(assessment)
        if assessment.status not in transition.sources:
            raise NotAllowedNow(assessment)
        if not by.has_perm(transition.permission, assessment):
            raise PermissionDenied
        if transition.reason_required and not reason:
            raise ValidationError("Enter a reason")
        if transition.check is not None:
            transition.check(assessment)

        if transition.target is DELETED:
            assessment.delete()
            return None

        now = timezone.now()
        source = assessment.status
        change = StatusChange.objects.create(
            assessment=assessment,
            from_status=assessment.status,
            to_status=transition.target,
            by=by,
            at=now,
            reason=reason,
        )
        assessment.status = transition.target
        for column in transition.stamps:
            if getattr(assessment, column) is None:
                setattr(assessment, column, now)
        assessment.save(update_fields=["status", *transition.stamps])
        AssessmentEvent.objects.create(
            assessment=assessment, kind=transition.event, actor=by, detail=reason, created_at=now
        )
        if transition.effect is not None:
            transition.effect(assessment, by=by, at=now, reason=reason, source=source)
        _send_notices(transition, assessment, by)
        assessment.status_change = change
    return assessment


def _send_notices(transition, assessment, by):
    for notice in transition.notices:
        about = notice.about(assessment) if notice.about else assessment
        notify(notice.kind, about, notice.recipients(assessment, by))


# The transitions by name, as views and tests call them.


def submit(assessment, *, by):
    """Submit a complete draft for peer review (leads only)."""
    return change_state(assessment, "submit", by=by)


def withdraw(assessment, *, by, reason):
    """Withdraw a submitted assessment, with a reason that stays on the record."""
    return change_state(assessment, "withdraw", by=by, reason=reason)


def delete_draft(assessment, *, by):
    """Delete a draft that was never submitted (anything submitted can only be withdrawn)."""
    return change_state(assessment, "delete", by=by)


def publish(assessment, *, by):
    """Publish the assessment: peer reviewed once its review is complete, self-assessed
    if it is published before any review begins. Writes the frozen publication."""
    return change_state(assessment, "publish", by=by)


def withdraw_publication(assessment, *, by, reason):
    """Withdraw a publication, with a public reason: the report stays at its address with
    the notice, and leaves every list, figure, download, API response and feed."""
    return change_state(assessment, "withdraw_publication", by=by, reason=reason)
