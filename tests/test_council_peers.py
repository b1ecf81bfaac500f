"""A council against its peers, on its page and as CSV (assessments/insight/peers.py).

The figures are hand-computed from the scores the tests publish, and checked once more
against a recomputation from the open data downloads."""

import csv
import io
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.insight import peers
from assessments.models import Publication, ReviewType
from tests.factories import CouncilFactory
from tests.factories_published_rows import publish_directly
from tests.open_data_recompute import averages, latest_points

PEER = ReviewType.PEER_REVIEWED
SELF = ReviewType.SELF_ASSESSED
COVENTRY = "/councils/cov/"
COVENTRY_CSV = "/councils/cov/points.csv"


def scores(first, second, rest):
    return (first, second) + (rest,) * 13


@pytest.fixture
def record(standard, coventry, leeds):
    """Coventry (metropolitan district, West Midlands) and its peers:

    - Coventry: service A peer reviewed 2, n/a, 4… (an earlier publication of it scored 1s,
      which no longer counts); service B self-assessed 3s;
    - Birmingham (metropolitan district, West Midlands): peer reviewed 2s;
    - Leeds (metropolitan district, Yorkshire): peer reviewed 5s, and a withdrawn one of 0s;
    - Shropshire (unitary authority, West Midlands): peer reviewed 1s.
    """
    birmingham = CouncilFactory(code="BIR", short_name="Birmingham", region="West Midlands")
    shropshire = CouncilFactory(
        code="SHR",
        short_name="Shropshire",
        region="West Midlands",
        authority_type="UA",
        authority_type_name="Unitary authority",
    )
    first = publish_directly(coventry, name="A", review_type=PEER, scores=(1,) * 15, days_ago=30)
    publish_directly(
        coventry, service=first.service, review_type=PEER, scores=scores(2, None, 4), days_ago=1
    )
    publish_directly(coventry, name="B", review_type=SELF, scores=(3,) * 15)
    publish_directly(birmingham, review_type=PEER, scores=(2,) * 15)
    publish_directly(leeds, review_type=PEER, scores=(5,) * 15)
    publish_directly(leeds, name="Gone", review_type=PEER, scores=(0,) * 15, withdrawn=True)
    publish_directly(shropshire, review_type=PEER, scores=(1,) * 15)
    return coventry


def by_type(comparisons):
    return {comparison.review_type: comparison for comparison in comparisons}


def test_figures_hand_computed(record):
    found = by_type(peers.council_against_peers(record))
    assert list(found) == [PEER, SELF]
    peer = {point.number: point for point in found[PEER].points}
    # Point 1: Coventry 2; type (Coventry 2, Birmingham 2, Leeds 5) 3.0; region (2, 2, 1) 1.7.
    assert [peer[1].average(key) for key in ("council", "type", "region")] == [
        Decimal("2.0"),
        Decimal("3.0"),
        Decimal("1.7"),
    ]
    # Point 2 does not apply to Coventry's: left out, not counted as 0.
    assert [peer[2].average(key) for key in ("council", "type", "region")] == [
        None,
        Decimal("3.5"),
        Decimal("1.5"),
    ]
    assert [peer[2].scored(key) for key in ("council", "type", "region")] == [0, 2, 2]
    # Point 3: Coventry 4; type (4, 2, 5) 3.7; region (4, 2, 1) 2.3.
    assert [peer[3].average(key) for key in ("council", "type", "region")] == [
        Decimal("4.0"),
        Decimal("3.7"),
        Decimal("2.3"),
    ]
    own = {point.number: point for point in found[SELF].points}
    assert [own[1].average(key) for key in ("council", "type", "region")] == [Decimal("3.0")] * 3


def test_what_the_figures_include(record):
    peer, own = peers.council_against_peers(record)
    assert peer.includes == [
        "Coventry: 1 assessment, Standard version 1.0",
        "Same type: Metropolitan district: 3 assessments from 3 councils, Standard version 1.0",
        "Same region: West Midlands: 3 assessments from 3 councils, Standard version 1.0",
    ]
    assert own.includes[0] == "Coventry: 1 assessment, Standard version 1.0"
    assert own.includes[1] == (
        "Same type: Metropolitan district: 1 assessment from 1 council, Standard version 1.0"
    )


