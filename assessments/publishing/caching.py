"""Caching and conditional requests for public pages and downloads, built on the public
record's version (`PublicRecord`; docs/decisions/0022-caching-public-pages.md).

Every publish, withdrawal and correction adds one to `PublicRecord.version` in its own
transaction. So a public page is named by that
version (with its address and who is asking): the name is its `ETag`, `changed_at` its
`Last-Modified`, and the name is also its key in Django's cache. When the record changes,
every app server computes new names at once, whatever cache it has: nothing is cleared,
and no server can serve a page older than the record it has just read. A request for a
stored page costs one query, for the version.

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
council's sign-up and facts, the current Standard): their
names also carry the number of the current period of `PUBLIC_CACHE_SECONDS`, so such a
change reaches them within that time, in our cache and in browsers' alike. Pages that
show only the record need not.

What is never stored, so that no one is shown what was drawn for someone else:
- pages for a signed-in person (their name and their links are in the header): their
  `ETag` names them, and `PrivatePagesNotStoredMiddleware` tells browsers not to keep them;
- requests that carry a session or messages cookie (something of that visitor's own may be
  on the page), and responses that set a cookie, used a CSRF token or showed a message;
- anything but a 200 (a 404 is cheap; a redirect may depend on the address typed).
The page's CSP nonce must be new on every response (docs/decisions/0014): a stored page
keeps a marker where the nonce was, and each response gets the request's own. A 304 sends
no policy at all, so that the browser keeps the one that came with the page it kept.
"""

import contextlib
import contextvars
import functools
import hashlib
import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from assessments.models import PublicRecord

logger = logging.getLogger(__name__)

# How long browsers and shared caches (a CDN) may reuse a public page or download without
# asking again: a publication reaches them within a minute.
BROWSER_MAX_AGE = 60

# Where the page's CSP nonce was, in a stored page. Never in a page of ours: the templates
# escape the angle brackets of anything they print.
NONCE_MARKER = b"\x00<csp-nonce>\x00"


def public_record_page(view=None, *, changes_outside_record=False):
    """Conditional requests, `Cache-Control` and a stored copy for a public page.

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
        if response is not None:  # 304 Not Modified (or 412 for If-Match)
            return _finish(response, request, validators)
        shared = _may_share(request)
        response = _stored(request, validators.key) if shared else None
        if response is None:
            with _drawn_at(validators.record):
                response = view(request, *args, **kwargs)
            if shared and _may_store(request, response):
                _store(request, validators.key, response)
        return _finish(response, request, validators)

    return wrapper


def public_record_download(view):
    """Conditional requests and `Cache-Control` for a streaming download of the record.

    The body is not stored in our cache: a download of the whole record grows with it (a
    national one runs to megabytes), so storing it would mean holding all of it in memory
    before the first byte is sent, which is what streaming avoids, and a copy per version in
    the cache. Browsers and shared caches on the way keep it instead, for `BROWSER_MAX_AGE`,
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
        return _finish(response, request, validators)

    return wrapper


class _Validators:
    """The page's name (its `ETag` and cache key) and `Last-Modified`, from one read of the
    public record. The name covers the record's version and time (a database restored
    from a backup may repeat a version, never both), the full address with its query string,
    who is asking, and the period for pages that also show what changes outside the record."""

    def __init__(self, request, *, periodic, personal=True):
        self.record = record = PublicRecord.current()
        changed_at = record.changed_at
        period = ""
        if periodic:
            seconds = settings.PUBLIC_CACHE_SECONDS
            number = int(time.time()) // seconds
            period = str(number)
            start = datetime.fromtimestamp(number * seconds, tz=UTC)
            changed_at = max(changed_at, start) if changed_at else start
        self.viewer = _viewer(request) if personal else "everyone"
        parts = [
            str(record.version),
            record.changed_at.isoformat() if record.changed_at else "",
            period,
            # The host too: a feed or an API response has absolute links in it.
            request.build_absolute_uri(),
            self.viewer,
        ]
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        # Weak: each response has its own CSP nonce, so the bytes differ; the page does not.
        self.etag = f'W/"{digest}"'
        self.key = f"public-page:{digest}"
        self.last_modified = int(changed_at.timestamp()) if changed_at else None


def _viewer(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user {user.pk}"
    return "anonymous"


def _may_share(request):
    """Whether this request may be given, and may leave, a stored page: only an anonymous
    visitor's with nothing of their own in cookies (a session, messages)."""
    if _viewer(request) != "anonymous":
        return False
    return not (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or CookieStorage.cookie_name in request.COOKIES
    )


def _may_store(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # a CSRF token was put in the page
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and (messages.used or len(messages)))


def _store(request, key, response):
    content = response.content
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # the page used it
        content = content.replace(str(nonce).encode(), NONCE_MARKER)
    headers = dict(response.items())
    try:
        caches["default"].set(key, (content, headers), settings.PUBLIC_CACHE_SECONDS)
    except Exception:
        # A cache server that is down must not take the public pages with it.
        logger.warning("A public page could not be stored in the cache", exc_info=True)


def _stored(request, key):
    try:
        stored = caches["default"].get(key)
    except Exception:
        logger.warning("The cache could not be read for a public page", exc_info=True)
        return None
    if stored is None:
        return None
    content, headers = stored
    if NONCE_MARKER in content:
        nonce = getattr(request, "_csp_nonce", None)
        # Reading the nonce makes the CSP middleware put it in this response's header.
        content = content.replace(NONCE_MARKER, str(nonce).encode() if nonce is not None else b"")
    return HttpResponse(content, headers=headers)


def _finish(response, request, validators):
    """Validators and Cache-Control on a 200 or 304. Signed-in people's pages are private
    (and `PrivatePagesNotStoredMiddleware` adds no-store); others may be kept by anyone
    for `BROWSER_MAX_AGE`."""
    if response.status_code not in (200, 304):
        # A 404 or a redirect gets no validators: a later request must reach the view.
        return response
    if response.status_code == 304:
        # The browser shows the page it kept, with the headers it came with, but for any
        # this response sends. A Content-Security-Policy here would carry another nonce,
        # or none (no page was drawn), and block the kept page's snippet: send none.
        response._csp_config = response._csp_ro_config = {}
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
    record = _page_record.get() or PublicRecord.current()
    key = "record-figures:{}:{}:{}".format(
        name, record.version, record.changed_at.isoformat() if record.changed_at else ""
    )
    cache = caches["default"]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FIGURES_CACHE_SECONDS)
    return value
