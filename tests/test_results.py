"""Results where people look: the task list, the service page, and a public page that
explains how they are worked out."""

import re

import pytest
from django.urls import reverse

from assessments import scoring, services
from assessments.models import Service
from tests.html import outline


@pytest.fixture
def bins(coventry, standard):
    return Service.objects.create(
        council=coventry, name="Report a missed bin collection", phase="beta"
    )


def assess(service, by, scores, *, submit=True):
    """An assessment of `service` with `scores` in point order ("na" for not applicable,
    None to leave a point unanswered), submitted unless `submit` is false."""
    assessment = services.start_assessment(service, by=by, phase=service.phase)
    for answer, score in zip(assessment.points.order_by("point__number"), scores, strict=False):
        if score is None:
            continue
        services.save_point(
            answer,
            by=by,
            revision=answer.revision,
            score=None if score == "na" else score,
            not_applicable=score == "na",
            reason="Nothing to test at this phase." if score == "na" else "",
            evidence="" if score == "na" else "Shown to the reviewer.",
            links=[],
        )
    if submit:
        services.submit(assessment, by=by)
    return assessment


def text(html):
    """The page's text, tags removed and spaces collapsed, for reading figures."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_task_list_shows_the_total_average_points_met_and_rating(client_for, bins, coventry_lead):
    assessment = assess(bins, coventry_lead, [4] * 12 + [2, "na", "na"])
    html = client_for(coventry_lead).get(
        reverse("assessments:assessment", args=["cov", assessment.pk])
    )
    page = text(html.content.decode())
    assert "Total score 50 out of 65 (13 of 15 points apply)" in page
    assert "Average score 3.8 out of 5 per applicable point" in page
    assert "Points met 12 of 13 applicable points (92%)" in page
    assert "Rating Amber" in page
    assert f'href="{reverse("scoring")}"' in html.content.decode()


def test_a_draft_shows_its_results_so_far(client_for, bins, coventry_lead):
    draft = assess(bins, coventry_lead, [5, 4], submit=False)
    page = text(
        client_for(coventry_lead)
        .get(reverse("assessments:assessment", args=["cov", draft.pk]))
        .content.decode()
    )
    assert "Results so far" in page
    assert "Average score 4.5 out of 5, from the 2 points scored so far" in page
    assert "Rating Not rated until every point is completed" in page


def test_service_page_shows_each_assessments_results(client_for, bins, coventry_lead):
    assess(bins, coventry_lead, [3] * 15)
    html = client_for(coventry_lead).get(bins.get_absolute_url()).content.decode()
    row = text(re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)[1])
    assert "45 out of 75 (average 3.0)" in row
    assert "15 of 15 (100%)" in row
    assert "Green" in row


@pytest.mark.parametrize("count", [1, 3])
def test_service_page_query_count_does_not_grow_with_assessments(
    client_for, bins, coventry_lead, count, django_assert_num_queries
):
    for _ in range(count):
        withdrawn = assess(bins, coventry_lead, [3] * 15)
        services.withdraw(withdrawn, by=coventry_lead, reason="To start again.")
    client = client_for(coventry_lead)
    client.get(bins.get_absolute_url())
    # Session, user, the service, the user's memberships (for the rules), the assessments,
    # their answers, whether one waits for review (the start rule); whether the person uses
    # two-factor authentication. The first request saved the session, so this one does not
    # (lgdss/sessions.py: at most once a minute).
    with django_assert_num_queries(8):
        client.get(bins.get_absolute_url())


def test_scoring_page_explains_the_model_to_anyone(client, standard):
    response = client.get(reverse("scoring"))
    assert response.status_code == 200
    assert outline(response) == (
        1,
        "How self-assessments are scored – Council digital service assessments",
    )
    page = text(response.content.decode())
    for level in scoring.LEVELS:
        assert f"{level.score} {level.name} {level.description}" in page
    for _, rule in scoring.RATING_RULE:
        assert rule in page
    assert "Average score" in page
    assert "the share of points met" in page


@pytest.mark.parametrize(
    "url",
    [
        reverse("standard:point_list"),
        reverse("standard:about"),
        reverse("standard:point_detail", args=[1]),
    ],
)
def test_the_standards_pages_link_to_the_scoring_page(client, standard, url):
    assert f'href="{reverse("scoring")}"' in client.get(url).content.decode()
