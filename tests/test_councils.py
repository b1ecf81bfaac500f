"""The council directory, council pages and recording that a council has signed up."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assessments.models import Council
from tests.factories import CouncilFactory, PeerGroupFactory
from tests.html import outline

DIRECTORY = reverse("assessments:council_directory")
COVENTRY_PAGE = "/councils/cov/"
COVENTRY_SIGN_UP = "/councils/cov/sign-up/"


def text(response):
    """The page's visible text, without tags and with spaces collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([,.])", r"\1", words)


def listed(response):
    """Short names of the councils in the directory's results, in order."""
    return [
        unescape(name)
        for name in re.findall(
            r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="/councils/\w+/">([^<]+)</a>',
            response.content.decode(),
        )
    ]


@pytest.fixture
def wales(db):
    return PeerGroupFactory(name="Wales", slug="wales")


@pytest.fixture
def cardiff(wales):
    return CouncilFactory(
        code="CRF",
        official_name="City of Cardiff Council",
        short_name="Cardiff",
        nation="Wales",
        region="Wales",
        authority_type="WPA",
        authority_type_name="Welsh unitary authority",
        peer_group=wales,
    )


@pytest.fixture
def old_coventry(coventry, leeds, midlands):
    """A former council, replaced by two others."""
    old = CouncilFactory(
        code="OLD",
        official_name="Old Coventry District Council",
        short_name="Old Coventry",
        is_current=False,
        end_date=date(2020, 3, 31),
        peer_group=midlands,
    )
    old.replaced_by.set([coventry, leeds])
    return old


def sign_up(council, on=date(2016, 4, 7), role="Chief Executive"):
    council.adopted_on = on
    council.adoption_sponsor_role = role
    council.save()


# --- The directory -------------------------------------------------------------


def test_directory_lists_current_councils_by_short_name(
    client, coventry, leeds, cardiff, old_coventry
):
    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert listed(response) == ["Cardiff", "Coventry", "Leeds"]
    assert "Showing 3 councils" in text(response)


def test_directory_has_one_h1_and_its_own_title(client, coventry):
    assert outline(client.get(DIRECTORY)) == (1, "Councils – Council digital service assessments")


def test_directory_credits_mysociety_and_the_licence(client, coventry):
    page = text(client.get(DIRECTORY))

    assert (
        "Council names and codes: mySociety, UK Local Authority Names and Codes, MIT licence"
        in page
    )


@pytest.mark.parametrize(
    "search", ["coventry", "COVENTRY", "vent", "City Council Cov", "cov", "COV"]
)
def test_directory_finds_a_council_by_name_or_code(client, coventry, leeds, search):
    response = client.get(DIRECTORY, {"q": search})

    expected = [] if search == "City Council Cov" else ["Coventry"]
    assert listed(response) == expected


def test_a_search_that_finds_nothing_says_so(client, coventry):
    page = text(client.get(DIRECTORY, {"q": "Narnia"}))

    assert "No councils match your search." in page


def test_directory_filters_by_nation(client, coventry, cardiff):
    assert listed(client.get(DIRECTORY, {"nation": "Wales"})) == ["Cardiff"]


def test_directory_filters_by_region(client, coventry, leeds):
    assert listed(client.get(DIRECTORY, {"region": "Yorkshire and The Humber"})) == ["Leeds"]


def test_directory_filters_by_type(client, coventry, cardiff):
    response = client.get(DIRECTORY, {"type": "WPA"})

    assert listed(response) == ["Cardiff"]
    assert (
        '<option value="WPA" selected>Welsh unitary authority</option>' in response.content.decode()
    )


def test_directory_shows_former_councils_when_asked(client, coventry, leeds, old_coventry):
    assert listed(client.get(DIRECTORY, {"status": "former"})) == ["Old Coventry"]
    assert listed(client.get(DIRECTORY, {"status": "all"})) == ["Coventry", "Leeds", "Old Coventry"]


