"""Invitations and council membership."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import (
    Invitation,
    InvitationRole,
    Membership,
    Notification,
    NotificationStatus,
    Role,
    User,
)
from tests.concurrency import Pause, in_thread
from tests.factories import MembershipFactory, UserFactory
from tests.worker import run_tasks

NEW_PASSWORD = "plenty-long-passphrase-2026"


@pytest.fixture
def emails_sent():
    """At the end of this block, the worker sends the emails queued within it."""

    @contextmanager
    def block():
        yield
        run_tasks()

    return block


def accept_path(message):
    return re.search(r"http://\S+?(/invitations/accept/\S+/)", message.body).group(1)


def invite(by, email, role, council=None, peer_group=None, *, capture):
    with capture():
        return services.invite(
            by=by, email=email, role=role, council=council, peer_group=peer_group
        )


def test_lead_invites_a_colleague_who_gets_one_email_with_a_link(
    client_for, coventry_lead, emails_sent
):
    client = client_for(coventry_lead)
    with emails_sent():
        response = client.post(
            reverse("assessments:invite_member", args=["cov"]),
            {"email": "New.Person@Coventry.example", "role": "contributor"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:member_list", args=["cov"])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@coventry.example"]
    assert "Coventry City Council as a contributor" in message.body
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    token = accept_path(message).split("/")[-2]
    assert token not in invitation.token_hash, "only the token's hash is stored"


def test_invitee_sets_name_and_password_and_lands_in_their_council(
    client, coventry_lead, emails_sent
):
    invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry_lead.memberships.get().council,
        capture=emails_sent,
    )
    path = accept_path(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert "Set up your account" in page.content.decode()
    response = client.post(
        path,
        {"full_name": "Nia New", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:member_list", args=["cov"])
    user = User.objects.get(email="new@coventry.example")
    assert user.full_name == "Nia New"
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user).role == Role.CONTRIBUTOR
    assert client.session["_auth_user_id"] == str(user.pk), "signed in"
    members_page = client.get(response["Location"]).content.decode()
    assert "You are now a contributor for Coventry" in members_page


def test_used_link_gets_a_clear_page(client, coventry_lead, emails_sent):
    invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry_lead.memberships.get().council,
        capture=emails_sent,
    )
    path = accept_path(mail.outbox[0])
    data = {"full_name": "Nia New", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    client.post(path, data)
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "This invitation has already been used" in again.content.decode()
    assert client.post(path, data).status_code == 410
    assert User.objects.filter(email="new@coventry.example").count() == 1


def test_expired_link_gets_a_clear_page(client, coventry_lead, emails_sent):
    invitation = invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry_lead.memberships.get().council,
        capture=emails_sent,
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(accept_path(mail.outbox[0]))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


@pytest.mark.parametrize("token", ["tampered", "x" * 43, "%00", "a" * 500])
def test_tampered_link_gets_a_clear_page(client, db, token):
    response = client.get(f"/invitations/accept/{token}/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_a_newer_invitation_cancels_the_older_link(client, coventry_lead, emails_sent):
    council = coventry_lead.memberships.get().council
    invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        council,
        capture=emails_sent,
    )
    invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        council,
        capture=emails_sent,
    )
    old, new = accept_path(mail.outbox[0]), accept_path(mail.outbox[1])
    assert client.get(old).status_code == 410
    assert "This invitation has been cancelled" in client.get(old).content.decode()
    assert client.get(new).status_code == 200


def test_lead_cancels_an_invitation(client_for, coventry_lead, emails_sent):
    council = coventry_lead.memberships.get().council
    invitation = invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        council,
        capture=emails_sent,
    )
    client = client_for(coventry_lead)
    assert (
        client.get(reverse("assessments:cancel_invitation", args=[invitation.pk])).status_code
        == 405
    )
    client.post(reverse("assessments:cancel_invitation", args=[invitation.pk]), {"from": "council"})
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None


def test_invite_form_errors_keep_what_was_typed(client_for, coventry_lead, coventry_contributor):
    client = client_for(coventry_lead)
    url = reverse("assessments:invite_member", args=["cov"])
    html = client.post(url, {"email": "not an email"}).content.decode()
    assert html.count("Enter an email address in the correct format") == 2
    assert html.count("Select their role") == 2
    assert 'value="not an email"' in html
    html = client.post(url, {"email": "editor@coventry.example", "role": "lead"}).content.decode()
    assert "editor@coventry.example is already a member of Coventry" in html


def test_accept_form_errors_keep_the_name(client, coventry_lead, emails_sent):
    invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry_lead.memberships.get().council,
        capture=emails_sent,
    )
    path = accept_path(mail.outbox[0])
    html = client.post(
        path, {"full_name": "Nia New", "new_password1": "short", "new_password2": "other"}
    ).content.decode()
    assert "Passwords must match" in html
    assert "This password is too short" in html
    assert 'value="Nia New"' in html
    assert html.count("Enter your full name") == 0
    html = client.post(path, {}).content.decode()
    assert html.count("Enter your full name") == 2
    assert not User.objects.filter(email="new@coventry.example").exists()


def test_someone_with_an_account_accepts_signed_in(
    client_for, client, leeds_lead, coordinator, midlands, emails_sent
):
    """A Leeds lead invited to review: they sign in, then accept; no second account."""
    invite(
        coordinator,
        "lead@leeds.example",
        InvitationRole.REVIEWER,
        peer_group=midlands,
        capture=emails_sent,
    )
    path = accept_path(mail.outbox[0])
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("assessments:sign_in"))
    signed_in = client_for(leeds_lead)
    assert "Accept your invitation" in signed_in.get(path).content.decode()
    response = signed_in.post(path)
    assert response["Location"] == reverse("assessments:account")
    leeds_lead.refresh_from_db()
    assert leeds_lead.is_peer_reviewer
    assert list(leeds_lead.reviewer_peer_groups.all()) == [midlands]
    assert leeds_lead.memberships.get().role == Role.LEAD, "still Leeds's lead"


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_postgresql
@pytest.mark.parametrize("signed_in", [False, True], ids=["new account", "signed in"])
def test_one_invitation_accepted_twice_at_once_is_used_once(
    signed_in, client_for, coventry_lead, leeds_lead
):
    """Two tabs accept one link: the first is making the membership when the second
    arrives; the second waits, then is told the invitation has already been used."""
    email = leeds_lead.email if signed_in else "new@coventry.example"
    council = coventry_lead.memberships.get().council
    services.invite(by=coventry_lead, email=email, role=InvitationRole.CONTRIBUTOR, council=council)
    run_tasks()
    path = accept_path(mail.outbox[0])
    first_tab, second_tab = (client_for(leeds_lead if signed_in else None) for _ in range(2))
    data = (
        {}
        if signed_in
        else {
            "full_name": "Nia New",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        }
    )

    pause = Pause.before_query(r'^UPDATE "assessments_invitation"')
    first = in_thread(lambda: first_tab.post(path, data), pause)
    pause.wait_until_reached()
    second = in_thread(lambda: second_tab.post(path, data))
    second.wait_until_blocked()
    pause.release()

    accepted, refused = first.result(), second.result()
    assert accepted["Location"] == reverse("assessments:member_list", args=["cov"])
    assert refused.status_code == 410
    assert "This invitation has already been used" in refused.content.decode()
    person = User.objects.get(email=email)
    memberships = Membership.objects.filter(user=person, council=council)
    assert [membership.role for membership in memberships] == [Role.CONTRIBUTOR]
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == person


def test_invitation_for_someone_else_is_refused_when_signed_in_as_another(
    client_for, coordinator, coventry_lead, leeds_lead, emails_sent
):
    council = coventry_lead.memberships.get().council
    invite(coordinator, "lead@coventry.example", InvitationRole.LEAD, council, capture=emails_sent)
    response = client_for(leeds_lead).get(accept_path(mail.outbox[0]))
    assert response.status_code == 403
    assert "This invitation is for a different account" in response.content.decode()


def test_coordinator_invites_a_council_lead_for_any_council(
    client_for, coordinator, leeds, emails_sent
):
    client = client_for(coordinator)
    with emails_sent():
        response = client.post(
            reverse("assessments:invite_anyone"),
            {"email": "digital@leeds.example", "role": "lead", "council": "LDS", "peer_group": ""},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.council, invitation.role) == (leeds, "lead")
    assert "Leeds City Council as a council lead" in mail.outbox[0].body


def test_coordinator_invite_form_requires_council_or_group(client_for, coordinator, leeds):
    client = client_for(coordinator)
    html = client.post(
        reverse("assessments:invite_anyone"), {"email": "a@b.example", "role": "lead"}
    ).content.decode()
    assert html.count("Choose the council you are inviting them to") == 2
    html = client.post(
        reverse("assessments:invite_anyone"), {"email": "a@b.example", "role": "reviewer"}
    ).content.decode()
    assert html.count("Choose the peer group they will review in") == 2


def reveal_blocks(html):
    """Each conditional block's id, with whether it is hidden (until JavaScript runs)."""
    found = re.findall(r'<div class="govuk-radios__conditional([^"]*)" id="([\w-]+)"', html)
    return {id: "--hidden" in classes for classes, id in found}


