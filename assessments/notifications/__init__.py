"""Emails, sent once and retried until they go: an outbox of `Notification` rows.

A workflow function calls `notify(kind, about, recipients)` inside its
transaction. That stores one row per (kind, object, recipient) and queues a
task; `manage.py db_worker` sends it (see `tasks`), retrying with back-off.
Coordinators see the emails that could not be sent and can send them again.

The kinds of email, with their templates and context, are all in `kinds`.
See docs/decisions/0008-emails-through-an-outbox.md.
"""

from assessments.notifications import kinds  # noqa: F401  (registers the kinds)
from assessments.notifications.outbox import notify, send_again
from assessments.notifications.registry import KINDS

__all__ = ["KINDS", "notify", "send_again"]
