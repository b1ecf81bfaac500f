"""Public pages are stored and answer conditional requests, named by the public record's
version (assessments/publishing/caching.py): a publish or withdrawal is seen at once, a
signed-in person never gets a page drawn for someone else, and a stored page costs one query.
"""

import re
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse
from django.utils.http import http_date

from assessments import services
from assessments.models import Council, Publication, PublicRecord
from assessments.publishing import caching
from assessments.publishing.caching import public_record_download, public_record_page
from tests.factories_reviews import complete, submitted_assessment

HOME = "/"
COVENTRY = "/councils/cov/"
RESULTS = "/results/?nation=England&sort=average"
OPEN_DATA = "/data/"
CSV = "/data/assessments.csv"
FEED = "/feeds/published/"


@pytest.fixture
def published(in_review, peer_reviewer, coventry_lead):
    complete(in_review, peer_reviewer)
    in_review.refresh_from_db()
    services.publish(in_review, by=coventry_lead)
    return Publication.objects.get(pk=in_review.pk)


def report(publication):
    return reverse("assessments:published_assessment", args=[publication.pk])


# --- Validators and conditional requests -------------------------------------------


def test_a_public_page_names_the_record_version_and_its_time(client, published):
    record = PublicRecord.current()
    response = client.get(report(published))
    assert response.status_code == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])  # strong: the same bytes for all
    assert response["Last-Modified"] == http_date(record.changed_at.timestamp())
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}


