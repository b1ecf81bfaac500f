"""Self-assessment: starting, answering points, the concurrency guard, submitting."""

import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessments import services
from assessments.models import (
    Assessment,
    AssessmentEvent,
    EventKind,
    EvidenceLink,
    Service,
    Status,
    User,
)
from tests.concurrency import Pause, in_thread
from tests.conftest import HIDDEN, NO, OK, PERSONAS, SIGN_IN
from tests.html import assert_ids_sound, outline


@pytest.fixture
def bins(coventry, standard):
    return Service.objects.create(
        council=coventry, name="Report a missed bin collection", phase="beta"
    )


@pytest.fixture
def draft(bins, coventry_lead):
    return services.start_assessment(bins, by=coventry_lead, phase="beta")


def url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=["cov", assessment.pk, *args])


def point_data(revision=0, answer="3", evidence="We ran 12 interviews.", action="later", links=()):
    data = {
        "revision": str(revision),
        "answer": answer,
        "evidence": evidence,
        "not_applicable_reason": "",
        "action": action,
        "links-TOTAL_FORMS": str(len(links)),
        "links-INITIAL_FORMS": "0",
    }
    for n, (title, address) in enumerate(links):
        data[f"links-{n}-title"] = title
        data[f"links-{n}-url"] = address
    return data


def save(answer, by, *, revision=0, score=3, na=False, reason="", evidence="Done.", links=()):
    """Save one point as a person would, with the defaults of a plain "3, Done."."""
    return services.save_point(
        answer,
        by=by,
        revision=revision,
        score=None if na else score,
        not_applicable=na,
        reason=reason,
        evidence=evidence,
        links=list(links),
    )


def complete(assessment, by, score=3):
    for answer in assessment.points.all():
        services.save_point(
            answer,
            by=by,
            revision=answer.revision,
            score=score,
            not_applicable=False,
            reason="",
            evidence="Done.",
            links=[],
        )


# --- Starting ------------------------------------------------------------------------


