"""The national picture of a point (/standard/<number>/national-picture/): the spread of
scores, by phase and by council type, with peer-reviewed and self-assessed apart, and the
best-scoring examples; worked out by hand here, and again from the open data."""

import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import PublishedPoint, ReviewType
from tests.factories import CouncilFactory, PeerGroupFactory
from tests.factories_published_rows import publish_directly

PEER = ReviewType.PEER_REVIEWED
PAGE = "/standard/9/national-picture/"
CSV = "/standard/9/national-picture.csv"


def with_point_9(score, rest=3):
    """Scores for the 15 points: `score` on point 9 (None: it does not apply)."""
    scores = [rest] * 15
    scores[8] = score
    return tuple(scores)


def set_evidence(publication, text, number=9):
    PublishedPoint.objects.filter(publication=publication, number=number).update(evidence=text)


@pytest.fixture
def cardiff(db):
    return CouncilFactory(
        code="CRF",
        official_name="Cardiff Council",
        short_name="Cardiff",
        nation="Wales",
        region="Wales",
        authority_type="UA",
        authority_type_name="Unitary authority",
        peer_group=PeerGroupFactory(name="Wales", slug="wales"),
    )


@pytest.fixture
def record(standard, coventry, leeds, cardiff):
    """Six public publications and a withdrawn one. On point 9:

    A  Coventry  peer   beta  4  (3 days ago)   F, the same service 10 days ago: peer beta 5
    B  Leeds     self   live  2  (2 days ago)
    C  Cardiff   self   beta  does not apply (1 day ago)
    D  Coventry  peer   live  5  (4 days ago)
    E  Leeds     self   beta  4  (today)
    W  Leeds     self   beta  5, withdrawn
    """
    a = publish_directly(coventry, review_type=PEER, scores=with_point_9(4), days_ago=3)
    f = publish_directly(
        coventry, review_type=PEER, scores=with_point_9(5), days_ago=10, service=a.service
    )
    b = publish_directly(
        leeds, name="Pay council tax", phase="live", scores=with_point_9(2), days_ago=2
    )
    c = publish_directly(
        cardiff, name="Apply for a school place", scores=with_point_9(None), days_ago=1
    )
    d = publish_directly(
        coventry,
        name="Book a bulky uplift",
        review_type=PEER,
        phase="live",
        scores=with_point_9(5),
        days_ago=4,
    )
    e = publish_directly(leeds, name="Report a pothole", scores=with_point_9(4))
    w = publish_directly(leeds, name="Find a school bus", scores=with_point_9(5), withdrawn=True)
    set_evidence(d, "**Offline plan** rehearsed with the contact centre.")
    set_evidence(f, "Evidence of an earlier assessment.")
    set_evidence(w, "Withdrawn evidence.")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "w": w}


def read_csv(client, address):
    response = client.get(address)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


def figures_by_key(rows):
    return {(r["breakdown"], r["group"], r["review_type"]): r for r in rows}


def test_the_figures_are_those_worked_out_by_hand(client, record):
    rows = figures_by_key(read_csv(client, CSV))

    def check(key, assessments, not_applicable, average, met, share):
        row = rows[key]
        assert (
            row["assessments"],
            row["not_applicable"],
            row["average"],
            row["met"],
            row["met_share_percent"],
        ) == (str(assessments), str(not_applicable), average, str(met), share), key

    # In all: 6 (the withdrawn one is not counted); 20 over the 5 where it applies.
    check(("all", "all", "all"), 6, 1, "4.0", 4, "80")
    check(("all", "all", "peer_reviewed"), 3, 0, "4.7", 3, "100")
    check(("all", "all", "self_assessed"), 3, 1, "3.0", 1, "50")
    # The spread: no 0 (the withdrawn 5 is not among the 5s either).
    assert rows[("score", "0", "all")]["assessments"] == "0"
    assert rows[("score", "2", "self_assessed")]["assessments"] == "1"
    assert rows[("score", "4", "peer_reviewed")]["assessments"] == "1"
    assert rows[("score", "4", "self_assessed")]["assessments"] == "1"
    assert rows[("score", "5", "peer_reviewed")]["assessments"] == "2"
    assert rows[("score", "5", "self_assessed")]["assessments"] == "0"
    assert rows[("score", "not applicable", "self_assessed")]["assessments"] == "1"
    # By phase: beta is A, C, E, F (13 over 3); live is B and D.
    check(("phase", "beta", "all"), 4, 1, "4.3", 3, "100")
    check(("phase", "beta", "peer_reviewed"), 2, 0, "4.5", 2, "100")
    check(("phase", "beta", "self_assessed"), 2, 1, "4.0", 1, "100")
    check(("phase", "live", "all"), 2, 0, "3.5", 1, "50")
    check(("phase", "live", "self_assessed"), 1, 0, "2.0", 0, "0")
    assert ("phase", "alpha", "all") not in rows  # no assessment at alpha
    # By council type: Cardiff's is the only unitary authority, where it did not apply.
    check(("council_type", "Metropolitan district", "all"), 5, 0, "4.0", 4, "80")
    check(("council_type", "Unitary authority", "all"), 1, 1, "", 0, "")
    assert {r["standard_version"] for r in rows.values()} == {"1.0"}


