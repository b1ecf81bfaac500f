"""Assigning reviewers: the coordinators' queue of submissions, the page where they
assign reviewers to one, a peer reviewer's offer to review, and a reviewer stepping aside.

The workflow is in `assessments.services.reviewers`; these views find the objects,
read the forms and show the result. The queue and the assignment page are for
coordinators (`view_review_queue`): others who may see the assessment get 403, anyone
else 404, as `assessments.views.lookups` does everywhere.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments.forms.reviewers import AddReviewerForm, DueDateForm, QueueFilterForm, StepAsideForm
from assessments.models import (
    AWAITING_REVIEW,
    Assessment,
    Review,
    ReviewerAssignment,
    Status,
    StatusChange,
)
from assessments.services import reviewers
from assessments.services.conflicts import EditConflict
from assessments.services.transitions import NotAllowedNow
from assessments.views.lookups import assessment_from_url, review_of

ASSESSMENTS_PER_PAGE = 25


def waiting_for_review():
    """The assessments waiting for review, each annotated with its number of current
    reviewers (`reviewer_count`), whether it has a lead (`has_lead`), offers waiting
    (`offer_count`) and whether it is overdue (`overdue`). One query however many."""
    current = ReviewerAssignment.objects.current().filter(assessment=OuterRef("pk"))
    today = timezone.localdate()
    return (
        Assessment.objects.filter(status__in=AWAITING_REVIEW)
        .select_related("service__council__peer_group", "review")
        .annotate(
            reviewer_count=Count(
                "assignments",
                filter=Q(
                    assignments__confirmed_at__isnull=False, assignments__ended_at__isnull=True
                ),
            ),
            offer_count=Count(
                "assignments",
                filter=Q(
                    assignments__confirmed_at__isnull=True, assignments__ended_at__isnull=True
                ),
            ),
            has_lead=Exists(current.filter(is_lead=True)),
            overdue=Exists(
                Review.objects.filter(
                    assessment=OuterRef("pk"), completed_at__isnull=True, due_on__lt=today
                )
            ),
        )
    )


def _needs_people(queue):
    return queue.filter(Q(reviewer_count__lt=reviewers.MIN_REVIEWERS) | Q(has_lead=False))


SHOWN = {
    "needs_reviewers": _needs_people,
    "in_review": lambda queue: queue.filter(status=Status.IN_REVIEW),
    "clarification": lambda queue: queue.filter(status=Status.CLARIFICATION_REQUESTED),
    "overdue": lambda queue: queue.filter(overdue=True),
}


def queue_counts():
    """How many assessments wait in each part of the queue, for "Your work": one query."""
    rows = list(waiting_for_review().values_list("status", "reviewer_count", "has_lead", "overdue"))
    return {
        "all": len(rows),
        "needs_reviewers": sum(
            1 for _, count, lead, _ in rows if count < reviewers.MIN_REVIEWERS or not lead
        ),
        "in_review": sum(1 for status, *_ in rows if status == Status.IN_REVIEW),
        "clarification": sum(1 for status, *_ in rows if status == Status.CLARIFICATION_REQUESTED),
        "overdue": sum(1 for *_, overdue in rows if overdue),
    }


@login_required
@require_safe
def review_queue(request):
    """Every assessment waiting for review, longest waiting first, 25 to a page, with
    filters. The query count does not grow with the number of assessments."""
    if not request.user.has_perm("assessments.view_review_queue"):
        raise PermissionDenied
    filters = QueueFilterForm(request.GET)
    filters.is_valid()  # unknown values were dropped: always valid
    queue = waiting_for_review()
    chosen = filters.cleaned_data
    if chosen.get("peer_group"):
        queue = queue.filter(service__council__peer_group__slug=chosen["peer_group"])
    if chosen.get("phase"):
        queue = queue.filter(phase=chosen["phase"])
    if chosen.get("show"):
        queue = SHOWN[chosen["show"]](queue)
    page = Paginator(queue.order_by("submitted_at", "pk"), ASSESSMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessments/reviews/queue.html",
        {"filters": filters, "page": page, "minimum": reviewers.MIN_REVIEWERS},
    )


def _submitted_assessment(request, pk):
    """The submitted assessment `pk`, for a coordinator: 404 for drafts and for what the
    person may not see, 403 for what they may see but not assign."""
    assessments = (
        Assessment.objects.visible_to(request.user)
        .exclude(status=Status.DRAFT)
        .select_related("service__council__peer_group", "review")
        .prefetch_related(Prefetch("status_changes", StatusChange.objects.select_related("by")))
    )
    try:
        assessment = assessments.get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None
    if not request.user.has_perm("assessments.view_review_queue"):
        raise PermissionDenied
    return assessment


def _may_assign(user, assessment):
    """The rule, and the state asked too: superusers skip the rule."""
    return assessment.status in AWAITING_REVIEW and user.has_perm(
        "assessments.assign_reviewers", assessment
    )


def _page_url(assessment):
    return reverse("assessments:review_assignment", args=[assessment.pk])


def _assignment_page(request, assessment, *, form=None, problem="", status=200):
    assignments = list(
        assessment.assignments.select_related("reviewer", "created_by", "ended_by").order_by(
            "-is_lead", "created_at", "pk"
        )
    )
    current = [a for a in assignments if a.is_current]
    offers = [a for a in assignments if a.confirmed_at is None and a.ended_at is None]
    ended = sorted(
        (a for a in assignments if a.ended_at is not None), key=lambda a: a.ended_at, reverse=True
    )
    may_assign = _may_assign(request.user, assessment)
    if may_assign and form is None and len(current) < reviewers.MAX_REVIEWERS:
        form = AddReviewerForm(assessment=assessment)
    submission = assessment.last_change_to(Status.SUBMITTED)
    return render(
        request,
        "assessments/reviews/assignment.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
            "submission": submission,
            "review": review_of(assessment),
            "current": current,
            "offers": offers,
            "ended": ended,
            "has_lead": any(a.is_lead for a in current),
            "may_assign": may_assign,
            # A form sent back with its errors is shown even when the review is full.
            "form": form,
            "problem": problem,
            "problem_links": [("#reviewers", problem)] if problem else [],
            "minimum": reviewers.MIN_REVIEWERS,
            "maximum": reviewers.MAX_REVIEWERS,
        },
        status=status,
    )


def _assignment_from_post(request, assessment):
    try:
        return assessment.assignments.select_related("reviewer").get(
            pk=int(request.POST.get("assignment", ""))
        )
    except (ValueError, ReviewerAssignment.DoesNotExist):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def review_assignment(request, pk):
    """One assessment's reviewers: add one (and name the lead), change the lead, confirm
    or decline a volunteer's offer. Each button posts here with its `action`."""
    assessment = _submitted_assessment(request, pk)
    if request.method == "GET":
        return _assignment_page(request, assessment)
    if not _may_assign(request.user, assessment):
        raise PermissionDenied
    action = request.POST.get("action", "")
    if action == "add":
        form = AddReviewerForm(request.POST, assessment=assessment)
        if not form.is_valid():
            return _assignment_page(request, assessment, form=form)
        reviewer, lead = form.cleaned_data["reviewer"], form.cleaned_data["lead"]
        try:
            reviewers.assign(assessment, reviewer, by=request.user, lead=lead)
        except ValidationError as error:
            form.add_error("reviewer", error.messages[0])
            return _assignment_page(request, assessment, form=form)
        except NotAllowedNow:
            raise PermissionDenied from None
        role = "lead reviewer" if lead else "a reviewer"
        messages.success(request, f"{reviewer} is now {role}")
        return redirect(_page_url(assessment))
    steps = {
        "lead": (reviewers.make_lead, "{} is now the lead reviewer"),
        "confirm": (reviewers.confirm_offer, "{} is now a reviewer"),
        "decline": (reviewers.decline_offer, "You did not take up {}'s offer"),
    }
    if action not in steps:
        return _assignment_page(request, assessment, problem="Choose what to do", status=400)
    assignment = _assignment_from_post(request, assessment)
    if assignment is None:
        return _assignment_page(
            request, assessment, problem="That reviewer is no longer on this review"
        )
    step, done = steps[action]
    try:
        step(assignment, by=request.user)
    except ValidationError as error:
        return _assignment_page(request, assessment, problem=error.messages[0])
    except NotAllowedNow:
        raise PermissionDenied from None
    messages.success(request, done.format(assignment.reviewer))
    return redirect(_page_url(assessment))


