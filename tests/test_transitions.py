"""The one way an assessment changes state: the transition table and `change_state`.

Each test makes the change through the real function or view and reads the database:
the allowed move is there once, with its status change and history event; a refused
or repeated request changed nothing.
"""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import (
    Assessment,
    AssessmentEvent,
    ClarificationQuestion,
    ClarificationRound,
    Publication,
    Recommendation,
    Review,
    ReviewerAssignment,
    Role,
    Status,
    StatusChange,
)
from assessments.services.transitions import TRANSITIONS
from tests.factories import MembershipFactory, UserFactory
from tests.factories_assessments import make_assessment
from tests.factories_reviews import agree_every_point
from tests.factories_services import ServiceFactory
from tests.worker import run_tasks


@pytest.fixture
def bins(coventry):
    return ServiceFactory(council=coventry, name="Report a missed bin collection", phase="beta")


@pytest.fixture
def draft(standard, bins, coventry_lead):
    return make_assessment(bins, by=coventry_lead)


def complete(assessment, by):
    for answer in assessment.points.all():
        services.save_point(
            answer,
            by=by,
            revision=answer.revision,
            score=3,
            not_applicable=False,
            reason="",
            evidence="We ran 12 interviews.",
            links=[],
        )


@pytest.fixture
def submitted(draft, coventry_lead):
    complete(draft, coventry_lead)
    return services.submit(draft, by=coventry_lead)


def url(name, assessment):
    return reverse(f"assessments:{name}", args=["cov", assessment.pk])


def snapshot(assessment):
    """Everything a transition could change."""
    return (
        list(Assessment.objects.filter(pk=assessment.pk).values_list("status", "submitted_at")),
        list(StatusChange.objects.filter(assessment_id=assessment.pk).values_list("pk")),
        list(AssessmentEvent.objects.filter(assessment_id=assessment.pk).values_list("pk")),
        list(Publication.objects.filter(pk=assessment.pk).values_list("pk", "withdrawn_at")),
    )


# --- the table ---------------------------------------------------------------------------


def who_makes(name, assessment, coventry_lead, coordinator, peer_reviewer):
    """The person each transition is made by: the council's lead, unless peer review says
    a coordinator (starting the review) or the lead reviewer."""
    if name == "begin_review":
        return coordinator
    if name in ("request_clarification", "complete_review"):
        ReviewerAssignment.objects.create(
            assessment=assessment, reviewer=peer_reviewer, is_lead=True, confirmed_at=timezone.now()
        )
        if name == "request_clarification":  # asked with its round (services.discussion)
            ask_about_point_1(assessment, peer_reviewer)
        if name == "complete_review":  # its check: every point agreed, a summary (ADR 0016)
            Review.objects.create(
                assessment=assessment,
                due_on=timezone.localdate(),
                summary="Agreed.",
                recommendation=Recommendation.MEETS,
            )
            agree_every_point(assessment, peer_reviewer)
        return peer_reviewer
    if name == "send_back_clarification":  # made once the round is closed
        ask_about_point_1(assessment, peer_reviewer, answered_by=coventry_lead)
    if name == "publish" and assessment.status == Status.REVIEWED:  # its review complete
        Review.objects.create(
            assessment=assessment,
            due_on=timezone.localdate(),
            summary="Agreed.",
            recommendation=Recommendation.MEETS,
            completed_at=timezone.now(),
        )
        agree_every_point(assessment, peer_reviewer)
    if name == "withdraw_publication" and assessment.status == Status.PUBLISHED:
        services.transitions.write_publication(
            assessment, by=coventry_lead, at=timezone.now(), source=Status.SUBMITTED
        )
    return coventry_lead


def ask_about_point_1(assessment, lead_reviewer, answered_by=None):
    """A round of clarification with one question, answered if `answered_by` is given."""
    clarification = ClarificationRound.objects.create(
        assessment=assessment,
        number=1,
        requested_by=lead_reviewer,
        answered_by=answered_by,
        answered_at=timezone.now() if answered_by else None,
    )
    ClarificationQuestion.objects.create(
        round=clarification, point=assessment.standard.points.get(number=1), question="Why?"
    )