def test_the_page_shows_the_figures_and_says_what_they_include(client, record):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The national picture of point 9" in html
    assert (
        "6 assessments: 3 peer reviewed, 3 self-assessed, published against version 1.0 of "
        "the Local Government Digital Service Standard and not withdrawn" in html
    )
    assert "4.0 out of 5" in html
    assert "80%" in html
    assert "(4 of 5 scored 3 or more)" in html
    assert "In 1 of 6" in html  # does not apply
    # The charts, each with its table: phases and council types, apart by review type.
    for chart in (
        "spread",
        "phase-average",
        "phase-met",
        "council-type-average",
        "council-type-met",
    ):
        assert f'id="{chart}-title"' in html
        assert f'id="{chart}-table-caption"' in html
    assert "4 assessments: 2 peer reviewed, 2 self-assessed; it did not apply in 1" in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">4.3</td>' in html


def test_the_best_examples_are_the_highest_scores_newest_first_one_per_service(client, record):
    html = client.get(PAGE).content.decode()
    examples = html[html.index('id="examples"') :]
    order = [
        examples.index(name)
        for name in ("Book a bulky uplift", "Report a pothole", "Report a missed bin")
    ]
    assert order == sorted(order)  # D (5), then E and A (4), the newest first
    assert "Pay council tax" not in examples  # 2: not met
    assert "Apply for a school place" not in examples  # does not apply
    # F scored 5 but its service has a later publication (A): not an example.
    assert "Evidence of an earlier assessment." not in html
    # The evidence, in the project's Markdown, and a link to the report's point.
    assert "<strong>Offline plan</strong> rehearsed with the contact centre." in examples
    assert f'href="/assessments/{record["d"].pk}/#point-9"' in examples
    assert f'href="/assessments/{record["f"].pk}/#point-9"' not in examples


def test_a_withdrawn_publication_is_left_out(client, record):
    html = client.get(PAGE).content.decode()
    assert "Withdrawn evidence." not in html
    assert "Find a school bus" not in html
    record["w"].withdrawn_at = None  # published again, it would be the first example
    record["w"].save()
    rows = figures_by_key(read_csv(client, CSV))
    assert rows[("all", "all", "all")]["assessments"] == "7"


def test_before_anything_is_published_the_page_says_so(client, standard):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "No council has published an assessment against version 1.0" in response.text
    rows = figures_by_key(read_csv(client, CSV))
    assert rows[("all", "all", "all")]["assessments"] == "0"


@pytest.mark.parametrize("number", [0, 16, 99])
def test_a_point_the_standard_does_not_have_is_not_found(client, standard, number):
    assert client.get(f"/standard/{number}/national-picture/").status_code == 404
    assert client.get(f"/standard/{number}/national-picture.csv").status_code == 404


def test_the_standards_point_page_leads_to_its_national_picture(client, standard):
    html = client.get(reverse("standard:point_detail", args=[9])).content.decode()
    assert f'href="{PAGE}"' in html


