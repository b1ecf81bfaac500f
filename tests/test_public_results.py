"""The published results (/results/), the council page's published assessments and the
home page's latest publications and national figures.

They read publications only: what is public is published through the workflow where the
test is about what publishing shows, and built directly (tests/factories_published_rows.py)
where it needs exact figures or many rows.
"""

import html as html_module
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from assessments import services
from assessments.models import ReviewType
from assessments.publishing.filters import PublishedFigures
from lgdss.inline_script import JS_ENABLED
from tests.factories import CouncilFactory, PeerGroupFactory
from tests.factories_published_rows import publish_directly
from tests.factories_reviews import begin_review, complete, submitted_assessment
from tests.factories_services import ProductFactory
from tests.html import outline
from tests.properties import choice, numbers, raw_bytes, raw_query


def page_text(response):
    """The page's main content as text, with spaces and entities made plain."""
    html = response.content.decode().split('id="main-content"', 1)[1]
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" .", ".")


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
def bins(db):
    return ProductFactory(name="BinTrack")


@pytest.fixture
def published(standard, coventry, leeds, cardiff, bins):
    """Three public publications and a withdrawn one:

    - Coventry's "Report a missed bin": peer reviewed, beta, every point 3 (green,
      average 3.0, 15 of 15 met), on the BinTrack product, 3 days ago;
    - Leeds's "Pay council tax": self-assessed, live, every point 2 but point 4 scored
      4 (red, average 2.1, 1 of 15 met), 2 days ago;
    - Cardiff's "Apply for a school place": self-assessed, alpha, point 4 scored 2 and
      point 5 not applicable, the rest 4 (amber, average 3.9, 13 of 14 met), 1 day ago;
    - Coventry's "Find a school bus", withdrawn.
    """
    leeds_scores = tuple(4 if n == 4 else 2 for n in range(1, 16))
    cardiff_scores = tuple(2 if n == 4 else None if n == 5 else 4 for n in range(1, 16))
    return {
        "bins": publish_directly(
            coventry,
            review_type=ReviewType.PEER_REVIEWED,
            product=bins,
            days_ago=3,
        ),
        "tax": publish_directly(
            leeds, name="Pay council tax", phase="live", scores=leeds_scores, days_ago=2
        ),
        "school": publish_directly(
            cardiff,
            name="Apply for a school place",
            phase="alpha",
            scores=cardiff_scores,
            days_ago=1,
        ),
        "withdrawn": publish_directly(coventry, name="Find a school bus", withdrawn=True),
    }


def services_listed(response):
    """The services in the results table, in order."""
    html = response.content.decode()
    table = html.split('id="results-caption"', 1)[1] if 'id="results-caption"' in html else ""
    return re.findall(r'<th scope="row" class="govuk-table__header"><a [^>]*>([^<]+)</a>', table)


def test_every_public_publication_is_listed_newest_first(client, published):
    response = client.get("/results/")

    assert response.status_code == 200
    h1_count, title = outline(response)
    assert h1_count == 1
    assert title.startswith("Published results – ")
    assert services_listed(response) == [
        "Apply for a school place",
        "Pay council tax",
        "Report a missed bin",
    ]
    text = page_text(response)
    assert "3 published assessments" in text
    assert f'href="/assessments/{published["tax"].pk}/"' in response.content.decode()


def test_before_anything_public_the_results_say_so_without_empty_filters(
    client, standard, coventry
):
    publish_directly(coventry, name="Find a school bus", withdrawn=True)

    response = client.get("/results/?nation=England")

    assert response.status_code == 200
    assert "No council has published an assessment yet." in page_text(response)
    assert "Find a school bus" not in response.content.decode()
    assert 'name="nation"' not in response.content.decode()


