"""Assigning reviewers: the queue, the assignment page, offers to review, stepping aside,
due dates and the overdue reminder. Each refused request is shown to change nothing;
each allowed one to change the database, the history and the emails."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from assessments import services
from assessments.forms.reviewers import AddReviewerForm
from assessments.models import (
    AssessmentEvent,
    AssignmentEnd,
    EventKind,
    Notification,
    PointAssessment,
    Review,
    ReviewerAssignment,
    Role,
    Status,
    User,
)
from assessments.services import reviewers
from assessments.services.transitions import NotAllowedNow
from tests.concurrency import Pause, in_thread
from tests.factories import CouncilFactory, MembershipFactory, PeerGroupFactory, UserFactory
from tests.factories_assessments import make_assessment
from tests.factories_services import ServiceFactory
from tests.worker import run_tasks

QUEUE = reverse("assessments:review_queue")
YOUR_WORK = reverse("assessments:your_work")


def text(response):
    """The page's text, tags removed and spaces collapsed."""
    return " ".join(strip_tags(response.content.decode()).split())


def page(assessment):
    return reverse("assessments:review_assignment", args=[assessment.pk])


def submit(council, lead, name="Report a missed bin"):
    service = ServiceFactory(council=council, name=name)
    assessment = make_assessment(service, by=lead)
    PointAssessment.objects.filter(assessment=assessment).update(score=4, evidence="Done.")
    return services.submit(assessment, by=lead)


@pytest.fixture
def submitted(standard, coventry, coventry_lead):
    return submit(coventry, coventry_lead)


@pytest.fixture
def assessor(db):
    return UserFactory(
        email="assessor@lgdss.example",
        full_name="Ines Achebe",
        is_peer_reviewer=True,
        is_independent_assessor=True,
    )


@pytest.fixture
def third_reviewer(midlands):
    return UserFactory(
        email="reviewer@dudley.example",
        full_name="Dan Third",
        is_peer_reviewer=True,
        reviewer_peer_groups=[midlands],
    )


def state(assessment):
    """What the assessment's reviewers are, for comparing before and after."""
    assessment.refresh_from_db()
    return (
        assessment.status,
        list(ReviewerAssignment.objects.values_list("reviewer", "is_lead", "end", "ended_at")),
        list(Review.objects.values_list("due_on", flat=True)),
        AssessmentEvent.objects.count(),
        Notification.objects.count(),
    )


# --- Working days ------------------------------------------------------------------


def test_fifteen_working_days_skip_weekends():
    assert reviewers.working_days_after(date(2026, 6, 1)) == date(2026, 6, 22)


def test_fifteen_working_days_skip_bank_holidays_in_england_and_wales():
    # 25 December, 28 December (Boxing Day falls on a Saturday) and 1 January are holidays.
    assert reviewers.working_days_after(date(2026, 12, 18)) == date(2027, 1, 13)


# --- Assigning ---------------------------------------------------------------------


