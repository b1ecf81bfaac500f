"""Email once about each peer review that has become overdue.

Safe to run as often as wanted (each review is reminded about once, and two runs at
once skip each other's reviews). In production, run it from cron or a scheduler, say
every hour; `make run` and `make dev` run it every 15 minutes with `--every 900`.
"""

import signal
import time

from django.core.management.base import BaseCommand

from assessments.services.reviewers import send_overdue_reminders


class Command(BaseCommand):
    help = "Email the reviewers and coordinators of each review that has become overdue, once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, checking every SECONDS, until stopped.",
        )

    def handle(self, *args, every=None, **options):
        if not every:
            self.run_once()
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        try:
            while not stopping:
                self.run_once()
                deadline = time.monotonic() + every
                while not stopping and time.monotonic() < deadline:
                    time.sleep(1)
        except KeyboardInterrupt:
            pass

    def run_once(self):
        reminded = send_overdue_reminders()
        if reminded:
            self.stdout.write(f"Asked for reminders about {reminded} overdue review(s).")
