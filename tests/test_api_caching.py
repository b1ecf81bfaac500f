"""The read-only JSON API is served like the public pages (assessments/api.py,
lgdss/public_pages.py, docs/decisions/0022): an answer drawn for an anonymous caller is
stored with its final headers and served to every one after from the front of the
request, for one query (the public record's version); a publication, withdrawal or
correction gives every answer a new name at once; conditional requests get a 304; errors
and answers for anyone with a session are never stored.
"""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils.http import http_date

from assessments import services
from assessments.api import api
from assessments.models import Council, PublicRecord
from assessments.publishing import caching
from lgdss.public_pages import recent
from standard.models import Point
from tests.factories_publications import public_record, self_assessed
from tests.factories_published_rows import publish_directly

LIST = "/api/v1/assessments"


@pytest.fixture
def record(standard, coventry, leeds, coventry_lead, leeds_lead, peer_reviewer, coordinator):
    return public_record(
        coventry=coventry,
        leeds=leeds,
        coventry_lead=coventry_lead,
        leeds_lead=leeds_lead,
        peer_reviewer=peer_reviewer,
        coordinator=coordinator,
    )


@pytest.fixture
def frozen_time(monkeypatch, settings):
    """The clock the periods are counted by, at the start of a period of 300 seconds."""
    settings.PUBLIC_CACHE_SECONDS = 300
    now = [1_800_000_000.0]
    monkeypatch.setattr(caching.time, "time", lambda: now[0])
    return now


def fetch(client, url, data=None, *, method="get", **extra):
    """The response and the SQL of the queries it made."""
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data, **extra)
    return response, [query["sql"] for query in queries.captured_queries]


def served_from_the_store(queries):
    return len(queries) == 1 and "assessments_publicrecord" in queries[0]


def stored_keys():
    return set(caches["default"]._cache)


def every_get_address(record):
    return [
        "/api/v1/councils",
        "/api/v1/councils/cov",
        LIST,
        f"/api/v1/assessments/{record.peer.pk}",
        "/api/v1/services",
        f"/api/v1/services/{record.peer.service_id}",
        "/api/v1/standard/points",
        "/api/v1/standard/points/3",
    ]


# --- Stored and served from the front -------------------------------------------------


def test_every_get_address_of_the_api_is_marked_for_the_store(record):
    for url in every_get_address(record):
        assert getattr(resolve(url).func, "public_record_page", False), url
    # The root, the description and unknown addresses show nothing of the record.
    for url in ["/api/v1/", "/api/v1/openapi.json", "/api/v1/nothing"]:
        assert not getattr(resolve(url).func, "public_record_page", False), url


@pytest.mark.parametrize("more", [0, 6])
def test_an_api_list_is_served_from_the_store_with_one_query(client, record, coventry, more):
    for number in range(more):
        publish_directly(coventry, name=f"Service {number}")
    drawn = client.get(LIST)

    with mock.patch("assessments.api.paginate", side_effect=AssertionError) as paginate:
        served, queries = fetch(client, LIST)

    paginate.assert_not_called()  # not drawn again
    assert served.status_code == 200
    assert served_from_the_store(queries), queries
    assert served.content == drawn.content
    assert served.json()["count"] == 2 + more
    assert served["Content-Type"] == drawn["Content-Type"] == "application/json; charset=utf-8"
    assert not Session.objects.exists()


def test_every_get_address_is_stored_and_served_from_the_front(client, record):
    for url in every_get_address(record):
        drawn = client.get(url)
        assert drawn.status_code == 200, url
        served, queries = fetch(client, url)
        assert served_from_the_store(queries), url
        assert served.content == drawn.content, url


def test_the_description_is_built_once_and_answers_its_etag_with_no_query(client, db):
    drawn = client.get("/api/v1/openapi.json")
    assert set(drawn["Cache-Control"].split(", ")) == {"public", "max-age=60"}

    with mock.patch.object(api, "get_openapi_schema", side_effect=AssertionError) as build:
        again, queries = fetch(client, "/api/v1/openapi.json")
        same, _ = fetch(client, "/api/v1/openapi.json", headers={"if-none-match": drawn["ETag"]})
    build.assert_not_called()
    assert queries == []
    assert again.content == drawn.content
    assert again["ETag"] == drawn["ETag"]
    assert same.status_code == 304
    assert same.content == b""


def test_an_api_answer_has_the_headers_of_a_public_page(client, record):
    first = client.get(LIST)
    stored = client.get(LIST)
    for response in (first, stored):
        assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}
        assert response["Vary"] == "Cookie, Accept-Encoding"
        assert response["ETag"] == first["ETag"]
        assert response["Last-Modified"] == http_date(PublicRecord.current().changed_at.timestamp())
        assert response["X-Content-Type-Options"] == "nosniff"


def test_each_query_string_is_its_own_stored_answer(client, record):
    queries_strings = [{"limit": 1}, {"limit": 2}, {"review_type": "self_assessed"}]
    drawn = [client.get(LIST, params) for params in queries_strings]
    assert [len(response.json()["items"]) for response in drawn] == [1, 2, 1]
    assert drawn[2].json()["items"][0]["assessment_id"] == record.self.pk
    assert len({response["ETag"] for response in drawn}) == 3

    for params, first in zip(queries_strings, drawn, strict=True):
        served, queries = fetch(client, LIST, params)
        assert served_from_the_store(queries), params
        assert served.content == first.content, params


# --- A change to the record changes every answer at once -----------------------------


