"""Who reviews a submitted assessment: coordinators assign reviewers and name the lead,
peer reviewers offer to review, a reviewer with a conflict of interest steps aside.

Every function here, in one transaction:
- locks the assessment row, so that two coordinators (or a coordinator and a volunteer)
  acting at once happen one after the other, and a transition (a withdrawal, say) never
  interleaves with an assignment;
- checks the rule (`by.has_perm`) and, because Django gives an active superuser every
  permission without asking the rules, checks the state and the conflict of interest
  again under the lock;
- writes the history (`AssessmentEvent`) and asks for its emails (`notify`).

A conflict's reason is kept on the assignment for coordinators only: the history, which
the council's members read, never carries it. See docs/decisions/0015-peer-review.md and
docs/decisions/0017-assigning-reviewers.md.
"""

from datetime import timedelta

import holidays
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    AWAITING_REVIEW,
    Assessment,
    AssessmentEvent,
    AssignmentEnd,
    EventKind,
    Membership,
    Review,
    ReviewerAssignment,
    Status,
    User,
)
from assessments.notifications import notify
from assessments.services.conflicts import EditConflict
from assessments.services.transitions import NotAllowedNow, change_state

WORKING_DAYS_TO_REVIEW = 15
MIN_REVIEWERS = 2
MAX_REVIEWERS = 3


class ConflictOfInterest(PermissionDenied):
    """The reviewer is a member of the assessed council: refused whoever asks."""

    def __init__(self, reviewer, council):
        super().__init__(f"{reviewer} is a member of {council.short_name}.")


def working_days_after(start, days=WORKING_DAYS_TO_REVIEW):
    """The date `days` working days after `start`, skipping Saturdays, Sundays and the
    bank holidays of England and Wales (which `holidays` keeps up to date, substitute
    days included)."""
    years = range(start.year, start.year + 2)
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=years)
    day = start
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in bank_holidays:
            days -= 1
    return day


def _lock(assessment):
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("service__council")
        .get(pk=assessment.pk)
    )


def _lock_for_coordinator(assessment, by):
    """The assessment, locked, if `by` may assign its reviewers now."""
    assessment = _lock(assessment)
    if not by.has_perm("assessments.assign_reviewers", assessment):
        raise PermissionDenied
    if assessment.status not in AWAITING_REVIEW:  # for superusers, whom the rule skips
        raise NotAllowedNow(assessment)
    return assessment


def _check_can_review(reviewer, assessment):
    """A reviewer (peer or independent assessor), active, and not a member of the
    assessed council. Asked of the database, not of any cached answer: the conflict of
    interest is refused however the request came."""
    council = assessment.service.council
    if Membership.objects.filter(user=reviewer, council=council).exists():
        raise ConflictOfInterest(reviewer, council)
    if not (reviewer.is_active and reviewer.is_peer_reviewer):
        raise ValidationError(f"{reviewer} is not a reviewer.")


def _current(assessment):
    return ReviewerAssignment.objects.current().filter(assessment=assessment)


def _check_room(assessment):
    if _current(assessment).count() >= MAX_REVIEWERS:
        raise ValidationError(f"A review has at most {MAX_REVIEWERS} reviewers.")


def _open_assignment(assignment, assessment):
    """The assignment, locked, if it is one of the assessment's and not ended."""
    try:
        return ReviewerAssignment.objects.select_for_update(of=("self",)).get(
            pk=assignment.pk, assessment=assessment, ended_at__isnull=True
        )
    except ReviewerAssignment.DoesNotExist:
        raise ValidationError("That reviewer is no longer on this review.") from None


def _ensure_review(assessment, today):
    """The assessment's review, made on the first assignment with its due date."""
    review, _ = Review.objects.get_or_create(
        assessment=assessment, defaults={"due_on": working_days_after(today)}
    )
    return review


def _make_lead(assessment, assignment, by):
    """Make `assignment` the lead, the previous lead becoming a reviewer; begin the
    review if it has not begun."""
    _current(assessment).filter(is_lead=True).exclude(pk=assignment.pk).update(is_lead=False)
    assignment.is_lead = True
    assignment.save(update_fields=["is_lead"])
    if assessment.status == Status.SUBMITTED:
        change_state(assessment, "begin_review", by=by)


def _record(assessment, kind, by, detail=""):
    AssessmentEvent.objects.create(assessment=assessment, kind=kind, actor=by, detail=detail)


def _role(assignment):
    return "lead reviewer" if assignment.is_lead else "reviewer"