def test_coordinator_invite_form_reveals_the_council_or_group_by_role(
    client_for, coordinator, leeds
):
    """The council under both council roles, the peer group under peer reviewer."""
    client = client_for(coordinator)
    html = client.get(reverse("assessments:invite_anyone")).content.decode()
    assert '<div class="govuk-radios" data-module="app-conditional-reveal">' in html
    controls = dict(
        re.findall(r'<input[^>]*value="(\w+)"[^>]*data-aria-controls="([\w-]+)"', html, re.S)
    )
    assert controls == {
        "lead": "conditional-role-council",
        "contributor": "conditional-role-council",
        "reviewer": "conditional-role-peer-group",
    }
    assert reveal_blocks(html) == {
        "conditional-role-council": True,
        "conditional-role-peer-group": True,
    }
    council = html.split('id="conditional-role-council"')[1].split('id="id_role_3"')[0]
    assert 'id="id_council"' in council
    assert 'id="id_peer_group"' in html.split('id="conditional-role-peer-group"')[1]

    html = client.post(
        reverse("assessments:invite_anyone"), {"email": "a@b.example", "role": "contributor"}
    ).content.decode()
    assert reveal_blocks(html) == {
        "conditional-role-council": False,
        "conditional-role-peer-group": True,
    }


def test_lead_cannot_invite_peer_reviewers(coventry_lead, midlands):
    with pytest.raises(PermissionDenied):
        services.invite(
            by=coventry_lead, email="x@y.example", role=InvitationRole.REVIEWER, peer_group=midlands
        )


