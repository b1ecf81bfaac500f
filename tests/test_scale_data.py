"""National-scale data (`generate_scale_data`, assessments/scale_data.py): small runs that
prove what it makes is what the workflow would have made, that it repeats, and that it
refuses to run twice or on a site that may be public."""

import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from assessments import scale_data
from assessments.models import (
    AgreedPoint,
    Assessment,
    AssessmentEvent,
    EventKind,
    Membership,
    PointAssessment,
    Publication,
    PublicRecord,
    PublishedPoint,
    Review,
    ReviewerAssignment,
    ReviewerPoint,
    ReviewType,
    Service,
    Status,
    StatusChange,
    User,
)
from assessments.publishing.records import publication_rows
from assessments.publishing.snapshot import load_snapshot
from tests.factories import CouncilFactory, PeerGroupFactory
from tests.factories_publications import peer_reviewed, self_assessed

SMALL = ("--councils", "3", "--services", "2", "--yes")


@pytest.fixture
def councils(standard, coventry, leeds):
    """Four current English councils in two peer groups (Coventry, Leeds and two more),
    and two that must get nothing: a Scottish council and a former English one."""
    south = PeerGroupFactory(name="South", slug="south")
    CouncilFactory(code="ZAA", short_name="Aardshire", peer_group=south)
    CouncilFactory(code="ZAB", short_name="Abbeyshire", peer_group=coventry.peer_group)
    CouncilFactory(code="AAS", nation="Scotland", short_name="Aberdour")
    CouncilFactory(code="AAF", is_current=False, short_name="Oldshire")
    return ["COV", "LDS", "ZAA"]  # the first three current English councils, by code


def generate(*args):
    out = StringIO()
    call_command("generate_scale_data", *args, stdout=out)
    return out.getvalue()


def generated_assessments():
    return Assessment.objects.filter(service__in=scale_data.generated_services())


def signature():
    """What a run made, without its dates or row ids: for comparing two runs."""
    return sorted(
        (
            a.service.council.code,
            a.service.name,
            a.phase,
            a.status,
            tuple(a.points.order_by("point__number").values_list("score", "evidence")),
            a.publication.review_type,
            a.publication.recommendation,
            tuple(a.publication.reviewer_councils),
        )
        for a in generated_assessments().select_related("service__council", "publication")
    )


def test_fills_each_current_english_council_with_published_assessments(councils):
    version = PublicRecord.current().version

    output = generate(*SMALL)

    services = scale_data.generated_services()
    assert sorted(services.values_list("council__code", flat=True)) == sorted(councils * 2)
    assert not Service.objects.filter(council__code__in=["AAS", "AAF", "ZAB"]).exists()
    assessments = generated_assessments()
    per_service = [s.assessments.count() for s in services]
    assert all(1 <= count <= 3 for count in per_service)
    assert assessments.count() == sum(per_service)
    assert set(assessments.values_list("status", flat=True)) <= {
        Status.PUBLISHED,
        Status.UNPUBLISHED,
    }
    # Every point answered, with evidence or a reason, and published.
    answers = PointAssessment.objects.filter(assessment__in=assessments)
    assert answers.count() == 15 * assessments.count()
    assert not answers.filter(score__isnull=True, not_applicable=False).exists()
    assert not answers.filter(not_applicable=False, evidence="").exists()
    assert not answers.filter(not_applicable=True, not_applicable_reason="").exists()
    publications = Publication.objects.filter(assessment__in=assessments)
    assert publications.count() == assessments.count()
    assert PublishedPoint.objects.filter(publication__in=publications).count() == answers.count()
    # The people: a lead and a peer reviewer for each council, assessors, a coordinator.
    people = User.objects.filter(email__endswith=scale_data.MARK)
    assert people.count() == 2 * 3 + scale_data.INDEPENDENT_ASSESSORS + 1
    assert not people.exclude(password__startswith="!").exists()  # nobody signs in as them
    assert Membership.objects.filter(user__in=people).count() == 6
    # Published once more as far as cached pages are concerned.
    assert PublicRecord.current().version == version + 1
    # The report counts what is in the database.
    assert f"Services: {services.count()}" in output
    assert f"Assessments: {assessments.count()}" in output
    assert f"Point scores: {answers.count()} by councils" in output
    assert f"Publications: {publications.count()}" in output
    assert "3/3 councils" in output


