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
"""

import functools
import gzip
import hashlib
import logging
import threading
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
        if stored is not None:
            return _respond(request, stored)

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
        forms[gzipped] = {"page": page, "headers": headers + own, "body": body}
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
    form_key = _form_key(key, gzipped)
    form = recent.get(form_key)
    if form is None:
        try:
            form = caches["default"].get(form_key)
        except Exception:
            # A cache server that is down must not take the public pages with it.
            logger.warning("The cache could not be read for a public page", exc_info=True)
            return None
        if form is None:
            return None
        recent.put(form_key, form)
    period = form["page"]["period"]
    return form if period is None or period == current_period() else None


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
    address, and a page that changes outside the record still has its period checked. So
    nothing needs to be told when the record changes; pages of older versions are simply
    no longer asked for, and make way."""

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
        with self._lock:
            if key in self._forms:
                return
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
