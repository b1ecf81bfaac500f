"""Sending one notification, in the background, with retries.

`manage.py db_worker` runs these tasks. A send that fails (the SMTP server is
down, refuses, times out) is tried again later, waiting longer each time; after
MAX_ATTEMPTS it is marked failed and waits for a coordinator to send it again.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from assessments.models import Notification, NotificationStatus
from assessments.notifications import registry

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# How long to wait after the 1st, 2nd, 3rd and 4th failed attempt: a brief outage is
# over by the first retries; a longer one has over two hours before the email fails.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
]


@task
def send_notification(notification_id):
    """Send the notification, once; if sending fails, record why and try again later.

    1. Locks the notification and does nothing unless it is pending: a task run
       twice, or a stale retry, sends nothing more.
    2. Cancels it when what it is about no longer exists, the recipient's account
       is closed, or its kind says it is no longer wanted.
    3. Renders and sends it inside a savepoint: what rendering wrote (an
       invitation's new token) is kept only if the email went.
    4. Marks it sent. On any error: counts the attempt, keeps the error, and queues
       the next attempt after RETRY_DELAYS, or marks it failed after MAX_ATTEMPTS.
    An error sending is recorded, never raised. The row stays locked while the
    email is handed to the server, so two workers cannot both send it.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return
        recipient = notification.recipient
        about = notification.about
        if about is None or (recipient is not None and not recipient.is_active):
            _cancel(notification)
            return
        notification.attempts += 1
        try:
            with transaction.atomic():
                kind = registry.kind(notification.kind)
                message = kind.message(about, to=notification.email, recipient=recipient)
                if message is not None:
                    message.send()
        except Exception as error:
            _failed_attempt(notification, error)
            return
        if message is None:
            _cancel(notification)
            return
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.next_attempt_at = None
        notification.save(update_fields=["status", "sent_at", "attempts", "next_attempt_at"])


def _cancel(notification):
    logger.info("Not sending notification %s: no longer wanted", notification.pk)
    notification.status = NotificationStatus.CANCELLED
    notification.next_attempt_at = None
    notification.save(update_fields=["status", "next_attempt_at"])


def _failed_attempt(notification, error):
    notification.last_error = f"{type(error).__name__}: {error}"[:1000]
    if notification.attempts >= MAX_ATTEMPTS:
        logger.error(
            "Notification %s failed %s times; giving up: %s",
            notification.pk,
            notification.attempts,
            notification.last_error,
            exc_info=error,
        )
        notification.status = NotificationStatus.FAILED
        notification.next_attempt_at = None
    else:
        logger.warning(
            "Notification %s failed (attempt %s), trying again later: %s",
            notification.pk,
            notification.attempts,
            notification.last_error,
        )
        delay = RETRY_DELAYS[min(notification.attempts, len(RETRY_DELAYS)) - 1]
        notification.next_attempt_at = enqueue(notification, delay=delay)
    notification.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])


def enqueue(notification, delay=timedelta(0)):
    """Queue the sending of `notification` after `delay`; returns when it is due.

    The database backend can wait (it stores `run_after`). A backend that cannot
    gets the task at once: the attempts still stop at MAX_ATTEMPTS, only sooner.
    """
    now = timezone.now()
    if delay and send_notification.get_backend().supports_defer:
        send_notification.using(run_after=now + delay).enqueue(notification.pk)
        return now + delay
    send_notification.enqueue(notification.pk)
    return now