def test_member_starts_an_assessment_with_one_answer_per_point(
    client_for, bins, coventry_contributor
):
    response = client_for(coventry_contributor).post(
        reverse("assessments:start_assessment", args=["cov", bins.pk]), {"phase": "alpha"}
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == url("assessment", assessment)
    assert assessment.phase == "alpha"
    assert assessment.standard.version == "1.0"
    assert assessment.points.count() == 15
    assert AssessmentEvent.objects.get().kind == "created"


def test_only_one_assessment_in_progress_per_service(client_for, draft, coventry_contributor):
    response = client_for(coventry_contributor).get(
        reverse("assessments:start_assessment", args=["cov", draft.service.pk])
    )
    assert response["Location"] == url("assessment", draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(service=draft.service, standard=draft.standard, phase="beta")


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_postgresql
def test_two_people_starting_at_once_make_one_assessment_and_both_land_on_it(
    client_for, coventry_lead, coventry_contributor, coventry, standard
):
    """The lead's start has found no draft and is about to create one when the editor's
    start arrives: the editor's waits, then finds the lead's draft and is taken to it."""
    bins = Service.objects.create(council=coventry, name="Bins", phase="beta")
    start = reverse("assessments:start_assessment", args=["cov", bins.pk])
    lead, editor = client_for(coventry_lead), client_for(coventry_contributor)

    pause = Pause.before_query(r'^INSERT INTO "assessments_assessment"')
    first = in_thread(lambda: lead.post(start, {"phase": "beta"}), pause)
    pause.wait_until_reached()
    second = in_thread(lambda: editor.post(start, {"phase": "alpha"}))
    second.wait_until_blocked()
    pause.release()

    started, found = first.result(), second.result()
    assessment = Assessment.objects.get()
    assert (assessment.created_by, assessment.phase) == (coventry_lead, "beta")
    assert (started.status_code, found.status_code) == (302, 302)
    assert started["Location"] == found["Location"] == url("assessment", assessment)
    assert (
        "Someone else has just started an assessment"
        in editor.get(found["Location"]).content.decode()
    )
    events = AssessmentEvent.objects.all()
    assert [(event.kind, event.actor) for event in events] == [("created", coventry_lead)]


def test_a_start_refused_by_the_one_draft_rule_lands_on_the_draft_that_exists(
    client_for, bins, coventry_lead, coventry_contributor, monkeypatch
):
    """The net under the service's lock: should the database refuse a second draft, the
    person is taken to the draft that exists, not shown an error page."""
    start = services.start_assessment
    theirs = []

    def someone_else_got_there_first(service, **kwargs):
        theirs.append(start(service, by=coventry_lead, phase="beta"))
        raise IntegrityError("one_assessment_in_progress_per_service")

    monkeypatch.setattr(services, "start_assessment", someone_else_got_there_first)
    editor = client_for(coventry_contributor)
    response = editor.post(
        reverse("assessments:start_assessment", args=["cov", bins.pk]), {"phase": "alpha"}
    )
    assert response["Location"] == url("assessment", theirs[0])
    assert Assessment.objects.get() == theirs[0]
    assert "Someone else has just started" in editor.get(response["Location"]).content.decode()


def test_a_start_refused_for_a_draft_deleted_since_shows_the_start_page_again(
    client_for, bins, coventry_contributor, monkeypatch
):
    def refused(service, **kwargs):
        raise IntegrityError("one_assessment_in_progress_per_service")

    monkeypatch.setattr(services, "start_assessment", refused)
    start = reverse("assessments:start_assessment", args=["cov", bins.pk])
    response = client_for(coventry_contributor).post(start, {"phase": "alpha"})
    assert response["Location"] == start


def test_start_form_requires_a_phase(client_for, bins, coventry_lead):
    response = client_for(coventry_lead).post(
        reverse("assessments:start_assessment", args=["cov", bins.pk]), {}
    )
    assert response.content.decode().count("Select the phase the service is in") == 2


def test_reassessment_carries_evidence_and_links_forward_but_not_scores(draft, coventry_lead):
    first = draft.points.get(point__number=1)
    save(
        first,
        coventry_lead,
        score=4,
        evidence="Research with 20 residents.",
        links=[("Research report", "https://example.com/r")],
    )
    complete_rest = [a for a in draft.points.all() if a.point.number != 1]
    for answer in complete_rest:
        save(answer, coventry_lead)
    services.submit(draft, by=coventry_lead)
    # Finished: until peer review exists, by being withdrawn.
    services.withdraw(draft, by=coventry_lead, reason="The phase was wrong.")

    again = services.start_assessment(
        draft.service, by=coventry_lead, phase="live", carry_forward=True
    )
    carried = again.points.get(point__number=1)
    assert carried.evidence == "Research with 20 residents."
    assert carried.score is None
    assert [(link.title, link.url) for link in carried.links.all()] == [
        ("Research report", "https://example.com/r")
    ]
    assert again.started_from == draft
    assert again.events.get().kind == "reassessment"


# --- The task list ------------------------------------------------------------------


def test_task_list_shows_progress_and_statuses(client_for, draft, coventry_lead):
    answers = {a.point.number: a for a in draft.points.all()}
    save(answers[1], coventry_lead)
    save(answers[2], coventry_lead, score=None, evidence="Some notes")
    html = client_for(coventry_lead).get(url("assessment", draft)).content.decode()
    assert "1 of 15 points completed." in html
    # GOV.UK's task list statuses: plain text when completed, blue tags otherwise.
    assert html.count('id="point-1-status">Completed</div>') == 1
    assert html.count('<strong class="govuk-tag govuk-tag--blue">Incomplete</strong>') == 1
    assert html.count('<strong class="govuk-tag govuk-tag--blue">Not yet started</strong>') == 13
    assert "Last changed by Cara Lead" in html


@pytest.mark.parametrize("saved", [0, 10])
def test_task_list_query_count_does_not_grow(
    client_for, draft, coventry_lead, saved, django_assert_max_num_queries
):
    for answer in list(draft.points.all())[:saved]:
        save(answer, coventry_lead, score=2, evidence="x", links=[("a", "https://a.example")])
    client = client_for(coventry_lead)
    client.get(url("assessment", draft))
    with django_assert_max_num_queries(12):
        client.get(url("assessment", draft))


# --- Answering a point --------------------------------------------------------------


def test_point_page_shows_statement_guidance_and_descriptors(
    client_for, draft, coventry_contributor
):
    response = client_for(coventry_contributor).get(url("edit_point", draft, 1))
    html = response.content.decode()
    assert outline(response)[0] == 1
    assert "Research to develop deep knowledge of who the service users are" in html
    assert "Guidance for this point" in html
    assert "3 – Meets the point" in html
    assert "Not applicable at this phase" in html


def test_save_and_continue_goes_to_the_next_point_and_the_last_to_check_answers(
    client_for, draft, coventry_contributor
):
    client = client_for(coventry_contributor)
    response = client.post(url("edit_point", draft, 1), point_data(action="continue"))
    assert response["Location"] == url("edit_point", draft, 2)
    response = client.post(url("edit_point", draft, 15), point_data(action="continue"))
    assert response["Location"] == url("check_answers", draft)


def test_save_and_come_back_later_keeps_partial_work(client_for, draft, coventry_contributor):
    client = client_for(coventry_contributor)
    response = client.post(
        url("edit_point", draft, 4), point_data(answer="", evidence="Draft notes")
    )
    assert response["Location"] == url("assessment", draft)
    answer = draft.points.get(point__number=4)
    assert (answer.score, answer.evidence, answer.revision) == (None, "Draft notes", 1)
    assert answer.updated_by == coventry_contributor


def test_not_applicable_with_reason(client_for, draft, coventry_contributor):
    data = point_data(answer="na")
    data["not_applicable_reason"] = "Nothing is stored at discovery."
    client_for(coventry_contributor).post(url("edit_point", draft, 6), data)
    answer = draft.points.get(point__number=6)
    assert answer.not_applicable
    assert answer.score is None
    assert answer.not_applicable_reason == "Nothing is stored at discovery."


def reason_block(html):
    """The class of the block that reveals the not-applicable reason, and what it holds."""
    found = re.search(
        r'<div class="(govuk-radios__conditional[^"]*)" id="conditional-not-applicable">(.*?)</div>\s*</div>\s*</div>\s*</fieldset>',
        html,
        re.S,
    )
    return found.group(1), found.group(2)


def test_the_reason_is_revealed_under_not_applicable(client_for, draft, coventry_contributor):
    """GOV.UK's conditional reveal: hidden (once JavaScript runs) until "not applicable"."""
    client = client_for(coventry_contributor)
    html = client.get(url("edit_point", draft, 6)).content.decode()
    assert '<div class="govuk-radios" data-module="app-conditional-reveal">' in html
    na = re.search(r'<input[^>]*value="na"[^>]*>', html).group(0)
    assert 'data-aria-controls="conditional-not-applicable"' in na
    assert "aria-expanded" not in html
    hidden, inside = reason_block(html)
    assert hidden == "govuk-radios__conditional govuk-radios__conditional--hidden"
    assert 'name="not_applicable_reason"' in inside

    data = point_data(answer="na", action="preview")
    assert reason_block(client.post(url("edit_point", draft, 6), data).content.decode())[0] == (
        "govuk-radios__conditional"
    )
    data = point_data(answer="3", action="later")
    data["not_applicable_reason"] = "x" * 2001  # wrong, though a score is chosen
    html = client.post(url("edit_point", draft, 6), data).content.decode()
    assert reason_block(html)[0] == "govuk-radios__conditional"


def test_links_are_saved_replaced_and_removed(client_for, draft, coventry_contributor):
    client = client_for(coventry_contributor)
    client.post(
        url("edit_point", draft, 7),
        point_data(links=[("API docs", "https://api.example"), ("", "")]),
    )
    answer = draft.points.get(point__number=7)
    assert [(link.title, link.url) for link in answer.links.all()] == [
        ("API docs", "https://api.example")
    ]
    client.post(url("edit_point", draft, 7), point_data(revision=1, links=[("", "")]))
    assert not EvidenceLink.objects.exists()


def test_add_another_link_keeps_what_was_typed_without_saving(
    client_for, draft, coventry_contributor
):
    data = point_data(
        evidence="Unsaved words", action="add_link", links=[("One", "https://one.example")]
    )
    html = client_for(coventry_contributor).post(url("edit_point", draft, 7), data).content.decode()
    assert "Unsaved words" in html
    assert 'name="links-1-title"' in html
    assert draft.points.get(point__number=7).revision == 0


def test_bad_link_gets_errors_by_the_field_and_in_the_summary_and_keeps_the_text(
    client_for, draft, coventry_contributor
):
    data = point_data(
        evidence="Keep me",
        links=[("Report", "not a web address"), ("", "https://no-title.example")],
    )
    response = client_for(coventry_contributor).post(url("edit_point", draft, 2), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a web address in the correct format" in html
    assert "Enter a title for the link" in html
    assert html.count("Enter a title for the link") == 2
    assert '<a href="#id_links-1-title">Link 2: Enter a title for the link</a>' in html
    assert 'id="id_links-1-title"' in html, "the summary links to something that exists"
    assert "Keep me" in html
    assert "not a web address" in html
    assert outline(response)[1].startswith("Error: ")
    assert draft.points.get(point__number=2).revision == 0


def test_a_save_from_a_stale_page_is_refused_showing_their_version_and_keeping_yours(
    client_for, draft, coventry_lead, coventry_contributor
):
    """The editor opens point 3, the lead saves it, then the editor saves: refused."""
    lead, editor = client_for(coventry_lead), client_for(coventry_contributor)
    lead.post(
        url("edit_point", draft, 3), point_data(revision=0, answer="4", evidence="Lead's evidence")
    )
    response = editor.post(
        url("edit_point", draft, 3),
        point_data(revision=0, answer="2", evidence="Editor's evidence"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#their-version">Cara Lead saved this point while you were editing it' in html
    assert "Lead&#x27;s evidence" in html or "Lead's evidence" in html
    assert "Editor&#x27;s evidence</textarea>" in html or "Editor's evidence</textarea>" in html
    answer = draft.points.get(point__number=3)
    assert (answer.score, answer.evidence, answer.updated_by) == (
        4,
        "Lead's evidence",
        coventry_lead,
    )
    # Saving again, having seen their version, replaces it deliberately.
    assert 'name="revision" value="1"' in html
    editor.post(
        url("edit_point", draft, 3),
        point_data(revision=1, answer="2", evidence="Editor's evidence"),
    )
    assert draft.points.get(point__number=3).evidence == "Editor's evidence"


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_postgresql
def test_a_save_from_the_same_revision_waits_for_the_save_in_progress_and_is_refused(
    coventry_lead, coventry_contributor, coventry, standard
):
    """The lead's save has read point 5 and is paused inside its transaction; the editor's
    save, from the same revision, must wait for it, then see it and be refused."""
    bins = Service.objects.create(council=coventry, name="Bins", phase="beta")
    assessment = services.start_assessment(bins, by=coventry_lead, phase="beta")
    answer = assessment.points.get(point__number=5)

    pause = Pause.after_query(r'^SELECT .* FROM "assessments_pointassessment"')
    lead = in_thread(lambda: save(answer, coventry_lead, evidence="The lead's"), pause)
    pause.wait_until_reached()
    editor = in_thread(lambda: save(answer, coventry_contributor, evidence="The editor's"))
    editor.wait_until_blocked()
    pause.release()

    lead.result()
    with pytest.raises(services.EditConflict) as refused:
        editor.result()
    assert refused.value.current.evidence == "The lead's"
    answer.refresh_from_db()
    assert (answer.revision, answer.evidence, answer.updated_by) == (1, "The lead's", coventry_lead)
    saves = AssessmentEvent.objects.filter(kind=EventKind.SAVED_POINT)
    assert [(event.actor, event.point_number) for event in saves] == [(coventry_lead, 5)]


# --- Checking and submitting --------------------------------------------------------


def test_submission_is_refused_with_links_to_the_points_concerned(client_for, draft, coventry_lead):
    client = client_for(coventry_lead)
    answers = {a.point.number: a for a in draft.points.all()}
    for number, answer in answers.items():
        if number not in (4, 9):
            save(answer, coventry_lead)
    save(answers[9], coventry_lead, na=True)
    response = client.post(url("submit_assessment", draft))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'href="{url("edit_point", draft, 4)}?return=check"' in html
    assert "Point 4, Iterate and improve regularly: score this point" in html
    assert "give a reason it is not applicable" in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_lead_submits_a_complete_assessment(client_for, draft, coventry_lead):
    complete(draft, coventry_lead, score=4)
    client = client_for(coventry_lead)
    check = client.get(url("check_answers", draft)).content.decode()
    assert "60 out of 75" in check
    assert "15 of 15 applicable points" in check
    response = client.post(url("submit_assessment", draft))
    assert response["Location"] == url("assessment_submitted", draft)
    assert (
        "Assessment submitted for peer review" in client.get(response["Location"]).content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    [change] = draft.status_changes.all()
    assert (change.from_status, change.to_status, change.by) == (
        "draft",
        "submitted",
        coventry_lead,
    )
    assert draft.events.filter(kind="submitted").count() == 1


def test_submitted_assessment_can_no_longer_be_edited(client_for, draft, coventry_lead):
    complete(draft, coventry_lead)
    services.submit(draft, by=coventry_lead)
    client = client_for(coventry_lead)
    before = list(draft.points.values_list("revision", "evidence"))
    refused = client.post(
        url("edit_point", draft, 1), point_data(revision=1, evidence="Typed after submission")
    )
    assert refused.status_code == 200
    assert "Your changes have not been saved" in refused.content.decode()
    assert "Typed after submission" in refused.content.decode(), "what they typed comes back"
    assert list(draft.points.values_list("revision", "evidence")) == before
    page = client.get(url("edit_point", draft, 1)).content.decode()
    assert "The team&#x27;s answer" in page or "The team's answer" in page
    assert "Save and continue" not in page


def test_contributor_cannot_submit(client_for, draft, coventry_lead, coventry_contributor):
    complete(draft, coventry_lead)
    client = client_for(coventry_contributor)
    assert (
        "Only a council lead at Coventry can submit"
        in client.get(url("check_answers", draft)).content.decode()
    )
    assert client.post(url("submit_assessment", draft)).status_code == 403


# --- Deleting and withdrawing -------------------------------------------------------


def test_lead_deletes_a_draft(client_for, draft, coventry_lead):
    response = client_for(coventry_lead).post(url("delete_assessment", draft))
    assert response["Location"] == draft.service.get_absolute_url()
    assert not Assessment.objects.exists()


def test_anything_submitted_cannot_be_deleted_only_withdrawn_with_a_reason(
    client_for, draft, coventry_lead
):
    complete(draft, coventry_lead)
    services.submit(draft, by=coventry_lead)
    client = client_for(coventry_lead)
    assert client.post(url("delete_assessment", draft)).status_code == 403
    empty = client.post(url("withdraw_assessment", draft), {"reason": ""}).content.decode()
    assert empty.count("Enter why you are withdrawing the assessment") == 2
    client.post(url("withdraw_assessment", draft), {"reason": "The service is being replaced."})
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    assert draft.last_change_to(Status.WITHDRAWN).reason == "The service is being replaced."
    assert Assessment.objects.filter(pk=draft.pk).exists()
    assert client.post(url("delete_assessment", draft)).status_code == 403


# --- Who may see and do what ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("assessment", (), [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, OK]),
        ("edit_point", (1,), [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, OK]),
        ("check_answers", (), [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, OK]),
        ("delete_assessment", (), [SIGN_IN, OK, NO, HIDDEN, NO, HIDDEN, NO]),
        # Only once submitted.
        ("withdraw_assessment", (), [SIGN_IN, NO, NO, HIDDEN, NO, HIDDEN, NO]),
    ],
)
def test_nobody_outside_the_council_and_coordinators_sees_the_draft(
    client_for, draft, people, name, args, expected
):
    for persona, outcome in zip(PERSONAS, expected, strict=True):
        response = client_for(people[persona]).get(url(name, draft, *args))
        if outcome == SIGN_IN:
            assert response.status_code == 302, persona
            assert "/sign-in/" in response["Location"], persona
        else:
            assert response.status_code == outcome, (name, persona)


@pytest.mark.parametrize(
    ("persona", "refusal"),
    [("anonymous", 302), ("leeds_lead", 404), ("peer_reviewer", 404), ("coordinator", 403)],
)
def test_only_members_change_a_draft(client_for, draft, people, persona, refusal):
    client = client_for(people[persona])
    assert client.post(url("edit_point", draft, 1), point_data()).status_code == refusal
    assert draft.points.get(point__number=1).revision == 0
    assert client.post(url("submit_assessment", draft)).status_code == refusal
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_start_needs_a_member(client_for, bins, people):
    start = reverse("assessments:start_assessment", args=["cov", bins.pk])
    for persona, status in [
        ("coventry_contributor", 200),
        ("leeds_lead_coventry_contributor", 200),
        ("coordinator", 403),
        ("leeds_lead", 404),
        ("peer_reviewer", 404),
    ]:
        assert client_for(people[persona]).get(start).status_code == status, persona


# Django answers yes to every permission an active superuser asks for, without asking the
# rules, so a rule that also says "while it is a draft" or "while the service is in use"
# must not be the only thing that says so. (`createsuperuser` makes the first coordinator.)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@lgdss.example", full_name="Sue Superuser")


def test_a_superuser_cannot_change_a_submitted_assessment(
    client_for, draft, coventry_lead, superuser
):
    complete(draft, coventry_lead)
    services.submit(draft, by=coventry_lead)
    before = list(draft.points.values_list("revision", "score", "evidence"))
    client = client_for(superuser)

    assert "Save and continue" not in client.get(url("edit_point", draft, 1)).content.decode()
    refused = client.post(url("edit_point", draft, 1), point_data(revision=1, answer="1"))

    assert refused.status_code == 200
    assert "Your changes have not been saved" in refused.content.decode()
    with pytest.raises(services.NotEditable):
        save(draft.points.get(point__number=1), superuser, revision=1, score=1)
    assert list(draft.points.values_list("revision", "score", "evidence")) == before


def test_a_superuser_cannot_start_assessing_a_retired_service(client_for, bins, superuser):
    bins = services.retire_service(bins, by=superuser)
    start = reverse("assessments:start_assessment", args=["cov", bins.pk])
    client = client_for(superuser)

    assert client.get(start).status_code == 403
    assert client.post(start, {"phase": "beta"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.start_assessment(bins, by=superuser, phase="beta")
    assert not Assessment.objects.exists()


def test_a_superuser_is_offered_neither_deleting_a_submitted_assessment_nor_withdrawing_a_draft(
    client_for, draft, coventry_lead, superuser
):
    parking = Service.objects.create(council=draft.service.council, name="Parking", phase="beta")
    submitted = services.start_assessment(parking, by=coventry_lead, phase="beta")
    complete(submitted, coventry_lead)
    services.submit(submitted, by=coventry_lead)
    client = client_for(superuser)

    for name, assessment in [("delete_assessment", submitted), ("withdraw_assessment", draft)]:
        assert client.get(url(name, assessment)).status_code == 403, name
        assert client.post(url(name, assessment), {"reason": "Why not"}).status_code == 403, name
    assert list(Assessment.objects.values_list("status", flat=True).order_by("pk")) == [
        Status.DRAFT,
        Status.SUBMITTED,
    ]


def test_an_assessment_of_another_council_is_not_found_through_this_councils_address(
    client_for, draft, coordinator
):
    response = client_for(coordinator).get(
        reverse("assessments:assessment", args=["lds", draft.pk])
    )
    assert response.status_code == 404


def test_state_changes_refuse_get(client_for, draft, coventry_lead):
    assert client_for(coventry_lead).get(url("submit_assessment", draft)).status_code == 405


# --- Limits: refused with a clear message, never a 500 ---------------------------------


@pytest.mark.parametrize("rows", ["abc", "1e3", "", "99999999999999999999"])
def test_a_tampered_link_count_is_refused_without_an_error_page(
    client_for, draft, coventry_lead, rows
):
    client = client_for(coventry_lead)
    for action in ("add_link", "later"):
        data = {**point_data(), "action": action, "links-TOTAL_FORMS": rows}
        response = client.post(url("edit_point", draft, 1), data)
        assert response.status_code == 200, (rows, action)
    assert draft.points.get(point__number=1).revision == 0


def test_more_than_50_links_are_refused_with_a_message(client_for, draft, coventry_lead):
    links = [(f"Report {n}", f"https://example.com/{n}") for n in range(55)]
    response = client_for(coventry_lead).post(url("edit_point", draft, 1), point_data(links=links))
    assert response.status_code == 200
    assert "You can add up to 50 links" in response.content.decode()
    answer = draft.points.get(point__number=1)
    assert (answer.revision, answer.links.count()) == (0, 0)


def test_50_links_are_saved_and_no_51st_row_is_offered(client_for, draft, coventry_lead):
    links = [(f"Report {n}", f"https://example.com/{n}") for n in range(50)]
    client = client_for(coventry_lead)
    client.post(url("edit_point", draft, 1), point_data(links=links))
    assert draft.points.get(point__number=1).links.count() == 50
    full = client.post(
        url("edit_point", draft, 1), {**point_data(revision=1, links=links), "action": "add_link"}
    )
    assert 'value="add_link"' not in full.content.decode()
    assert 'name="links-TOTAL_FORMS" value="50"' in full.content.decode()


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("evidence", 20_000, "Evidence must be 20,000 characters or fewer"),
        ("not_applicable_reason", 2_000, "The reason must be 2,000 characters or fewer"),
    ],
)
def test_text_over_its_limit_is_refused_and_comes_back(
    client_for, draft, coventry_lead, field, limit, message
):
    text = "x" * (limit + 1)
    data = {**point_data(answer="na" if field == "not_applicable_reason" else "3"), field: text}
    response = client_for(coventry_lead).post(url("edit_point", draft, 1), data)
    html = response.content.decode()
    assert html.count(message) == 2, "in the error summary and beside the field"
    assert text in html
    assert draft.points.get(point__number=1).revision == 0
    page = client_for(coventry_lead).get(url("edit_point", draft, 1)).content.decode()
    assert f"Up to {limit:,} characters" in page


def test_task_list_ids_are_unique_and_every_status_is_named_by_its_link(
    client_for, draft, coventry_lead
):
    save(draft.points.get(point__number=1), coventry_lead)
    response = client_for(coventry_lead).get(url("assessment", draft))
    assert_ids_sound(response)
    html = response.content.decode()
    assert 'aria-describedby="point-1-hint point-1-status"' in html
    assert 'id="point-15-status"' in html


# --- Changing an answer from check answers --------------------------------------------


def test_change_from_check_answers_comes_back_to_check_answers(
    client_for, draft, coventry_contributor
):
    client = client_for(coventry_contributor)
    check = client.get(url("check_answers", draft)).content.decode()
    change = f"{url('edit_point', draft, 7)}?return=check"
    assert f'href="{change}"' in check
    page = client.get(change).content.decode()
    assert '<input type="hidden" name="return" value="check">' in page
    response = client.post(
        url("edit_point", draft, 7), {**point_data(action="continue"), "return": "check"}
    )
    assert response["Location"] == url("check_answers", draft)
    assert draft.points.get(point__number=7).revision == 1


def test_points_named_by_a_refused_submission_link_back_to_check_answers(
    client_for, draft, coventry_lead
):
    html = client_for(coventry_lead).post(url("submit_assessment", draft)).content.decode()
    assert f'href="{url("edit_point", draft, 4)}?return=check"' in html


@pytest.mark.parametrize("where", ["https://evil.example/", "//evil.example", "/councils/", ""])
def test_any_other_return_goes_to_the_next_point(client_for, draft, coventry_contributor, where):
    client = client_for(coventry_contributor)
    page = client.get(f"{url('edit_point', draft, 7)}?return={where}").content.decode()
    assert 'name="return"' not in page
    response = client.post(
        url("edit_point", draft, 7), {**point_data(action="continue"), "return": where}
    )
    assert response["Location"] == url("edit_point", draft, 8)


def test_a_score_without_evidence_or_a_link_stops_submission(client_for, draft, coventry_lead):
    complete(draft, coventry_lead, score=5)
    five = draft.points.get(point__number=8)
    save(five, coventry_lead, revision=five.revision, score=5, evidence="")
    linked = draft.points.get(point__number=9)
    save(linked, coventry_lead, revision=linked.revision, links=[("Log", "https://log.example")])
    client = client_for(coventry_lead)
    assert "14 of 15 points completed." in client.get(url("assessment", draft)).content.decode()
    response = client.post(url("submit_assessment", draft))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Point 8, Test the end-to-end service: give evidence for the score" in html
    assert "Point 9" not in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_point_page_says_a_score_needs_evidence(client_for, draft, coventry_lead):
    html = client_for(coventry_lead).get(url("edit_point", draft, 1)).content.decode()
    assert "Every score needs evidence: describe it below or add a link to it." in html


# --- What is expected, and what was said last time --------------------------------------


def test_the_point_page_shows_what_is_expected_at_the_assessments_phase_outside_the_details(
    client_for, draft, coventry_lead
):
    html = client_for(coventry_lead).get(url("edit_point", draft, 1)).content.decode()
    point = draft.points.get(point__number=1).point
    assert point.beta
    assert point.beta != point.alpha
    before_details = html[: html.index('<details class="govuk-details">')]
    assert "Expected at beta" in before_details
    assert point.beta in before_details
    assert point.alpha not in html


def _finished(assessment, by, *, first_evidence, na_reason):
    for answer in assessment.points.all():
        if answer.point.number == 6:
            save(answer, by, na=True, reason=na_reason, evidence="")
        elif answer.point.number == 1:
            save(answer, by, score=4, evidence=first_evidence)
        else:
            save(answer, by)
    services.submit(assessment, by=by)
    services.withdraw(assessment, by=by, reason="Wrong phase.")


def test_a_reassessment_carries_the_not_applicable_reason_but_not_the_choice(draft, coventry_lead):
    _finished(draft, coventry_lead, first_evidence="Twenty interviews.", na_reason="No data.")
    again = services.start_assessment(
        draft.service, by=coventry_lead, phase="beta", carry_forward=True
    )
    carried = again.points.get(point__number=6)
    assert (carried.not_applicable, carried.score) == (False, None)
    assert carried.not_applicable_reason == "No data."


def test_a_reassessment_point_shows_last_times_score_and_answer(client_for, draft, coventry_lead):
    _finished(draft, coventry_lead, first_evidence="Twenty interviews.", na_reason="No data.")
    again = services.start_assessment(
        draft.service, by=coventry_lead, phase="beta", carry_forward=True
    )
    client = client_for(coventry_lead)
    response = client.get(url("edit_point", again, 1))
    html = response.content.decode()
    assert "Last time" in html
    assert "4 – Strong" in html
    assert "carried forward" in html
    assert "Twenty interviews." in html
    assert_ids_sound(response)
    na = client.get(url("edit_point", again, 6)).content.decode()
    assert "Not applicable at this phase: No data." in na
    assert "No data.</textarea>" in na


def test_a_blank_start_shows_nothing_from_last_time(client_for, draft, coventry_lead):
    _finished(draft, coventry_lead, first_evidence="Twenty interviews.", na_reason="No data.")
    again = services.start_assessment(draft.service, by=coventry_lead, phase="beta")
    html = client_for(coventry_lead).get(url("edit_point", again, 1)).content.decode()
    assert "Last time" not in html
    assert again.points.get(point__number=6).not_applicable_reason == ""


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.by_id = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.by_id[attrs["id"]] = attrs


def attributes(html, element_id):
    parser = _Attributes()
    parser.feed(html)
    return parser.by_id[element_id]


def test_errors_on_the_point_page_are_tied_to_their_fields(client_for, draft, coventry_lead):
    data = {
        **point_data(answer="na", evidence="x" * 20_001, links=[("Report", "not an address")]),
        "not_applicable_reason": "y" * 2_001,
    }
    response = client_for(coventry_lead).post(url("edit_point", draft, 1), data)
    html = response.content.decode()
    assert_ids_sound(response)
    for field in ("id_evidence", "id_not_applicable_reason", "id_links-0-url"):
        field_attributes = attributes(html, field)
        described_by = field_attributes["aria-describedby"].split()
        errors = [ref for ref in described_by if ref.endswith("-error")]
        assert errors, field
        assert "Error:" in html[html.index(f'id="{errors[0]}"') :][:200]
        assert field_attributes.get("aria-invalid") == "true", field
    assert "aria-invalid" not in attributes(html, "id_links-0-title")


def test_fields_without_errors_are_not_marked_invalid(client_for, draft, coventry_lead):
    html = client_for(coventry_lead).get(url("edit_point", draft, 1)).content.decode()
    assert "aria-invalid" not in html


def test_after_add_another_link_the_new_rows_title_has_focus(client_for, draft, coventry_lead):
    data = point_data(action="add_link", links=[("One", "https://one.example")])
    html = client_for(coventry_lead).post(url("edit_point", draft, 7), data).content.decode()
    assert html.count("autofocus") == 1
    assert "autofocus" in str(attributes(html, "id_links-1-title"))
    page = client_for(coventry_lead).get(url("edit_point", draft, 7)).content.decode()
    assert "autofocus" not in page


def test_preview_shows_the_evidence_as_it_will_appear_and_saves_nothing(
    client_for, draft, coventry_lead
):
    data = point_data(
        answer="4",
        evidence="We interviewed **24 residents**.\n\n- 8 by phone",
        action="preview",
        links=[("Report", "https://report.example")],
    )
    response = client_for(coventry_lead).post(url("edit_point", draft, 2), data)
    html = response.content.decode()
    preview = html[html.index('id="evidence-preview"') :]
    assert '<p class="govuk-body">We interviewed <strong>24 residents</strong>.</p>' in preview
    assert '<ul class="govuk-list govuk-list--bullet">' in preview
    assert "We interviewed **24 residents**.\n\n- 8 by phone</textarea>" in html
    assert 'value="https://report.example"' in html
    assert "checked" in attributes(html, "id_answer_5")
    assert_ids_sound(response)
    answer = draft.points.get(point__number=2)
    assert (answer.revision, answer.evidence, answer.links.count()) == (0, "", 0)
    assert not AssessmentEvent.objects.filter(kind=EventKind.SAVED_POINT).exists()


def test_the_point_page_offers_a_preview_without_javascript(client_for, draft, coventry_lead):
    html = client_for(coventry_lead).get(url("edit_point", draft, 2)).content.decode()
    assert '<button type="submit" name="action" value="preview"' in html
    assert 'id="evidence-preview"' not in html
