"""Peer review, the reviewers' side: each reviewer's own scores, the lead reviewer's
agreed scores and completing, and the outcome the council sees and responds to.

Requests are sent directly as each person; a refused one is shown to change nothing in
the database, an allowed one to change it and the history.
"""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import (
    AgreedPoint,
    AssessmentEvent,
    EventKind,
    Review,
    ReviewerPoint,
    Role,
    Status,
    User,
)
from tests.factories import MembershipFactory, UserFactory
from tests.factories_reviews import agree_every_point, complete
from tests.worker import run_tasks

pytestmark = pytest.mark.django_db


def url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=["cov", assessment.pk, *args])


def score(answer="4", done_well="Strong research.", to_explore="", revision="0", **extra):
    return {
        "answer": answer,
        "done_well": done_well,
        "to_explore": to_explore,
        "revision": revision,
        **extra,
    }


def state(assessment):
    """Everything this part writes, to compare before and after a refused request."""
    review = Review.objects.get(assessment=assessment)
    return (
        list(ReviewerPoint.objects.filter(assessment=assessment).values()),
        list(AgreedPoint.objects.filter(assessment=assessment).values()),
        {k: v for k, v in vars(review).items() if not k.startswith("_")},
        assessment.__class__.objects.get(pk=assessment.pk).status,
        AssessmentEvent.objects.filter(assessment=assessment).count(),
    )


# --- A reviewer's own scores -----------------------------------------------------


def test_a_reviewer_scores_a_point_and_goes_on_to_the_next(client_for, in_review, peer_reviewer):
    response = client_for(peer_reviewer).post(
        url("review_point", in_review, 1), score(action="continue")
    )
    assert response.status_code == 302
    assert response.url == url("review_point", in_review, 2)
    row = ReviewerPoint.objects.get(assessment=in_review, reviewer=peer_reviewer)
    assert (row.point.number, row.score, row.done_well, row.revision) == (
        1,
        4,
        "Strong research.",
        1,
    )
    # Saving to come back later returns to the review's list of points.
    response = client_for(peer_reviewer).post(url("review_point", in_review, 2), score())
    assert response.url == url("review_task_list", in_review)


def test_the_last_point_continues_to_check_answers(client_for, in_review, peer_reviewer):
    response = client_for(peer_reviewer).post(
        url("review_point", in_review, 15), score(action="continue")
    )
    assert response.url == url("review_check_answers", in_review)


def test_not_applicable_saves_no_score(client_for, in_review, independent_assessor):
    client_for(independent_assessor).post(url("review_point", in_review, 3), score(answer="na"))
    row = ReviewerPoint.objects.get(reviewer=independent_assessor)
    assert row.not_applicable
    assert row.score is None


def test_a_point_is_completed_with_a_score_and_a_comment(client_for, in_review, peer_reviewer):
    client = client_for(peer_reviewer)
    client.post(url("review_point", in_review, 1), score(done_well="", to_explore="Ask users."))
    client.post(url("review_point", in_review, 2), score(done_well="", to_explore=""))
    page = client.get(url("review_task_list", in_review)).content.decode()
    status = page.split('id="point-1-status">')[1].split("</div>")[0]
    assert status == "Completed"
    status = page.split('id="point-2-status">')[1].split("</div>")[0]
    assert "Incomplete" in status
    status = page.split('id="point-3-status">')[1].split("</div>")[0]
    assert "Not yet started" in status
    assert "1 of 15 points completed." in page
    assert "Council's score: 3 – Meets the point. Yours: 4 – Strong." in page


def test_the_task_list_shows_the_due_date_and_the_reviewers(client_for, in_review, peer_reviewer):
    page = client_for(peer_reviewer).get(url("review_task_list", in_review)).content.decode()
    review = Review.objects.get(assessment=in_review)
    assert f"{review.due_on:%-d %B %Y}" in page
    assert "Rita Reviewer (lead reviewer)" in page
    assert "Ina Independent" in page
    assert url("complete_review", in_review) in page
    assert url("agreed_point", in_review, 1) in page