def test_published_through_the_workflow_are_listed_and_withdrawn_or_unpublished_never(
    client, standard, coventry, coventry_lead, leeds, leeds_lead, peer_reviewer, coordinator
):
    reviewed = submitted_assessment(coventry, coventry_lead, name="Find a recycling centre")
    begin_review(reviewed, coordinator=coordinator, lead=peer_reviewer)
    complete(reviewed, peer_reviewer)
    services.publish(reviewed, by=coventry_lead)
    withdrawn = submitted_assessment(leeds, leeds_lead, name="Pay council tax", score=2)
    services.publish(withdrawn, by=leeds_lead)
    services.withdraw_publication(withdrawn, by=leeds_lead, reason="Published too early.")
    submitted_assessment(leeds, leeds_lead, name="Book a bulky waste collection")

    response = client.get("/results/")

    assert services_listed(response) == ["Find a recycling centre"]
    html = response.content.decode()
    # Leeds published nothing that is still public: it is not even offered as a filter.
    assert "Leeds" not in html
    assert "Pay council tax" not in html
    assert "Book a bulky waste collection" not in html
    assert "Averages of 1 assessment: 1 peer reviewed (agreed scores)." in page_text(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nation=Wales", ["Apply for a school place"]),
        ("nation=England", ["Pay council tax", "Report a missed bin"]),
        ("region=Yorkshire+and+The+Humber", ["Pay council tax"]),
        ("type=UA", ["Apply for a school place"]),
        ("peer_group=midlands", ["Report a missed bin"]),
        ("council=LDS", ["Pay council tax"]),
        ("phase=alpha&phase=live", ["Apply for a school place", "Pay council tax"]),
        ("rating=green", ["Report a missed bin"]),
        ("rating=amber&rating=red", ["Apply for a school place", "Pay council tax"]),
        ("review_type=peer_reviewed", ["Report a missed bin"]),
        ("review_type=self_assessed", ["Apply for a school place", "Pay council tax"]),
        ("point=4&point_met=true", ["Pay council tax", "Report a missed bin"]),
        ("point=4&point_met=false", ["Apply for a school place"]),
        ("point=1&point_met=false", ["Pay council tax"]),
        # Point 5 does not apply to Cardiff's: it is neither met nor not met.
        ("point=5&point_met=true", ["Report a missed bin"]),
        ("point=5&point_met=false", ["Pay council tax"]),
    ],
)
def test_each_filter_narrows_the_results(client, published, query, expected):
    assert services_listed(client.get(f"/results/?{query}")) == expected


def test_the_product_filter_narrows_to_publications_of_that_product(client, published, bins):
    response = client.get(f"/results/?product={bins.pk}")

    assert f'<option value="{bins.pk}" selected>BinTrack ({bins.supplier.name})</option>' in (
        response.content.decode()
    )
    assert services_listed(response) == ["Report a missed bin"]
    assert "1 published assessment" in page_text(response)


def test_filters_combine(client, published):
    response = client.get(
        "/results/?review_type=self_assessed&nation=England&point=1&point_met=false"
    )
    assert services_listed(response) == ["Pay council tax"]

    response = client.get("/results/?review_type=peer_reviewed&rating=red")
    assert services_listed(response) == []
    assert "No published assessment matches these filters." in page_text(response)


def test_the_selected_filters_are_tags_that_each_remove_one(client, published):
    response = client.get("/results/?rating=amber&rating=red&nation=England&sort=council")

    html = response.content.decode()
    tags = {
        label.strip(): href.replace("&amp;", "&")
        for href, label in re.findall(
            r'<a class="moj-filter__tag" href="([^"]*)"><span class="govuk-visually-hidden">'
            r"Remove this filter:</span>([^<]*)</a>",
            html,
        )
    }
    assert tags == {
        "Amber": "/results/?rating=red&nation=England&sort=council",
        "Red": "/results/?rating=amber&nation=England&sort=council",
        "England": "/results/?rating=amber&rating=red&sort=council",
    }
    # Clearing the filters keeps the order chosen.
    assert 'href="/results/?sort=council">Clear filters</a>' in html
    # Following a tag shows the results without that filter.
    assert services_listed(client.get(tags["England"])) == [
        "Apply for a school place",
        "Pay council tax",
    ]


def test_a_point_and_whether_it_was_met_are_one_tag_that_removes_both(client, published):
    html = client.get("/results/?point=1&point_met=false&rating=red").content.decode()

    assert re.search(
        r'<a class="moj-filter__tag" href="/results/\?rating=red"><span class="govuk-visually-hidden">'
        r"Remove this filter:</span> 1\. Understand user needs: not met</a>",
        html,
    )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("region=Atlantis", "region", "Select a region from the list"),
        ("nation=Narnia", "nation", "Select a nation from the list"),
        ("rating=purple", "rating", "Select a rating from the list"),
        ("review_type=rumour", "review_type", "Select a review type from the list"),
        ("phase=forever", "phase", "Select a phase from the list"),
        ("type=XX", "type", "Select a council type from the list"),
        ("peer_group=nowhere", "peer_group", "Select a peer group from the list"),
        ("council=%3Cscript%3E", "council", "Select a council from the list"),
        ("product=not-a-number", "product", "Select a product from the list"),
        ("point=99&point_met=true", "point", "Select a point from the list"),
        ("point=3&point_met=maybe", "point_met", "Select whether the point was met or not met"),
        ("point=3", "point_met", "Select whether point 3 was met or not met"),
        ("point_met=false", "point", "Select a point"),
        ("sort=cheapest", "sort", "Select how to sort the results from the list"),
    ],
)
def test_a_value_that_is_not_offered_is_an_error_beside_its_field(
    client, published, query, field, message
):
    response = client.get(f"/results/?{query}&review_type=self_assessed")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(message) == 2  # in the error summary and beside the field
    anchor = (
        f"#id_{field}_1"
        if field in ("nation", "rating", "review_type", "phase", "point_met")
        else f"#id_{field}"
    )
    assert f'<a href="{anchor}">{message}</a>' in html
    assert "<title>Error: " in html
    body = html.split("</head>", 1)[1].replace(f"<script>{JS_ENABLED}</script>", "")
    assert "<script>" not in body.replace("<script type=", "")
    # The other filters still apply.
    if field != "review_type":
        assert services_listed(response) == ["Apply for a school place", "Pay council tax"]