@login_required
@require_http_methods(["GET", "POST"])
def unassign_reviewer(request, pk, assignment):
    """Asks "are you sure?", then takes a current reviewer off the review."""
    assessment = _submitted_assessment(request, pk)
    try:
        assignment = (
            ReviewerAssignment.objects.current()
            .select_related("reviewer")
            .get(pk=assignment, assessment=assessment)
        )
    except ReviewerAssignment.DoesNotExist:
        raise Http404("No such reviewer on this review.") from None
    if not _may_assign(request.user, assessment):
        raise PermissionDenied
    if request.method == "POST":
        try:
            reviewers.unassign(assignment, by=request.user)
        except ValidationError as error:
            messages.info(request, error.messages[0])
        except NotAllowedNow:
            raise PermissionDenied from None
        else:
            messages.success(request, f"{assignment.reviewer} is no longer a reviewer")
        return redirect(_page_url(assessment))
    return render(
        request,
        "assessments/reviews/unassign.html",
        {"assessment": assessment, "service": assessment.service, "assignment": assignment},
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_due_date(request, pk):
    """The review's due date, as a GOV.UK date input."""
    assessment = _submitted_assessment(request, pk)
    if not _may_assign(request.user, assessment):
        raise PermissionDenied
    review = review_of(assessment)
    if review is None:  # the first reviewer makes the review and its date
        messages.info(request, "Assign a reviewer first: the review starts with them")
        return redirect(_page_url(assessment))
    form = DueDateForm(
        request.POST if request.method == "POST" else None,
        initial={"due_on": review.due_on, "was": review.due_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            reviewers.change_due_date(
                assessment,
                form.cleaned_data["due_on"],
                by=request.user,
                was=form.cleaned_data["was"],
            )
        except ValidationError as error:
            form.add_error("due_on", error.messages[0])
        except EditConflict as conflict:
            # The form again, now from their date: sending it again replaces it.
            review = conflict.current
            data = request.POST.copy()
            data["was"] = review.due_on.isoformat()
            form = DueDateForm(data)
            form.is_valid()
            form.add_error(
                "due_on",
                f"Someone else changed the due date to {review.due_on:%-d %B %Y} while you "
                "were changing it. Send your date again to replace theirs",
            )
        except NotAllowedNow:
            raise PermissionDenied from None
        else:
            messages.success(
                request, f"The review is due on {form.cleaned_data['due_on']:%-d %B %Y}"
            )
            return redirect(_page_url(assessment))
    return render(
        request,
        "assessments/reviews/due_date.html",
        {"assessment": assessment, "service": assessment.service, "form": form, "review": review},
    )


@login_required
@require_POST
def volunteer(request, pk):
    """A peer reviewer offers to review a submission from one of their peer groups.

    They cannot see the assessment yet, so the lookup is of submissions in their peer
    groups (and what they may see anyway): anything else is 404."""
    user = request.user
    groups = user.reviewer_peer_groups.values("pk") if user.is_peer_reviewer else []
    candidates = Assessment.objects.exclude(status=Status.DRAFT).filter(
        Q(service__council__peer_group__in=groups)
        | Q(pk__in=Assessment.objects.visible_to(user).values("pk"))
    )
    try:
        assessment = candidates.select_related("service__council").get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None
    if not user.has_perm("assessments.volunteer_to_review", assessment):
        raise PermissionDenied
    try:
        reviewers.volunteer(assessment, by=user)
    except ValidationError as error:
        messages.info(request, error.messages[0])
    except NotAllowedNow:
        messages.info(request, "This assessment no longer needs reviewers")
    else:
        messages.success(
            request,
            f"Thank you for offering to review {assessment.service.name}: "
            "a coordinator will confirm it",
        )
    return redirect("assessments:your_work")


@login_required
@require_http_methods(["GET", "POST"])
def step_aside(request, code, pk):
    """A current reviewer declares a conflict of interest, with a reason only
    coordinators see, and stops reviewing."""
    assessment = assessment_from_url(request, code, pk, "assessments.step_aside")
    is_current_reviewer = (
        ReviewerAssignment.objects.current().filter(assessment=assessment, reviewer=request.user)
    ).exists()
    if not is_current_reviewer or assessment.status not in AWAITING_REVIEW:
        raise PermissionDenied  # a superuser who is not a reviewer of it, say
    form = StepAsideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reviewers.step_aside(assessment, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error.messages[0])
        else:
            messages.success(
                request,
                f"You have stepped aside from reviewing {assessment.service.name}. "
                "A coordinator will assign someone else",
            )
            return redirect("assessments:your_work")
    return render(
        request,
        "assessments/reviews/step_aside.html",
        {"assessment": assessment, "service": assessment.service, "form": form},
    )
