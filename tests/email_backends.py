"""An email backend for tests that plays an email server which is down."""

import smtplib
import threading

from django.core.mail.backends import locmem


class FailingEmailBackend(locmem.EmailBackend):
    """Refuses the next `failures_left` sends as an unreachable SMTP server does,
    then delivers to `mail.outbox` like Django's test backend."""

    failures_left = 0

    def send_messages(self, messages):
        if FailingEmailBackend.failures_left > 0:
            FailingEmailBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class HeldEmailBackend(locmem.EmailBackend):
    """Says it is sending (`entered`), then waits for `release` before delivering:
    for holding one worker inside a send while another tries the same email."""

    entered = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        HeldEmailBackend.entered.set()
        HeldEmailBackend.release.wait(timeout=10)
        return super().send_messages(messages)
