"""What makes pages cheap to draw keeps them the same: the directory's filters drawn once
per set of choices and values, the results' choices kept under the public record's version,
and the Standard's points read without their guidance where only titles are shown."""

from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.forms import councils as council_forms
from assessments.forms.councils import CouncilFilterForm
from assessments.insight import products as insight_products
from assessments.publishing.filters import PublicationFilter, published_choices
from assessments.services.discussion import request_clarification
from tests.factories import CouncilFactory, UserFactory
from tests.factories_assessments import make_assessment
from tests.factories_published_rows import publish_directly
from tests.factories_reviews import begin_review, complete, submitted_assessment
from tests.factories_services import ProductFactory, ServiceFactory

REGIONS = ("North East", "West Midlands")
TYPES = (("MD", "Metropolitan district"), ("UA", "Unitary authority"))


def crispy(form):
    """The form as the `{% crispy %}` tag draws it, every time."""
    return Template("{% load crispy_forms_tags %}{% crispy filters %}").render(
        Context({"filters": form})
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": 'Cov <script>alert("x")</script> & "quotes"'},
        {"region": "West Midlands", "type": "UA", "nation": "england"},
        {"status": "former", "signed_up": "on"},
        {"region": "Atlantis", "type": "XX", "status": "nowhere"},  # dropped, as before
    ],
    ids=["nothing", "hostile search", "filters", "status and sign-up", "unknown values"],
)
def test_the_directorys_filters_are_drawn_as_crispy_draws_them(data):
    council_forms._rendered_filters.cache_clear()
    form = CouncilFilterForm(data, regions=REGIONS, types=TYPES)
    form.is_valid()

    drawn = form.rendered()

    assert drawn == crispy(form)
    assert form.rendered() == drawn  # kept, and the same


def test_the_directorys_filters_keep_what_was_chosen():
    council_forms._rendered_filters.cache_clear()
    chosen = CouncilFilterForm(
        {"q": "Leeds & co", "region": "North East"}, regions=REGIONS, types=TYPES
    )
    chosen.is_valid()
    other = CouncilFilterForm({"region": "West Midlands"}, regions=REGIONS, types=TYPES)
    other.is_valid()

    drawn, other_drawn = chosen.rendered(), other.rendered()

    assert 'value="Leeds &amp; co"' in drawn
    assert '<option value="North East" selected>' in drawn
    assert '<option value="West Midlands" selected>' in other_drawn
    assert "Leeds &amp; co" not in other_drawn


def test_the_directorys_filters_are_drawn_once_per_choices_and_values(monkeypatch):
    council_forms._rendered_filters.cache_clear()
    drawings = []
    draw = council_forms.render_crispy_form
    monkeypatch.setattr(
        council_forms, "render_crispy_form", lambda f: drawings.append(f) or draw(f)
    )

    for _ in range(3):
        form = CouncilFilterForm({"region": "North East"}, regions=REGIONS, types=TYPES)
        form.is_valid()
        form.rendered()
    more = CouncilFilterForm({"region": "North East"}, regions=(*REGIONS, "Wales"), types=TYPES)
    more.is_valid()
    assert "Wales" in more.rendered()  # new choices: drawn again

    assert len(drawings) == 2


def test_the_directory_shows_the_filters(client, db):
    council_forms._rendered_filters.cache_clear()
    CouncilFactory(short_name="Coventry", region="West Midlands")

    page = client.get(
        reverse("assessments:council_directory"), {"q": "Cov", "region": "West Midlands"}
    )

    html = page.content.decode()
    assert 'id="id_q"' in html
    assert 'value="Cov"' in html
    assert '<option value="West Midlands" selected>' in html


# --- The results' choices -----------------------------------------------------------


def test_the_results_choices_are_read_once_per_version_of_the_record(standard, coventry, leeds):
    publish_directly(coventry)
    published_choices()  # kept

    with CaptureQueriesContext(connection) as kept:
        choices = published_choices()
    assert len(kept) == 1  # the record's version only
    assert [code for code, _ in choices["council"]] == ["COV"]

    publish_directly(leeds)  # a new version: new choices, at once
    with CaptureQueriesContext(connection) as fresh:
        choices = published_choices()
    assert len(fresh) == 3  # the version, the councils and products, the points
    assert [code for code, _ in choices["council"]] == ["COV", "LDS"]


