"""National-scale data: the database as a real deployment would be after a few years, for
measuring the service (`manage.py generate_scale_data`, README "National-scale data").

Every current English council gets a lead and a peer reviewer, and a number of digital
services; each service has up to three assessments published over about three years,
most peer reviewed (two reviewers from other councils, or an independent assessor as
lead, each scoring and commenting on every point, and the agreed scores), some published
as self-assessments, a few publications later withdrawn. Some services are bought, and
their products are shared between councils, so that product pages have something to
compare.

Why not the workflow functions? Publishing one assessment through them takes some
hundred queries, and a national database has about 7,500 of them: far too slow. So the
rows are made in memory and saved with `bulk_create`, a few councils at a time. They are
the rows the workflow would have written, with the dates it would have written had it
happened over three years:

- the service, the assessment (started from the previous one, its evidence carried
  forward, as `start_assessment` does), one answer per point with its links, and one
  history line per saved point with what changed (`what_changed`);
- for a peer review: the review (due in 15 working days, `working_days_after`), its two
  assignments, each reviewer's scores, the agreed scores, the completed review and the
  council's response, with the history lines `assign`, `complete_review` and
  `respond_to_review` write;
- the status changes and history lines of `submit`, `begin_review`, `complete_review`,
  `publish` and `withdraw_publication`;
- the publication, made by the publishing code itself: `snapshot` of the assessment as
  held in memory, turned into rows by `publication_rows`, as `write_publication` does.
  tests/test_scale_data.py checks that each equals what `load_snapshot` reads back.

No emails are queued: they would have gone long ago. The public record's version goes
up once at the end (and once when `--replace` removes a previous run), so cached public
pages change.

What a run made is marked by its people: their email addresses end in
`@generated.lgdss.example`, and every generated service is created by one of them. That
is what `remove` deletes (the services, everything of their assessments, and the people),
with the generator's own products and suppliers if nothing else uses them. Nothing else
in the database is touched, so real or demo data alongside stays as it was.

Runs are repeatable: the same seed, options and councils give the same people, services,
scores and texts; the dates are the same distances back from the moment of the run.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from assessments.models import (
    AgreedPoint,
    Assessment,
    AssessmentEvent,
    ClarificationQuestion,
    ClarificationRound,
    Correction,
    Council,
    EventKind,
    EvidenceLink,
    Membership,
    Nation,
    Phase,
    PointAssessment,
    PointMessage,
    Product,
    Publication,
    PublishedPoint,
    Recommendation,
    Review,
    ReviewerAssignment,
    ReviewerPoint,
    Role,
    Service,
    Sourcing,
    Status,
    StatusChange,
    Supplier,
    ThreadRead,
    User,
)
from assessments.publishing.records import announce_change, publication_rows
from assessments.publishing.snapshot import reviewer_label, snapshot
from assessments.scoring import Rating, rate
from assessments.services.assessments import what_changed
from assessments.services.reviewers import working_days_after
from standard.models import StandardVersion

DOMAIN = "generated.lgdss.example"
MARK = f"@{DOMAIN}"

YEARS = 3
COUNCILS_PER_BATCH = 8
BATCH_SIZE = 2000
# How many assessments a service has had, weighted towards services assessed again.
ASSESSMENT_WEIGHTS = {1: 20, 2: 35, 3: 45}
PEER_REVIEWED_SHARE = 0.7
WITHDRAWN_SHARE = 0.015
INDEPENDENT_ASSESSORS = 4

# Services every council runs: (name, what it does, kind of product a council might buy).
SERVICES = [
    ("Report a missed bin collection", "Tell us when your bin was not collected.", "waste"),
    ("Order a new bin", "Order a new or replacement bin or recycling box.", "waste"),
    ("Book a bulky waste collection", "Book a collection of large household items.", "waste"),
    ("Pay your council tax", "Pay your council tax online or set up a Direct Debit.", "revenues"),
    ("Apply for a council tax reduction", "Apply for help paying council tax.", "revenues"),
    ("Apply for a residents' parking permit", "Apply for or renew a parking permit.", "parking"),
    ("Pay a parking fine", "Pay or challenge a penalty charge notice.", "parking"),
    ("Report a pothole", "Tell us about a pothole or damage to a road.", "highways"),
    (
        "Report a faulty street light",
        "Tell us about a street light that is not working.",
        "highways",
    ),
    (
        "Apply for planning permission",
        "Apply for planning permission and follow the decision.",
        "planning",
    ),
    ("Comment on a planning application", "Search planning applications and comment.", "planning"),
    (
        "Apply for a school place",
        "Apply for a place at a primary or secondary school.",
        "education",
    ),
    (
        "Apply for free school meals",
        "Check whether your child can have free school meals.",
        "education",
    ),
    ("Join the housing register", "Apply to join the register for social housing.", "housing"),
    ("Report a housing repair", "Tell us about a repair needed in your council home.", "housing"),
    ("Apply for a Blue Badge", "Apply for a disabled person's parking badge.", None),
    ("Register a birth", "Book an appointment to register a birth.", None),
    ("Renew a library book", "Renew, reserve and search for library books.", "libraries"),
    ("Apply for a licence", "Apply for a taxi, premises or street trading licence.", "licensing"),
    ("Report fly-tipping", "Tell us about rubbish dumped illegally.", "waste"),
    ("Request an adult social care assessment", "Ask for help with care and support.", "care"),
    ("Find a care provider", "Search for care homes and home care near you.", "care"),
    ("Apply for a discretionary housing payment", "Ask for help with rent.", "revenues"),
    ("Book a registry office ceremony", "Book a wedding or civil partnership ceremony.", None),
    ("Report antisocial behaviour", "Tell us about antisocial behaviour in your area.", None),
    ("Apply for an allotment", "Join the waiting list for an allotment.", None),
    ("Request a tree inspection", "Ask us to inspect a tree on council land.", "highways"),
    ("Pay for garden waste collection", "Subscribe to the garden waste collection.", "waste"),
    ("Check your bin collection day", "Find out when your bins are collected.", "waste"),
    ("Contact the council", "Send us a question or a complaint.", None),
]
MAX_SERVICES = len(SERVICES)
BOUGHT_SHARE = 0.45

# Made-up suppliers and their products, by kind. Created if missing (the demo names some
# of them too), and removed with the generated data only when nothing else uses them.
PRODUCTS = {
    "waste": [
        ("Example Civic Software Ltd", "Waste and Street Services"),
        ("Sample Environmental Systems", "Bin Manager"),
    ],
    "revenues": [
        ("Illustrative Revenues plc", "Council Tax Online"),
        ("Example Civic Software Ltd", "Revenues and Benefits Portal"),
    ],
    "parking": [("Example Civic Software Ltd", "Parking Permits Online")],
    "highways": [("Sample Environmental Systems", "Street Reporter")],
    "planning": [("Model Planning Systems", "Planning Portal")],
    "education": [("Specimen Education Software", "School Admissions Online")],
    "housing": [
        ("Demonstration Housing Systems", "Repairs Portal"),
        ("Demonstration Housing Systems", "Housing Register"),
    ],
    "libraries": [("Sample Library Services", "Library Catalogue")],
    "licensing": [("Model Planning Systems", "Licensing Online")],
    "care": [("Specimen Care Software", "Care Finder")],
}

PHASES = [Phase.DISCOVERY, Phase.ALPHA, Phase.BETA, Phase.LIVE]
FIRST_PHASE_WEIGHTS = [10, 25, 35, 30]

# How much harder (or easier) each point is than the service's level: opening code and
# measuring performance are where councils score lowest.
POINT_DIFFICULTY = {1: 0.3, 6: 0.3, 7: -0.9, 9: -0.4, 11: 0.3, 13: -0.7, 15: -0.3}
# Points a service may find do not apply to it, with the reason it gives.
NOT_APPLICABLE = {
    7: "The service is a supplier's product whose code is not ours to publish.",
    9: "The service hands requests to a back-office system that has its own plan for "
    "being offline.",
}
NOT_APPLICABLE_SHARE = 0.06

EVIDENCE = {
    1: [
        "We interviewed {n} residents, including people who use assistive technology.",
        "We mapped what people were trying to do before we changed anything.",
        "Calls to the contact centre told us where people got stuck.",
    ],
    2: [
        "A product owner, a user researcher, a designer and two developers work together.",
        "The service manager from the contact centre is part of the team.",
        "The team has worked together for {n} months.",
    ],
    3: [
        "We work in two-week sprints with a show and tell open to the whole council.",
        "We plan each sprint from a prioritised backlog the product owner keeps.",
        "Retrospectives after each sprint changed how we release.",
    ],
    4: [
        "We release small changes most weeks.",
        "We check each release against the numbers of calls and completed requests.",
        "We have released {n} improvements since the service went live.",
    ],
    5: [
        "We compared three ways to provide the service and wrote down why we chose this one.",
        "We reused the council's existing platform rather than buying another.",
        "We checked what neighbouring councils use before choosing.",
    ],
    6: [
        "A data protection impact assessment was signed off.",
        "The service had an independent penetration test before it went live.",
        "We keep personal data for {n} months and then delete it.",
    ],
    7: [
        "The code is published under the MIT licence.",
        "Open data about requests is updated each month.",
        "We use open standards for addresses and payments.",
    ],
    8: [
        "We tested every route through the service, from search to the confirmation email.",
        "We tested the back office with the officers who use it.",
        "We tested on phones, tablets and computers.",
    ],
    9: [
        "If the service is down, a page explains how to phone the contact centre.",
        "The contact centre can make the same request in the back office.",
        "We tested the plan in a rehearsal {n} weeks ago.",
    ],
    10: [
        "{n} in 100 people who start a request now finish it.",
        "We watch where people leave and change those pages first.",
        "Fewer people phone to check their request went through.",
    ],
    11: [
        "The service uses the GOV.UK Design System's components and patterns.",
        "The service looks and works like the council's other services.",
        "Content follows the council's style guide.",
    ],
    12: [
        "The contact centre helps callers use the online form.",
        "Letters and leaflets point to the online service.",
        "Assisted digital support is offered in libraries.",
    ],
    13: [
        "We publish the completion rate, cost per request and satisfaction.",
        "Digital take-up is {n} in 100 and reported each quarter.",
        "The performance page is updated each month.",
    ],
    14: [
        "We test with users every sprint, including people who find the service hard.",
        "We have run {n} rounds of research since the last assessment.",
        "Research findings are shared with the whole team.",
    ],
    15: [
        "The cabinet member for the service used it from start to finish.",
        "The director tested the service in a recorded session.",
        "The senior manager reviews the performance figures each month.",
    ],
}
LINK_SHARE = 0.2
DONE_WELL = [
    "Clear evidence, shown to us in the service itself.",
    "The team knows its users and can say how it learned about them.",
    "Good practice that other councils could learn from.",
    "Decisions are written down and easy to follow.",
]
TO_EXPLORE = [
    "How the team will know the change made a difference to residents.",
    "Whether this will last if a key member of the team leaves.",
    "How this is measured, and who looks at the figures.",
    "What the people who find the service hardest to use would say.",
]
SUMMARIES = {
    Recommendation.MEETS: "A well-run service with a team that knows its users and "
    "improves the service every sprint.",
    Recommendation.MEETS_WITH_ACTIONS: "A good service with some gaps: the points scored "
    "below 3 need a plan before the next assessment.",
    Recommendation.DOES_NOT_MEET: "An early service that has not yet done enough to meet "
    "the Standard; the team has the support to get there.",
}
RESPONSES = [
    "We accept the findings and have planned the actions for the next quarter.",
    "Thank you: the review was fair and useful, and we are acting on it.",
    "We agree, and have funded a user researcher for the next phase.",
    "We will report progress on the actions at our next assessment.",
]
RESPONSE_SHARE = 0.8
WITHDRAWAL_REASONS = [
    "The assessment was published before the service's accessibility audit had finished.",
    "The wrong phase was recorded; the council will publish a corrected assessment.",
]
FIRST_NAMES = [
    "Aisha", "Ben", "Cara", "Dev", "Eleanor", "Femi", "Gwen", "Hassan", "Imogen", "Jack",
    "Kiran", "Lucy", "Mo", "Niamh", "Owen", "Priya", "Rhys", "Sam", "Tom", "Zara",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Roberts", "Smith",
    "Taylor", "Walker",
]  # fmt: skip

RECOMMENDATION_BY_RATING = {
    Rating.GREEN: Recommendation.MEETS,
    Rating.AMBER: Recommendation.MEETS_WITH_ACTIONS,
    Rating.RED: Recommendation.DOES_NOT_MEET,
}


class AlreadyGenerated(Exception):
    """The database holds a previous run's data: remove it first (`--replace`)."""


