"""People in the admin: only superusers change the people who can use the admin.

A coordinator who could set a superuser's password or email, or switch their
account off and on, could sign in as them. So staff, coordinators and
superusers are changed, given a password or deleted only by a superuser,
checked on the server whatever the form shows.
"""

import pytest
from django.urls import reverse

from assessments.models import User
from tests.conftest import PASSWORD, PERSONAS
from tests.factories import UserFactory

NEW_PASSWORD = "a-much-better-passphrase-2026"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        "root@lgdss.example", PASSWORD, full_name="Sue Superuser", is_coordinator=False
    )


@pytest.fixture
def other_coordinator(db):
    return UserFactory(
        email="other.coordinator@lgdss.example",
        full_name="Olu Coordinator",
        is_coordinator=True,
        is_staff=True,
    )


def change(client, user, **changes):
    """Posts the admin's change form for someone with no memberships."""
    fields = {
        "email": user.email,
        "full_name": user.full_name,
        "reviewer_peer_groups": [group.pk for group in user.reviewer_peer_groups.all()],
        "is_coordinator": user.is_coordinator,
        "is_peer_reviewer": user.is_peer_reviewer,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        **changes,
    }
    data = {name: value for name, value in fields.items() if value is not False}
    data = {name: "on" if value is True else value for name, value in data.items()}
    data.update(
        {
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        }
    )
    return client.post(reverse("admin:assessments_user_change", args=[user.pk]), data)


def set_password(client, user):
    return client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def delete(client, user):
    return client.post(reverse("admin:assessments_user_delete", args=[user.pk]), {"post": "yes"})


def take_over(client, user):
    """Everything that would let someone sign in as the user, or shut them out."""
    return [
        change(client, user, email="taken@attacker.example", is_active=False),
        set_password(client, user),
        delete(client, user),
    ]


def assert_unchanged(user, email):
    user.refresh_from_db()  # raises if deleted
    assert user.email == email
    assert user.is_active
    assert user.check_password(PASSWORD)
    assert not user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("target", ["superuser", "other_coordinator"])
def test_nobody_but_a_superuser_changes_a_superuser_or_a_coordinator(
    request, client_for, people, persona, target
):
    user = request.getfixturevalue(target)
    email = user.email
    responses = take_over(client_for(people[persona]), user)
    for response in responses:
        if persona == "coordinator":
            assert response.status_code == 403
        else:  # not let into the admin at all
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))
    assert_unchanged(user, email)


def test_a_coordinator_may_look_at_a_superuser_but_not_change_them(
    client_for, coordinator, superuser
):
    page = client_for(coordinator).get(
        reverse("admin:assessments_user_change", args=[superuser.pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "root@lgdss.example" in html
    assert 'name="email"' not in html
    assert 'name="_save"' not in html


def test_a_superuser_changes_a_coordinator(client_for, superuser, other_coordinator):
    client = client_for(superuser)
    saved = change(client, other_coordinator, email="renamed@lgdss.example", is_active=False)
    assert saved.status_code == 302
    assert set_password(client, other_coordinator).status_code == 302
    other_coordinator.refresh_from_db()
    assert other_coordinator.email == "renamed@lgdss.example"
    assert not other_coordinator.is_active
    assert other_coordinator.check_password(NEW_PASSWORD)
    assert delete(client, other_coordinator).status_code == 302
    assert not User.objects.filter(pk=other_coordinator.pk).exists()


def test_a_coordinator_still_manages_people_without_admin_powers(client_for, coordinator, db):
    person = UserFactory(email="officer@coventry.example", full_name="Ola Officer")
    client = client_for(coordinator)
    saved = change(client, person, full_name="Ola Officer-Smith", is_active=False)
    assert saved.status_code == 302
    assert set_password(client, person).status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Ola Officer-Smith"
    assert not person.is_active
    assert person.check_password(NEW_PASSWORD)
    assert delete(client, person).status_code == 403, "only superusers delete"
