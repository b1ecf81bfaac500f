"""Your work: where signed-in people land, with the drafts to continue and the
assessments submitted for their councils, and for coordinators what waits for peer
review across the scheme."""

import pytest
from django.urls import reverse

from assessments import scoring, services
from assessments.models import PointAssessment, Service
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.html import assert_ids_sound, outline, table_rows

YOUR_WORK = reverse("assessments:your_work")


def start(council, lead, name, answered=0):
    service = Service.objects.create(council=council, name=name, phase="beta")
    draft = services.start_assessment(service, by=lead, phase="beta")
    for answer in draft.points.order_by("point__number")[:answered]:
        services.save_point(
            answer,
            by=lead,
            revision=0,
            score=4,
            not_applicable=False,
            reason="",
            evidence="Done.",
            links=[],
        )
    return draft


def submit(council, lead, name):
    assessment = start(council, lead, name, answered=15)
    services.submit(assessment, by=lead)
    return assessment


def tables(response):
    """{caption: rows} for every table on the page."""
    html = response.content.decode()
    found = {}
    for part in html.split("<table")[1:]:
        caption = part.split("</caption>")[0].rsplit(">", 1)[-1].strip()
        found[caption] = table_rows("<table" + part.split("</table>")[0])
    return found


def test_signing_in_lands_on_your_work(client, coventry_lead):
    response = client.post(
        reverse("assessments:sign_in"), {"email": "lead@coventry.example", "password": PASSWORD}
    )
    assert response["Location"] == YOUR_WORK


def test_signing_in_still_returns_to_a_safe_page_asked_for(client, coventry_lead):
    data = {"email": "lead@coventry.example", "password": PASSWORD}
    assert client.post(reverse("assessments:sign_in"), {**data, "next": "/standard/3/"})[
        "Location"
    ] == ("/standard/3/")
    client.logout()
    unsafe = client.post(reverse("assessments:sign_in"), {**data, "next": "//evil.example/"})
    assert unsafe["Location"] == YOUR_WORK


def test_anonymous_visitors_are_asked_to_sign_in(client, db):
    response = client.get(YOUR_WORK)
    assert response["Location"] == f"{reverse('assessments:sign_in')}?next={YOUR_WORK}"


def test_a_member_sees_their_councils_drafts_and_submitted_assessments(
    client_for, standard, coventry, leeds, coventry_lead, leeds_lead
):
    draft = start(coventry, coventry_lead, "Report a missed bin", answered=5)
    sent = submit(coventry, coventry_lead, "Apply for a parking permit")
    start(leeds, leeds_lead, "Leeds bins")  # another council's: not shown
    response = client_for(coventry_lead).get(YOUR_WORK)
    assert outline(response) == (1, "Your work – Council digital service assessments")
    assert_ids_sound(response)
    found = tables(response)
    [row] = found["Drafts to continue"]
    assert row[:4] == ["Report a missed bin", "Coventry", "Beta", "5 of 15 points completed"]
    [row] = found["Submitted assessments"]
    assert row[:4] == [
        "Apply for a parking permit",
        "Coventry",
        "Beta",
        "Submitted for peer review",
    ]
    assert row[5] == "Green"
    html = response.content.decode()
    assert reverse("assessments:assessment", args=["cov", draft.pk]) in html
    assert reverse("assessments:assessment", args=["cov", sent.pk]) in html
    assert "Leeds bins" not in html
    assert "Waiting for peer review" not in html, "for coordinators only"


def test_points_count_as_completed_as_the_summary_counts_them(
    client_for, standard, coventry, coventry_lead
):
    """The page reads whether the evidence and the reason say anything, not their text:
    the same points count as completed as when the answers themselves are summarised."""
    draft = start(coventry, coventry_lead, "Mixed answers")
    first, second, third, fourth, fifth = draft.points.order_by("point__number")[:5]
    answers = PointAssessment.objects
    answers.filter(pk=first.pk).update(score=3, evidence="Shown in the research")
    answers.filter(pk=second.pk).update(score=3, evidence="   ")  # no evidence
    answers.filter(pk=third.pk).update(not_applicable=True, not_applicable_reason="Not ours")
    answers.filter(pk=fourth.pk).update(not_applicable=True, not_applicable_reason=" ")
    answers.filter(pk=fifth.pk).update(evidence="Notes, no score yet")
    expected = scoring.summarise(draft.points.all())
    assert expected.completed == 2

    [row] = tables(client_for(coventry_lead).get(YOUR_WORK))["Drafts to continue"]

    assert row[3] == "2 of 15 points completed"


