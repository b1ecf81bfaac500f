"""The demo accounts: created by `make run` only, idempotently."""

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Membership, Product, Role, User


@pytest.fixture
def councils(db):
    call_command("import_councils", verbosity=0)


def test_demo_accounts_are_refused_outside_demo_mode(councils, settings):
    settings.DEMO_DATA = False
    with pytest.raises(CommandError, match="DEMO_DATA=true"):
        call_command("load_demo_data")
    assert not User.objects.exists()


def test_demo_accounts_have_their_roles_and_the_shared_password(councils, settings):
    settings.DEMO_DATA = True
    call_command("load_demo_data", verbosity=0)
    call_command("load_demo_data", verbosity=0)  # a second run changes nothing
    assert User.objects.count() == 5
    assert all(user.check_password("demo-password-2026") for user in User.objects.all())
    assert Membership.objects.get(user__email="lead@coventry.example").role == Role.LEAD
    assert Membership.objects.get(user__email="editor@coventry.example").council.code == "COV"
    assert Membership.objects.get(user__email="lead@leeds.example").council.code == "LDS"
    reviewer = User.objects.get(email="reviewer@birmingham.example")
    assert reviewer.is_peer_reviewer
    assert reviewer.reviewer_peer_group.name == "Midlands"
    assert reviewer.memberships.get().council.code == "BIR"
    assert User.objects.get(email="coordinator@lgdss.example").is_coordinator
    assert Product.objects.count() == 4