def test_directory_shows_only_signatories_when_asked(client, coventry, leeds):
    sign_up(coventry)

    response = client.get(DIRECTORY, {"signed_up": "on"})

    assert listed(response) == ["Coventry"]
    assert "7 April 2016" in text(response)


def test_directory_combines_search_and_filters(client, coventry, leeds, cardiff):
    sign_up(coventry)
    sign_up(leeds)

    query = {"q": "c", "nation": "England", "region": "West Midlands", "signed_up": "on"}
    assert listed(client.get(DIRECTORY, query)) == ["Coventry"]


def test_directory_pages_keep_the_filters_in_their_links(client, midlands):
    CouncilFactory.create_batch(60, region="West Midlands", peer_group=midlands)
    CouncilFactory(region="London", peer_group=midlands)

    first = client.get(DIRECTORY, {"region": "West Midlands"})
    second = client.get(DIRECTORY, {"region": "West Midlands", "page": 2})

    assert len(listed(first)) == 50
    assert "Showing 1 to 50 of 60 councils" in text(first)
    html = first.content.decode()
    assert 'href="?status=current&amp;region=West+Midlands&amp;page=2" rel="next"' in html
    assert len(listed(second)) == 10
    assert "Showing 51 to 60 of 60 councils" in text(second)
    assert 'aria-current="page">2</a>' in second.content.decode()


def test_each_directory_page_has_its_own_title(client, midlands):
    CouncilFactory.create_batch(60, region="West Midlands", peer_group=midlands)

    first = outline(client.get(DIRECTORY, {"region": "West Midlands"}))[1]
    second = outline(client.get(DIRECTORY, {"region": "West Midlands", "page": 2}))[1]

    assert first.startswith("Councils (page 1 of 2) – ")
    assert second.startswith("Councils (page 2 of 2) – ")


def test_a_directory_on_one_page_says_nothing_of_pages(client, coventry):
    assert outline(client.get(DIRECTORY))[1].startswith("Councils – ")


@pytest.mark.parametrize(
    "query",
    [
        {"nation": "Narnia"},
        {"region": "Atlantis"},
        {"type": "<script>"},
        {"status": "maybe"},
        {"signed_up": "perhaps"},
        {"page": "abc"},
        {"page": "-1"},
        {"q": "x" * 1000},
        {"q": "cov\x00"},
        {"nation": ["England", "Narnia"]},
    ],
)
def test_unknown_filter_values_are_ignored(client, coventry, query):
    response = client.get(DIRECTORY, query)

    assert response.status_code == 200
    assert "Error:" not in outline(response)[1]


def test_a_page_past_the_end_shows_the_last_page(client, coventry, leeds):
    response = client.get(DIRECTORY, {"page": 999})

    assert response.status_code == 200
    assert listed(response) == ["Coventry", "Leeds"]


@pytest.mark.parametrize("councils", [1, 30])
def test_directory_query_count_does_not_grow_with_councils(
    client, midlands, councils, django_assert_num_queries
):
    for _ in range(councils):
        sign_up(CouncilFactory(peer_group=midlands))

    # Regions and types for the filters, the count, one page of councils.
    with django_assert_num_queries(4):
        response = client.get(DIRECTORY, {"status": "all"})

    assert len(listed(response)) == councils


# --- A council's page ------------------------------------------------------------


def test_council_page_shows_the_councils_facts(client, coventry):
    response = client.get(COVENTRY_PAGE)

    assert response.status_code == 200
    assert outline(response) == (1, "Coventry City Council – Council digital service assessments")
    page = text(response)
    for fact in [
        "Official name Coventry City Council",
        "Short name Coventry",
        "Local authority code COV",
        f"GSS code {coventry.gss_code}",
        "Type Metropolitan district",
        "Nation England",
        "Region West Midlands",
        "Population in 2020 300,000",
        "Peer group Midlands",
        "Status Current",
    ]:
        assert fact in page


