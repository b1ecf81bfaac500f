"""The open data: /data/, the four downloads and the Atom feed.

Assessments are published and withdrawn through the workflow, then the files are read
as a visitor downloads them: each row matches its publication, a withdrawn publication
is in none of them, the files stream, and the queries do not grow with the rows.
"""

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.feeds import latest_entries
from assessments.models import Publication, PublicRecord, PublishedPoint
from assessments.publishing.open_data import ASSESSMENT_COLUMNS, POINT_COLUMNS, neutralise
from tests.factories_publications import WITHDRAWN_REASON, public_record, self_assessed, withdrawn

ATOM = "{http://www.w3.org/2005/Atom}"


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


def read(response):
    assert response.streaming, "downloads stream"
    return b"".join(response.streaming_content).decode("utf-8")


def download_csv(client, name):
    response = client.get(f"/data/{name}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(read(response))))


def download_json(client, name):
    response = client.get(f"/data/{name}.json")
    assert response.status_code == 200
    return json.loads(read(response))


# --- The downloads ------------------------------------------------------------------


def test_the_assessments_csv_has_one_row_per_public_publication_with_its_figures(client, record):
    rows = {int(row["assessment_id"]): row for row in download_csv(client, "assessments")}

    assert sorted(rows) == sorted([record.peer.pk, record.self.pk])  # not the withdrawn one
    peer = Publication.objects.get(pk=record.peer.pk)
    row = rows[peer.pk]
    assert row["report_url"] == f"/assessments/{peer.pk}/"
    assert (row["council_code"], row["gss_code"], row["service_id"]) == (
        "COV",
        peer.gss_code,
        str(peer.service_id),
    )
    assert (row["review_type"], row["reviewer_councils"]) == ("peer_reviewed", "Peer reviewer")
    assert (row["standard_version"], row["phase"]) == ("1.0", "beta")
    assert (row["total"], row["maximum"], row["met"], row["applicable"]) == (
        str(peer.total),
        str(peer.maximum),
        str(peer.met),
        str(peer.applicable),
    )
    assert (row["average"], row["rating"]) == (str(peer.average), peer.rating)
    assert (row["self_total"], row["agreed_total"]) == (
        str(peer.self_total),
        str(peer.agreed_total),
    )
    assert row["published_at"] == peer.published_at.isoformat()

    self_row = rows[record.self.pk]
    assert (self_row["council_code"], self_row["review_type"]) == ("LDS", "self_assessed")
    # A self-assessment has no agreed figures: blank, not zero.
    assert (
        self_row["agreed_total"],
        self_row["agreed_average"],
        self_row["reviewer_councils"],
    ) == (
        "",
        "",
        "",
    )
    assert self_row["self_total"] == self_row["total"] == "30"


def test_the_columns_are_those_documented_and_the_file_has_no_byte_order_mark(client, record):
    response = client.get("/data/assessments.csv")
    text = read(response)

    assert not text.startswith("\ufeff")
    assert text.splitlines()[0].split(",") == [column.name for column in ASSESSMENT_COLUMNS]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lgdss-assessments.csv"'
    points = client.get("/data/point-scores.csv")
    assert read(points).splitlines()[0].split(",") == [column.name for column in POINT_COLUMNS]


def test_the_point_scores_csv_has_one_row_per_point_of_each_public_publication(client, record):
    rows = download_csv(client, "point-scores")

    assert len(rows) == 30  # 15 points of each of the two public publications
    assert {int(row["assessment_id"]) for row in rows} == {record.peer.pk, record.self.pk}
    point = PublishedPoint.objects.get(publication=record.peer.pk, number=2)
    row = next(
        r for r in rows if r["assessment_id"] == str(record.peer.pk) and r["point_number"] == "2"
    )
    assert (row["council_code"], row["standard_version"], row["review_type"]) == (
        "COV",
        "1.0",
        "peer_reviewed",
    )
    assert (row["self_score"], row["agreed_score"], row["score"], row["met"]) == (
        str(point.self_score),
        str(point.agreed_score),
        str(point.score),
        "true",
    )
    assert (row["done_well"], row["to_explore"]) == (point.done_well, point.to_explore)
    self_row = next(r for r in rows if r["assessment_id"] == str(record.self.pk))
    assert (self_row["score"], self_row["met"], self_row["agreed_score"]) == ("2", "false", "")


def test_the_json_downloads_hold_the_same_rows_with_typed_values(client, record):
    assessments = {row["assessment_id"]: row for row in download_json(client, "assessments")}
    points = download_json(client, "point-scores")

    assert sorted(assessments) == sorted([record.peer.pk, record.self.pk])
    peer = Publication.objects.get(pk=record.peer.pk)
    row = assessments[peer.pk]
    assert list(row) == [column.name for column in ASSESSMENT_COLUMNS]
    assert row["reviewer_councils"] == ["Peer reviewer"]
    assert (row["total"], row["average"]) == (peer.total, float(peer.average))
    assert assessments[record.self.pk]["agreed_total"] is None
    assert len(points) == 30
    assert list(points[0]) == [column.name for column in POINT_COLUMNS]
    assert points[0]["met"] is True


def test_a_formula_in_a_csv_cell_is_neutralised_and_left_as_it_was_in_json(client, record):
    # Point 1 of the peer-reviewed publication has evidence starting with "=".
    evidence = '=HYPERLINK("https://example.com")'
    csv_row = next(
        row
        for row in download_csv(client, "point-scores")
        if row["assessment_id"] == str(record.peer.pk) and row["point_number"] == "1"
    )
    json_row = next(
        row
        for row in download_json(client, "point-scores")
        if row["assessment_id"] == record.peer.pk and row["point_number"] == 1
    )

    assert csv_row["evidence"] == "'" + evidence
    assert json_row["evidence"] == evidence


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_start_of_a_formula_is_neutralised(start):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


def test_ordinary_text_and_numbers_are_left_alone():
    assert (neutralise("Leeds"), neutralise(3), neutralise("3 - 1")) == ("Leeds", 3, "3 - 1")


def test_a_withdrawal_takes_a_publication_out_of_every_download(client, record, leeds_lead):
    from assessments import services

    services.withdraw_publication(record.self, by=leeds_lead, reason="Scored against old data.")

    assert [row["assessment_id"] for row in download_csv(client, "assessments")] == [
        str(record.peer.pk)
    ]
    assert {row["assessment_id"] for row in download_json(client, "point-scores")} == {
        record.peer.pk
    }


def test_an_unknown_download_is_not_found(client, db):
    assert client.get("/data/scores.csv").status_code == 404
    assert client.get("/data/assessments.xlsx").status_code == 404


def _publish_many(count, council, lead, *, first=0):
    for number in range(first, first + count):
        self_assessed(council, lead, name=f"Service {number}")


@pytest.mark.parametrize(
    "path",
    [
        "/data/assessments.csv",
        "/data/assessments.json",
        "/data/point-scores.csv",
        "/data/point-scores.json",
        "/feeds/published/",
        "/data/",
    ],
)
def test_the_queries_do_not_grow_with_the_publications(
    client, standard, coventry, coventry_lead, path
):
    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(path)
            assert response.status_code == 200
            read(response) if response.streaming else response.content
        return len(context.captured_queries)

    _publish_many(1, coventry, coventry_lead)
    one = queries()
    _publish_many(4, coventry, coventry_lead, first=1)
    withdrawn(coventry, coventry_lead, name="Withdrawn service")
    assert Publication.objects.count() == 6
    assert queries() == one


# --- The page that describes them ---------------------------------------------------


def test_the_data_page_describes_every_column_the_licence_and_the_last_change(client, record):
    response = client.get("/data/")
    page = response.content.decode()

    assert response.status_code == 200
    for column in ASSESSMENT_COLUMNS + POINT_COLUMNS:
        assert f"<code>{column.name}</code>" in page
    assert "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" in page
    assert "Open Government Licence v3.0" in page
    changed_at = timezone.localtime(PublicRecord.current().changed_at)
    assert f'datetime="{changed_at:%Y-%m-%dT%H:%M:%S%z}"' in page
    for href in (
        "/data/assessments.csv",
        "/data/assessments.json",
        "/data/point-scores.csv",
        "/data/point-scores.json",
        "/api/v1/openapi.json",
        "/feeds/published/",
    ):
        assert f'href="{href}"' in page
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Publications and withdrawals" '
        'href="/feeds/published/">'
    ) in page