def test_the_csv_is_cached_by_the_record_version_and_neutralises_formulas(client, record):
    record["a"].standard.points.filter(number=9).update(short_title='=HYPERLINK("x")')
    assert read_csv(client, CSV)[0]["point_title"] == '\'=HYPERLINK("x")'
    response = client.get(CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get(CSV, headers={"if-none-match": response["ETag"]}).status_code == 304
    page = client.get(PAGE)
    assert client.get(PAGE, headers={"if-none-match": page["ETag"]}).status_code == 304


def _queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_page_and_csv_take_the_same_queries_for_one_publication_and_many(
    client, standard, coventry, leeds
):
    publish_directly(coventry, review_type=PEER, scores=with_point_9(4))
    one = (_queries(client, PAGE), _queries(client, CSV))
    for days in range(1, 8):
        publish_directly(
            leeds,
            name=f"Service {days}",
            phase="live",
            scores=with_point_9(days % 6),
            days_ago=days,
        )
        publish_directly(
            coventry, name=f"Other {days}", review_type=PEER, scores=with_point_9(5), days_ago=days
        )
    many = (_queries(client, PAGE), _queries(client, CSV))
    assert one == many
    assert one == (7, 6)  # see the views' docstrings


def _rounded(total, count):
    if not count:
        return ""
    return str((Decimal(total) / count).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _share(part, whole):
    if not whole:
        return ""
    return str(int((Decimal(100 * part) / whole).quantize(1, ROUND_HALF_UP)))


def test_the_figures_match_a_recomputation_from_the_open_data(client, record):
    """Everything on the page's CSV, worked out again in Python from /data/point-scores.csv
    and /data/assessments.csv (for the phase and council type)."""
    assessments = {row["assessment_id"]: row for row in read_csv(client, "/data/assessments.csv")}
    answers = [
        row
        for row in read_csv(client, "/data/point-scores.csv")
        if row["point_number"] == "9" and row["standard_version"] == "1.0"
    ]
    groups = defaultdict(list)
    for answer in answers:
        assessment = assessments[answer["assessment_id"]]
        score = "not applicable" if answer["not_applicable"] == "true" else answer["score"]
        for review_type in ("all", answer["review_type"]):
            groups[("all", "all", review_type)].append(answer)
            groups[("score", score, review_type)].append(answer)
            groups[("phase", assessment["phase"], review_type)].append(answer)
            groups[("council_type", assessment["council_type"], review_type)].append(answer)

    page = figures_by_key(read_csv(client, CSV))
    for key, members in groups.items():
        applicable = [m for m in members if m["not_applicable"] == "false"]
        met = sum(m["met"] == "true" for m in applicable)
        expected = {
            "assessments": str(len(members)),
            "not_applicable": str(len(members) - len(applicable)),
            "applicable": str(len(applicable)),
            "average": _rounded(sum(int(m["score"]) for m in applicable), len(applicable)),
            "met": str(met),
            "met_share_percent": _share(met, len(applicable)),
        }
        assert {name: page[key][name] for name in expected} == expected, key
    # And every group the page has with an assessment in it was recomputed.
    assert {k for k, r in page.items() if r["assessments"] != "0"} == set(groups)


def test_no_payload_runs_from_what_the_examples_show(client, standard, coventry):
    """What councils and reviewers typed, shown on the national picture (the service's and
    council's names, the evidence, its links and what was done well), runs no script."""
    from django.db.models import F

    from assessments.models import Publication, PublicRecord
    from tests.xss import executable_markup, payloads_for_pages

    publication = publish_directly(coventry, review_type=PEER, scores=with_point_9(5))
    for payload in payloads_for_pages():
        if "\x00" in payload:
            continue  # forms refuse a NUL character, and PostgreSQL cannot store one
        Publication.objects.filter(pk=publication.pk).update(
            service_name=payload[:150], council_name=payload[:120]
        )
        PublishedPoint.objects.filter(publication=publication, number=9).update(
            evidence=payload,
            done_well=payload,
            # Addresses are checked when typed (only http and https are saved).
            links=[{"title": payload, "url": "https://example.org/evidence"}],
        )
        PublicRecord.objects.filter(pk=1).update(version=F("version") + 1)
        response = client.get(PAGE)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Read point 9 in the report" in html  # the example, with the payload, is shown
        assert executable_markup(html) == [], payload


def test_publications_against_an_earlier_version_of_the_standard_are_left_out(
    client, record, standard
):
    """A point's number belongs to a version: once a new version is current, the picture
    is of its point 9, which nobody has published against yet."""
    from standard.models import Point, StandardVersion

    StandardVersion.objects.update(is_current=False)
    later = StandardVersion.objects.create(
        slug="lgdss-2-0",
        name=standard.name,
        short_name="LGDSS",
        version="2.0",
        published_on="2030-01-01",
        publisher="LocalGov Digital",
        source_url=standard.source_url,
        licence_name=standard.licence_name,
        licence_url=standard.licence_url,
        is_current=True,
    )
    Point.objects.create(version=later, number=9, short_title="A new point 9", statement="New.")
    html = client.get(PAGE).content.decode()
    assert "No council has published an assessment against version 2.0" in html
    assert "A new point 9" in html
    rows = figures_by_key(read_csv(client, CSV))
    assert rows[("all", "all", "all")]["assessments"] == "0"
    assert rows[("all", "all", "all")]["standard_version"] == "2.0"