def test_sorting_by_council_name_and_by_average(client, published):
    assert services_listed(client.get("/results/?sort=council")) == [
        "Apply for a school place",  # Cardiff Council
        "Report a missed bin",  # Coventry City Council
        "Pay council tax",  # Leeds City Council
    ]
    assert services_listed(client.get("/results/?sort=average")) == [
        "Apply for a school place",  # 3.9
        "Report a missed bin",  # 3.0
        "Pay council tax",  # 2.1
    ]


def test_the_figures_are_those_of_what_is_shown_and_say_what_they_include(client, published):
    text = page_text(client.get("/results/"))

    assert (
        "Averages of 3 assessments: 1 peer reviewed (agreed scores), "
        "2 self-assessed (the council's own scores)." in text
    )
    # The mean of 3.0, 2.1 and 3.9; 15 + 1 + 13 of 15 + 15 + 14 applicable points met.
    assert "3.0 out of 5" in text
    assert "66% (29 of 44 applicable points, across all 3)" in text
    assert "1 of 3 (33%); 2 self-assessed" in text

    text = page_text(client.get("/results/?review_type=self_assessed"))
    assert "Averages of 2 assessments: 2 self-assessed (the council's own scores)." in text
    # (2.1 + 3.9) / 2 and 14 of 29.
    assert "3.0 out of 5" in text
    assert "48% (14 of 29 applicable points, across all 2)" in text
    assert "0 of 2 (0%); 2 self-assessed" in text


def test_results_are_paginated_keeping_the_filters(client, standard, coventry):
    for number in range(23):
        publish_directly(coventry, name=f"Service {number:02d}", days_ago=number)

    first = client.get("/results/?rating=green&rating=red&sort=council")
    assert len(services_listed(first)) == 20
    html = first.content.decode()
    assert 'href="?rating=green&amp;rating=red&amp;sort=council&amp;page=2" rel="next"' in html
    assert "(page 1 of 2)" in html

    second = client.get("/results/?rating=green&rating=red&sort=council&page=2")
    assert len(services_listed(second)) == 3
    assert "23 published assessments" in page_text(second)
    # A page that is not a number is the first; one past the end, the last.
    assert services_listed(client.get("/results/?page=abc")) == services_listed(
        client.get("/results/?page=1")
    )
    assert len(services_listed(client.get("/results/?page=99"))) == 3


def _queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "address",
    [
        "/results/",
        "/results/?nation=England&rating=green&point=3&point_met=true&sort=average",
        "/",
        "/councils/cov/",
    ],
)
def test_query_counts_do_not_grow_with_the_number_published(
    client, standard, coventry, leeds, address, bins
):
    publish_directly(coventry, product=bins, review_type=ReviewType.PEER_REVIEWED)
    with_one = _queries(client, address)

    for number in range(12):
        council = coventry if number % 2 else leeds
        publish_directly(
            council,
            name=f"Service {number}",
            product=bins if number % 3 else None,
            review_type=ReviewType.PEER_REVIEWED if number % 4 else ReviewType.SELF_ASSESSED,
            days_ago=number,
        )
    publish_directly(coventry, name="Gone", withdrawn=True)
    with_many = _queries(client, address)

    assert with_many == with_one


def test_the_council_page_lists_each_service_latest_publication_with_earlier_ones(
    client, standard, coventry, leeds
):
    first = publish_directly(coventry, name="Report a missed bin", scores=(2,) * 15, days_ago=30)
    latest = publish_directly(
        coventry,
        service=first.service,
        review_type=ReviewType.PEER_REVIEWED,
        phase="live",
        days_ago=1,
    )
    other = publish_directly(coventry, name="Apply for a parking permit", days_ago=5)
    publish_directly(coventry, name="Find a school bus", withdrawn=True)
    publish_directly(leeds, name="Pay council tax")

    response = client.get("/councils/cov/")

    html = response.content.decode()
    rows = re.findall(r'<th scope="row" class="govuk-table__header"><a [^>]*href="([^"]+)"', html)
    assert rows == [other.get_absolute_url(), latest.get_absolute_url()]
    assert f'href="{first.get_absolute_url()}"' in html  # linked as an earlier one
    text = page_text(response)
    assert "Earlier:" in text
    assert "Peer reviewed" in text
    assert "Self-assessed" in text
    assert "Find a school bus" not in html
    assert "Pay council tax" not in html
    assert 'href="/results/?council=COV"' in html
    assert 'href="/feeds/published/"' in html