def test_council_page_says_when_population_is_not_known(client, coventry):
    coventry.population = None
    coventry.save()

    assert "Population in 2020 Not known" in text(client.get(COVENTRY_PAGE))


@pytest.mark.parametrize("address", ["/councils/COV/", "/councils/Cov/"])
def test_council_address_in_capitals_redirects_permanently_to_lower_case(client, coventry, address):
    response = client.get(address)

    assert response.status_code == 301
    assert response["Location"] == COVENTRY_PAGE


def test_council_addresses_are_made_from_a_council_or_its_code_in_lower_case(coventry):
    for argument in [coventry, "COV", "cov", "Cov"]:
        assert reverse("assessments:council_detail", args=[argument]) == COVENTRY_PAGE
        assert reverse("assessments:service_list", kwargs={"code": argument}) == (
            "/councils/cov/services/"
        )


def test_an_address_cannot_be_made_from_something_that_is_not_a_council_or_code():
    with pytest.raises(NoReverseMatch):
        reverse("assessments:council_detail", args=[42])
    with pytest.raises(NoReverseMatch):
        reverse("assessments:council_detail", args=["c\x00v"])


def test_unknown_council_is_not_found(client, coventry):
    assert client.get("/councils/xyz/").status_code == 404
    assert client.get("/councils/coventry/").status_code == 404
    assert client.get("/councils/c%00v/").status_code == 404


def test_former_council_page_links_to_the_councils_that_replaced_it(client, old_coventry):
    response = client.get("/councils/old/")

    assert "Status Former council: ended on 31 March 2020, replaced by Coventry and Leeds" in text(
        response
    )
    html = response.content.decode()
    assert '<a class="govuk-link" href="/councils/cov/">Coventry</a>' in html
    assert '<a class="govuk-link" href="/councils/lds/">Leeds</a>' in html


def test_council_page_links_to_the_councils_it_replaced(client, old_coventry):
    response = client.get(COVENTRY_PAGE)

    assert "Replaced Old Coventry" in text(response)
    assert (
        '<a class="govuk-link" href="/councils/old/">Old Coventry</a>' in response.content.decode()
    )


def test_council_page_says_when_the_council_signed_up(client, coventry):
    sign_up(coventry)

    page = text(client.get(COVENTRY_PAGE))

    assert (
        "Signed up to the Local Government Digital Service Standard on 7 April 2016. "
        "Senior sponsor: Chief Executive" in page
    )


def test_council_page_says_when_the_council_has_not_signed_up(client, coventry):
    page = text(client.get(COVENTRY_PAGE))

    assert "Coventry has not recorded signing up" in page


def test_council_page_explains_there_are_no_assessments_yet(client, coventry):
    page = text(client.get(COVENTRY_PAGE))

    assert "Digital services and published assessments" in page
    assert "Coventry has not published any assessments yet." in page


@pytest.mark.parametrize(
    ("persona", "sees_link"),
    [
        ("coventry_lead", True),
        ("coordinator", True),
        ("coventry_contributor", False),
        ("leeds_lead", False),
        ("peer_reviewer", False),
        (None, False),
    ],
)
def test_only_the_councils_lead_and_coordinators_see_the_sign_up_link(
    request, client_for, coventry, persona, sees_link
):
    user = request.getfixturevalue(persona) if persona else None

    html = client_for(user).get(COVENTRY_PAGE).content.decode()

    assert (f'href="{COVENTRY_SIGN_UP}"' in html) is sees_link
    assert ("Record that Coventry has signed up" in html) is sees_link


def test_the_sign_up_link_says_change_once_signed_up(client_for, coventry, coventry_lead):
    sign_up(coventry)

    assert (
        "Change the sign-up details"
        in client_for(coventry_lead).get(COVENTRY_PAGE).content.decode()
    )


def test_former_councils_have_no_sign_up_link(client_for, old_coventry, coordinator):
    html = client_for(coordinator).get("/councils/old/").content.decode()

    assert "/sign-up/" not in html