class NothingToGenerate(Exception):
    """No current English councils, or no Standard, to generate data for."""


@dataclass
class Report:
    """What a run made, counted as it went."""

    councils: int = 0
    people: int = 0
    services: int = 0
    assessments: int = 0
    reviews: int = 0
    point_scores: int = 0
    reviewer_scores: int = 0
    agreed_scores: int = 0
    publications: int = 0
    withdrawn: int = 0
    rows: int = 0
    seconds: float = 0.0

    def lines(self):
        return [
            f"Councils: {self.councils:,}",
            f"People: {self.people:,}",
            f"Services: {self.services:,}",
            f"Assessments: {self.assessments:,}, each published",
            f"Reviews: {self.reviews:,}",
            f"Point scores: {self.point_scores:,} by councils, {self.reviewer_scores:,} "
            f"by reviewers, {self.agreed_scores:,} agreed",
            f"Publications: {self.publications:,} ({self.withdrawn:,} withdrawn since)",
            f"Rows: {self.rows:,} in {self.seconds:.1f} seconds "
            f"({self.rows / max(self.seconds, 0.001):,.0f} a second)",
        ]


def generated_services():
    """The services a run made: created by one of its people."""
    return Service.objects.filter(created_by__email__endswith=MARK)


def has_generated_data():
    return User.objects.filter(email__endswith=MARK).exists() or generated_services().exists()