def test_lead_removes_a_member(client_for, coventry_lead, coventry_contributor):
    client = client_for(coventry_lead)
    membership = coventry_contributor.memberships.get()
    url = reverse("assessments:remove_member", args=["cov", membership.pk])
    assert "Are you sure you want to remove Ed Contributor?" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=coventry_contributor.pk).exists(), "the account stays"


def test_the_last_lead_cannot_be_removed(client_for, coventry_lead, coordinator):
    membership = coventry_lead.memberships.get()
    url = reverse("assessments:remove_member", args=["cov", membership.pk])
    for client in (client_for(coventry_lead), client_for(coordinator)):
        page = client.get(url)
        assert page.status_code == 409
        assert "is the only lead for Coventry" in page.content.decode()
        assert client.post(url).status_code == 409
    assert Membership.objects.filter(pk=membership.pk).exists()
    with pytest.raises(ValidationError):
        services.remove_member(membership, by=coordinator)


def test_a_lead_can_be_removed_when_another_lead_remains(client_for, coventry_lead, coventry):
    second = MembershipFactory(
        council=coventry, role=Role.LEAD, user=UserFactory(email="second@coventry.example")
    )
    client_for(coventry_lead).post(reverse("assessments:remove_member", args=["cov", second.pk]))
    assert not Membership.objects.filter(pk=second.pk).exists()


