"""READ_ONLY=true: everything can be read, nothing can be changed, signing in still works."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments import services
from assessments.models import (
    Invitation,
    InvitationRole,
    Membership,
    Notification,
    NotificationStatus,
    Service,
)
from tests.conftest import PASSWORD
from tests.html import outline

HEADING = "Sorry, you cannot make changes at the moment"
NEW_PASSWORD = "a-new-password-for-2026"

# While read-only, no request moves a session's end on (lgdss/sessions.py reads READ_ONLY).
read_only = override_settings(READ_ONLY=True)
writable = override_settings(READ_ONLY=False)


def snapshot():
    """Every row of every table, sessions and the task queue included."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def world(people, standard, django_capture_on_commit_callbacks):
    """A council with a service, a complete draft, a submitted assessment, a pending
    invitation (whose link we know) and an email that failed."""
    lead = people["coventry_lead"]
    coventry = lead.memberships.get().council
    bins = Service.objects.create(council=coventry, name="Report a missed bin", phase="beta")
    draft = services.start_assessment(bins, by=lead, phase="beta")
    permits = Service.objects.create(council=coventry, name="Parking permits", phase="beta")
    submitted = services.start_assessment(permits, by=lead, phase="beta")
    for assessment in (draft, submitted):
        for answer in assessment.points.all():
            services.save_point(
                answer,
                by=lead,
                revision=0,
                score=3,
                not_applicable=False,
                reason="",
                evidence="Done.",
                links=[],
            )
    services.submit(submitted, by=lead)
    libraries = Service.objects.create(council=coventry, name="Join the library", phase="alpha")
    invitation = services.invite(
        by=lead, email="pending@coventry.example", role=InvitationRole.CONTRIBUTOR, council=coventry
    )
    token, invitation.token_hash = Invitation.new_token()
    invitation.save()
    failed = Notification.objects.filter(kind="invitation").get()
    failed.status = NotificationStatus.FAILED
    failed.save()
    return {
        **people,
        "bins": bins,
        "libraries": libraries,
        "draft": draft,
        "submitted": submitted,
        "invitation": invitation,
        "token": token,
        "failed_email": failed,
        "contributor_membership": Membership.objects.get(user=people["coventry_contributor"]),
    }


def point_data(answer):
    return {
        "revision": str(answer.revision),
        "answer": "4",
        "evidence": "Typed during maintenance.",
        "not_applicable_reason": "",
        "action": "later",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
    }


def reset_link(w):
    user = w["coventry_lead"]
    return (urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user))