@pytest.mark.parametrize(
    ("persona", "link"),
    [
        ("coventry_lead", "Manage members"),
        ("coordinator", "Manage members"),
        ("coventry_contributor", "See members"),
        ("leeds_lead", None),
        (None, None),
    ],
)
def test_members_link_depends_on_who_is_looking(request, client_for, coventry, persona, link):
    user = request.getfixturevalue(persona) if persona else None

    html = client_for(user).get(COVENTRY_PAGE).content.decode()

    assert ('href="/councils/cov/members/"' in html) is (link is not None)
    if link:
        assert f">{link}</a>" in html


# --- Recording that a council has signed up ---------------------------------------


def valid_answers(**changes):
    return {
        "adopted_on_0": "7",
        "adopted_on_1": "4",
        "adopted_on_2": "2016",
        "sponsor_role": "Chief Executive",
        **changes,
    }


def test_anonymous_people_are_asked_to_sign_in(client, coventry):
    for response in [client.get(COVENTRY_SIGN_UP), client.post(COVENTRY_SIGN_UP, valid_answers())]:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('assessments:sign_in')}?next={COVENTRY_SIGN_UP}"
    assert Council.objects.get(code="COV").adopted_on is None


@pytest.mark.parametrize("persona", ["coventry_contributor", "leeds_lead", "peer_reviewer"])
def test_people_who_are_not_the_councils_lead_or_a_coordinator_are_refused(
    request, client_for, coventry, persona
):
    signed_in = client_for(request.getfixturevalue(persona))

    assert signed_in.get(COVENTRY_SIGN_UP).status_code == 403
    assert signed_in.post(COVENTRY_SIGN_UP, valid_answers()).status_code == 403
    assert Council.objects.get(code="COV").adopted_on is None


@pytest.mark.parametrize("persona", ["coventry_lead", "coordinator"])
def test_the_councils_lead_and_coordinators_record_signing_up(
    request, client_for, coventry, persona
):
    user = request.getfixturevalue(persona)
    signed_in = client_for(user)
    assert signed_in.get(COVENTRY_SIGN_UP).status_code == 200
    before = timezone.now()

    response = signed_in.post(COVENTRY_SIGN_UP, valid_answers(sponsor_role="  Chief Executive "))

    assert response.status_code == 302
    assert response["Location"] == COVENTRY_PAGE
    coventry.refresh_from_db()
    assert coventry.adopted_on == date(2016, 4, 7)
    assert coventry.adoption_sponsor_role == "Chief Executive"
    assert coventry.adoption_recorded_by == user
    assert coventry.adoption_recorded_at >= before
    page = signed_in.get(COVENTRY_PAGE)
    assert "Coventry's sign-up to the Standard has been recorded" in text(page)
    assert "govuk-notification-banner--success" in page.content.decode()


def test_the_form_shows_what_was_recorded_before(client_for, coventry, coventry_lead):
    sign_up(coventry, on=date(2018, 9, 3), role="Cabinet Member for Digital")

    response = client_for(coventry_lead).get(COVENTRY_SIGN_UP)

    html = response.content.decode()
    assert outline(response)[1].startswith("Change Coventry's sign-up details")
    for value in ['name="adopted_on_0" value="3"', 'name="adopted_on_1" value="9"', 'value="2018"']:
        assert value in html
    assert 'value="Cabinet Member for Digital"' in html


def test_the_date_boxes_ask_for_numbers(client_for, coventry, coventry_lead):
    html = client_for(coventry_lead).get(COVENTRY_SIGN_UP).content.decode()

    assert html.count('inputmode="numeric"') == 3
    assert "For example, 7 4 2016" in html
    assert "For example, Chief Executive or Cabinet Member for Digital" in html


def test_former_councils_cannot_sign_up(client_for, old_coventry, coordinator):
    assert client_for(coordinator).get("/councils/old/sign-up/").status_code == 404


