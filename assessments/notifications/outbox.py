"""Asking for emails (`notify`), and sending again one that failed (`send_again`)."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from assessments.models import Notification, NotificationStatus, User, normalise_email
from assessments.notifications import registry
from assessments.notifications.tasks import enqueue


def notify(kind: str, about: Model, recipients: Iterable[User | str]) -> list[Notification]:
    """Email each recipient about `about`, once. Call it inside the transaction that
    makes the change the email tells of.

    1. Checks that `kind` is registered (ValueError otherwise).
    2. For each recipient (a user, or an email address; an address given twice
       counts once) creates the notification unless one exists for this kind,
       object and address: a repeated call, a double click or a retried request
       adds no row and sends nothing twice.
    3. Queues a task to send each new notification. The queue is in the same
       database, so a rollback takes the rows and the tasks with it, and the
       worker sees them only once the transaction has committed.

    Nothing is sent here, so nothing here fails for want of an email server.
    Returns the notification for each recipient, new or already there.
    """
    registry.kind(kind)
    if about.pk is None:
        raise ValueError("Save the object before notifying people about it.")
    about_type = ContentType.objects.get_for_model(about)
    addressees = {}
    for recipient in recipients:
        if isinstance(recipient, User):
            addressees.setdefault(normalise_email(recipient.email), recipient)
        else:
            addressees.setdefault(normalise_email(recipient), None)

    notifications = []
    with transaction.atomic():
        for email, user in addressees.items():
            notification, created = Notification.objects.get_or_create(
                kind=kind,
                about_type=about_type,
                about_id=about.pk,
                email=email,
                defaults={"recipient": user, "next_attempt_at": timezone.now()},
            )
            if created:
                enqueue(notification)
            notifications.append(notification)
    return notifications


def send_again(notification, *, by):
    """A coordinator sends again an email that failed (or whose task was lost).

    1. Checks that `by` may (`assessments.manage_emails`).
    2. Locks the notification; does nothing unless it can be sent again (failed,
       or pending long past its next attempt), so a second click adds nothing.
    3. Makes it pending with its attempts counted afresh, and queues it now.

    Returns whether it was queued again.
    """
    if not by.has_perm("assessments.manage_emails"):
        raise PermissionDenied
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if not notification.can_send_again:
            return False
        notification.status = NotificationStatus.PENDING
        notification.attempts = 0
        notification.next_attempt_at = enqueue(notification)
        notification.save(update_fields=["status", "attempts", "next_attempt_at"])
    return True
