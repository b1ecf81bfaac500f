"""Councils, people, services, assessments, reviews and publishing."""

from assessments.models.assessments import (
    AWAITING_REVIEW,
    Assessment,
    AssessmentEvent,
    EventKind,
    EvidenceLink,
    PointAssessment,
    Status,
    StatusChange,
)
from assessments.models.councils import Council, Nation, PeerGroup
from assessments.models.notifications import Notification, NotificationStatus
from assessments.models.people import (
    Invitation,
    InvitationRole,
    Membership,
    PasswordResetRequest,
    Role,
    User,
    normalise_email,
)
from assessments.models.phases import Phase
from assessments.models.reviews import (
    AgreedPoint,
    AssignmentEnd,
    ClarificationQuestion,
    ClarificationRound,
    PointMessage,
    Recommendation,
    Review,
    ReviewerAssignment,
    ReviewerPoint,
    Side,
    ThreadRead,
)
from assessments.models.services import Product, Service, Sourcing, Supplier

__all__ = [
    "AWAITING_REVIEW",
    "AgreedPoint",
    "Assessment",
    "AssessmentEvent",
    "AssignmentEnd",
    "ClarificationQuestion",
    "ClarificationRound",
    "Council",
    "EventKind",
    "EvidenceLink",
    "Invitation",
    "InvitationRole",
    "Membership",
    "Nation",
    "Notification",
    "NotificationStatus",
    "PasswordResetRequest",
    "PeerGroup",
    "Phase",
    "PointAssessment",
    "PointMessage",
    "Product",
    "Recommendation",
    "Review",
    "ReviewerAssignment",
    "ReviewerPoint",
    "Role",
    "Service",
    "Side",
    "Sourcing",
    "Status",
    "StatusChange",
    "Supplier",
    "ThreadRead",
    "User",
    "normalise_email",
]
