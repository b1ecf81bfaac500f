"""Peer review, the reviewers' pages and the outcome the council sees.

- A reviewer's task list, point pages and check answers: their own score and comments on
  each point, beside the council's answer. Current reviewers only, while the assessment
  is with them; their drafts are private (docs/decisions/0015-peer-review.md).
- The lead reviewer's agreed score for each point, and completing the review
  (docs/decisions/0016-agreed-scores.md).
- The outcome, once the review is complete: self and agreed scores side by side, every
  reviewer's scores and comments, and the council's response on the record.

Every assessment is reached through `assessment_from_url` (404 for anyone who may not see
it); each view then asks the rule it needs (403) and whether the person is assigned,
which a superuser's permissions do not make them.
"""

import functools
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from assessments import rules, scoring, services
from assessments.forms.assessments import NOT_APPLICABLE
from assessments.forms.reviews import (
    COMMENT_LIMIT,
    CompleteReviewForm,
    ResponseForm,
    ReviewScoreForm,
)
from assessments.models import (
    EVER_PUBLISHED,
    AgreedPoint,
    PointAssessment,
    ReviewerPoint,
    Status,
)
from assessments.services.agreement import points_without_agreed_score
from assessments.services.discussion import open_round, unread_points
from assessments.services.reviewing import (
    BEING_REVIEWED,
    reviewer_task_status,
)
from assessments.views.assessments import publishing_context
from assessments.views.lookups import assessment_from_url, review_of
from lgdss import unsaved
from standard.models import guidance_of


def _url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=[assessment.service.council, assessment.pk, *args])


def _context(assessment, **extra):
    return {
        "assessment": assessment,
        "service": assessment.service,
        "council": assessment.service.council,
        **extra,
    }


class ReviewComplete(Exception):
    """A reviewer opened (or posted to) one of the review's pages after it was completed."""

    def __init__(self, assessment):
        super().__init__("The review is complete.")
        self.assessment = assessment


def sends_completed_to_outcome(view):
    """A reviewer's page of a completed review sends them to its outcome, where their
    scores now stand beside the agreed ones; anything they posted is not saved."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ReviewComplete as complete:
            if request.method == "POST":
                messages.info(request, "Nothing was saved: the review is complete")
            return redirect(_url("review_outcome", complete.assessment))

    return wrapper


def _reviewer_assessment(request, code, pk, *, lead=False):
    """The assessment in the URL and the person's assignment to it, for the reviewers'
    pages: 404 if they may not see it; 403 unless they are a current reviewer (its lead,
    with `lead`) and the rule allows it now. A reviewer whose review is complete is sent
    to its outcome."""
    perm = "assessments.lead_review" if lead else "assessments.review_assessment"
    assessment = assessment_from_url(request, code, pk, related=("review",))
    # The same per-request lookups as the permission checks below (rules.py): asked once.
    assignment = rules.current_assignment(request.user, assessment)
    if lead and assignment is not None and not assignment.is_lead:
        assignment = None
    member = rules.role_in_council(request.user, assessment.service.council_id) is not None
    if assignment is None or member:
        raise PermissionDenied
    if assessment.status in (Status.REVIEWED, *EVER_PUBLISHED):
        raise ReviewComplete(assessment)
    states = (Status.IN_REVIEW,) if lead else BEING_REVIEWED
    if assessment.status not in states or not request.user.has_perm(perm, assessment):
        raise PermissionDenied
    return assessment, assignment


def _answers(assessment, *, links=True):
    """The council's answers in point order, with their links (two queries), or without
    them for pages that show none (one)."""
    answers = (
        assessment.points.select_related("point")
        .defer(*guidance_of("point"))
        .order_by("point__number")
    )
    return list(answers.prefetch_related("links") if links else answers)


def _reviewers(user, assessment):
    """The current reviewers, the lead first (read once per request with `user`'s
    permission checks: `rules.current_assignments`)."""
    return rules.current_assignments(user, assessment)


_review = review_of


def _initial_answer(row):
    if row is None:
        return ""
    if row.not_applicable:
        return NOT_APPLICABLE
    return "" if row.score is None else str(row.score)


def _initial(row):
    return {
        "answer": _initial_answer(row),
        "done_well": row.done_well if row else "",
        "to_explore": row.to_explore if row else "",
        "revision": row.revision if row else 0,
    }


def _conflict(form, current, message):
    """After an edit conflict: what they typed stays in the form, which now carries the
    saved version's revision, so saving again replaces it deliberately."""
    form.data = form.data.copy()
    form.data["revision"] = current.revision
    form.add_error(None, message)
    form.non_field_anchor = "#saved-version"