def test_only_the_lead_is_offered_agreed_scores(client_for, in_review, independent_assessor):
    page = client_for(independent_assessor).get(url("review_task_list", in_review))
    assert url("complete_review", in_review) not in page.content.decode()


def test_a_second_tab_cannot_overwrite_the_first(client_for, in_review, peer_reviewer):
    client = client_for(peer_reviewer)
    client.post(url("review_point", in_review, 1), score(done_well="First tab."))
    response = client.post(
        url("review_point", in_review, 1), score(answer="1", done_well="Second tab.")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "in another tab or window" in page
    assert "Second tab." in page  # what they typed comes back
    assert 'id="saved-version"' in page
    row = ReviewerPoint.objects.get(reviewer=peer_reviewer)
    assert (row.score, row.done_well, row.revision) == (4, "First tab.", 1)
    # Saving again from there carries the saved revision and replaces it deliberately.
    response = client.post(
        url("review_point", in_review, 1), score(answer="1", done_well="Second tab.", revision="1")
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.score, row.done_well, row.revision) == (1, "Second tab.", 2)


def test_a_comment_too_long_is_shown_back_with_its_error(client_for, in_review, peer_reviewer):
    response = client_for(peer_reviewer).post(
        url("review_point", in_review, 1), score(done_well="x" * 10_001)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("What the team has done well must be 10,000 characters or fewer") == 2
    assert 'href="#id_done_well"' in page
    assert not ReviewerPoint.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coventry_lead", 403),
        ("coventry_contributor", 403),
        ("coordinator", 403),
        ("leeds_lead", 404),
        ("leeds_lead_coventry_contributor", 403),
    ],
)
@pytest.mark.parametrize(
    "page", ["review_task_list", "review_point", "review_check_answers", "agreed_point"]
)
def test_nobody_but_its_reviewers_opens_the_review_pages(
    client_for, in_review, people, persona, status, page
):
    args = [1] if page in ("review_point", "agreed_point") else []
    assert client_for(people[persona]).get(url(page, in_review, *args)).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coventry_lead", 403), ("coordinator", 403), ("leeds_lead", 404), ("superuser", 403)],
)
def test_nobody_but_its_reviewers_saves_a_reviewers_score(
    client_for, in_review, people, persona, status
):
    user = people.get(persona) or User.objects.create_superuser("root@x.example", "pw-12345678")
    before = state(in_review)
    response = client_for(user).post(url("review_point", in_review, 1), score())
    assert response.status_code == status
    assert state(in_review) == before


def test_a_reviewer_not_assigned_cannot_find_it(client_for, in_review, midlands):
    other = UserFactory(is_peer_reviewer=True, reviewer_peer_groups=[midlands])
    assert client_for(other).get(url("review_task_list", in_review)).status_code == 404
    before = state(in_review)
    assert client_for(other).post(url("review_point", in_review, 1), score()).status_code == 404
    assert state(in_review) == before


def test_a_reviewer_may_not_review_a_draft(client_for, standard, coventry, coventry_lead):
    from tests.factories_reviews import ServiceFactory

    draft = services.start_assessment(
        ServiceFactory(council=coventry), by=coventry_lead, phase="beta"
    )
    reviewer = UserFactory(is_peer_reviewer=True)
    assert client_for(reviewer).get(url("review_task_list", draft)).status_code == 404


def test_a_coventry_member_never_reviews_coventry_even_if_assigned(
    client_for, in_review, peer_reviewer, coventry, coordinator
):
    """Whatever the assignments say (Rita joined Coventry after she was assigned), a
    member of the council does not review it: the pages and the service refuse."""
    MembershipFactory(council=coventry, user=peer_reviewer, role=Role.CONTRIBUTOR)
    before = state(in_review)
    client = client_for(peer_reviewer)
    assert client.get(url("review_task_list", in_review)).status_code == 403
    assert client.post(url("review_point", in_review, 1), score()).status_code == 403
    assert client.post(url("agreed_point", in_review, 1), score()).status_code == 403
    with pytest.raises(PermissionDenied):
        services.save_reviewer_point(
            in_review,
            in_review.standard.points.get(number=1),
            by=peer_reviewer,
            revision=0,
            score=5,
            not_applicable=False,
            done_well="Mine.",
            to_explore="",
        )
    assert state(in_review) == before


