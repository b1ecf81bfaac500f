"""Trends: a service's scores over its successive assessments (/services/<id>/) and the
share of points met nationally by quarter (/insight/trends/ and its CSV).

Figures by hand and against a recomputation from the open data; withdrawn publications
left out; a service with nothing public is not found; the query count does not grow."""

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.insight.trends import Cell
from assessments.models import Publication, ReviewType
from tests.factories_published_rows import publish_directly
from tests.factories_services import ServiceFactory
from tests.test_public_results import page_text

LONDON = ZoneInfo("Europe/London")


def _at(publication, year, month, day):
    Publication.objects.filter(pk=publication.pk).update(
        published_at=datetime(year, month, day, 12, tzinfo=UTC)
    )
    publication.refresh_from_db()
    return publication


@pytest.fixture
def history(standard, coventry):
    """One Coventry service published three times (and once withdrawn between):
    first every point 3; then point 1 scored 4 and point 2 not applicable; last point 1
    scored 2 and the rest 3, after the service was renamed."""
    service = ServiceFactory(council=coventry, name="Report a missed bin")
    first = _at(publish_directly(coventry, service=service, scores=(3,) * 15), 2025, 11, 3)
    second = _at(
        publish_directly(
            coventry,
            service=service,
            review_type=ReviewType.PEER_REVIEWED,
            scores=(4, None) + (3,) * 13,
        ),
        2026,
        2,
        10,
    )
    withdrawn = _at(
        publish_directly(coventry, service=service, scores=(0,) * 15, withdrawn=True), 2026, 3, 1
    )
    service.name = "Report a missed bin collection"
    service.save()
    last = _at(publish_directly(coventry, service=service, scores=(2,) + (3,) * 14), 2026, 5, 4)
    return {"service": service, "publications": [first, second, last], "withdrawn": withdrawn}


def test_a_services_page_shows_each_point_over_time_with_its_change(client, history):
    service = history["service"]
    response = client.get(f"/services/{service.pk}/")
    assert response.status_code == 200
    assert response.context["publications"] == history["publications"]
    histories = {h.number: h for h in response.context["histories"]}
    assert [(c.score, c.change_text) for c in histories[1].cells] == [
        (3, ""),
        (4, "+1"),
        (2, "\N{MINUS SIGN}2"),
    ]
    # No change is shown across a point that did not apply.
    assert histories[2].cells == [
        Cell(3, False, None),
        Cell(None, True, None),
        Cell(3, False, None),
    ]
    assert [c.change_text for c in histories[3].cells] == ["", "no change", "no change"]
    text = page_text(response)
    assert "Report a missed bin collection: scores over time" in text  # as last published
    assert "The 3 published assessments of this service" in text
    assert "4 (+1) 2 (\N{MINUS SIGN}2)" in text
    assert "Does not apply" in text
    for publication in history["publications"]:
        assert publication.get_absolute_url() in response.text
    assert history["withdrawn"].get_absolute_url() not in response.text
    # The chart: the share of points met in each, oldest first.
    assert [row.values for row in response.context["chart"].rows] == [(100,), (100,), (93,)]
    assert "14 of 15 met, average 2.9 (self-assessed)" in text


def test_a_report_links_to_its_services_page(client, history):
    last = history["publications"][-1]
    response = client.get(last.get_absolute_url())
    assert f'href="/services/{history["service"].pk}/"' in response.text


def test_a_councils_page_links_a_service_published_more_than_once_to_its_page(client, history):
    response = client.get("/councils/cov/")
    assert f'href="/services/{history["service"].pk}/"' in response.text
    assert "Scores over time" in page_text(response)


def test_a_service_with_nothing_public_is_not_found(client, standard, coventry):
    only_withdrawn = publish_directly(coventry, withdrawn=True)
    assert client.get(f"/services/{only_withdrawn.service_id}/").status_code == 404
    assert client.get("/services/999999/").status_code == 404


@pytest.fixture
def quarters(standard, coventry, leeds):
    """2026 Q1: Coventry peer reviewed (every point 3: 15 of 15 met) and Leeds
    self-assessed (every point 2: 0 of 15); Q2: Leeds self-assessed (point 2 not
    applicable, the rest 3: 14 of 14) and a withdrawn one (not counted)."""
    return [
        _at(
            publish_directly(
                coventry, name="Q1 peer", review_type=ReviewType.PEER_REVIEWED, scores=(3,) * 15
            ),
            2026,
            1,
            15,
        ),
        _at(publish_directly(leeds, name="Q1 self", scores=(2,) * 15), 2026, 3, 31),
        _at(publish_directly(leeds, name="Q2 self", scores=(3, None) + (3,) * 13), 2026, 4, 2),
        _at(publish_directly(leeds, name="Q2 gone", scores=(0,) * 15, withdrawn=True), 2026, 5, 1),
    ]


