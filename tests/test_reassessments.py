"""A new assessment of a service waits until the last one submitted is finished.

Submitted means waiting for peer review; a withdrawn assessment is finished. Meanwhile
the services list shows the latest submitted assessment and the one in progress apart.
"""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, AssessmentEvent, Service
from tests.html import outline, table_rows


@pytest.fixture
def bins(coventry, standard):
    return Service.objects.create(
        council=coventry, name="Report a missed bin collection", phase="beta"
    )


def submitted(service, lead):
    assessment = services.start_assessment(service, by=lead, phase=service.phase)
    for answer in assessment.points.all():
        services.save_point(
            answer,
            by=lead,
            revision=0,
            score=3,
            not_applicable=False,
            reason="",
            evidence="We did it.",
            links=[],
        )
    services.submit(assessment, by=lead)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def waiting(bins, coventry_lead):
    """An assessment of the bins service, submitted and waiting for peer review."""
    return submitted(bins, coventry_lead)


def start_url(service):
    return reverse("assessments:start_assessment", args=["cov", service.pk])


def test_the_rule_refuses_a_start_while_an_assessment_waits_for_review(
    waiting, coventry_lead, coventry_contributor
):
    assert not coventry_lead.has_perm("assessments.start_assessment", waiting.service)
    assert not coventry_contributor.has_perm("assessments.start_assessment", waiting.service)


def test_a_withdrawn_assessment_is_finished_and_a_new_one_may_start(waiting, coventry_lead):
    services.withdraw(waiting, by=coventry_lead, reason="We found a mistake in point 4.")
    assert coventry_lead.has_perm("assessments.start_assessment", waiting.service)
    again = services.start_assessment(
        waiting.service, by=coventry_lead, phase="beta", carry_forward=True
    )
    assert again.started_from == waiting
    assert again.points.get(point__number=1).evidence == "We did it."


def test_the_workflow_function_refuses_and_creates_nothing(waiting, coventry_lead):
    before = (Assessment.objects.count(), AssessmentEvent.objects.count())
    with pytest.raises(PermissionDenied):
        services.start_assessment(waiting.service, by=coventry_lead, phase="live")
    assert (Assessment.objects.count(), AssessmentEvent.objects.count()) == before


def test_the_start_page_says_why_and_links_to_the_assessment_waiting(
    client_for, waiting, coventry_contributor
):
    response = client_for(coventry_contributor).get(start_url(waiting.service))
    assert response.status_code == 409
    html = response.content.decode()
    assert outline(response)[0] == 1
    assert "You cannot start a new assessment yet" in html
    assert "is waiting for peer review" in html
    assert reverse("assessments:assessment", args=["cov", waiting.pk]) in html
    main = html.split('id="main-content"')[1].split("</main>")[0]
    assert "<form" not in main


def test_posting_the_start_form_anyway_is_refused_and_creates_nothing(
    client_for, waiting, coventry_lead
):
    count = Assessment.objects.count()
    response = client_for(coventry_lead).post(start_url(waiting.service), {"phase": "live"})
    assert response.status_code == 409
    assert Assessment.objects.count() == count


def test_coordinators_still_may_not_start_one(client_for, waiting, coordinator):
    assert client_for(coordinator).get(start_url(waiting.service)).status_code == 403


def test_the_service_page_says_why_instead_of_offering_to_start(client_for, waiting, coventry_lead):
    html = client_for(coventry_lead).get(waiting.service.get_absolute_url()).content.decode()
    assert "Start an assessment" not in html
    assert "A new assessment can start once the review is finished" in html
    assert reverse("assessments:assessment", args=["cov", waiting.pk]) in html


def test_the_services_list_shows_the_latest_submitted_and_the_draft_apart(
    client_for, waiting, coventry_lead
):
    services.withdraw(waiting, by=coventry_lead, reason="Wrong phase.")
    draft = services.start_assessment(waiting.service, by=coventry_lead, phase="live")
    response = client_for(coventry_lead).get(reverse("assessments:service_list", args=["cov"]))
    html = response.content.decode()
    headers = re.findall(r'<th scope="col" class="govuk-table__header">(.*?)</th>', html)
    assert headers == [
        "Service",
        "Phase",
        "Built in house or bought",
        "Latest submitted",
        "In progress",
    ]
    [row] = table_rows(html)
    submitted_on = f"{timezone.localtime(waiting.submitted_at):%-d %B %Y}"
    started_on = f"{timezone.localtime(draft.created_at):%-d %B %Y}"
    name = "Report a missed bin collection"
    assert row[3] == f"Withdrawn {name}, assessment submitted {submitted_on}"
    assert row[4] == f"{name}, Draft started {started_on}"
    assert reverse("assessments:assessment", args=["cov", waiting.pk]) in html
    assert reverse("assessments:assessment", args=["cov", draft.pk]) in html


def test_the_services_list_says_when_nothing_was_submitted_or_is_in_progress(
    client_for, bins, coventry_lead
):
    html = client_for(coventry_lead).get(reverse("assessments:service_list", args=["cov"]))
    [row] = table_rows(html.content.decode())
    assert row[3:] == ["None yet", "None"]
