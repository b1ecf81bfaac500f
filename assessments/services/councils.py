"""A council's record: signing up to the Standard."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    Council,
)


def record_adoption(council: Council, *, by, adopted_on, sponsor_role):
    """Record that a council has signed up to the Standard (or correct the record).

    1. Checks that `by` is the council's lead or a coordinator.
    2. Locks the council row and sets the date, the senior sponsor's role, who
       recorded it and when.
    """
    if not by.has_perm("assessments.record_adoption", council):
        raise PermissionDenied
    with transaction.atomic():
        council = Council.objects.select_for_update().get(pk=council.pk)
        council.adopted_on = adopted_on
        council.adoption_sponsor_role = sponsor_role.strip()
        council.adoption_recorded_by = by
        council.adoption_recorded_at = timezone.now()
        council.save(
            update_fields=[
                "adopted_on",
                "adoption_sponsor_role",
                "adoption_recorded_by",
                "adoption_recorded_at",
            ]
        )
    return council
