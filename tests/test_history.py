"""An assessment's history page: who may see it, and what it says."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from assessments.models import AssessmentEvent, EventKind
from assessments.views.history import when
from tests.factories import UserFactory
from tests.factories_assessments import AssessmentEventFactory, make_assessment
from tests.factories_services import ServiceFactory
from tests.html import outline, table_rows

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def service(coventry):
    return ServiceFactory(council=coventry, name="Report a missed bin collection", phase="beta")


@pytest.fixture
def assessment(standard, service, coventry_lead):
    assessment = make_assessment(service, by=coventry_lead)
    AssessmentEventFactory(
        assessment=assessment,
        kind=EventKind.CREATED,
        actor=coventry_lead,
        created_at=datetime(2026, 11, 26, 14, 5, tzinfo=UTC),
    )
    return assessment


def history_url(assessment, code="cov"):
    return reverse("assessments:assessment_history", args=[code, assessment.pk])


# --- who may see it ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coventry_lead", "coventry_contributor", "coordinator"])
def test_council_members_and_coordinators_see_the_history(request, client_for, assessment, persona):
    response = client_for(request.getfixturevalue(persona)).get(history_url(assessment))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["leeds_lead", "peer_reviewer"])
def test_people_from_other_councils_and_peer_reviewers_do_not_find_it(
    request, client_for, assessment, persona
):
    response = client_for(request.getfixturevalue(persona)).get(history_url(assessment))
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client_for, assessment):
    url = history_url(assessment)
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('assessments:sign_in')}?next={url}"


def test_an_assessment_of_another_council_is_not_found_through_this_councils_address(
    client_for, standard, leeds, coventry_lead, coordinator
):
    leeds_assessment = make_assessment(ServiceFactory(council=leeds, name="Pay council tax"))
    for person in [coventry_lead, coordinator]:
        response = client_for(person).get(history_url(leeds_assessment, code="cov"))
        assert response.status_code == 404
    assert client_for(coordinator).get(history_url(leeds_assessment, code="lds")).status_code == 200


def test_an_assessment_that_does_not_exist_is_not_found(client_for, assessment, coventry_lead):
    url = reverse("assessments:assessment_history", args=["cov", assessment.pk + 1000])
    assert client_for(coventry_lead).get(url).status_code == 404


def test_the_history_cannot_be_posted_to(client_for, assessment, coventry_lead):
    assert client_for(coventry_lead).post(history_url(assessment)).status_code == 405


# --- what it says --------------------------------------------------------------------


def test_events_are_listed_newest_first_with_names_points_and_details(
    client_for, assessment, coventry_lead, coventry_contributor
):
    start = datetime(2026, 11, 26, 14, 5, tzinfo=UTC)
    AssessmentEventFactory(
        assessment=assessment,
        kind=EventKind.SAVED_POINT,
        point_number=4,
        actor=coventry_contributor,
        created_at=start + timedelta(days=1),
    )
    AssessmentEventFactory(
        assessment=assessment,
        kind=EventKind.WITHDRAWN,
        detail="The service is being replaced <b>next year</b>.",
        actor=None,
        created_at=start + timedelta(days=2),
    )
    html = client_for(coventry_lead).get(history_url(assessment)).content.decode()

    withdrawn = html.index("Withdrew the assessment")
    saved = html.index("Saved a point")
    created = html.index("Started the assessment")
    assert withdrawn < saved < created, "newest first"

    assert "Someone who has left" in html
    assert "The service is being replaced &lt;b&gt;next year&lt;/b&gt;." in html
    assert "Ed Contributor" in html
    assert "Point 4: Iterate and improve regularly" in html
    assert "Cara Lead" in html
    assert '<time datetime="2026-11-26T14:05:00+00:00">26 November 2026, 2:05pm</time>' in html


def test_someone_without_a_name_is_shown_by_email(client_for, assessment, coventry_lead):
    AssessmentEventFactory(
        assessment=assessment,
        kind=EventKind.SUBMITTED,
        actor=UserFactory(email="no.name@coventry.example", full_name=""),
    )
    html = client_for(coventry_lead).get(history_url(assessment)).content.decode()
    assert "no.name@coventry.example" in html


def test_page_has_one_h1_a_caption_a_title_and_a_back_link(client_for, assessment, coventry_lead):
    response = client_for(coventry_lead).get(history_url(assessment))
    h1_count, title = outline(response)
    assert h1_count == 1
    assert title.startswith("History of the beta assessment of Report a missed bin collection")
    html = response.content.decode()
    assert '<span class="govuk-caption-l">Report a missed bin collection</span>' in html
    back = reverse("assessments:assessment", args=["cov", assessment.pk])
    assert f'<a href="{back}" class="govuk-back-link">' in html


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 11, 26, 14, 5, tzinfo=UTC), "26 November 2026, 2:05pm"),
        (datetime(2026, 6, 1, 9, 0, tzinfo=LONDON), "1 June 2026, 9am"),
        (datetime(2026, 6, 1, 23, 30, tzinfo=UTC), "2 June 2026, 12:30am"),
        (datetime(2026, 1, 5, 12, 0, tzinfo=UTC), "5 January 2026, 12pm"),
    ],
)
def test_times_are_shown_in_uk_time_in_govuk_style(moment, shown):
    assert when(moment) == shown


# --- many events ----------------------------------------------------------------------


def add_events(assessment, count):
    """`count` saved points, each by a different person, a minute apart."""
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    AssessmentEvent.objects.bulk_create(
        AssessmentEvent(
            assessment=assessment,
            kind=EventKind.SAVED_POINT,
            point_number=n % 15 + 1,
            actor=UserFactory(),
            created_at=start + timedelta(minutes=n),
        )
        for n in range(count)
    )


@pytest.mark.parametrize("persona", ["coventry_contributor", "coordinator"])
def test_queries_do_not_grow_with_the_number_of_events(
    request, client_for, assessment, persona, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    url = history_url(assessment)
    client.get(url)  # the first page after signing in moves the session's end on
    with django_assert_max_num_queries(12) as one_event:
        assert client.get(url).status_code == 200
    add_events(assessment, 29)
    with django_assert_max_num_queries(12) as thirty_events:
        html = client.get(url).content.decode()
    assert html.count('<tr class="govuk-table__row">') == 1 + 30
    assert len(thirty_events.captured_queries) == len(one_event.captured_queries)


def test_more_than_100_events_are_paginated(client_for, assessment, coventry_lead):
    add_events(assessment, 100)
    client = client_for(coventry_lead)
    first = client.get(history_url(assessment)).content.decode()
    assert first.count('<tr class="govuk-table__row">') == 1 + 100
    assert "Showing 1 to 100 of 101 events" in first
    assert '<nav class="govuk-pagination" aria-label="Pagination">' in first
    assert 'href="?page=2" rel="next"' in first

    second = client.get(history_url(assessment) + "?page=2")
    assert second.content.decode().count('<tr class="govuk-table__row">') == 1 + 1
    assert "Started the assessment" in second.content.decode(), "the oldest is last"
    assert outline(second)[1].startswith(
        "History of the beta assessment of Report a missed bin collection (page 2 of 2)"
    )


def test_one_page_of_events_has_no_pagination(client_for, assessment, coventry_lead):
    html = client_for(coventry_lead).get(history_url(assessment)).content.decode()
    assert "govuk-pagination" not in html
    assert "Showing" not in html


# --- what the history says after real changes, made through the pages ---------------------


def point_url(assessment, number):
    return reverse("assessments:edit_point", args=["cov", assessment.pk, number])


def point_form(revision, answer="3", evidence="", reason="", links=(), **extra):
    data = {
        "revision": str(revision),
        "answer": answer,
        "evidence": evidence,
        "not_applicable_reason": reason,
        "action": "later",
        "links-TOTAL_FORMS": str(len(links)),
        "links-INITIAL_FORMS": "0",
        **extra,
    }
    for n, (title, address) in enumerate(links):
        data[f"links-{n}-title"] = title
        data[f"links-{n}-url"] = address
    return data


def history_rows(client, assessment):
    """The history table's rows, newest first, as lists of cell texts."""
    return table_rows(client.get(history_url(assessment)).content.decode())