def test_the_results_filters_offer_the_kept_choices(standard, coventry):
    publish_directly(coventry)

    filters = PublicationFilter({})

    assert filters.filters["council"].extra["choices"] == [("COV", coventry.official_name)]
    assert filters.filters["region"].extra["choices"] == [(coventry.region, coventry.region)]
    assert [number for number, _ in filters.filters["point"].extra["choices"]] == [
        str(number) for number in range(1, 16)
    ]


# --- Points without their guidance ---------------------------------------------------

GUIDANCE_COLUMN = '"how_to_meet"'


def _pages_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    return page, " ".join(query["sql"] for query in queries.captured_queries)


def test_the_standards_list_of_points_leaves_the_guidance_unread(client, standard):
    point = standard.points.get(number=1)

    page, sql = _pages_queries(client, reverse("standard:point_list"))

    assert GUIDANCE_COLUMN not in sql
    assert point.short_title in page.content.decode()


def test_a_points_own_page_reads_its_guidance(client, standard):
    _, sql = _pages_queries(client, reverse("standard:point_detail", args=[1]))

    assert GUIDANCE_COLUMN in sql


@pytest.mark.parametrize("page_name", ["assessment", "check_answers", "print_assessment"])
def test_the_task_list_and_check_answers_leave_the_guidance_unread(
    client, coventry, coventry_lead, standard, page_name
):
    service = ServiceFactory(council=coventry, name="Report a missed bin")
    draft = make_assessment(service, by=coventry_lead)
    client.force_login(coventry_lead)

    page, sql = _pages_queries(
        client, reverse(f"assessments:{page_name}", args=[coventry, draft.pk])
    )

    assert GUIDANCE_COLUMN not in sql
    assert standard.points.get(number=15).short_title in page.content.decode()


# --- National figures kept under the record's version ---------------------------------


def test_a_products_national_averages_are_kept_until_the_record_changes(standard, coventry):
    product = ProductFactory()
    publish_directly(coventry, product=product, scores=(4,) * 15)
    publish_directly(coventry, name="Other", scores=(2,) * 15)
    insight_products.point_figures(product)  # kept

    with CaptureQueriesContext(connection) as kept:
        points = insight_products.point_figures(product)
    assert len(kept) == 2  # the record's version, the product's own points
    assert (points[0].product_average, points[0].all_average) == (4, 3)

    publish_directly(coventry, name="Third", scores=(5,) * 15)  # a new version: new averages
    points = insight_products.point_figures(product)
    assert (points[0].product_average, points[0].all_average, points[0].all_scored) == (
        4,
        Decimal("3.7"),
        3,
    )


def test_a_councils_figures_against_its_peers_are_kept_until_the_record_changes(
    client, standard, coventry, coventry_lead
):
    publish_directly(coventry, scores=(4,) * 15)
    client.force_login(coventry_lead)  # a signed-in page is drawn each time, not stored
    address = coventry.get_absolute_url()

    first, _ = _pages_queries(client, address)
    kept, kept_sql = _pages_queries(client, address)
    publish_directly(coventry, name="Another service", scores=(2,) * 15)
    fresh, fresh_sql = _pages_queries(client, address)

    assert '"assessments_publishedpoint"' not in kept_sql  # no scan of the points
    assert '"assessments_publishedpoint"' in fresh_sql  # a new version: worked out again
    assert (
        first.context["against_peers"][0][0].points[0].sums
        == kept.context["against_peers"][0][0].points[0].sums
    )
    assert (
        fresh.context["against_peers"][0][0].points[0].sums
        != kept.context["against_peers"][0][0].points[0].sums
    )