def _closed(request, assessment):
    messages.info(
        request,
        f"Nothing was saved: the assessment is now {assessment.get_status_display().lower()}",
    )
    return redirect(_url("assessment", assessment))


# --- A reviewer's own scores ---------------------------------------------------------


@login_required
@sends_completed_to_outcome
@require_safe
def review_task_list(request, code, pk):
    """A reviewer's 15 points with their own progress, the due date and the other
    reviewers; for the lead, the agreed scores and completing. Constant queries."""
    assessment, assignment = _reviewer_assessment(request, code, pk)
    answers = _answers(assessment, links=False)  # the task list shows no evidence
    mine = {
        row.point_id: row
        for row in ReviewerPoint.objects.filter(assessment=assessment, reviewer=request.user)
    }
    rows = [
        (answer, mine.get(answer.point_id), reviewer_task_status(mine.get(answer.point_id)))
        for answer in answers
    ]
    agreed = None
    if assignment.is_lead:
        agreed_rows = {
            row.point_id: row for row in AgreedPoint.objects.filter(assessment=assessment)
        }
        agreed = [
            (answer, reviewer_task_status(agreed_rows.get(answer.point_id))) for answer in answers
        ]
    return render(
        request,
        "assessments/reviews/task_list.html",
        _context(
            assessment,
            assignment=assignment,
            review=_review(assessment),
            reviewers=_reviewers(request.user, assessment),
            rows=rows,
            completed=sum(1 for *_, status in rows if status == scoring.TaskStatus.COMPLETED),
            agreed=agreed,
            agreed_count=sum(
                1 for _, status in agreed or [] if status == scoring.TaskStatus.COMPLETED
            ),
            can_lead=assignment.is_lead and assessment.status == Status.IN_REVIEW,
            **_discussion(request.user, assessment),
        ),
    )


def _discussion(user, assessment):
    """What the reviewer's pages show of the discussion and clarification: the points
    with unread messages, and the open round's questions by point number.

    A round is open only while the assessment waits for the council's answers (sending
    them back closes it), so in review there is none to ask for."""
    clarification = None
    if assessment.status == Status.CLARIFICATION_REQUESTED:
        clarification = open_round(assessment)
    questions = (
        {question.point.number: question for question in clarification.questions.all()}
        if clarification
        else {}
    )
    return {
        "unread": unread_points(user, assessment),
        "clarification": clarification,
        "questions": questions,
    }


def _point_answer(assessment, number):
    """The council's answer to point `number`, with its links, and `point_count`, the
    number of points in the assessment (for "Point 3 of 15" and the next point): two
    queries."""
    try:
        return (
            assessment.points.with_point_count()
            .select_related("point", "updated_by")
            .defer(*guidance_of("point"))
            .prefetch_related("links")
            .get(point__number=number)
        )
    except PointAssessment.DoesNotExist:
        raise Http404("No such point.") from None


