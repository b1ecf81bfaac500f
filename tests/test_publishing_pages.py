"""Publishing's pages: the confirmation and publishing, withdrawing a publication, a
coordinator's correction, the public report and the history of it all.

Each test goes through the pages as a person would and reads the database: an allowed
request made its change, a refused one changed nothing.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import (
    AgreedPoint,
    AssessmentEvent,
    CorrectableField,
    Correction,
    EventKind,
    EvidenceLink,
    PointAssessment,
    Publication,
    PublishedPoint,
    ReviewerAssignment,
    Status,
    StatusChange,
)
from assessments.templatetags.presenters import score_change
from tests.factories_reviews import begin_review, complete, submitted_assessment
from tests.html import outline
from tests.worker import run_tasks


def url(name, assessment):
    return reverse(f"assessments:{name}", args=[assessment.service.council, assessment.pk])


def report_url(assessment):
    return reverse("assessments:published_assessment", args=[assessment.pk])


def shown(page):
    """The fingerprint the confirmation page sends back with "Publish"."""
    return re.search(r'name="shown" value="([0-9a-f]+)"', page.content.decode()).group(1)


@pytest.fixture
def reviewed(in_review, peer_reviewer):
    """Coventry's assessment, its review complete: the council scored every point 3; the
    reviewers agreed 5 on point 1. Point 1 has Markdown evidence and a link."""
    complete(in_review, peer_reviewer)
    AgreedPoint.objects.filter(assessment=in_review, point__number=1).update(score=5)
    answer = PointAssessment.objects.get(assessment=in_review, point__number=1)
    answer.evidence = "We met **forty residents**."
    answer.save(update_fields=["evidence"])
    EvidenceLink.objects.create(
        point_assessment=answer, title="Research notes", url="https://example.org/research"
    )
    in_review.refresh_from_db()
    return in_review


@pytest.fixture
def submitted(standard, coventry, coventry_lead):
    return submitted_assessment(coventry, coventry_lead, name="Pay council tax", score=2)


def publish_through_pages(client, assessment):
    page = client.get(url("publish_assessment", assessment))
    assert page.status_code == 200
    return client.post(url("publish_assessment", assessment), {"shown": shown(page)})


# --- Publishing ----------------------------------------------------------------------


def test_the_confirmation_shows_what_a_peer_review_will_publish(
    reviewed, coventry_lead, client_for
):
    page = client_for(coventry_lead).get(url("publish_assessment", reviewed))

    assert page.status_code == 200
    html = page.content.decode()
    assert outline(page)[0] == 1
    assert "Peer reviewed" in html
    assert "Agreed by the reviewers" in html
    assert "5 – " in html
    assert "3 – " in html
    assert "Peer reviewer" in html
    assert "Independent assessor" in html
    assert "<strong>forty residents</strong>" in html  # evidence as the report renders it
    assert 'href="https://example.org/research"' in html
    assert "Agreed strengths on point 1." in html
    assert reviewed.standard.points.get(number=1).statement.split("\n")[0][:40] in html
    assert "has not responded to the review" in html
    assert url("respond_to_review", reviewed) in html
    assert not Publication.objects.exists()  # looking publishes nothing


def _points_part(html):
    """The scores by point and each point in full, as drawn on a page."""
    start = html.index('<h2 class="govuk-heading-m">Scores by point</h2>')
    end = html.index("</div>\n</div>", html.index('id="point-15"'))
    return html[start:end]


def test_what_is_published_is_what_the_confirmation_showed(
    reviewed, coventry_lead, client_for, client
):
    lead = client_for(coventry_lead)
    page = lead.get(url("publish_assessment", reviewed))
    lead.post(url("publish_assessment", reviewed), {"shown": shown(page)})

    report = client.get(report_url(reviewed))

    assert _points_part(report.content.decode()) == _points_part(page.content.decode())


def test_the_confirmation_of_a_submitted_assessment_says_it_is_published_without_review(
    submitted, coventry_lead, peer_reviewer, coordinator, client_for
):
    ReviewerAssignment.objects.create(
        assessment=submitted, reviewer=peer_reviewer, created_by=coordinator
    )

    html = client_for(coventry_lead).get(url("publish_assessment", submitted)).content.decode()

    assert "Self-assessed" in html
    assert "published as a self-assessment without review" in html
    assert "their assignments end" in html
    assert "Agreed score" not in html


def test_a_lead_publishes_through_the_confirmation_page(
    reviewed, coventry_lead, coventry_contributor, client_for
):
    client = client_for(coventry_lead)
    response = publish_through_pages(client, reviewed)

    assert response.status_code == 302
    assert response["Location"] == url("assessment", reviewed)
    reviewed.refresh_from_db()
    assert reviewed.status == Status.PUBLISHED
    publication = Publication.objects.get(pk=reviewed.pk)
    assert publication.published_by == coventry_lead
    assert publication.review_type == "peer_reviewed"
    assert publication.points.get(number=1).evidence == "We met **forty residents**."
    # The success banner links to the public report.
    task_list = client.get(response["Location"]).content.decode()
    assert "govuk-notification-banner--success" in task_list
    assert f'href="{report_url(reviewed)}"' in task_list
    run_tasks()
    assert coventry_contributor.email in {address for m in mail.outbox for address in m.to}


def test_what_changed_since_the_confirmation_is_not_published(reviewed, coventry_lead, client_for):
    client = client_for(coventry_lead)
    page = client.get(url("publish_assessment", reviewed))
    services.respond_to_review(
        reviewed, by=coventry_lead, revision=reviewed.review.revision, response="We agree."
    )

    response = client.post(url("publish_assessment", reviewed), {"shown": shown(page)})

    assert response.status_code == 409
    assert "We agree." in response.content.decode()  # the page as it is now
    assert not Publication.objects.exists()
    assert status_of(reviewed) == Status.REVIEWED


def status_of(assessment):
    assessment.refresh_from_db()
    return assessment.status


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("coventry_contributor", 403),
        ("leeds_lead_coventry_contributor", 403),
        ("coordinator", 403),
        ("peer_reviewer", 403),
        ("leeds_lead", 404),
    ],
)
def test_only_a_lead_of_the_council_publishes(reviewed, request, person, status, client_for):
    user = request.getfixturevalue(person)
    client = client_for(user)

    assert client.get(url("publish_assessment", reviewed)).status_code == status
    assert client.post(url("publish_assessment", reviewed), {"shown": "x"}).status_code == status
    assert not Publication.objects.exists()
    assert status_of(reviewed) == Status.REVIEWED


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_is_published(reviewed, client):
    response = client.post(url("publish_assessment", reviewed), {"shown": "x"})

    assert response.status_code == 302
    assert reverse("assessments:sign_in") in response["Location"]
    assert not Publication.objects.exists()


def test_publishing_twice_publishes_once(reviewed, coventry_lead, client_for):
    client = client_for(coventry_lead)
    page = client.get(url("publish_assessment", reviewed))
    client.post(url("publish_assessment", reviewed), {"shown": shown(page)})

    again = client.post(url("publish_assessment", reviewed), {"shown": shown(page)})

    assert again.status_code == 302
    assert Publication.objects.count() == 1
    assert StatusChange.objects.filter(assessment=reviewed, to_status=Status.PUBLISHED).count() == 1


def test_a_lead_whose_assessment_went_into_review_meanwhile_is_told_and_nothing_is_published(
    submitted, coventry_lead, coordinator, peer_reviewer, client_for
):
    client = client_for(coventry_lead)
    page = client.get(url("publish_assessment", submitted))
    begin_review(submitted, coordinator=coordinator, lead=peer_reviewer)

    response = client.post(
        url("publish_assessment", submitted), {"shown": shown(page)}, follow=True
    )

    assert "Nothing was changed: the assessment is now in peer review" in response.content.decode()
    assert not Publication.objects.exists()
    assert status_of(submitted) == Status.IN_REVIEW


def test_publishing_a_submitted_assessment_publishes_it_self_assessed(
    submitted, coventry_lead, client_for
):
    publish_through_pages(client_for(coventry_lead), submitted)

    publication = Publication.objects.get(pk=submitted.pk)
    assert publication.review_type == "self_assessed"
    assert publication.agreed_total is None


def test_publish_is_offered_where_a_lead_looks(
    reviewed, coventry_lead, coventry_contributor, client_for
):
    publish = url("publish_assessment", reviewed)
    lead = client_for(coventry_lead)
    contributor = client_for(coventry_contributor)

    for page in (
        url("assessment", reviewed),
        url("review_outcome", reviewed),
        reviewed.service.get_absolute_url(),
    ):
        assert publish in lead.get(page).content.decode(), page
        assert publish not in contributor.get(page).content.decode(), page


# --- Withdrawing a publication -------------------------------------------------------


@pytest.fixture
def published(reviewed, coventry_lead):
    services.respond_to_review(
        reviewed, by=coventry_lead, revision=reviewed.review.revision, response="We accept it."
    )
    services.publish(reviewed, by=coventry_lead)
    reviewed.refresh_from_db()
    return reviewed


@pytest.mark.parametrize("person", ["coventry_lead", "coordinator"])
def test_a_lead_or_a_coordinator_withdraws_a_publication_with_a_public_reason(
    published, request, person, client_for, client
):
    user = request.getfixturevalue(person)
    response = client_for(user).post(
        url("withdraw_publication", published), {"reason": "The scores were not checked."}
    )

    assert response.status_code == 302
    publication = Publication.objects.get(pk=published.pk)
    assert publication.withdrawn_by == user
    assert publication.withdrawn_reason == "The scores were not checked."
    assert status_of(published) == Status.UNPUBLISHED
    report = client.get(report_url(published)).content.decode()
    assert "withdrew this publication on" in report
    assert "The scores were not checked." in report


def test_a_withdrawal_without_a_reason_is_refused_with_an_error(
    published, coventry_lead, client_for
):
    response = client_for(coventry_lead).post(
        url("withdraw_publication", published), {"reason": ""}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert 'href="#id_reason"' in html
    assert "Enter why you are withdrawing the publication" in html
    assert outline(response)[1].startswith("Error: ")
    assert not Publication.objects.get(pk=published.pk).is_withdrawn


def test_a_reason_too_long_comes_back_as_typed(published, coventry_lead, client_for):
    typed = "Too long. " * 250
    response = client_for(coventry_lead).post(
        url("withdraw_publication", published), {"reason": typed}
    )

    assert "The reason must be 2,000 characters or fewer" in response.content.decode()
    assert typed.strip() in response.content.decode()
    assert not Publication.objects.get(pk=published.pk).is_withdrawn


@pytest.mark.parametrize("person", ["coventry_contributor", "peer_reviewer"])
def test_others_cannot_withdraw_a_publication(published, request, person, client_for):
    client = client_for(request.getfixturevalue(person))

    response = client.post(url("withdraw_publication", published), {"reason": "No."})

    assert response.status_code == 403
    assert not Publication.objects.get(pk=published.pk).is_withdrawn


# --- A coordinator's correction ------------------------------------------------------


def test_a_coordinator_corrects_a_published_text_shown_with_its_reason(
    published, coordinator, client_for, client
):
    coordinator_client = client_for(coordinator)
    address = url("correct_publication", published)
    first = coordinator_client.get(address)
    assert first.status_code == 200
    second = coordinator_client.get(address, {"point": "1", "field": "evidence"})
    assert "We met **forty residents**." in second.content.decode()  # to correct

    response = coordinator_client.post(
        address,
        {
            "point": "1",
            "field": "evidence",
            "text": "We met forty residents.",
            "reason": "The emphasis was added by mistake.",
        },
    )

    assert response.status_code == 302
    correction = Correction.objects.get(publication=published.pk)
    assert (correction.old_text, correction.new_text) == (
        "We met **forty residents**.",
        "We met forty residents.",
    )
    assert correction.made_by == coordinator
    assert PublishedPoint.objects.get(publication=published.pk, number=1).evidence == (
        "We met forty residents."
    )
    report = client.get(report_url(published)).content.decode()
    assert "The emphasis was added by mistake." in report
    assert "<strong>forty residents</strong>" not in report
    history = coordinator_client.get(url("assessment_history", published)).content.decode()
    assert "Corrected the publication" in history
    assert "Published text: We met **forty residents**." in history


def test_a_correction_without_a_reason_keeps_what_was_typed(published, coordinator, client_for):
    response = client_for(coordinator).post(
        url("correct_publication", published),
        {"point": "1", "field": "done_well", "text": "Kind words, corrected.", "reason": " "},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter why the text is corrected" in html
    assert 'href="#id_reason"' in html
    assert "Kind words, corrected." in html
    assert not Correction.objects.exists()


def test_a_correction_that_changes_nothing_is_refused_on_the_text(
    published, coordinator, client_for
):
    response = client_for(coordinator).post(
        url("correct_publication", published),
        {
            "point": "1",
            "field": "done_well",
            "text": "Agreed strengths on point 1.",
            "reason": "Checking.",
        },
    )

    assert "The corrected text is the same as the published one" in response.content.decode()
    assert 'href="#id_text"' in response.content.decode()
    assert not Correction.objects.exists()


def test_choosing_nothing_to_correct_shows_errors(published, coordinator, client_for):
    response = client_for(coordinator).get(
        url("correct_publication", published), {"point": "", "field": ""}
    )

    assert "Select the point to correct" in response.content.decode()
    assert "Select the text to correct" in response.content.decode()


def test_a_point_that_applies_has_no_reason_to_correct(published, coordinator, client_for):
    response = client_for(coordinator).get(
        url("correct_publication", published), {"point": "1", "field": "not_applicable_reason"}
    )

    assert "Point 1 applies, so it has no reason it does not apply" in response.content.decode()
    assert "Correct point 1" not in response.content.decode()


def test_a_self_assessment_offers_no_reviewers_comments_to_correct(
    submitted, coventry_lead, coordinator, client_for
):
    services.publish(submitted, by=coventry_lead)
    client = client_for(coordinator)
    address = url("correct_publication", submitted)

    assert "What the team has done well" not in client.get(address).content.decode()
    # Posted anyway, as if the hidden fields had been changed: nothing is corrected.
    response = client.post(
        address, {"point": "1", "field": "done_well", "text": "Praise.", "reason": "Because."}
    )
    assert response.status_code == 302
    assert not Correction.objects.exists()
    assert PublishedPoint.objects.get(publication=submitted.pk, number=1).done_well == ""


@pytest.mark.parametrize("person", ["coventry_lead", "peer_reviewer"])
def test_only_a_coordinator_corrects(published, request, person, client_for):
    response = client_for(request.getfixturevalue(person)).post(
        url("correct_publication", published),
        {"point": "1", "field": "evidence", "text": "Changed.", "reason": "Because."},
    )

    assert response.status_code == 403
    assert not Correction.objects.exists()
    assert PublishedPoint.objects.get(publication=published.pk, number=1).evidence != "Changed."


def test_a_coordinator_not_yet_verified_is_asked_for_a_code_and_nothing_is_corrected(
    published, coordinator, client_for
):
    response = client_for(coordinator, verified=False).post(
        url("correct_publication", published),
        {"point": "1", "field": "evidence", "text": "Changed.", "reason": "Because."},
    )

    assert response.status_code == 302
    assert not Correction.objects.exists()


# --- The public report ---------------------------------------------------------------


def test_the_report_of_a_peer_reviewed_assessment(published, client):
    response = client.get(report_url(published))

    html = response.content.decode()
    assert response.status_code == 200
    h1_count, title = outline(response)
    assert h1_count == 1
    assert title.startswith(
        f"{published.service.name}, {published.service.council.official_name}: peer reviewed "
        f"assessment published {timezone.localdate():%-d %B %Y}"
    )
    assert 'href="/councils/cov/"' in html
    assert "Peer reviewed" in html
    assert "Peer reviewer" in html
    assert "Independent assessor" in html
    assert "Meets the Standard, with actions" in html
    assert "A service that knows its users." in html
    assert "worked out from the scores the reviewers agreed" in html
    assert "<strong>forty residents</strong>" in html
    assert 'href="https://example.org/research"' in html
    assert "Agreed questions on point 1." in html
    assert "We accept it." in html
    assert "Review completed" in html


def test_the_report_reads_the_frozen_record_not_the_live_assessment(published, client):
    service = published.service
    service.name = "Renamed since"
    service.save(update_fields=["name"])
    PointAssessment.objects.filter(assessment=published).update(evidence="Rewritten since.")

    with CaptureQueriesContext(connection) as queries:
        html = client.get(report_url(published)).content.decode()

    assert "Renamed since" not in html
    assert "Rewritten since." not in html
    live = (
        "assessments_assessment",
        "assessments_pointassessment",
        "assessments_evidencelink",
        "assessments_review",
        "assessments_agreedpoint",
        "assessments_service",
        "assessments_council",
    )
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert not any(f'"{table}"' in read for table in live)


def test_a_self_assessed_report_is_labelled(submitted, coventry_lead, client):
    services.publish(submitted, by=coventry_lead)

    html = client.get(report_url(submitted)).content.decode()

    assert "Self-assessed" in html
    assert "no other council has checked them" in html
    assert "Agreed score" not in html


def test_a_withdrawn_report_has_its_notice_at_the_top_and_stays_readable(
    published, coventry_lead, client
):
    services.withdraw_publication(published, by=coventry_lead, reason="Published too early.")

    response = client.get(report_url(published))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Published too early.") < html.index("<h1")
    assert "(withdrawn)" in outline(response)[1]
    assert "<strong>forty residents</strong>" in html


def _republish(service, lead, score, days_later):
    """Another assessment of the same service, scored `score`, published `days_later`."""
    assessment = services.start_assessment(service, by=lead, phase="beta")
    PointAssessment.objects.filter(assessment=assessment).update(score=score, evidence="Again.")
    services.submit(assessment, by=lead)
    services.publish(assessment, by=lead)
    Publication.objects.filter(pk=assessment.pk).update(
        published_at=timezone.now() + timedelta(days=days_later)
    )
    return assessment


def test_the_report_links_earlier_publications_with_the_change_on_each_point(
    submitted, coventry_lead, client
):
    services.publish(submitted, by=coventry_lead)  # every point 2
    later = _republish(submitted.service, coventry_lead, 3, days_later=1)
    first_date = Publication.objects.get(pk=submitted.pk).published_at

    html = client.get(report_url(later)).content.decode()

    assert f'href="{report_url(submitted)}"' in html
    assert f"+1 since {timezone.localtime(first_date):%-d %B %Y}" in html
    earlier = client.get(report_url(submitted)).content.decode()
    assert "A newer assessment of this service was published" in earlier
    assert f'href="{report_url(later)}"' in earlier


def test_a_withdrawn_earlier_publication_is_not_linked(submitted, coventry_lead, client):
    services.publish(submitted, by=coventry_lead)
    services.withdraw_publication(submitted, by=coventry_lead, reason="Wrong.")
    later = _republish(submitted.service, coventry_lead, 3, days_later=1)

    html = client.get(report_url(later)).content.decode()

    assert f'href="{report_url(submitted)}"' not in html
    assert "has published no earlier assessment of this service" in html


@pytest.mark.parametrize("earlier", [1, 3])
def test_the_report_makes_the_same_queries_however_many_earlier_publications(
    submitted, coventry_lead, client, earlier, django_assert_max_num_queries
):
    services.publish(submitted, by=coventry_lead)
    latest = submitted
    for days in range(1, earlier + 1):
        latest = _republish(submitted.service, coventry_lead, 3, days_later=days)
    Correction.objects.create(
        publication_id=latest.pk,
        point_number=1,
        field=CorrectableField.EVIDENCE,
        old_text="Again.",
        new_text="Again, corrected.",
        reason="A typo.",
        made_at=timezone.now(),
    )

    # The session and the user are not read for an anonymous visitor: the publication,
    # its points, its corrections, the earlier and the later ones, the points before.
    with django_assert_max_num_queries(6):
        response = client.get(report_url(latest))
    assert response.status_code == 200


# --- History -------------------------------------------------------------------------


def test_the_history_tells_of_publishing_and_withdrawing(published, coventry_lead, client_for):
    services.withdraw_publication(published, by=coventry_lead, reason="Published too early.")

    html = client_for(coventry_lead).get(url("assessment_history", published)).content.decode()

    assert "Published the assessment" in html
    assert "Published as peer reviewed" in html
    assert "Withdrew the publication" in html
    assert "Published too early." in html
    assert f'href="{report_url(published)}"' in html
    assert AssessmentEvent.objects.filter(
        assessment=published, kind=EventKind.PUBLICATION_WITHDRAWN
    ).exists()


# --- How a change of score is told ---------------------------------------------------


@pytest.mark.parametrize(
    ("now", "before", "words"),
    [
        ((4, False), (3, False), "+1 since 12 March 2026"),
        ((1, False), (3, False), "\N{MINUS SIGN}2 since 12 March 2026"),
        ((3, False), (3, False), "No change since 12 March 2026"),
        ((None, True), (3, False), "Not applicable now; 3 on 12 March 2026"),
        ((3, False), (None, True), "Not applicable on 12 March 2026"),
        ((None, True), (None, True), "Not applicable now or on 12 March 2026"),
    ],
)
def test_the_change_on_a_point_since_an_earlier_publication(now, before, words):
    def point(score, not_applicable):
        return PublishedPoint(score=score, not_applicable=not_applicable)

    since = timezone.make_aware(datetime(2026, 3, 12, 10))

    assert score_change(point(*now), point(*before), since) == words
    assert score_change(point(*now), None, since) == ""