def test_a_points_national_picture_is_kept_until_the_record_changes(
    client, standard, coventry, coventry_lead
):
    publish_directly(coventry, scores=(4,) * 15)
    client.force_login(coventry_lead)
    address = reverse("point_picture", args=[9])

    first, _ = _pages_queries(client, address)
    kept, kept_sql = _pages_queries(client, address)
    publish_directly(coventry, name="Another service", scores=(2,) * 15)
    fresh, _ = _pages_queries(client, address)

    assert '"assessments_publishedpoint"' not in kept_sql
    assert kept.context["picture"] == first.context["picture"]
    assert fresh.context["picture"].overall.all.assessments == 2
    assert kept.context["picture"].overall.all.assessments == 1


# --- Signed-in pages within MOST_QUERIES ------------------------------------------------
# The walk (tests/test_url_access.py) holds every page to at most 10 queries in its one
# world; these hold the pages that read a review's people and rounds to the same count
# however many there are, and the save that the benchmark measures.


def _reviewers(count, group):
    return [
        UserFactory(email=f"reviewer{n}@elsewhere.example", is_peer_reviewer=True)
        for n in range(count)
    ]


def _queries_for(client, url):
    client.get(url)  # the first page after signing in moves the session's end on
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    return len(queries)


@pytest.mark.parametrize("others", [0, 2])
def test_the_review_outcome_reads_its_reviewers_once(
    client, standard, coventry, coventry_lead, coordinator, peer_reviewer, others
):
    assessment = submitted_assessment(coventry, coventry_lead)
    begin_review(
        assessment,
        coordinator=coordinator,
        lead=peer_reviewer,
        others=_reviewers(others, coventry.peer_group),
    )
    complete(assessment, peer_reviewer)
    client.force_login(peer_reviewer)

    count = _queries_for(
        client, reverse("assessments:review_outcome", args=[coventry, assessment.pk])
    )

    # Session, user, two-factor; the assessment with its review, who completed and
    # answered it, and the person's role in its council; the assignments (the
    # permission's and the page's list); the answers and their links; the agreed and the
    # reviewers' scores.
    assert count == 9


@pytest.mark.parametrize("asked", [1, 3])
def test_a_reviewers_pages_read_an_open_round_in_one_query(
    client, standard, coventry, coventry_lead, coordinator, peer_reviewer, asked
):
    assessment = submitted_assessment(coventry, coventry_lead)
    begin_review(assessment, coordinator=coordinator, lead=peer_reviewer)
    client.force_login(peer_reviewer)
    pages = [
        reverse("assessments:review_task_list", args=[coventry, assessment.pk]),
        reverse("assessments:review_point", args=[coventry, assessment.pk, 1]),
    ]
    in_review = [_queries_for(client, page) for page in pages]
    request_clarification(
        assessment,
        by=peer_reviewer,
        questions={number: f"What about point {number}?" for number in range(1, asked + 1)},
    )

    waiting = [_queries_for(client, page) for page in pages]

    # In review no round can be open, and none is asked for; while the council answers,
    # the questions with their round and points: one more, however many questions.
    assert [count + 1 for count in in_review] == waiting
    assert max(waiting) <= 10


def test_a_save_that_changes_nothing_writes_nothing_in_eight_queries(
    client, standard, coventry, coventry_lead
):
    service = ServiceFactory(council=coventry, name="Report a missed bin")
    draft = make_assessment(service, by=coventry_lead)
    answer = draft.points.get(point__number=3)
    url = reverse("assessments:edit_point", args=[coventry, draft.pk, 3])
    client.force_login(coventry_lead)
    client.get(url)
    unchanged = {
        "answer": "",
        "not_applicable_reason": "",
        "evidence": answer.evidence,
        "revision": answer.revision,
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "action": "later",
    }

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, unchanged)

    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.revision == unchanged["revision"]
    made = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # Session, user, two-factor; the assessment with the person's role in its council,
    # the answer with the number of points; locked, the assessment, the answer and its
    # links (the links shown on the page are not read for a save).
    assert len([sql for sql in made if '"assessments_evidencelink"' in sql]) == 1
    assert len(made) == 8
