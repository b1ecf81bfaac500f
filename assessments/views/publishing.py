"""Publishing, from the council's side: publishing after a confirmation, withdrawing a
publication with a public reason, and a coordinator's correction of a published text.

Each page reaches the assessment through `assessment_from_url` and asks the same rule and
state as the transition it makes (`_allowed_now`), so that a person is refused the page
before they fill it in, not after; the transition asks again under its lock. See
docs/decisions/0020-publishing.md.
"""

import hashlib
from dataclasses import fields
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from assessments import services
from assessments.forms.publishing import (
    ChooseCorrectionForm,
    CorrectionForm,
    PublishForm,
    WithdrawPublicationForm,
    correctable,
)
from assessments.models import CorrectableField, Publication, Status
from assessments.publishing.records import correct
from assessments.publishing.snapshot import load_snapshot
from assessments.rules import is_lead_of_owning_council
from assessments.templatetags.presenters import published_summary
from assessments.views.assessments import _allowed_now, _moved_on, _url
from assessments.views.lookups import assessment_from_url


def fingerprint(snapshot):
    """A short digest of everything a snapshot holds: the confirmation page sends it back,
    and publishing is refused if what would be published has changed since."""
    return hashlib.sha256(repr(snapshot).encode()).hexdigest()


def _published_message(request, assessment):
    """The success banner after publishing, with the link to the public report."""
    messages.success(
        request,
        format_html(
            'The assessment has been published. <a class="govuk-notification-banner__link" '
            'href="{}">Read the public report</a>',
            reverse("assessments:published_assessment", args=[assessment.pk]),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, code, pk):
    """The confirmation page (GET) shows exactly what will become public: the snapshot
    the transition would write now, from the same pure function. POST publishes it."""
    # With what the snapshot reads of its council, product and review.
    assessment = assessment_from_url(
        request,
        code,
        pk,
        related=("service__council__peer_group", "service__product__supplier", "review"),
    )
    if assessment.status == Status.PUBLISHED and request.method == "POST":
        return redirect(_url("assessment", assessment))  # a double click: already published
    if (
        request.method == "POST"
        and assessment.status not in services.TRANSITIONS["publish"].sources
        and is_lead_of_owning_council(request.user, assessment)
    ):
        # A lead who opened the confirmation before someone moved the assessment on (a
        # coordinator started its review): told so, rather than refused.
        return _moved_on(request, assessment)
    if not _allowed_now(request.user, "publish", assessment):
        raise PermissionDenied
    peer_reviewed = assessment.status == Status.REVIEWED
    frozen = load_snapshot(assessment, peer_reviewed=peer_reviewed)
    form = PublishForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["shown"] != fingerprint(frozen):
            messages.info(
                request,
                "Nothing was published: what would be published has changed since you opened "
                "this page. Check it again, then publish",
            )
            status = 409
        else:
            try:
                services.publish(assessment, by=request.user)
            except services.AlreadyDone:
                pass
            except services.NotAllowedNow as refused:
                return _moved_on(request, refused.assessment)
            except ValidationError as error:  # the review is not complete after all
                messages.info(request, f"Nothing was published: {' '.join(error.messages)}")
                return redirect(_url("assessment", assessment))
            else:
                _published_message(request, assessment)
            return redirect(_url("assessment", assessment))
    return render(
        request,
        "assessments/publishing/publish.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
            **_as_published(frozen),
            "shown": fingerprint(frozen),
            "may_respond": peer_reviewed
            and request.user.has_perm("assessments.respond_to_review", assessment),
            "ends_assignments": not peer_reviewed
            and assessment.assignments.filter(ended_at__isnull=True).exists(),
        },
        status=status,
    )


