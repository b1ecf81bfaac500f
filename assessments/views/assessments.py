"""A council team assesses a service: start, answer each point, check, submit.

Every assessment is reached through `assessment_from_url`, which knows the
user: members of the council and coordinators see it, members edit it while it
is a draft, and only the council's leads submit, delete or withdraw it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments import rules, scoring, services
from assessments.forms.assessments import (
    EVIDENCE_LIMIT,
    LINK_ADDRESS_LIMIT,
    LINK_LIMIT,
    LINK_TITLE_LIMIT,
    NOT_APPLICABLE,
    REASON_LIMIT,
    LinkFormSet,
    PointForm,
    StartAssessmentForm,
    WithdrawForm,
)
from assessments.models import EVER_PUBLISHED, PointAssessment, Status
from assessments.services.discussion import open_round, unread_points
from assessments.services.reviewing import BEING_REVIEWED
from assessments.views.lookups import assessment_from_url, council_from_url, service_from_url
from lgdss import unsaved
from standard.models import guidance_of


def _url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=[assessment.service.council, assessment.pk, *args])


def _answers(assessment):
    """The assessment's answers in point order, with their links: two queries."""
    return list(
        assessment.points.select_related("point", "updated_by")
        .defer(*guidance_of("point"))
        .prefetch_related("links")
        .order_by("point__number")
    )


def _may_edit(user, assessment):
    """Members edit a draft. The state is asked as well as the rule: Django gives an
    active superuser every permission without asking the rules."""
    return assessment.is_draft and user.has_perm("assessments.edit_assessment", assessment)


def _allowed_now(user, transition, assessment):
    """Whether `user` may make the transition now: its rule, and the states it starts
    from, asked too for the same reason."""
    step = services.TRANSITIONS[transition]
    return assessment.status in step.sources and user.has_perm(step.permission, assessment)


def _summary(answers):
    return scoring.summarise(answers, {a.pk: len(a.links.all()) for a in answers})


@login_required
@require_http_methods(["GET", "POST"])
def start_assessment(request, code, pk):
    service = service_from_url(request, code, pk, "assessments.assess_service")
    if service.is_retired:  # as the rule says, for superusers too
        raise PermissionDenied
    draft = service.assessments.in_progress().first()
    if draft is not None:
        messages.info(request, "This service already has an assessment in progress")
        return redirect(_url("assessment", draft))
    waiting = service.assessments.awaiting_review().order_by("-submitted_at").first()
    if waiting is not None:  # asked of the state, not the rule, which superusers skip
        return render(
            request,
            "assessments/assessments/start_waiting.html",
            {
                "service": service,
                "council": service.council,
                "waiting": waiting,
            },
            status=409,
        )
    previous = service.assessments.finished().order_by("-submitted_at").first()
    form = StartAssessmentForm(
        request.POST if request.method == "POST" else None,
        previous=previous,
        initial={"phase": service.phase},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.start_assessment(
                service,
                by=request.user,
                phase=form.cleaned_data["phase"],
                carry_forward=form.cleaned_data.get("start_from") == "previous",
            )
        except (ValidationError, IntegrityError):
            # Someone else started one a moment ago. The service's lock makes this a
            # ValidationError; the database's one-draft rule is the net under it.
            draft = service.assessments.in_progress().first()
            if draft is None:  # and it has been deleted since: show the form again
                return redirect(request.path)
            messages.info(request, "Someone else has just started an assessment of this service")
            return redirect(_url("assessment", draft))
        return redirect(_url("assessment", assessment))
    return render(
        request,
        "assessments/assessments/start.html",
        {"service": service, "council": service.council, "form": form, "previous": previous},
    )


@login_required
@require_safe
def task_list(request, code, pk):
    assessment = assessment_from_url(request, code, pk)
    answers = _answers(assessment)
    review = _review_context(request.user, assessment)
    for answer in answers:  # the open round's question on the point, if any
        answer.question = review.get("questions", {}).get(answer.point.number)
    rows = [(answer, scoring.task_status(answer, len(answer.links.all()))) for answer in answers]
    return render(
        request,
        "assessments/assessments/task_list.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
            "rows": rows,
            "status_changes": assessment.status_changes.select_related("by"),
            "summary": _summary(answers),
            "can_edit": _may_edit(request.user, assessment),
            **publishing_context(request.user, assessment),
            **review,
            # A current reviewer, while it is with the reviewers: a link to their review.
            "is_reviewer": (
                rules.current_assignment(request.user, assessment)
                if assessment.status in BEING_REVIEWED
                and request.user.has_perm("assessments.review_assessment", assessment)
                else None
            ),
        },
    )