def councils_to_fill(limit=None):
    """Every current English council, by code; the first `limit` of them if given."""
    councils = (
        Council.objects.current()
        .filter(nation=Nation.ENGLAND)
        .select_related("peer_group")
        .order_by("code")
    )
    return list(councils[:limit] if limit else councils)


@transaction.atomic
def remove():
    """Delete everything a previous run made, leaves first (a cascade from the services
    would load every row into memory), and count the change to the public record.
    Returns the number of services removed."""
    services = generated_services()
    assessments = Assessment.objects.filter(service__in=services)
    publications = Publication.objects.filter(assessment__in=assessments)
    answers = PointAssessment.objects.filter(assessment__in=assessments)
    had_publications = publications.exists()
    EvidenceLink.objects.filter(point_assessment__in=answers).delete()
    PublishedPoint.objects.filter(publication__in=publications).delete()
    Correction.objects.filter(publication__in=publications).delete()
    publications.delete()
    ClarificationQuestion.objects.filter(round__assessment__in=assessments).delete()
    for model in (
        ClarificationRound,
        ThreadRead,
        PointMessage,
        ReviewerPoint,
        AgreedPoint,
        ReviewerAssignment,
        Review,
        StatusChange,
        AssessmentEvent,
        PointAssessment,
    ):
        model.objects.filter(assessment__in=assessments).delete()
    assessments.update(started_from=None)
    assessments.delete()
    removed = services.count()
    services.delete()
    people = User.objects.filter(email__endswith=MARK)
    Membership.objects.filter(user__in=people).delete()
    people.delete()
    names = {(supplier, name) for pairs in PRODUCTS.values() for supplier, name in pairs}
    for supplier, name in names:
        Product.objects.filter(
            supplier__name=supplier, name=name, services__isnull=True, publications__isnull=True
        ).delete()
    Supplier.objects.filter(
        name__in={supplier for supplier, _ in names}, products__isnull=True
    ).delete()
    if had_publications:
        announce_change()
    return removed


