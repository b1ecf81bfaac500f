"""A council's list of digital services: add, change, retire."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from assessments.models import Service
from assessments.services.conflicts import EditConflict

SERVICE_FIELDS = [
    "name",
    "description",
    "url",
    "phase",
    "owner",
    "sourcing",
    "product",
    "suggested_supplier",
    "suggested_product",
]


def _clean_sourcing(values):
    """An in-house service has no product; a bought one has a product or a suggestion."""
    if values.get("sourcing") != "bought":
        values.update(product=None, suggested_supplier="", suggested_product="")
    elif values.get("product") is not None:
        values.update(suggested_supplier="", suggested_product="")
    return values


def create_service(council, *, by, **values):
    """Add a digital service to a council's list (members only)."""
    if not by.has_perm("assessments.add_service", council):
        raise PermissionDenied

    values = _clean_sourcing({key: values.get(key) for key in SERVICE_FIELDS if key in values})
    with transaction.atomic():
        return Service.objects.create(council=council, created_by=by, **values)


def update_service(service, *, by, revision, **values):
    """Change a service's details, unless someone else changed the service first.

    1. Checks that `by` is a member of the service's council.
    2. Locks the service. A retired service cannot be changed (PermissionDenied).
       If its revision is not the one the person started from, someone else saved
       in between: raises EditConflict with the service as it is now and changes
       nothing.
    3. Saves the details (an in-house service keeps no product) and bumps the
       revision.

    Returns the saved service.
    """
    if not by.has_perm("assessments.change_service", service):
        raise PermissionDenied
    values = _clean_sourcing({key: values.get(key) for key in SERVICE_FIELDS if key in values})
    with transaction.atomic():
        service = _locked(service)
        if service.is_retired:
            raise PermissionDenied("Retired services cannot be changed.")
        if service.revision != revision:
            raise EditConflict(service)
        for key, value in values.items():
            setattr(service, key, value)
        service.revision += 1
        service.save()
    return service


def retire_service(service, *, by, retired=True):
    """Mark a service retired (or bring it back). Its assessments stay.

    Bumps the revision, so a change made from a form opened before is refused.
    """
    if not by.has_perm("assessments.change_service", service):
        raise PermissionDenied
    with transaction.atomic():
        service = _locked(service)
        service.retired_at = timezone.now() if retired else None
        service.revision += 1
        service.save(update_fields=["retired_at", "revision", "updated_at"])
    return service


def _locked(service):
    """The service as saved now, its row locked until the transaction ends."""
    return (
        Service.objects.select_for_update(of=("self",))  # the product is an outer join
        .select_related("council", "product__supplier")
        .get(pk=service.pk)
    )