def test_a_saved_point_says_what_changed(client_for, assessment, coventry_contributor):
    client = client_for(coventry_contributor)
    client.post(
        point_url(assessment, 4),
        point_form(0, "2", "We ran 12 interviews.", links=[("Research", "https://example.com/r")]),
    )
    client.post(
        point_url(assessment, 4),
        point_form(1, "4", "We ran 20 interviews.", links=[("Dashboard", "https://example.com/d")]),
    )
    newest, first_save, *_ = history_rows(client, assessment)

    assert "Ed Contributor" in newest[1]
    assert "Point 4: Iterate and improve regularly" in newest[2]
    assert "Score changed from 2 – Developing to 4 – Strong" in newest[2]
    assert "Evidence changed" in newest[2]
    assert "Link added: Dashboard (https://example.com/d)" in newest[2]
    assert "Link removed: Research (https://example.com/r)" in newest[2]

    assert "Score changed from no answer to 2 – Developing" in first_save[2]
    assert "Evidence added" in first_save[2]
    assert "Link added: Research (https://example.com/r)" in first_save[2]
    assert "Link removed" not in first_save[2]


def test_not_applicable_and_its_reason_are_in_the_history(client_for, assessment, coventry_lead):
    client = client_for(coventry_lead)
    client.post(point_url(assessment, 9), point_form(0, "na", reason="No offline channel yet."))
    newest = history_rows(client, assessment)[0]
    assert "Score changed from no answer to not applicable" in newest[2]
    assert "Reason it is not applicable: No offline channel yet." in newest[2]