def generate(*, services=10, max_assessments=3, seed=2016, councils=None, progress=None):
    """Fill the database (see the module's docstring); `progress(text)` hears how it goes.

    Raises AlreadyGenerated if a previous run's data is there, NothingToGenerate if there
    are no councils or no Standard. All or nothing: one transaction. Returns a `Report`.
    """
    if not 1 <= services <= MAX_SERVICES:
        raise ValueError(f"services must be from 1 to {MAX_SERVICES}")
    if not 1 <= max_assessments <= 3:
        raise ValueError("max_assessments must be from 1 to 3")
    started = time.monotonic()
    with transaction.atomic():
        if has_generated_data():
            raise AlreadyGenerated
        standard = StandardVersion.objects.filter(is_current=True).first()
        chosen = councils_to_fill(councils)
        if standard is None or not chosen:
            raise NothingToGenerate
        generator = _Generator(
            standard=standard,
            councils=chosen,
            services=services,
            max_assessments=max_assessments,
            rng=random.Random(seed),
            now=timezone.now(),
        )
        generator.run(progress or (lambda text: None), started)
        announce_change()
    _analyse()
    generator.report.seconds = time.monotonic() - started
    return generator.report


def _analyse():
    """Give PostgreSQL's planner statistics of the new rows at once. Until autovacuum
    gets to them it plans for empty tables: the first request to /results/ after a run
    took four and a half minutes, the same request after ANALYZE about one second."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@lru_cache(maxsize=4096)
def _due_on(day):
    return working_days_after(day)


@dataclass
class _People:
    leads: dict  # council pk -> User
    reviewers: dict  # council pk -> User (a peer reviewer, a member of that council)
    assessors: list  # independent assessors
    coordinator: User


@dataclass
class _Planned:
    """One assessment in memory, with what is saved after it (rows that need its pk)."""

    assessment: Assessment
    lead: User
    peer_reviewed: bool
    previous: "_Planned | None"
    answers: list = field(default_factory=list)
    links: dict = field(default_factory=dict)  # point number -> [(title, url)]
    agreed: dict = field(default_factory=dict)  # point id -> AgreedPoint
    review: Review | None = None
    reviewers: list = field(default_factory=list)  # [User], lead first
    times: dict = field(default_factory=dict)
    withdrawn_reason: str = ""


class _Generator:
    def __init__(self, *, standard, councils, services, max_assessments, rng, now):
        self.standard = standard
        self.points = list(standard.points.order_by("number"))
        self.councils = councils
        self.services = services
        self.max_assessments = max_assessments
        self.rng = rng
        self.now = now
        self.report = Report()
        self.products = {}

    # --- people and products, made once ------------------------------------------------

    def _person(self, email, *, joined, **flags):
        rng = self.rng
        return User(
            email=email,
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            # Nobody signs in as them: the benchmark makes its own people.
            password=UNUSABLE_PASSWORD_PREFIX + get_random_string(40),
            date_joined=joined,
            **flags,
        )

    def _make_people(self):
        joined = self.now - timedelta(days=365 * YEARS + 60)
        leads, reviewers = {}, {}
        for council in self.councils:
            code = council.code.lower()
            leads[council.pk] = self._person(f"lead.{code}{MARK}", joined=joined)
            reviewers[council.pk] = self._person(
                f"reviewer.{code}{MARK}", joined=joined, is_peer_reviewer=True
            )
        assessors = [
            self._person(
                f"assessor{n}{MARK}",
                joined=joined,
                is_peer_reviewer=True,
                is_independent_assessor=True,
            )
            for n in range(1, INDEPENDENT_ASSESSORS + 1)
        ]
        coordinator = self._person(
            f"coordinator{MARK}", joined=joined, is_coordinator=True, is_staff=True
        )
        everyone = [*leads.values(), *reviewers.values(), *assessors, coordinator]
        User.objects.bulk_create(everyone, batch_size=BATCH_SIZE)
        memberships = [
            Membership(user=leads[c.pk], council=c, role=Role.LEAD, created_at=joined)
            for c in self.councils
        ] + [
            Membership(user=reviewers[c.pk], council=c, role=Role.CONTRIBUTOR, created_at=joined)
            for c in self.councils
        ]
        Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
        groups = User.reviewer_peer_groups.through
        groups.objects.bulk_create(
            [groups(user=reviewers[c.pk], peergroup=c.peer_group) for c in self.councils],
            batch_size=BATCH_SIZE,
        )
        self.report.people = len(everyone)
        self.report.rows += len(everyone) + len(memberships) + len(self.councils)
        self.reviewer_council = {reviewers[c.pk].pk: c.official_name for c in self.councils}
        self.people = _People(leads, reviewers, assessors, coordinator)
        # Reviewers by peer group, to pick from the assessed council's own group first.
        self.reviewers_by_group = {}
        for council in self.councils:
            self.reviewers_by_group.setdefault(council.peer_group_id, []).append(council)

    def _product(self, kind):
        supplier_name, name = self.rng.choice(PRODUCTS[kind])
        key = (supplier_name, name)
        if key not in self.products:
            supplier, _ = Supplier.objects.get_or_create(name=supplier_name)
            # get_or_create saves through Product.save, which gives the product its slug.
            product, _ = Product.objects.select_related("supplier").get_or_create(
                supplier=supplier, name=name
            )
            self.products[key] = product
        return self.products[key]

    # --- planning one council's services ------------------------------------------------

    def _plan_council(self, council):
        rng = self.rng
        lead = self.people.leads[council.pk]
        planned = []
        for name, description, kind in rng.sample(SERVICES, self.services):
            bought = kind is not None and rng.random() < BOUGHT_SHARE
            count = min(
                self.max_assessments,
                rng.choices(list(ASSESSMENT_WEIGHTS), list(ASSESSMENT_WEIGHTS.values()))[0],
            )
            starts = self._starts(count)
            service = Service(
                council=council,
                name=name,
                description=description,
                url=f"https://www.{council.code.lower()}.example/{slugify(name)}",
                phase=Phase.BETA,
                owner=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                sourcing=Sourcing.BOUGHT if bought else Sourcing.IN_HOUSE,
                product=self._product(kind) if bought else None,
                created_at=starts[0] - timedelta(days=rng.randint(1, 30)),
                created_by=lead,
            )
            level = rng.gauss(2.3, 0.6)
            not_applicable = {n for n in NOT_APPLICABLE if rng.random() < NOT_APPLICABLE_SHARE}
            phase_index = rng.choices(range(len(PHASES)), FIRST_PHASE_WEIGHTS)[0]
            previous = None
            for round_number, start in enumerate(starts):
                if round_number and rng.random() < 0.6:
                    phase_index = min(phase_index + 1, len(PHASES) - 1)
                previous = self._plan_assessment(
                    service,
                    lead,
                    previous,
                    start=start,
                    phase=PHASES[phase_index],
                    level=level + 0.45 * round_number,
                    not_applicable=not_applicable,
                )
                planned.append(previous)
            service.phase = PHASES[phase_index]
            # A change of phase is a change to the service (`update_service`).
            service.revision = len({p.assessment.phase for p in planned[-count:]}) - 1
        return planned

    def _starts(self, count):
        """When each of a service's assessments started: spread over the years, the last
        far enough back to have been reviewed and published by now."""
        rng = self.rng
        available = 365 * YEARS - 100
        gap = min(400, rng.uniform(0.8, 1.0) * available / count)
        first = rng.uniform(0, available - gap * (count - 1))
        origin = self.now - timedelta(days=365 * YEARS)
        return [
            origin + timedelta(days=first + gap * n, seconds=rng.randint(0, 86_399))
            for n in range(count)
        ]

    def _plan_assessment(self, service, lead, previous, *, start, phase, level, not_applicable):
        rng = self.rng
        assessment = Assessment(
            service=service,
            standard=self.standard,
            phase=phase,
            status=Status.PUBLISHED,
            created_at=start,
            created_by=lead,
            started_from=previous.assessment if previous else None,
        )
        plan = _Planned(
            assessment=assessment,
            lead=lead,
            peer_reviewed=rng.random() < PEER_REVIEWED_SHARE,
            previous=previous,
        )
        earlier = {a.point.number: a for a in previous.answers} if previous else {}
        moment = start
        for point in self.points:
            number = point.number
            moment += timedelta(minutes=rng.randint(5, 2400))
            carried = earlier.get(number)
            if number in not_applicable:
                score, reason, evidence = None, NOT_APPLICABLE[number], ""
            else:
                raw = level + POINT_DIFFICULTY.get(number, 0) + rng.gauss(0, 0.6)
                score, reason = max(0, min(5, round(raw))), ""
                if carried is not None and carried.evidence and rng.random() < 0.5:
                    evidence = carried.evidence  # kept as carried forward
                else:
                    sentences = rng.sample(EVIDENCE[number], 2)
                    evidence = " ".join(s.format(n=rng.randint(3, 40)) for s in sentences)
            if carried is not None:
                links = list(plan.previous.links.get(number, []))
            elif score is not None and rng.random() < LINK_SHARE:
                links = [
                    (
                        f"{point.short_title}: evidence",
                        f"https://www.{service.council.code.lower()}.example/evidence/{number}",
                    )
                ]
            else:
                links = []
            answer = PointAssessment(
                assessment=assessment,
                point=point,
                score=score,
                not_applicable=score is None,
                not_applicable_reason=reason,
                evidence=evidence,
                revision=1,
                updated_at=moment,
                updated_by=lead,
            )
            # What the team found when it opened the point: empty, or carried forward.
            before = {
                "score": None,
                "not_applicable": False,
                "reason": carried.not_applicable_reason if carried else "",
                "evidence": carried.evidence if carried else "",
                "links": [list(link) for link in links] if carried else [],
            }
            after = {
                "score": score,
                "not_applicable": score is None,
                "reason": reason,
                "evidence": evidence,
                "links": [list(link) for link in links],
            }
            answer.changes = what_changed(before, after)
            plan.answers.append(answer)
            if links:
                plan.links[number] = links
        submitted = moment + timedelta(minutes=rng.randint(30, 4000))
        assessment.submitted_at = submitted
        plan.times["submitted"] = submitted
        if plan.peer_reviewed:
            self._plan_review(plan, submitted)
            published = plan.times["responded"] or plan.times["completed"]
        else:
            published = submitted
        plan.times["published"] = published + timedelta(minutes=rng.randint(60, 14_000))
        if rng.random() < WITHDRAWN_SHARE:
            plan.withdrawn_reason = rng.choice(WITHDRAWAL_REASONS)
            plan.times["withdrawn"] = plan.times["published"] + timedelta(days=rng.randint(2, 40))
            assessment.status = Status.UNPUBLISHED
        return plan

    def _reviewers(self, council):
        """Two reviewers from other councils (of the same peer group where there are any),
        or an independent assessor as lead and a peer reviewer."""
        rng = self.rng
        others = [c for c in self.reviewers_by_group[council.peer_group_id] if c != council]
        if not others:
            others = [c for c in self.councils if c != council]
        peers = [self.people.reviewers[c.pk] for c in rng.sample(others, min(2, len(others)))]
        if rng.random() < 0.25 or not peers:
            peers.insert(0, rng.choice(self.people.assessors))
        while len(peers) < 2:
            peers.append(rng.choice([a for a in self.people.assessors if a not in peers]))
        return peers[:2]

    def _plan_review(self, plan, submitted):
        rng = self.rng
        council = plan.assessment.service.council
        assigned = submitted + timedelta(minutes=rng.randint(600, 10_000))
        completed = assigned + timedelta(minutes=rng.randint(7 * 1440, 25 * 1440))
        plan.reviewers = self._reviewers(council)
        scores = []
        for answer in plan.answers:
            if answer.not_applicable:
                agreed = None
            else:
                agreed = max(0, min(5, answer.score + rng.choices([0, -1, 1], [70, 22, 8])[0]))
            to_explore = rng.choice(TO_EXPLORE) if agreed is not None and agreed < 4 else ""
            row = AgreedPoint(
                assessment=plan.assessment,
                point=answer.point,
                score=agreed,
                not_applicable=answer.not_applicable,
                done_well=rng.choice(DONE_WELL),
                to_explore=to_explore,
                revision=1,
                updated_at=completed - timedelta(minutes=rng.randint(10, 600)),
                updated_by=plan.reviewers[0],
            )
            plan.agreed[answer.point.pk] = row
            if agreed is not None:
                scores.append(agreed)
        recommendation = RECOMMENDATION_BY_RATING[rate(scores) or Rating.RED]
        responded = None
        response = ""
        if rng.random() < RESPONSE_SHARE:
            responded = completed + timedelta(minutes=rng.randint(600, 10_000))
            response = rng.choice(RESPONSES)
        plan.review = Review(
            assessment=plan.assessment,
            created_at=assigned,
            due_on=_due_on(timezone.localdate(assigned)),
            summary=SUMMARIES[recommendation],
            recommendation=recommendation,
            revision=2 if responded else 1,
            completed_at=completed,
            completed_by=plan.reviewers[0],
            council_response=response,
            council_response_at=responded,
            council_response_by=plan.lead if responded else None,
        )
        plan.times.update(assigned=assigned, completed=completed, responded=responded)

    # --- saving ---------------------------------------------------------------------------

    def run(self, progress, started):
        self._make_people()
        total = len(self.councils)
        progress(f"Generating data for {total:,} councils, {self.services} services each.")
        for first in range(0, total, COUNCILS_PER_BATCH):
            batch = self.councils[first : first + COUNCILS_PER_BATCH]
            self._save([plan for council in batch for plan in self._plan_council(council)])
            self.report.councils += len(batch)
            seconds = time.monotonic() - started
            progress(
                f"{self.report.councils:,}/{total:,} councils, {self.report.rows:,} rows, "
                f"{self.report.rows / max(seconds, 0.001):,.0f} rows a second"
            )

    def _bulk(self, model, rows):
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.report.rows += len(rows)
        return rows

    def _save(self, plans):
        services = list({id(p.assessment.service): p.assessment.service for p in plans}.values())
        self._bulk(Service, services)
        self.report.services += len(services)
        # An assessment names the one it started from: save them in order.
        depth = {}
        for plan in plans:
            depth[id(plan)] = depth[id(plan.previous)] + 1 if plan.previous else 0
        for level in sorted(set(depth.values())):
            rows = []
            for plan in plans:
                if depth[id(plan)] == level:
                    rows.append(plan.assessment)
            self._bulk(Assessment, rows)
        self.report.assessments += len(plans)

        answers = self._bulk(PointAssessment, [a for p in plans for a in p.answers])
        self.report.point_scores += len(answers)
        links = []
        for plan in plans:
            for answer in plan.answers:
                for position, (title, url) in enumerate(plan.links.get(answer.point.number, [])):
                    links.append(
                        EvidenceLink(
                            point_assessment=answer, title=title, url=url, position=position
                        )
                    )
        self._bulk(EvidenceLink, links)
        prefetch_related_objects(answers, "links")

        events, changes, reviews, assignments, reviewer_points = [], [], [], [], []
        publications, published_points = [], []
        for plan in plans:
            self._history(plan, events, changes)
            if plan.peer_reviewed:
                reviews.append(plan.review)
                self._review_rows(plan, assignments, reviewer_points)
        self._bulk(AssessmentEvent, events)
        self._bulk(StatusChange, changes)
        self._bulk(Review, reviews)
        self._bulk(ReviewerAssignment, assignments)
        self._bulk(ReviewerPoint, reviewer_points)
        agreed = self._bulk(AgreedPoint, [row for p in plans for row in p.agreed.values()])
        self.report.reviews += len(reviews)
        self.report.reviewer_scores += len(reviewer_points)
        self.report.agreed_scores += len(agreed)

        for plan in plans:
            publication, points = self._publication(plan)
            publications.append(publication)
            published_points.extend(points)
        self._bulk(Publication, publications)
        self._bulk(PublishedPoint, published_points)
        self.report.publications += len(publications)
        self.report.withdrawn += sum(1 for p in plans if p.withdrawn_reason)

    def _history(self, plan, events, changes):
        """The status changes and history lines the workflow writes, in its order."""
        assessment, lead, times = plan.assessment, plan.lead, plan.times
        coordinator = self.people.coordinator

        def event(kind, actor, at, **values):
            events.append(
                AssessmentEvent(
                    assessment=assessment, kind=kind, actor=actor, created_at=at, **values
                )
            )

        def change(source, target, by, at, reason=""):
            changes.append(
                StatusChange(
                    assessment=assessment,
                    from_status=source,
                    to_status=target,
                    by=by,
                    at=at,
                    reason=reason,
                )
            )

        if plan.previous:
            submitted = timezone.localtime(plan.previous.assessment.submitted_at)
            event(
                EventKind.REASSESSMENT,
                lead,
                assessment.created_at,
                detail=f"Evidence carried forward from the assessment submitted on "
                f"{submitted:%-d %B %Y}.",
            )
        else:
            event(EventKind.CREATED, lead, assessment.created_at)
        for answer in plan.answers:
            event(
                EventKind.SAVED_POINT,
                lead,
                answer.updated_at,
                point_number=answer.point.number,
                changes=answer.changes,
            )
        change(Status.DRAFT, Status.SUBMITTED, lead, times["submitted"])
        event(EventKind.SUBMITTED, lead, times["submitted"])
        source = Status.SUBMITTED
        if plan.peer_reviewed:
            assigned = times["assigned"]
            first, second = plan.reviewers
            change(Status.SUBMITTED, Status.IN_REVIEW, coordinator, assigned)
            event(EventKind.REVIEW_STARTED, coordinator, assigned)
            event(
                EventKind.REVIEWER_ASSIGNED,
                coordinator,
                assigned,
                detail=f"{first} (lead reviewer)",
            )
            later = assigned + timedelta(minutes=2)
            event(EventKind.REVIEWER_ASSIGNED, coordinator, later, detail=f"{second} (reviewer)")
            change(Status.IN_REVIEW, Status.REVIEWED, first, times["completed"])
            event(EventKind.REVIEW_COMPLETED, first, times["completed"])
            if times["responded"]:
                event(EventKind.COUNCIL_RESPONDED, lead, times["responded"])
            source = Status.REVIEWED
        change(source, Status.PUBLISHED, lead, times["published"])
        event(EventKind.PUBLISHED, lead, times["published"])
        if plan.withdrawn_reason:
            reason = plan.withdrawn_reason
            change(Status.PUBLISHED, Status.UNPUBLISHED, lead, times["withdrawn"], reason)
            event(EventKind.PUBLICATION_WITHDRAWN, lead, times["withdrawn"], detail=reason)

    def _review_rows(self, plan, assignments, reviewer_points):
        rng = self.rng
        assigned = plan.times["assigned"]
        coordinator = self.people.coordinator
        for position, reviewer in enumerate(plan.reviewers):
            at = assigned + timedelta(minutes=2 * position)
            assignments.append(
                ReviewerAssignment(
                    assessment=plan.assessment,
                    reviewer=reviewer,
                    is_lead=position == 0,
                    created_at=at,
                    created_by=coordinator,
                    confirmed_at=at,
                    confirmed_by=coordinator,
                )
            )
            for answer in plan.answers:
                agreed = plan.agreed[answer.point.pk]
                score = agreed.score
                if score is not None and rng.random() < 0.2:
                    score = max(0, min(5, score + rng.choice([-1, 1])))
                reviewer_points.append(
                    ReviewerPoint(
                        assessment=plan.assessment,
                        point=answer.point,
                        reviewer=reviewer,
                        score=score,
                        not_applicable=agreed.not_applicable,
                        done_well=agreed.done_well,
                        to_explore=agreed.to_explore,
                        revision=1,
                        updated_at=agreed.updated_at - timedelta(days=1),
                    )
                )

    def _publication(self, plan):
        """The publication the `publish` transition would write: `snapshot`, then
        `publication_rows`, as `write_publication` does."""
        if plan.peer_reviewed:
            labels = []
            for reviewer in plan.reviewers:
                council = self.reviewer_council.get(reviewer.pk)
                label = reviewer_label(reviewer, [council] if council else [])
                if label not in labels:
                    labels.append(label)
            frozen = snapshot(
                plan.assessment,
                answers=plan.answers,
                agreed=plan.agreed,
                review=plan.review,
                reviewer_councils=labels,
            )
        else:
            frozen = snapshot(plan.assessment, answers=plan.answers)
        publication, points = publication_rows(
            plan.assessment, frozen, by=plan.lead, at=plan.times["published"]
        )
        if plan.withdrawn_reason:
            publication.withdrawn_at = plan.times["withdrawn"]
            publication.withdrawn_by = plan.lead
            publication.withdrawn_reason = plan.withdrawn_reason
        return publication, points
