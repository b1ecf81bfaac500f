"""Stored public pages, served at the front of the request (docs/decisions/0022).

A page of the public record is the same bytes for every visitor who is not signed in:
nothing in it is theirs, and its one inline script is allowed by its hash, not a nonce
(docs/decisions/0014). So the first such visitor's page, once every middleware has added
its headers (the security headers, the Content Security Policy, Permissions-Policy,
Cache-Control, its validators), is kept in the cache (`CACHE_URL`), plain and gzipped, and
every such visitor after is sent those bytes from here: near the top of `MIDDLEWARE`,
before sessions, CSRF, authentication, two-factor, messages and the rest have run. A page
served from here costs one query, for the public record's version, and one cache read.

What is kept is decided where the page is drawn: only pages whose view is marked with
`public_record_page` (assessments/publishing/caching.py), and of those only a 200 drawn for
an anonymous visitor that set no cookie, used no CSRF token and showed no message. Checked
again here: no middleware set a cookie on its way out.

Served from here only:
- a GET or HEAD (read-only mode refuses only other methods, so it needs nothing here);
- with no session or messages cookie (`shares_pages`): no one signed in, nothing of the
  visitor's own;
- for an address whose host is allowed (Django's `get_host()`): a bad Host goes on down
  the stack, which answers 400 as for any page;
- while current: the key names the public record's version, its time and the full
  address (scheme, host, path, query), so a publication on any app server changes every
  page's key at once; a page that also shows what changes outside the record is current
  for the period of `PUBLIC_CACHE_SECONDS` it was drawn in. The scheme in the key keeps
  `SECURE_SSL_REDIRECT` whole: a plain-HTTP address is redirected by the stack, never
  stored, so never found here.

Each form has its own strong `ETag`, and a conditional request (If-None-Match or
If-Modified-Since) is answered here with a 304. A HEAD gets the headers with no body.

The gzipped form is made once, when the page is stored, with no random bytes in its
header: Django's defence against BREACH guards a secret in a page that also shows an
attacker's text, and a stored page has no secret (no CSRF token, nothing of anyone's).

One drawer at a time. When a page's name changes (its first request, a publication, a
new period), every request for it finds nothing stored, and a slow page (a product page
takes hundreds of milliseconds under load) would be drawn by every worker at once, each
making the others slower. So the first request takes a lock in the cache for that key
(`cache.add`, which only one caller wins: across servers with Redis, within a process
with memory) and draws; the others wait for its page, looking in the store every
`POLL_SECONDS`, and draw it themselves if the drawer gives up the lock without storing a
page (a 404, a cookie) or after `WAIT_SECONDS`. A drawer that dies leaves a lock that
ends by itself after `LOCK_SECONDS`. A waiter looks only under the key it named from the
version it read, so it is never given a page older than that version.

A page that changes outside the record, found stored from an earlier period and drawn
less than `PUBLIC_CACHE_SECONDS` ago, is still sent while one request draws it anew:
when the period rolls over no one waits for it, and no one is shown anything older than
such a page can be by design (docs/decisions/0022).
"""

import functools
import gzip
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils.cache import get_conditional_response

from assessments.publishing.caching import (
    accepts_gzip,
    current_period,
    etag,
    record_state,
    shares_pages,
)

logger = logging.getLogger(__name__)

# Set for each form when it is stored; the rest of the headers are the page's own.
PER_FORM = {"content-encoding", "content-length", "etag", "vary"}
# Another form for a browser that accepts gzip or not, and for one sending a session cookie.
VARY = "Cookie, Accept-Encoding"

# One drawer per page: how long its lock lasts if it never lets it go (a worker killed
# while drawing), how long the others wait for its page before drawing it themselves,
# and how often they look. A page takes well under a second to draw, even under load.
LOCK_SECONDS = 5
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.01