# Every POST that changes something when the service is open: (URL name, who, address, data).
# Each is also sent with the service writable, to prove it would have changed something.
CHANGES = [
    (
        "record_adoption",
        "coventry_lead",
        lambda w: reverse("assessments:record_adoption", args=["cov"]),
        lambda w: {
            "adopted_on_0": "7",
            "adopted_on_1": "4",
            "adopted_on_2": "2016",
            "sponsor_role": "Chief Executive",
        },
    ),
    (
        "add_service",
        "coventry_lead",
        lambda w: reverse("assessments:add_service", args=["cov"]),
        lambda w: {"name": "Apply for a permit", "phase": "alpha", "sourcing": "in_house"},
    ),
    (
        "edit_service",
        "coventry_contributor",
        lambda w: reverse("assessments:edit_service", args=["cov", w["bins"].pk]),
        lambda w: {"name": "Renamed", "phase": "beta", "sourcing": "in_house", "revision": "0"},
    ),
    (
        "retire_service",
        "coventry_lead",
        lambda w: reverse("assessments:retire_service", args=["cov", w["bins"].pk]),
        lambda w: {"action": "retire"},
    ),
    (
        "start_assessment",
        "coventry_contributor",
        lambda w: reverse("assessments:start_assessment", args=["cov", w["libraries"].pk]),
        lambda w: {"phase": "alpha"},
    ),
    (
        "edit_point",
        "coventry_contributor",
        lambda w: reverse("assessments:edit_point", args=["cov", w["draft"].pk, 1]),
        lambda w: point_data(w["draft"].points.get(point__number=1)),
    ),
    (
        "submit_assessment",
        "coventry_lead",
        lambda w: reverse("assessments:submit_assessment", args=["cov", w["draft"].pk]),
        lambda w: {},
    ),
    (
        "delete_assessment",
        "coventry_lead",
        lambda w: reverse("assessments:delete_assessment", args=["cov", w["draft"].pk]),
        lambda w: {},
    ),
    (
        "withdraw_assessment",
        "coventry_lead",
        lambda w: reverse("assessments:withdraw_assessment", args=["cov", w["submitted"].pk]),
        lambda w: {"reason": "Submitted by mistake."},
    ),
    (
        "invite_member",
        "coventry_lead",
        lambda w: reverse("assessments:invite_member", args=["cov"]),
        lambda w: {"email": "new@coventry.example", "role": "contributor"},
    ),
    (
        "remove_member",
        "coventry_lead",
        lambda w: reverse(
            "assessments:remove_member", args=["cov", w["contributor_membership"].pk]
        ),
        lambda w: {},
    ),
    (
        "invite_anyone",
        "coordinator",
        lambda w: reverse("assessments:invite_anyone"),
        lambda w: {
            "email": "reviewer@dudley.example",
            "role": "reviewer",
            "peer_group": "midlands",
        },
    ),
    (
        "cancel_invitation",
        "coventry_lead",
        lambda w: reverse("assessments:cancel_invitation", args=[w["invitation"].pk]),
        lambda w: {},
    ),
    (
        "resend_invitation",
        "coordinator",
        lambda w: reverse("assessments:resend_invitation", args=[w["invitation"].pk]),
        lambda w: {},
    ),
    (
        "accept_invitation",
        "anonymous",
        lambda w: reverse("assessments:accept_invitation", args=[w["token"]]),
        lambda w: {
            "full_name": "Nia New",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    (
        "send_email_again",
        "coordinator",
        lambda w: reverse("assessments:send_email_again", args=[w["failed_email"].pk]),
        lambda w: {},
    ),
    (
        "change_password",
        "coventry_lead",
        lambda w: reverse("assessments:change_password"),
        lambda w: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    (
        "password_reset",
        "anonymous",
        lambda w: reverse("assessments:password_reset"),
        lambda w: {"email": "lead@coventry.example"},
    ),
    (
        "password_reset_confirm",
        "anonymous",
        lambda w: reverse("assessments:password_reset_confirm", args=[*reset_link(w)]),
        lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
]


def prepare(client_for, w, name, who, make_address):
    """A client signed in as `who` and the address to post to, before anything is compared."""
    client = client_for(w[who] if who != "anonymous" else None)
    address = make_address(w)
    if name == "password_reset_confirm":
        # Django's reset view swaps the token in the link for one in the session first.
        address = client.get(address)["Location"]
    return client, address


@pytest.mark.parametrize(
    ("name", "who", "make_address", "make_data"),
    [pytest.param(*change, id=change[0]) for change in CHANGES],
)
def test_a_change_is_refused_and_nothing_is_written(
    client_for, world, name, who, make_address, make_data
):
    client, address = prepare(client_for, world, name, who, make_address)
    before = snapshot()
    with read_only:
        response = client.post(address, make_data(world))
    assert response.status_code == 503
    assert outline(response) == (1, f"{HEADING} – Council digital service assessments")
    assert snapshot() == before
    assert mail.outbox == []

    with writable:  # the same request, with the service open, changes something
        client.post(address, make_data(world))
    assert snapshot() != before or mail.outbox


# A value for each part of an address that varies: a real council code, numbers otherwise.
PART_VALUES = {
    "code": "cov",
    "pk": "1",
    "number": "1",
    "assignment": "1",
    "token": "t" * 43,
    "uidb64": "MQ",
    "object_id": "1",
    "id": "1",
    "content_type_id": "1",
    "app_label": "assessments",
    "url": "anything/",
    "slug": "assessments",
    "file_format": "csv",
    "unknown": "nothing",
    "assessment_id": "1",
    "service_id": "1",
}


def every_address(resolver=None, prefix="", namespace=""):
    """(name, address, pattern) for every pattern in the URLconf, the admin's unnamed ones included."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + _filled(str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from every_address(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield namespace + (pattern.name or f"(unnamed {pattern.pattern})"), "/" + route, pattern


def _filled(pattern):
    pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: PART_VALUES[m[1]], pattern)
    pattern = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: PART_VALUES[m[1]], pattern)
    return pattern.removeprefix("^").removesuffix("$")


SIGNING_IN_AND_OUT = {
    "assessments:sign_in",
    "assessments:sign_in_code",
    "assessments:sign_in_recovery_code",
    "assessments:sign_out",
    "session_end",
    "admin:login",
    "admin:logout",
}


def test_every_address_refuses_a_post_except_signing_in_and_out(client_for, world):
    """Every URL in the URLconf, the admin's included, refuses a POST while read-only,
    whatever its view would do, and nothing is written."""
    client = client_for(world["coordinator"])
    addresses = list(every_address())
    for name, address, pattern in addresses:  # each address really is the pattern's
        assert resolve(address).func == pattern.callback, (name, address)
    assert len(addresses) > 100  # the admin's are included
    assert {name for name, *_ in CHANGES} <= {
        name.removeprefix("assessments:") for name, *_ in addresses
    }

    before = snapshot()
    with read_only:
        for name, address, _ in addresses:
            if name not in SIGNING_IN_AND_OUT:
                assert client.post(address, {"anything": "x"}).status_code == 503, name
        assert snapshot() == before
        for name, address, _ in addresses:
            if name in SIGNING_IN_AND_OUT:
                assert client.post(address).status_code != 503, name


def test_people_can_still_sign_in_and_out(client, coventry_lead):
    with read_only:
        response = client.post(
            reverse("assessments:sign_in"),
            {"email": "lead@coventry.example", "password": PASSWORD},
        )
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(coventry_lead.pk)
        client.post(reverse("assessments:sign_out"))
        assert "_auth_user_id" not in client.session


def test_signed_in_people_see_that_the_service_is_read_only_on_every_page(client_for, world):
    pages = [
        reverse("home"),
        reverse("assessments:account"),
        reverse("assessments:edit_point", args=["cov", world["draft"].pk, 1]),
        reverse("assessments:service_list", args=["cov"]),
    ]
    client = client_for(world["coventry_lead"])
    with read_only:
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            assert "The service is read-only at the moment" in response.content.decode(), page
    assert "read-only" not in client.get(pages[0]).content.decode()


def test_public_pages_work_and_show_no_banner_to_visitors(client, world):
    with read_only:
        for page in [reverse("home"), reverse("standard:point_list"), "/councils/cov/"]:
            response = client.get(page)
            assert response.status_code == 200
            assert "read-only" not in response.content.decode()