def test_signing_up_an_unknown_council_is_not_found(client_for, coordinator):
    assert client_for(coordinator).get("/councils/xyz/sign-up/").status_code == 404
    assert client_for(coordinator).get("/councils/c%00v/sign-up/").status_code == 404


def test_signing_up_refuses_other_methods(client_for, coventry, coordinator):
    assert client_for(coordinator).put(COVENTRY_SIGN_UP).status_code == 405


def _tomorrow():
    tomorrow = timezone.localdate() + timedelta(days=1)
    return {
        "adopted_on_0": str(tomorrow.day),
        "adopted_on_1": str(tomorrow.month),
        "adopted_on_2": str(tomorrow.year),
    }


@pytest.mark.parametrize(
    ("answers", "message", "box"),
    [
        (
            {"adopted_on_0": "", "adopted_on_1": "", "adopted_on_2": ""},
            "Enter the date signed up",
            0,
        ),
        ({"adopted_on_1": ""}, "Date signed up must include a month", 1),
        ({"adopted_on_0": "", "adopted_on_2": ""}, "Date signed up must include a day and year", 0),
        (
            {"adopted_on_0": "31", "adopted_on_1": "2", "adopted_on_2": "2020"},
            "Date signed up must be a real date",
            0,
        ),
        ({"adopted_on_0": "seven"}, "Date signed up must be a real date", 0),
        ({"adopted_on_0": "9" * 20}, "Date signed up must be a real date", 0),
        ({"adopted_on_1": "9" * 20}, "Date signed up must be a real date", 0),
        ({"adopted_on_2": "16"}, "Year must include 4 numbers", 2),
        (_tomorrow(), "Date signed up must be today or in the past", 0),
        (
            {"adopted_on_0": "6"},
            "Date signed up must be on or after 7 April 2016, when the Standard was launched",
            0,
        ),
        ({"sponsor_role": "  "}, "Enter the senior sponsor's role", None),
        (
            {"sponsor_role": "x" * 151},
            "Senior sponsor's role must be 150 characters or fewer",
            None,
        ),
    ],
)
def test_each_mistake_is_explained_in_the_summary_and_beside_the_field(
    client_for, coventry, coventry_lead, answers, message, box
):
    posted = valid_answers(**answers)

    response = client_for(coventry_lead).post(COVENTRY_SIGN_UP, posted)

    assert response.status_code == 200
    assert outline(response)[1].startswith("Error: Record that Coventry has signed up")
    html = unescape(response.content.decode())
    anchor = f"#id_adopted_on_{box}" if box is not None else "#id_sponsor_role"
    assert f'<li><a href="{anchor}">{message}</a></li>' in html
    assert re.search(
        r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span> '
        + re.escape(message),
        html,
    )
    for name, value in posted.items():
        if value.strip():
            assert re.search(f'name="{name}"[^>]* value="{re.escape(value)}"', html), name
    assert Council.objects.get(code="COV").adopted_on is None


def test_a_whole_date_mistake_marks_every_date_box(client_for, coventry, coventry_lead):
    response = client_for(coventry_lead).post(COVENTRY_SIGN_UP, valid_answers(adopted_on_0="6"))

    boxes = re.findall(r'<input type="text" name="adopted_on_\d"[^>]*>', response.content.decode())
    assert len(boxes) == 3
    assert all("govuk-input--error" in box for box in boxes)


@pytest.mark.parametrize("day", [date(2016, 4, 7), "today"])
def test_the_first_and_last_possible_dates_are_accepted(client_for, coventry, coventry_lead, day):
    day = timezone.localdate() if day == "today" else day
    answers = valid_answers(
        adopted_on_0=str(day.day), adopted_on_1=str(day.month), adopted_on_2=str(day.year)
    )

    response = client_for(coventry_lead).post(COVENTRY_SIGN_UP, answers)

    assert response.status_code == 302
    assert Council.objects.get(code="COV").adopted_on == day
