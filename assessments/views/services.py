"""A council's digital services: the list, adding and changing one, and retiring it.

Council members work on their council's services; coordinators may look but not
change them (see the "Services and assessments" rules). Every change goes through
the workflow functions in assessments.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db import IntegrityError
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from assessments import scoring, services
from assessments.forms.services import (
    CONFLICT,
    ServiceForm,
    product_label,
    service_in_use_named,
)
from assessments.models import AWAITING_REVIEW, EVER_PUBLISHED, Service, Sourcing
from assessments.views.assessments import _allowed_now
from assessments.views.lookups import council_for, service_from_url
from lgdss import unsaved


@login_required
@require_safe
def service_list(request, code):
    """The council's services in use, then those it has retired.

    One query for all the services, with their product, their latest submitted
    assessment and the one in progress, so the number of queries does not grow with
    the number of services.
    """
    council = council_for(request, code, "assessments.view_services")
    everything = list(
        Service.objects.visible_to(request.user)
        .for_council(council)
        .with_assessment_states()
        .select_related("product__supplier")
        .order_by(Lower("name"), "pk")
    )
    for service in everything:
        service.product_text = _product_text(service)
    return render(
        request,
        "assessments/services/service_list.html",
        {
            "council": council,
            "active": [service for service in everything if not service.is_retired],
            "retired": [service for service in everything if service.is_retired],
            "can_add": request.user.has_perm("assessments.add_service", council),
        },
    )


@unsaved.keeps_unsaved_text
@login_required
@require_http_methods(["GET", "POST"])
def add_service(request, code):
    council = council_for(request, code, "assessments.add_service")
    kept = unsaved.restore(request) if request.method == "GET" else None  # not saved
    form = ServiceForm(request.POST if request.method == "POST" else kept, council=council)
    if request.method == "POST" and form.is_valid():
        dropped = form.product_dropped()
        try:
            service = services.create_service(council, by=request.user, **form.values())
        except IntegrityError:
            if not _explain_name_taken(form):
                raise
        else:
            said = f"{service.name} has been added"
            if dropped:
                said += (
                    f". The product you entered, {dropped}, was not saved, as it was built in house"
                )
            messages.success(request, said)
            return redirect(service)
    return render(
        request,
        "assessments/services/service_form.html",
        {"council": council, "form": form, "restored": kept is not None},
    )


def _explain_name_taken(form):
    """After the database refused a save: if another service in use now has the name
    (added between our check and our save), say so on the form and return True."""
    other = form.same_name(form.cleaned_data["name"])
    if other is not None:
        form.add_error("name", form.same_name_message(other))
    return other is not None


@unsaved.keeps_unsaved_text
@login_required
@require_http_methods(["GET", "POST"])
def edit_service(request, code, pk):
    """Change a service's details, without overwriting anyone else's changes.

    A retired service cannot be changed: its edit page does not exist (404) until it
    is brought back. If someone saved the service after this person opened the form
    (its revision moved), services.update_service refuses the save and the page shows
    what is saved now above the form, which keeps what this person typed; saving
    again from there replaces the saved version deliberately. The refused save
    answers 200, as a point's page does in the same case.
    """
    service = _active_service(request, code, pk)
    kept = unsaved.restore(request) if request.method == "GET" else None  # not saved
    form = ServiceForm(
        request.POST if request.method == "POST" else kept, council=service.council, service=service
    )
    saved_rows = None
    if request.method == "POST" and form.is_valid():
        dropped = form.product_dropped()
        try:
            updated = services.update_service(
                service,
                by=request.user,
                revision=form.cleaned_data["revision"],
                **form.values(),
            )
        except services.EditConflict as conflict:
            saved = conflict.current
            saved_rows = _rows(saved, typed=form.values())
            form = _form_after_conflict(request, saved)
            service = saved
        except IntegrityError:
            if not _explain_name_taken(form):
                raise
        else:
            said = f"{updated.name} has been updated"
            if dropped:
                said += f". Its product, {dropped}, was removed, as it was built in house"
            messages.success(request, said)
            return redirect(updated)
    return render(
        request,
        "assessments/services/service_form.html",
        {
            "council": service.council,
            "service": service,
            "form": form,
            "saved_rows": saved_rows,
            "restored": kept is not None,
        },
    )


def _active_service(request, code, pk):
    service = service_from_url(request, code, pk, "assessments.change_service")
    if service.is_retired:
        raise Http404("Retired services cannot be changed.")
    return service


def _form_after_conflict(request, saved):
    """The person's answers again, now based on the saved version, with the conflict error."""
    data = request.POST.copy()
    data["revision"] = saved.revision
    form = ServiceForm(data, council=saved.council, service=saved)
    form.is_valid()
    form.add_error(None, CONFLICT)
    form.non_field_anchor = "#saved-service"
    return form


