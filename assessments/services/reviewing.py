"""Peer review, the reviewers' side: each reviewer scores and comments on every point, the
lead reviewer sets the agreed score of each point and completes the review, and the
council responds on the record. See docs/decisions/0015-peer-review.md and
docs/decisions/0016-agreed-scores.md.

Assigning reviewers, the discussion on each point and clarification rounds are elsewhere.
Reviewers' own scores and the agreed scores are private to the reviewers until the review
is complete, so saving them writes no line in the assessment's history (which the
council reads); completing and responding do.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    AgreedPoint,
    Assessment,
    AssessmentEvent,
    EventKind,
    Membership,
    Review,
    ReviewerAssignment,
    ReviewerPoint,
    Status,
)
from assessments.scoring import TaskStatus
from assessments.services.conflicts import EditConflict
from assessments.services.transitions import change_state

# While it is with its reviewers they score; only while it is in review (not waiting for
# the council's clarification) does the lead agree scores and complete.
BEING_REVIEWED = (Status.IN_REVIEW, Status.CLARIFICATION_REQUESTED)


class ReviewClosed(Exception):
    """The assessment moved on (the review was completed, or the assessment went back to
    the council or was withdrawn) before this save landed. Nothing was saved; carries the
    assessment as it now is."""

    def __init__(self, assessment):
        super().__init__("The review can no longer be changed.")
        self.assessment = assessment


def current_assignment(user, assessment, *, lead=False):
    """The user's current assignment to the assessment (the lead's, with `lead`), or None.

    Asked besides the rules because Django gives an active superuser every permission:
    only an assigned reviewer scores, whoever they are."""
    if not (user.is_authenticated and user.is_active):
        return None
    assignments = ReviewerAssignment.objects.current().filter(
        assessment_id=assessment.pk, reviewer=user
    )
    if lead:
        assignments = assignments.filter(is_lead=True)
    return assignments.first()


def is_member_of_council(user, assessment):
    """Whether `user` belongs to the assessed council: they never review it, even if an
    assignment says so (they joined the council after being assigned, say)."""
    return Membership.objects.filter(user=user, council_id=assessment.service.council_id).exists()


def reviewer_task_status(row):
    """Where a reviewer (or the lead, for the agreed score) has got to with one point.

    Completed: a score or not applicable, and at least one of the two comments.
    Incomplete: anything entered short of that. Not yet started: nothing entered (or no
    row). The same GOV.UK task statuses as self-assessment.
    """
    if row is None:
        return TaskStatus.NOT_STARTED
    scored = row.not_applicable or row.score is not None
    commented = bool(row.done_well.strip() or row.to_explore.strip())
    if scored and commented:
        return TaskStatus.COMPLETED
    if scored or commented:
        return TaskStatus.INCOMPLETE
    return TaskStatus.NOT_STARTED


def _lock(assessment, *, by, perm, lead=False, states=BEING_REVIEWED):
    """Lock the assessment and check that `by` may do this to it now.

    A current reviewer (or the lead) whose assessment moved on gets ReviewClosed; anyone
    else PermissionDenied. The state and the assignment are asked as well as the rule,
    since a superuser is never asked the rule."""
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("service__council")
        .get(pk=assessment.pk)
    )
    if current_assignment(by, assessment, lead=lead) is None or is_member_of_council(
        by, assessment
    ):
        raise PermissionDenied
    if assessment.status not in states or not by.has_perm(perm, assessment):
        if assessment.status in states:
            raise PermissionDenied
        raise ReviewClosed(assessment)
    return assessment


def _save_scores(row, *, by, score, not_applicable, done_well, to_explore):
    """Copy the form's values onto a ReviewerPoint or AgreedPoint; False if nothing changed."""
    new = {
        "score": None if not_applicable else score,
        "not_applicable": not_applicable,
        "done_well": done_well.strip(),
        "to_explore": to_explore.strip(),
    }
    if all(getattr(row, name) == value for name, value in new.items()) and row.pk:
        return False
    for name, value in new.items():
        setattr(row, name, value)
    row.revision += 1
    row.updated_at = timezone.now()
    return True


def save_reviewer_point(
    assessment, point, *, by, revision, score, not_applicable, done_well, to_explore
):
    """Save a reviewer's own score and comments on one point, unless they saved it from
    another tab or window since they opened this one.

    1. Locks the assessment: a save and a transition (completing, or sending it back to
       the council) happen one after the other.
    2. Checks that `by` is a current reviewer and may review it now (`review_assessment`:
       in review or waiting for clarification). A reviewer whose review was completed
       meanwhile gets ReviewClosed; anyone else PermissionDenied. Nothing is saved.
    3. Locks the reviewer's row for the point (or starts one, at revision 0). If its
       revision is not the one the form was opened at, raises EditConflict with the row
       as it is now and changes nothing. Only its reviewer ever writes the row, so the
       other version is their own, from another tab.
    4. Saves the score or "not applicable" and the two comments, bumps the revision.
       No history line: reviewers' drafts are private until the review is complete.

    Returns the saved row.
    """
    with transaction.atomic():
        assessment = _lock(assessment, by=by, perm="assessments.review_assessment")
        row = (
            ReviewerPoint.objects.select_for_update()
            .filter(assessment=assessment, point=point, reviewer=by)
            .first()
        ) or ReviewerPoint(assessment=assessment, point=point, reviewer=by)
        if row.revision != revision:
            raise EditConflict(row)
        if _save_scores(
            row,
            by=by,
            score=score,
            not_applicable=not_applicable,
            done_well=done_well,
            to_explore=to_explore,
        ):
            row.save()
    return row