# --- Drafts are private -----------------------------------------------------------

SECRET = "Private reviewer note 7f3a"


@pytest.mark.parametrize("persona", ["coventry_lead", "coventry_contributor", "coordinator"])
def test_reviewers_drafts_are_on_no_page_the_council_or_coordinators_open(
    client_for, in_review, peer_reviewer, people, persona
):
    client_for(peer_reviewer).post(url("review_point", in_review, 1), score(done_well=SECRET))
    assert ReviewerPoint.objects.filter(done_well=SECRET).exists()
    client = client_for(people[persona])
    for address in [
        url("assessment", in_review),
        url("edit_point", in_review, 1),
        url("check_answers", in_review),
        url("assessment_history", in_review),
        url("print_assessment", in_review),
        url("review_outcome", in_review),
        reverse("assessments:your_work"),
    ]:
        response = client.get(address)
        assert SECRET not in response.content.decode(), address
    assert client.get(url("review_outcome", in_review)).status_code == 403


def test_the_other_reviewer_sees_scores_only_on_the_leads_pages(
    client_for, in_review, peer_reviewer, independent_assessor
):
    client_for(independent_assessor).post(
        url("review_point", in_review, 1), score(done_well=SECRET)
    )
    page = client_for(peer_reviewer).get(url("agreed_point", in_review, 1)).content.decode()
    assert SECRET in page  # the lead sees every reviewer's before agreeing
    assert "Ina Independent" in page


# --- The lead reviewer's agreed scores ---------------------------------------------


def test_the_agreed_score_starts_from_the_leads_own(client_for, in_review, peer_reviewer):
    client = client_for(peer_reviewer)
    client.post(url("review_point", in_review, 2), score(answer="2", to_explore="Lead's own."))
    page = client.get(url("agreed_point", in_review, 2)).content.decode()
    assert "Lead&#x27;s own." in page or "Lead's own." in page
    assert 'value="2" aria-describedby="id_answer_3-hint" checked' in page


def test_the_lead_sets_an_agreed_score(client_for, in_review, peer_reviewer, independent_assessor):
    client_for(independent_assessor).post(url("review_point", in_review, 4), score(answer="2"))
    client_for(peer_reviewer).post(url("review_point", in_review, 4), score(answer="4"))
    page = client_for(peer_reviewer).get(url("agreed_point", in_review, 4)).content.decode()
    assert "range from 2 to 4: a spread of 2" in page
    response = client_for(peer_reviewer).post(
        url("agreed_point", in_review, 4),
        score(answer="3", done_well="Agreed.", action="continue"),
    )
    assert response.url == url("agreed_point", in_review, 5)
    agreed = AgreedPoint.objects.get(assessment=in_review)
    assert (agreed.point.number, agreed.score, agreed.updated_by) == (4, 3, peer_reviewer)


def test_only_the_lead_sets_agreed_scores(
    client_for, in_review, independent_assessor, coventry_lead
):
    before = state(in_review)
    for user in (independent_assessor, coventry_lead):
        response = client_for(user).post(url("agreed_point", in_review, 1), score())
        assert response.status_code == 403
    assert state(in_review) == before


def test_agreed_scores_are_guarded_against_crossing_edits(client_for, in_review, peer_reviewer):
    client = client_for(peer_reviewer)
    client.post(url("agreed_point", in_review, 1), score(done_well="One."))
    response = client.post(url("agreed_point", in_review, 1), score(done_well="Two."))
    assert "saved the agreed score for this point while you were editing" in (
        response.content.decode()
    )
    assert AgreedPoint.objects.get().done_well == "One."


# --- Completing ----------------------------------------------------------------------


def complete_data(**extra):
    return {
        "summary": "Users come first here.",
        "recommendation": "meets",
        "revision": "0",
        "action": "complete",
        **extra,
    }


