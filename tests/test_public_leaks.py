"""Nothing unpublished or withdrawn ever reaches a public surface.

Two assessments are published (one peer reviewed, one self-assessed), and five are not
public: a draft, a submitted one, one in review, one reviewed but not published, and
one published then withdrawn. Each of those five has its own service name, evidence,
reviewers' comments and discussion, all containing the word "Secret". Then every public
surface is read as an anonymous visitor reads it: the pages, the four downloads, every
API endpoint (lists and details) and the feed. None may contain "Secret".

Two places may name the withdrawn publication, as the public notice of its withdrawal:
its own report (left out here) and its withdrawal entry in the feed, which may give its
name, council and reason but nothing else of it.

A surface built elsewhere (the results page) is read once it exists: SURFACES is the
list to add new public addresses to.
"""

import xml.etree.ElementTree as ET

import pytest
from django.urls import Resolver404, resolve

from assessments import services
from assessments.models import (
    AgreedPoint,
    PointAssessment,
    PointMessage,
    Review,
    ReviewerPoint,
    Side,
)
from standard.models import Point
from tests.factories_publications import peer_reviewed, self_assessed
from tests.factories_reviews import begin_review, complete, submitted_assessment
from tests.factories_services import ServiceFactory

SECRET = "Secret"
ATOM = "{http://www.w3.org/2005/Atom}"


def _evidence(assessment, secret):
    PointAssessment.objects.filter(assessment=assessment, point__number=1).update(
        evidence=f"{secret} evidence"
    )


def _comment(assessment, author, secret, side=Side.REVIEWERS):
    PointMessage.objects.create(
        assessment=assessment,
        point=Point.objects.get(version=assessment.standard, number=1),
        author=author,
        side=side,
        body=f"{secret} comment",
    )


def _reviewed(council, lead, *, reviewer, coordinator, secret):
    """Reviewed, not published: with evidence, a discussion, reviewers' and agreed comments."""
    assessment = submitted_assessment(council, lead, name=f"{secret} service")
    _evidence(assessment, secret)
    begin_review(assessment, coordinator=coordinator, lead=reviewer)
    _comment(assessment, reviewer, secret)
    complete(assessment, reviewer)
    AgreedPoint.objects.filter(assessment=assessment, point__number=2).update(
        done_well=f"{secret} done well", to_explore=f"{secret} to explore"
    )
    Review.objects.filter(assessment=assessment).update(summary=f"{secret} review summary")
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def record(standard, coventry, leeds, coventry_lead, leeds_lead, peer_reviewer, coordinator):
    """What is public, and what is not."""
    public = {
        "peer": peer_reviewed(
            coventry,
            coventry_lead,
            reviewer=peer_reviewer,
            coordinator=coordinator,
            name="Find a recycling centre",
            evidence="Open evidence of the peer-reviewed service",
        ),
        "self": self_assessed(
            leeds,
            leeds_lead,
            name="Pay council tax",
            evidence="Open evidence of the self-assessment",
        ),
    }
    # The discussion is never public, even of a published assessment.
    _comment(public["peer"], peer_reviewer, f"{SECRET} discussion of a published")

    draft = services.start_assessment(
        ServiceFactory(council=coventry, name=f"{SECRET} draft service"),
        by=coventry_lead,
        phase="alpha",
    )
    _evidence(draft, f"{SECRET} draft")

    submitted = submitted_assessment(coventry, coventry_lead, name=f"{SECRET} submitted service")
    _evidence(submitted, f"{SECRET} submitted")
    _comment(submitted, coventry_lead, f"{SECRET} submitted", side=Side.COUNCIL)

    in_review = submitted_assessment(leeds, leeds_lead, name=f"{SECRET} in review service")
    _evidence(in_review, f"{SECRET} in review")
    begin_review(in_review, coordinator=coordinator, lead=peer_reviewer)
    _comment(in_review, peer_reviewer, f"{SECRET} in review")
    ReviewerPoint.objects.create(
        assessment=in_review,
        point=Point.objects.get(version=in_review.standard, number=1),
        reviewer=peer_reviewer,
        score=1,
        done_well=f"{SECRET} in review done well",
        to_explore=f"{SECRET} in review to explore",
    )

    reviewed = _reviewed(
        coventry,
        coventry_lead,
        reviewer=peer_reviewer,
        coordinator=coordinator,
        secret=f"{SECRET} reviewed",
    )

    withdrawn = _reviewed(
        leeds,
        leeds_lead,
        reviewer=peer_reviewer,
        coordinator=coordinator,
        secret=f"{SECRET} withdrawn",
    )
    services.publish(withdrawn, by=leeds_lead)
    services.withdraw_publication(withdrawn, by=leeds_lead, reason="Published by mistake.")

    hidden = {
        "draft": draft,
        "submitted": submitted,
        "in_review": in_review,
        "reviewed": reviewed,
        "withdrawn": withdrawn,
    }
    return public, hidden