def test_a_council_with_nothing_public_says_so(client, standard, coventry):
    publish_directly(coventry, name="Find a school bus", withdrawn=True)

    response = client.get("/councils/cov/")

    assert "Coventry has not published any assessments yet." in page_text(response)
    assert "Find a school bus" not in response.content.decode()


def test_the_home_page_shows_the_latest_publications_and_the_national_figures(
    client, published, standard, coventry
):
    for number in range(4):
        publish_directly(coventry, name=f"Older service {number}", days_ago=10 + number)

    response = client.get("/")

    h1_count, title = outline(response)
    assert h1_count == 1
    assert title.startswith("Assess, review and publish council digital services – ")
    html = response.content.decode()
    rows = re.findall(r'<th scope="row" class="govuk-table__header"><a [^>]*>([^<]+)</a>', html)
    assert rows == [
        "Apply for a school place",
        "Pay council tax",
        "Report a missed bin",
        "Older service 0",
        "Older service 1",
    ]
    text = page_text(response)
    assert "7 assessments published by 3 councils" in text
    assert (
        "Averages of 7 assessments: 1 peer reviewed (agreed scores), "
        "6 self-assessed (the council's own scores)." in text
    )
    assert "Find a school bus" not in html
    assert 'href="/results/"' in html


def test_the_home_page_before_anything_is_published(client, standard):
    text = page_text(client.get("/"))
    assert "No council has published an assessment yet." in text


# --- any query string (Hypothesis) -------------------------------------------------------

# The values the `published` fixture's filters offer.
KNOWN = {
    "review_type": ["peer_reviewed", "self_assessed"],
    "rating": ["green", "amber", "red"],
    "phase": ["discovery", "alpha", "beta", "live"],
    "nation": ["England", "Wales"],
    "region": ["", "West Midlands", "Yorkshire and The Humber", "Wales"],
    "type": ["", "MD", "UA"],
    "peer_group": ["", "midlands", "yorkshire-and-humber", "wales"],
    "council": ["", "COV", "LDS", "CRF"],
    "point": ["", *map(str, range(1, 16))],
    "point_met": ["", "true", "false"],
    "sort": ["", "newest", "council", "average"],
    "page": None,  # any page number is a page
}
CHECKBOXES = ("review_type", "rating", "phase", "nation")


@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(choice(*known), st.lists(choice(*known), min_size=2, max_size=3))
            if known
            else numbers
            for name, known in KNOWN.items()
        },
    ),
    raw=st.dictionaries(st.sampled_from(["region", "rating", "page"]), raw_bytes, max_size=2),
)
def test_any_query_string_gives_the_results_or_says_which_filter_is_wrong(
    client, published, params, raw
):
    response = client.get("/results/", params)

    assert response.status_code == 200

    def read(name):
        """The values the page reads: every one of a checkbox's, the last of a select's."""
        given = params.get(name, [] if name in CHECKBOXES else "")
        values = given if isinstance(given, list) else [given]
        return values if name in CHECKBOXES else values[-1:]

    wrong = {
        name
        for name, known in KNOWN.items()
        if known is not None and any(value not in known for value in read(name))
    }
    # A point and whether it was met are chosen together.
    point, met = read("point")[0], read("point_met")[0]
    if "point" not in wrong and "point_met" not in wrong:
        if point and not met:
            wrong.add("point_met")
        if met and not point:
            wrong.add("point")
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.S)
    if wrong:
        linked = re.findall(r'<a href="#id_([a-z_]+?)(?:_1)?">', summary.group(1))
        assert sorted(linked) == sorted(wrong)
    else:
        assert summary is None
    if raw:
        assert client.get(f"/results/?{raw_query(raw)}").status_code == 200


def test_shares_and_averages_round_half_up_as_an_assessment_own_figures_do():
    shown = PublishedFigures(
        count=8,
        peer_reviewed=1,
        self_assessed=7,
        average=Decimal("2.25"),
        met=1,
        applicable=8,
        councils=2,
    )
    assert (shown.met_share, shown.peer_reviewed_share, shown.average) == (13, 13, Decimal("2.3"))
    assert shown.includes == (
        "8 assessments: 1 peer reviewed (agreed scores), 7 self-assessed (the council's own scores)"
    )