@unsaved.keeps_unsaved_text
@login_required
@sends_completed_to_outcome
@require_http_methods(["GET", "POST"])
def review_point(request, code, pk, number):
    """A reviewer's score and comments on one point, beside the council's answer."""
    assessment, assignment = _reviewer_assessment(request, code, pk)
    answer = _point_answer(assessment, number)
    point = answer.point
    mine = ReviewerPoint.objects.filter(
        assessment=assessment, point=point, reviewer=request.user
    ).first()
    action = request.POST.get("action", "")
    # What they typed before being signed out, shown again but not saved (lgdss.unsaved).
    kept = unsaved.restore(request) if request.method == "GET" else None
    form = ReviewScoreForm(
        request.POST if request.method == "POST" else kept, initial=_initial(mine)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_reviewer_point(
                assessment,
                point,
                by=request.user,
                revision=data["revision"],
                score=data["score"],
                not_applicable=data["not_applicable"],
                done_well=data["done_well"],
                to_explore=data["to_explore"],
            )
        except services.EditConflict as error:
            conflict = error.current
            _conflict(
                form,
                conflict,
                "You saved this point in another tab or window while this one was open. "
                "Check the saved version, then save again",
            )
        except services.ReviewClosed as error:
            return _closed(request, error.assessment)
        else:
            messages.success(request, f"Point {number} saved")
            if action == "continue":
                if request.POST.get("return") == "check":
                    return redirect(_url("review_check_answers", assessment))
                if number < answer.point_count:
                    return redirect(_url("review_point", assessment, number + 1))
                return redirect(_url("review_check_answers", assessment))
            return redirect(_url("review_task_list", assessment))
    return render(
        request,
        "assessments/reviews/point.html",
        _context(
            assessment,
            answer=answer,
            point=point,
            form=form,
            levels=scoring.LEVELS,
            conflict=conflict,
            point_count=answer.point_count,
            return_to="check" if (request.POST or request.GET).get("return") == "check" else "",
            comment_limit=f"{COMMENT_LIMIT:,}",
            assignment=assignment,
            heading="How well does the service meet this point, in your view?",
            restored=kept is not None,
            **_point_discussion(request.user, assessment, point),
        ),
    )


def _point_discussion(user, assessment, point):
    """The open round's question on this point, if any, and whether its discussion has
    unread messages."""
    discussion = _discussion(user, assessment)
    return {
        "unread": discussion["unread"],
        "question": discussion["questions"].get(point.number),
    }


@login_required
@sends_completed_to_outcome
@require_safe
def review_check_answers(request, code, pk):
    """A reviewer's scores and comments on every point, to check and change."""
    assessment, assignment = _reviewer_assessment(request, code, pk)
    mine = {
        row.point_id: row
        for row in ReviewerPoint.objects.filter(assessment=assessment, reviewer=request.user)
    }
    rows = [
        (answer, mine.get(answer.point_id), reviewer_task_status(mine.get(answer.point_id)))
        for answer in _answers(assessment)
    ]
    return render(
        request,
        "assessments/reviews/check_answers.html",
        _context(
            assessment,
            assignment=assignment,
            rows=rows,
            incomplete=[row for row in rows if row[2] != scoring.TaskStatus.COMPLETED],
        ),
    )


# --- The lead reviewer: agreed scores and completing ----------------------------------


@unsaved.keeps_unsaved_text
@login_required
@sends_completed_to_outcome
@require_http_methods(["GET", "POST"])
def agreed_point(request, code, pk, number):
    """The lead reviewer sets a point's agreed score after seeing every reviewer's."""
    assessment, assignment = _reviewer_assessment(request, code, pk, lead=True)
    answer = _point_answer(assessment, number)
    point = answer.point
    agreed = (
        AgreedPoint.objects.filter(assessment=assessment, point=point)
        .select_related("updated_by")
        .first()
    )
    reviewers = _reviewers(request.user, assessment)
    scores = {
        row.reviewer_id: row
        for row in ReviewerPoint.objects.filter(assessment=assessment, point=point)
    }
    opinions = [(a, scores.get(a.reviewer_id)) for a in reviewers]
    given = [row.score for _, row in opinions if row is not None and row.score is not None]
    initial = _initial(agreed)
    if agreed is None:  # prefilled from the lead's own comments (and score)
        own = scores.get(request.user.pk)
        initial = {**_initial(own), "revision": 0}
    kept = unsaved.restore(request) if request.method == "GET" else None
    form = ReviewScoreForm(request.POST if request.method == "POST" else kept, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_agreed_point(
                assessment,
                point,
                by=request.user,
                revision=data["revision"],
                score=data["score"],
                not_applicable=data["not_applicable"],
                done_well=data["done_well"],
                to_explore=data["to_explore"],
            )
        except services.EditConflict as error:
            conflict = error.current
            _conflict(
                form,
                conflict,
                f"{conflict.updated_by or 'Someone'} saved the agreed score for this point "
                "while you were editing it. Check the saved version, then save again",
            )
        except services.ReviewClosed as error:
            return _closed(request, error.assessment)
        else:
            messages.success(request, f"Agreed score for point {number} saved")
            if request.POST.get("action") == "continue":
                if number < answer.point_count:
                    return redirect(_url("agreed_point", assessment, number + 1))
                return redirect(_url("complete_review", assessment))
            return redirect(_url("review_task_list", assessment))
    return render(
        request,
        "assessments/reviews/agreed_point.html",
        _context(
            assessment,
            answer=answer,
            point=point,
            form=form,
            levels=scoring.LEVELS,
            conflict=conflict,
            agreed=agreed,
            opinions=opinions,
            spread=(min(given), max(given), max(given) - min(given)) if given else None,
            point_count=answer.point_count,
            comment_limit=f"{COMMENT_LIMIT:,}",
            assignment=assignment,
            heading="The agreed score",
            restored=kept is not None,
        ),
    )


def _problem_links(assessment, problems):
    """What stops completion, each point linking to its agreed score page."""
    return [
        (_url("agreed_point", assessment, number), f"Point {number}, {title}: {missing}")
        for number, title, missing in problems
        if number is not None
    ]


@unsaved.keeps_unsaved_text
@login_required
@sends_completed_to_outcome
@require_http_methods(["GET", "POST"])
def complete_review(request, code, pk):
    """The lead reviewer's summary and recommendation, then completing the review."""
    assessment, assignment = _reviewer_assessment(request, code, pk, lead=True)
    review = _review(assessment)
    if review is None:  # a review always exists once a lead is assigned
        raise Http404("No review.")
    action = request.POST.get("action", "")
    completing = request.method == "POST" and action != "save"
    kept = unsaved.restore(request) if request.method == "GET" else None
    form = CompleteReviewForm(
        request.POST if request.method == "POST" else kept,
        initial={
            "summary": review.summary,
            "recommendation": review.recommendation,
            "revision": review.revision,
        },
        completing=completing,
    )
    problems = points_without_agreed_score(assessment)
    conflict = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "by": request.user,
            "revision": data["revision"],
            "summary": data["summary"],
            "recommendation": data["recommendation"],
        }
        try:
            if completing:
                services.complete_review(assessment, **arguments)
            else:
                services.save_summary(assessment, **arguments)
        except services.EditConflict as error:
            conflict = error.current
            form.data = form.data.copy()
            form.data["revision"] = conflict.revision
            form.add_error(
                None,
                "The summary was saved in another tab or window while this one was open. "
                "Check the saved version, then save again",
            )
            form.non_field_anchor = "#saved-version"
        except services.ReviewIncomplete as error:
            problems = [p for p in error.problems if p[0] is not None]
            status = 400
        except services.ReviewClosed as error:
            return _closed(request, error.assessment)
        else:
            if completing:
                messages.success(request, "The review is complete. The council has been told")
                return redirect(_url("review_outcome", assessment))
            messages.success(request, "Summary saved")
            return redirect(_url("review_task_list", assessment))
    elif completing:
        status = 400
    return render(
        request,
        "assessments/reviews/complete.html",
        _context(
            assessment,
            review=review,
            form=form,
            conflict=conflict,
            problems=problems,
            problem_links=_problem_links(assessment, problems),
            show_problems=completing,
            restored=kept is not None,
            assignment=assignment,
        ),
        status=status,
    )


# --- What the council sees ---------------------------------------------------------


def _difference(self_answer, agreed):
    """The agreed score against the council's own, in words (never colour alone)."""
    if self_answer.not_applicable or agreed is None or agreed.not_applicable:
        if self_answer.not_applicable and agreed is not None and agreed.not_applicable:
            return "Both not applicable"
        return "Not comparable: one of them is not applicable"
    if self_answer.score is None or agreed.score is None:
        return "Not comparable"
    change = agreed.score - self_answer.score
    if change == 0:
        return "Same as your score"
    sign = "+" if change > 0 else "−"
    points = "point" if abs(change) == 1 else "points"
    side = "higher" if change > 0 else "lower"
    return f"{sign}{abs(change)}: {abs(change)} {points} {side} than your score"


def _agreed_summary(rows):
    """The agreed scores' totals, average and rating, by the same rules as the council's
    (`scoring.summarise`). An agreed point counts as completed once it has a score or is
    agreed not applicable: it carries no evidence of its own, the council's stands."""
    if not rows:
        return None
    answers = [
        SimpleNamespace(
            pk=row.pk,
            score=row.score,
            not_applicable=row.not_applicable,
            not_applicable_reason="agreed" if row.not_applicable else "",
            evidence="agreed" if row.is_set else "",
        )
        for row in rows
    ]
    return scoring.summarise(answers)


@login_required
@require_safe
def review_outcome(request, code, pk):
    """The completed review: per point the council's score, the agreed score and the
    difference, the agreed and each reviewer's comments; the summary, recommendation and
    both sets of results; the council's response. Constant queries."""
    assessment = assessment_from_url(
        request,
        code,
        pk,
        "assessments.view_reviewer_scores",
        related=("review__completed_by", "review__council_response_by"),
    )
    review = _review(assessment)
    if review is None or not review.is_complete:
        raise Http404("The review is not complete.")
    answers = _answers(assessment)
    agreed = {row.point_id: row for row in AgreedPoint.objects.filter(assessment=assessment)}
    by_point = {}
    for row in ReviewerPoint.objects.filter(assessment=assessment).select_related("reviewer"):
        by_point.setdefault(row.point_id, []).append(row)
    # Everyone who took part, ended or not, but not who stepped aside: read with the
    # permission checks (`rules.assignments_to`).
    reviewers = [
        a
        for a in rules.assignments_to(request.user, assessment)
        if a.confirmed_at is not None and a.end != "conflict"
    ]
    lead_ids = {a.reviewer_id for a in reviewers if a.is_lead}
    rows = [
        {
            "answer": answer,
            "agreed": agreed.get(answer.point_id),
            "difference": _difference(answer, agreed.get(answer.point_id)),
            "reviewers": sorted(
                by_point.get(answer.point_id, []),
                key=lambda row: (row.reviewer_id not in lead_ids, row.reviewer.full_name),
            ),
        }
        for answer in answers
    ]
    agreed_rows = [agreed[a.point_id] for a in answers if a.point_id in agreed]
    return render(
        request,
        "assessments/reviews/outcome.html",
        _context(
            assessment,
            review=review,
            rows=rows,
            reviewers=reviewers,
            lead_ids=lead_ids,
            self_summary=scoring.summarise(answers, {a.pk: len(a.links.all()) for a in answers}),
            agreed_summary=_agreed_summary(agreed_rows),
            can_respond=assessment.status == Status.REVIEWED
            and request.user.has_perm("assessments.respond_to_review", assessment),
            **publishing_context(request.user, assessment),
        ),
    )


@unsaved.keeps_unsaved_text
@login_required
@require_http_methods(["GET", "POST"])
def respond_to_review(request, code, pk):
    """A lead of the council writes (or changes) the council's response to the review."""
    assessment = assessment_from_url(request, code, pk)
    if assessment.status != Status.REVIEWED or not request.user.has_perm(
        "assessments.respond_to_review", assessment
    ):
        raise PermissionDenied
    review = _review(assessment)
    kept = unsaved.restore(request) if request.method == "GET" else None
    form = ResponseForm(
        request.POST if request.method == "POST" else kept,
        initial={"response": review.council_response, "revision": review.revision},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_review(
                assessment,
                by=request.user,
                revision=form.cleaned_data["revision"],
                response=form.cleaned_data["response"],
            )
        except services.EditConflict as error:
            conflict = error.current
            form.data = form.data.copy()
            form.data["revision"] = conflict.revision
            form.add_error(
                None,
                f"{conflict.council_response_by or 'Someone'} saved a response while you were "
                "writing yours. Check their version, then save again",
            )
            form.non_field_anchor = "#saved-version"
        else:
            messages.success(request, "Your council's response has been saved")
            return redirect(_url("review_outcome", assessment))
    return render(
        request,
        "assessments/reviews/respond.html",
        _context(
            assessment, review=review, form=form, conflict=conflict, restored=kept is not None
        ),
    )