def surfaces(public, hidden):
    """Every public address, as (address, what it is), with the record's ids filled in."""
    peer, self_ = public["peer"], public["self"]
    return [
        ("/", "the home page"),
        ("/results/", "the results"),
        ("/councils/", "the council directory"),
        ("/councils/cov/", "Coventry's page"),
        ("/councils/lds/", "Leeds's page"),
        (f"/assessments/{peer.pk}/", "a peer-reviewed report"),
        (f"/assessments/{self_.pk}/", "a self-assessed report"),
        ("/data/", "the open data page"),
        ("/data/assessments.csv", "the assessments as CSV"),
        ("/data/assessments.json", "the assessments as JSON"),
        ("/data/point-scores.csv", "the point scores as CSV"),
        ("/data/point-scores.json", "the point scores as JSON"),
        ("/api/v1/openapi.json", "the API's description"),
        ("/api/v1/assessments?limit=100", "the API's assessments"),
        (f"/api/v1/assessments/{peer.pk}", "the API's peer-reviewed assessment"),
        (f"/api/v1/assessments/{self_.pk}", "the API's self-assessment"),
        ("/api/v1/services?limit=100", "the API's services"),
        (f"/api/v1/services/{peer.service_id}", "the API's peer-reviewed service"),
        (f"/api/v1/services/{self_.service_id}", "the API's self-assessed service"),
        ("/api/v1/councils?limit=100", "the API's councils"),
        ("/api/v1/councils/cov", "the API's Coventry"),
        ("/api/v1/councils/lds", "the API's Leeds"),
        ("/api/v1/standard/points?limit=100", "the API's points"),
        ("/api/v1/standard/points/1", "the API's point 1"),
        ("/feeds/published/", "the feed"),
        ("/insight/", "the insight pages"),
        ("/insight/self-and-agreed/", "own scores against agreed ones"),
        ("/insight/self-and-agreed.csv", "own scores against agreed ones as CSV"),
        *(
            (f"/standard/{number}/national-picture/", f"point {number}'s national picture")
            for number in range(1, 16)
        ),
        ("/standard/1/national-picture.csv", "point 1's national picture as CSV"),
    ]


def exists(address):
    try:
        resolve(address.split("?")[0])
    except Resolver404:
        return False
    return True


def read(client, address):
    response = client.get(address)
    assert response.status_code == 200, f"{address}: {response.status_code}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def without_the_withdrawal_notice(feed, withdrawn):
    """The feed without the withdrawn publication's withdrawal entry, which is its public
    notice, once that entry is checked to hold nothing but the notice."""
    root = ET.fromstring(feed)
    for entry in root.findall(f"{ATOM}entry"):
        if entry.findtext(f"{ATOM}id") == f"urn:lgdss:assessment:{withdrawn.pk}:withdrawn":
            notice = ET.tostring(entry, encoding="unicode")
            assert f"{SECRET} withdrawn service" in notice
            assert notice.count(SECRET) == 1, notice
            root.remove(entry)
    return ET.tostring(root, encoding="unicode")


def test_nothing_unpublished_or_withdrawn_is_on_any_public_surface(client, record):
    public, hidden = record
    read_surfaces = []
    for address, what in surfaces(public, hidden):
        if not exists(address):
            continue  # built elsewhere, and read here once it is
        text = read(client, address)
        if address == "/feeds/published/":
            text = without_the_withdrawal_notice(text, hidden["withdrawn"])
        assert SECRET not in text, (
            f"{what} ({address}) shows: …{text[text.find(SECRET) - 80 :][:200]}…"
        )
        read_surfaces.append(address)

    # The surfaces really hold the public record, so the absence above means something.
    for address in (
        "/data/assessments.csv",
        "/data/point-scores.json",
        "/api/v1/assessments?limit=100",
        "/api/v1/services?limit=100",
        "/feeds/published/",
    ):
        text = read(client, address)
        assert "Find a recycling centre" in text or "Open evidence" in text, address
    assert "Open evidence of the self-assessment" in read(client, "/data/point-scores.csv")
    assert len(read_surfaces) >= 24


@pytest.mark.parametrize("state", ["draft", "submitted", "in_review", "reviewed", "withdrawn"])
def test_what_is_not_public_is_not_found_by_its_address(client, record, state):
    _, hidden = record
    assessment = hidden[state]

    assert client.get(f"/api/v1/assessments/{assessment.pk}").status_code == 404
    assert client.get(f"/api/v1/services/{assessment.service_id}").status_code == 404
    report = client.get(f"/assessments/{assessment.pk}/")
    if state == "withdrawn":
        # The report keeps its address, with the notice and the reason.
        assert report.status_code == 200
        assert "Published by mistake." in report.content.decode()
    else:
        assert report.status_code == 404
        assert SECRET not in report.content.decode()
