"""Comparing councils: /compare/?councils=cov,lds (assessments/views/compare.py).

Figures hand-computed from the scores the tests publish, checked again against the open
data; the choice's errors; what the figures include; a fixed number of queries."""

import csv
import io
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import ReviewType
from tests.factories import CouncilFactory
from tests.factories_published_rows import publish_directly
from tests.open_data_recompute import averages, latest_points

PEER = ReviewType.PEER_REVIEWED
SELF = ReviewType.SELF_ASSESSED
COMPARE = "/compare/"


@pytest.fixture
def birmingham(db):
    return CouncilFactory(
        code="BIR", short_name="Birmingham", official_name="Birmingham City Council"
    )


@pytest.fixture
def record(standard, coventry, leeds, birmingham):
    """Coventry: peer reviewed 4, n/a, 2… and self-assessed 2s (an earlier publication of
    the self-assessed service scored 5s, and no longer counts). Leeds: self-assessed 3s,
    and a withdrawn publication of 0s. Birmingham: nothing."""
    pay = publish_directly(coventry, name="Pay", review_type=PEER, scores=(4, None) + (2,) * 13)
    old = publish_directly(coventry, name="Bins", review_type=SELF, scores=(5,) * 15, days_ago=9)
    bins = publish_directly(coventry, service=old.service, review_type=SELF, scores=(2,) * 15)
    bins_leeds = publish_directly(leeds, review_type=SELF, scores=(3,) * 15)
    gone = publish_directly(leeds, name="Gone", review_type=PEER, scores=(0,) * 15, withdrawn=True)
    return {"latest": [pay, bins, bins_leeds], "not_shown": [old, gone]}


def rows_of(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_figures_hand_computed(client, record):
    response = client.get(COMPARE, {"councils": "cov,lds,bir"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Compare Coventry, Leeds and Birmingham" in page
    rows = rows_of(client.get("/compare/points.csv?councils=cov,lds,bir"))
    figures = {(r["council_code"], r["point_number"]): r for r in rows}
    # Point 1: Coventry (4 + 2) / 2 = 3.0; point 2: Coventry's one scored 2 (n/a left out).
    assert figures["COV", "1"]["average"] == "3.0"
    assert figures["COV", "2"]["average"] == "2.0"
    assert figures["COV", "2"]["assessments_scoring_point"] == "1"
    assert figures["COV", "3"]["average"] == "2.0"
    assert figures["LDS", "1"]["average"] == "3.0"  # the withdrawn 0s are left out
    assert figures["BIR", "1"]["average"] == ""
    assert figures["COV", "1"]["peer_reviewed"] == "1"
    assert figures["COV", "1"]["self_assessed"] == "1"
    assert len(rows) == 45  # 3 councils, 15 points


def test_the_page_says_what_the_figures_include(client, record):
    page = client.get(COMPARE, {"councils": "cov,lds,bir"}).content.decode()
    assert (
        "Coventry: 2 assessments (1 peer reviewed, 1 self-assessed), Standard version 1.0" in page
    )
    assert "Leeds: 1 assessment (0 peer reviewed, 1 self-assessed), Standard version 1.0" in page
    assert "Birmingham: nothing published" in page
    assert "Birmingham has not published any assessments, so it has no figures" in page
    assert "Points that do not apply are left out of the averages." in page
    assert 'class="app-chart__svg"' in page
    assert "/compare/points.csv?councils=cov,lds,bir" in page


def test_each_councils_latest_results_are_listed_with_links(client, record):
    page = client.get(COMPARE, {"councils": "cov,lds"}).content.decode()
    for publication in record["latest"]:
        assert f'href="{publication.get_absolute_url()}"' in page
    for publication in record["not_shown"]:  # an earlier one, a withdrawn one
        assert f'href="{publication.get_absolute_url()}"' not in page
    assert "Coventry's services: the latest published assessment of each" in unescape(page)


def test_the_form_redirects_to_the_short_address(client, record):
    response = client.get(COMPARE + "?councils=cov&councils=LDS&councils=&councils=")
    assert response.status_code == 302
    assert response["Location"] == "/compare/?councils=cov,lds"


def test_the_form_alone_without_a_choice(client, record):
    page = client.get(COMPARE).content.decode()
    assert "Councils to compare" in page
    assert "govuk-error-summary" not in page
    assert "app-chart__svg" not in page
    assert page.count("data-app-autocomplete") == 5


@pytest.mark.parametrize(
    ("councils", "message"),
    [
        ("cov", "Choose at least 2 councils to compare"),
        ("", "Choose at least 2 councils to compare"),
        ("cov,lds,bir,aaa,bbb,ccc", "There are no councils with the codes AAA, BBB, CCC"),
        ("cov,xyz", "There is no council with the code XYZ: choose a council from the list"),
    ],
)
def test_errors_next_to_the_boxes_and_in_the_summary(client, record, councils, message):
    response = client.get(COMPARE, {"councils": councils})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Compare councils" in page
    assert 'class="govuk-error-summary' in page
    assert f'<a href="#councils-1">{message}' in page
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in page
    assert "app-chart__svg" not in page
    # What was chosen, and known, comes back in the boxes.
    if "cov" in councils:
        assert '<option value="cov" selected>' in page


def test_more_than_five(client, standard):
    for code in "ABCDEF":
        CouncilFactory(code=f"QQ{code}")
    page = client.get(COMPARE, {"councils": "qqa,qqb,qqc,qqd,qqe,qqf"}).content.decode()
    assert "Choose no more than 5 councils to compare" in page


def test_the_csv_of_a_bad_choice_is_404(client, record):
    assert client.get("/compare/points.csv?councils=cov").status_code == 404
    assert client.get("/compare/points.csv?councils=cov,nope").status_code == 404
    assert client.get("/compare/points.csv").status_code == 404


def test_csv_cells_cannot_run_as_formulas(client, standard, coventry, leeds):
    coventry.official_name = "=HYPERLINK(1)"
    coventry.save()
    publish_directly(coventry)
    rows = rows_of(client.get("/compare/points.csv?councils=cov,lds"))
    assert rows[0]["council_name"] == "'=HYPERLINK(1)"


def test_figures_match_a_recomputation_from_the_open_data(client, record):
    _, points = latest_points(client)
    rows = rows_of(client.get("/compare/points.csv?councils=cov,lds,bir"))
    for code in ("COV", "LDS", "BIR"):
        expected = averages(points, lambda r, code=code: r["council_code"] == code)
        shown = {
            int(r["point_number"]): Decimal(r["average"])
            for r in rows
            if r["council_code"] == code and r["average"]
        }
        assert shown == expected, code
    page = client.get(COMPARE, {"councils": "cov,lds,bir"}).content.decode()
    assert ">3.0<" in page


def queries(client, codes):
    with CaptureQueriesContext(connection) as context:
        assert client.get(COMPARE, {"councils": ",".join(codes)}).status_code == 200
    with CaptureQueriesContext(connection) as csv_context:
        assert client.get("/compare/points.csv", {"councils": ",".join(codes)}).status_code == 200
    return len(context), len(csv_context)


@pytest.mark.parametrize("how_many", [2, 5])
def test_a_fixed_number_of_queries(client, standard, how_many):
    councils = [CouncilFactory(code=f"QQ{n}") for n in range(how_many)]
    codes = [council.code.lower() for council in councils]
    publish_directly(councils[0])
    one = queries(client, codes)
    for n in range(20):
        publish_directly(councils[n % how_many], name=f"S{n}", review_type=[PEER, SELF][n % 2])
    assert queries(client, codes) == one