def test_member_list_shows_members_and_pending_invitations(
    client_for, coventry_lead, coventry_contributor, emails_sent
):
    invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry_lead.memberships.get().council,
        capture=emails_sent,
    )
    html = (
        client_for(coventry_lead)
        .get(reverse("assessments:member_list", args=["cov"]))
        .content.decode()
    )
    assert "editor@coventry.example" in html
    assert "new@coventry.example" in html
    assert "Invite someone" in html
    contributor_view = (
        client_for(coventry_contributor)
        .get(reverse("assessments:member_list", args=["cov"]))
        .content.decode()
    )
    assert "Invite someone" not in contributor_view
    assert "new@coventry.example" not in contributor_view


@pytest.mark.parametrize("count", [1, 20])
def test_member_list_query_count_does_not_grow_with_members(
    client_for, coventry_lead, coventry, django_assert_max_num_queries, count
):
    for n in range(count):
        MembershipFactory(council=coventry, user=UserFactory(email=f"m{n}@coventry.example"))
    client = client_for(coventry_lead)
    client.get(reverse("assessments:member_list", args=["cov"]))  # warm the session
    # One of them asks whether the person has set up two-factor authentication.
    with django_assert_max_num_queries(11):
        client.get(reverse("assessments:member_list", args=["cov"]))


# --- A council keeps at least one lead, in the admin too ---------------------------------


def user_admin_data(user, membership, **changes):
    """The admin's change form for `user`, as opened, with their one membership changed."""
    return {
        "email": user.email,
        "full_name": user.full_name,
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": membership.pk,
        "memberships-0-user": user.pk,
        "memberships-0-council": membership.council.pk,
        "memberships-0-role": membership.role,
        **{f"memberships-0-{name}": value for name, value in changes.items()},
    }


@pytest.mark.parametrize("change", [{"DELETE": "on"}, {"role": "contributor"}])
def test_the_admin_refuses_to_leave_a_council_without_a_lead(
    client_for, coordinator, coventry_lead, change
):
    membership = coventry_lead.memberships.get()
    address = reverse("admin:assessments_user_change", args=[coventry_lead.pk])

    response = client_for(coordinator).post(
        address, user_admin_data(coventry_lead, membership, **change)
    )

    assert response.status_code == 200
    assert "Cara Lead is the only lead for Coventry" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.LEAD


