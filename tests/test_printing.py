"""Printing an assessment, or saving it as a PDF, for a meeting: a page made for paper
that says what the assessment is, and links to it where people look."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Service
from tests.conftest import HIDDEN, OK, PERSONAS, SIGN_IN
from tests.html import assert_ids_sound, outline

BUILD = Path(__file__).resolve().parent.parent / "static" / "build"


@pytest.fixture
def bins(coventry, standard):
    return Service.objects.create(
        council=coventry, name="Report a missed bin collection", phase="beta"
    )


@pytest.fixture
def submitted(bins, coventry_lead):
    assessment = services.start_assessment(bins, by=coventry_lead, phase="beta")
    for answer in assessment.points.order_by("point__number"):
        number = answer.point.number
        services.save_point(
            answer,
            by=coventry_lead,
            revision=0,
            score=None if number == 9 else 4,
            not_applicable=number == 9,
            reason="No back office yet." if number == 9 else "",
            evidence="We interviewed 12 residents: https://example.com/research"
            if number == 1
            else "Done.",
            links=[("Survey results", "https://example.com/survey")] if number == 1 else [],
        )
    services.submit(assessment, by=coventry_lead)
    assessment.refresh_from_db()
    return assessment


def url(name, assessment):
    return reverse(f"assessments:{name}", args=["cov", assessment.pk])


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_printout_says_what_the_assessment_is_and_its_results(
    client_for, submitted, coventry_lead
):
    response = client_for(coventry_lead).get(url("print_assessment", submitted))
    assert outline(response) == (
        1,
        "Assessment of Report a missed bin collection to print or save – "
        "Council digital service assessments",
    )
    assert_ids_sound(response)
    page = text(response.content.decode())
    submitted_on = f"{timezone.localtime(submitted.submitted_at):%-d %B %Y}"
    for fact in [
        "Council Coventry City Council",
        "Service Report a missed bin collection",
        "Phase Beta",
        "Status Submitted for peer review",
        f"Submitted for peer review {submitted_on} by Cara Lead",
        "Standard Local Government Digital Service Standard 1.0",
        "Total score 56 out of 70 (14 of 15 points apply)",
        "Average score 4.0 out of 5 per applicable point",
        "Points met 14 of 14 applicable points (100%)",
        "Rating Green",
        "1. Understand user needs 4 – Strong",
        "9. Make and test a plan for being offline Not applicable at this phase No back office yet.",
    ]:
        assert fact in page, fact


def test_a_link_whose_text_is_its_address_is_marked_so_print_shows_the_address_once(
    client_for, submitted, coventry_lead
):
    html = client_for(coventry_lead).get(url("print_assessment", submitted)).content.decode()
    assert re.search(r'class="govuk-link app-link--bare" href="https://example.com/research"', html)
    assert re.search(
        r'class="govuk-link" href="https://example.com/survey"[^>]*>Survey results', html
    )


def test_evidence_link_tag_marks_links_titled_with_their_address():
    template = Template("{% load presenters %}{% evidence_link link %}")
    bare = template.render(
        Context({"link": {"title": "https://a.example/x", "url": "https://a.example/x"}})
    )
    titled = template.render(Context({"link": {"title": "Report", "url": "https://a.example/x"}}))
    assert 'class="govuk-link app-link--bare"' in bare
    assert 'class="govuk-link"' in titled
    assert 'rel="nofollow noopener noreferrer"' in titled


def test_the_print_stylesheet_does_not_write_a_bare_links_address_again():
    css = (BUILD / "app.css").read_text()
    assert ".govuk-link.app-link--bare[href]::after{content:none}" in css
    assert (
        '.app-evidence a[href^=http]:not(.app-link--bare)::after{content:" (" attr(href) ")"' in css
    )


def test_other_links_showing_their_address_are_marked_bare(client_for, bins, coventry_lead, client):
    Service.objects.filter(pk=bins.pk).update(url="https://www.coventry.gov.uk/bins")
    html = client_for(coventry_lead).get(bins.get_absolute_url()).content.decode()
    assert '<a class="govuk-link app-link--bare" href="https://www.coventry.gov.uk/bins">' in html
    about = client.get(reverse("standard:about")).content.decode()
    assert '<a class="govuk-link app-link--bare" href="https://localgov.digital' in about


def test_a_submitted_assessments_task_list_links_to_the_printout(
    client_for, submitted, coventry_lead
):
    html = client_for(coventry_lead).get(url("assessment", submitted)).content.decode()
    assert (
        f'<a class="govuk-link" href="{url("print_assessment", submitted)}">Print or save as PDF</a>'
        in html
    )


def test_a_drafts_task_list_does_not_offer_the_printout(client_for, bins, coventry_lead):
    draft = services.start_assessment(bins, by=coventry_lead, phase="beta")
    html = client_for(coventry_lead).get(url("assessment", draft)).content.decode()
    assert "Print or save as PDF" not in html


def test_the_print_link_include_renders_for_any_assessment(submitted):
    html = Template('{% include "assessments/assessments/_print_link.html" %}').render(
        Context({"assessment": submitted, "council": submitted.service.council})
    )
    assert url("print_assessment", submitted) in html


def test_the_printout_works_without_javascript_and_loads_its_script_from_a_file(
    client_for, submitted, coventry_lead
):
    html = client_for(coventry_lead).get(url("print_assessment", submitted)).content.decode()
    assert "print command" in html, "what to do without the button"
    assert '<button type="button" class="govuk-button app-no-print" data-app-print hidden>' in html
    assert re.search(r'<script type="module" src="/static/print(\.[0-9a-f]+)?\.js">', html)


@pytest.mark.parametrize(
    ("persona", "expected"),
    list(zip(PERSONAS, [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, OK], strict=True)),
)
def test_who_may_print(client_for, people, submitted, persona, expected):
    response = client_for(people[persona]).get(url("print_assessment", submitted))
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("assessments:sign_in"))
    else:
        assert response.status_code == expected