def assign(assessment, reviewer, *, by, lead=False):
    """A coordinator puts `reviewer` on the review of `assessment`, as lead if `lead`.

    1. Locks the assessment; checks the `assign_reviewers` rule and that it waits for
       review (NotAllowedNow otherwise).
    2. Refuses a member of the assessed council (ConflictOfInterest) and anyone who is
       not an active reviewer, or already a current reviewer of it (ValidationError).
    3. Refuses a fourth reviewer (ValidationError). An offer the reviewer made is
       confirmed rather than doubled.
    4. Makes the review on the first assignment, due 15 working days from today.
    5. Records the assignment; as lead, the previous lead (if any) stays a reviewer,
       and a review not yet begun begins (`begin_review`, in this transaction).
    6. Writes the history and emails the reviewer (`reviewer_assigned`).

    Returns the assignment.
    """
    with transaction.atomic():
        assessment = _lock_for_coordinator(assessment, by)
        _check_can_review(reviewer, assessment)
        existing = ReviewerAssignment.objects.open().filter(
            assessment=assessment, reviewer=reviewer
        )
        offer = existing.filter(confirmed_at__isnull=True).first()
        if offer is None and existing.exists():
            raise ValidationError(f"{reviewer} is already a reviewer of this assessment.")
        _check_room(assessment)
        now = timezone.now()
        _ensure_review(assessment, timezone.localdate(now))
        if offer is not None:
            assignment = offer
            assignment.confirmed_at, assignment.confirmed_by = now, by
            assignment.save(update_fields=["confirmed_at", "confirmed_by"])
        else:
            assignment = ReviewerAssignment.objects.create(
                assessment=assessment,
                reviewer=reviewer,
                created_by=by,
                created_at=now,
                confirmed_at=now,
                confirmed_by=by,
            )
        if lead:
            _make_lead(assessment, assignment, by)
        _record(assessment, EventKind.REVIEWER_ASSIGNED, by, f"{reviewer} ({_role(assignment)})")
        notify("reviewer_assigned", assignment, [reviewer])
    return assignment


def make_lead(assignment, *, by):
    """A coordinator names a current reviewer the lead reviewer.

    1. Locks the assessment; checks the rule and the state.
    2. Refuses an assignment that has ended or is still an offer (ValidationError).
    3. The previous lead stays a reviewer; a review not yet begun begins.
    4. Writes the history. (The reviewer was emailed when assigned.)
    """
    with transaction.atomic():
        assessment = _lock_for_coordinator(assignment.assessment, by)
        assignment = _open_assignment(assignment, assessment)
        if assignment.confirmed_at is None:
            raise ValidationError("Confirm the offer before naming them lead reviewer.")
        if assignment.is_lead:
            return assignment
        _check_can_review(assignment.reviewer, assessment)
        _make_lead(assessment, assignment, by)
        _record(
            assessment, EventKind.REVIEWER_ASSIGNED, by, f"{assignment.reviewer} (lead reviewer)"
        )
    return assignment


def unassign(assignment, *, by):
    """A coordinator takes a current reviewer off the review.

    1. Locks the assessment; checks the rule and the state.
    2. Ends the assignment (unassigned, by whom, when); nothing is deleted.
    3. Writes the history and emails the reviewer (`reviewer_unassigned`).
    """
    with transaction.atomic():
        assessment = _lock_for_coordinator(assignment.assessment, by)
        assignment = _open_assignment(assignment, assessment)
        if assignment.confirmed_at is None:
            raise ValidationError("That is an offer to review: decline it instead.")
        _end(assignment, by, AssignmentEnd.UNASSIGNED)
        _record(
            assessment,
            EventKind.REVIEWER_UNASSIGNED,
            by,
            f"{assignment.reviewer} ({_role(assignment)})",
        )
        notify("reviewer_unassigned", assignment, [assignment.reviewer])
    return assignment


def _end(assignment, by, end, reason=""):
    assignment.ended_at = timezone.now()
    assignment.ended_by = by
    assignment.end = end
    assignment.conflict_reason = reason
    assignment.save(update_fields=["ended_at", "ended_by", "end", "conflict_reason"])


def change_due_date(assessment, due_on, *, by, was=None):
    """A coordinator changes when the review is due.

    1. Locks the assessment; checks the rule and the state.
    2. Refuses before the review exists (its first reviewer sets the first date) and a
       date in the past (ValidationError).
    3. `was` is the date the coordinator saw: if another coordinator has changed it since,
       raises EditConflict with the review as it is now, and changes nothing.
    4. Saves the date and writes the history (from and to). The overdue reminder still
       goes once per review, so moving the date on does not send a second one.
    """
    with transaction.atomic():
        assessment = _lock_for_coordinator(assessment, by)
        review = Review.objects.select_for_update().filter(assessment=assessment).first()
        if review is None:
            raise ValidationError("Assign a reviewer first: the review starts with them.")
        if due_on < timezone.localdate():
            raise ValidationError("Due date must be today or in the future")
        if was is not None and review.due_on != was:
            raise EditConflict(review)
        if review.due_on == due_on:
            return review
        before = review.due_on
        review.due_on = due_on
        review.save(update_fields=["due_on"])
        _record(
            assessment,
            EventKind.DUE_DATE_CHANGED,
            by,
            f"From {before:%-d %B %Y} to {due_on:%-d %B %Y}",
        )
    return review


