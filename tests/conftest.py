"""Shared fixtures: the Standard, and named people for each role.

The personas (pretalx and the NHS breast screening service do the same) make
permission tests read as sentences: `client_for(coventry_contributor)`.
"""

import os

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, settings

from assessments.models import Role
from standard.models import StandardVersion
from tests.factories import CouncilFactory, MembershipFactory, PeerGroupFactory, UserFactory
from tests.two_factor import needs_verifying, verify_session

PASSWORD = "correct-horse-battery"

# Property-based tests (Hypothesis): 40 examples each locally, 100 in CI, where the
# examples are derived from each test's name (derandomize) so that every run tries the
# same ones. HYPOTHESIS_PROFILE chooses another. Examples share a test's fixtures (each
# undoes what it wrote), and requests take longer than Hypothesis's default deadline.
settings.register_profile(
    "dev",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "ci", settings.get_profile("dev"), max_examples=100, derandomize=True, database=None
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)

# The columns of every permission matrix, and what a cell may expect.
PERSONAS = [
    "anonymous",
    "coventry_lead",
    "coventry_contributor",
    "leeds_lead",
    "leeds_lead_coventry_contributor",
    "peer_reviewer",
    "coordinator",
]
SIGN_IN = "sign in"  # an anonymous visitor is sent to the sign-in page
OK = 200
DONE = "done"  # a redirect away from sign-in after a successful POST
NO = 403  # they may see it, but not do this
HIDDEN = 404  # they may not see it: answered as if it did not exist


