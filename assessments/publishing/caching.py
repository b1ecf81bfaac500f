"""Caching and conditional requests for public pages and downloads, built on the public
record's version (`PublicRecord`; docs/decisions/0022-caching-public-pages.md).

Every publish, withdrawal and correction adds one to `PublicRecord.version` in its own
transaction. So a public page is named by that version (with its address and who is
asking): the name is its `ETag`, `changed_at` its `Last-Modified`. When the record
changes, every app server computes new names at once, whatever cache it has: nothing is
cleared, and no server can serve a page older than the record it has just read.

Two decorators, for views that accept only GET and HEAD (put them under `require_safe`):

    @require_safe
    @public_record_page
    def results(request): ...             # everything it shows comes from the record

    @require_safe
    @public_record_page(changes_outside_record=True)
    def detail(request, code): ...        # also a council's facts and sign-up

    @require_safe
    @public_record_download
    def assessments_csv(request): ...     # a streaming download: 304s, not stored

A class-based view is wrapped where it is routed, as the feed is:
`require_safe(public_record_page(PublishedFeed()))`. For the API (django-ninja), put
`@decorate_view(public_record_page)` (from `ninja.decorators`) under each `@api.get`, with
`changes_outside_record=True` for the councils' endpoints, which read the live register.

`changes_outside_record` is for pages that also show what changes without the record (a
council's sign-up and facts, the current Standard): their names also carry the number of
the current period of `PUBLIC_CACHE_SECONDS`, so such a change reaches them within that
time, in our cache and in browsers' alike. Pages that show only the record need not.

The decorators answer conditional requests and mark a page that may be shared
(`response.shared_page`); `lgdss.public_pages.StoredPublicPagesMiddleware`, at the front of
the request, stores it with its final headers, gzipped and plain, and serves it from there
to every anonymous visitor after: one query, for the version, and no other middleware.

What is never stored, so that no one is shown what was drawn for someone else:
- pages for a signed-in person (their name and their links are in the header): their
  `ETag` names them, and `PrivatePagesNotStoredMiddleware` tells browsers not to keep them;
- requests that carry a session or messages cookie (something of that visitor's own may be
  on the page), and responses that set a cookie, used a CSRF token or showed a message;
- anything but a 200 (a 404 is cheap; a redirect may depend on the address typed).
A page is the same bytes for every anonymous visitor: the Content Security Policy allows
its one inline script by its hash, not by a nonce (docs/decisions/0014), so its `ETag` is
strong, one for each form (plain and gzipped).
"""

import contextlib
import contextvars
import functools
import hashlib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from assessments.models import PublicRecord

# How long browsers and shared caches (a CDN) may reuse a public page or download without
# asking again: a publication reaches them within a minute.
BROWSER_MAX_AGE = 60


def public_record_page(view=None, *, changes_outside_record=False):
    """Conditional requests and `Cache-Control` for a public page, and the mark that lets
    `lgdss.public_pages` store it for every anonymous visitor.

    Usable bare (`@public_record_page`) or with `changes_outside_record=True` (see the
    module's docstring)."""
    if view is None:
        return functools.partial(public_record_page, changes_outside_record=changes_outside_record)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        validators = _Validators(request, periodic=changes_outside_record)
        response = get_conditional_response(
            request, etag=validators.etag, last_modified=validators.last_modified
        )
        if response is None:
            with _drawn_at(validators.record):
                response = view(request, *args, **kwargs)
            shared = validators.viewer == "anonymous" and shares_pages(request)
            if shared and _may_store(request, response):
                response.shared_page = validators.shared_page
        return _finish(response, validators)

    # How lgdss.public_pages knows, from the address alone, that a page may be stored.
    wrapper.public_record_page = True
    return wrapper


def public_record_download(view):
    """Conditional requests and `Cache-Control` for a streaming download of the record.

    The body is not stored: a download of the whole record grows with it (a national one
    runs to megabytes), so storing it would mean holding all of it in memory before the
    first byte is sent, which is what streaming avoids, and a copy per version in the
    cache. Browsers and shared caches on the way keep it instead, for `BROWSER_MAX_AGE`,
    then ask again with its `ETag` and get a 304 with no body until the record changes.
    The same for everyone, signed in or not: a download shows no one's name."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        validators = _Validators(request, periodic=False, personal=False)
        response = get_conditional_response(
            request, etag=validators.etag, last_modified=validators.last_modified
        )
        if response is None:
            with _drawn_at(validators.record):
                response = view(request, *args, **kwargs)
        return _finish(response, validators)

    return wrapper


def record_state(request=None):
    """The public record's version and the time it last changed, `(0, None)` before any.

    One query, the cheapest there is: a stored page's only one, so a raw cursor, with no
    model built. Read once per request: `lgdss.public_pages` reads it first and keeps it
    on the request for the decorators, which draw the page after it (so a page is never
    older than the version it is named by)."""
    state = getattr(request, "_public_record_state", None)
    if state is not None:
        return state
    version, changed_at = _read_record() or (0, None)
    if isinstance(changed_at, str):  # SQLite has no date type: text, in UTC
        changed_at = parse_datetime(changed_at).replace(tzinfo=UTC)
    state = (version, changed_at.astimezone(UTC) if changed_at else None)
    if request is not None:
        request._public_record_state = state
    return state


_RECORD_QUERY = f"SELECT version, changed_at FROM {PublicRecord._meta.db_table} WHERE id = 1"


def _read_record():
    """The record's row, standing in for Django's health check of the connection.

    With `CONN_HEALTH_CHECKS` Django sends `SELECT 1` before a request's first query on a
    connection it keeps between requests, and opens a new one if that fails. This query
    is as cheap as that one and is the first a stored page makes, so it is the check: on
    a kept connection the database has dropped (a restart, a failover) it fails, and it is
    sent once more on a new connection. A stored page then costs one round trip, not two.
    """
    checking = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if checking:
        connection.health_check_done = True
    try:
        return _fetch_record()
    except DatabaseError:
        if not checking:
            raise
        connection.close()
        return _fetch_record()


def _fetch_record():
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_QUERY)
        return cursor.fetchone()


def current_period():
    """The number of the current period of `PUBLIC_CACHE_SECONDS`, for pages that also
    show what changes outside the record."""
    return int(time.time()) // settings.PUBLIC_CACHE_SECONDS


def shares_pages(request):
    """Whether this request may be given, and may leave, a stored page: only one with
    nothing of the visitor's own in its cookies (a session, so no one signed in, and
    messages). Other cookies change nothing on a page: there is no language cookie,
    and a page that used the CSRF cookie's token is never stored."""
    return not (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or CookieStorage.cookie_name in request.COOKIES
    )