def test_a_coordinator_assigns_the_lead_reviewer_and_the_review_begins(
    client_for, submitted, coordinator, peer_reviewer
):
    response = client_for(coordinator).post(
        page(submitted), {"action": "add", "reviewer": peer_reviewer.pk, "lead": "on"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_REVIEW
    assignment = ReviewerAssignment.objects.get()
    assert (assignment.reviewer, assignment.is_lead, assignment.confirmed_by) == (
        peer_reviewer,
        True,
        coordinator,
    )
    review = Review.objects.get(assessment=submitted)
    assert review.due_on == reviewers.working_days_after(timezone.localdate())
    kinds = set(submitted.events.values_list("kind", flat=True))
    assert {EventKind.REVIEWER_ASSIGNED, EventKind.REVIEW_STARTED} <= kinds
    assert submitted.status_changes.filter(to_status=Status.IN_REVIEW, by=coordinator).exists()

    mail.outbox.clear()
    run_tasks()
    to_reviewer = [m for m in mail.outbox if m.to == [peer_reviewer.email]]
    assert len(to_reviewer) == 1
    assert "lead reviewer" in to_reviewer[0].subject
    link = reverse("assessments:assessment", args=[submitted.service.council, submitted.pk])
    assert link in to_reviewer[0].body
    assert link in to_reviewer[0].alternatives[0][0]
    # The reviewer now sees the assessment, and it is on their work page.
    reviewer = client_for(peer_reviewer)
    assert reviewer.get(link).status_code == 200
    assert "Lead reviewer" in reviewer.get(YOUR_WORK).content.decode()


def test_a_second_reviewer_does_not_restart_the_review_or_move_the_due_date(
    submitted, coordinator, peer_reviewer, assessor
):
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    Review.objects.update(due_on=date(2030, 1, 1))
    reviewers.assign(submitted, assessor, by=coordinator)
    assert Review.objects.get().due_on == date(2030, 1, 1)
    assert submitted.status_changes.filter(to_status=Status.IN_REVIEW).count() == 1
    assert ReviewerAssignment.objects.current().count() == 2


def test_a_reviewer_without_a_lead_leaves_the_assessment_submitted(
    submitted, coordinator, assessor
):
    reviewers.assign(submitted, assessor, by=coordinator)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert Review.objects.filter(assessment=submitted).exists()


@pytest.fixture
def coventry_reviewer(coventry_lead):
    """Coventry's lead, who is also a peer reviewer: never a reviewer of Coventry."""
    coventry_lead.is_peer_reviewer = True
    coventry_lead.save()
    return coventry_lead


def test_a_member_of_the_council_is_not_offered_and_refused_when_posted(
    client_for, submitted, coordinator, coventry_reviewer, peer_reviewer
):
    client = client_for(coordinator)
    html = client.get(page(submitted)).content.decode()
    assert "Rita Reviewer" in html
    assert "Cara Lead" not in html.split('name="reviewer"')[1].split("</select>")[0]
    before = state(submitted)
    response = client.post(
        page(submitted), {"action": "add", "reviewer": coventry_reviewer.pk, "lead": "on"}
    )
    assert response.status_code == 200
    assert "Choose a reviewer from the list" in response.content.decode()
    assert state(submitted) == before


def test_a_superuser_cannot_assign_a_member_of_the_council_either(
    client_for, submitted, coventry_reviewer
):
    root = UserFactory(
        email="root@lgdss.example", is_superuser=True, is_staff=True, is_coordinator=True
    )
    before = state(submitted)
    response = client_for(root).post(
        page(submitted), {"action": "add", "reviewer": coventry_reviewer.pk}
    )
    assert response.status_code == 200
    with pytest.raises(reviewers.ConflictOfInterest):
        reviewers.assign(submitted, coventry_reviewer, by=root, lead=True)
    assert state(submitted) == before


def test_a_member_of_the_council_cannot_volunteer(client_for, submitted, coventry_reviewer):
    before = state(submitted)
    response = client_for(coventry_reviewer).post(
        reverse("assessments:volunteer_to_review", args=[submitted.pk])
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        reviewers.volunteer(submitted, by=coventry_reviewer)
    assert state(submitted) == before


@pytest.mark.parametrize(
    ("persona", "answer"),
    [
        ("coventry_lead", 403),
        ("coventry_contributor", 403),
        ("leeds_lead", 404),
        ("peer_reviewer", 404),
    ],
)
def test_only_coordinators_assign(client_for, submitted, people, persona, answer):
    client = client_for(people[persona])
    before = state(submitted)
    data = {"action": "add", "reviewer": people["peer_reviewer"].pk, "lead": "on"}
    assert client.get(page(submitted)).status_code == answer
    assert client.post(page(submitted), data).status_code == answer
    assert client.get(QUEUE).status_code == 403
    assert state(submitted) == before


def test_a_fourth_reviewer_is_refused(
    client_for, submitted, coordinator, peer_reviewer, assessor, third_reviewer
):
    for person in (peer_reviewer, assessor, third_reviewer):
        reviewers.assign(submitted, person, by=coordinator, lead=person == peer_reviewer)
    fourth = UserFactory(email="fourth@walsall.example", is_peer_reviewer=True)
    client = client_for(coordinator)
    html = client.get(page(submitted)).content.decode()
    assert "as many as it can have" in html
    before = state(submitted)
    response = client.post(page(submitted), {"action": "add", "reviewer": fourth.pk})
    assert response.status_code == 200
    assert "at most 3 reviewers" in response.content.decode()
    assert state(submitted) == before


def test_the_page_says_when_the_review_needs_reviewers_or_a_lead(
    client_for, submitted, coordinator, assessor, peer_reviewer
):
    client = client_for(coordinator)
    reviewers.assign(submitted, assessor, by=coordinator)
    shown = text(client.get(page(submitted)))
    assert "needs 2 or 3 reviewers: it has 1" in shown
    assert "needs a lead reviewer" in shown
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    shown = text(client.get(page(submitted)))
    assert "needs 2 or 3" not in shown
    assert "needs a lead" not in shown


def test_drafts_and_withdrawn_assessments_get_no_reviewers(
    submitted, coventry_lead, coordinator, peer_reviewer, standard, coventry
):
    draft = make_assessment(ServiceFactory(council=coventry), by=coventry_lead)
    with pytest.raises(PermissionDenied):
        reviewers.assign(draft, peer_reviewer, by=coordinator)
    services.withdraw(submitted, by=coventry_lead, reason="Submitted by mistake")
    with pytest.raises(PermissionDenied):
        reviewers.assign(submitted, peer_reviewer, by=coordinator)
    root = UserFactory(email="root@lgdss.example", is_superuser=True)
    with pytest.raises(NotAllowedNow):
        reviewers.assign(submitted, peer_reviewer, by=root)
    assert not ReviewerAssignment.objects.exists()


def test_changing_the_lead(client_for, submitted, coordinator, peer_reviewer, assessor):
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    second = reviewers.assign(submitted, assessor, by=coordinator)
    response = client_for(coordinator).post(
        page(submitted), {"action": "lead", "assignment": second.pk}
    )
    assert response.status_code == 302
    leads = ReviewerAssignment.objects.current().filter(is_lead=True)
    assert [a.reviewer for a in leads] == [assessor]
    assert ReviewerAssignment.objects.current().count() == 2
    assert submitted.events.filter(
        kind=EventKind.REVIEWER_ASSIGNED, detail="Ines Achebe (lead reviewer)"
    ).exists()


def test_unassigning_asks_first_then_ends_the_assignment_and_tells_the_reviewer(
    client_for, submitted, coordinator, peer_reviewer
):
    assignment = reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    run_tasks()
    mail.outbox.clear()
    url = reverse("assessments:unassign_reviewer", args=[submitted.pk, assignment.pk])
    client = client_for(coordinator)
    assert "Take Rita Reviewer off the review?" in text(client.get(url))
    assert ReviewerAssignment.objects.current().count() == 1  # asking changed nothing
    assert client.post(url).status_code == 302
    assignment.refresh_from_db()
    assert (assignment.end, assignment.ended_by) == (AssignmentEnd.UNASSIGNED, coordinator)
    assert submitted.events.filter(kind=EventKind.REVIEWER_UNASSIGNED).exists()
    run_tasks()
    assert [m.to for m in mail.outbox] == [[peer_reviewer.email]]
    assert "no longer a reviewer" in mail.outbox[0].subject
    # Repeating it finds nothing to unassign.
    assert client.post(url).status_code == 404
    # The reviewer no longer sees the assessment.
    link = reverse("assessments:assessment", args=[submitted.service.council, submitted.pk])
    assert client_for(peer_reviewer).get(link).status_code == 404


# --- The due date ------------------------------------------------------------------


def test_changing_the_due_date(client_for, submitted, coordinator, peer_reviewer):
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    url = reverse("assessments:change_due_date", args=[submitted.pk])
    client = client_for(coordinator)
    before = state(submitted)
    response = client.post(url, {"due_on_0": "31", "due_on_1": "2", "due_on_2": "2031"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Due date must be a real date" in html
    assert 'class="govuk-error-summary"' in html
    assert 'value="2031"' in html  # what they typed comes back
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        url,
        {"due_on_0": yesterday.day, "due_on_1": yesterday.month, "due_on_2": yesterday.year},
    )
    assert "Due date must be today or in the future" in response.content.decode()
    assert state(submitted) == before
    response = client.post(url, {"due_on_0": "3", "due_on_1": "3", "due_on_2": "2031"})
    assert response.status_code == 302
    assert Review.objects.get().due_on == date(2031, 3, 3)
    event = submitted.events.get(kind=EventKind.DUE_DATE_CHANGED)
    assert event.detail.endswith("to 3 March 2031")


def test_no_due_date_before_the_first_reviewer(client_for, submitted, coordinator):
    url = reverse("assessments:change_due_date", args=[submitted.pk])
    response = client_for(coordinator).post(
        url, {"due_on_0": "3", "due_on_1": "3", "due_on_2": "2031"}
    )
    assert response.status_code == 302
    assert not Review.objects.exists()
    with pytest.raises(ValidationError):
        reviewers.change_due_date(submitted, date(2031, 3, 3), by=coordinator)


# --- Offers to review ----------------------------------------------------------------


def test_a_peer_reviewer_offers_and_a_coordinator_confirms(
    client_for, submitted, coordinator, peer_reviewer
):
    reviewer = client_for(peer_reviewer)
    html = reviewer.get(YOUR_WORK).content.decode()
    assert "Submissions you could review" in html
    assert "Report a missed bin" in html
    offer = reverse("assessments:volunteer_to_review", args=[submitted.pk])
    assert reviewer.post(offer).status_code == 302
    assignment = ReviewerAssignment.objects.get()
    assert assignment.volunteered
    assert assignment.confirmed_at is None
    assert submitted.events.filter(kind=EventKind.REVIEWER_VOLUNTEERED).exists()
    # An offer is not a reviewer: the assessment stays out of sight, and is not offered again.
    link = reverse("assessments:assessment", args=[submitted.service.council, submitted.pk])
    assert reviewer.get(link).status_code == 404
    assert "Submissions you could review" not in reviewer.get(YOUR_WORK).content.decode()
    reviewer.post(offer)
    assert ReviewerAssignment.objects.count() == 1

    coordinator_client = client_for(coordinator)
    assert "Offers to review" in text(coordinator_client.get(page(submitted)))
    response = coordinator_client.post(
        page(submitted), {"action": "confirm", "assignment": assignment.pk}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.confirmed_by == coordinator
    assert reviewer.get(link).status_code == 200
    run_tasks()
    assert [m.to for m in mail.outbox if "reviewer of" in m.subject] == [[peer_reviewer.email]]


def test_declining_an_offer(client_for, submitted, coordinator, peer_reviewer):
    assignment = reviewers.volunteer(submitted, by=peer_reviewer)
    response = client_for(coordinator).post(
        page(submitted), {"action": "decline", "assignment": assignment.pk}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end == AssignmentEnd.NOT_CONFIRMED
    run_tasks()
    assert [m.subject for m in mail.outbox if m.to == [peer_reviewer.email]] == [
        "Your offer to review Coventry's Report a missed bin was not taken up"
    ]


def test_only_peer_reviewers_of_its_peer_group_may_offer(
    client_for, submitted, leeds_lead, coordinator
):
    yorkshire_reviewer = UserFactory(
        email="reviewer@york.example",
        is_peer_reviewer=True,
        reviewer_peer_groups=[PeerGroupFactory(slug="north")],
    )
    offer = reverse("assessments:volunteer_to_review", args=[submitted.pk])
    before = state(submitted)
    assert client_for(yorkshire_reviewer).post(offer).status_code == 404
    assert client_for(leeds_lead).post(offer).status_code == 404
    assert client_for(coordinator).post(offer).status_code == 403
    assert state(submitted) == before


def test_a_full_review_is_not_offered(
    client_for, submitted, coordinator, assessor, third_reviewer, peer_reviewer, midlands
):
    other = UserFactory(email="x@walsall.example", is_peer_reviewer=True)
    for person in (assessor, third_reviewer, other):
        reviewers.assign(submitted, person, by=coordinator, lead=person == assessor)
    assert "Submissions you could review" not in (
        client_for(peer_reviewer).get(YOUR_WORK).content.decode()
    )
    with pytest.raises(ValidationError):
        reviewers.volunteer(submitted, by=peer_reviewer)


# --- Stepping aside ------------------------------------------------------------------


def test_stepping_aside_needs_a_reason_kept_from_the_council(
    client_for, submitted, coordinator, peer_reviewer, coventry_lead
):
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    url = reverse("assessments:step_aside", args=[submitted.service.council, submitted.pk])
    client = client_for(peer_reviewer)
    before = state(submitted)
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter why you are stepping aside" in html
    assert 'class="govuk-error-summary"' in html
    assert state(submitted) == before

    reason = "I used to manage the waste team at Coventry."
    assert client.post(url, {"reason": reason}).status_code == 302
    assignment = ReviewerAssignment.objects.get()
    assert (assignment.end, assignment.conflict_reason) == (AssignmentEnd.CONFLICT, reason)
    assert submitted.events.filter(kind=EventKind.REVIEWER_STEPPED_ASIDE).exists()
    assert not AssessmentEvent.objects.filter(detail__contains="waste team").exists()
    # Coordinators see the reason and that a reviewer and a lead are needed; the council not.
    assert reason in client_for(coordinator).get(page(submitted)).content.decode()
    queue = text(client_for(coordinator).get(QUEUE))
    assert "Needs a reviewer" in queue
    assert "Needs a lead" in queue
    history = reverse(
        "assessments:assessment_history", args=[submitted.service.council, submitted.pk]
    )
    assert "waste team" not in client_for(coventry_lead).get(history).content.decode()
    mail.outbox.clear()
    run_tasks()
    stepped = [m for m in mail.outbox if "stepped aside" in m.subject]
    assert [m.to for m in stepped] == [[coordinator.email]]
    assert "waste team" not in stepped[0].body
    # No longer a reviewer: they cannot step aside twice.
    assert client.post(url, {"reason": reason}).status_code == 404


def test_only_a_current_reviewer_steps_aside(client_for, submitted, coventry_lead, coordinator):
    url = reverse("assessments:step_aside", args=[submitted.service.council, submitted.pk])
    before = state(submitted)
    assert client_for(coventry_lead).post(url, {"reason": "x"}).status_code == 403
    assert client_for(coordinator).post(url, {"reason": "x"}).status_code == 403
    assert state(submitted) == before


# --- The overdue reminder ------------------------------------------------------------


def test_an_overdue_review_is_reminded_about_once(
    submitted, coordinator, peer_reviewer, assessor, standard, leeds, leeds_lead
):
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    reviewers.assign(submitted, assessor, by=coordinator)
    # A review due tomorrow and a completed one are not reminded about.
    on_time = submit(leeds, leeds_lead, "Apply for a permit")
    reviewers.assign(on_time, assessor, by=coordinator, lead=True)
    Review.objects.filter(assessment=on_time).update(
        due_on=timezone.localdate() + timedelta(days=1)
    )
    Review.objects.filter(assessment=submitted).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    run_tasks()
    mail.outbox.clear()
    call_command("send_overdue_reminders")
    call_command("send_overdue_reminders")  # again: nothing more
    assert reviewers.send_overdue_reminders() == 0
    review = Review.objects.get(assessment=submitted)
    assert review.overdue_notified_at is not None
    assert Review.objects.get(assessment=on_time).overdue_notified_at is None
    run_tasks()
    overdue = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Overdue"))
    assert overdue == sorted([peer_reviewer.email, assessor.email, coordinator.email])


def test_an_overdue_review_stands_out_in_the_queue_and_your_work(
    client_for, submitted, coordinator, peer_reviewer
):
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    Review.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    assert "Overdue" in text(client_for(coordinator).get(QUEUE))
    assert "Overdue" in text(client_for(coordinator).get(f"{QUEUE}?show=overdue"))
    assert "1 overdue" in text(client_for(coordinator).get(YOUR_WORK))
    assert "Overdue" in text(client_for(peer_reviewer).get(YOUR_WORK))


# --- The queue ---------------------------------------------------------------------


def test_the_queue_filters_by_peer_group_and_phase(
    client_for, submitted, coordinator, leeds, leeds_lead
):
    submit(leeds, leeds_lead, "Apply for a parking permit")
    client = client_for(coordinator)
    everything = text(client.get(QUEUE))
    assert "Report a missed bin" in everything
    assert "Apply for a parking permit" in everything
    midlands = text(client.get(f"{QUEUE}?peer_group=midlands"))
    assert "Report a missed bin" in midlands
    assert "Apply for a parking permit" not in midlands
    assert "Report a missed bin" not in text(client.get(f"{QUEUE}?phase=alpha"))
    # Unknown values are dropped, not errors.
    assert client.get(f"{QUEUE}?peer_group=nowhere&phase=x&show=y").status_code == 200


@pytest.mark.parametrize("count", [1, 4])
def test_the_queue_query_count_does_not_grow(
    client_for, standard, coordinator, peer_reviewer, assessor, count, django_assert_num_queries
):
    for number in range(count):
        group = PeerGroupFactory()
        council = CouncilFactory(peer_group=group)
        lead = MembershipFactory(council=council, role=Role.LEAD).user
        assessment = submit(council, lead, f"Service {number}")
        reviewers.assign(assessment, peer_reviewer, by=coordinator, lead=True)
        reviewers.assign(assessment, assessor, by=coordinator)
    client = client_for(coordinator)
    client.get(QUEUE)
    # Session and user, the two-factor device, the peer groups for the filter, the count
    # and the page of assessments. The session, saved a moment ago, is not saved again.
    with django_assert_num_queries(6):
        response = client.get(QUEUE)
    assert text(response).count("2 reviewers") == count


@pytest.mark.parametrize("count", [1, 4])
def test_a_reviewers_work_page_query_count_does_not_grow(
    client_for, standard, coordinator, peer_reviewer, midlands, count, django_assert_num_queries
):
    for number in range(count):
        council = CouncilFactory(peer_group=midlands)
        lead = MembershipFactory(council=council, role=Role.LEAD).user
        reviewers.assign(submit(council, lead, f"Reviewed {number}"), peer_reviewer, by=coordinator)
        submit(council, lead, f"To offer {number}")
    client = client_for(peer_reviewer)
    client.get(YOUR_WORK)
    # Session and user, their councils, Django's own permissions (two) when the rules
    # refuse the coordinators' lists, their assignments, their peer groups, what they
    # could offer to review (the session, saved by the page before, is not saved again):
    # the same however many there are.
    with django_assert_num_queries(9):
        response = client.get(YOUR_WORK)
    shown = text(response)
    assert shown.count("Step aside from reviewing") == count
    assert shown.count("Offer to review") == count


# --- Two coordinators at once ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_postgresql
def test_two_coordinators_adding_a_third_reviewer_at_once_add_one(
    submitted, coordinator, peer_reviewer, assessor, third_reviewer
):
    """The assessment's lock puts the second after the first, which then finds the review
    full: never four reviewers, never two leads."""
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    reviewers.assign(submitted, assessor, by=coordinator)
    fourth = UserFactory(email="fourth@walsall.example", is_peer_reviewer=True)
    other = UserFactory(
        email="second.coordinator@lgdss.example", is_coordinator=True, is_staff=True
    )
    pause = Pause.before_query(r'^INSERT INTO "assessments_reviewerassignment"')
    first = in_thread(
        lambda: reviewers.assign(submitted, third_reviewer, by=coordinator, lead=True), pause
    )
    pause.wait_until_reached()
    second = in_thread(lambda: reviewers.assign(submitted, fourth, by=other, lead=True))
    second.wait_until_blocked()
    pause.release()
    first.result()
    with pytest.raises(ValidationError):
        second.result()
    current = ReviewerAssignment.objects.current()
    assert sorted(a.reviewer.email for a in current) == sorted(
        [peer_reviewer.email, assessor.email, third_reviewer.email]
    )
    assert [a.reviewer for a in current.filter(is_lead=True)] == [third_reviewer]


# --- Independent assessors -----------------------------------------------------------


def test_a_coordinator_invites_an_independent_assessor_who_joins_no_council(
    client, client_for, coordinator, coventry, standard
):
    response = client_for(coordinator).post(
        reverse("assessments:invite_anyone"),
        {"email": "Ines@assessors.example", "role": "assessor", "council": "", "peer_group": ""},
    )
    assert response.status_code == 302
    run_tasks()
    [message] = mail.outbox
    assert "invited you to be an independent assessor" in message.body
    link = re.search(r"http://\S+?(/invitations/accept/\S+/)", message.body).group(1)
    response = client.post(
        link,
        {
            "full_name": "Ines Achebe",
            "new_password1": "a-good-long-passphrase-2026",
            "new_password2": "a-good-long-passphrase-2026",
        },
    )
    assert response["Location"] == reverse("assessments:account")
    ines = User.objects.get(email="ines@assessors.example")
    assert ines.is_peer_reviewer
    assert ines.is_independent_assessor
    assert not ines.memberships.exists()
    # And coordinators may now choose her for any council's review.
    assert "Ines Achebe – independent assessor" in (
        AddReviewerForm(assessment=make_assessment(ServiceFactory(council=coventry)))
        .fields["reviewer"]
        .widget.render("reviewer", None)
    )


def test_two_coordinators_changing_the_due_date_never_overwrite_each_other(
    client_for, submitted, coordinator, peer_reviewer
):
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    seen = Review.objects.get().due_on
    url = reverse("assessments:change_due_date", args=[submitted.pk])
    # Another coordinator moves it while this one has the form open.
    other = UserFactory(email="second.coordinator@lgdss.example", is_coordinator=True)
    reviewers.change_due_date(submitted, date(2031, 4, 1), by=other, was=seen)
    mine = {"was": seen.isoformat(), "due_on_0": "3", "due_on_1": "3", "due_on_2": "2031"}
    response = client_for(coordinator).post(url, mine)
    assert response.status_code == 200
    shown = text(response)
    assert "Someone else changed the due date to 1 April 2031" in shown
    assert Review.objects.get().due_on == date(2031, 4, 1)
    assert 'value="2031-04-01"' in response.content.decode()  # sending again replaces theirs
    response = client_for(coordinator).post(url, {**mine, "was": "2031-04-01"})
    assert response.status_code == 302
    assert Review.objects.get().due_on == date(2031, 3, 3)


def test_an_overdue_reminder_is_not_sent_for_a_review_completed_before_it_went(
    submitted, coordinator, peer_reviewer
):
    reviewers.assign(submitted, peer_reviewer, by=coordinator, lead=True)
    Review.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    assert reviewers.send_overdue_reminders() == 1
    Review.objects.update(completed_at=timezone.now(), summary="Well run.", recommendation="meets")
    mail.outbox.clear()
    run_tasks()
    assert not [m for m in mail.outbox if m.subject.startswith("Overdue")]
    assert not Notification.objects.filter(kind="review_overdue", status="sent").exists()


def test_a_reviewer_in_two_peer_groups_is_offered_submissions_from_both(
    client_for, standard, coventry, coventry_lead, leeds, leeds_lead, peer_reviewer
):
    """Rita reviews in the Midlands; once she also reviews in Yorkshire and the Humber,
    Leeds's submission is hers to offer for too."""
    submit(coventry, coventry_lead, name="Report a missed bin")
    submit(leeds, leeds_lead, name="Apply for a parking permit")
    reviewer = client_for(peer_reviewer)
    html = reviewer.get(YOUR_WORK).content.decode()
    assert "Report a missed bin" in html
    assert "Apply for a parking permit" not in html

    peer_reviewer.reviewer_peer_groups.add(leeds.peer_group)
    html = reviewer.get(YOUR_WORK).content.decode()
    assert "Report a missed bin" in html
    assert "Apply for a parking permit" in html