def _as_published(frozen):
    """The snapshot under the names the report reads from a `Publication`, so that the
    confirmation page draws it with the report's own templates."""
    record = SimpleNamespace(
        **{column.name: getattr(frozen, column.name) for column in fields(frozen)},
        **frozen.council,
        **frozen.service,
        is_peer_reviewed=frozen.is_peer_reviewed,
        published_at=None,
    )
    count = len(frozen.points)
    return {
        "snapshot": frozen,
        "record": record,
        "points": frozen.points,
        "figures": published_summary(frozen.figures, "", count),
        "self_figures": published_summary(frozen.self_figures, "", count),
        "agreed_figures": published_summary(frozen.agreed_figures, "", count),
    }


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_publication(request, code, pk):
    """Withdraw a publication (the council's lead or a coordinator), with a public reason.
    The report stays at its address, with the notice and the reason."""
    assessment = assessment_from_url(request, code, pk)
    if assessment.status == Status.UNPUBLISHED and request.method == "POST":
        return redirect(_url("assessment", assessment))  # a double click: already withdrawn
    if not _allowed_now(request.user, "withdraw_publication", assessment):
        raise PermissionDenied
    form = WithdrawPublicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_publication(
                assessment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.AlreadyDone:
            pass
        except services.NotAllowedNow as refused:
            return _moved_on(request, refused.assessment)
        else:
            messages.success(request, "The publication has been withdrawn")
        return redirect(_url("assessment", assessment))
    return render(
        request,
        "assessments/publishing/withdraw_publication.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def correct_publication(request, code, pk):
    """A coordinator corrects one published text, in two steps.

    1. GET without a point and a text chosen: which point, and which of its texts (a GET
       form, so that the second step has its own address and "Change" returns here).
    2. GET `?point=3&field=evidence`: the text as published, to correct, and the reason.
       POST makes the correction through `publishing.records.correct`, which keeps the
       text it replaces and shows the correction, with its reason, on the report.
    """
    assessment = assessment_from_url(request, code, pk)
    if not _allowed_now_to_correct(request.user, assessment):
        raise PermissionDenied
    try:
        publication = Publication.objects.get(pk=assessment.pk)
    except Publication.DoesNotExist:
        raise Http404("No publication.") from None
    points = list(publication.points.all())
    by_number = {point.number: point for point in points}
    context = {
        "assessment": assessment,
        "service": assessment.service,
        "council": assessment.service.council,
        "publication": publication,
    }
    if request.method == "POST":
        form = CorrectionForm(request.POST, points=points)
        chosen = _chosen(form, by_number, peer_reviewed=publication.is_peer_reviewed)
        if chosen is not None and form.is_valid():
            data = form.cleaned_data
            try:
                correct(
                    publication,
                    by=request.user,
                    point_number=data["point"],
                    field=data["field"],
                    text=data["text"],
                    reason=data["reason"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Point {data['point']} of the publication corrected")
                return redirect(publication.get_absolute_url())
        if chosen is None:  # the hidden fields were tampered with: start again
            return redirect(request.path)
        return render(
            request,
            "assessments/publishing/correct.html",
            {**context, "form": form, **chosen},
        )
    # Bound once chosen; "Change" on the second step comes back with the choice filled in.
    asked = ("point" in request.GET or "field" in request.GET) and "change" not in request.GET
    choose = ChooseCorrectionForm(
        request.GET if asked else None,
        initial=request.GET.dict(),
        points=points,
        peer_reviewed=publication.is_peer_reviewed,
    )
    if asked and choose.is_valid():
        point = by_number[choose.cleaned_data["point"]]
        field = choose.cleaned_data["field"]
        form = CorrectionForm(
            initial={"point": point.number, "field": field, "text": getattr(point, field)},
            points=points,
        )
        return render(
            request,
            "assessments/publishing/correct.html",
            {**context, "form": form, "point": point, "field": CorrectableField(field)},
        )
    return render(
        request, "assessments/publishing/choose_correction.html", {**context, "form": choose}
    )


def _allowed_now_to_correct(user, assessment):
    """The rule, and the state asked too (Django gives a superuser every permission)."""
    return assessment.status == Status.PUBLISHED and user.has_perm(
        "assessments.correct_publication", assessment
    )


def _chosen(form, by_number, *, peer_reviewed):
    """The point and field a posted correction is about, or None if they are not ones the
    first step offers (the hidden fields were changed)."""
    try:
        number = int(form.data.get("point", ""))
        field = CorrectableField(form.data.get("field", ""))
    except ValueError:
        return None
    point = by_number.get(number)
    if point is None or not correctable(point, field, peer_reviewed=peer_reviewed):
        return None
    return {"point": point, "field": field}


def _add_errors(form, error):
    """`correct`'s refusals on the form: on the field they name, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