class StoredPublicPagesMiddleware:
    """Serves a stored public page, or stores the page drawn for this request if it may
    be shared. It comes just after the health checks and the request log in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (_may_serve(request) and _is_public_record_page(request)):
            return self.get_response(request)
        try:
            address = request.build_absolute_uri()
        except DisallowedHost:
            return self.get_response(request)
        gzipped = accepts_gzip(request)
        key = _key(record_state(request), address)
        stored = _read(key, gzipped)
        if stored is not None and _is_current(stored):
            return _respond(request, stored)
        renewable = stored if stored is not None and _may_be_renewed(stored) else None
        return self._draw_once(request, key, gzipped, renewable)

    def _draw_once(self, request, key, gzipped, renewable):
        """Draws the page if no other request is drawing it; otherwise sends the page of
        the earlier period while it is renewed, or waits for the drawer's page."""
        lock = _take_lock(key)
        if lock is not None:
            try:
                return self._draw(request, key, gzipped)
            finally:
                _let_go(lock)
        if renewable is not None:
            return _respond(request, renewable)
        stored = _wait_for(key, gzipped)
        if stored is not None:
            return _respond(request, stored)
        return self._draw(request, key, gzipped)

    def _draw(self, request, key, gzipped):
        response = self.get_response(request)
        page = getattr(response, "shared_page", None)
        if (
            page is None
            or response.cookies
            or response.get("Content-Encoding") not in (None, "gzip")
        ):
            return response
        forms = _forms(response, page)
        _write(key, forms)
        # This visitor gets what every later one will, from the first.
        return _respond(request, forms[gzipped])


def _may_serve(request):
    return request.method in ("GET", "HEAD") and shares_pages(request)


def _is_public_record_page(request):
    """Whether the address is a page whose view is marked with `public_record_page`: only
    those are looked for in the store, so other pages (and static files) cost no query."""
    match = _resolve(get_resolver(get_urlconf()), request.path_info)
    if match is None:
        return False
    # Kept for the request log, which would otherwise resolve the address again.
    request.resolver_match = match
    return getattr(match.func, "public_record_page", False)


@functools.lru_cache(maxsize=1024)
def _resolve(resolver, path):
    """The address's view, remembered: a stored page is asked for again and again. By
    resolver too, which Django makes anew when the URLs change (in tests)."""
    try:
        return resolver.resolve(path)
    except Resolver404:
        return None


def _key(state, address):
    version, changed_at = state
    name = f"{version}\n{changed_at.isoformat() if changed_at else ''}\n{address}"
    return f"public-page:{hashlib.sha256(name.encode()).hexdigest()[:32]}"


def _form_key(key, gzipped):
    return f"{key}:gzip" if gzipped else f"{key}:plain"


def _forms(response, page):
    """The page as it will be sent: plain and gzipped, each with its headers."""
    plain = response.content
    if response.has_header("Content-Encoding"):  # gzipped on its way out, for this visitor
        plain = gzip.decompress(plain)
    headers = [(name, value) for name, value in response.items() if name.lower() not in PER_FORM]
    forms = {}
    for gzipped, body in ((False, plain), (True, gzip.compress(plain, mtime=0))):
        own = [
            ("ETag", etag(page["digest"], gzipped=gzipped)),
            ("Vary", VARY),
            ("Content-Length", str(len(body))),
        ]
        if gzipped:
            own.append(("Content-Encoding", "gzip"))
        forms[gzipped] = {
            "page": page,
            "headers": headers + own,
            "body": body,
            "stored_at": time.time(),
        }
    return forms


def _respond(request, form):
    body = b"" if request.method == "HEAD" else form["body"]
    response = HttpResponse(body, headers=form["headers"])
    return get_conditional_response(
        request,
        etag=response.headers["ETag"],
        last_modified=form["page"]["modified"],
        response=response,
    )