def test_the_national_trend_is_the_share_met_by_quarter_and_review_type(client, quarters):
    response = client.get("/insight/trends/")
    assert response.status_code == 200
    rows = response.context["chart"].rows
    assert [(row.label, row.values, row.note) for row in rows] == [
        ("2026 Q1", (100, 0, 50), "2 assessments: 1 peer reviewed, 1 self-assessed"),
        ("2026 Q2", (None, 100, 100), "1 assessment: 0 peer reviewed, 1 self-assessed"),
    ]
    text = page_text(response)
    assert "3 published assessments, counted in the quarter" in text
    assert "Assessed against the Standard, version 1.0." in text
    assert "Points that do not apply to a service are left out" in text


def test_the_trend_download_has_the_same_figures(client, quarters):
    response = client.get("/insight/trends.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        [
            "quarter",
            "quarter_start",
            "assessments",
            "peer_reviewed",
            "self_assessed",
            "points_met",
            "points_applicable",
            "met_percent",
            "peer_reviewed_met_percent",
            "self_assessed_met_percent",
        ],
        ["2026 Q1", "2026-01-01", "2", "1", "1", "15", "30", "50", "100", "0"],
        ["2026 Q2", "2026-04-01", "1", "0", "1", "14", "14", "100", "", "100"],
    ]


def test_with_nothing_published_the_trends_page_says_so(client, db):
    response = client.get("/insight/trends/")
    assert response.status_code == 200
    assert "No council has published an assessment yet" in page_text(response)


def test_the_figures_match_a_recomputation_from_the_open_data(client, quarters, history):
    """The quarters' shares and a service's scores, worked out from the open data alone."""
    assessments = list(csv.DictReader(_download(client, "/data/assessments.csv")))
    points = list(csv.DictReader(_download(client, "/data/point-scores.csv")))

    by_quarter = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))  # count, met, applicable
    for row in assessments:
        at = datetime.fromisoformat(row["published_at"]).astimezone(LONDON)
        quarter = f"{at.year} Q{(at.month - 1) // 3 + 1}"
        for kind in (row["review_type"], "all"):
            figures = by_quarter[quarter][kind]
            figures[0] += 1
            figures[1] += int(row["met"])
            figures[2] += int(row["applicable"])

    def share(figures):
        return round(100 * figures[1] / figures[2]) if figures[2] else None

    rows = client.get("/insight/trends/").context["chart"].rows
    assert [row.label for row in rows] == sorted(by_quarter)
    for row in rows:
        found = by_quarter[row.label]
        assert row.values == (
            share(found["peer_reviewed"]),
            share(found["self_assessed"]),
            share(found["all"]),
        )

    service = history["service"]
    of_service = sorted(
        (row for row in assessments if row["service_id"] == str(service.pk)),
        key=lambda row: row["published_at"],
    )
    order = [row["assessment_id"] for row in of_service]
    scores = defaultdict(dict)
    for row in points:
        if row["assessment_id"] in order:
            scores[int(row["point_number"])][row["assessment_id"]] = (
                None if row["not_applicable"] == "true" else int(row["score"])
            )
    page = client.get(f"/services/{service.pk}/").context["histories"]
    for point in page:
        assert [cell.score for cell in point.cells] == [scores[point.number][pk] for pk in order]


def _download(client, address):
    return io.StringIO(b"".join(client.get(address).streaming_content).decode())


def _queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["service", "national", "csv"])
def test_query_counts_do_not_grow_with_the_number_published(
    client, standard, coventry, leeds, page
):
    service = ServiceFactory(council=coventry)
    publish_directly(coventry, service=service)
    address = {
        "service": f"/services/{service.pk}/",
        "national": "/insight/trends/",
        "csv": "/insight/trends.csv",
    }[page]
    with_one = _queries(client, address)
    for number in range(10):
        publish_directly(
            leeds if number % 3 else coventry,
            service=service if number % 2 else None,
            name=f"Service {number}",
            review_type=ReviewType.PEER_REVIEWED if number % 4 else ReviewType.SELF_ASSESSED,
            scores=tuple(None if n == number % 15 else (n + number) % 6 for n in range(15)),
            days_ago=40 * number,
        )
    publish_directly(coventry, service=service, withdrawn=True)
    with_many = _queries(client, address)
    assert with_one == with_many


@pytest.mark.parametrize("address", ["/insight/trends/", "/insight/trends.csv", "service"])
def test_the_trend_pages_answer_304_until_the_record_changes(client, history, address):
    if address == "service":
        address = f"/services/{history['service'].pk}/"
    first = client.get(address)
    assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    publish_directly(history["service"].council, service=history["service"])
    assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
