"""Councils, people, services, assessments, reviews and publishing."""

from assessments.models.councils import Council, Nation, PeerGroup
from assessments.models.people import (
    Invitation,
    InvitationRole,
    Membership,
    Role,
    User,
    normalise_email,
)

__all__ = [
    "Council",
    "Invitation",
    "InvitationRole",
    "Membership",
    "Nation",
    "PeerGroup",
    "Role",
    "User",
    "normalise_email",
]