def test_the_admin_removes_a_lead_when_another_lead_remains(
    client_for, coordinator, coventry_lead, coventry
):
    MembershipFactory(
        council=coventry, role=Role.LEAD, user=UserFactory(email="second@coventry.example")
    )
    membership = coventry_lead.memberships.get()
    address = reverse("admin:assessments_user_change", args=[coventry_lead.pk])

    response = client_for(coordinator).post(
        address, user_admin_data(coventry_lead, membership, DELETE="on")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_members_page_offers_to_remove_everyone_but_the_sole_lead(
    client_for, coventry_lead, coventry_contributor
):
    html = client_for(coventry_lead).get(reverse("assessments:member_list", args=["cov"]))
    html = html.content.decode()
    contributor = coventry_contributor.memberships.get()
    lead = coventry_lead.memberships.get()
    assert reverse("assessments:remove_member", args=["cov", contributor.pk]) in html
    assert reverse("assessments:remove_member", args=["cov", lead.pk]) not in html
    assert "Only lead" in html


# --- Sending a new link -------------------------------------------------------------


def test_lead_sends_a_new_link_and_the_old_one_stops_working(
    client, client_for, coventry_lead, coventry, emails_sent
):
    old_invitation = invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry,
        capture=emails_sent,
    )
    lead = client_for(coventry_lead)
    assert (
        "Send a new link"
        in lead.get(reverse("assessments:member_list", args=["cov"])).content.decode()
    )
    resend = reverse("assessments:resend_invitation", args=[old_invitation.pk])
    assert lead.get(resend).status_code == 405
    with emails_sent():
        response = lead.post(resend, {"from": "council"})
    assert response["Location"] == reverse("assessments:member_list", args=["cov"])
    old_invitation.refresh_from_db()
    assert old_invitation.cancelled_at is not None
    new_invitation = Invitation.objects.pending().get()
    assert (new_invitation.email, new_invitation.role, new_invitation.council) == (
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry,
    )
    assert new_invitation.invited_by == coventry_lead
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 2
    assert len(mail.outbox) == 2, "one email for the new link, none more"
    old, new = accept_path(mail.outbox[0]), accept_path(mail.outbox[1])
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_coordinator_sends_a_new_link_for_an_expired_invitation(
    client, client_for, coordinator, midlands, emails_sent
):
    expired = invite(
        coordinator,
        "reviewer@dudley.example",
        InvitationRole.REVIEWER,
        peer_group=midlands,
        capture=emails_sent,
    )
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    page = client_for(coordinator)
    html = page.get(reverse("assessments:invitation_list")).content.decode()
    assert "Expired" in html
    assert "Send a new link" in html
    with emails_sent():
        response = page.post(reverse("assessments:resend_invitation", args=[expired.pk]))
    assert response["Location"] == reverse("assessments:invitation_list")
    new_invitation = Invitation.objects.pending().get()
    assert (new_invitation.role, new_invitation.peer_group) == (InvitationRole.REVIEWER, midlands)
    assert len(mail.outbox) == 2
    assert client.get(accept_path(mail.outbox[1])).status_code == 200
    expired.refresh_from_db()
    assert expired.cancelled_at is not None, "leaves the list of invitations waiting"


@pytest.mark.parametrize("persona", ["coventry_contributor", "leeds_lead", "peer_reviewer"])
def test_sending_a_new_link_is_refused_to_someone_without_permission(
    client_for, people, coventry_lead, coventry, emails_sent, persona
):
    invitation = invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry,
        capture=emails_sent,
    )
    with emails_sent():
        response = client_for(people[persona]).post(
            reverse("assessments:resend_invitation", args=[invitation.pk]), {"from": "council"}
        )
    # Another council's people may not see the invitation at all; a contributor sees it.
    assert response.status_code == (403 if persona == "coventry_contributor" else 404)
    assert Invitation.objects.get() == invitation
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_accepted_invitation_gets_no_new_link(client, client_for, coventry_lead, emails_sent):
    invitation = invite(
        coventry_lead,
        "new@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry_lead.memberships.get().council,
        capture=emails_sent,
    )
    client.post(
        accept_path(mail.outbox[0]),
        {"full_name": "Nia New", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    with emails_sent():
        response = client_for(coventry_lead).post(
            reverse("assessments:resend_invitation", args=[invitation.pk]), {"from": "council"}
        )
    assert response.status_code == 302
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1
    with pytest.raises(services.InvitationUnusable):
        services.resend_invitation(invitation, by=coventry_lead)


def test_lead_cancels_an_expired_invitation_to_clear_it_from_the_list(
    client_for, coventry_lead, coventry, emails_sent
):
    invitation = invite(
        coventry_lead,
        "late@coventry.example",
        InvitationRole.CONTRIBUTOR,
        coventry,
        capture=emails_sent,
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    lead = client_for(coventry_lead)
    members = reverse("assessments:member_list", args=["cov"])
    assert "late@coventry.example" in lead.get(members).content.decode()
    lead.post(
        reverse("assessments:cancel_invitation", args=[invitation.pk]),
        {"from": "council"},
        follow=True,  # past the confirmation, which names the address
    )
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert "late@coventry.example" not in lead.get(members).content.decode()
