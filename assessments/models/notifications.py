"""The outbox: one row per email the service means to send, so that each is sent once.

See docs/decisions/0008-emails-through-an-outbox.md and `assessments.notifications`.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

# A pending email whose next attempt is this late has lost its task (a worker
# stopped in the middle of it): a coordinator may send it again.
STUCK_AFTER = timedelta(minutes=15)


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class NotificationQuerySet(models.QuerySet):
    def unsent(self):
        """Emails still to be sent, or that could not be: what a coordinator keeps an eye on."""
        return self.filter(status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED])

    def can_send_again(self):
        """Failed emails, and pending ones whose task was lost."""
        return self.filter(
            models.Q(status=NotificationStatus.FAILED)
            | models.Q(
                status=NotificationStatus.PENDING, next_attempt_at__lt=timezone.now() - STUCK_AFTER
            )
        )


class Notification(models.Model):
    """An email of one kind, about one object, to one recipient, and how sending it went.

    The unique constraint on (kind, object, recipient) is what makes `notify` safe
    to repeat: a double click or a retried request finds the row already there.
    The email's content is not stored: it is rendered when it is sent, from the
    database as it is then.
    """

    kind = models.CharField(max_length=50)
    about_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    about_id = models.PositiveBigIntegerField()
    # Not a foreign key: the email outlives what it is about, and is cancelled if that goes.
    about = GenericForeignKey("about_type", "about_id")
    email = models.EmailField("recipient's email address")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="The person, when the email was addressed to someone with an account.",
    )
    status = models.CharField(
        max_length=20, choices=NotificationStatus, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "about_type", "about_id", "email"],
                name="one_notification_per_kind_object_recipient",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} to {self.email} ({self.get_status_display().lower()})"

    @property
    def can_send_again(self):
        return self.status == NotificationStatus.FAILED or (
            self.status == NotificationStatus.PENDING
            and self.next_attempt_at is not None
            and self.next_attempt_at < timezone.now() - STUCK_AFTER
        )