def _rows(service, typed=None):
    """The service's details as rows for a summary list: key, value and form field.

    With `typed` (a form's values), rows whose saved value differs are marked.
    """
    rows = [
        ("Service name", service.name, "name"),
        ("Description", service.description, "description"),
        ("Web address", service.url, "url"),
        ("Phase", service.get_phase_display(), "phase"),
        ("Service owner", service.owner, "owner"),
        ("Built in house or bought", service.get_sourcing_display(), "sourcing"),
    ]
    if service.sourcing == Sourcing.BOUGHT:
        rows.append(("Product", _product_text(service), "product"))
    return [
        {
            "key": key,
            "value": value,
            "field": field,
            "differs": typed is not None and _differs(service, typed, field),
        }
        for key, value, field in rows
    ]


def _product_text(service):
    if service.sourcing != Sourcing.BOUGHT:
        return "Built in house"
    if service.product_id:
        return product_label(service.product)
    return f"{service.suggested_supplier} – {service.suggested_product} (not listed)"


def _differs(service, typed, field):
    if field == "product":
        return (typed["product"], typed["suggested_supplier"], typed["suggested_product"]) != (
            service.product,
            service.suggested_supplier,
            service.suggested_product,
        )
    return typed[field] != getattr(service, field)


@login_required
@require_safe
def service_detail(request, code, pk):
    service = service_from_url(request, code, pk, "assessments.view_service")
    assessments = list(
        service.assessments.visible_to(request.user)
        .prefetch_related("points")
        .order_by("-created_at", "-pk")
    )
    for assessment in assessments:
        assessment.summary = scoring.summarise(assessment.points.all())
    draft = next((assessment for assessment in assessments if assessment.is_draft), None)
    waiting = next((a for a in assessments if a.status in AWAITING_REVIEW), None)
    may_change = request.user.has_perm("assessments.change_service", service)
    for assessment in assessments:
        assessment.has_report = assessment.status in EVER_PUBLISHED
    # The assessment its lead may publish now (at most one waits for review or is reviewed).
    publishable = next((a for a in assessments if _allowed_now(request.user, "publish", a)), None)
    return render(
        request,
        "assessments/services/service_detail.html",
        {
            "council": service.council,
            "service": service,
            "rows": _rows(service),
            "assessments": assessments,
            "draft": draft,
            "may_change": may_change and not service.is_retired,
            "may_retire": may_change,
            "publishable": publishable,
            "may_start": draft is None
            and not service.is_retired
            and request.user.has_perm("assessments.start_assessment", service),
            # Why a member cannot start one: an assessment waits for peer review.
            "waiting": waiting
            if draft is None and request.user.has_perm("assessments.assess_service", service)
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def retire_service(request, code, pk):
    """Retire a service (or bring a retired one back), after asking.

    GET asks; POST does it, with `action` saying which ("retire" or "restore"), so
    that sending the form twice does the same thing once. A retired service cannot
    come back while another of the council's services in use has its name (409).
    """
    service = service_from_url(request, code, pk, "assessments.change_service")
    blocking = _same_name_in_use(service) if service.is_retired else None
    if request.method == "POST" and blocking is None:
        action = request.POST.get("action")
        if action not in ("retire", "restore"):
            raise BadRequest("Say whether to retire or restore the service.")
        if (action == "retire") != service.is_retired:
            try:
                service = services.retire_service(
                    service, by=request.user, retired=action == "retire"
                )
            except IntegrityError:
                blocking = _same_name_in_use(service)
                if blocking is None:
                    raise
        if blocking is None:
            done = "retired" if action == "retire" else "brought back"
            messages.success(request, f"{service.name} has been {done}")
            return redirect(service)
    return render(
        request,
        "assessments/services/retire_service.html",
        {"council": service.council, "service": service, "blocking": blocking},
        status=409 if blocking else 200,
    )


def _same_name_in_use(service):
    return service_in_use_named(service.council, service.name, other_than=service)