def accepts_gzip(request):
    """As Django's GZipMiddleware decides it."""
    return bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def etag(digest, *, gzipped):
    """The strong `ETag` of one form of a page: its gzipped bytes differ from its plain
    ones, so each form has its own."""
    return f'"{digest}-gzip"' if gzipped else f'"{digest}"'


class _Validators:
    """The page's name (the base of its `ETag`) and `Last-Modified`, from one read of the
    public record. The name covers the record's version and time (a database restored
    from a backup may repeat a version, never both), the full address with its query string,
    who is asking, and the period for pages that also show what changes outside the record."""

    def __init__(self, request, *, periodic, personal=True):
        # (version, time): figures kept for the record while the page is drawn use it too.
        self.record = version, changed_at = record_state(request)
        recorded_at = changed_at
        period = None
        if periodic:
            period = current_period()
            start = datetime.fromtimestamp(period * settings.PUBLIC_CACHE_SECONDS, tz=UTC)
            changed_at = max(changed_at, start) if changed_at else start
        self.viewer = _viewer(request) if personal else "everyone"
        parts = [
            str(version),
            recorded_at.isoformat() if recorded_at else "",
            "" if period is None else str(period),
            # The host too: a feed or an API response has absolute links in it.
            request.build_absolute_uri(),
            self.viewer,
        ]
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        # Everyone's copy of a shared page is the same bytes, in one form or the other.
        self.etag = etag(digest, gzipped=self.viewer == "anonymous" and accepts_gzip(request))
        self.last_modified = int(changed_at.timestamp()) if changed_at else None
        # What lgdss.public_pages keeps with a stored page: its ETags, when it stops
        # being current, and its Last-Modified for conditional requests.
        self.shared_page = {"digest": digest, "period": period, "modified": self.last_modified}


def _viewer(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user {user.pk}"
    return "anonymous"


def _may_store(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # a CSRF token was put in the page
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and (messages.used or len(messages)))


def _finish(response, validators):
    """Validators and Cache-Control on a 200 or 304. Signed-in people's pages are private
    (and `PrivatePagesNotStoredMiddleware` adds no-store); others may be kept by anyone
    for `BROWSER_MAX_AGE`."""
    if response.status_code not in (200, 304):
        # A 404 or a redirect gets no validators: a later request must reach the view.
        return response
    if validators.last_modified and not response.has_header("Last-Modified"):
        response.headers["Last-Modified"] = http_date(validators.last_modified)
    response.headers.setdefault("ETag", validators.etag)
    if validators.viewer.startswith("user "):
        patch_cache_control(response, private=True)
    else:
        patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    return response


# How long a figure kept under the record's version stays in the cache unused: a new
# version gives it a new name anyway, so this only bounds the space old versions hold.
FIGURES_CACHE_SECONDS = 24 * 60 * 60


# The version of the record that the page being drawn is named by (its ETag), while its
# view runs: figures kept under the record's version use it rather than reading it again,
# and so always match the page's name.
_page_record = contextvars.ContextVar("page_record", default=None)


@contextlib.contextmanager
def _drawn_at(record):
    token = _page_record.set(record)
    try:
        yield
    finally:
        _page_record.reset(token)


def kept_for_record(name, compute):
    """`compute()`, kept in the shared cache under `name` and the public record's version
    and time, for figures over the whole record (every publication) that pages show
    beside their own, instead of a scan of the record on every request.

    Safe with several app servers for the same reason as the pages: a publication gives
    every figure a new name at once, so none is stale and nothing is cleared. Without a
    shared cache (or with an empty one) it is computed, as before. Inside a public page or
    download the version is the one the page was named by (no query)."""
    version, changed_at = _page_record.get() or record_state()
    key = "record-figures:{}:{}:{}".format(
        name, version, changed_at.isoformat() if changed_at else ""
    )
    cache = caches["default"]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FIGURES_CACHE_SECONDS)
    return value
