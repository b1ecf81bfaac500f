"""Every kind of email the service sends, in one place.

Each function receives the object the email is about, as it is in the database
when the email is sent, and returns the context for its templates (with `link`,
the full address of the page concerned), or None if the email is no longer wanted.
Templates are in `assessments/templates/assessments/emails/`.
"""

from django.conf import settings
from django.urls import reverse

from assessments.models import Status
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