def publishing_context(user, assessment):
    """What the person may do about publishing: publish (a lead, once reviewed or while
    submitted), withdraw the publication (a lead or a coordinator), correct it (a
    coordinator); and whether it has a public report to link to."""
    return {
        "can_publish": _allowed_now(user, "publish", assessment),
        "can_withdraw_publication": _allowed_now(user, "withdraw_publication", assessment),
        "can_correct": assessment.status == Status.PUBLISHED
        and user.has_perm("assessments.correct_publication", assessment),
        "has_report": assessment.status in EVER_PUBLISHED,
    }


def _review_context(user, assessment):
    """Under peer review: the open round's questions by point number, the points with
    unread messages, and what the person may do about them. A constant number of queries."""
    if assessment.is_draft:
        return {}
    clarification = open_round(assessment)
    can_discuss = user.has_perm("assessments.view_discussion", assessment)
    return {
        "clarification": clarification,
        "questions": {question.point.number: question for question in clarification.questions.all()}
        if clarification
        else {},
        "can_discuss": can_discuss,
        "unread": unread_points(user, assessment) if can_discuss else set(),
        "can_request_clarification": _allowed_now(user, "request_clarification", assessment),
        "can_send_back": _allowed_now(user, "send_back_clarification", assessment),
    }


def _link_formset(data, answer, *, add_row=False):
    """The links part of the point form: the saved links plus one blank row, or the rows
    in `data` (what was posted, or kept when it could not be saved).

    "Add another link" (without JavaScript) posts the form back with one more row,
    keeping everything typed so far.
    """
    if data is not None:
        data = data.copy()
        try:
            rows = int(data.get("links-TOTAL_FORMS", ""))
        except ValueError:  # not a count ("²" is a digit, but not one int() reads)
            rows = None
        added = add_row and rows is not None and 0 <= rows < LINK_LIMIT
        if added:
            data["links-TOTAL_FORMS"] = str(rows + 1)
        # Anything else that is not a count is left for the formset to refuse as tampered.
        links = LinkFormSet(data, prefix="links")
        # The new row's title gets the focus (`autofocus`, so without JavaScript too).
        links.added_row = int(rows) if added else None
        return links
    initial = [{"title": link.title, "url": link.url} for link in answer.links.all()]
    links = LinkFormSet(initial=[*initial, {}], prefix="links")
    links.added_row = None
    return links


# Where "Save and continue" may go instead of the next point: a fixed set of names,
# never an address taken from the request.
RETURNS = {"check": "check_answers"}


def _return_to(request):
    """The page the person came from, if it is one they go back to ("return=check")."""
    value = (request.POST if request.method == "POST" else request.GET).get("return", "")
    return value if value in RETURNS else ""


def _initial_answer(answer):
    if answer.not_applicable:
        return NOT_APPLICABLE
    return "" if answer.score is None else str(answer.score)


