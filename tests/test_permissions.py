"""Who may do what, as a matrix of roles × actions, enforced on the server.

Each row is an action; each column a persona. An anonymous visitor is sent to
sign in (302 to the sign-in page). A signed-in person who may not see the object
gets 404, as if it did not exist (another council's members, say); one who may
see it but not do this gets 403. The right person gets the page (200) or is
redirected after a successful POST (302 elsewhere).
"""

from datetime import date

import pytest
from django.urls import reverse

from assessments.models import Council, Invitation, InvitationRole, Membership, User
from assessments.services import invite
from tests.conftest import DONE, HIDDEN, NO, OK, PERSONAS, SIGN_IN


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


# (description, method, url-maker, data, expected per persona in PERSONAS order)
MATRIX = [
    (
        "see Coventry's members",
        "get",
        lambda c: url("member_list", "cov"),
        None,
        [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, OK],
    ),
    (
        "open the invite form for Coventry",
        "get",
        lambda c: url("invite_member", "cov"),
        None,
        [SIGN_IN, OK, NO, HIDDEN, NO, HIDDEN, OK],
    ),
    (
        "invite someone to Coventry",
        "post",
        lambda c: url("invite_member", "cov"),
        {"email": "new@coventry.example", "role": "contributor"},
        [SIGN_IN, DONE, NO, HIDDEN, NO, HIDDEN, DONE],
    ),
    (
        "open removing Coventry's contributor",
        "get",
        lambda c: url("remove_member", "cov", c["contributor_membership"]),
        None,
        [SIGN_IN, OK, NO, HIDDEN, NO, HIDDEN, OK],
    ),
    (
        "remove Coventry's contributor",
        "post",
        lambda c: url("remove_member", "cov", c["contributor_membership"]),
        {},
        [SIGN_IN, DONE, NO, HIDDEN, NO, HIDDEN, DONE],
    ),
    (
        "cancel an invitation to Coventry",
        "post",
        lambda c: url("cancel_invitation", c["invitation"]),
        {},
        [SIGN_IN, DONE, NO, HIDDEN, NO, HIDDEN, DONE],
    ),
    (
        "see all invitations",
        "get",
        lambda c: url("invitation_list"),
        None,
        [SIGN_IN, NO, NO, NO, NO, NO, OK],
    ),
    (
        "open the scheme-wide invite form",
        "get",
        lambda c: url("invite_anyone"),
        None,
        [SIGN_IN, NO, NO, NO, NO, NO, OK],
    ),
    (
        "invite a peer reviewer",
        "post",
        lambda c: url("invite_anyone"),
        {"email": "new.reviewer@dudley.example", "role": "reviewer", "peer_group": "midlands"},
        [SIGN_IN, NO, NO, NO, NO, NO, DONE],
    ),
    (
        "open recording Coventry's sign-up",
        "get",
        lambda c: url("record_adoption", "cov"),
        None,
        [SIGN_IN, OK, NO, NO, NO, NO, OK],
    ),
    (
        "record Coventry's sign-up",
        "post",
        lambda c: url("record_adoption", "cov"),
        {
            "adopted_on_0": "7",
            "adopted_on_1": "4",
            "adopted_on_2": "2016",
            "sponsor_role": "Chief Executive",
        },
        [SIGN_IN, DONE, NO, NO, NO, NO, DONE],
    ),
    ("see their account", "get", lambda c: url("account"), None, [SIGN_IN, OK, OK, OK, OK, OK, OK]),
    (
        "change their password",
        "get",
        lambda c: url("change_password"),
        None,
        [SIGN_IN, OK, OK, OK, OK, OK, OK],
    ),
]


@pytest.fixture
def world(people, django_capture_on_commit_callbacks):
    coventry_lead = people["coventry_lead"]
    coventry = coventry_lead.memberships.get().council
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invite(
            by=coventry_lead,
            email="pending@coventry.example",
            role=InvitationRole.CONTRIBUTOR,
            council=coventry,
        )
    return {
        "people": people,
        "contributor_membership": Membership.objects.get(user=people["coventry_contributor"]).pk,
        "invitation": invitation.pk,
    }


CASES = [
    pytest.param(
        method,
        make_url,
        data,
        persona,
        expected,
        id=f"{persona} may{'' if expected in (OK, DONE) else ' not'} {description}",
    )
    for description, method, make_url, data, outcomes in MATRIX
    for persona, expected in zip(PERSONAS, outcomes, strict=True)
]