def test_someone_in_two_councils_sees_both(
    client_for,
    standard,
    coventry,
    leeds,
    coventry_lead,
    leeds_lead,
    leeds_lead_coventry_contributor,
):
    start(coventry, coventry_lead, "Coventry bins")
    start(leeds, leeds_lead, "Leeds bins")
    rows = tables(client_for(leeds_lead_coventry_contributor).get(YOUR_WORK))
    assert sorted(row[0] for row in rows["Drafts to continue"]) == ["Coventry bins", "Leeds bins"]


def test_a_coordinator_sees_what_waits_for_review_across_the_scheme_oldest_first(
    client_for, standard, coventry, leeds, coventry_lead, leeds_lead, coordinator
):
    first = submit(leeds, leeds_lead, "Leeds bins")
    submit(coventry, coventry_lead, "Coventry bins")
    services.withdraw(
        submit(coventry, coventry_lead, "Withdrawn one"), by=coventry_lead, reason="Oops."
    )
    start(coventry, coventry_lead, "A draft")
    response = client_for(coordinator).get(YOUR_WORK)
    rows = tables(response)["Waiting for peer review"]
    assert [row[:2] for row in rows] == [["Leeds bins", "Leeds"], ["Coventry bins", "Coventry"]]
    assert reverse("assessments:assessment", args=["lds", first.pk]) in response.content.decode()
    assert "A draft" not in response.content.decode()


def test_someone_in_no_council_is_told_why_the_page_is_empty(client_for, db):
    nobody = UserFactory(email="nobody@lgdss.example")
    html = client_for(nobody).get(YOUR_WORK).content.decode()
    assert "You are not a member of any council" in html
    assert "<table" not in html


def test_the_header_links_to_your_work_for_signed_in_people_only(
    client, client_for, coventry_lead, standard
):
    link = f'href="{YOUR_WORK}"'
    assert link in client_for(coventry_lead).get(reverse("home")).content.decode()
    assert link not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_query_count_does_not_grow_with_assessments(
    client_for,
    standard,
    coventry,
    leeds,
    coventry_lead,
    leeds_lead,
    coordinator,
    count,
    django_assert_num_queries,
):
    for number in range(count):
        start(coventry, coventry_lead, f"Draft {number}", answered=2)
        submit(coventry, coventry_lead, f"Sent {number}")
        submit(leeds, leeds_lead, f"Leeds {number}")
    for person, queries, table, rows in [
        (coventry_lead, 9, "Drafts to continue", count),
        (coordinator, 6, "Waiting for peer review", 2 * count),
    ]:
        client = client_for(person)
        client.get(YOUR_WORK)
        # Session and user; the person's councils; for members, drafts and submitted
        # assessments and their answers' figures (one query for both lists), and Django's own permissions (two) when the
        # rules refuse the list waiting for review; for coordinators, that list and the
        # review queue's counts; whether the person uses two-factor authentication (one:
        # for a coordinator, django-otp reading their app). The session, saved by the
        # page before, is not saved again.
        with django_assert_num_queries(queries):
            response = client.get(YOUR_WORK)
        assert len(tables(response)[table]) == rows


def test_a_reviewer_is_led_to_their_review_while_it_runs_and_to_its_outcome_after(
    client_for, in_review, peer_reviewer, coventry_lead
):
    from tests.factories_reviews import complete

    def link():
        page = client_for(peer_reviewer).get(reverse("assessments:your_work")).content.decode()
        return [
            address
            for name in ("review_task_list", "review_outcome", "assessment")
            if (address := reverse(f"assessments:{name}", args=["cov", in_review.pk])) + '"' in page
        ]

    assert link() == [reverse("assessments:review_task_list", args=["cov", in_review.pk])]
    complete(in_review, peer_reviewer)
    assert link() == [reverse("assessments:review_outcome", args=["cov", in_review.pk])]