@unsaved.keeps_unsaved_text
@login_required
@require_http_methods(["GET", "POST"])
def edit_point(request, code, pk, number):
    assessment = assessment_from_url(request, code, pk)
    # With the number of points (for "Point 3 of 15" and the next point) and, to show
    # the page, its links (the form's rows, and the page when it cannot be changed). A
    # save reads them again, locked (`services.save_point`).
    answers = assessment.points.with_point_count().select_related("point", "updated_by")
    if request.method == "GET":
        answers = answers.prefetch_related("links")
    try:
        answer = answers.get(point__number=number)
    except PointAssessment.DoesNotExist:
        raise Http404("No such point.") from None
    # While clarification is requested, the questions asked: which points may change,
    # and this one's question on the page. One query for both.
    questions = {}
    if assessment.status == Status.CLARIFICATION_REQUESTED:
        questions = services.open_questions(assessment)
    # A draft's points, or while clarification is requested the points asked about.
    can_edit = services.may_change_point(
        request.user, assessment, answer.point_id, asked=set(questions)
    )
    if request.method == "POST" and not can_edit and assessment.is_draft:
        raise PermissionDenied
    action = request.POST.get("action", "")
    return_to = _return_to(request)
    # What they typed before being signed out, shown again but not saved (lgdss.unsaved).
    kept = unsaved.restore(request) if request.method == "GET" else None
    if kept is not None and not can_edit and assessment.is_draft:
        kept = None  # they could not have saved it
    data = request.POST if request.method == "POST" else kept
    form = PointForm(
        data,
        initial={
            "answer": _initial_answer(answer),
            "not_applicable_reason": answer.not_applicable_reason,
            "evidence": answer.evidence,
            "revision": answer.revision,
        },
    )
    links = _link_formset(data, answer, add_row=action == "add_link")
    conflict = None
    preview = None  # the evidence typed, to show rendered, after "Preview"
    not_saved = None  # the assessment as it is, when it stopped being a draft before the save
    if data is not None and not can_edit:
        # A member saving after the assessment was submitted: nothing is saved, and what
        # they typed comes back to them.
        not_saved = assessment
        form.is_valid()
        _not_saved_error(form, assessment)
    elif request.method == "POST" and action == "preview":
        # The evidence as it will appear, with everything typed kept and nothing saved.
        preview = form["evidence"].value() or ""
    elif request.method == "POST" and action != "add_link" and form.is_valid() and links.is_valid():
        data = form.cleaned_data
        try:
            services.save_point(
                answer,
                by=request.user,
                revision=data["revision"],
                score=data["score"],
                not_applicable=data["not_applicable"],
                reason=data["not_applicable_reason"],
                evidence=data["evidence"],
                links=[
                    (row["title"].strip(), row["url"])
                    for row in links.cleaned_data
                    if row.get("title") and row.get("url")
                ],
                replacing=data["replacing"],
            )
        except services.EditConflict as error:
            conflict = error.current
            # What they typed stays in the form; saving again now replaces the other version.
            form.data = form.data.copy()
            form.data["revision"] = conflict.revision
            form.data["replacing"] = "true"
            form.add_error(
                None,
                f"{conflict.updated_by or 'Someone'} saved this point while you were editing it. "
                "Check their version, then save again",
            )
            form.non_field_anchor = "#their-version"
        except services.NotEditable as error:
            not_saved = error.assessment
            can_edit = False
            _not_saved_error(form, not_saved)
        else:
            messages.success(request, f"Point {number} saved")
            if action == "continue" and assessment.is_draft:
                if return_to:
                    return redirect(_url(RETURNS[return_to], assessment))
                if number < answer.point_count:
                    return redirect(_url("edit_point", assessment, number + 1))
                return redirect(_url("check_answers", assessment))
            return redirect(_url("assessment", assessment))
    point = answer.point
    return render(
        request,
        "assessments/assessments/point.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
            "answer": answer,
            "point": point,
            "form": form,
            "links": links,
            "levels": scoring.LEVELS,
            "conflict": conflict,
            "conflict_links": list(conflict.links.all()) if conflict else [],
            "can_edit": can_edit,
            "point_count": answer.point_count,
            "phase_expectation": getattr(point, assessment.phase, ""),
            "last_time": _last_time(assessment, number),
            "not_saved": not_saved,
            "return_to": return_to,
            "preview": preview,
            "restored": kept is not None and not_saved is None,
            "limits": {
                "evidence": f"{EVIDENCE_LIMIT:,}",
                "reason": f"{REASON_LIMIT:,}",
                "links": LINK_LIMIT,
                "link_title": f"{LINK_TITLE_LIMIT:,}",
                "link_address": f"{LINK_ADDRESS_LIMIT:,}",
            },
            "has_errors": bool(form.errors or links.total_error_count() or conflict),
            **discussion_context(request.user, assessment, questions.get(point.pk)),
        },
    )


def discussion_context(user, assessment, question):
    """For a point page under peer review: the open round's `question` on this point (or
    None), and whether the person may read the point's discussion and has unread messages."""
    if assessment.is_draft:
        return {}
    can_read = user.has_perm("assessments.view_discussion", assessment)
    return {
        "question": question,
        "can_discuss": can_read,
        "unread": unread_points(user, assessment) if can_read else set(),
    }


def _last_time(assessment, number):
    """On a reassessment, this point's answer in the assessment it carried forward from."""
    if assessment.started_from_id is None:
        return None
    return (
        PointAssessment.objects.filter(assessment=assessment.started_from_id, point__number=number)
        .select_related("assessment")
        .prefetch_related("links")
        .first()
    )


