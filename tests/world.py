"""One shared scenario, the "world", for the walk over every URL (tests/test_url_access.py).

Coventry has a lead, a contributor, a service with a complete draft, a service whose
assessment was submitted, one whose assessment is in peer review (the peer reviewer leads
it, with an independent assessor), a retired service, a waiting invitation and a cancelled one.
Leeds has its lead, a contributor who forgot her password, a service and a blank draft.
The dual-role person leads Leeds and contributes at Coventry. A peer reviewer in the
Midlands has no council. Leeds's lead is invited to review. One email failed. The admin
has an object of each kind to open.

The world is built with the real workflow functions (so it holds their history,
emails and queued tasks), once per test module; each test then runs inside a
savepoint that is rolled back, so every request starts from this same state.
`World` holds keys (primary keys, codes, tokens), never model instances, so that
nothing carries over from one test to the next.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from assessments import services
from assessments.models import (
    Invitation,
    InvitationRole,
    Notification,
    NotificationStatus,
    PointAssessment,
    ReviewerAssignment,
    Role,
    Service,
    Sourcing,
    User,
)
from assessments.services import reviewers
from assessments.services.discussion import request_clarification
from standard.models import StandardVersion
from tests.conftest import PASSWORD, PERSONAS
from tests.factories import CouncilFactory, MembershipFactory, PeerGroupFactory, UserFactory
from tests.factories_reviews import (
    agree_every_point,
    begin_review,
    complete,
    submitted_assessment,
)
from tests.factories_services import ProductFactory, ServiceFactory
from tests.two_factor import give_app

# The people who walk every URL: the suite's personas, and a superuser. Django gives an
# active superuser every permission, and `createsuperuser` makes the first coordinator
# one, so the superuser is the person most likely to get past a rule that is only a
# permission.
WALKERS = [*PERSONAS, "superuser"]

# Addresses without an account yet, invited to Coventry.
NEWCOMER = "new.starter@coventry.example"
CANCELLED_INVITEE = "changed.their.mind@coventry.example"
NEW_PASSWORD = "a-new-long-passphrase-2026"


@dataclass
class World:
    people: dict[str, int | None] = field(default_factory=dict)  # persona -> user pk
    coventry: str = "cov"
    leeds: str = "lds"
    # Coventry's services: parking has a complete draft, bins a submitted assessment;
    # trams was retired.
    parking: int = 0
    bins: int = 0
    trams: int = 0
    spare_service: int = 0  # a service with no assessment: where one is started
    draft: int = 0
    submitted: int = 0
    # Peer review: Coventry's school places assessment is in review, Rita (peer_reviewer)
    # leading with an independent assessor (assessments.services.reviewers), and every
    # point has its agreed score; its births assessment was reviewed by the same two.
    in_review: int = 0
    lead_assignment: int = 0
    assessor_assignment: int = 0
    reviewed: int = 0
    # Published after its review (Coventry), published as a self-assessment (Leeds), and
    # published then withdrawn (Coventry).
    published: int = 0
    self_published: int = 0
    unpublished: int = 0
    leeds_service: int = 0
    leeds_draft: int = 0  # blank: not one point answered
    # Coventry's assessment waiting for clarification (on point 1), with the peer
    # reviewer as its lead reviewer.
    clarifying: int = 0
    contributor_membership: int = 0  # Coventry's contributor
    lead_membership: int = 0  # Coventry's sole lead
    invitation: int = 0  # to Coventry, for NEWCOMER
    invitation_token: str = ""
    review_invitation: int = 0  # to review in the Midlands, for Leeds's lead
    review_token: str = ""
    cancelled: int = 0  # to Coventry, cancelled
    cancelled_token: str = ""
    failed_email: int = 0
    waiting_email: int = 0  # the invitation to review, queued and not yet sent
    # A Leeds contributor who is none of the personas, with a password reset link.
    forgetful: int = 0
    reset_uid: str = ""
    reset_token: str = ""
    # For the admin: another coordinator, a peer group, supplier and product nobody uses.
    other_coordinator: int = 0
    spare_group: int = 0
    supplier: int = 0
    product: int = 0
    # The product Leeds's published self-assessment is built on: its public page's slug.
    published_product: str = ""
    standard: int = 0
    first_point: int = 0
    # Rows of other apps, for their admin pages.
    group: int = 0
    access_attempt: int = 0
    access_log: int = 0
    access_failure: int = 0
    recovery_codes: int = 0
    unconfirmed_app: int = 0
    task: str = ""
    # Each walker's session, signed in once for the world: walker -> session key.
    sessions: dict = field(default_factory=dict)
    # Forms read from admin pages, by address: the same for every test of the world.
    forms: dict = field(default_factory=dict)

    def user(self, persona):
        """The persona's account as it is now in the database, or None for anonymous."""
        pk = self.people[persona]
        return None if pk is None else User.objects.get(pk=pk)


