"""Peer review between the council and its reviewers: the discussion on each point, and
rounds of clarification. The work is done by `assessments.services.discussion`.

- `point_discussion`: a point's thread, read by the council's members, the current
  reviewers and coordinators; written by the first two while the assessment is with the
  reviewers. Reading it marks it read.
- `request_clarification`: the lead reviewer asks about chosen points.
- `send_back_clarification`: a council lead sends the answers back.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from assessments.forms.discussion import ClarificationForm, MessageForm
from assessments.models import PointAssessment, Side, Status
from assessments.services import AlreadyDone, NotAllowedNow
from assessments.services import discussion as service
from assessments.views.lookups import assessment_from_url


def _url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=[assessment.service.council, assessment.pk, *args])


def _context(assessment, **more):
    return {
        "assessment": assessment,
        "service": assessment.service,
        "council": assessment.service.council,
        **more,
    }


def _moved_on(request, assessment):
    messages.info(
        request,
        f"Nothing was changed: the assessment is now {assessment.get_status_display().lower()}",
    )
    return redirect(_url("assessment", assessment))


@login_required
@require_http_methods(["GET", "POST"])
def point_discussion(request, code, pk, number):
    """One point's discussion, oldest message first, and the form to add one."""
    assessment = assessment_from_url(request, code, pk, "assessments.view_discussion")
    if assessment.is_draft:  # the rule says so, but superusers are never asked it
        raise PermissionDenied
    try:
        answer = assessment.points.select_related("point").get(point__number=number)
    except PointAssessment.DoesNotExist:
        raise Http404("No such point.") from None
    side = service.side_of(request.user, assessment)
    can_post = (
        side is not None
        and assessment.status in service.BEING_REVIEWED
        and request.user.has_perm("assessments.discuss_point", assessment)
    )
    if request.method == "POST" and not can_post:
        raise PermissionDenied
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service.post_message(
                assessment, number, by=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error.messages[0])
        except PermissionDenied:
            # The assessment left review (completed, withdrawn) while they were writing.
            assessment.refresh_from_db()
            return _moved_on(request, assessment)
        else:
            messages.success(request, "Your message has been sent")
            return redirect(_url("point_discussion", assessment, number))
    thread = service.thread(assessment, number)
    # What this person had read before this visit: later messages from the other side
    # are marked new on the page, then the thread is marked read.
    read_mark = service.read_mark(request.user, assessment, answer.point)
    if request.method == "GET":
        service.mark_read(assessment, answer.point, thread, by=request.user)
    leads = service.lead_reviewers(assessment)
    return render(
        request,
        "assessments/reviews/discussion.html",
        _context(
            assessment,
            answer=answer,
            point=answer.point,
            rows=[
                {
                    "message": message,
                    "role": _role(message, leads),
                    "new": side is not None
                    and message.side != side
                    and (read_mark is None or message.created_at > read_mark),
                }
                for message in thread
            ],
            form=form,
            can_post=can_post,
            side=side,
        ),
        status=400 if form.errors else 200,
    )


def _role(message, leads):
    if message.side == Side.COUNCIL:
        return "Council"
    return "Lead reviewer" if message.author_id in leads else "Reviewer"


@login_required
@require_http_methods(["GET", "POST"])
def request_clarification(request, code, pk):
    """The lead reviewer chooses points and asks a question on each."""
    assessment = assessment_from_url(request, code, pk)
    if assessment.status == Status.CLARIFICATION_REQUESTED and request.method == "POST":
        return redirect(_url("assessment", assessment))  # a double click: already sent
    if not (
        assessment.status == Status.IN_REVIEW
        and request.user.has_perm("assessments.lead_review", assessment)
    ):
        raise PermissionDenied
    points = assessment.standard.points.without_guidance().order_by("number")
    form = ClarificationForm(request.POST if request.method == "POST" else None, points=points)
    if request.method == "POST" and form.is_valid():
        try:
            service.request_clarification(
                assessment, by=request.user, questions=form.cleaned_data["questions"]
            )
        except AlreadyDone:
            pass
        except NotAllowedNow as refused:
            return _moved_on(request, refused.assessment)
        else:
            messages.success(request, "Your questions have been sent to the council")
        return redirect(_url("assessment", assessment))
    return render(
        request,
        "assessments/reviews/request_clarification.html",
        _context(assessment, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def send_back_clarification(request, code, pk):
    """A council lead confirms the answers are ready and sends them to the reviewers."""
    assessment = assessment_from_url(request, code, pk)
    if assessment.status == Status.IN_REVIEW and request.method == "POST":
        return redirect(_url("assessment", assessment))  # a double click: already sent
    if not (
        assessment.status == Status.CLARIFICATION_REQUESTED
        and request.user.has_perm("assessments.send_back_clarification", assessment)
    ):
        raise PermissionDenied
    if request.method == "POST":
        try:
            service.send_back_clarification(assessment, by=request.user)
        except AlreadyDone:
            pass
        except NotAllowedNow as refused:
            return _moved_on(request, refused.assessment)
        else:
            messages.success(request, "Your answers have been sent back to the reviewers")
        return redirect(_url("assessment", assessment))
    clarification = service.open_round(assessment)
    changed = set(
        assessment.events.filter(
            kind="saved_point", created_at__gte=clarification.requested_at
        ).values_list("point_number", flat=True)
    )
    replied = set(
        assessment.messages.filter(
            side=Side.COUNCIL, created_at__gte=clarification.requested_at
        ).values_list("point__number", flat=True)
    )
    return render(
        request,
        "assessments/reviews/send_back_clarification.html",
        _context(
            assessment,
            clarification=clarification,
            rows=[
                (question, question.point.number in changed, question.point.number in replied)
                for question in clarification.questions.all()
            ],
        ),
    )