def test_peer_reviews_are_by_two_reviewers_from_other_councils_with_every_point_scored(
    councils,
):
    generate(*SMALL)

    peer = generated_assessments().filter(publication__review_type=ReviewType.PEER_REVIEWED)
    assert peer.exists()
    assert (
        generated_assessments().filter(publication__review_type=ReviewType.SELF_ASSESSED).exists()
    )
    for assessment in peer.select_related("service__council"):
        review = Review.objects.get(assessment=assessment)
        assert review.is_complete
        assert review.summary
        assert review.recommendation
        assignments = ReviewerAssignment.objects.current().filter(assessment=assessment)
        assert assignments.count() == 2
        assert assignments.filter(is_lead=True).count() == 1
        reviewers = [a.reviewer for a in assignments]
        assert not Membership.objects.filter(
            user__in=reviewers, council=assessment.service.council
        ).exists()
        assert ReviewerPoint.objects.filter(assessment=assessment).count() == 30
        agreed = AgreedPoint.objects.filter(assessment=assessment)
        assert agreed.count() == 15
        assert all(row.is_set for row in agreed)
    self_assessed_ones = generated_assessments().filter(
        publication__review_type=ReviewType.SELF_ASSESSED
    )
    assert not Review.objects.filter(assessment__in=self_assessed_ones).exists()


COLUMNS_SET_LATER = {"withdrawn_at", "withdrawn_by", "withdrawn_reason"}


def test_each_publication_is_what_publishing_would_write_from_the_assessment(councils):
    """The generated publication equals `snapshot` of the generated assessment, read back
    from the database (`load_snapshot`), turned into rows as `write_publication` does."""
    generate(*SMALL)

    publications = Publication.objects.filter(assessment__in=generated_assessments())
    assert publications.count() > 5
    for publication in publications.select_related("assessment__service__council"):
        assessment = publication.assessment
        frozen = load_snapshot(assessment, peer_reviewed=publication.is_peer_reviewed)
        expected, expected_points = publication_rows(
            assessment, frozen, by=publication.published_by, at=publication.published_at
        )
        for column in Publication._meta.concrete_fields:
            if column.name not in COLUMNS_SET_LATER:
                assert getattr(publication, column.attname) == getattr(expected, column.attname), (
                    column.name
                )
        points = list(publication.points.order_by("number"))
        assert len(points) == len(expected_points) == 15
        for point, wanted in zip(points, expected_points, strict=True):
            for column in PublishedPoint._meta.concrete_fields:
                if column.name not in {"id", "publication"}:
                    assert getattr(point, column.attname) == getattr(wanted, column.attname)


def test_history_is_the_one_the_workflow_writes(
    councils, coventry, coventry_lead, leeds, leeds_lead, peer_reviewer, coordinator
):
    """Status changes in the workflow's order, compared with assessments published
    through the workflow itself; history lines for each step."""
    through_workflow = {
        ReviewType.PEER_REVIEWED: peer_reviewed(
            coventry,
            coventry_lead,
            reviewer=peer_reviewer,
            coordinator=coordinator,
            name="Find a recycling centre",
        ),
        ReviewType.SELF_ASSESSED: self_assessed(leeds, leeds_lead, name="Pay council tax"),
    }

    generate(*SMALL)

    def moves(assessment):
        return [
            (change.from_status, change.to_status)
            for change in StatusChange.objects.filter(assessment=assessment)
        ]

    for assessment in generated_assessments().select_related("publication"):
        expected = moves(through_workflow[assessment.publication.review_type])
        if assessment.status == Status.UNPUBLISHED:
            expected = [*expected, (Status.PUBLISHED, Status.UNPUBLISHED)]
        assert moves(assessment) == expected
        events = AssessmentEvent.objects.filter(assessment=assessment)
        kinds = list(events.order_by("created_at", "pk").values_list("kind", flat=True))
        assert kinds.count(EventKind.SAVED_POINT) == 15
        assert kinds[0] == (
            EventKind.REASSESSMENT if assessment.started_from_id else EventKind.CREATED
        )
        assert kinds.index(EventKind.SUBMITTED) < kinds.index(EventKind.PUBLISHED)
        if assessment.publication.is_peer_reviewed:
            assert kinds.count(EventKind.REVIEWER_ASSIGNED) == 2
            assert kinds.index(EventKind.REVIEW_COMPLETED) < kinds.index(EventKind.PUBLISHED)
        changes = list(StatusChange.objects.filter(assessment=assessment))
        assert [c.at for c in changes] == sorted(c.at for c in changes)
        assert changes[-1].to_status == assessment.status
        assert assessment.submitted_at == changes[0].at
        assert assessment.publication.published_at == next(
            c.at for c in changes if c.to_status == Status.PUBLISHED
        )
    # A service's later assessments start from the one before, published in order.
    for service in scale_data.generated_services():
        chain = list(service.assessments.order_by("created_at"))
        assert chain[0].started_from is None
        for earlier, later in itertools.pairwise(chain):
            assert later.started_from == earlier
            assert later.created_at > earlier.publication.published_at


