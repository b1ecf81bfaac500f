"""Councils' own scores against agreed ones (/insight/self-and-agreed/): across public
peer-reviewed publications, per point, leaving out answers either side said do not apply;
worked out by hand here, and again from the open data."""

import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import PublishedPoint, ReviewType
from tests.factories_published_rows import publish_directly

PEER = ReviewType.PEER_REVIEWED
PAGE = "/insight/self-and-agreed/"
CSV = "/insight/self-and-agreed.csv"
NA = None


def peer_reviewed(council, answers, **kwargs):
    """A peer-reviewed publication whose points 1 and 2 have (council's own, agreed) as
    `answers` gives (None: does not apply); every other point is 3 and 3."""
    publication = publish_directly(council, review_type=PEER, **kwargs)
    for number in range(1, 16):
        own, agreed = answers.get(number, (3, 3))
        PublishedPoint.objects.filter(publication=publication, number=number).update(
            self_score=own,
            self_not_applicable=own is None,
            agreed_score=agreed,
            agreed_not_applicable=agreed is None,
            score=agreed,
            not_applicable=agreed is None,
            met=agreed is not None and agreed >= 3,
        )
    return publication


@pytest.fixture
def record(standard, coventry, leeds):
    """Point 1: 4→3, 3→3, 5→3 (two over-rated, one the same). Point 2: 2→3 (under-rated);
    the other two are left out, as the council or the reviewers said it does not apply.
    A self-assessment and a withdrawn peer review would change both if they counted."""
    peer_reviewed(coventry, {1: (4, 3), 2: (2, 3)}, name="Report a missed bin")
    peer_reviewed(coventry, {1: (3, 3), 2: (NA, NA)}, name="Book a bulky uplift")
    peer_reviewed(leeds, {1: (5, 3), 2: (3, NA)}, name="Pay council tax")
    publish_directly(leeds, name="Report a pothole", scores=(0,) * 15)
    withdrawn = publish_directly(
        leeds, name="Find a school bus", review_type=PEER, scores=(0,) * 15, withdrawn=True
    )
    PublishedPoint.objects.filter(publication=withdrawn).update(agreed_score=5)


def read_csv(client, address):
    response = client.get(address)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_the_figures_are_those_worked_out_by_hand(client, record):
    rows = {row["point_number"]: row for row in read_csv(client, CSV)}
    assert len(rows) == 15
    figures = [
        "compared",
        "excluded_not_applicable",
        "self_average",
        "agreed_average",
        "average_difference",
        "rated_higher",
        "same",
        "rated_lower",
    ]
    assert [rows["1"][f] for f in figures] == ["3", "0", "4.0", "3.0", "1.0", "2", "1", "0"]
    assert [rows["2"][f] for f in figures] == ["1", "2", "2.0", "3.0", "-1.0", "0", "0", "1"]
    assert [rows["3"][f] for f in figures] == ["3", "0", "3.0", "3.0", "0.0", "0", "3", "0"]
    assert rows["1"]["point_title"] == "Understand user needs"
    assert rows["1"]["standard_version"] == "1.0"


def test_the_page_says_where_teams_over_and_under_rate_themselves(client, record):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "The figures include the 3 peer-reviewed assessments published against version 1.0" in html
    )
    assert "Self-assessed publications are left out" in html
    assert "where the council or the reviewers said the point does not apply is left out" in html
    # 13 points of 3 answers the same, point 1's three and point 2's one.
    assert (
        "Of 43 answers compared, teams scored themselves higher than the reviewers agreed "
        "in 2, the same in 40 and lower in 1." in html
    )
    assert (
        "Teams over-rate themselves most on point 1, Understand user needs: on average 1.0 above"
        in html
    )
    assert "Teams under-rate themselves most on point 2" in html
    assert "on average 1.0 below the agreed score" in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">\N{MINUS SIGN}1.0</td>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">+1.0</td>' in html
    assert 'id="self-and-agreed-title"' in html  # the chart, with its table
    assert 'href="/standard/1/national-picture/"' in html


def test_with_no_peer_review_published_the_page_says_so(client, standard, coventry):
    publish_directly(coventry)  # self-assessed
    html = client.get(PAGE).content.decode()
    assert "No council has published a peer-reviewed assessment against version 1.0" in html
    assert "The figures include the 0 peer-reviewed assessments" in html
    assert read_csv(client, CSV) == []


def test_the_page_and_csv_are_cached_by_the_record_version(client, record):
    for address in (PAGE, CSV):
        etag = client.get(address)["ETag"]
        assert client.get(address, headers={"if-none-match": etag}).status_code == 304


def _queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_page_and_csv_take_the_same_queries_for_one_publication_and_many(
    client, standard, coventry, leeds
):
    peer_reviewed(coventry, {1: (4, 3)})
    one = (_queries(client, PAGE), _queries(client, CSV))
    for n in range(6):
        peer_reviewed(leeds, {1: (n % 6, 3), 2: (NA, 2)}, name=f"Service {n}", days_ago=n)
    many = (_queries(client, PAGE), _queries(client, CSV))
    assert one == many
    assert one == (5, 4)  # see the views' docstrings


def _rounded(total, count):
    if not count:
        return ""
    return str((Decimal(total) / count).quantize(Decimal("0.1"), ROUND_HALF_UP))


def test_the_figures_match_a_recomputation_from_the_open_data(client, record):
    """The page's CSV, worked out again in Python from /data/point-scores.csv."""
    by_point = defaultdict(list)
    for row in read_csv(client, "/data/point-scores.csv"):
        if row["review_type"] == "peer_reviewed" and row["standard_version"] == "1.0":
            by_point[row["point_number"]].append(row)
    page = {row["point_number"]: row for row in read_csv(client, CSV)}
    assert set(page) == set(by_point)
    for number, answers in by_point.items():
        both = [
            (int(a["self_score"]), int(a["agreed_score"]))
            for a in answers
            if a["self_not_applicable"] == "false" and a["agreed_not_applicable"] == "false"
        ]
        expected = {
            "compared": str(len(both)),
            "excluded_not_applicable": str(len(answers) - len(both)),
            "self_average": _rounded(sum(s for s, _ in both), len(both)),
            "agreed_average": _rounded(sum(a for _, a in both), len(both)),
            "average_difference": _rounded(sum(s - a for s, a in both), len(both)),
            "rated_higher": str(sum(s > a for s, a in both)),
            "same": str(sum(s == a for s, a in both)),
            "rated_lower": str(sum(s < a for s, a in both)),
        }
        assert {name: page[number][name] for name in expected} == expected, number


def test_the_hub_leads_to_every_insight_page(client, standard, coventry):
    publish_directly(coventry)  # the results page shows its links once something is
    html = client.get("/insight/").content.decode()
    for address in ("/compare/", "/products/", "/insight/trends/", PAGE):
        assert f'href="{address}"' in html
    for number in range(1, 16):
        assert f'href="/standard/{number}/national-picture/"' in html
    assert 'href="/insight/"' in client.get("/").content.decode()
    assert 'href="/insight/"' in client.get("/results/").content.decode()