def test_completing_needs_every_point_agreed(client_for, in_review, peer_reviewer):
    agree_every_point(in_review, peer_reviewer, skip=[4, 9])
    before = state(in_review)
    response = client_for(peer_reviewer).post(url("complete_review", in_review), complete_data())
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="{url("agreed_point", in_review, 4)}"' in page
    assert f'href="{url("agreed_point", in_review, 9)}"' in page
    assert "Users come first here." in page  # what they typed comes back
    assert state(in_review) == before


def test_completing_needs_a_summary_and_recommendation(client_for, in_review, peer_reviewer):
    agree_every_point(in_review, peer_reviewer)
    before = state(in_review)
    response = client_for(peer_reviewer).post(
        url("complete_review", in_review), complete_data(summary=" ", recommendation="")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Enter an overall summary") == 2
    assert page.count("Select a recommendation") == 2
    assert state(in_review) == before


def test_the_check_refuses_completion_in_the_service_too(in_review, peer_reviewer):
    agree_every_point(in_review, peer_reviewer, skip=[15])
    with pytest.raises(services.ReviewIncomplete) as refused:
        services.complete_review(
            in_review, by=peer_reviewer, revision=0, summary="S", recommendation="meets"
        )
    assert [number for number, *_ in refused.value.problems] == [15]
    review = Review.objects.get(assessment=in_review)
    assert (review.summary, review.completed_at) == ("", None)  # rolled back


def test_the_lead_saves_the_summary_to_come_back_to(client_for, in_review, peer_reviewer):
    response = client_for(peer_reviewer).post(
        url("complete_review", in_review), complete_data(action="save", recommendation="")
    )
    assert response.status_code == 302
    review = Review.objects.get(assessment=in_review)
    assert (review.summary, review.revision, review.completed_at) == (
        "Users come first here.",
        1,
        None,
    )


def test_the_lead_completes_the_review_and_the_council_is_emailed_once(
    client_for,
    in_review,
    peer_reviewer,
    coventry_lead,
    coventry_contributor,
    leeds_lead_coventry_contributor,
    leeds_lead,
):
    agree_every_point(in_review, peer_reviewer)
    response = client_for(peer_reviewer).post(url("complete_review", in_review), complete_data())
    assert response.url == url("review_outcome", in_review)
    in_review.refresh_from_db()
    review = in_review.review
    assert in_review.status == Status.REVIEWED
    assert (review.summary, review.recommendation, review.completed_by) == (
        "Users come first here.",
        "meets",
        peer_reviewer,
    )
    assert review.completed_at is not None
    event = in_review.events.get(kind=EventKind.REVIEW_COMPLETED)
    assert event.actor == peer_reviewer
    assert in_review.last_change_to(Status.REVIEWED).by == peer_reviewer

    mail.outbox.clear()
    run_tasks()
    sent = [m for m in mail.outbox if "peer review of" in m.subject]
    assert sorted(m.to[0] for m in sent) == sorted(
        [coventry_lead.email, coventry_contributor.email, leeds_lead_coventry_contributor.email]
    )
    assert url("review_outcome", in_review) in sent[0].body
    # A repeated request completes nothing twice and sends nothing more.
    again = client_for(peer_reviewer).post(url("complete_review", in_review), complete_data())
    assert again.url == url("review_outcome", in_review)
    assert Review.objects.get(assessment=in_review).revision == review.revision
    run_tasks()
    assert len([m for m in mail.outbox if "peer review of" in m.subject]) == 3


# --- The outcome ---------------------------------------------------------------------


@pytest.fixture
def reviewed(in_review, client_for, peer_reviewer, independent_assessor):
    client_for(peer_reviewer).post(url("review_point", in_review, 1), score(done_well=SECRET))
    client_for(independent_assessor).post(
        url("review_point", in_review, 1), score(answer="2", to_explore="Ina's question.")
    )
    complete(in_review, peer_reviewer, score=4)  # the council scored 3
    AgreedPoint.objects.filter(assessment=in_review, point__number=2).update(score=1)
    in_review.refresh_from_db()
    return in_review


@pytest.mark.parametrize(
    "persona", ["coventry_lead", "coventry_contributor", "coordinator", "peer_reviewer"]
)
def test_after_completion_the_council_sees_every_score(client_for, reviewed, people, persona):
    page = client_for(people[persona]).get(url("review_outcome", reviewed)).content.decode()
    assert SECRET in page
    assert "Ina&#x27;s question." in page
    assert "+1: 1 point higher than your score" in page
    assert "−2: 2 points lower than your score" in page
    assert "Meets the Standard, with actions" in page
    assert "A service that knows its users." in page


@pytest.mark.parametrize(
    ("page", "args"),
    [("review_task_list", []), ("review_point", [1]), ("agreed_point", [1])],
)
def test_after_completion_a_reviewer_is_sent_to_the_outcome(
    client_for, reviewed, independent_assessor, page, args
):
    response = client_for(independent_assessor).get(url(page, reviewed, *args))
    if page == "agreed_point":  # not the lead: refused whatever the state
        assert response.status_code == 403
    else:
        assert response.url == url("review_outcome", reviewed)


def test_a_score_posted_after_completion_is_not_saved(client_for, reviewed, peer_reviewer):
    before = list(ReviewerPoint.objects.values())
    response = client_for(peer_reviewer).post(url("review_point", reviewed, 1), score())
    assert response.url == url("review_outcome", reviewed)
    assert list(ReviewerPoint.objects.values()) == before


def test_others_never_see_the_outcome(client_for, reviewed, leeds_lead):
    assert client_for(leeds_lead).get(url("review_outcome", reviewed)).status_code == 404


def test_the_outcome_is_linked_from_the_assessment(client_for, reviewed, coventry_contributor):
    page = client_for(coventry_contributor).get(url("assessment", reviewed)).content.decode()
    assert url("review_outcome", reviewed) in page


def test_the_outcome_is_linked_from_your_work(client_for, reviewed, in_review, coventry_lead):
    page = client_for(coventry_lead).get(reverse("assessments:your_work")).content.decode()
    assert page.count("/review/outcome/") == 1
    assert url("review_outcome", reviewed) in page


def test_a_reviewer_is_offered_their_review_from_the_assessment(
    client_for, in_review, independent_assessor, coventry_lead
):
    page = client_for(independent_assessor).get(url("assessment", in_review)).content.decode()
    assert url("review_task_list", in_review) in page
    page = client_for(coventry_lead).get(url("assessment", in_review)).content.decode()
    assert url("review_task_list", in_review) not in page


def queries(client, address):
    """How many queries a second GET of the page makes (the first warms the caches)."""
    client.get(address)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_the_outcome_page_makes_the_same_queries_however_many_scores(
    client_for, reviewed, coventry_lead, independent_assessor
):
    client = client_for(coventry_lead)
    few = queries(client, url("review_outcome", reviewed))
    for point in reviewed.standard.points.exclude(number=1):
        ReviewerPoint.objects.create(
            assessment=reviewed, point=point, reviewer=independent_assessor, score=2
        )
    assert queries(client, url("review_outcome", reviewed)) == few <= 16


def test_the_task_list_makes_the_same_queries_however_many_points_are_scored(
    client_for, in_review, peer_reviewer
):
    client = client_for(peer_reviewer)
    none = queries(client, url("review_task_list", in_review))
    for number in range(1, 16):
        client.post(url("review_point", in_review, number), score())
        client.post(url("agreed_point", in_review, number), score())
    # Also the open round of clarification (with its questions) and the unread messages.
    assert queries(client, url("review_task_list", in_review)) == none <= 21


def test_a_council_lead_responds_on_the_record(client_for, reviewed, coventry_lead):
    response = client_for(coventry_lead).post(
        url("respond_to_review", reviewed), {"response": "We accept.", "revision": "1"}
    )
    assert response.url == url("review_outcome", reviewed)
    review = Review.objects.get(assessment=reviewed)
    assert (review.council_response, review.council_response_by) == ("We accept.", coventry_lead)
    event = reviewed.events.get(kind=EventKind.COUNCIL_RESPONDED)
    assert event.actor == coventry_lead
    page = client_for(coventry_lead).get(url("review_outcome", reviewed)).content.decode()
    assert "We accept." in page
    # Changed later: a second line in the history.
    client_for(coventry_lead).post(
        url("respond_to_review", reviewed), {"response": "We accept most.", "revision": "2"}
    )
    assert reviewed.events.filter(kind=EventKind.COUNCIL_RESPONDED).count() == 2


def test_an_empty_response_is_refused_with_an_error(client_for, reviewed, coventry_lead):
    response = client_for(coventry_lead).post(
        url("respond_to_review", reviewed), {"response": " ", "revision": "1"}
    )
    assert response.content.decode().count("Enter your council&#x27;s response") == 2
    assert Review.objects.get(assessment=reviewed).council_response == ""


def test_two_leads_responding_at_once_do_not_overwrite(client_for, reviewed, coventry_lead):
    client = client_for(coventry_lead)
    client.post(url("respond_to_review", reviewed), {"response": "First.", "revision": "1"})
    response = client.post(
        url("respond_to_review", reviewed), {"response": "Second.", "revision": "1"}
    )
    assert "while you were writing yours" in response.content.decode()
    assert Review.objects.get(assessment=reviewed).council_response == "First."


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coventry_contributor", 403),
        ("leeds_lead_coventry_contributor", 403),
        ("coordinator", 403),
        ("peer_reviewer", 403),
        ("leeds_lead", 404),
    ],
)
def test_only_a_council_lead_responds(client_for, reviewed, people, persona, status):
    before = state(reviewed)
    response = client_for(people[persona]).post(
        url("respond_to_review", reviewed), {"response": "Ours.", "revision": "1"}
    )
    assert response.status_code == status
    assert state(reviewed) == before