def test_a_save_that_changes_nothing_adds_nothing(client_for, assessment, coventry_lead):
    client = client_for(coventry_lead)
    client.post(point_url(assessment, 2), point_form(0, "3", "Same"))
    client.post(point_url(assessment, 2), point_form(1, "3", "Same"))
    assert assessment.events.filter(kind="saved_point").count() == 1
    assert assessment.points.get(point__number=2).revision == 1


def test_saving_over_someone_elses_version_after_a_conflict_says_whose(
    client_for, assessment, coventry_lead, coventry_contributor
):
    lead, contributor = client_for(coventry_lead), client_for(coventry_contributor)
    contributor.post(point_url(assessment, 5), point_form(0, "2", "Ed's evidence"))
    conflict = lead.post(point_url(assessment, 5), point_form(0, "4", "Cara's evidence"))
    assert "Ed Contributor saved this point while you were editing it" in conflict.content.decode()
    assert 'name="replacing" value="true"' in conflict.content.decode()

    lead.post(point_url(assessment, 5), point_form(1, "4", "Cara's evidence", replacing="true"))
    newest = history_rows(lead, assessment)[0]
    assert "Cara Lead" in newest[1]
    assert "Replaced Ed Contributor's version" in newest[2]
    assert "Score changed from 2 – Developing to 4 – Strong" in newest[2]
    assert assessment.points.get(point__number=5).evidence == "Cara's evidence"


def test_submission_and_withdrawal_are_in_the_history_with_the_reason(
    client_for, assessment, coventry_lead
):
    client = client_for(coventry_lead)
    for answer in assessment.points.all():
        client.post(point_url(assessment, answer.point.number), point_form(0, "3", "Evidence"))
    client.post(reverse("assessments:submit_assessment", args=["cov", assessment.pk]))
    client.post(
        reverse("assessments:withdraw_assessment", args=["cov", assessment.pk]),
        {"reason": "The service is being replaced."},
    )
    withdrawn, submitted, *_ = history_rows(client, assessment)
    assert withdrawn[2].startswith("Withdrew the assessment")
    assert "The service is being replaced." in withdrawn[2]
    assert submitted[2].startswith("Submitted for peer review")
    assert "Cara Lead" in withdrawn[1]
    assert "Cara Lead" in submitted[1]


def test_every_time_on_the_history_page_is_a_valid_html_datetime(
    client_for, assessment, coventry_lead
):
    import re

    from django.utils import timezone

    # Real events carry microseconds, which a datetime attribute may not have.
    moment = timezone.now().replace(microsecond=123456)
    AssessmentEventFactory(
        assessment=assessment, kind=EventKind.SAVED_POINT, point_number=4, created_at=moment
    )
    html = client_for(coventry_lead).get(history_url(assessment)).content.decode()

    datetimes = re.findall(r'<time datetime="([^"]*)"', html)
    assert len(datetimes) == 2
    for value in datetimes:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})", value), value
