"""A council's list of digital services: add, change, retire."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    Service,
)

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


def update_service(service, *, by, **values):
    """Change a service's details (members only). Returns the service."""
    if not by.has_perm("assessments.change_service", service):
        raise PermissionDenied
    values = _clean_sourcing({key: values.get(key) for key in SERVICE_FIELDS if key in values})
    with transaction.atomic():
        service = type(service).objects.select_for_update().get(pk=service.pk)
        for key, value in values.items():
            setattr(service, key, value)
        service.save()
    return service


def retire_service(service, *, by, retired=True):
    """Mark a service retired (or bring it back). Its assessments stay."""
    if not by.has_perm("assessments.change_service", service):
        raise PermissionDenied
    with transaction.atomic():
        service = type(service).objects.select_for_update().get(pk=service.pk)
        service.retired_at = timezone.now() if retired else None
        service.save(update_fields=["retired_at", "updated_at"])
    return service
