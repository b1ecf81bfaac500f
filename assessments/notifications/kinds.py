"""Every kind of email the service sends, in one place.

Each function receives the object the email is about, as it is in the database
when the email is sent, and returns the context for its templates (with `link`,
the full address of the page concerned), or None if the email is no longer wanted.
Templates are in `assessments/templates/assessments/emails/`.
"""

from django.conf import settings
from django.urls import reverse

from assessments.models import AWAITING_REVIEW, Status
from assessments.notifications.registry import register


def _link(path):
    return settings.SITE_URL + path


@register(
    "invitation",
    label="Invitation",
    subject="assessments/emails/invitation_subject.txt",
    text="assessments/emails/invitation.txt",
    html="assessments/emails/invitation.html",
)
def invitation(invitation):
    """To the invitee. Each sending issues a new link (only its hash is kept), so the
    email sent last carries the link that works."""
    if not invitation.is_usable:
        return None
    token = invitation.issue_token()
    return {
        "invitation": invitation,
        "link": _link(reverse("assessments:accept_invitation", args=[token])),
        "days": settings.INVITATION_DAYS,
    }


def _assessment_context(assessment):
    service = assessment.service
    council = service.council
    return {
        "assessment": assessment,
        "service": service,
        "council": council,
        "link": _link(reverse("assessments:assessment", args=[council, assessment.pk])),
    }


@register(
    "assessment_submitted",
    label="Assessment submitted",
    subject="assessments/emails/assessment_submitted_subject.txt",
    text="assessments/emails/assessment_submitted.txt",
    html="assessments/emails/assessment_submitted.html",
)
def assessment_submitted(assessment):
    """To coordinators (`User.objects.coordinators()`): a council wants its assessment reviewed."""
    submission = assessment.last_change_to(Status.SUBMITTED)
    return {**_assessment_context(assessment), "submitted_by": submission and submission.by}


@register(
    "assessment_withdrawn",
    label="Assessment withdrawn",
    subject="assessments/emails/assessment_withdrawn_subject.txt",
    text="assessments/emails/assessment_withdrawn.txt",
    html="assessments/emails/assessment_withdrawn.html",
)
def assessment_withdrawn(assessment):
    """To the council's leads (`User.objects.leads_of(council)`): who withdrew it, and why."""
    withdrawal = assessment.last_change_to(Status.WITHDRAWN)
    return {
        **_assessment_context(assessment),
        "withdrawn_by": withdrawal and withdrawal.by,
        "withdrawn_at": withdrawal and withdrawal.at,
        "reason": withdrawal.reason if withdrawal else "",
    }


# --- Assigning reviewers (assessments.services.reviewers) ---------------------------


def _assignment_context(assignment):
    assessment = assignment.assessment
    review = getattr(assessment, "review", None)
    return {
        **_assessment_context(assessment),
        "assignment": assignment,
        "reviewer": assignment.reviewer,
        "due_on": review.due_on if review else None,
    }


@register(
    "reviewer_assigned",
    label="Reviewer assigned",
    subject="assessments/emails/reviewer_assigned_subject.txt",
    text="assessments/emails/reviewer_assigned.txt",
    html="assessments/emails/reviewer_assigned.html",
)
def reviewer_assigned(assignment):
    """To the reviewer: what they review, by when, and whether they lead. Not sent if
    they were taken off the review before it went."""
    if assignment.ended_at is not None:
        return None
    return _assignment_context(assignment)


@register(
    "reviewer_unassigned",
    label="Reviewer unassigned",
    subject="assessments/emails/reviewer_unassigned_subject.txt",
    text="assessments/emails/reviewer_unassigned.txt",
    html="assessments/emails/reviewer_unassigned.html",
)
def reviewer_unassigned(assignment):
    """To the reviewer taken off a review, or whose offer was not taken up. The link
    leads to their work: the assessment is no longer theirs to see."""
    return {
        **_assignment_context(assignment),
        "was_offer": assignment.confirmed_at is None,
        "link": _link(reverse("assessments:your_work")),
    }


@register(
    "reviewer_stepped_aside",
    label="Reviewer stepped aside",
    subject="assessments/emails/reviewer_stepped_aside_subject.txt",
    text="assessments/emails/reviewer_stepped_aside.txt",
    html="assessments/emails/reviewer_stepped_aside.html",
)
def reviewer_stepped_aside(assignment):
    """To coordinators: a reviewer declared a conflict of interest; the reason is on the
    assignment page, not in the email."""
    return {
        **_assignment_context(assignment),
        "link": _link(reverse("assessments:review_assignment", args=[assignment.assessment_id])),
    }