def test_a_publication_changes_the_answer_on_the_next_request(client, record, coventry_lead):
    before = client.get(LIST)
    client.get(LIST)  # now stored
    assert before.json()["count"] == 2

    published = self_assessed(record.peer.service.council, coventry_lead, name="Park a car")

    after, queries = fetch(client, LIST)
    assert not served_from_the_store(queries)  # drawn again, from the record
    assert after.json()["count"] == 3
    assert after.json()["items"][0]["assessment_id"] == published.pk
    assert after["ETag"] != before["ETag"]


def test_a_withdrawal_removes_a_stored_assessment_at_once(client, record, leeds_lead):
    detail = f"/api/v1/assessments/{record.self.pk}"
    for url in (detail, detail, LIST, LIST):  # drawn, then stored
        assert client.get(url).status_code == 200

    services.withdraw_publication(record.self, by=leeds_lead, reason="Scored too early.")

    assert client.get(detail).status_code == 404
    assert [item["assessment_id"] for item in client.get(LIST).json()["items"]] == [record.peer.pk]


# --- Conditional requests and HEAD ----------------------------------------------------


def test_a_request_with_the_etag_is_a_304_with_no_body(client, record, coventry_lead):
    first = client.get(LIST)

    response, queries = fetch(client, LIST, headers={"if-none-match": first["ETag"]})
    assert response.status_code == 304
    assert response.content == b""
    assert served_from_the_store(queries)

    since = client.get(LIST, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304

    self_assessed(record.peer.service.council, coventry_lead, name="Park a car")
    changed = client.get(LIST, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert changed.json()["count"] == 3


def test_head_is_answered_like_get_whether_stored_or_not(client, record):
    drawn, queries = fetch(client, LIST, method="head")
    assert drawn.status_code == 200
    assert drawn.content == b""
    assert not served_from_the_store(queries)  # the view ran

    stored, queries = fetch(client, LIST, method="head")
    assert served_from_the_store(queries)
    assert stored.content == b""
    assert stored["ETag"] == drawn["ETag"]
    assert int(stored["Content-Length"]) == len(client.get(LIST).content)


def test_another_method_is_refused_and_nothing_is_stored(client, record):
    for url in [*every_get_address(record), "/api/v1/openapi.json"]:
        response = client.post(url)
        assert response.status_code == 405, url
        assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}, url
    assert not stored_keys()


# --- Never stored -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{LIST}?limit=0", 422),
        (f"{LIST}?nation=Atlantis", 422),
        ("/api/v1/councils/ZZZ", 404),
        ("/api/v1/assessments/999999", 404),
        ("/api/v1/services/999999", 404),
        ("/api/v1/standard/points/16", 404),
    ],
)
def test_an_error_is_drawn_every_time_and_never_stored(client, record, url, status):
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == status
        assert "ETag" not in response
        assert "public" not in response.get("Cache-Control", "")
    assert not stored_keys()
    assert not recent._forms


def test_a_withdrawn_assessment_is_a_404_that_is_never_stored(client, record, leeds_lead):
    services.withdraw_publication(record.self, by=leeds_lead, reason="Scored too early.")
    url = f"/api/v1/assessments/{record.self.pk}"
    assert client.get(url).status_code == 404
    response, queries = fetch(client, url)
    assert response.status_code == 404
    assert not served_from_the_store(queries)
    assert not stored_keys()


def test_a_request_with_a_session_cookie_is_not_served_from_the_store(client, record):
    stored = client.get(LIST)
    keys = stored_keys()
    client.cookies["sessionid"] = "ended-or-unknown"

    response, queries = fetch(client, LIST)

    assert response.status_code == 200
    assert not served_from_the_store(queries)
    assert any("django_session" in query for query in queries)
    assert response.json() == stored.json()
    assert stored_keys() == keys  # and what was drawn for it was not stored


def test_a_signed_in_person_gets_a_private_answer_and_leaves_nothing_in_the_store(
    client, client_for, coventry_lead, record
):
    stored = client.get(LIST)
    keys = stored_keys()

    response, queries = fetch(client_for(coventry_lead), LIST)

    assert not served_from_the_store(queries)
    assert response.json() == stored.json()
    assert response["ETag"] != stored["ETag"]
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert stored_keys() == keys


# --- What changes outside the record --------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/councils/cov", "/api/v1/councils?limit=100"])
def test_a_change_to_a_council_reaches_the_api_within_the_period(
    client, record, coventry, frozen_time, url
):
    first = client.get(url)
    assert "Coventry City Council" in first.text

    # As a coordinator's change in the admin, or import_councils: not counted as the record.
    Council.objects.filter(pk=coventry.pk).update(official_name="Coventry Council (renamed)")
    frozen_time[0] += 299
    assert "Coventry Council (renamed)" not in client.get(url).text
    frozen_time[0] += 1
    after = client.get(url)
    assert "Coventry Council (renamed)" in after.text
    assert after["ETag"] != first["ETag"]


def test_an_answer_of_the_record_alone_keeps_its_name_across_periods(client, record, frozen_time):
    etag = client.get(LIST)["ETag"]
    frozen_time[0] += 86_400
    response, queries = fetch(client, LIST, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert served_from_the_store(queries)


def test_a_change_to_the_standard_reaches_the_api_within_the_period(client, standard, frozen_time):
    url = "/api/v1/standard/points/3"
    first = client.get(url)
    assert first.json()["short_title"] != "Renamed"

    Point.objects.filter(version__is_current=True, number=3).update(short_title="Renamed")
    frozen_time[0] += 299
    assert client.get(url).json()["short_title"] == first.json()["short_title"]
    frozen_time[0] += 1
    assert client.get(url).json()["short_title"] == "Renamed"