@pytest.mark.parametrize("name", list(TRANSITIONS))
@pytest.mark.parametrize("status", list(Status))
def test_a_transition_is_made_only_from_the_states_the_table_allows(
    bins, standard, coventry_lead, coordinator, peer_reviewer, name, status
):
    assessment = make_assessment(bins, by=coventry_lead)
    complete(assessment, coventry_lead)
    submitted_at = None if status == Status.DRAFT else timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(status=status, submitted_at=submitted_at)
    assessment.refresh_from_db()
    transition = TRANSITIONS[name]
    by = who_makes(name, assessment, coventry_lead, coordinator, peer_reviewer)
    before = snapshot(assessment)
    try:
        result = services.change_state(assessment, name, by=by, reason="Replaced")
    except services.AlreadyDone:
        assert status == transition.target
        assert snapshot(assessment) == before
    except services.NotAllowedNow:
        assert status not in transition.sources
        assert snapshot(assessment) == before
    else:
        assert status in transition.sources
        if transition.target is None:
            assert result is None
            assert not Assessment.objects.filter(pk=assessment.pk).exists()
        else:
            assert Assessment.objects.get(pk=assessment.pk).status == transition.target


def test_submitting_records_the_status_change_the_event_and_the_date(
    draft, coventry_lead, django_capture_on_commit_callbacks
):
    complete(draft, coventry_lead)
    submitted = services.submit(draft, by=coventry_lead)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    [change] = submitted.status_changes.all()
    assert (change.from_status, change.to_status, change.by, change.reason) == (
        Status.DRAFT,
        Status.SUBMITTED,
        coventry_lead,
        "",
    )
    assert submitted.submitted_at == change.at
    assert list(submitted.events.filter(kind="submitted").values_list("actor", flat=True)) == [
        coventry_lead.pk
    ]


def test_withdrawing_needs_a_reason_and_keeps_it_on_the_status_change(submitted, coventry_lead):
    before = snapshot(submitted)
    with pytest.raises(ValidationError):
        services.withdraw(submitted, by=coventry_lead, reason="   ")
    assert snapshot(submitted) == before

    services.withdraw(submitted, by=coventry_lead, reason="  Replaced by a new service. ")
    change = submitted.last_change_to(Status.WITHDRAWN)
    assert (change.from_status, change.reason, change.by) == (
        Status.SUBMITTED,
        "Replaced by a new service.",
        coventry_lead,
    )
    event = submitted.events.get(kind="withdrawn")
    assert event.detail == "Replaced by a new service."


def test_a_second_submission_stamps_nothing_new(submitted, coventry_lead):
    first = Assessment.objects.get(pk=submitted.pk).submitted_at
    with pytest.raises(services.AlreadyDone):
        services.submit(submitted, by=coventry_lead)
    assert Assessment.objects.get(pk=submitted.pk).submitted_at == first
    assert submitted.status_changes.count() == 1


@pytest.mark.parametrize(
    ("name", "persona"),
    [
        ("submit", "coventry_contributor"),
        ("submit", "leeds_lead"),
        ("submit", "peer_reviewer"),
        ("submit", "coordinator"),
        ("submit", "leeds_lead_coventry_contributor"),
        ("delete", "coventry_contributor"),
        ("delete", "coordinator"),
        ("delete", "leeds_lead_coventry_contributor"),
    ],
)
def test_a_person_without_the_permission_changes_nothing(
    request, draft, coventry_lead, name, persona
):
    complete(draft, coventry_lead)
    before = snapshot(draft)
    with pytest.raises(PermissionDenied):
        services.change_state(draft, name, by=request.getfixturevalue(persona))
    assert snapshot(draft) == before


@pytest.mark.parametrize(
    "persona",
    ["coventry_contributor", "leeds_lead", "peer_reviewer", "leeds_lead_coventry_contributor"],
)
def test_only_a_lead_or_a_coordinator_withdraws(request, submitted, persona):
    before = snapshot(submitted)
    with pytest.raises(PermissionDenied):
        services.withdraw(submitted, by=request.getfixturevalue(persona), reason="No")
    assert snapshot(submitted) == before


