"""Private pages are not kept by browsers or caches on the way; public pages may be.

Every response to a signed-in person can show a draft, a council's members or
their account, so none may be stored (a shared computer's back button, a proxy).
Nor may pages for anonymous visitors that carry a form with a token in it:
signing in, asking for and choosing a new password, accepting an invitation.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Invitation, InvitationRole
from tests.conftest import PASSWORD
from tests.factories_services import ServiceFactory


def is_not_stored(response):
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def draft(standard, coventry, coventry_lead):
    bins = ServiceFactory(council=coventry, name="Bin collections")
    return services.start_assessment(bins, by=coventry_lead, phase="beta")


def test_every_page_for_a_signed_in_person_is_not_stored(client_for, coventry_lead, draft):
    client = client_for(coventry_lead)
    for url in [
        reverse("assessments:account"),
        reverse("assessments:member_list", args=["cov"]),
        reverse("assessments:assessment", args=["cov", draft.pk]),
        reverse("assessments:edit_point", args=["cov", draft.pk, 1]),
        reverse("assessments:change_password"),
        reverse("home"),  # public, but its header shows who is signed in
        reverse("standard:point_list"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert is_not_stored(response), url


def test_the_redirect_after_signing_in_is_not_stored(client, coventry_lead):
    response = client.post(
        reverse("assessments:sign_in"), {"email": "lead@coventry.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert is_not_stored(response)


def test_public_pages_for_anonymous_visitors_may_be_stored(client, standard, coventry):
    for url in [
        reverse("home"),
        reverse("standard:point_list"),
        reverse("standard:point_detail", args=[3]),
        reverse("assessments:council_directory"),
        reverse("assessments:council_detail", args=["cov"]),
        reverse("privacy"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not is_not_stored(response), url


def test_pages_with_a_form_for_anonymous_visitors_are_not_stored(client, coventry_lead):
    token, token_hash = Invitation.new_token()
    Invitation.objects.create(
        email="new@coventry.example",
        role=InvitationRole.CONTRIBUTOR,
        council=coventry_lead.memberships.get().council,
        invited_by=coventry_lead,
        token_hash=token_hash,
        expires_at=timezone.now() + timedelta(days=1),
    )
    for url in [
        reverse("assessments:sign_in"),
        reverse("assessments:password_reset"),
        reverse("assessments:accept_invitation", args=[token]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert is_not_stored(response), url