def test_the_same_seed_makes_the_same_data_and_another_seed_other_data(councils):
    generate(*SMALL)
    first = signature()

    generate(*SMALL, "--replace")
    assert signature() == first

    generate(*SMALL, "--replace", "--seed", "7")
    assert signature() != first


def test_refuses_to_run_twice_and_changes_nothing(councils):
    generate(*SMALL)
    rows = (Service.objects.count(), Assessment.objects.count(), PublishedPoint.objects.count())
    version = PublicRecord.current().version

    with pytest.raises(CommandError, match="--replace"):
        generate(*SMALL)

    assert (
        Service.objects.count(),
        Assessment.objects.count(),
        PublishedPoint.objects.count(),
    ) == rows
    assert PublicRecord.current().version == version


def test_replace_removes_only_the_previous_run(councils, leeds, leeds_lead):
    real = self_assessed(leeds, leeds_lead, name="Pay council tax")
    generate(*SMALL)
    before = set(scale_data.generated_services().values_list("pk", flat=True))
    version = PublicRecord.current().version

    generate(*SMALL, "--replace", "--councils", "2")

    after = set(scale_data.generated_services().values_list("pk", flat=True))
    assert after
    assert not before & after
    assert not Service.objects.filter(pk__in=before).exists()
    assert set(scale_data.generated_services().values_list("council__code", flat=True)) == {
        "COV",
        "LDS",
    }
    assert User.objects.filter(email__endswith=scale_data.MARK).count() == 4 + 5
    # What was not generated stays as it was.
    assert Publication.objects.filter(pk=real.pk, withdrawn_at__isnull=True).exists()
    assert User.objects.filter(pk=leeds_lead.pk).exists()
    assert PublicRecord.current().version == version + 2  # removed, then generated


def test_refuses_on_a_site_without_debug_unless_told_yes(councils):
    with pytest.raises(CommandError, match="DEBUG"):
        generate("--councils", "1", "--services", "1")
    assert not Service.objects.exists()

    with override_settings(DEBUG=True):
        generate("--councils", "1", "--services", "1")
    assert scale_data.generated_services().count() == 1


def test_refuses_without_councils_or_with_impossible_options(standard):
    with pytest.raises(CommandError, match="import_councils"):
        generate("--yes")
    for option in (("--services", "0"), ("--services", "31"), ("--max-assessments", "4")):
        with pytest.raises(CommandError):
            generate("--yes", *option)
    assert not User.objects.exists()


def test_products_are_shared_between_councils_and_published_with_their_supplier(councils):
    generate("--councils", "3", "--services", "30", "--max-assessments", "1", "--yes")

    bought = scale_data.generated_services().filter(sourcing="bought")
    assert bought.exists()
    assert not bought.filter(product__isnull=True).exists()
    shared = [
        service.product
        for service in bought.select_related("product")
        if bought.filter(product=service.product).exclude(council=service.council).exists()
    ]
    assert shared
    publication = Publication.objects.filter(product=shared[0]).select_related("product__supplier")
    assert publication.exists()
    assert publication[0].product_name == shared[0].name
    assert publication[0].supplier_name == shared[0].supplier.name


def test_public_pages_show_the_generated_data(councils, client):
    generate(*SMALL)
    publication = Publication.objects.public().filter(review_type="peer_reviewed").first()

    for url in (
        "/results/",
        f"/councils/{publication.council_code.lower()}/",
        publication.get_absolute_url(),
        "/standard/9/national-picture/",
        "/insight/trends/",
    ):
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert publication.council_name.encode() in response.content or url.startswith(
            ("/standard", "/insight")
        ), url