def test_nobody_responds_before_the_review_is_complete(client_for, in_review, coventry_lead):
    response = client_for(coventry_lead).get(url("respond_to_review", in_review))
    assert response.status_code == 403


def test_the_reviewers_pages_flag_new_messages_and_show_the_councils_questions(
    client_for, in_review, peer_reviewer, coventry_lead
):
    from assessments.services import discussion

    client = client_for(peer_reviewer)
    page = client.get(url("review_task_list", in_review)).content.decode()
    assert page.count("New messages") == 0
    assert "Ask the council for clarification" in page  # she leads the review
    assert url("point_discussion", in_review, 4) in page

    discussion.post_message(in_review, 4, by=coventry_lead, body="We have the survey too.")
    page = client.get(url("review_task_list", in_review)).content.decode()
    assert page.count("New messages") == 1
    point_page = client.get(url("review_point", in_review, 4)).content.decode()
    assert "New messages" in point_page

    discussion.request_clarification(in_review, by=peer_reviewer, questions={6: "Which data?"})
    page = client.get(url("review_task_list", in_review)).content.decode()
    assert "Clarification asked." in page
    assert "Ask the council for clarification" not in page  # one round at a time
    assert "Which data?" in client.get(url("review_point", in_review, 6)).content.decode()
    assert "Which data?" not in client.get(url("review_point", in_review, 5)).content.decode()


def test_every_link_on_a_reviewers_pages_opens_for_them(client_for, in_review, peer_reviewer):
    """Breadcrumbs and links lead a reviewer only to pages they may open: not to the
    council's services, which are not theirs to see."""
    import re as regex

    client = client_for(peer_reviewer)
    pages = [
        url("review_task_list", in_review),
        url("review_point", in_review, 1),
        url("assessment", in_review),
        url("point_discussion", in_review, 1),
    ]
    for page in pages:
        content = client.get(page).content.decode()
        for address in set(regex.findall(r'<a [^>]*href="(/[^"#]*)', content)):
            if address.startswith("/static/"):
                continue
            status = client.get(address).status_code
            assert status in (200, 302), f"{address} on {page} answers {status}"