def _invitation_with_known_token(**kwargs):
    """An invitation sent through the workflow, whose link's token the test knows."""
    invitation = services.invite(**kwargs)
    token, token_hash = Invitation.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)
    assert Invitation.objects.for_token(token).pk == invitation.pk
    return invitation, token


def _answer_every_point(assessment, score):
    PointAssessment.objects.filter(assessment=assessment).update(score=score, evidence="Done.")


def _in_review(council, name, lead):
    """A submitted assessment of a new service of `council`, every point answered."""
    assessment = services.start_assessment(
        ServiceFactory(council=council, name=name), by=lead, phase="beta"
    )
    _answer_every_point(assessment, 3)
    services.submit(assessment, by=lead)
    return assessment


def build_world():
    """Create the world in the database and return its keys."""
    if not StandardVersion.objects.exists():
        call_command("loaddata", "standard_lgdss_1_0", verbosity=0)
    standard = StandardVersion.objects.current()
    midlands = PeerGroupFactory(name="Midlands", slug="midlands")
    yorkshire = PeerGroupFactory(name="Yorkshire and Humber", slug="yorkshire-and-humber")
    coventry = CouncilFactory(code="COV", short_name="Coventry", peer_group=midlands)
    leeds = CouncilFactory(
        code="LDS", short_name="Leeds", region="Yorkshire and The Humber", peer_group=yorkshire
    )

    def person(email, name, **flags):
        return UserFactory(email=email, full_name=name, **flags)

    coventry_lead = person("lead@coventry.example", "Cara Lead")
    coventry_contributor = person("editor@coventry.example", "Ed Contributor")
    leeds_lead = person("lead@leeds.example", "Lee Lead")
    dual = person("two.roles@leeds.example", "Dee Dual")
    forgetful = person("forgetful@leeds.example", "Fay Forgetful")
    reviewer = person(
        "reviewer@birmingham.example",
        "Rita Reviewer",
        is_peer_reviewer=True,
        reviewer_peer_groups=[midlands],
    )
    coordinator = person(
        "coordinator@lgdss.example", "Coco Coordinator", is_coordinator=True, is_staff=True
    )
    other_coordinator = person(
        "second.coordinator@lgdss.example", "Otto Coordinator", is_coordinator=True, is_staff=True
    )
    superuser = User.objects.create_superuser(
        "root@lgdss.example", password=PASSWORD, full_name="Sue Superuser"
    )

    lead_membership = MembershipFactory(council=coventry, user=coventry_lead, role=Role.LEAD)
    contributor_membership = MembershipFactory(
        council=coventry, user=coventry_contributor, role=Role.CONTRIBUTOR
    )
    MembershipFactory(council=leeds, user=leeds_lead, role=Role.LEAD)
    MembershipFactory(council=leeds, user=dual, role=Role.LEAD)
    MembershipFactory(council=coventry, user=dual, role=Role.CONTRIBUTOR)
    MembershipFactory(council=leeds, user=forgetful, role=Role.CONTRIBUTOR)

    parking = ServiceFactory(council=coventry, name="Pay for parking")
    bins = ServiceFactory(council=coventry, name="Report a missed bin")
    trams = ServiceFactory(council=coventry, name="Tram timetables")
    spare_service = ServiceFactory(council=coventry, name="Renew a library book")
    services.retire_service(trams, by=coventry_lead)
    leeds_service = ServiceFactory(council=leeds, name="Apply for a parking permit")

    draft = services.start_assessment(parking, by=coventry_lead, phase="beta")
    _answer_every_point(draft, 3)
    submitted = services.start_assessment(bins, by=coventry_contributor, phase="beta")
    _answer_every_point(submitted, 4)
    services.submit(submitted, by=coventry_lead)
    leeds_draft = services.start_assessment(leeds_service, by=leeds_lead, phase="alpha")
    school_places = ServiceFactory(council=coventry, name="Apply for a school place")
    in_review = services.start_assessment(school_places, by=coventry_lead, phase="live")
    _answer_every_point(in_review, 3)
    services.submit(in_review, by=coventry_lead)
    assessor = person(
        "assessor@lgdss.example",
        "Ines Assessor",
        is_peer_reviewer=True,
        is_independent_assessor=True,
    )
    lead_assignment = reviewers.assign(in_review, reviewer, by=coordinator, lead=True)
    assessor_assignment = reviewers.assign(in_review, assessor, by=coordinator)
    clarifying = _in_review(coventry, "Book a bulky waste collection", coventry_lead)
    ReviewerAssignment.objects.create(
        assessment=clarifying,
        reviewer=reviewer,
        is_lead=True,
        created_by=coordinator,
        confirmed_at=timezone.now(),
        confirmed_by=coordinator,
    )
    services.change_state(clarifying, "begin_review", by=coordinator)
    request_clarification(clarifying, by=reviewer, questions={1: "Which users did you meet?"})

    # Every point of the school places review has its agreed score (the lead reviewer may
    # complete it); the births assessment was reviewed by the same two.
    agree_every_point(in_review, reviewer)
    reviewed = submitted_assessment(coventry, coventry_lead, name="Register a birth")
    begin_review(reviewed, coordinator=coordinator, lead=reviewer, others=[assessor])
    complete(reviewed, reviewer)

    # The public record: a peer-reviewed publication and a withdrawn one at Coventry, a
    # self-assessment published by Leeds.
    published = submitted_assessment(coventry, coventry_lead, name="Find a recycling centre")
    begin_review(published, coordinator=coordinator, lead=reviewer, others=[assessor])
    complete(published, reviewer)
    services.publish(published, by=coventry_lead)
    self_published = submitted_assessment(leeds, leeds_lead, name="Pay council tax", score=2)
    published_product = ProductFactory(supplier__name="Example Payments Ltd", name="Pay Online")
    Service.objects.filter(pk=self_published.service_id).update(
        sourcing=Sourcing.BOUGHT, product=published_product
    )
    services.publish(self_published, by=leeds_lead)
    unpublished = submitted_assessment(coventry, coventry_lead, name="Find a school bus")
    services.publish(unpublished, by=coventry_lead)
    services.withdraw_publication(
        unpublished, by=coventry_lead, reason="Published before the team had checked it."
    )

    invitation, invitation_token = _invitation_with_known_token(
        by=coventry_lead, email=NEWCOMER, role=InvitationRole.CONTRIBUTOR, council=coventry
    )
    review_invitation, review_token = _invitation_with_known_token(
        by=coordinator, email=leeds_lead.email, role=InvitationRole.REVIEWER, peer_group=midlands
    )
    cancelled, cancelled_token = _invitation_with_known_token(
        by=coventry_lead, email=CANCELLED_INVITEE, role=InvitationRole.LEAD, council=coventry
    )
    services.cancel_invitation(cancelled, by=coventry_lead)

    failed_email = Notification.objects.get(kind="invitation", about_id=invitation.pk)
    failed_email.status = NotificationStatus.FAILED
    failed_email.attempts = 5
    failed_email.last_error = "Connection refused"
    failed_email.save()

    # Its next attempt is due later, so it is not taken for lost however long the walk takes.
    waiting_email = Notification.objects.get(kind="invitation", about_id=review_invitation.pk)
    waiting_email.next_attempt_at = timezone.now() + timedelta(days=1)
    waiting_email.save()

    product = ProductFactory(supplier__name="Idox", name="Uniform")
    spare_group = PeerGroupFactory(name="South West", slug="south-west")
    services.record_adoption(
        leeds, by=leeds_lead, adopted_on=date(2017, 5, 1), sponsor_role="Chief Digital Officer"
    )

    # Coordinators and staff sign in with a code: each has an app; the superuser also
    # has recovery codes.
    for person in (coordinator, superuser):
        give_app(person)
    recovery_codes = StaticDevice.objects.create(
        user=superuser, name="Recovery codes", confirmed=True
    )
    # An app someone began to set up and never confirmed: what the admin's pages change.
    unconfirmed_app = TOTPDevice.objects.create(
        user=coventry_lead, name="Authenticator app", confirmed=False
    )

    attempt = {
        "username": "lead@coventry.example",
        "ip_address": "192.0.2.1",
        "user_agent": "Firefox",
        "http_accept": "text/html",
        "path_info": "/sign-in/",
    }

    return World(
        people={
            "anonymous": None,
            "coventry_lead": coventry_lead.pk,
            "coventry_contributor": coventry_contributor.pk,
            "leeds_lead": leeds_lead.pk,
            "leeds_lead_coventry_contributor": dual.pk,
            "peer_reviewer": reviewer.pk,
            "coordinator": coordinator.pk,
            "superuser": superuser.pk,
        },
        recovery_codes=recovery_codes.pk,
        unconfirmed_app=unconfirmed_app.pk,
        parking=parking.pk,
        bins=bins.pk,
        trams=trams.pk,
        spare_service=spare_service.pk,
        draft=draft.pk,
        submitted=submitted.pk,
        in_review=in_review.pk,
        lead_assignment=lead_assignment.pk,
        assessor_assignment=assessor_assignment.pk,
        leeds_service=leeds_service.pk,
        reviewed=reviewed.pk,
        published=published.pk,
        self_published=self_published.pk,
        unpublished=unpublished.pk,
        leeds_draft=leeds_draft.pk,
        clarifying=clarifying.pk,
        contributor_membership=contributor_membership.pk,
        lead_membership=lead_membership.pk,
        invitation=invitation.pk,
        invitation_token=invitation_token,
        review_invitation=review_invitation.pk,
        review_token=review_token,
        cancelled=cancelled.pk,
        cancelled_token=cancelled_token,
        failed_email=failed_email.pk,
        waiting_email=waiting_email.pk,
        forgetful=forgetful.pk,
        reset_uid=urlsafe_base64_encode(force_bytes(forgetful.pk)),
        reset_token=default_token_generator.make_token(forgetful),
        other_coordinator=other_coordinator.pk,
        spare_group=spare_group.pk,
        supplier=product.supplier_id,
        product=product.pk,
        published_product=published_product.slug,
        standard=standard.pk,
        first_point=standard.points.get(number=1).pk,
        group=Group.objects.create(name="Editors").pk,
        access_attempt=AccessAttempt.objects.create(
            **attempt, get_data="", post_data="email=lead@coventry.example", failures_since_start=1
        ).pk,
        access_log=AccessLog.objects.create(**attempt).pk,
        access_failure=AccessFailureLog.objects.create(**attempt).pk,
        task=str(DBTaskResult.objects.order_by("enqueued_at").first().pk),
    )