def _read(key, gzipped):
    """The stored form under this key, current or not (`_is_current` says): from this
    process's memory if it is current there, else from the cache, where another process
    may have stored a newer one."""
    form_key = _form_key(key, gzipped)
    form = recent.get(form_key)
    if form is not None and _is_current(form):
        return form
    try:
        shared = caches["default"].get(form_key)
    except Exception:
        # A cache server that is down must not take the public pages with it.
        logger.warning("The cache could not be read for a public page", exc_info=True)
        return form
    if shared is None:
        return form
    recent.put(form_key, shared)
    return shared


def _is_current(form):
    period = form["page"]["period"]
    return period is None or period == current_period()


def _may_be_renewed(form):
    """Whether a page of an earlier period may still be sent while it is drawn again: one
    drawn less than `PUBLIC_CACHE_SECONDS` ago is no older than a current one can be."""
    drawn_at = form.get("stored_at")
    return drawn_at is not None and time.time() - drawn_at < settings.PUBLIC_CACHE_SECONDS


def _lock_key(key):
    return f"{key}:drawing"


def _take_lock(key):
    """The lock for drawing this page, or None if another request holds it. A cache that
    fails gives the lock to everyone: pages are then drawn as if there were no cache."""
    lock = (_lock_key(key), uuid.uuid4().hex)
    try:
        taken = caches["default"].add(*lock, timeout=LOCK_SECONDS)
    except Exception:
        logger.warning("The cache could not lock a public page", exc_info=True)
        return lock
    return lock if taken else None


def _let_go(lock):
    """Lets the lock go, if it is still this drawer's: one that outlived `LOCK_SECONDS`
    may have been taken by another since (not atomic: at worst, one more draw)."""
    key, token = lock
    try:
        cache = caches["default"]
        if cache.get(key) == token:
            cache.delete(key)
    except Exception:
        logger.warning("The cache could not unlock a public page", exc_info=True)


def _wait_for(key, gzipped):
    """The page another request is drawing, once stored; None if it let the lock go
    without storing one, or after `WAIT_SECONDS`: the waiter then draws it itself."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        stored = _read(key, gzipped)
        if stored is not None and _is_current(stored):
            return stored
        try:
            drawing = caches["default"].get(_lock_key(key)) is not None
        except Exception:
            return None
        if not drawing:
            # Stored just before the lock went, or not at all.
            stored = _read(key, gzipped)
            return stored if stored is not None and _is_current(stored) else None
    return None


def _write(key, forms):
    stored = {_form_key(key, gzipped): form for gzipped, form in forms.items()}
    for form_key, form in stored.items():
        recent.put(form_key, form)
    try:
        caches["default"].set_many(stored, settings.PUBLIC_CACHE_SECONDS)
    except Exception:
        logger.warning("A public page could not be stored in the cache", exc_info=True)


class RecentForms:
    """The forms this process has read or stored lately, up to `limit` bytes of them, the
    least recently used let go first: a page found here costs no trip to a shared cache
    (Redis, some tenths of a millisecond) and no unpickling.

    Nothing here can be out of date: a key names one version of the record and one
    address, and a page that changes outside the record still has its period checked (and
    its copy of an earlier period is replaced when it is drawn again). So nothing needs to
    be told when the record changes; pages of older versions are simply no longer asked
    for, and make way."""

    def __init__(self, limit):
        self.limit = limit
        self._forms = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # for servers that run threads

    def get(self, key):
        with self._lock:
            form = self._forms.get(key)
            if form is not None:
                self._forms.move_to_end(key)
            return form

    def put(self, key, form):
        """Keeps the form, in place of any kept under the same key (a page of an earlier
        period, drawn again)."""
        with self._lock:
            kept = self._forms.pop(key, None)
            if kept is not None:
                self._size -= len(kept["body"])
            self._forms[key] = form
            self._size += len(form["body"])
            while self._size > self.limit:
                _, dropped = self._forms.popitem(last=False)
                self._size -= len(dropped["body"])

    def clear(self):
        with self._lock:
            self._forms.clear()
            self._size = 0


# A few dozen pages, plain and gzipped, in each process.
recent = RecentForms(limit=4 * 1024 * 1024)
