"""The lived-in demo that `make run` loads (`load_demo_data`, `assessments.demo`): made
through the workflow, once, with councils in every region, assessments in every state,
reviews and their discussions, services assessed again over time, and every public page
with something to show. The demo is loaded once for the module (it takes seconds) inside
a transaction rolled back at the end; each test runs in a savepoint within it."""

import csv
import io
import re
from base64 import b32encode
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from assessments import demo
from assessments.models import (
    AgreedPoint,
    Assessment,
    AssessmentEvent,
    ClarificationRound,
    Council,
    Membership,
    Notification,
    NotificationStatus,
    PointMessage,
    Product,
    Publication,
    PublishedPoint,
    ReviewerAssignment,
    ReviewerPoint,
    ReviewType,
    Role,
    Service,
    Side,
    Status,
    StatusChange,
    User,
)
from assessments.notifications import notify
from tests.two_factor import code_for

PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module; returns what the command printed."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("import_councils", verbosity=0)
            out = StringIO()
            with override_settings(DEMO_DATA=True):
                call_command("load_demo_data", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def loaded(printed, db, settings):
    settings.DEMO_DATA = True
    return printed


def public():
    return Publication.objects.public()


def test_demo_accounts_are_refused_outside_demo_mode(db, settings):
    call_command("import_councils", verbosity=0)
    before = (User.objects.count(), Assessment.objects.count())
    settings.DEMO_DATA = False
    with pytest.raises(CommandError, match="DEMO_DATA=true"):
        call_command("load_demo_data")
    assert (User.objects.count(), Assessment.objects.count()) == before


def test_a_second_run_adds_nothing(loaded):
    def counts():
        return {
            model.__name__: model.objects.count()
            for model in (
                User,
                Membership,
                Service,
                Assessment,
                StatusChange,
                AssessmentEvent,
                ReviewerAssignment,
                ReviewerPoint,
                AgreedPoint,
                PointMessage,
                ClarificationRound,
                Publication,
                PublishedPoint,
                Notification,
                Product,
            )
        }

    made = counts()
    call_command("load_demo_data", verbosity=0)
    assert counts() == made
    assert demo.load() == 0
    assert made["Assessment"] == len(demo.demos())


def test_demo_accounts_have_their_roles_and_the_shared_password(loaded):
    assert User.objects.count() == 24
    assert all(user.check_password(PASSWORD) for user in User.objects.all())
    assert Membership.objects.get(user__email="lead@coventry.example").role == Role.LEAD
    assert Membership.objects.get(user__email="editor@coventry.example").council.code == "COV"
    assert Membership.objects.get(user__email="lead@leeds.example").council.code == "LDS"
    assert Membership.objects.get(user__email="editor@leeds.example").role == Role.CONTRIBUTOR
    reviewer = User.objects.get(email="reviewer@birmingham.example")
    assert reviewer.is_peer_reviewer
    assert [group.name for group in reviewer.reviewer_peer_groups.all()] == ["Midlands"]
    assert reviewer.memberships.get().council.code == "BIR"
    assert not reviewer.is_independent_assessor
    second = User.objects.get(email="reviewer@bristol.example")
    assert second.is_peer_reviewer
    assert [group.name for group in second.reviewer_peer_groups.all()] == ["South West"]
    assessor = User.objects.get(email="assessor@lgdss.example")
    assert assessor.is_peer_reviewer
    assert assessor.is_independent_assessor
    assert not assessor.memberships.exists()
    assert not assessor.reviewer_peer_groups.exists()
    assert User.objects.get(email="coordinator@lgdss.example").is_coordinator
    # A lead for each council the demo adds, and each account printed.
    for code, email in demo.LEADS.items():
        assert Membership.objects.get(user__email=email, council__code=code).role == Role.LEAD
    for user in User.objects.all():
        assert user.email in loaded
    assert Product.objects.count() == 4


def test_a_demo_lead_signs_in_and_finds_their_work(loaded, client):
    response = client.post(
        reverse("assessments:sign_in"), {"email": "lead@coventry.example", "password": PASSWORD}
    )
    assert response["Location"] == reverse("assessments:your_work")
    work = client.get(reverse("assessments:your_work")).text
    assert "Find your bin collection day" in work  # a draft
    assert "Apply for a concessionary bus pass" in work  # submitted


def test_the_demo_coordinator_signs_in_with_the_printed_key_or_a_recovery_code(loaded, client):
    app = TOTPDevice.objects.get(user__email="coordinator@lgdss.example", confirmed=True)
    assert " ".join(re.findall("....", b32encode(app.bin_key).decode())) in loaded
    recovery_code = re.search(r"recovery code.*?: (\w{4} \w{4})", loaded).group(1)

    credentials = {"email": "coordinator@lgdss.example", "password": PASSWORD}
    client.post(reverse("assessments:sign_in"), credentials)
    assert client.post(reverse("assessments:sign_in_code"), {"code": code_for(app)})[
        "Location"
    ] == reverse("assessments:your_work")
    client.post(reverse("assessments:sign_out"))
    client.post(reverse("assessments:sign_in"), credentials)
    client.post(reverse("assessments:sign_in_recovery_code"), {"code": recovery_code})
    assert client.get(reverse("admin:index")).status_code == 200


def test_assessments_are_in_every_state(loaded):
    statuses = set(Assessment.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)

    draft = Assessment.objects.get(service__name="Find your bin collection day")
    assert draft.status == Status.DRAFT
    assert 0 < draft.points.filter(updated_at__isnull=False).count() < 15

    offered = Assessment.objects.get(status=Status.SUBMITTED, service__council__code="NGM")
    offer = offered.assignments.get()
    assert offer.volunteered
    assert offer.confirmed_at is None
    assert offer.reviewer.email == demo.PEER_REVIEWER

    in_review = Assessment.objects.get(status=Status.IN_REVIEW)
    assert in_review.assignments.filter(is_lead=True, reviewer__email=demo.ASSESSOR).exists()
    assert 0 < ReviewerPoint.objects.filter(assessment=in_review).count() < 30
    sides = set(PointMessage.objects.filter(assessment=in_review).values_list("side", flat=True))
    assert sides == {Side.COUNCIL, Side.REVIEWERS}

    waiting = Assessment.objects.get(status=Status.CLARIFICATION_REQUESTED)
    round_ = waiting.clarification_rounds.get(answered_at__isnull=True)
    assert sorted(round_.questions.values_list("point__number", flat=True)) == [1, 6]

    reviewed = Assessment.objects.get(status=Status.REVIEWED)
    assert reviewed.review.is_complete
    assert reviewed.review.council_response
    assert not Publication.objects.filter(assessment=reviewed).exists()

    withdrawn = Assessment.objects.get(status=Status.WITHDRAWN)
    assert withdrawn.status_changes.get(to_status=Status.WITHDRAWN).reason == (
        demo.WITHDRAWN_FROM_REVIEW
    )

    unpublished = Publication.objects.withdrawn().get()
    assert unpublished.withdrawn_reason.startswith("The assessment was published before")
    assert unpublished.assessment.status == Status.UNPUBLISHED
    assert unpublished.published_at < unpublished.withdrawn_at


def test_every_region_has_a_council_with_a_service_and_a_publication(loaded):
    regions = set(Council.objects.current().values_list("nation", "region"))
    assert len(regions) == 12  # England's nine regions, Wales, Scotland, Northern Ireland
    with_services = set(Service.objects.values_list("council__nation", "council__region"))
    assert with_services == regions
    assert set(public().values_list("nation", "region")) == regions
    assert set(public().values_list("nation", flat=True)) == {
        "England",
        "Wales",
        "Scotland",
        "Northern Ireland",
    }


def test_reviews_went_through_the_workflow(loaded):
    peer_reviewed = public().filter(review_type=ReviewType.PEER_REVIEWED)
    assert peer_reviewed.count() >= 20
    assert public().filter(review_type=ReviewType.SELF_ASSESSED).count() >= 20
    for publication in peer_reviewed.select_related("assessment"):
        assert publication.reviewer_councils[0] == "Independent assessor"
        assert publication.reviewer_councils[1] in {
            "Birmingham City Council",
            "Bristol City Council",
        }
        if publication.council_code == "BST":  # never reviewed by its own member
            assert publication.reviewer_councils[1] == "Birmingham City Council"
        assert publication.review_summary
        assert publication.council_response
        assert publication.assessment.events.filter(kind="published").exists()
        assert publication.assessment.events.filter(kind="review_completed").exists()
        # Dated back step by step, in the order the steps were made.
        assert (
            publication.started_at
            < publication.submitted_at
            < publication.review_completed_at
            < publication.published_at
            < timezone.now()
        )
    # Discussions on both sides, and answered rounds of clarification in published reviews.
    published_messages = PointMessage.objects.filter(assessment__publication__in=peer_reviewed)
    assert published_messages.filter(side=Side.REVIEWERS).exists()
    assert published_messages.filter(side=Side.COUNCIL).exists()
    answered = ClarificationRound.objects.filter(
        assessment__publication__in=peer_reviewed, answered_at__isnull=False
    )
    assert answered.exists()
    assert all(
        round_.requested_at < round_.answered_at < round_.assessment.publication.published_at
        for round_ in answered.select_related("assessment__publication")
    )

    points = PublishedPoint.objects.filter(publication__in=public())
    assert points.filter(not_applicable=True).exists()
    assert points.filter(met=False, not_applicable=False).exists()
    assert (
        points.filter(agreed_score__isnull=False)
        .exclude(agreed_score=models.F("self_score"))
        .exists()
    )
    assert points.exclude(links=[]).exists()
    assert set(public().values_list("rating", flat=True)) == {"green", "amber", "red"}


def test_services_are_assessed_again_over_eighteen_months(loaded):
    again = public().values("service").annotate(times=Count("pk")).filter(times__gte=2).count()
    assert again >= 10
    assert public().filter(service__name="Report a missed bin collection", council_code="COV")
    dates = sorted(public().values_list("published_at", flat=True))
    assert timezone.now() - dates[0] > timedelta(days=365)
    assert timezone.now() - dates[0] < timedelta(days=600)
    quarters = {(date.year, (date.month - 1) // 3) for date in dates}
    assert len(quarters) >= 5
    # A reassessment's later publication shows the change: newer, and scored higher overall.
    bins = public().filter(council_code="COV", service_name="Report a missed bin collection")
    first, second = bins.order_by("published_at")
    assert first.average < second.average


def test_demo_emails_are_recorded_as_sent_not_queued(loaded):
    assert Notification.objects.exists()
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()
    assert not DBTaskResult.objects.filter(task_path__endswith="send_notification").exists()


def test_quietening_the_demo_leaves_earlier_emails_queued(loaded):
    assessment = Assessment.objects.filter(status=Status.SUBMITTED).first()
    with transaction.atomic():
        (earlier,) = notify("assessment_submitted", assessment, ["someone@example.org"])
    demo.quieten_emails(since=timezone.now())
    earlier.refresh_from_db()
    assert earlier.status == NotificationStatus.PENDING
    assert DBTaskResult.objects.filter(args_kwargs__args=[earlier.pk]).exists()


def test_every_public_page_has_something_to_show(loaded, client):
    shown = public().count()
    results = client.get(reverse("assessments:results")).text
    assert f"{shown} published assessments" in results

    comparison = client.get(reverse("assessments:compare"), {"councils": "cov,lds,crf"})
    assert comparison.status_code == 200
    for name in ("Coventry City Council", "Leeds City Council", "City of Cardiff Council"):
        assert name in comparison.text

    picture = client.get(reverse("point_picture", args=[9])).text
    peer = public().filter(review_type=ReviewType.PEER_REVIEWED).count()
    assert f"{shown} assessments: {peer} peer reviewed, {shown - peer} self-assessed" in picture

    permits = Product.objects.get(name="Parking Permits Online")
    product = client.get(reverse("assessments:product_detail", args=[permits.slug])).text
    for council in public().filter(product=permits).values_list("council_name", flat=True):
        assert escape(council) in product

    trends = client.get(reverse("assessments:trends_csv"))
    rows = csv.DictReader(io.StringIO(b"".join(trends.streaming_content).decode()))
    assert len(list(rows)) >= 5  # one row a quarter

    bins = public().filter(council_code="COV", service_name="Report a missed bin collection")
    record = client.get(reverse("assessments:service_record", args=[bins[0].service_id]))
    assert record.status_code == 200
    assert record.text.count("/assessments/") >= 2

    withdrawn = Publication.objects.withdrawn().get()
    report = client.get(reverse("assessments:published_assessment", args=[withdrawn.pk]))
    assert escape(withdrawn.withdrawn_reason) in report.text