def test_before_anything_is_published_the_data_page_says_so(client, db):
    assert "Nothing has been published yet." in client.get("/data/").content.decode()


# --- The feed -----------------------------------------------------------------------


def feed_entries(client):
    response = client.get("/feeds/published/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
        }
        for entry in root.iter(f"{ATOM}entry")
    ]


def test_the_feed_has_each_publication_and_each_withdrawal_newest_first(client, record):
    entries = feed_entries(client)

    assert [entry["title"] for entry in entries] == [
        "Withdrawn: Find a school bus, Coventry City Council",
        "Pay council tax, Leeds City Council",
        "Find a recycling centre, Coventry City Council",
    ]
    withdrawal, self_entry, peer_entry = entries
    assert withdrawal["link"] == f"http://testserver/assessments/{record.withdrawn.pk}/"
    assert WITHDRAWN_REASON in withdrawal["summary"]
    assert withdrawal["summary"].startswith("Coventry City Council withdrew this publication on")
    assert self_entry["summary"].startswith("Self-assessed")
    assert peer_entry["summary"].startswith("Peer reviewed by Peer reviewer")
    assert peer_entry["link"] == f"http://testserver/assessments/{record.peer.pk}/"
    assert [entry["author"] for entry in entries] == [
        "Coventry City Council",
        "Leeds City Council",
        "Coventry City Council",
    ]
    # A publication and its withdrawal share the report's address, not their ids.
    assert withdrawal["id"] == f"urn:lgdss:assessment:{record.withdrawn.pk}:withdrawn"
    assert peer_entry["id"] == f"urn:lgdss:assessment:{record.peer.pk}:published"


def test_the_feed_is_limited_to_the_latest_entries(record):
    # Make the self-assessment the oldest of the three.
    Publication.objects.filter(pk=record.self.pk).update(
        published_at=timezone.now() - timedelta(days=30)
    )

    entries = latest_entries(limit=2)

    assert [(entry.publication.pk, entry.withdrawal) for entry in entries] == [
        (record.withdrawn.pk, True),
        (record.peer.pk, False),
    ]


def test_the_feed_answers_get_only(client, db):
    assert client.post("/feeds/published/").status_code == 405


def test_average_as_json_is_a_number(client, record):
    peer = Publication.objects.get(pk=record.peer.pk)
    assert isinstance(peer.average, Decimal)
    row = next(r for r in download_json(client, "assessments") if r["assessment_id"] == peer.pk)
    assert row["average"] == float(peer.average)