def test_a_coordinator_may_withdraw(submitted, coordinator):
    services.withdraw(submitted, by=coordinator, reason="Submitted by mistake")
    assert submitted.last_change_to(Status.WITHDRAWN).by == coordinator


# --- repeated requests (double clicks) through the views -------------------------------


def test_a_double_clicked_submit_lands_both_clicks_on_the_confirmation(
    client_for, draft, coventry_lead
):
    complete(draft, coventry_lead)
    client = client_for(coventry_lead)
    first = client.post(url("submit_assessment", draft))
    second = client.post(url("submit_assessment", draft))
    assert first["Location"] == second["Location"] == url("assessment_submitted", draft)
    assert draft.status_changes.count() == 1
    assert draft.events.filter(kind="submitted").count() == 1


def test_a_double_clicked_withdrawal_lands_on_the_assessment_once_withdrawn(
    client_for, submitted, coventry_lead
):
    client = client_for(coventry_lead)
    data = {"reason": "The service is being replaced."}
    first = client.post(url("withdraw_assessment", submitted), data)
    second = client.post(url("withdraw_assessment", submitted), data)
    assert first["Location"] == second["Location"] == url("assessment", submitted)
    assert submitted.status_changes.filter(to_status=Status.WITHDRAWN).count() == 1
    assert submitted.events.filter(kind="withdrawn").count() == 1


def test_a_double_clicked_delete_lands_on_the_councils_services(client_for, draft, coventry_lead):
    client = client_for(coventry_lead)
    first = client.post(url("delete_assessment", draft))
    second = client.post(url("delete_assessment", draft), follow=True)
    assert first["Location"] == draft.service.get_absolute_url()
    assert second.redirect_chain[-1][0] == reverse("assessments:service_list", args=["cov"])
    assert "That draft assessment has already been deleted" in second.content.decode()
    assert not Assessment.objects.filter(pk=draft.pk).exists()


def test_deleting_an_assessment_that_never_existed_is_not_found_for_outsiders(
    client_for, draft, coventry_lead, leeds_lead
):
    client_for(coventry_lead).post(url("delete_assessment", draft))
    assert client_for(leeds_lead).post(url("delete_assessment", draft)).status_code == 404


def test_submitting_what_was_withdrawn_meanwhile_changes_nothing_and_says_so(
    client_for, submitted, coventry_lead
):
    services.withdraw(submitted, by=coventry_lead, reason="Replaced")
    before = snapshot(submitted)
    response = client_for(coventry_lead).post(url("submit_assessment", submitted), follow=True)
    assert "Nothing was changed: the assessment is now withdrawn" in response.content.decode()
    assert snapshot(submitted) == before


# --- the emails a transition sends, through the real action ---------------------------


def test_a_submission_emails_each_coordinator_once_even_after_a_double_click(
    client_for, draft, coventry_lead, coordinator
):
    complete(draft, coventry_lead)
    client = client_for(coventry_lead)
    client.post(url("submit_assessment", draft))
    client.post(url("submit_assessment", draft))
    run_tasks()
    assert [message.to for message in mail.outbox] == [["coordinator@lgdss.example"]]
    assert "Coventry City Council has submitted" in mail.outbox[0].body
    assert f"/councils/cov/assessments/{draft.pk}/" in mail.outbox[0].body


def test_a_withdrawal_emails_the_councils_other_leads_with_who_and_why(
    submitted, coventry_lead, coventry, coordinator
):
    second_lead = MembershipFactory(
        council=coventry,
        role=Role.LEAD,
        user=UserFactory(email="second.lead@coventry.example", full_name="Sam Second"),
    ).user
    services.withdraw(submitted, by=second_lead, reason="The service is being replaced.")
    run_tasks()
    assert [message.to for message in mail.outbox] == [["lead@coventry.example"]]
    body = mail.outbox[0].body
    assert "Sam Second withdrew Coventry's assessment" in body
    assert "The service is being replaced." in body


def test_a_refused_transition_sends_nothing(draft, coventry_contributor, coordinator):
    complete(draft, coventry_contributor)
    with pytest.raises(PermissionDenied):
        services.submit(draft, by=coventry_contributor)
    assert run_tasks() == 0
    assert mail.outbox == []