def save_agreed_point(
    assessment,
    point,
    *,
    by,
    revision,
    score,
    not_applicable,
    done_well,
    to_explore,
):
    """The lead reviewer sets the agreed score and comments of one point
    (docs/decisions/0016-agreed-scores.md).

    1. Locks the assessment, and checks that `by` is its current lead reviewer and it is
       in review (`lead_review`); ReviewClosed if it moved on, PermissionDenied otherwise.
    2. Locks the point's agreed row (or starts one). If its revision moved since the form
       was opened (the lead in another tab, or a new lead after a coordinator changed
       reviewers), raises EditConflict with it. The page shows it; saving again from there carries its
       revision and replaces it deliberately.
    3. Saves the score or "not applicable" and the comments, bumps the revision, notes
       who and when. No history line until the review is complete.
    """
    with transaction.atomic():
        assessment = _lock(
            assessment,
            by=by,
            perm="assessments.lead_review",
            lead=True,
            states=(Status.IN_REVIEW,),
        )
        row = (
            AgreedPoint.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(assessment=assessment, point=point)
            .first()
        ) or AgreedPoint(assessment=assessment, point=point)
        if row.revision != revision:
            raise EditConflict(row)
        if _save_scores(
            row,
            by=by,
            score=score,
            not_applicable=not_applicable,
            done_well=done_well,
            to_explore=to_explore,
        ):
            row.updated_by = by
            row.save()
    return row


def _lock_review(assessment, revision):
    review = Review.objects.select_for_update().get(assessment_id=assessment.pk)
    if review.revision != revision:
        raise EditConflict(review)
    return review


def save_summary(assessment, *, by, revision, summary, recommendation):
    """The lead reviewer saves the summary and recommendation to come back to later.

    1. Locks the assessment; the lead reviewer, while it is in review, as for agreed scores.
    2. Locks the review; EditConflict if its revision moved since the form was opened.
    3. Saves both (either may be blank for now) and bumps the revision.
    """
    with transaction.atomic():
        assessment = _lock(
            assessment,
            by=by,
            perm="assessments.lead_review",
            lead=True,
            states=(Status.IN_REVIEW,),
        )
        review = _lock_review(assessment, revision)
        review.summary = summary.strip()
        review.recommendation = recommendation or ""
        review.revision += 1
        review.save(update_fields=["summary", "recommendation", "revision"])
    return review


def complete_review(assessment, *, by, revision, summary, recommendation):
    """The lead reviewer completes the review: the assessment becomes "reviewed".

    In one transaction:
    1. Locks the assessment and checks `by` is its current lead reviewer while it is in
       review (ReviewClosed if it moved on: completed already, say).
    2. Locks the review (EditConflict if its summary was saved elsewhere since) and saves
       the summary and recommendation, so that the transition's check reads them.
    3. Makes the `complete_review` transition (transitions.py): its check refuses with
       ReviewIncomplete, rolling everything back, while any point lacks an agreed score
       or the summary or recommendation is blank; it appends the status change and the
       history line and queues the "review completed" email to the council's members.
    4. Stamps the review completed, by whom and when (the database refuses a completed
       review without a summary and recommendation).
    """
    with transaction.atomic():
        assessment = _lock(
            assessment,
            by=by,
            perm="assessments.lead_review",
            lead=True,
            states=(Status.IN_REVIEW,),
        )
        review = _lock_review(assessment, revision)
        review.summary = summary.strip()
        review.recommendation = recommendation or ""
        review.revision += 1
        review.save(update_fields=["summary", "recommendation", "revision"])
        assessment = change_state(assessment, "complete_review", by=by)
        review.completed_at = assessment.status_change.at
        review.completed_by = by
        review.save(update_fields=["completed_at", "completed_by"])
    return review


def respond_to_review(assessment, *, by, revision, response):
    """A lead of the council responds to the completed review, on the record.

    1. Locks the assessment; checks `by` may respond (`respond_to_review`: a lead of the
       council) and that it is reviewed, asked again for superusers.
    2. Locks the review; EditConflict if the response was saved by someone else since
       this person opened it (two leads at once).
    3. Saves the response, who and when, bumps the revision, and records it in the history
       (saying whether it was the first response or a change to it).
    """
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if assessment.status != Status.REVIEWED or not by.has_perm(
            "assessments.respond_to_review", assessment
        ):
            raise PermissionDenied
        review = _lock_review(assessment, revision)
        response = response.strip()
        if response == review.council_response:
            return review
        changed = bool(review.council_response)
        review.council_response = response
        review.council_response_at = timezone.now()
        review.council_response_by = by
        review.revision += 1
        review.save(
            update_fields=[
                "council_response",
                "council_response_at",
                "council_response_by",
                "revision",
            ]
        )
        AssessmentEvent.objects.create(
            assessment=assessment,
            kind=EventKind.COUNCIL_RESPONDED,
            actor=by,
            detail="Changed the response." if changed else "",
            created_at=review.council_response_at,
        )
    return review