def needs_reviewers(assessment, current):
    """Whether an assessment with these current assignments still needs reviewers:
    fewer than three, or no lead."""
    return len(current) < MAX_REVIEWERS or not any(a.is_lead for a in current)


def volunteer(assessment, *, by):
    """A peer reviewer offers to review an assessment from one of their peer groups.

    1. Locks the assessment; checks the `volunteer_to_review` rule and the state.
    2. Refuses a member of the assessed council (ConflictOfInterest), someone already
       on the review or with an offer waiting, and a review that needs nobody
       (ValidationError).
    3. Records the offer (unconfirmed: a coordinator confirms it) and the history.
    """
    with transaction.atomic():
        assessment = _lock(assessment)
        if not by.has_perm("assessments.volunteer_to_review", assessment):
            raise PermissionDenied
        if assessment.status not in AWAITING_REVIEW:
            raise NotAllowedNow(assessment)
        _check_can_review(by, assessment)
        if ReviewerAssignment.objects.open().filter(assessment=assessment, reviewer=by).exists():
            raise ValidationError("You have already offered to review this assessment.")
        if not needs_reviewers(assessment, list(_current(assessment))):
            raise ValidationError("This assessment has all the reviewers it needs.")
        assignment = ReviewerAssignment.objects.create(
            assessment=assessment, reviewer=by, created_by=by, volunteered=True
        )
        _record(assessment, EventKind.REVIEWER_VOLUNTEERED, by, str(by))
    return assignment


def confirm_offer(assignment, *, by):
    """A coordinator takes up a volunteer's offer: as `assign`, for the volunteer."""
    return assign(assignment.assessment, assignment.reviewer, by=by)


def decline_offer(assignment, *, by):
    """A coordinator does not take up a volunteer's offer.

    1. Locks the assessment; checks the rule and the state.
    2. Ends the offer (not taken up); writes the history and tells the volunteer
       (`reviewer_unassigned`, which says it was an offer).
    """
    with transaction.atomic():
        assessment = _lock_for_coordinator(assignment.assessment, by)
        assignment = _open_assignment(assignment, assessment)
        if assignment.confirmed_at is not None:
            raise ValidationError("They are already a reviewer: unassign them instead.")
        _end(assignment, by, AssignmentEnd.NOT_CONFIRMED)
        _record(
            assessment,
            EventKind.REVIEWER_UNASSIGNED,
            by,
            f"Did not take up {assignment.reviewer}'s offer to review",
        )
        notify("reviewer_unassigned", assignment, [assignment.reviewer])
    return assignment


def step_aside(assessment, *, by, reason):
    """A current reviewer declares a conflict of interest and steps aside.

    1. Locks the assessment; checks the `step_aside` rule and the state; `by` must be a
       current reviewer of it (PermissionDenied otherwise, superusers included).
    2. Requires a reason (ValidationError), kept on the assignment for coordinators.
    3. Ends the assignment (conflict of interest); the history says only that they
       stepped aside, never why.
    4. Emails the coordinators (`reviewer_stepped_aside`), who assign someone else.
    """
    reason = reason.strip()
    with transaction.atomic():
        assessment = _lock(assessment)
        if not by.has_perm("assessments.step_aside", assessment):
            raise PermissionDenied
        if assessment.status not in AWAITING_REVIEW:
            raise NotAllowedNow(assessment)
        assignment = (
            _current(assessment).select_for_update(of=("self",)).filter(reviewer=by).first()
        )
        if assignment is None:
            raise PermissionDenied
        if not reason:
            raise ValidationError("Enter why you are stepping aside")
        _end(assignment, by, AssignmentEnd.CONFLICT, reason)
        _record(assessment, EventKind.REVIEWER_STEPPED_ASIDE, by, f"{by} ({_role(assignment)})")
        notify("reviewer_stepped_aside", assignment, User.objects.coordinators())
    return assignment


def send_overdue_reminders(today=None):
    """Email once about each review that has become overdue: to its current reviewers
    and the coordinators. Safe to run as often as wanted, from several places at once.

    1. Finds reviews past their due date, not complete, of assessments still waiting
       for review, whose reminder has not been asked for.
    2. For each, locks the review (skipping one another run has locked), checks again,
       notes the reminder (`overdue_notified_at`) and asks for the emails, in one
       transaction: a review is reminded about once.

    Returns the number of reviews reminded about.
    """
    today = today or timezone.localdate()
    due = Review.objects.filter(
        completed_at__isnull=True,
        overdue_notified_at__isnull=True,
        due_on__lt=today,
        assessment__status__in=AWAITING_REVIEW,
    )
    reminded = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            review = due.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
            if review is None:
                continue
            review.overdue_notified_at = timezone.now()
            review.save(update_fields=["overdue_notified_at"])
            reviewers = [
                assignment.reviewer
                for assignment in _current(review.assessment_id).select_related("reviewer")
            ]
            notify("review_overdue", review, [*reviewers, *User.objects.coordinators()])
            reminded += 1
    return reminded
