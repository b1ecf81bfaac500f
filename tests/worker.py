"""Running queued tasks in a test, the way `manage.py db_worker` runs them.

`run_tasks()` runs every task that is due, one at a time, with the worker's own
`run_task`, until none is left. Tasks queued for later (retries) wait, as they
would: `run_tasks(later=timedelta(minutes=5))` first lets that much time pass
for the queue, so the retries due by then run too.
"""

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

WORKER_ID = "test-worker"


def _worker():
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=WORKER_ID,
        excluded_queue_names=[],
    )


def run_tasks(*, later=timedelta(0)):
    """Run the tasks due now (or `later` from now); returns how many ran."""
    if later:
        DBTaskResult.objects.filter(status="READY", run_after__lte=timezone.now() + later).update(
            run_after=timezone.now()
        )
    worker = _worker()
    count = 0
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(WORKER_ID)
        worker.run_task(task)
        count += 1
    return count


def queued():
    """Tasks waiting to run, due or not."""
    return DBTaskResult.objects.filter(status="READY")
