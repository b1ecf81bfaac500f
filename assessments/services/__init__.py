"""State changes, one function per workflow step. Views call these; nothing else
changes the same state.

Each function checks the rule it depends on (`assessments.rules`), changes the
database inside one transaction, locking the rows it reads with
`select_for_update`, and records what happened. The modules, by area:

- `people`: invitations and council membership
- `councils`: a council's record of signing up to the Standard
- `digital_services`: a council's list of digital services
- `assessments`: self-assessment: starting a draft and answering each point
- `agreement`: what a review needs before it is completed (the transition's check)
- `reviewing`: peer review, the reviewers' side: their scores, the agreed scores,
  completing the review and the council's response
- `transitions`: every change of an assessment's state (submit, withdraw, delete…)
- `discussion`: peer review's discussion on each point and rounds of clarification

The names below are the public interface: `services.submit(assessment, by=user)`.
"""

from assessments.services.agreement import ReviewIncomplete
from assessments.services.assessments import (
    IncompleteAssessment,
    NotEditable,
    clarification_points,
    incomplete_points,
    may_change_point,
    open_questions,
    save_point,
    start_assessment,
)
from assessments.services.conflicts import EditConflict
from assessments.services.councils import record_adoption
from assessments.services.digital_services import create_service, retire_service, update_service
from assessments.services.people import (
    InvitationUnusable,
    accept_invitation,
    cancel_invitation,
    invite,
    only_lead_message,
    remove_member,
    resend_invitation,
)
from assessments.services.reviewing import (
    ReviewClosed,
    complete_review,
    respond_to_review,
    save_agreed_point,
    save_reviewer_point,
    save_summary,
)
from assessments.services.transitions import (
    TRANSITIONS,
    AlreadyDone,
    NotAllowedNow,
    change_state,
    delete_draft,
    publish,
    submit,
    withdraw,
    withdraw_publication,
)

__all__ = [
    "TRANSITIONS",
    "AlreadyDone",
    "EditConflict",
    "IncompleteAssessment",
    "InvitationUnusable",
    "NotAllowedNow",
    "NotEditable",
    "ReviewClosed",
    "ReviewIncomplete",
    "accept_invitation",
    "cancel_invitation",
    "change_state",
    "clarification_points",
    "complete_review",
    "create_service",
    "delete_draft",
    "incomplete_points",
    "invite",
    "may_change_point",
    "only_lead_message",
    "open_questions",
    "publish",
    "record_adoption",
    "remove_member",
    "resend_invitation",
    "respond_to_review",
    "retire_service",
    "save_agreed_point",
    "save_point",
    "save_reviewer_point",
    "save_summary",
    "start_assessment",
    "submit",
    "update_service",
    "withdraw",
    "withdraw_publication",
]