def require_postgresql():
    """Skip a test that needs PostgreSQL on any other database, except in CI, where it fails:
    CI runs on PostgreSQL, so a skip there would hide a test that never ran."""
    if connection.vendor == "postgresql":
        return
    reason = f"needs PostgreSQL, and the database is {connection.vendor}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run this test. Set DATABASE_URL.", pytrace=False)
    pytest.skip(f"{reason}; CI runs it on PostgreSQL")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache. Public pages are stored under the public
    record's version, which starts at 0 in every test's database, so a page stored by one
    test would otherwise be served in the next (the cache outlives the database)."""
    from django.core.cache import caches

    from lgdss.public_pages import recent

    caches["default"].clear()
    recent.clear()  # each process's own copies of stored pages, before the shared cache


def pytest_runtest_setup(item):
    if item.get_closest_marker("needs_postgresql"):
        require_postgresql()


@pytest.fixture
def standard(db):
    """The Standard as shipped (LGDSS 1.0 and its 15 points), loaded from the fixture."""
    if not StandardVersion.objects.exists():
        call_command("loaddata", "standard_lgdss_1_0", verbosity=0)
    return StandardVersion.objects.current()


@pytest.fixture
def midlands(db):
    return PeerGroupFactory(name="Midlands", slug="midlands")


@pytest.fixture
def coventry(midlands):
    return CouncilFactory(
        code="COV",
        official_name="Coventry City Council",
        short_name="Coventry",
        region="West Midlands",
        peer_group=midlands,
    )


@pytest.fixture
def leeds(db):
    group = PeerGroupFactory(name="Yorkshire and Humber", slug="yorkshire-and-humber")
    return CouncilFactory(
        code="LDS",
        official_name="Leeds City Council",
        short_name="Leeds",
        region="Yorkshire and The Humber",
        peer_group=group,
    )


@pytest.fixture
def coventry_lead(coventry):
    return MembershipFactory(
        council=coventry,
        role=Role.LEAD,
        user=UserFactory(email="lead@coventry.example", full_name="Cara Lead"),
    ).user


@pytest.fixture
def coventry_contributor(coventry):
    return MembershipFactory(
        council=coventry,
        role=Role.CONTRIBUTOR,
        user=UserFactory(email="editor@coventry.example", full_name="Ed Contributor"),
    ).user


@pytest.fixture
def leeds_lead(leeds):
    """Someone from another council."""
    return MembershipFactory(
        council=leeds,
        role=Role.LEAD,
        user=UserFactory(email="lead@leeds.example", full_name="Lee Lead"),
    ).user


@pytest.fixture
def leeds_lead_coventry_contributor(leeds, coventry):
    """Someone with two roles: lead at Leeds, contributor at Coventry. At Coventry they
    may do what a contributor does, and nothing that only its lead may."""
    user = UserFactory(email="two.roles@leeds.example", full_name="Dee Dual")
    MembershipFactory(council=leeds, role=Role.LEAD, user=user)
    MembershipFactory(council=coventry, role=Role.CONTRIBUTOR, user=user)
    return user


@pytest.fixture
def peer_reviewer(midlands):
    return UserFactory(
        email="reviewer@birmingham.example",
        full_name="Rita Reviewer",
        is_peer_reviewer=True,
        reviewer_peer_groups=[midlands],
    )


@pytest.fixture
def coordinator(db):
    return UserFactory(
        email="coordinator@lgdss.example",
        full_name="Coco Coordinator",
        is_coordinator=True,
        is_staff=True,
    )


@pytest.fixture
def independent_assessor(db):
    """A reviewer with no council: an independent assessor."""
    return UserFactory(
        email="ina@assessors.example",
        full_name="Ina Independent",
        is_peer_reviewer=True,
        is_independent_assessor=True,
    )


@pytest.fixture
def in_review(standard, coventry, coventry_lead, peer_reviewer, independent_assessor, coordinator):
    """A Coventry assessment, every point scored 3, submitted and in peer review: Rita
    (peer_reviewer) leads, Ina (independent_assessor) reviews with her."""
    from tests.factories_reviews import begin_review, submitted_assessment

    assessment = submitted_assessment(coventry, coventry_lead)
    return begin_review(
        assessment, coordinator=coordinator, lead=peer_reviewer, others=[independent_assessor]
    )


@pytest.fixture
def people(
    coventry_lead,
    coventry_contributor,
    leeds_lead,
    leeds_lead_coventry_contributor,
    peer_reviewer,
    coordinator,
):
    """Each persona by name (anonymous is None)."""
    users = [
        None,
        coventry_lead,
        coventry_contributor,
        leeds_lead,
        leeds_lead_coventry_contributor,
        peer_reviewer,
        coordinator,
    ]
    return dict(zip(PERSONAS, users, strict=True))


@pytest.fixture
def client_for(client):
    """A test client signed in as the given person (or anonymous for None).

    Coordinators and staff must use two-factor authentication, so they get an app and
    a session verified by it; so does anyone who has an app. `verified=False` leaves
    the session as it is after the password alone.
    """
    from django.test import Client

    def make(user, *, verified=True):
        if user is None:
            return Client()
        signed_in = Client()
        signed_in.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if verified and needs_verifying(user):
            verify_session(signed_in, user)
        return signed_in

    return make


# --- Peer review: the discussion on each point and clarification ---------------------


@pytest.fixture
def discussion_assessor(db):
    """An independent assessor: a reviewer with no council."""
    return UserFactory(
        email="assessor@independent.example",
        full_name="Ian Assessor",
        is_peer_reviewer=True,
        is_independent_assessor=True,
    )


@pytest.fixture
def discussion_in_review(
    standard, coventry, coventry_lead, coordinator, peer_reviewer, discussion_assessor
):
    """Coventry's assessment of a service, every point answered by its lead, submitted,
    and in review: Rita the lead reviewer, Ian the independent assessor."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments import services
    from assessments.models import Review, ReviewerAssignment
    from tests.factories_assessments import make_assessment
    from tests.factories_services import ServiceFactory

    service = ServiceFactory(council=coventry, name="Apply for a resident's parking permit")
    assessment = make_assessment(service, by=coventry_lead)
    for answer in assessment.points.all():
        services.save_point(
            answer,
            by=coventry_lead,
            revision=answer.revision,
            score=3,
            not_applicable=False,
            reason="",
            evidence=f"Evidence for point {answer.point.number}.",
            links=[],
        )
    services.submit(assessment, by=coventry_lead)
    now = timezone.now()
    Review.objects.create(assessment=assessment, due_on=(now + timedelta(days=21)).date())
    for reviewer, is_lead in ((peer_reviewer, True), (discussion_assessor, False)):
        ReviewerAssignment.objects.create(
            assessment=assessment,
            reviewer=reviewer,
            is_lead=is_lead,
            created_by=coordinator,
            confirmed_at=now,
            confirmed_by=coordinator,
        )
    return services.change_state(assessment, "begin_review", by=coordinator)
