"""Stored public pages are served at the front of the request (lgdss/public_pages.py): one
query for the public record's version, no session, no other middleware, the same bytes and
headers as the page drawn, for anonymous visitors only, and never after the record changed.
"""

import gzip
import threading
import time
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils.csp import build_policy
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from assessments import services
from assessments.models import Publication, PublicRecord
from assessments.publishing import caching
from assessments.publishing.caching import public_record_page
from lgdss import public_pages
from lgdss.public_pages import RecentForms, recent
from tests.factories_reviews import complete, submitted_assessment

HOME = "/"
RESULTS = "/results/?nation=England"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def published(in_review, peer_reviewer, coventry_lead):
    complete(in_review, peer_reviewer)
    in_review.refresh_from_db()
    services.publish(in_review, by=coventry_lead)
    return Publication.objects.get(pk=in_review.pk)


def report(publication):
    return reverse("assessments:published_assessment", args=[publication.pk])


def served_from_the_store(client, url, **extra):
    """The response and the queries it made."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, [query["sql"] for query in queries.captured_queries]


# --- What a stored page costs ---------------------------------------------------------


@pytest.mark.parametrize("publications", [1, 4])
def test_a_stored_page_is_one_query_for_the_version_and_never_the_session_table(
    publications, client, published, coventry, coventry_lead
):
    for n in range(publications - 1):
        services.publish(
            submitted_assessment(coventry, coventry_lead, name=f"S{n}"), by=coventry_lead
        )
    for url in [HOME, RESULTS, report(published)]:
        client.get(url)
        response, queries = served_from_the_store(client, url)
        assert response.status_code == 200
        assert len(queries) == 1, queries
        assert "assessments_publicrecord" in queries[0]
        assert "version" in queries[0]
    assert not Session.objects.exists()


def test_the_view_is_not_run_for_a_stored_page(client, published):
    client.get(report(published))
    with mock.patch("assessments.views.public.render", side_effect=AssertionError) as render:
        assert client.get(report(published)).status_code == 200
    render.assert_not_called()


def test_a_page_of_no_record_costs_no_query_for_the_version(client, standard):
    """Only pages marked with public_record_page are looked for in the store."""
    _, queries = served_from_the_store(client, "/standard/")
    assert not any("assessments_publicrecord" in query for query in queries)
    assert not caches["default"]._cache


def test_a_page_stored_by_another_process_is_fetched_from_the_shared_cache_once(client, published):
    client.get(report(published))
    recent.clear()  # as another app server finds it: in the shared cache only
    shared = caches["default"]
    with mock.patch.object(shared, "get", wraps=shared.get) as fetched:
        for _ in range(3):
            response, queries = served_from_the_store(client, report(published))
            assert len(queries) == 1
    assert fetched.call_count == 1  # then kept in this process's memory
    assert published.service_name in response.text


def test_a_process_keeps_the_most_recently_used_pages_up_to_its_limit():
    forms = RecentForms(limit=10)
    forms.put("a", {"body": b"1234"})
    forms.put("b", {"body": b"1234"})
    forms.get("a")
    forms.put("c", {"body": b"1234"})  # 12 bytes: the least recently used goes
    assert forms.get("b") is None
    assert forms.get("a") == forms.get("c") == {"body": b"1234"}


# --- Only anonymous visitors, with nothing of their own ------------------------------


def test_a_signed_in_person_is_never_sent_the_stored_page(
    client, client_for, coventry_lead, published
):
    stored = client.get(report(published))
    assert "Sign out" not in stored.text

    lead = client_for(coventry_lead)
    response, queries = served_from_the_store(lead, report(published))

    assert "Sign out" in response.text
    assert response["ETag"] != stored["ETag"]
    assert any("django_session" in query for query in queries)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_request_with_a_session_or_messages_cookie_is_drawn_its_own_page(
    client, published, cookie
):
    client.get(report(published))
    client.cookies[cookie] = "ended-or-unknown"
    response, queries = served_from_the_store(client, report(published))
    assert response.status_code == 200
    assert len(queries) > 1  # drawn: the session is looked up, the page read


def test_another_cookie_does_not_change_the_page_and_gets_the_stored_one(client, published):
    first = client.get(report(published))
    client.cookies["csrftoken"] = "a" * 32
    client.cookies["_ga"] = "tracking"
    response, queries = served_from_the_store(client, report(published))
    assert len(queries) == 1
    assert response.content == first.content


# --- The same bytes and headers as the page drawn -------------------------------------


def test_a_stored_page_has_every_header_the_drawn_page_had(client, published, settings):
    first = client.get(report(published))  # drawn, stored, and sent as stored
    stored = client.get(report(published))
    # Drawn for a visitor whose session has ended: the whole stack, nothing stored.
    client.cookies["sessionid"] = "ended"
    drawn = client.get(report(published))

    assert stored.content == first.content == drawn.content
    policy = build_policy(settings.SECURE_CSP)
    assert stored["Content-Security-Policy"] == drawn["Content-Security-Policy"] == policy
    for header in [
        "Content-Type",
        "Permissions-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Last-Modified",
    ]:
        assert stored[header] == drawn[header], header
    assert set(stored["Cache-Control"].split(", ")) == {"public", "max-age=60"}
    assert stored["Vary"] == "Cookie, Accept-Encoding"
    assert int(stored["Content-Length"]) == len(stored.content)
    assert stored["Last-Modified"] == http_date(PublicRecord.current().changed_at.timestamp())
    assert stored["X-Request-ID"] != first["X-Request-ID"]  # the request log's own


def test_each_form_is_stored_once_with_its_own_strong_etag(client, published):
    plain = client.get(report(published))
    zipped, queries = served_from_the_store(client, report(published), **GZIP)

    assert len(queries) == 1  # both forms were stored from the first request
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content) / 2
    assert plain["ETag"].startswith('"')
    assert zipped["ETag"] == plain["ETag"][:-1] + '-gzip"'
    assert client.get(report(published), **GZIP).content == zipped.content


def test_a_visitor_who_accepts_gzip_first_stores_the_plain_form_too(client, published):
    zipped = client.get(report(published), **GZIP)
    plain, queries = served_from_the_store(client, report(published))
    assert len(queries) == 1
    assert plain.content == gzip.decompress(zipped.content)
    assert "Content-Encoding" not in plain


# --- Conditional requests and HEAD ----------------------------------------------------


def test_a_matching_etag_gets_304_from_the_store(client, published):
    zipped = client.get(report(published), **GZIP)
    response, queries = served_from_the_store(
        client, report(published), HTTP_IF_NONE_MATCH=zipped["ETag"], **GZIP
    )
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == zipped["ETag"]
    assert len(queries) == 1


def test_an_unchanged_date_gets_304_from_the_store_and_an_earlier_one_the_page(client, published):
    last_modified = client.get(report(published))["Last-Modified"]
    unchanged, queries = served_from_the_store(
        client, report(published), HTTP_IF_MODIFIED_SINCE=last_modified
    )
    assert unchanged.status_code == 304
    assert len(queries) == 1
    earlier = http_date(PublicRecord.current().changed_at.timestamp() - 60)
    changed = client.get(report(published), HTTP_IF_MODIFIED_SINCE=earlier)
    assert changed.status_code == 200
    assert published.service_name in changed.text


def through_wsgi(method, url, *, as_a_server=False):
    """Status, headers and body as the WSGI server is given them (the test client drops a
    HEAD's body itself, so it could not tell). `as_a_server`: with Django's handling of
    kept connections between requests, which the test client (and a test inside a
    transaction) leaves out."""
    environ = RequestFactory().generic(method, url).environ
    started = {}

    def start_response(status, headers):
        started.update(status=status, headers=dict(headers))

    if not as_a_server:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, start_response)
        body = b"".join(response)
        response.close()  # as a server does: Django's request_finished
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return started["status"], started["headers"], body


def test_head_gets_the_headers_of_the_stored_page_and_no_body(client, published):
    page = client.get(report(published))
    with CaptureQueriesContext(connection) as queries:
        status, headers, body = through_wsgi("HEAD", report(published))
    assert status == "200 OK"
    assert body == b""
    assert headers["Content-Length"] == str(len(page.content))
    assert headers["ETag"] == page["ETag"]
    assert headers["Content-Security-Policy"] == page["Content-Security-Policy"]
    assert len(queries.captured_queries) == 1


def test_head_first_stores_the_page_for_a_get(client, published):
    assert through_wsgi("HEAD", report(published))[2] == b""
    page, queries = served_from_the_store(client, report(published))
    assert len(queries) == 1
    assert published.service_name in page.text


# --- A change to the record ---------------------------------------------------------


def test_a_publication_changes_the_stored_page_on_the_next_request(
    client, published, coventry, coventry_lead
):
    before = client.get(HOME)
    other = submitted_assessment(coventry, coventry_lead, name="Apply for a parking permit")
    assert "Apply for a parking permit" not in client.get(HOME).text  # still the stored page

    services.publish(other, by=coventry_lead)

    after = client.get(HOME)
    assert "Apply for a parking permit" in after.text
    assert after["ETag"] != before["ETag"]
    stale = client.get(HOME, HTTP_IF_NONE_MATCH=before["ETag"])
    assert stale.status_code == 200


def test_a_page_that_changes_outside_the_record_is_drawn_again_in_the_next_period(
    client, coventry, monkeypatch, settings
):
    settings.PUBLIC_CACHE_SECONDS = 300
    now = [1_800_000_000.0 + 298]  # near the end of a period: the cache keeps it longer
    monkeypatch.setattr(caching.time, "time", lambda: now[0])
    client.get("/councils/cov/")
    now[0] += 1
    assert len(served_from_the_store(client, "/councils/cov/")[1]) == 1
    now[0] += 1  # the next period: still in the cache, no longer current
    assert len(served_from_the_store(client, "/councils/cov/")[1]) > 1
    # Drawn again, it takes the earlier one's place in this process's memory too.
    assert len(served_from_the_store(client, "/councils/cov/")[1]) == 1


# --- The rules of the rest of the stack still hold -------------------------------------


def test_a_bad_host_gets_400_not_a_stored_page(client, published, settings):
    client.get(report(published))
    response = client.get(report(published), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert published.service_name not in response.text


def test_a_plain_http_request_is_redirected_though_the_page_is_stored(client, published, settings):
    settings.SECURE_SSL_REDIRECT = True
    client.get(report(published), secure=True)
    insecure = client.get(report(published))
    assert insecure.status_code == 301
    assert insecure["Location"].startswith("https://")
    secure, queries = served_from_the_store(client, report(published), secure=True)
    assert secure.status_code == 200
    assert len(queries) == 1
    assert "Strict-Transport-Security" in secure


def test_while_read_only_a_stored_page_is_read_and_a_post_to_it_refused(client, standard, settings):
    settings.READ_ONLY = True
    client.get(HOME)
    assert len(served_from_the_store(client, HOME)[1]) == 1
    refused = client.post(HOME)
    assert refused.status_code == 503


def test_a_cache_that_fails_leaves_the_pages_drawn(client, published, caplog):
    failing = mock.patch.object(caches["default"], "get", side_effect=ConnectionError("down"))
    failing_set = mock.patch.object(caches["default"], "set_many", side_effect=ConnectionError)
    with failing, failing_set:
        first = client.get(report(published))
        second = client.get(report(published))
    assert first.status_code == second.status_code == 200
    assert published.service_name in second.text
    assert "could not be read" in caplog.text
    assert "could not be stored" in caplog.text


# --- What the stack adds on the way out is checked here too ---------------------------


@require_safe
@public_record_page
def sets_a_cookie_on_the_way_out(request):
    request.session["seen"] = True  # the session middleware sets the cookie, after the view
    return HttpResponse("drawn")


urlpatterns = [path("seen/", sets_a_cookie_on_the_way_out)]


def test_a_page_given_a_cookie_by_a_middleware_is_not_stored(client, db, settings):
    settings.ROOT_URLCONF = __name__
    first = client.get("/seen/")
    assert "sessionid" in first.cookies
    client.cookies.clear()
    second, queries = served_from_the_store(client, "/seen/")
    assert any("django_session" in query for query in queries)
    assert "sessionid" in second.cookies
    assert not caches["default"]._cache


@pytest.mark.needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_database_dropped_is_replaced_for_a_stored_page(standard):
    """The version query stands in for Django's health check (CONN_HEALTH_CHECKS): on a
    kept connection the database has closed, it is sent again on a new one."""
    status, _, page = through_wsgi("GET", HOME, as_a_server=True)
    assert status == "200 OK"
    dropped = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    other.close()

    status, _, again = through_wsgi("GET", HOME, as_a_server=True)

    assert status == "200 OK"
    assert again == page
    assert connection.connection.info.backend_pid != dropped


# --- One drawer per page when its name changes ----------------------------------------


class SlowPage:
    """A public page's view as the middleware sees it: each call is counted, and the
    first waits for `finish` once it has said it started drawing, so a second request
    arrives while the first is still drawing, on every run."""

    def __init__(self, *, periodic=False, status=200):
        self.calls = 0
        self.drawing = threading.Event()
        self.finish = threading.Event()
        self.periodic = periodic
        self.status = status

    def __call__(self, request):
        self.calls += 1
        self.drawing.set()
        assert self.finish.wait(5), "the test never let the drawer finish"
        response = HttpResponse(f"drawn {self.calls}", status=self.status)
        if self.status == 200:
            period = caching.current_period() if self.periodic else None
            response.shared_page = {"digest": "d", "period": period, "modified": None}
        return response


ADDRESS = "/products/a-product/"


@pytest.fixture
def front(monkeypatch):
    """The middleware in front of a page, with the record's version fixed: the threads
    need no database."""
    monkeypatch.setattr(public_pages, "record_state", lambda request: (7, None))
    monkeypatch.setattr(public_pages, "_is_public_record_page", lambda request: True)

    def build(page):
        return public_pages.StoredPublicPagesMiddleware(page)

    return build


def in_a_thread(middleware, results):
    def run():
        results.append(middleware(RequestFactory().get(ADDRESS)))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def the_lock():
    key = public_pages._key((7, None), f"http://testserver{ADDRESS}")
    return public_pages._lock_key(key)


def test_two_requests_for_a_missing_page_draw_it_once_and_both_get_it(front):
    page = SlowPage()
    middleware = front(page)
    results = []
    first = in_a_thread(middleware, results)
    assert page.drawing.wait(5)
    second = in_a_thread(middleware, results)  # arrives while the first is drawing
    time.sleep(0.05)  # long enough for it to have drawn too, had it not waited
    page.finish.set()
    first.join(5)
    second.join(5)

    assert page.calls == 1
    assert [response.content for response in results] == [b"drawn 1", b"drawn 1"]
    assert caches["default"].get(the_lock()) is None  # let go once stored


def test_a_lock_left_by_a_drawer_that_died_ends_and_the_next_request_draws(front, monkeypatch):
    monkeypatch.setattr(public_pages, "LOCK_SECONDS", 0.2)
    key = public_pages._key((7, None), f"http://testserver{ADDRESS}")
    assert public_pages._take_lock(key) is not None  # and never let go
    time.sleep(0.3)

    page = SlowPage()
    page.finish.set()
    started = time.monotonic()
    response = front(page)(RequestFactory().get(ADDRESS))

    assert time.monotonic() - started < 0.2  # drawn at once, no waiting
    assert page.calls == 1
    assert response.content == b"drawn 1"


def test_a_request_waits_a_bounded_time_for_a_drawer_then_draws_itself(front, monkeypatch):
    monkeypatch.setattr(public_pages, "WAIT_SECONDS", 0.3)
    key = public_pages._key((7, None), f"http://testserver{ADDRESS}")
    assert public_pages._take_lock(key) is not None  # a drawer that is taking too long

    page = SlowPage()
    page.finish.set()
    started = time.monotonic()
    response = front(page)(RequestFactory().get(ADDRESS))
    waited = time.monotonic() - started

    assert 0.3 <= waited < 1.5
    assert page.calls == 1
    assert response.content == b"drawn 1"


def test_a_waiter_draws_at_once_when_the_drawer_stores_nothing(front, monkeypatch):
    """A 404 is never stored: the waiter does not wait out WAIT_SECONDS for it."""
    monkeypatch.setattr(public_pages, "WAIT_SECONDS", 5)
    page = SlowPage(status=404)
    middleware = front(page)
    results = []
    first = in_a_thread(middleware, results)
    assert page.drawing.wait(5)
    started = time.monotonic()
    second = in_a_thread(middleware, results)
    time.sleep(0.05)
    page.finish.set()
    first.join(5)
    second.join(5)

    assert time.monotonic() - started < 2
    assert page.calls == 2
    assert [response.status_code for response in results] == [404, 404]


def test_at_a_new_period_the_earlier_page_is_sent_while_one_request_draws_it_anew(
    front, monkeypatch, settings
):
    settings.PUBLIC_CACHE_SECONDS = 300
    now = [1_800_000_000.0 + 290]
    monkeypatch.setattr(caching.time, "time", lambda: now[0])
    page = SlowPage(periodic=True)
    page.finish.set()
    middleware = front(page)
    assert middleware(RequestFactory().get(ADDRESS)).content == b"drawn 1"

    now[0] += 20  # the next period, 20 seconds after the page was drawn
    page.finish.clear()
    page.drawing.clear()
    results = []
    renewing = in_a_thread(middleware, results)
    assert page.drawing.wait(5)
    others = [middleware(RequestFactory().get(ADDRESS)) for _ in range(3)]
    assert [response.content for response in others] == [b"drawn 1"] * 3  # no waiting
    page.finish.set()
    renewing.join(5)

    assert results[0].content == b"drawn 2"
    assert page.calls == 2
    assert middleware(RequestFactory().get(ADDRESS)).content == b"drawn 2"


def test_a_page_drawn_longer_ago_than_the_cache_seconds_is_not_sent_while_renewed(
    front, monkeypatch, settings
):
    settings.PUBLIC_CACHE_SECONDS = 300
    monkeypatch.setattr(public_pages, "WAIT_SECONDS", 0.1)
    now = [1_800_000_000.0 + 10]
    monkeypatch.setattr(caching.time, "time", lambda: now[0])
    page = SlowPage(periodic=True)
    page.finish.set()
    middleware = front(page)
    middleware(RequestFactory().get(ADDRESS))
    caches["default"].clear()  # let go by the cache; this process still keeps it

    now[0] += 300  # the next period, and 300 seconds after it was drawn
    key = public_pages._key((7, None), f"http://testserver{ADDRESS}")
    assert public_pages._take_lock(key) is not None  # another request is renewing it
    response = middleware(RequestFactory().get(ADDRESS))

    assert response.content == b"drawn 2"  # waited, then drew it: never the old one
    assert page.calls == 2
