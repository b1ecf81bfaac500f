"""Councils, people, services, assessments, reviews and publishing."""

from assessments.models.assessments import (
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
from assessments.models.services import Product, Service, Sourcing, Supplier

__all__ = [
    "Assessment",
    "AssessmentEvent",
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
    "Product",
    "Role",
    "Service",
    "Sourcing",
    "Status",
    "StatusChange",
    "Supplier",
    "User",
    "normalise_email",
]
