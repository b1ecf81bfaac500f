"""The read-only JSON API at /api/v1/: published assessments with their point scores,
services, councils and the Standard's points.

Assessments are published and withdrawn through the workflow; each test reads the API
as a program would and compares it with the publication tables.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Product, Publication, PublishedPoint, Role, Supplier
from tests.factories import CouncilFactory, PeerGroupFactory
from tests.factories_publications import public_record, self_assessed, withdrawn


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


def get(client, path, status=200, **params):
    response = client.get(f"/api/v1/{path}", params)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def ids(page):
    return [item["assessment_id"] for item in page["items"]]


# --- Assessments --------------------------------------------------------------------


def test_assessments_are_the_public_publications_newest_first(client, record):
    page = get(client, "assessments")

    assert page["count"] == 2
    assert ids(page) == [record.self.pk, record.peer.pk]  # not the withdrawn one


def test_an_assessment_has_the_publications_figures_and_point_scores(client, record):
    body = get(client, f"assessments/{record.peer.pk}")

    publication = Publication.objects.get(pk=record.peer.pk)
    assert body["report_url"] == f"/assessments/{publication.pk}/"
    assert (body["council_code"], body["service_id"], body["review_type"]) == (
        "COV",
        publication.service_id,
        "peer_reviewed",
    )
    assert (body["total"], body["self_total"], body["agreed_total"]) == (
        publication.total,
        publication.self_total,
        publication.agreed_total,
    )
    assert body["average"] == float(publication.average)
    assert body["reviewer_councils"] == ["Peer reviewer"]
    assert [point["point_number"] for point in body["points"]] == list(range(1, 16))
    point = PublishedPoint.objects.get(publication=publication, number=1)
    first = body["points"][0]
    assert (first["self_score"], first["agreed_score"], first["score"], first["met"]) == (
        point.self_score,
        point.agreed_score,
        point.score,
        point.met,
    )
    assert (first["evidence"], first["done_well"]) == (point.evidence, point.done_well)


def test_a_self_assessment_has_no_agreed_figures(client, record):
    body = get(client, f"assessments/{record.self.pk}")

    assert (body["review_type"], body["agreed_total"], body["agreed_average"]) == (
        "self_assessed",
        None,
        None,
    )
    assert body["points"][0]["agreed_score"] is None


@pytest.mark.parametrize("which", ["withdrawn", "unknown"])
def test_a_withdrawn_or_unknown_assessment_is_not_found(client, record, which):
    pk = record.withdrawn.pk if which == "withdrawn" else 999_999
    assert get(client, f"assessments/{pk}", status=404) == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"review_type": "peer_reviewed"}, ["peer"]),
        ({"review_type": "self_assessed"}, ["self"]),
        ({"region": "West Midlands"}, ["peer"]),
        ({"nation": "England"}, ["self", "peer"]),
        ({"type": "md"}, ["self", "peer"]),
        ({"peer_group": "midlands"}, ["peer"]),
        ({"phase": "beta"}, ["self", "peer"]),
        ({"phase": "alpha"}, []),
        ({"rating": "green"}, ["peer"]),
        ({"rating": "red"}, ["self"]),
        ({"point": 1, "point_met": "true"}, ["peer"]),
        ({"point": 1, "point_met": "false"}, ["self"]),
        ({"point": 1}, ["self", "peer"]),
    ],
)
def test_assessments_are_filtered_like_the_results(client, record, params, expected):
    page = get(client, "assessments", **params)

    assert ids(page) == [getattr(record, name).pk for name in expected]
    assert page["count"] == len(expected)


def test_assessments_are_filtered_by_product(client, record):
    product = Product.objects.create(name="Tax Online", supplier=Supplier.objects.create(name="S"))
    Publication.objects.filter(pk=record.self.pk).update(product=product)

    assert ids(get(client, "assessments", product=product.pk)) == [record.self.pk]


def test_a_point_not_met_leaves_out_a_point_that_does_not_apply(client, record):
    PublishedPoint.objects.filter(publication=record.self.pk, number=1).update(
        not_applicable=True, score=None, met=False
    )

    assert ids(get(client, "assessments", point=1, point_met="false")) == []


def test_pages_of_assessments(client, record):
    first = get(client, "assessments", limit=1)
    second = get(client, "assessments", limit=1, offset=1)

    assert (first["count"], first["limit"], first["offset"]) == (2, 1, 0)
    assert ids(first) + ids(second) == [record.self.pk, record.peer.pk]
    assert get(client, "assessments", offset=5)["items"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 101},
        {"limit": 0},
        {"offset": -1},
        {"offset": 10_000_000},
        {"nation": "Atlantis"},
        {"rating": "blue"},
        {"point": 16},
        {"point_met": "perhaps"},
        {"region": "West\x00Midlands"},
        {"product": "tax"},
    ],
)
def test_bad_parameters_are_a_422_in_json(client, record, params):
    body = get(client, "assessments", status=422, **params)

    assert body["detail"][0]["loc"][0] == "query"


# --- Services -----------------------------------------------------------------------


def test_services_are_those_with_a_public_publication_as_last_published(
    client, record, coventry, coventry_lead
):
    # A second publication of the peer-reviewed service, published later.
    later = self_assessed(coventry, coventry_lead, name="Later")
    Publication.objects.filter(pk=later.pk).update(service=record.peer.service_id)

    page = get(client, "services")

    assert page["count"] == 2  # not the withdrawn one's service
    by_id = {item["service_id"]: item for item in page["items"]}
    peer_service = by_id[record.peer.service_id]
    assert peer_service["published_assessments"] == 2
    assert peer_service["latest"]["assessment_id"] == later.pk
    assert by_id[record.self.service_id]["latest"]["review_type"] == "self_assessed"


def test_a_service_lists_its_public_publications(client, record):
    body = get(client, f"services/{record.peer.service_id}")

    assert (body["service_name"], body["council_code"]) == ("Find a recycling centre", "COV")
    assert [a["assessment_id"] for a in body["assessments"]] == [record.peer.pk]


@pytest.mark.parametrize("which", ["withdrawn", "unknown"])
def test_a_service_without_a_public_publication_is_not_found(client, record, which):
    service_id = record.withdrawn.service_id if which == "withdrawn" else 999_999
    get(client, f"services/{service_id}", status=404)


def test_services_are_filtered_by_their_latest_publication(client, record):
    page = get(client, "services", review_type="self_assessed")

    assert [item["service_id"] for item in page["items"]] == [record.self.service_id]


# --- Councils and the Standard ------------------------------------------------------


def test_councils_with_their_reference_facts(client, coventry, leeds):
    page = get(client, "councils")

    assert [item["code"] for item in page["items"]] == ["COV", "LDS"]
    assert page["items"][0] | {"start_date": None} == {
        "code": "COV",
        "official_name": "Coventry City Council",
        "short_name": "Coventry",
        "gss_code": coventry.gss_code,
        "nation": "England",
        "region": "West Midlands",
        "type_code": coventry.authority_type,
        "type": coventry.authority_type_name,
        "peer_group": "Midlands",
        "peer_group_slug": "midlands",
        "current": True,
        "start_date": None,
        "end_date": None,
    }
    assert [c["code"] for c in get(client, "councils", region="West Midlands")["items"]] == ["COV"]
    assert [c["code"] for c in get(client, "councils", peer_group="midlands")["items"]] == ["COV"]


def test_a_council_by_its_code_in_any_case(client, coventry):
    assert get(client, "councils/cov")["code"] == "COV"
    assert get(client, "councils/COV")["short_name"] == "Coventry"
    get(client, "councils/XYZ", status=404)


def test_the_standards_points(client, standard):
    page = get(client, "standard/points", limit=100)

    assert page["count"] == 15
    assert [point["number"] for point in page["items"]] == list(range(1, 16))
    point = get(client, "standard/points/3")
    assert (point["standard_version"], point["short_title"]) == ("1.0", "Use agile methods")
    get(client, "standard/points/3", status=404, version="9.9")
    get(client, "standard/points/16", status=404)


# --- Queries, methods and the description -------------------------------------------


def _more(count, standard_group):
    """`count` more councils, each with a self-assessment and a withdrawn publication."""
    from tests.factories import MembershipFactory

    for number in range(count):
        council = CouncilFactory(peer_group=standard_group)
        lead = MembershipFactory(council=council, role=Role.LEAD).user
        self_assessed(council, lead, name=f"Service {number}")
        withdrawn(council, lead, name=f"Withdrawn {number}")


@pytest.mark.parametrize(
    "path",
    ["assessments", "services", "councils", "standard/points", "assessments/{peer}"],
)
def test_the_queries_do_not_grow_with_the_record(client, record, path):
    url = "/api/v1/" + path.format(peer=record.peer.pk)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    one = queries()
    _more(3, PeerGroupFactory())
    assert Publication.objects.public().count() == 5
    assert queries() == one


def test_the_api_answers_get_only(client, record):
    for path in ("assessments", f"assessments/{record.peer.pk}", "openapi.json"):
        assert client.post(f"/api/v1/{path}").status_code == 405
        assert Publication.objects.public().count() == 2


def test_the_openapi_description_is_generated_with_every_endpoint(client, db):
    description = get(client, "openapi.json")

    assert description["openapi"].startswith("3.")
    assert set(description["paths"]) == {
        "/api/v1/councils",
        "/api/v1/councils/{code}",
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}",
        "/api/v1/services",
        "/api/v1/services/{service_id}",
        "/api/v1/standard/points",
        "/api/v1/standard/points/{number}",
    }
    parameters = {
        parameter["name"]
        for parameter in description["paths"]["/api/v1/assessments"]["get"]["parameters"]
    }
    assert parameters == {
        "limit",
        "offset",
        "nation",
        "region",
        "type",
        "peer_group",
        "phase",
        "rating",
        "review_type",
        "product",
        "point",
        "point_met",
    }


def test_the_api_root_says_where_everything_is(client, db):
    body = get(client, "")

    assert body == {
        "description": "http://testserver/api/v1/openapi.json",
        "councils": "http://testserver/api/v1/councils",
        "services": "http://testserver/api/v1/services",
        "assessments": "http://testserver/api/v1/assessments",
        "standard_points": "http://testserver/api/v1/standard/points",
    }


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v2/assessments", "/api/v1/assessments/1/points"]
)
def test_an_unknown_api_address_is_a_404_in_json(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
