"""Peer review between the council and its reviewers: the discussion on each point, its
emails, and rounds of clarification (assessments.services.discussion).

Each test makes requests as the people concerned and reads the database: allowed
requests changed it and the history, refused ones changed nothing.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import (
    AssessmentEvent,
    ClarificationQuestion,
    ClarificationRound,
    Notification,
    PointAssessment,
    PointMessage,
    Side,
    Status,
    StatusChange,
    ThreadRead,
)
from assessments.services import discussion
from tests.factories import UserFactory
from tests.worker import run_tasks


def url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=["cov", assessment.pk, *args])


def state(assessment):
    """Everything the discussion and clarification could change."""
    return (
        list(PointMessage.objects.filter(assessment=assessment).values_list("pk", "body")),
        list(ThreadRead.objects.filter(assessment=assessment).values_list("pk", "read_at")),
        list(ClarificationRound.objects.filter(assessment=assessment).values_list("pk")),
        list(StatusChange.objects.filter(assessment=assessment).values_list("pk")),
        list(AssessmentEvent.objects.filter(assessment=assessment).values_list("pk")),
        list(PointAssessment.objects.filter(assessment=assessment).values_list("pk", "revision")),
        list(Notification.objects.values_list("pk")),
    )


def emails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def in_review(discussion_in_review):
    mail.outbox.clear()
    Notification.objects.all().delete()
    return discussion_in_review


# --- The discussion on each point ----------------------------------------------------


def test_the_council_and_the_reviewers_write_to_each_other_on_a_point(
    client_for, in_review, coventry_contributor, peer_reviewer, discussion_assessor
):
    council = client_for(coventry_contributor)
    response = council.post(
        url("point_discussion", in_review, 3), {"body": "Our research plan is attached.\nSee p2."}
    )
    assert response.status_code == 302
    assert response["Location"] == url("point_discussion", in_review, 3)

    client_for(peer_reviewer).post(url("point_discussion", in_review, 3), {"body": "Thanks!"})
    client_for(discussion_assessor).post(url("point_discussion", in_review, 3), {"body": "Ok."})

    rows = list(
        PointMessage.objects.filter(assessment=in_review).values_list(
            "point__number", "author__email", "side", "body"
        )
    )
    assert rows == [
        (3, "editor@coventry.example", Side.COUNCIL, "Our research plan is attached.\nSee p2."),
        (3, "reviewer@birmingham.example", Side.REVIEWERS, "Thanks!"),
        (3, "assessor@independent.example", Side.REVIEWERS, "Ok."),
    ]
    page = council.get(url("point_discussion", in_review, 3)).content.decode()
    assert page.index("Ed Contributor") < page.index("Rita Reviewer") < page.index("Ian Assessor")
    assert "(Council)" in page
    assert "(Lead reviewer)" in page
    assert "(Reviewer)" in page
    assert "Our research plan is attached.<br>See p2." in page
    assert "<time datetime=" in page
    # Another point's thread is empty.
    assert "No messages yet." in council.get(url("point_discussion", in_review, 4)).content.decode()


def test_an_empty_message_is_refused_with_an_error_and_nothing_is_saved(
    client_for, in_review, coventry_lead
):
    before = state(in_review)
    response = client_for(coventry_lead).post(url("point_discussion", in_review, 2), {"body": " "})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page
    assert page.count("Enter your message") == 2  # in the summary and by the field
    assert state(in_review) == before


def test_a_long_message_comes_back_with_an_error(client_for, in_review, coventry_lead):
    body = "x" * (discussion.MESSAGE_LIMIT + 1)
    response = client_for(coventry_lead).post(url("point_discussion", in_review, 2), {"body": body})
    assert response.status_code == 400
    assert body in response.content.decode()
    assert not PointMessage.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("leeds_lead", 404),
        ("coordinator", 403),  # reads, never writes
        ("another_reviewer", 404),  # not assigned: cannot even see it
        ("anonymous", 302),
    ],
)
def test_only_the_council_and_the_current_reviewers_write(
    client_for, in_review, people, who, expected
):
    user = UserFactory(is_peer_reviewer=True) if who == "another_reviewer" else people[who]
    before = state(in_review)
    response = client_for(user).post(url("point_discussion", in_review, 1), {"body": "Hello"})
    assert response.status_code == expected
    assert state(in_review) == before


def test_coordinators_read_the_discussion_without_a_form(
    client_for, in_review, coordinator, coventry_lead
):
    discussion.post_message(in_review, 1, by=coventry_lead, body="A message")
    page = client_for(coordinator).get(url("point_discussion", in_review, 1)).content.decode()
    assert "A message" in page
    assert "Send message" not in page
    assert not ThreadRead.objects.filter(user=coordinator).exists()


def test_a_reviewer_who_stepped_aside_no_longer_reads_or_writes(
    client_for, in_review, discussion_assessor
):
    in_review.assignments.filter(reviewer=discussion_assessor).update(
        ended_at=timezone.now(), end="unassigned"
    )
    client = client_for(discussion_assessor)
    assert client.get(url("point_discussion", in_review, 1)).status_code == 404
    assert client.post(url("point_discussion", in_review, 1), {"body": "Hi"}).status_code == 404
    assert not PointMessage.objects.exists()


def test_a_draft_has_no_discussion(client_for, standard, coventry, coventry_lead, superuser):
    from tests.factories_assessments import make_assessment
    from tests.factories_services import ServiceFactory

    draft = make_assessment(ServiceFactory(council=coventry), by=coventry_lead)
    for user in (coventry_lead, superuser):
        client = client_for(user)
        assert client.get(url("point_discussion", draft, 1)).status_code == 403
        assert client.post(url("point_discussion", draft, 1), {"body": "Hi"}).status_code == 403
    assert not PointMessage.objects.exists()


@pytest.fixture
def superuser(db):
    from assessments.models import User

    return User.objects.create_superuser("root@lgdss.example", password="x" * 20, full_name="Su")


def test_after_the_review_leaves_the_reviewers_the_thread_is_read_only(
    client_for, in_review, coventry_lead
):
    discussion.post_message(in_review, 1, by=coventry_lead, body="Before")
    services.withdraw(in_review, by=coventry_lead, reason="Replaced")
    client = client_for(coventry_lead)
    assert "The discussion is closed" in client.get(url("point_discussion", in_review, 1)).text
    assert client.post(url("point_discussion", in_review, 1), {"body": "After"}).status_code == 403
    assert list(PointMessage.objects.values_list("body", flat=True)) == ["Before"]


def test_a_superuser_without_a_side_cannot_write(in_review, superuser):
    with pytest.raises(PermissionDenied):
        discussion.post_message(in_review, 1, by=superuser, body="Hello")
    assert not PointMessage.objects.exists()


# --- New messages ----------------------------------------------------------------------


def test_new_messages_are_flagged_to_the_other_side_until_read(
    client_for, in_review, coventry_lead, coventry_contributor, peer_reviewer
):
    discussion.post_message(in_review, 5, by=peer_reviewer, body="Can you show the data?")
    assert discussion.unread_points(coventry_lead, in_review) == {5}
    assert discussion.unread_points(coventry_contributor, in_review) == {5}
    assert discussion.unread_points(peer_reviewer, in_review) == set()  # their own

    lead = client_for(coventry_lead)
    task_list = lead.get(url("assessment", in_review)).content.decode()
    assert task_list.count("New messages") == 1
    assert url("point_discussion", in_review, 5) in task_list
    assert "New messages" in lead.get(url("edit_point", in_review, 5)).text

    page = lead.get(url("point_discussion", in_review, 5)).content.decode()
    assert ">New</strong>" in page  # the message that was new on this visit
    assert discussion.unread_points(coventry_lead, in_review) == set()
    assert "New messages" not in lead.get(url("assessment", in_review)).text
    assert ">New</strong>" not in lead.get(url("point_discussion", in_review, 5)).text
    # The contributor has not read it yet.
    assert discussion.unread_points(coventry_contributor, in_review) == {5}

    discussion.post_message(in_review, 5, by=coventry_lead, body="Here it is.")
    assert discussion.unread_points(peer_reviewer, in_review) == {5}
    assert discussion.unread_points(coventry_lead, in_review) == set()


def test_the_read_mark_is_the_newest_message_shown_so_one_written_meanwhile_stays_new(
    in_review, coventry_lead, peer_reviewer
):
    first = discussion.post_message(in_review, 2, by=peer_reviewer, body="One")
    shown = discussion.thread(in_review, 2)
    later = discussion.post_message(in_review, 2, by=peer_reviewer, body="Two")
    PointMessage.objects.filter(pk=later.pk).update(created_at=first.created_at + timedelta(1))
    discussion.mark_read(in_review, first.point, shown, by=coventry_lead)
    assert ThreadRead.objects.get(user=coventry_lead).read_at == first.created_at
    assert discussion.unread_points(coventry_lead, in_review) == {2}


def test_finding_unread_points_takes_two_queries_however_many_messages(
    in_review, coventry_lead, peer_reviewer, django_assert_num_queries
):
    for number in range(1, 16):
        for _ in range(3):
            discussion.post_message(in_review, number, by=peer_reviewer, body="Why?")
    point = in_review.standard.points.get(number=4)
    discussion.mark_read(in_review, point, discussion.thread(in_review, 4), by=coventry_lead)
    coventry_lead = type(coventry_lead).objects.get(pk=coventry_lead.pk)
    with django_assert_num_queries(2):
        unread = discussion.unread_points(coventry_lead, in_review)
    assert unread == set(range(1, 16)) - {4}


def test_the_task_list_takes_as_many_queries_with_many_messages_as_with_one(
    client_for, in_review, coventry_lead, peer_reviewer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coventry_lead)
    discussion.post_message(in_review, 1, by=peer_reviewer, body="One")
    with CaptureQueriesContext(connection) as one:
        client.get(url("assessment", in_review))
    for number in range(2, 16):
        discussion.post_message(in_review, number, by=peer_reviewer, body="More")
    with django_assert_max_num_queries(len(one)):
        response = client.get(url("assessment", in_review))
    assert response.content.decode().count("New messages") == 15


# --- Emails about new messages -----------------------------------------------------------


def test_a_council_message_is_emailed_to_the_current_reviewers_once(
    in_review, coventry_contributor, peer_reviewer, discussion_assessor
):
    discussion.post_message(in_review, 3, by=coventry_contributor, body="We have new data.")
    run_tasks()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "assessor@independent.example",
        "reviewer@birmingham.example",
    ]
    [email] = emails_to("reviewer@birmingham.example")
    assert "New message on point 3" in email.subject
    assert "We have new data." in email.body
    assert url("point_discussion", in_review, 3) in email.body
    html = email.alternatives[0][0]
    assert url("point_discussion", in_review, 3) in html


def test_a_reviewer_message_goes_to_the_leads_the_last_editor_and_council_writers(
    in_review,
    coventry_lead,
    coventry_contributor,
    leeds_lead_coventry_contributor,
    peer_reviewer,
    discussion_assessor,
):
    # The contributor last saved point 7; the dual-role member wrote in point 7's thread.
    answer = in_review.points.get(point__number=7)
    PointAssessment.objects.filter(pk=answer.pk).update(updated_by=coventry_contributor)
    discussion.post_message(in_review, 7, by=leeds_lead_coventry_contributor, body="Question?")
    run_tasks()
    mail.outbox.clear()
    Notification.objects.all().delete()  # start the hour afresh

    discussion.post_message(in_review, 7, by=peer_reviewer, body="Answer.")
    run_tasks()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "editor@coventry.example",  # the point's last editor
        "lead@coventry.example",  # the council's lead
        "two.roles@leeds.example",  # wrote in the thread
    ]


def test_nobody_is_emailed_about_their_own_message(in_review, coventry_lead, peer_reviewer):
    discussion.post_message(in_review, 1, by=peer_reviewer, body="Question")
    run_tasks()
    assert emails_to("reviewer@birmingham.example") == []
    assert len(emails_to("lead@coventry.example")) == 1


def test_at_most_one_email_an_hour_per_person_and_assessment(
    in_review, coventry_lead, peer_reviewer
):
    discussion.post_message(in_review, 1, by=coventry_lead, body="First")
    discussion.post_message(in_review, 2, by=coventry_lead, body="Second, on another point")
    run_tasks()
    assert len(emails_to("reviewer@birmingham.example")) == 1
    assert "First" in emails_to("reviewer@birmingham.example")[0].body

    # An hour later, the next message is emailed again.
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    discussion.post_message(in_review, 1, by=coventry_lead, body="Third")
    run_tasks()
    bodies = [email.body for email in emails_to("reviewer@birmingham.example")]
    assert len(bodies) == 2
    assert "Third" in bodies[1]


def test_the_hourly_limit_is_per_assessment(
    in_review, coventry_lead, coordinator, peer_reviewer, discussion_assessor, standard, coventry
):
    from assessments.models import ReviewerAssignment
    from tests.factories_assessments import make_assessment
    from tests.factories_services import ServiceFactory

    other = make_assessment(ServiceFactory(council=coventry), by=coventry_lead)
    PointAssessment.objects.filter(assessment=other).update(score=2, evidence="Some.")
    services.submit(other, by=coventry_lead)
    ReviewerAssignment.objects.create(
        assessment=other, reviewer=peer_reviewer, is_lead=True, confirmed_at=timezone.now()
    )
    services.change_state(other, "begin_review", by=coordinator)
    mail.outbox.clear()

    discussion.post_message(in_review, 1, by=coventry_lead, body="On the first")
    discussion.post_message(other, 1, by=coventry_lead, body="On the second")
    run_tasks()
    assert len(emails_to("reviewer@birmingham.example")) == 2


# --- Clarification ----------------------------------------------------------------------


def ask(client, assessment, questions):
    data = {}
    for number, question in questions.items():
        data[f"ask_{number}"] = "on"
        data[f"question_{number}"] = question
    return client.post(url("request_clarification", assessment), data)


def test_the_lead_reviewer_asks_about_chosen_points(
    client_for, in_review, peer_reviewer, coventry_lead, coventry_contributor
):
    # The contributor last saved point 4; the lead saved every other.
    in_review.points.filter(point__number=4).update(updated_by=coventry_contributor)
    client = client_for(peer_reviewer)
    page = client.get(url("request_clarification", in_review))
    assert page.status_code == 200
    assert page.content.decode().count('class="govuk-textarea') == 15  # all shown without JS

    response = ask(client, in_review, {4: "Who did you test with?", 9: "Which platform?"})
    assert response.status_code == 302

    in_review.refresh_from_db()
    assert in_review.status == Status.CLARIFICATION_REQUESTED
    [round_] = ClarificationRound.objects.filter(assessment=in_review)
    assert (round_.number, round_.requested_by, round_.answered_at) == (1, peer_reviewer, None)
    assert list(round_.questions.values_list("point__number", "question")) == [
        (4, "Who did you test with?"),
        (9, "Which platform?"),
    ]
    event = in_review.events.get(kind="clarification_requested")
    assert event.actor == peer_reviewer
    assert "Point 4: Who did you test with?" in event.detail

    run_tasks()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "editor@coventry.example",  # the last editor of point 4
        "lead@coventry.example",
    ]
    [email] = emails_to("lead@coventry.example")
    assert "Who did you test with?" in email.body
    assert "Which platform?" in email.body
    assert url("assessment", in_review) in email.body
    # Sent once: asking again is refused, and no email is added.
    assert ask(client, in_review, {5: "Again?"}).status_code == 302
    run_tasks()
    assert len(mail.outbox) == 2
    assert ClarificationRound.objects.count() == 1


def test_a_request_without_points_or_questions_comes_back_with_errors(
    client_for, in_review, peer_reviewer
):
    client = client_for(peer_reviewer)
    before = state(in_review)
    response = client.post(url("request_clarification", in_review), {})
    assert response.status_code == 400
    assert response.content.decode().count("Select at least one point to ask about") == 2

    response = client.post(
        url("request_clarification", in_review),
        {"ask_2": "on", "question_2": "  ", "question_3": "Typed but not chosen"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Enter your question on point 2") == 2
    assert "Typed but not chosen" in page  # what was typed comes back
    assert (
        'id="id_ask_2" name="ask_2" type="checkbox" value="on" data-aria-controls="conditional-id_ask_2" checked'
        in page
    )
    assert state(in_review) == before


@pytest.mark.parametrize("who", ["discussion_assessor", "coventry_lead", "coordinator"])
def test_only_the_lead_reviewer_asks_for_clarification(client_for, in_review, request, who):
    user = request.getfixturevalue(who)
    before = state(in_review)
    client = client_for(user)
    assert client.get(url("request_clarification", in_review)).status_code == 403
    assert ask(client, in_review, {1: "Why?"}).status_code == 403
    assert state(in_review) == before


@pytest.fixture
def clarifying(in_review, peer_reviewer):
    """The lead reviewer has asked about points 1 and 2."""
    discussion.request_clarification(
        in_review, by=peer_reviewer, questions={1: "What research?", 2: "Which team?"}
    )
    run_tasks()
    mail.outbox.clear()
    in_review.refresh_from_db()
    return in_review


POINT = {
    "answer": "4",
    "not_applicable_reason": "",
    "evidence": "We asked 200 drivers.",
    "links-TOTAL_FORMS": "1",
    "links-INITIAL_FORMS": "0",
    "links-0-title": "",
    "links-0-url": "",
    "action": "later",
}


def test_only_the_points_asked_about_can_be_changed(client_for, clarifying, coventry_contributor):
    client = client_for(coventry_contributor)
    task_list = client.get(url("assessment", clarifying)).content.decode()
    assert "What research?" in task_list
    assert "Which team?" in task_list
    assert "What research?" in client.get(url("edit_point", clarifying, 1)).text

    asked = clarifying.points.get(point__number=1)
    response = client.post(url("edit_point", clarifying, 1), {**POINT, "revision": asked.revision})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.score, asked.evidence, asked.updated_by) == (
        4,
        "We asked 200 drivers.",
        coventry_contributor,
    )
    assert clarifying.events.filter(kind="saved_point", point_number=1).count() == 2

    other = clarifying.points.get(point__number=3)
    before = state(clarifying)
    response = client.post(url("edit_point", clarifying, 3), {**POINT, "revision": other.revision})
    assert response.status_code == 200
    assert "only those can be changed now" in response.content.decode()
    assert state(clarifying) == before
    with pytest.raises(services.NotEditable):
        services.save_point(
            other,
            by=coventry_contributor,
            revision=other.revision,
            score=5,
            not_applicable=False,
            reason="",
            evidence="x",
            links=[],
        )


@pytest.mark.parametrize(("who", "refusal"), [("peer_reviewer", 200), ("leeds_lead", 404)])
def test_people_outside_the_council_never_change_a_point_asked_about(
    client_for, clarifying, request, who, refusal
):
    user = request.getfixturevalue(who)
    asked = clarifying.points.get(point__number=1)
    before = state(clarifying)
    response = client_for(user).post(
        url("edit_point", clarifying, 1), {**POINT, "revision": asked.revision}
    )
    assert response.status_code == refusal
    assert state(clarifying) == before
    with pytest.raises((PermissionDenied, services.NotEditable)):
        services.save_point(
            asked,
            by=user,
            revision=asked.revision,
            score=5,
            not_applicable=False,
            reason="",
            evidence="x",
            links=[],
        )


def test_a_council_lead_sends_the_answers_back(
    client_for, clarifying, coventry_lead, coventry_contributor, peer_reviewer
):
    discussion.post_message(clarifying, 2, by=coventry_contributor, body="The digital team.")
    run_tasks()
    mail.outbox.clear()
    contributor = client_for(coventry_contributor)
    before = state(clarifying)
    assert contributor.get(url("send_back_clarification", clarifying)).status_code == 403
    assert contributor.post(url("send_back_clarification", clarifying)).status_code == 403
    assert state(clarifying) == before

    lead = client_for(coventry_lead)
    page = lead.get(url("send_back_clarification", clarifying)).content.decode()
    assert "The answer was not changed, and Coventry replied in the discussion" in page
    assert "The answer was not changed, and nobody from Coventry replied" in page
    assert "What research?" in page
    assert "Which team?" in page
    response = lead.post(url("send_back_clarification", clarifying))
    assert response.status_code == 302

    clarifying.refresh_from_db()
    assert clarifying.status == Status.IN_REVIEW
    round_ = ClarificationRound.objects.get(assessment=clarifying)
    assert round_.answered_by == coventry_lead
    assert round_.answered_at is not None
    assert clarifying.events.get(kind="clarification_answered").actor == coventry_lead
    run_tasks()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "assessor@independent.example",
        "reviewer@birmingham.example",
    ]
    assert "has answered your questions" in mail.outbox[0].subject
    # The link leads each reviewer to their own review, where the points are marked.
    review = reverse("assessments:review_task_list", args=["cov", clarifying.pk])
    assert review in mail.outbox[0].body

    # A double click changes nothing more and sends nothing more.
    before = state(clarifying)
    assert lead.post(url("send_back_clarification", clarifying)).status_code == 302
    assert state(clarifying) == before
    # Point 1 is closed again.
    asked = clarifying.points.get(point__number=1)
    with pytest.raises(services.NotEditable):
        services.save_point(
            asked,
            by=coventry_lead,
            revision=asked.revision,
            score=5,
            not_applicable=False,
            reason="",
            evidence="x",
            links=[],
        )


def test_a_second_round_is_numbered_after_the_first_and_the_history_shows_both(
    client_for, clarifying, coventry_lead, peer_reviewer
):
    discussion.send_back_clarification(clarifying, by=coventry_lead)
    discussion.request_clarification(clarifying, by=peer_reviewer, questions={3: "And this?"})
    assert list(
        ClarificationRound.objects.filter(assessment=clarifying).values_list("number", flat=True)
    ) == [1, 2]
    assert ClarificationQuestion.objects.filter(round__number=2).get().point.number == 3
    history = client_for(coventry_lead).get(url("assessment_history", clarifying)).content.decode()
    assert "Round 1." in history
    assert "Point 1: What research?" in history
    assert "Round 1 answered." in history
    assert "Round 2." in history
    assert "Point 3: And this?" in history


PAYLOAD = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def test_messages_and_questions_are_shown_as_typed_never_as_markup(
    client_for, in_review, coventry_lead, peer_reviewer
):
    discussion.request_clarification(in_review, by=peer_reviewer, questions={1: PAYLOAD})
    discussion.post_message(in_review, 1, by=coventry_lead, body=PAYLOAD)
    discussion.post_message(in_review, 1, by=peer_reviewer, body=PAYLOAD)
    lead = client_for(coventry_lead)
    pages = [
        lead.get(url(name, in_review, *args)).content.decode()
        for name, args in [
            ("point_discussion", [1]),
            ("assessment", []),
            ("edit_point", [1]),
            ("send_back_clarification", []),
            ("assessment_history", []),
        ]
    ]
    run_tasks()
    pages += [email.alternatives[0][0] for email in mail.outbox]
    assert len(mail.outbox) >= 2  # the clarification and the messages' emails
    for page in pages:
        assert "<img src=x" not in page
        assert "<script>alert(2)" not in page
        assert "&lt;script&gt;alert(2)" in page


def test_a_thread_takes_as_many_queries_with_many_messages_as_with_one(
    client_for, in_review, coventry_lead, peer_reviewer, discussion_assessor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coventry_lead)
    discussion.post_message(in_review, 6, by=peer_reviewer, body="One")
    client.get(url("point_discussion", in_review, 6))  # the read mark, from now on moved
    discussion.post_message(in_review, 6, by=discussion_assessor, body="Two")
    with CaptureQueriesContext(connection) as one:
        client.get(url("point_discussion", in_review, 6))
    for n in range(10):
        author = peer_reviewer if n % 2 else discussion_assessor
        discussion.post_message(in_review, 6, by=author, body=f"Message {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("point_discussion", in_review, 6))
    assert response.content.decode().count("(Reviewer)") == 6
    assert len(many) == len(one)
