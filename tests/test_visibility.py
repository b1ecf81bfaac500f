"""What each person may see: `visible_to(user)` on the querysets agrees with the `view_*`
rules, object by object, for every persona.

Lists are built from the querysets and single objects are found through them
(assessments/views/lookups.py), while templates and workflow functions ask the rules.
If the two disagreed, a list would show something whose page is 404, or hide
something the rules allow.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssignmentEnd,
    Council,
    Invitation,
    InvitationRole,
    Membership,
    ReviewerAssignment,
    Role,
    Service,
    Status,
)
from tests.conftest import PERSONAS
from tests.factories import CouncilFactory, MembershipFactory, UserFactory
from tests.factories_assessments import AssessmentFactory
from tests.factories_services import ServiceFactory


def invitation(council=None, peer_group=None, role=InvitationRole.CONTRIBUTOR, **fields):
    now = timezone.now()
    return Invitation.objects.create(
        email=f"invitee{Invitation.objects.count()}@example.com",
        role=role,
        council=council,
        peer_group=peer_group,
        token_hash=Invitation.new_token()[1],
        expires_at=now + timedelta(days=7),
        **fields,
    )


@pytest.fixture
def everything(people, standard, coventry, leeds, midlands):
    """Private things at Coventry, at Leeds and at a council nobody here belongs to."""
    nowhere = CouncilFactory(code="NWH", short_name="Nowhere", peer_group=midlands)
    MembershipFactory(council=nowhere, role=Role.LEAD)
    for council in (coventry, leeds, nowhere):
        in_use = ServiceFactory(council=council, name="Pay for parking")
        retired = ServiceFactory(council=council, name="Old parking", retired_at=timezone.now())
        AssessmentFactory(service=in_use)  # a draft
        AssessmentFactory(service=retired, status=Status.SUBMITTED, submitted_at=timezone.now())
        invitation(council=council)
        invitation(council=council, role=InvitationRole.LEAD, cancelled_at=timezone.now())
    invitation(peer_group=midlands, role=InvitationRole.REVIEWER)
    reviewing(people["peer_reviewer"], nowhere, midlands)


def reviewing(reviewer, council, midlands):
    """The reviewer's assignments at a council they do not belong to: current on one
    submitted assessment; ended, or only offered, on others; and (which should never
    happen, but must not reveal a draft) on a draft."""
    now = timezone.now()
    service = ServiceFactory(council=council, name="Apply for a blue badge")

    def submitted():
        return AssessmentFactory(service=service, status=Status.IN_REVIEW, submitted_at=now)

    ReviewerAssignment.objects.create(
        assessment=submitted(), reviewer=reviewer, is_lead=True, confirmed_at=now
    )
    ReviewerAssignment.objects.create(
        assessment=submitted(),
        reviewer=reviewer,
        confirmed_at=now,
        ended_at=now,
        end=AssignmentEnd.UNASSIGNED,
    )
    ReviewerAssignment.objects.create(assessment=submitted(), reviewer=reviewer, volunteered=True)
    draft = AssessmentFactory(service=ServiceFactory(council=council, name="Report a pothole"))
    ReviewerAssignment.objects.create(assessment=draft, reviewer=reviewer, confirmed_at=now)


@pytest.fixture
def everyone(people, coventry):
    """The personas, and two people whose flags could trip up the querysets."""
    deactivated = MembershipFactory(
        council=coventry, user=UserFactory(email="left@coventry.example", is_active=False)
    ).user
    superuser = UserFactory(email="root@lgdss.example", is_superuser=True)
    return {
        **people,
        "anonymous": AnonymousUser(),
        "deactivated contributor": deactivated,
        "superuser without the coordinator flag": superuser,
    }


CHECKS = [
    (Council.objects.private_pages_visible_to, "assessments.view_members", Council),
    (Council.objects.private_pages_visible_to, "assessments.view_services", Council),
    (Service.objects.visible_to, "assessments.view_service", Service),
    (Assessment.objects.visible_to, "assessments.view_assessment", Assessment),
    (Membership.objects.visible_to, "assessments.view_membership", Membership),
    (Invitation.objects.visible_to, "assessments.view_invitation", Invitation),
]

EVERYONE = [
    *PERSONAS,
    "deactivated contributor",
    "superuser without the coordinator flag",
]


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize(
    ("visible_to", "perm", "model"), CHECKS, ids=[perm for _, perm, _ in CHECKS]
)
def test_visible_to_agrees_with_the_rule(everything, everyone, persona, visible_to, perm, model):
    user = everyone[persona]
    listed = list(visible_to(user))
    allowed = [obj for obj in model.objects.all() if user.has_perm(perm, obj)]

    assert len(listed) == len(set(listed)), "no object is listed twice"
    assert set(listed) == set(allowed), {
        "listed but refused": set(listed) - set(allowed),
        "allowed but not listed": set(allowed) - set(listed),
    }


def test_coordinators_see_everything_members_their_councils_reviewers_what_they_review(
    everything, people
):
    """Agreeing with the rules is not enough if both are wrong: this is what they say."""

    def councils_seen(persona, queryset, council_path):
        user = people[persona]
        return set(queryset.visible_to(user).values_list(council_path, flat=True))

    for queryset, council_path in [
        (Service.objects, "council__code"),
        (Assessment.objects, "service__council__code"),
        (Membership.objects, "council__code"),
        (Invitation.objects.filter(council__isnull=False), "council__code"),
    ]:
        assert councils_seen("coordinator", queryset, council_path) == {"COV", "LDS", "NWH"}
        assert councils_seen("coventry_contributor", queryset, council_path) == {"COV"}
        assert councils_seen("leeds_lead", queryset, council_path) == {"LDS"}
        assert councils_seen("leeds_lead_coventry_contributor", queryset, council_path) == {
            "COV",
            "LDS",
        }
        reviewed_councils = {"NWH"} if queryset.model is Assessment else set()
        assert councils_seen("peer_reviewer", queryset, council_path) == reviewed_councils

    # The one assessment the reviewer is a current reviewer of, and nothing else at that
    # council: not the one they were unassigned from, nor the one they only offered to
    # review, nor a draft.
    reviewed = Assessment.objects.visible_to(people["peer_reviewer"])
    assert [assessment.service.name for assessment in reviewed] == ["Apply for a blue badge"]
    assert reviewed.get().assignments.get().is_lead

    reviewer_invitations = Invitation.objects.filter(role=InvitationRole.REVIEWER)
    assert reviewer_invitations.visible_to(people["coordinator"]).count() == 1
    assert not reviewer_invitations.visible_to(people["coventry_lead"]).exists()
    assert (
        Assessment.objects.visible_to(people["coventry_contributor"])
        .filter(status=Status.DRAFT)
        .exists()
    ), "drafts included"
