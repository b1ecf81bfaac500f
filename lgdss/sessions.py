"""Idle sign-out without writing the session on every request.

A session ends SESSION_IDLE_MINUTES after it was last saved: the database row's
`expire_date` is set from `SESSION_COOKIE_AGE` each time the session is written. Saving it
on every request (`SESSION_SAVE_EVERY_REQUEST`) kept that exact, but cost an UPDATE and its
transaction on every signed-in page, and on SQLite each one waited for the single writer.

So the session keeps the time it was last saved (`TOUCHED`, seconds since the epoch), and
a request saves it again only when that is `SESSION_REFRESH_SECONDS` old or more. A burst
of pages makes at most one write a minute; someone who stops is signed out between
`SESSION_IDLE_MINUTES` less that minute and `SESSION_IDLE_MINUTES` after their last request.
The timeout warning counts down from the session's real end, `seconds_left()`, not from the
page's load, so it is never later than the server.

While the service is read-only (lgdss/read_only.py) no request moves a session's end on:
only signing in and out write one, as before.

See docs/decisions/0025-the-request-path.md.
"""

import time

from django.conf import settings

# In the session: when it was last saved, in whole seconds since the epoch.
TOUCHED = "_touched"


class SessionRefreshMiddleware:
    """Moves a session's end on when it was last saved a while ago, and notes when a
    session that is being saved anyway was saved.

    Must come after SessionMiddleware in MIDDLEWARE, so that on the way out it runs first
    and the session is saved with what it sets; and after AuthenticationMiddleware, so
    that if the session cannot be read (the database is down) the error page finds
    `request.user` as it would without this middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        # Only a session the browser already has: asking an anonymous visitor's empty
        # session would create one for them.
        has_one = session is not None and settings.SESSION_COOKIE_NAME in request.COOKIES
        if has_one and not settings.READ_ONLY and _is_stale(session):
            # Before the view, so that the page's timeout warning counts from now.
            touch(session)
        response = self.get_response(request)
        if (
            session is not None
            and not settings.READ_ONLY
            and session.modified
            and not session.is_empty()
        ):
            # Saved anyway (signing in, "Stay signed in", the view wrote to it): note it
            # at no cost, so that the next request need not.
            touch(session)
        return response


def touch(session):
    """Mark the session as saved now: it will be written, and its end moved on."""
    session[TOUCHED] = int(time.time())


def seconds_left(session):
    """How long until the session ends if nothing else is asked of the server."""
    age = settings.SESSION_COOKIE_AGE
    touched = session.get(TOUCHED)
    if touched is None:
        return age
    return max(0, age - (int(time.time()) - touched))


def _is_stale(session):
    """Whether this non-empty session was last saved SESSION_REFRESH_SECONDS ago or more.
    Reading it loads it, as the sign-in check after this would."""
    touched = session.get(TOUCHED)
    if session.is_empty():  # no such session, or it has ended
        return False
    return touched is None or time.time() - touched >= settings.SESSION_REFRESH_SECONDS