@pytest.mark.parametrize(("method", "make_url", "data", "persona", "expected"), CASES)
def test_permission_matrix(client_for, world, method, make_url, data, persona, expected):
    client = client_for(world["people"][persona])
    address = make_url(world)
    response = client.get(address) if method == "get" else client.post(address, data)
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("assessments:sign_in"))
    elif expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response["Location"].startswith(reverse("assessments:sign_in"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    "name",
    ["member_list", "invite_member", "record_adoption"],
)
def test_unknown_council_is_404_for_people_who_could_act_on_one(client_for, coordinator, name):
    assert client_for(coordinator).get(url(name, "zzz")).status_code == 404


@pytest.mark.parametrize(
    ("persona", "allowed"),
    list(zip(PERSONAS, [False, False, False, False, False, False, True], strict=True)),
)
def test_only_coordinators_use_the_admin(client_for, world, persona, allowed):
    response = client_for(world["people"][persona]).get(
        reverse("admin:assessments_council_changelist")
    )
    assert (response.status_code == 200) is allowed
    if not allowed:
        assert response.status_code == 302


def test_coordinator_manages_councils_peer_groups_and_people_in_the_admin(
    client_for, coordinator, coventry
):
    client = client_for(coordinator)
    for name in [
        "assessments_council_changelist",
        "assessments_peergroup_changelist",
        "assessments_user_changelist",
        "assessments_invitation_changelist",
    ]:
        assert client.get(reverse(f"admin:{name}")).status_code == 200, name
    assert (
        client.get(reverse("admin:assessments_council_changelist"), {"q": "Coventry"}).status_code
        == 200
    )
    assert (
        client.get(reverse("admin:assessments_council_change", args=[coventry.pk])).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("perm", "persona", "expected"),
    [
        ("assessments.view_members", "coventry_contributor", True),
        ("assessments.view_members", "leeds_lead", False),
        ("assessments.invite_member", "coventry_lead", True),
        ("assessments.invite_member", "coventry_contributor", False),
        ("assessments.invite_member", "peer_reviewer", False),
        ("assessments.record_adoption", "leeds_lead", False),
        ("assessments.record_adoption", "coordinator", True),
    ],
)
def test_rules_answer_for_a_council(world, coventry, perm, persona, expected):
    assert world["people"][persona].has_perm(perm, coventry) is expected


def test_anonymous_has_no_permissions(coventry):
    from django.contrib.auth.models import AnonymousUser

    for perm in ["view_members", "invite_member", "record_adoption", "invite_anyone", "use_admin"]:
        assert not AnonymousUser().has_perm(f"assessments.{perm}", coventry)


def test_deactivated_coordinator_loses_their_powers(coordinator):
    coordinator.is_active = False
    assert not coordinator.has_perm("assessments.invite_anyone")


# --- Effects: the allowed person's change is made; a refused request changes nothing ----


def post_as(client_for, user, address, data=None):
    """POST as `user`, and say how it went: SIGN_IN, DONE or the refusal's status."""
    response = client_for(user).post(address, data or {})
    if response.status_code == 302:
        signing_in = response["Location"].startswith(reverse("assessments:sign_in"))
        return SIGN_IN if signing_in else DONE
    return response.status_code


# Each persona in PERSONAS order, for an action on something of Coventry's.
CANCEL_OR_REMOVE = [SIGN_IN, DONE, NO, HIDDEN, NO, HIDDEN, DONE]
RECORD_SIGN_UP = [SIGN_IN, DONE, NO, NO, NO, NO, DONE]  # every council's page is public


@pytest.mark.parametrize(
    ("persona", "expected"), list(zip(PERSONAS, CANCEL_OR_REMOVE, strict=True))
)
def test_cancelling_an_invitation(client_for, world, persona, expected):
    invitation = Invitation.objects.get(pk=world["invitation"])
    others = list(Invitation.objects.exclude(pk=invitation.pk).values())

    outcome = post_as(client_for, world["people"][persona], url("cancel_invitation", invitation.pk))

    assert outcome == expected
    invitation.refresh_from_db()
    assert (invitation.cancelled_at is not None) is (expected == DONE)
    assert list(Invitation.objects.exclude(pk=invitation.pk).values()) == others


@pytest.mark.parametrize(
    ("persona", "expected"), list(zip(PERSONAS, CANCEL_OR_REMOVE, strict=True))
)
def test_removing_a_member(client_for, world, persona, expected):
    membership = Membership.objects.get(pk=world["contributor_membership"])
    before = list(Membership.objects.values())

    outcome = post_as(
        client_for, world["people"][persona], url("remove_member", "cov", membership.pk)
    )

    assert outcome == expected
    after = list(Membership.objects.values())
    if expected == DONE:
        assert after == [row for row in before if row["id"] != membership.pk]
        assert User.objects.filter(pk=membership.user_id).exists(), "the account stays"
    else:
        assert after == before


@pytest.mark.parametrize(("persona", "expected"), list(zip(PERSONAS, RECORD_SIGN_UP, strict=True)))
def test_recording_a_councils_sign_up(client_for, world, persona, expected):
    user = world["people"][persona]
    before = Council.objects.values().get(code="COV")
    answers = {
        "adopted_on_0": "7",
        "adopted_on_1": "4",
        "adopted_on_2": "2016",
        "sponsor_role": "Chief Executive",
    }

    outcome = post_as(client_for, user, url("record_adoption", "cov"), answers)

    assert outcome == expected
    after = Council.objects.values().get(code="COV")
    if expected == DONE:
        assert (after["adopted_on"], after["adoption_sponsor_role"]) == (
            date(2016, 4, 7),
            "Chief Executive",
        )
        assert after["adoption_recorded_by_id"] == user.pk
    else:
        assert after == before


def test_a_lead_cannot_reach_another_councils_member_through_their_own_councils_address(
    client_for, world
):
    """Lead at Leeds, contributor at Coventry: a Coventry membership through Leeds's
    address is not found, and through Coventry's they are only a contributor."""
    person = world["people"]["leeds_lead_coventry_contributor"]
    membership = world["contributor_membership"]
    before = list(Membership.objects.values())

    assert post_as(client_for, person, url("remove_member", "lds", membership)) == HIDDEN
    assert post_as(client_for, person, url("remove_member", "cov", membership)) == NO
    assert list(Membership.objects.values()) == before


def test_only_coordinators_cancel_invitations_to_review(client_for, world, midlands):
    coordinator = world["people"]["coordinator"]
    invitation = invite(
        by=coordinator,
        email="new.reviewer@dudley.example",
        role=InvitationRole.REVIEWER,
        peer_group=midlands,
    )
    address = url("cancel_invitation", invitation.pk)

    for persona in ["coventry_lead", "leeds_lead_coventry_contributor", "peer_reviewer"]:
        assert post_as(client_for, world["people"][persona], address) == HIDDEN, persona
        invitation.refresh_from_db()
        assert invitation.is_usable, persona
    assert post_as(client_for, coordinator, address) == DONE
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
