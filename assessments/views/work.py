"""Your work: where a signed-in person lands.

The drafts their councils have in progress and the assessments they have submitted,
each with where it has got to; for coordinators, what waits for peer review across the
scheme and the review queue's counts; for reviewers, the reviews assigned to them and the
submissions from their peer groups they could offer to review. The number of queries
does not grow with the number of assessments.
"""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments import scoring
from assessments.models import (
    AWAITING_REVIEW,
    Assessment,
    PointAssessment,
    ReviewerAssignment,
    Status,
)
from assessments.services.reviewers import MAX_REVIEWERS
from assessments.views.assignments import queue_counts, waiting_for_review


def _with_summaries(*lists):
    """Give each assessment in the lists its `summary` and the time its answers were last
    saved (`last_saved`, None if never), from one query for all their answers.

    A council's history grows to dozens of assessments of 15 points, each with its
    evidence: the query reads only what the summary counts, and whether the evidence and
    the reason say anything rather than their text (both are stored stripped: see
    `services.save_point`)."""
    assessments = [assessment for found in lists for assessment in found]
    answers = {assessment.pk: [] for assessment in assessments}
    rows = (
        PointAssessment.objects.filter(assessment__in=list(answers))
        .order_by()
        .annotate(reason_length=Length(Trim("not_applicable_reason")))
        .annotate(evidence_length=Length(Trim("evidence")))
        .values_list(
            "pk",
            "assessment_id",
            "score",
            "not_applicable",
            "reason_length",
            "evidence_length",
            "updated_at",
        )
    )
    for pk, assessment_id, score, not_applicable, reason, evidence, updated_at in rows:
        answers[assessment_id].append(
            SimpleNamespace(
                pk=pk,
                score=score,
                not_applicable=not_applicable,
                not_applicable_reason="given" if reason else "",
                evidence="given" if evidence else "",
                updated_at=updated_at,
            )
        )
    for assessment in assessments:
        mine = answers[assessment.pk]
        assessment.summary = scoring.summarise(mine)
        assessment.last_saved = max((a.updated_at for a in mine if a.updated_at), default=None)


@login_required
@require_safe
def your_work(request):
    user = request.user
    visible = Assessment.objects.visible_to(user).select_related("service__council")
    memberships = list(user.memberships.select_related("council").order_by("council__short_name"))
    drafts, submitted = [], []
    if memberships:
        theirs = visible.for_councils_of(user)
        drafts = list(theirs.in_progress().order_by("-created_at", "-pk"))
        submitted = list(theirs.finished().order_by("-submitted_at", "-pk"))
        _with_summaries(drafts, submitted)
    waiting = queue = None
    if user.has_perm("assessments.list_awaiting_review"):
        waiting = list(visible.awaiting_review().order_by("submitted_at", "pk"))
    if user.has_perm("assessments.view_review_queue"):
        queue = queue_counts()
    reviewing, to_volunteer = _reviewer_work(user)
    return render(
        request,
        "assessments/work/your_work.html",
        {
            "memberships": memberships,
            "drafts": drafts,
            "submitted": submitted,
            "waiting": waiting,
            "queue": queue,
            "reviewing": reviewing,
            "to_volunteer": to_volunteer,
        },
    )


def _reviewer_work(user):
    """For a reviewer: their current assignments (with the review's due date), and the
    submissions from their peer groups that still need reviewers (fewer than three, or
    no lead), which they have not already offered to review. Two queries, plus one for
    the peer groups; (None, None) for anyone who is not a reviewer."""
    if not (user.is_active and user.is_peer_reviewer):
        return None, None
    reviewing = list(
        ReviewerAssignment.objects.current()
        .filter(reviewer=user, assessment__status__in=(*AWAITING_REVIEW, Status.REVIEWED))
        .select_related("assessment__service__council", "assessment__review")
        .order_by("assessment__review__due_on", "pk")
    )
    groups = list(user.reviewer_peer_groups.values_list("pk", flat=True))
    to_volunteer = []
    if groups:
        to_volunteer = list(
            waiting_for_review()
            .filter(service__council__peer_group__in=groups)
            .exclude(service__council__memberships__user=user)
            .exclude(
                pk__in=ReviewerAssignment.objects.open().filter(reviewer=user).values("assessment")
            )
            .filter(Q(reviewer_count__lt=MAX_REVIEWERS) | Q(has_lead=False))
            .order_by("submitted_at", "pk")
        )
    return reviewing, to_volunteer