def test_the_page_shows_the_charts_and_says_what_they_include(client, record):
    page = client.get(COVENTRY).content.decode()
    assert "Coventry against its peers" in page
    assert "Average score on each point, peer reviewed assessments" in page
    assert "Average score on each point, self-assessed assessments" in page
    assert "Same type: Metropolitan district: 3 assessments from 3 councils" in page
    assert "Points that do not apply are left out of the averages." in page
    assert 'class="app-chart__svg"' in page
    assert COVENTRY_CSV in page


def test_withdrawn_publications_are_left_out_and_the_earlier_one_counts_again(standard, coventry):
    first = publish_directly(coventry, review_type=PEER, scores=(2,) * 15, days_ago=5)
    latest = publish_directly(
        coventry, service=first.service, review_type=PEER, scores=(4,) * 15, withdrawn=True
    )
    assert latest.withdrawn_at
    (peer,) = peers.council_against_peers(coventry)
    assert peer.points[0].average("council") == Decimal("2.0")
    assert peer.groups[0].assessments == 1


def test_a_council_with_nothing_published_has_a_sentence_and_no_chart(client, standard, coventry):
    publish_directly(coventry, review_type=PEER, withdrawn=True)
    page = client.get(COVENTRY).content.decode()
    assert "Coventry has not published any assessments yet." in page
    assert "its average on each point beside other councils" in unescape(page)
    assert "against its peers" not in page
    assert "app-chart__svg" not in page
    assert client.get(COVENTRY_CSV).content.decode().strip().count("\n") == 0  # headings only


def test_the_csv_has_the_page_figures(client, record):
    response = client.get(COVENTRY_CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 30  # 15 points, two review types
    point_2 = next(
        r for r in rows if r["review_type"] == "peer_reviewed" and r["point_number"] == "2"
    )
    assert point_2["council_average"] == ""
    assert point_2["council_assessments_scoring_point"] == "0"
    assert point_2["same_type_average"] == "3.5"
    assert point_2["same_region_average"] == "1.5"


def test_the_csv_is_a_conditional_download(client, record):
    first = client.get(COVENTRY_CSV)
    again = client.get(COVENTRY_CSV, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_an_unknown_council_is_404(client, standard):
    assert client.get("/councils/zzz/points.csv").status_code == 404


def test_figures_match_a_recomputation_from_the_open_data(client, record):
    kept, points = latest_points(client)
    rows = list(csv.DictReader(io.StringIO(client.get(COVENTRY_CSV).content.decode())))
    for review_type in ("peer_reviewed", "self_assessed"):
        groups = {
            "council": lambda r: kept[r["assessment_id"]]["council_code"] == "COV",
            "same_type": lambda r: kept[r["assessment_id"]]["council_type_code"] == "MD",
            "same_region": lambda r: kept[r["assessment_id"]]["region"] == "West Midlands",
        }
        for key, keep in groups.items():
            expected = averages(
                points, lambda r, keep=keep, kind=review_type: r["review_type"] == kind and keep(r)
            )
            shown = {
                int(r["point_number"]): Decimal(r[f"{key}_average"])
                for r in rows
                if r["review_type"] == review_type and r[f"{key}_average"]
            }
            assert shown == expected, (review_type, key)
    # And the page shows the same numbers as the CSV: Coventry's 4.0 on point 3.
    assert ">4.0<" in client.get(COVENTRY).content.decode()


def count_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(COVENTRY).status_code == 200
    return len(queries)


def test_the_page_makes_a_fixed_number_of_queries(client, standard, coventry, leeds):
    publish_directly(coventry, review_type=PEER)
    one = count_queries(client)
    for n in range(12):
        publish_directly(
            coventry if n % 2 else leeds, name=f"S{n}", review_type=[PEER, SELF][n % 2]
        )
    assert Publication.objects.public().count() == 13
    assert count_queries(client) == one