def test_a_matching_etag_gets_304_with_no_body(client, published):
    etag = client.get(report(published))["ETag"]
    response = client.get(report(published), headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_an_unchanged_record_since_the_date_gets_304_and_an_earlier_date_the_page(
    client, published
):
    last_modified = client.get(report(published))["Last-Modified"]
    unchanged = client.get(report(published), headers={"if-modified-since": last_modified})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    earlier = http_date(PublicRecord.current().changed_at.timestamp() - 60)
    changed = client.get(report(published), headers={"if-modified-since": earlier})
    assert changed.status_code == 200
    assert published.service_name in changed.text


def test_head_is_answered_conditionally_too(client, published):
    etag = client.head(report(published))["ETag"]
    assert client.head(report(published), headers={"if-none-match": etag}).status_code == 304


def test_each_address_and_query_has_its_own_etag(client, published, coventry):
    etags = {
        client.get(url)["ETag"] for url in [report(published), HOME, f"{HOME}?page=2", COVENTRY]
    }
    assert len(etags) == 4


def test_each_host_name_has_its_own_name_as_links_may_hold_it(client, published):
    on_one = client.get(report(published), HTTP_HOST="127.0.0.1")
    on_other = client.get(report(published), HTTP_HOST="localhost")
    assert on_one["ETag"] != on_other["ETag"]


def test_a_page_that_does_not_exist_gets_no_validators(client, published):
    response = client.get(reverse("assessments:published_assessment", args=[published.pk + 1]))
    assert response.status_code == 404
    assert "ETag" not in response
    assert "public" not in response.get("Cache-Control", "")


# --- A change to the record is seen at once ------------------------------------------


def test_withdrawing_changes_the_etag_and_the_stored_page_shows_the_notice(
    client, published, coventry_lead
):
    before = client.get(report(published))
    # Changed behind the record's back: the stored page is served, so the old name stays.
    Publication.objects.filter(pk=published.pk).update(service_name="Renamed behind its back")
    assert "Renamed behind its back" not in client.get(report(published)).text

    services.withdraw_publication(
        published.assessment, by=coventry_lead, reason="The scores were entered wrongly."
    )
    after = client.get(report(published))
    assert after["ETag"] != before["ETag"]
    assert "The scores were entered wrongly." in after.text
    assert "Renamed behind its back" in after.text
    stale = client.get(report(published), headers={"if-none-match": before["ETag"]})
    assert stale.status_code == 200


def test_publishing_another_assessment_changes_every_page_name(
    client, published, coventry, coventry_lead
):
    before = {url: client.get(url)["ETag"] for url in [report(published), HOME, COVENTRY]}
    other = submitted_assessment(coventry, coventry_lead, name="Apply for a parking permit")
    services.publish(other, by=coventry_lead)
    after = {url: client.get(url)["ETag"] for url in before}
    assert all(after[url] != before[url] for url in before)
    assert client.get(report(Publication.objects.get(pk=other.pk))).status_code == 200


# --- Pages that also show what changes outside the record ---------------------------


@pytest.fixture
def frozen_time(monkeypatch, settings):
    """The clock the periods are counted by, at the start of a period of 300 seconds."""
    settings.PUBLIC_CACHE_SECONDS = 300
    now = [1_800_000_000.0]
    monkeypatch.setattr(caching.time, "time", lambda: now[0])
    return now


def test_a_councils_sign_up_reaches_its_stored_page_within_the_period(
    client, client_for, coventry, coventry_lead, frozen_time
):
    first = client.get(COVENTRY)
    assert "has not recorded signing up" in first.text

    services.record_adoption(
        coventry, by=coventry_lead, adopted_on=date(2026, 3, 2), sponsor_role="Chief Executive"
    )
    signed_up = "Signed up to the Local Government Digital Service Standard on 2 March 2026"
    assert signed_up in client_for(coventry_lead).get(COVENTRY).text  # the lead sees it now
    frozen_time[0] += 299
    assert "has not recorded signing up" in client.get(COVENTRY).text  # the stored page…
    assert client.get(COVENTRY, headers={"if-none-match": first["ETag"]}).status_code == 304

    frozen_time[0] += 1  # …until the next period
    after = client.get(COVENTRY)
    assert signed_up in after.text
    assert after["ETag"] != first["ETag"]
    assert after["Last-Modified"] == http_date(frozen_time[0])
    assert client.get(COVENTRY, headers={"if-none-match": first["ETag"]}).status_code == 200


def test_a_change_made_in_the_admin_reaches_a_stored_page_within_the_period(
    client, coventry, frozen_time
):
    first = client.get(COVENTRY)
    assert "Coventry City Council" in first.text

    # As a coordinator's change in the admin, or import_councils, which are not counted.
    Council.objects.filter(pk=coventry.pk).update(official_name="Coventry Council (renamed)")
    frozen_time[0] += 299
    assert "Coventry Council (renamed)" not in client.get(COVENTRY).text
    frozen_time[0] += 1
    assert "Coventry Council (renamed)" in client.get(COVENTRY).text


def test_a_page_that_shows_only_the_record_keeps_its_name_across_periods(
    client, published, frozen_time
):
    etag = client.get(report(published))["ETag"]
    frozen_time[0] += 86_400
    assert client.get(report(published), headers={"if-none-match": etag}).status_code == 304


# --- Signed-in people and visitors with something of their own ----------------------


def test_signed_in_people_never_get_the_anonymous_page_nor_each_others(
    client, client_for, coventry, coventry_lead, leeds_lead
):
    anonymous = client.get(COVENTRY)
    lead = client_for(coventry_lead).get(COVENTRY)
    other = client_for(leeds_lead).get(COVENTRY)
    again = client.get(COVENTRY)

    assert "Sign out" not in anonymous.text
    assert "Sign out" not in again.text
    assert "Sign out" in lead.text
    assert "Sign out" in other.text
    assert "Record that Coventry has signed up" in lead.text
    assert "Record that Coventry has signed up" not in other.text
    assert len({anonymous["ETag"], lead["ETag"], other["ETag"]}) == 3
    assert again["ETag"] == anonymous["ETag"]
    for response in (lead, other):
        directives = set(response["Cache-Control"].split(", "))
        assert {"private", "no-store"} <= directives
        assert "public" not in directives


def test_a_signed_in_persons_page_is_never_stored(client_for, coventry, coventry_lead):
    lead = client_for(coventry_lead)
    lead.get(COVENTRY)
    # No page was stored (figures over the whole record, the same for everyone, may be).
    assert not [key for key in caches["default"]._cache if "public-page:" in key]
    assert "Record that Coventry has signed up" in lead.get(COVENTRY).text


def test_the_message_after_signing_out_is_shown_once_and_never_stored(
    client, client_for, coventry_lead, standard
):
    client.get(HOME)  # stored, without a message
    leaving = client_for(coventry_lead)
    response = leaving.post(reverse("assessments:sign_out"), follow=True)
    assert "You have signed out" in response.text
    assert "You have signed out" not in client.get(HOME).text
    assert "You have signed out" not in leaving.get(HOME).text


def test_every_visitor_is_sent_the_same_bytes_with_no_nonce(client, standard):
    first, second = client.get(HOME), client.get(HOME)
    assert first.content == second.content
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    assert "nonce" not in first["Content-Security-Policy"]
    assert "nonce=" not in first.text


# --- Cost ----------------------------------------------------------------------------


@pytest.mark.parametrize("publications", [1, 3])
def test_a_stored_page_costs_one_query_for_the_record(
    publications, client, published, coventry, coventry_lead, django_assert_num_queries
):
    for n in range(publications - 1):
        other = submitted_assessment(coventry, coventry_lead, name=f"Service {n}")
        services.publish(other, by=coventry_lead)
    for url in [report(published), HOME, COVENTRY, RESULTS, OPEN_DATA, FEED]:
        client.get(url)
        with django_assert_num_queries(1) as captured:
            assert client.get(url).status_code == 200
        assert "assessments_publicrecord" in captured.captured_queries[0]["sql"]


# --- The decorators themselves, on views of their own --------------------------------

factory = RequestFactory()


def anonymous(request):
    request.user = AnonymousUser()
    return request


class CountingView:
    """A view that counts how often it is drawn."""

    def __init__(self, make_response=None):
        self.calls = 0
        self.make_response = make_response or (lambda request: HttpResponse("drawn"))

    def __call__(self, request):
        self.calls += 1
        return self.make_response(request)


def shared(response):
    """What the decorator marked for lgdss.public_pages to store, if anything."""
    return getattr(response, "shared_page", None)


def test_an_anonymous_visitors_page_is_marked_to_be_shared_with_its_name(db):
    response = public_record_page(CountingView())(anonymous(factory.get("/page/")))
    assert shared(response) == {
        "digest": response["ETag"].strip('"'),
        "period": None,
        "modified": None,  # nothing published yet
    }


def test_a_page_that_changes_outside_the_record_is_marked_with_its_period(db, frozen_time):
    decorated = public_record_page(CountingView(), changes_outside_record=True)
    response = decorated(anonymous(factory.get("/page/")))
    assert shared(response)["period"] == int(frozen_time[0]) // 300
    assert shared(response)["modified"] == int(frozen_time[0])


def test_an_unsafe_method_is_neither_named_nor_marked(db):
    view = CountingView()
    response = public_record_page(view)(anonymous(factory.post("/page/")))
    assert "ETag" not in response
    assert shared(response) is None
    assert view.calls == 1


@pytest.mark.parametrize(
    "make_response",
    [
        pytest.param(lambda request: HttpResponse(get_token(request)), id="a CSRF token"),
        pytest.param(
            lambda request: _with_cookie(HttpResponse("a cookie")), id="a cookie of its own"
        ),
        pytest.param(lambda request: HttpResponse("gone", status=410), id="not a 200"),
        pytest.param(lambda request: StreamingHttpResponse(iter([b"a"])), id="a stream"),
    ],
)
def test_a_response_for_one_visitor_is_not_marked_to_be_shared(db, make_response):
    response = public_record_page(CountingView(make_response))(anonymous(factory.get("/page/")))
    assert shared(response) is None


def _with_cookie(response):
    response.set_cookie("choice", "1")
    return response


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_visitor_with_a_session_or_messages_is_drawn_a_page_not_shared(db, cookie):
    request = anonymous(factory.get("/page/"))
    request.COOKIES[cookie] = "abc"
    assert shared(public_record_page(CountingView())(request)) is None


def test_a_download_answers_304_and_is_drawn_again_otherwise(db):
    view = CountingView(lambda request: StreamingHttpResponse(iter([b"a,b\n", b"1,2\n"])))
    decorated = public_record_download(view)
    first = decorated(anonymous(factory.get("/data/x.csv")))
    assert b"".join(first.streaming_content) == b"a,b\n1,2\n"
    assert set(first["Cache-Control"].split(", ")) == {"public", "max-age=60"}
    again = decorated(anonymous(factory.get("/data/x.csv")))
    assert b"".join(again.streaming_content) == b"a,b\n1,2\n"
    assert view.calls == 2  # streamed each time, never stored
    unchanged = decorated(anonymous(factory.get("/data/x.csv", HTTP_IF_NONE_MATCH=first["ETag"])))
    assert unchanged.status_code == 304
    assert view.calls == 2


def test_a_download_has_the_same_name_for_everyone(db, coventry_lead):
    decorated = public_record_download(CountingView())
    signed_in = factory.get("/data/x.csv")
    signed_in.user = coventry_lead
    assert decorated(signed_in)["ETag"] == decorated(anonymous(factory.get("/data/x.csv")))["ETag"]


def test_a_signed_in_request_is_drawn_for_them_and_kept_private(db, coventry_lead):
    decorated = public_record_page(CountingView())
    signed_in = factory.get("/page/")  # no session cookie: signed in some other way
    signed_in.user = coventry_lead
    response = decorated(signed_in)
    assert shared(response) is None
    assert response["Cache-Control"] == "private"
    assert response["ETag"] != decorated(anonymous(factory.get("/page/")))["ETag"]


def test_a_response_that_showed_a_message_is_not_marked_to_be_shared(db):
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    def with_message(request):
        messages.info(request, "Only for you")
        return HttpResponse("drawn")

    request = anonymous(factory.get("/page/"))
    request.session = {}
    request._messages = FallbackStorage(request)
    assert shared(public_record_page(CountingView(with_message))(request)) is None


def test_a_record_restored_from_a_backup_renames_pages_of_the_same_version(client, published):
    before = client.get(report(published))["ETag"]
    record = PublicRecord.current()
    PublicRecord.objects.update(changed_at=record.changed_at.replace(year=2025))
    assert client.get(report(published))["ETag"] != before


# --- The open data, its downloads and the feed --------------------------------------


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", [OPEN_DATA, CSV, "/data/point-scores.json", FEED])
def test_the_open_data_and_the_feed_answer_conditional_requests(client, published, url):
    first = client.get(url)
    assert first.status_code == 200
    assert set(first["Cache-Control"].split(", ")) == {"public", "max-age=60"}
    unchanged = client.get(url, headers={"if-none-match": first["ETag"]})
    assert unchanged.status_code == 304
    assert body(unchanged) == b""


def test_a_download_is_streamed_afresh_and_the_feed_is_stored(client, published):
    assert published.service_name.encode() in body(client.get(CSV))
    assert published.service_name.encode() in client.get(FEED).content
    Publication.objects.filter(pk=published.pk).update(service_name="Renamed behind its back")
    assert b"Renamed behind its back" in body(client.get(CSV))  # never stored
    assert b"Renamed behind its back" not in client.get(FEED).content  # the stored feed


def test_a_withdrawal_reaches_the_stored_feed_at_once(client, published, coventry_lead):
    before = client.get(FEED)
    services.withdraw_publication(
        published.assessment, by=coventry_lead, reason="The scores were entered wrongly."
    )
    after = client.get(FEED)
    assert after["ETag"] != before["ETag"]
    assert b"The scores were entered wrongly." in after.content
