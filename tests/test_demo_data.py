"""The demo accounts and published assessments: created by `make run` only, idempotently."""

import re
from base64 import b32encode
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import (
    Assessment,
    Membership,
    Product,
    Publication,
    PublishedPoint,
    ReviewType,
    Role,
    Status,
    User,
)
from tests.two_factor import code_for


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
    assert User.objects.count() == 8
    assert all(user.check_password("demo-password-2026") for user in User.objects.all())
    assert Membership.objects.get(user__email="lead@coventry.example").role == Role.LEAD
    assert Membership.objects.get(user__email="editor@coventry.example").council.code == "COV"
    assert Membership.objects.get(user__email="lead@leeds.example").council.code == "LDS"
    reviewer = User.objects.get(email="reviewer@birmingham.example")
    assert reviewer.is_peer_reviewer
    assert [group.name for group in reviewer.reviewer_peer_groups.all()] == ["Midlands"]
    assert reviewer.memberships.get().council.code == "BIR"
    assert not reviewer.is_independent_assessor
    assessor = User.objects.get(email="assessor@lgdss.example")
    assert assessor.is_peer_reviewer
    assert assessor.is_independent_assessor
    assert not assessor.memberships.exists()
    assert not assessor.reviewer_peer_groups.exists()
    assert User.objects.get(email="coordinator@lgdss.example").is_coordinator
    assert Product.objects.count() == 4


def test_the_demo_coordinator_signs_in_with_the_printed_key_or_a_recovery_code(
    councils, settings, client
):
    settings.DEMO_DATA = True
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    call_command("load_demo_data", verbosity=0)  # a second run keeps the same app
    printed = out.getvalue()
    app = TOTPDevice.objects.get(user__email="coordinator@lgdss.example", confirmed=True)
    assert " ".join(re.findall("....", b32encode(app.bin_key).decode())) in printed
    recovery_code = re.search(r"recovery code.*?: (\w{4} \w{4})", printed).group(1)

    client.post(
        reverse("assessments:sign_in"),
        {"email": "coordinator@lgdss.example", "password": "demo-password-2026"},
    )
    assert client.post(reverse("assessments:sign_in_code"), {"code": code_for(app)})[
        "Location"
    ] == reverse("assessments:your_work")
    client.post(reverse("assessments:sign_out"))
    client.post(
        reverse("assessments:sign_in"),
        {"email": "coordinator@lgdss.example", "password": "demo-password-2026"},
    )
    client.post(reverse("assessments:sign_in_recovery_code"), {"code": recovery_code})
    assert client.get(reverse("admin:index")).status_code == 200


def test_demo_publications_are_made_through_the_workflow_once(councils, settings, client):
    settings.DEMO_DATA = True
    call_command("load_demo_data", verbosity=0)
    made = {
        "publications": Publication.objects.count(),
        "points": PublishedPoint.objects.count(),
        "assessments": Assessment.objects.count(),
    }
    call_command("load_demo_data", verbosity=0)  # a second run adds nothing
    assert made == {
        "publications": Publication.objects.count(),
        "points": PublishedPoint.objects.count(),
        "assessments": Assessment.objects.count(),
    }
    assert made["publications"] == 9

    public = Publication.objects.public()
    assert set(public.values_list("review_type", flat=True)) == set(ReviewType.values)
    assert public.filter(review_type=ReviewType.PEER_REVIEWED).count() == 4
    assert public.filter(review_type=ReviewType.SELF_ASSESSED).count() == 4
    # Two councils on one product, and publications in more than one quarter (backdated).
    parking = public.filter(product__name="Parking Permits Online")
    assert set(parking.values_list("council_code", flat=True)) == {"LDS", "GLG"}
    quarters = {(p.year, (p.month - 1) // 3) for p in public.values_list("published_at", flat=True)}
    assert len(quarters) >= 2
    assert set(public.values_list("nation", flat=True)) == {"England", "Wales", "Scotland"}
    assert len(set(public.values_list("region", flat=True))) >= 4

    withdrawn = Publication.objects.withdrawn().get()
    assert withdrawn.withdrawn_reason.startswith("The assessment was published before")
    assert withdrawn.assessment.status == Status.UNPUBLISHED

    # Each peer review went through the workflow: reviewers' councils, agreed scores, the
    # review's summary and the council's response, and a history of each step.
    for publication in public.filter(review_type=ReviewType.PEER_REVIEWED):
        assert publication.reviewer_councils == ["Independent assessor", "Birmingham City Council"]
        assert publication.review_summary
        assert publication.council_response
        assert publication.assessment.events.filter(kind="published").exists()
    points = PublishedPoint.objects.filter(publication__in=public)
    assert points.filter(not_applicable=True).exists()
    assert points.filter(met=False, not_applicable=False).exists()
    assert (
        points.filter(agreed_score__isnull=False)
        .exclude(agreed_score=models.F("self_score"))
        .exists()
    )
    assert points.exclude(links=[]).exists()
    assert set(public.values_list("rating", flat=True)) == {"green", "amber", "red"}
    # The same service published twice, for the report to show the change.
    assert public.filter(service__name="Report a missed bin collection").count() == 2

    report = client.get(reverse("assessments:published_assessment", args=[withdrawn.pk]))
    assert escape(withdrawn.withdrawn_reason) in report.text