@register(
    "review_overdue",
    label="Review overdue",
    subject="assessments/emails/review_overdue_subject.txt",
    text="assessments/emails/review_overdue.txt",
    html="assessments/emails/review_overdue.html",
)
def review_overdue(review):
    """To the current reviewers and the coordinators, once, when the review passes its
    due date. Not sent if it was completed (or the assessment withdrawn) before it went.
    Reviewers follow the link to the assessment; coordinators too (they see every one)."""
    assessment = review.assessment
    if review.is_complete or assessment.status not in AWAITING_REVIEW:
        return None
    return {**_assessment_context(assessment), "review": review, "due_on": review.due_on}


# Peer review: the discussion on each point and rounds of clarification
# (assessments.services.discussion).


@register(
    "thread_message",
    label="New message in a discussion",
    subject="assessments/emails/thread_message_subject.txt",
    text="assessments/emails/thread_message.txt",
    html="assessments/emails/thread_message.html",
)
def thread_message(message):
    """To the other side of the discussion (see `services.discussion.post_message`), at
    most once an hour per person and assessment: the first new message, with a link to
    its thread, where any later ones are too."""
    assessment = message.assessment
    council = assessment.service.council
    return {
        **_assessment_context(assessment),
        "message": message,
        "point": message.point,
        "from_council": message.side == "council",
        "link": _link(
            reverse(
                "assessments:point_discussion",
                args=[council, assessment.pk, message.point.number],
            )
        ),
    }


def _round_context(clarification):
    assessment = clarification.assessment
    return {
        **_assessment_context(assessment),
        "round": clarification,
        "questions": list(clarification.questions.select_related("point")),
    }


@register(
    "clarification_requested",
    label="Clarification requested",
    subject="assessments/emails/clarification_requested_subject.txt",
    text="assessments/emails/clarification_requested.txt",
    html="assessments/emails/clarification_requested.html",
)
def clarification_requested(clarification):
    """To the council's leads and the last editor of each point asked about: the
    questions, and a link to the assessment, where only those points are open."""
    return _round_context(clarification)


@register(
    "clarification_answered",
    label="Clarification answered",
    subject="assessments/emails/clarification_answered_subject.txt",
    text="assessments/emails/clarification_answered.txt",
    html="assessments/emails/clarification_answered.html",
)
def clarification_answered(clarification):
    """To the current reviewers: the council has sent its answers back. The link leads to
    their own review, where the points asked about are marked."""
    assessment = clarification.assessment
    return {
        **_round_context(clarification),
        "link": _link(
            reverse(
                "assessments:review_task_list", args=[assessment.service.council, assessment.pk]
            )
        ),
    }


@register(
    "review_completed",
    label="Peer review completed",
    subject="assessments/emails/review_completed_subject.txt",
    text="assessments/emails/review_completed.txt",
    html="assessments/emails/review_completed.html",
)
def review_completed(assessment):
    """To every member of the council: the review is complete, with a link to its outcome
    (the agreed scores, the reviewers' comments and the recommendation)."""
    review = getattr(assessment, "review", None)
    if review is None or not review.is_complete:
        return None
    council = assessment.service.council
    return {
        **_assessment_context(assessment),
        "review": review,
        "link": _link(reverse("assessments:review_outcome", args=[council, assessment.pk])),
    }


def _publication_context(assessment):
    publication = getattr(assessment, "publication", None)
    if publication is None:
        return None
    return {
        **_assessment_context(assessment),
        "publication": publication,
        "link": _link(reverse("assessments:published_assessment", args=[publication.pk])),
    }


@register(
    "assessment_published",
    label="Assessment published",
    subject="assessments/emails/assessment_published_subject.txt",
    text="assessments/emails/assessment_published.txt",
    html="assessments/emails/assessment_published.html",
)
def assessment_published(assessment):
    """To the council's members and the reviewers: the assessment is public, with a link
    to the report. Not sent if the publication was withdrawn before the email went."""
    context = _publication_context(assessment)
    if context is None or context["publication"].is_withdrawn:
        return None
    return context


@register(
    "publication_withdrawn",
    label="Publication withdrawn",
    subject="assessments/emails/publication_withdrawn_subject.txt",
    text="assessments/emails/publication_withdrawn.txt",
    html="assessments/emails/publication_withdrawn.html",
)
def publication_withdrawn(assessment):
    """To the council's leads and the coordinators: who withdrew the publication and the
    public reason given."""
    context = _publication_context(assessment)
    if context is None or not context["publication"].is_withdrawn:
        return None
    return context