def _not_saved_error(form, assessment):
    if assessment.status == Status.CLARIFICATION_REQUESTED:
        message = (
            "Your changes have not been saved: the reviewers have asked for clarification "
            "on other points, and only those can be changed now"
        )
    else:
        message = (
            "Your changes have not been saved: the assessment was "
            f"{assessment.get_status_display().lower()} while you were editing"
        )
    form.add_error(None, message)
    form.non_field_anchor = "#not-saved"


@login_required
@require_safe
def check_answers(request, code, pk):
    assessment = assessment_from_url(request, code, pk)
    return _check_answers_page(request, assessment)


def _check_answers_page(request, assessment, *, status=200):
    """Check answers; after a refused submission (status 400) the gaps are shown as errors."""
    answers = _answers(assessment)
    return render(
        request,
        "assessments/assessments/check_answers.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
            "answers": answers,
            "summary": _summary(answers),
            "problems": services.incomplete_points(assessment) if assessment.is_draft else [],
            "levels": scoring.LEVEL_BY_SCORE,
            "rating_rule": scoring.RATING_RULE,
            "can_edit": _may_edit(request.user, assessment),
            "can_submit": request.user.has_perm("assessments.submit_assessment", assessment),
            "has_errors": status == 400,
        },
        status=status,
    )


@login_required
@require_POST
def submit(request, code, pk):
    assessment = assessment_from_url(request, code, pk)
    try:
        services.submit(assessment, by=request.user)
    except services.IncompleteAssessment:
        # The check-answers page lists what is missing, with links to each point.
        return _check_answers_page(request, assessment, status=400)
    except services.AlreadyDone:  # a double click: the first request submitted it
        pass
    except services.NotAllowedNow as refused:
        return _moved_on(request, refused.assessment)
    return redirect(_url("assessment_submitted", assessment))


def _moved_on(request, assessment):
    """Someone changed the assessment's state while this person was looking at it."""
    messages.info(
        request,
        f"Nothing was changed: the assessment is now {assessment.get_status_display().lower()}",
    )
    return redirect(_url("assessment", assessment))


@login_required
@require_safe
def submitted(request, code, pk):
    assessment = assessment_from_url(request, code, pk)
    if assessment.submitted_at is None:
        return redirect(_url("assessment", assessment))
    return render(
        request,
        "assessments/assessments/submitted.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, code, pk):
    try:
        assessment = assessment_from_url(request, code, pk, "assessments.delete_assessment")
    except Http404:
        if request.method == "POST":
            return _already_deleted(request, code)
        raise
    if not _allowed_now(request.user, "delete", assessment):
        raise PermissionDenied
    if request.method == "POST":
        service = assessment.service
        try:
            services.delete_draft(assessment, by=request.user)
        except services.NotAllowedNow as refused:
            return _moved_on(request, refused.assessment)
        messages.success(request, f"The draft assessment of {service.name} has been deleted")
        return redirect(service.get_absolute_url())
    return render(
        request,
        "assessments/assessments/delete.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
        },
    )


def _already_deleted(request, code):
    """A repeated "delete" (a double click): the first request deleted the draft.

    The draft is gone, so its service is unknown; a member lands on the council's
    services, anyone else gets the 404 they would have had anyway.
    """
    council = council_from_url(code)
    if not request.user.has_perm("assessments.view_services", council):
        raise Http404("No such assessment.")
    messages.info(request, "That draft assessment has already been deleted")
    return redirect("assessments:service_list", council.code.lower())


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, code, pk):
    assessment = assessment_from_url(request, code, pk)
    if assessment.status == Status.WITHDRAWN and request.method == "POST":
        return redirect(_url("assessment", assessment))  # a double click: already withdrawn
    if not _allowed_now(request.user, "withdraw", assessment):
        raise PermissionDenied
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(assessment, by=request.user, reason=form.cleaned_data["reason"])
        except services.AlreadyDone:
            pass
        except services.NotAllowedNow as refused:
            return _moved_on(request, refused.assessment)
        else:
            messages.success(request, "The assessment has been withdrawn")
        return redirect(_url("assessment", assessment))
    return render(
        request,
        "assessments/assessments/withdraw.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
            "form": form,
        },
    )
