"""Every query string, sent anything at all (Hypothesis).

The council directory's search and filters, and every paginated page's page number,
never give a server error: a value the page does not know is ignored, so the page shows
what it would without it; a page number that is not a number shows the first page, one
past the end the last. Any other query string on any page is ignored.
"""

import re
from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments import services
from assessments.models import AssessmentEvent, EventKind, Nation
from tests.factories import CouncilFactory
from tests.factories_services import ServiceFactory
from tests.properties import choice, long_text, numbers, raw_bytes, raw_query, text

DIRECTORY = reverse("assessments:council_directory")
REGIONS = ["West Midlands", "Yorkshire and The Humber", "Wales", "Scotland"]
TYPES = {"MD": "Metropolitan district", "UA": "Unitary authority", "NMD": "District"}
STATUSES = ["current", "former", "all"]
SIGNED_UP = ["on", "true", "1"]


@pytest.fixture
def councils(coventry, leeds):
    """Enough councils for two pages of results, of every nation, several regions and
    types, current and former, some signed up."""
    for number in range(60):
        CouncilFactory(
            nation=list(Nation)[number % 4],
            region=REGIONS[number % len(REGIONS)],
            authority_type=list(TYPES)[number % 3],
            authority_type_name=list(TYPES.values())[number % 3],
            is_current=number % 7 != 0,
            adopted_on=date(2020, 1, 1) if number % 5 == 0 else None,
            adoption_sponsor_role="Chief Executive" if number % 5 == 0 else "",
        )


def listed(response):
    """The councils on a page of results, and the sentence saying how many there are."""
    html = response.content.decode()
    names = re.findall(r'<th scope="row" class="govuk-table__header"><a [^>]*>([^<]+)</a>', html)
    count = re.search(r"Showing [^<]*|No councils match your search", html).group(0)
    return [unescape(name) for name in names], count


def value(strategy):
    """A value, or the same parameter given several times (the page reads the last)."""
    return st.one_of(strategy, st.lists(strategy, min_size=2, max_size=3))


def last(given_value):
    return given_value[-1] if isinstance(given_value, list) else given_value


KNOWN = {
    "nation": [nation.value for nation in Nation],
    "region": REGIONS,
    "type": list(TYPES),
    "status": STATUSES,
    "signed_up": SIGNED_UP,
}


@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "q": value(st.one_of(text, long_text(100), st.sampled_from(["cov", "LDS", "City"]))),
            "nation": value(choice(*KNOWN["nation"])),
            "region": value(choice(*KNOWN["region"])),
            "type": value(choice(*KNOWN["type"])),
            "status": value(choice(*KNOWN["status"])),
            "signed_up": value(choice(*KNOWN["signed_up"])),
            "page": value(st.one_of(numbers, st.sampled_from(["1", "2"]))),
        },
    )
)
def test_the_directory_ignores_what_it_does_not_know(client, councils, params):
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    known = {
        name: given
        for name, given in params.items()
        if name in ("q", "page") or last(given) in KNOWN[name]
    }
    assert listed(response) == listed(client.get(DIRECTORY, known))


@given(page=value(numbers))
def test_a_page_number_that_is_not_one_shows_the_first_page_and_one_too_far_the_last(
    client, councils, page
):
    response = client.get(DIRECTORY, {"status": "all", "page": page})
    assert response.status_code == 200
    shown = listed(response)
    first, second = (listed(client.get(DIRECTORY, {"status": "all", "page": n})) for n in (1, 2))
    try:
        number = int(last(page))
    except ValueError:
        number = None
    if number is None:
        assert shown == first
    elif number < 1 or number > 2:
        assert shown == second, "the last page"
    else:
        assert shown == (first, second)[number - 1]


@given(q=raw_bytes, nation=raw_bytes, page=raw_bytes)
def test_the_directory_reads_bytes_that_are_not_utf_8(client, councils, q, nation, page):
    query = raw_query({"q": q, "nation": nation, "page": page})
    assert client.get(f"{DIRECTORY}?{query}").status_code == 200


# --- an assessment's history, 100 events to a page --------------------------------------------


@pytest.fixture
def long_history(coventry, coventry_lead, standard):
    assessment = services.start_assessment(
        ServiceFactory(council=coventry), by=coventry_lead, phase="beta"
    )
    AssessmentEvent.objects.bulk_create(
        AssessmentEvent(assessment=assessment, kind=EventKind.SAVED_POINT, point_number=1)
        for _ in range(150)
    )
    return reverse("assessments:assessment_history", args=["cov", assessment.pk])


@given(page=value(numbers))
def test_any_page_number_of_a_history_shows_a_page_of_it(
    client_for, coventry_lead, long_history, page
):
    response = client_for(coventry_lead).get(long_history, {"page": page})
    assert response.status_code == 200
    assert re.search(r"Showing (1 to 100|101 to 151) of 151 events", response.content.decode())


# --- any other query string, on any page -------------------------------------------------------


@pytest.fixture
def pages(coventry, long_history):
    service = ServiceFactory(council=coventry)
    return [
        "/",
        "/standard/",
        "/standard/3/",
        DIRECTORY,
        "/councils/cov/",
        "/councils/cov/services/",
        service.get_absolute_url(),
        "/councils/cov/members/",
        long_history,
        reverse("assessments:sign_in"),
        reverse("assessments:account"),
        reverse("assessments:password_reset"),
        reverse("assessments:invitation_list"),
        reverse("assessments:email_list"),
    ]


@given(
    page=st.integers(min_value=0, max_value=13),
    params=st.dictionaries(
        st.one_of(st.sampled_from(["page", "q", "next", "status", "from"]), text),
        value(st.one_of(text, numbers)),
        max_size=4,
    ),
    raw=st.dictionaries(st.sampled_from(["next", "page", "x"]), raw_bytes, max_size=2),
)
def test_any_query_string_on_any_page_is_ignored(
    client_for, coventry_lead, coordinator, pages, page, params, raw
):
    for person in (coventry_lead, coordinator, None):
        client = client_for(person) if person else Client()
        response = client.get(pages[page], params)
        assert response.status_code in (200, 302, 403), response.status_code
        if raw:
            response = client.get(f"{pages[page]}?{raw_query(raw)}")
            assert response.status_code in (200, 302, 403), response.status_code
