"""The lived-in demo for `make run` and `make dev` (the `load_demo_data` command): the
service as it would look a year or so after launch, so that every page, public or signed
in, has something real to show.

- Councils in every region of the UK (England's nine, Wales, Scotland and Northern
  Ireland), each with services and a lead, and peer reviewers from two councils besides
  the independent assessor.
- Assessments in every state: drafts, submitted (one with a reviewer's offer waiting),
  in review with a discussion under way, waiting for the council's answers to a request
  for clarification, reviewed and not yet published, withdrawn from review, published
  peer reviewed or self-assessed, and a publication withdrawn with its reason.
- Services assessed again over time, published over the last eighteen months or so, so
  that results, comparisons, the national picture of each point, products, a service's
  scores over time and the trends by quarter all have figures.

Every assessment is made through the workflow a council and its reviewers follow, by the
demo people (`services.save_point`, `submit`, `reviewers.assign`, `save_reviewer_point`,
`post_message`, `request_clarification`, `complete_review`, `publish`…), so its history,
status changes and publication are the service's own. Only then are its dates moved into
the past (`_backdate`), step by step, and its emails marked as sent (`quieten_emails`):
both for demo data only.

The named examples (`NAMED`) are the ones the tests and the README's tour rely on; the rest
(`generated`) come from a fixed random seed, so every run makes the same demo. Safe to run
again: each demo assessment is made once (a demo service with as many assessments as the
demo gives it is left as it is).
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.text import slugify
from django_tasks_db.models import DBTaskResult

from assessments import services
from assessments.models import (
    AgreedPoint,
    Assessment,
    AssessmentEvent,
    ClarificationRound,
    Council,
    Notification,
    NotificationStatus,
    PointAssessment,
    PointMessage,
    Product,
    Publication,
    Recommendation,
    Review,
    ReviewerAssignment,
    ReviewerPoint,
    Service,
    Sourcing,
    StatusChange,
    ThreadRead,
    User,
)
from assessments.notifications.tasks import send_notification
from assessments.services import discussion, reviewers
from assessments.services.reviewers import working_days_after

SEED = 2016

COORDINATOR = "coordinator@lgdss.example"
PEER_REVIEWER = "reviewer@birmingham.example"
SECOND_PEER_REVIEWER = "reviewer@bristol.example"
ASSESSOR = "assessor@lgdss.example"

# How far each assessment went through the workflow.
DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
CLARIFICATION = "clarification_requested"
REVIEWED = "reviewed"
WITHDRAWN = "withdrawn"  # from review, by the council
PUBLISHED = "published"

# What a team might write for each point of the Standard, whatever the service.
EVIDENCE = {
    1: "We interviewed 14 residents, including 4 who use assistive technology, and "
    "mapped what they were trying to do before we changed anything.",
    2: "A product owner, a user researcher, a designer and two developers work on the "
    "service together, with the service manager from the contact centre.",
    3: "We work in two-week sprints with a show and tell open to the whole council.",
    4: "We release small changes most weeks and check each against the numbers of "
    "calls and completed requests.",
    5: "We compared three ways to provide the service, including our existing platform, "
    "and wrote down why we chose this one.",
    6: "A data protection impact assessment was signed off, and the service had an "
    "independent penetration test before it went live.",
    7: "The code is published under the MIT licence, and open data about requests is "
    "updated each month.",
    8: "We tested every route through the service, from the first search to the "
    "confirmation email and the back office, on phones and computers.",
    9: "If the service is down, a page explains how to phone the contact centre, "
    "which can make the same request in the back office.",
    10: "Most people who start a request now finish it, and we watch where the others leave.",
    11: "The service uses the GOV.UK Design System's components and patterns.",
    12: "The contact centre helps callers use the online form, and letters point to it.",
    13: "We publish the completion rate, cost per request, satisfaction and digital "
    "take-up on our performance page.",
    14: "We test with users every sprint, including people who find the service hard.",
    15: "The cabinet member for the service used it from start to finish in a recorded session.",
}

LINKS = {
    1: [("User research findings", "https://example.org/research/findings")],
    6: [("Data protection impact assessment", "https://example.org/privacy/dpia")],
    7: [
        ("Source code", "https://example.org/code"),
        ("Open data", "https://example.org/data"),
    ],
    13: [("Performance page", "https://example.org/performance")],
}

NOT_APPLICABLE_REASON = {
    9: "The service is a form that goes to the contact centre's own system, which has "
    "its own plan for being offline.",
    7: "The service is a supplier's product whose code is not ours to publish.",
}

WHAT_WENT_WELL = "Clear evidence, shown to us in the service itself."
TO_EXPLORE = "How the team will know the change made a difference to residents."


SUMMARIES = {
    Recommendation.MEETS: [
        "A service that knows its users and measures what it changes. Keep sharing how "
        "the team works.",
        "Strong evidence on every point we asked about, shown to us in the service itself.",
    ],
    Recommendation.MEETS_WITH_ACTIONS: [
        "A good service with a team that listens to its users. Measuring performance and "
        "publishing the code are what remain.",
        "Much of the Standard is met. The plan for the service being offline and the "
        "team's make-up need attention before the next phase.",
    ],
    Recommendation.DOES_NOT_MEET: [
        "An early service that has not yet done enough research with the people who need it most.",
        "The team is keen, but the service has no product owner and is not measured yet.",
    ],
}
RESPONSES = [
    "We agree, and have planned the actions for the next two quarters.",
    "Thank you: we have funded a user researcher for the next phase.",
    "We accept the findings and will publish our performance figures by the spring.",
]

# A question a reviewer asks in a point's discussion, and the council's answer.
DISCUSSION = {
    1: (
        "How many of the residents you spoke to had tried the old form first?",
        "About half: we recruited the rest through the libraries and the contact centre.",
    ),
    4: (
        "How do you decide which changes to release first?",
        "The product owner ranks them each sprint, from the calls the contact centre logs.",
    ),
    6: (
        "Was the penetration test repeated after the payment provider changed?",
        "Yes, in March; the report is with our information governance team.",
    ),
    13: (
        "Where do the satisfaction figures come from?",
        "From the short survey on the confirmation page, about 600 answers a month.",
    ),
}
CLARIFICATION_QUESTIONS = {
    1: "Please add what you learned from the residents who use assistive technology.",
    6: "Please link the data protection impact assessment and say when it was signed off.",
    13: "Please say which of the four measures you publish, and where.",
}
CLARIFIED = " We have added the findings the reviewers asked for, with a link to them."
WITHDRAWN_FROM_REVIEW = (
    "The supplier is replacing the booking system this spring; we will submit the new "
    "service instead."
)


@dataclass
class Demo:
    """One demo assessment: the council's answers (a score, or None for not applicable),
    how far it goes through the workflow (`stage`), and for a peer review the agreed
    scores that differ from the council's. `days_ago` dates its last step (its
    publication, say) that many days before the demo is loaded; `_backdate` spreads the
    earlier steps before it."""

    council: str
    lead: str
    service: str
    description: str
    phase: str
    scores: list
    product: str = ""
    peer_review: bool = False
    agreed: dict = field(default_factory=dict)
    recommendation: str = Recommendation.MEETS_WITH_ACTIONS
    summary: str = ""
    response: str = ""
    withdrawn_because: str = ""
    days_ago: int = 0
    stage: str = PUBLISHED
    reviewer: str = PEER_REVIEWER  # the peer reviewer beside the independent assessor
    # Points the council has answered in a draft (the first this many; all by default).
    answered: int = 15
    # Points asked about in a point's discussion, and in a round of clarification.
    discussed: tuple = ()
    clarified: tuple = ()
    # A peer reviewer's offer to review a submitted assessment, waiting for a coordinator.
    offered_by: str = ""
    # Who in the council answers the reviewers in the discussions (the lead by default).
    answered_by: str = ""


NAMED = [
    Demo(
        "COV",
        "lead@coventry.example",
        "Report a missed bin collection",
        "Tell us when your bin was not collected on the day it was due.",
        "beta",
        [3, 2, 2, 3, 3, 4, 1, 2, None, 3, 3, 2, 1, 2, 2],
        days_ago=400,
    ),
    Demo(  # the same service a year on, peer reviewed: the report shows the change
        "COV",
        "lead@coventry.example",
        "Report a missed bin collection",
        "Tell us when your bin was not collected on the day it was due.",
        "live",
        [4, 3, 3, 4, 3, 4, 2, 3, 2, 4, 4, 3, 3, 3, 3],
        peer_review=True,
        agreed={1: 3, 7: 2, 13: 2},
        recommendation=Recommendation.MEETS_WITH_ACTIONS,
        summary="Much improved since the last assessment. Publishing the code and "
        "measuring performance are what remain.",
        response="We will publish the code by the spring and add the measures to our "
        "performance page.",
        days_ago=30,
        discussed=(13,),
        clarified=(1,),
    ),
    Demo(
        "LDS",
        "lead@leeds.example",
        "Apply for a residents' parking permit",
        "Apply for, renew or change a permit to park in a residents' parking zone.",
        "live",
        [4, 3, 4, 3, 4, 4, None, 3, 2, 4, 3, 3, 2, 3, 3],
        product="Parking Permits Online",
        peer_review=True,
        agreed={2: 2, 9: 2, 15: 2},
        recommendation=Recommendation.MEETS_WITH_ACTIONS,
        summary="A well-run service with a team that knows its users. The plan for "
        "being offline and the team's make-up need attention.",
        response="We agree, and are writing an offline plan with the contact centre this quarter.",
        days_ago=60,
        discussed=(4,),
    ),
    Demo(
        "CRF",
        "lead@cardiff.example",
        "Pay your council tax",
        "Pay your council tax online by card, or set up a Direct Debit.",
        "live",
        [5, 4, 4, 4, 3, 5, 3, 4, 3, 4, 4, 4, 3, 4, 3],
        peer_review=True,
        agreed={1: 4, 13: 4},
        recommendation=Recommendation.MEETS,
        summary="An exemplary service, in English and Welsh, measured and improved every sprint.",
        response="Thank you: we will share how we work with the other Welsh councils.",
        days_ago=5,
        reviewer=SECOND_PEER_REVIEWER,
        discussed=(6,),
    ),
    Demo(
        "COV",
        "lead@coventry.example",
        "Apply for a parking permit",
        "Apply for a permit to park near your home or business.",
        "alpha",
        [2, 1, 2, 1, 2, 3, 1, 1, None, 2, 3, 1, 0, 1, 1],
        peer_review=True,
        agreed={6: 2, 11: 2},
        recommendation=Recommendation.DOES_NOT_MEET,
        summary="An early service that has not yet done enough research with the people "
        "who need permits most.",
        response="We accept the findings and have funded a user researcher for the next phase.",
        days_ago=150,
    ),
    Demo(
        "LDS",
        "lead@leeds.example",
        "Report a pothole",
        "Tell us about a pothole or other damage to a road or pavement.",
        "beta",
        [4, 3, 3, 4, 3, 3, 3, 3, 3, 4, 4, 3, 3, 3, 3],
        days_ago=90,
    ),
    Demo(
        "GLG",
        "lead@glasgow.example",
        "Book a bulky uplift",
        "Book a collection of large household items such as furniture.",
        "live",
        [3, 3, 2, 2, 3, 3, 2, 3, 3, 3, 2, 2, 3, 2, 3],
        days_ago=45,
    ),
    Demo(
        "GLG",
        "lead@glasgow.example",
        "Apply for a Blue Badge",
        "Apply for a disabled person's parking badge.",
        "beta",
        [3, 2, 3, 3, 3, 4, 2, 3, 3, 3, 3, 3, 2, 3, 2],
        withdrawn_because="The assessment was published before the service's accessibility "
        "audit had finished; the council will publish a new one.",
        days_ago=100,
    ),
    Demo(  # a second council on the same product, so that its page compares councils
        "GLG",
        "lead@glasgow.example",
        "Apply for a residents' parking permit",
        "Apply for or renew a permit to park in a controlled parking zone.",
        "beta",
        [3, 3, 3, 2, 3, 3, None, 2, 2, 3, 2, 3, 2, 2, 3],
        product="Parking Permits Online",
        days_ago=200,
    ),
    # Work in progress, one in each state before publication.
    Demo(  # a draft, half answered
        "COV",
        "lead@coventry.example",
        "Find your bin collection day",
        "Find out which bins are collected on which day at your address.",
        "beta",
        [3, 3, 2, 3, 2, 3, 2, 2, 3, 3, 3, 2, 2, 2, 2],
        stage=DRAFT,
        answered=7,
        days_ago=2,
    ),
    Demo(  # submitted: a Midlands peer reviewer may offer to review it (the README's tour)
        "COV",
        "lead@coventry.example",
        "Apply for a concessionary bus pass",
        "Apply for or renew a bus pass for older and disabled people.",
        "beta",
        [3, 3, 3, 2, 3, 4, 2, 3, 2, 3, 3, 3, 2, 3, 2],
        stage=SUBMITTED,
        days_ago=3,
    ),
    Demo(  # submitted, with an offer to review waiting for a coordinator
        "NGM",
        "lead@nottingham.example",
        "Report fly-tipping",
        "Tell us about rubbish dumped on a street, a verge or council land.",
        "beta",
        [3, 2, 3, 3, 2, 3, 1, 3, 2, 3, 3, 2, 2, 2, 3],
        product="Waste and Street Services",
        stage=SUBMITTED,
        offered_by=PEER_REVIEWER,
        days_ago=6,
    ),
    Demo(  # in review: half scored by the reviewers, a discussion under way
        "LDS",
        "lead@leeds.example",
        "Apply for a school place",
        "Apply for a place at a primary or secondary school, or to change school.",
        "live",
        [4, 3, 3, 3, 3, 4, 2, 3, 3, 4, 3, 3, 2, 3, 3],
        stage=IN_REVIEW,
        discussed=(1, 4),
        answered_by="editor@leeds.example",
        days_ago=4,
    ),
    Demo(  # sent back to the council with questions
        "MAN",
        "lead@manchester.example",
        "Apply for social housing",
        "Join the housing register and bid for council and housing association homes.",
        "beta",
        [3, 3, 2, 3, 3, 2, 2, 3, 2, 3, 3, 2, 1, 2, 2],
        stage=CLARIFICATION,
        reviewer=SECOND_PEER_REVIEWER,
        discussed=(6,),
        clarified=(1, 6),
        days_ago=1,
    ),
    Demo(  # reviewed and answered, not yet published
        "CRF",
        "lead@cardiff.example",
        "Apply for a school place",
        "Apply for a place at a school in Cardiff, in English or Welsh.",
        "live",
        [4, 4, 3, 4, 3, 4, 3, 4, 3, 4, 4, 3, 3, 4, 3],
        stage=REVIEWED,
        peer_review=True,
        agreed={13: 2},
        reviewer=SECOND_PEER_REVIEWER,
        recommendation=Recommendation.MEETS_WITH_ACTIONS,
        summary="A strong service in both languages; what it measures is not yet published.",
        response="We will add the measures to our performance page next month.",
        days_ago=2,
    ),
    Demo(  # withdrawn from review by the council, with its reason
        "BST",
        "lead@bristol.example",
        "Book a bulky waste collection",
        "Book a collection of up to six large items, such as furniture or a fridge.",
        "beta",
        [2, 2, 3, 2, 2, 3, 1, 2, 2, 3, 3, 2, 1, 2, 2],
        product="Waste and Street Services",
        stage=WITHDRAWN,
        withdrawn_because=WITHDRAWN_FROM_REVIEW,
        days_ago=20,
    ),
    Demo(  # a reassessment under way: the earlier answers carried forward
        "LDS",
        "lead@leeds.example",
        "Report a pothole",
        "Tell us about a pothole or other damage to a road or pavement.",
        "live",
        [4, 4, 3, 4, 3, 3, 3, 3, 3, 4, 4, 3, 3, 3, 3],
        stage=DRAFT,
        answered=2,
        days_ago=1,
    ),
]

# The councils the generated demo adds, one or more in every region, with their leads.
LEADS = {
    "NET": "lead@newcastle.example",
    "MAN": "lead@manchester.example",
    "NGM": "lead@nottingham.example",
    "CAB": "lead@cambridge.example",
    "SFK": "lead@suffolk.example",
    "CMD": "lead@camden.example",
    "HCK": "lead@hackney.example",
    "BNH": "lead@brighton.example",
    "KEN": "lead@kent.example",
    "BST": "lead@bristol.example",
    "CON": "lead@cornwall.example",
    "MON": "lead@monmouthshire.example",
    "EDH": "lead@edinburgh.example",
    "BFS": "lead@belfast.example",
}

# Services a council might assess: name, description, the supplier's product if bought.
CATALOGUE = [
    (
        "Report a missed bin collection",
        "Tell us when your bin was not collected on the day it was due.",
        "Waste and Street Services",
    ),
    ("Report a pothole", "Tell us about a pothole or other damage to a road or pavement.", ""),
    (
        "Apply for a residents' parking permit",
        "Apply for, renew or change a permit to park in a residents' parking zone.",
        "Parking Permits Online",
    ),
    ("Pay your council tax", "Pay your council tax online by card, or set up a Direct Debit.", ""),
    (
        "Apply for a Blue Badge",
        "Apply for a disabled person's parking badge.",
        "Form Builder",
    ),
    (
        "Report a council home repair",
        "Tell us about a repair needed in your council home and book a visit.",
        "Repairs Portal",
    ),
    (
        "Subscribe to garden waste collection",
        "Pay for a year of fortnightly garden waste collections.",
        "Waste and Street Services",
    ),
    (
        "Apply for a street party licence",
        "Ask to close your road for a street party or community event.",
        "Form Builder",
    ),
    (
        "Claim Housing Benefit and Council Tax Reduction",
        "Apply for help to pay your rent and council tax.",
        "",
    ),
    (
        "Register to vote",
        "Get on the electoral register, or change your details on it.",
        "",
    ),
]

# How each point tends to score against a team's general standard: the points teams find
# hardest (open code, publishing performance) below, the ones they know (security,
# design patterns) above.
POINT_LEANING = {
    1: 0.2,
    2: 0.0,
    3: 0.3,
    4: -0.1,
    5: 0.0,
    6: 0.6,
    7: -0.6,
    8: 0.0,
    9: -0.3,
    10: 0.2,
    11: 0.6,
    12: 0.1,
    13: -0.6,
    14: 0.0,
    15: -0.3,
}
PHASES = ["alpha", "beta", "live"]


def _scores(rng, standard, bought):
    """Fifteen scores around a team's general `standard`; for a bought product, point 7
    (open source) is sometimes not applicable."""
    scores = []
    for number in range(1, 16):
        if number == 7 and bought and rng.random() < 0.5:
            scores.append(None)
            continue
        score = round(standard + POINT_LEANING[number] + rng.gauss(0, 0.5))
        scores.append(max(0, min(5, score)))
    return scores


def _agreed(rng, scores):
    """The reviewers' agreed scores where they differ from the council's: mostly lower
    (teams over-rate themselves), now and then higher."""
    agreed = {}
    for number in rng.sample(range(1, 16), rng.randint(1, 4)):
        score = scores[number - 1]
        if score is None:
            continue
        change = 1 if rng.random() < 0.2 else -1
        agreed[number] = max(0, min(5, score + change))
    return agreed


def _recommendation(scores, agreed):
    final = [agreed.get(n, s) for n, s in enumerate(scores, start=1) if s is not None]
    average = sum(final) / len(final)
    if average >= 3.5:
        return Recommendation.MEETS
    if average >= 2.5:
        return Recommendation.MEETS_WITH_ACTIONS
    return Recommendation.DOES_NOT_MEET


def generated():
    """The demo's other assessments, the same on every run (random.Random(SEED)): for
    each council in LEADS one or two services, each published one to three times over
    the last eighteen months, better each time, about half of them peer reviewed."""
    rng = random.Random(SEED)
    demos = []
    for code, lead in LEADS.items():
        for name, description, product in rng.sample(CATALOGUE, rng.choice([1, 2, 2])):
            bought = bool(product) and rng.random() < 0.7
            standard = rng.uniform(2.2, 3.4)
            phase = rng.choice([0, 1, 1, 2])
            days_ago = rng.randint(330, 540)
            for round_ in range(rng.choice([1, 2, 2, 3])):
                if days_ago < 10:
                    break
                scores = _scores(rng, standard, bought)
                peer_review = rng.random() < (0.4 + 0.2 * round_)
                agreed = _agreed(rng, scores) if peer_review else {}
                recommendation = _recommendation(scores, agreed)
                demos.append(
                    Demo(
                        code,
                        lead,
                        name,
                        description,
                        PHASES[min(phase + round_, 2)],
                        scores,
                        product=product if bought else "",
                        peer_review=peer_review,
                        agreed=agreed,
                        recommendation=recommendation,
                        summary=rng.choice(SUMMARIES[recommendation]),
                        response=rng.choice(RESPONSES),
                        days_ago=days_ago,
                        reviewer=_peer_reviewer(rng, code),
                        discussed=(rng.choice(list(DISCUSSION)),) if peer_review else (),
                        clarified=(rng.choice(list(CLARIFICATION_QUESTIONS)),)
                        if peer_review and rng.random() < 0.3
                        else (),
                    )
                )
                standard += rng.uniform(0.2, 0.7)
                days_ago -= rng.randint(120, 220)
    return demos


def _peer_reviewer(rng, code):
    """One of the two peer reviewers, never one from the assessed council."""
    if code == "BST":
        return PEER_REVIEWER
    return rng.choice([PEER_REVIEWER, SECOND_PEER_REVIEWER])


def demos():
    """Every demo assessment, in the order they are made: the named examples (the
    published ones, then the work in progress, which reassesses one of them), then the
    generated ones. A service's assessments keep their order in the list."""
    return NAMED + generated()


def load(stdout=None):
    """Make the demo assessments that do not exist yet, then quieten their emails.
    Returns how many were made."""
    started = timezone.now()
    made = 0
    everything = demos()
    for position, demo in enumerate(everything):
        council = Council.objects.get(code=demo.council)
        lead = User.objects.get(email=demo.lead)
        service = Service.objects.filter(council=council, name=demo.service).first()
        # The how-many-th demo assessment of its service this is: made already if the
        # service has that many assessments.
        earlier = sum(
            (other.council, other.service) == (demo.council, demo.service)
            for other in everything[:position]
        )
        if service is not None and service.assessments.count() > earlier:
            continue
        new_service = service is None
        service = service or _add_service(council, lead, demo)
        assessment = _make(service, lead, demo)
        if new_service:
            # The service was added when its first assessment was started.
            Service.objects.filter(pk=service.pk).update(
                created_at=Assessment.objects.get(pk=assessment.pk).created_at
            )
        made += 1
    quieten_emails(since=started)
    if stdout is not None and made:
        stdout.write(f"Made {made} demo assessments.")
    return made


def _add_service(council, lead, demo):
    values = {
        "name": demo.service,
        "description": demo.description,
        "url": f"https://www.{council.code.lower()}.example/{slugify(demo.service)}",
        "phase": demo.phase,
        "sourcing": Sourcing.IN_HOUSE,
    }
    if demo.product:
        values.update(sourcing=Sourcing.BOUGHT, product=Product.objects.get(name=demo.product))
    return services.create_service(council, by=lead, **values)


class Steps:
    """When each step of a demo assessment was really made (`mark`), and how many days
    it waits before the next step, for `_backdate` to spread them out."""

    def __init__(self):
        self.marks = []

    def mark(self, days_before_next):
        self.marks.append((timezone.now(), days_before_next))


def _make(service, lead, demo):
    """Take one demo assessment through the workflow as far as `demo.stage`; returns it."""
    steps = Steps()
    steps.mark(14)
    assessment = services.start_assessment(
        service, by=lead, phase=demo.phase, carry_forward=service.assessments.exists()
    )
    answers = assessment.points.select_related("point").order_by("point__number")
    for answer, score in list(zip(answers, demo.scores, strict=True))[: demo.answered]:
        _answer(answer, lead, score)
    if demo.stage == DRAFT:
        _backdate(assessment, steps, demo.days_ago)
        return assessment

    steps.mark(3)
    services.submit(assessment, by=lead)
    if demo.offered_by:
        reviewers.volunteer(assessment, by=User.objects.get(email=demo.offered_by))
    if demo.stage == SUBMITTED:
        _backdate(assessment, steps, demo.days_ago)
        return assessment

    if demo.peer_review or demo.stage != PUBLISHED:
        steps.mark(10)
        _review(assessment, lead, demo, steps)
    if demo.stage == PUBLISHED:
        steps.mark(30)
        services.publish(assessment, by=lead)
    if demo.withdrawn_because:
        steps.mark(0)
        if demo.stage == WITHDRAWN:
            services.withdraw(assessment, by=lead, reason=demo.withdrawn_because)
        else:
            services.withdraw_publication(assessment, by=lead, reason=demo.withdrawn_because)
    _backdate(assessment, steps, demo.days_ago)
    return assessment


def _answer(answer, by, score, extra=""):
    number = answer.point.number
    services.save_point(
        answer,
        by=by,
        revision=answer.revision,
        score=score,
        not_applicable=score is None,
        reason=NOT_APPLICABLE_REASON.get(number, "It does not apply to this service.")
        if score is None
        else "",
        evidence=EVIDENCE[number] + extra if score is not None else "",
        links=LINKS.get(number, []) if score is not None else [],
    )


def _review(assessment, council_lead, demo, steps):
    """The peer review, as far as the demo's stage: the coordinator assigns the
    independent assessor (lead) and a peer reviewer; they score each point, talk points
    through with the council, may ask for clarification; the lead reviewer agrees each
    point and completes the review, and the council responds."""
    coordinator = User.objects.get(email=COORDINATOR)
    lead_reviewer = User.objects.get(email=ASSESSOR)
    reviewer = User.objects.get(email=demo.reviewer)
    council_side = User.objects.get(email=demo.answered_by or demo.lead)
    reviewers.assign(assessment, lead_reviewer, by=coordinator, lead=True)
    reviewers.assign(assessment, reviewer, by=coordinator)
    answers = list(
        PointAssessment.objects.filter(assessment=assessment)
        .select_related("point")
        .order_by("point__number")
    )
    # Under way: the reviewers have scored the first half.
    scored = answers[:8] if demo.stage in (IN_REVIEW, CLARIFICATION, WITHDRAWN) else answers
    for answer in scored:
        agreed = demo.agreed.get(answer.point.number, answer.score)
        for person in (reviewer, lead_reviewer):
            services.save_reviewer_point(
                assessment,
                answer.point,
                by=person,
                revision=0,
                score=agreed,
                not_applicable=answer.not_applicable,
                done_well=WHAT_WENT_WELL,
                to_explore=TO_EXPLORE if agreed is not None and agreed < 4 else "",
            )
    for number in demo.discussed:
        question, reply = DISCUSSION[number]
        discussion.post_message(assessment, number, by=reviewer, body=question)
        if demo.stage != IN_REVIEW or number != demo.discussed[-1]:
            # The newest question in a review under way is still waiting for its answer.
            discussion.post_message(assessment, number, by=council_side, body=reply)
    if demo.stage == WITHDRAWN:
        return
    if demo.clarified:
        steps.mark(5)
        discussion.request_clarification(
            assessment,
            by=lead_reviewer,
            questions={number: CLARIFICATION_QUESTIONS[number] for number in demo.clarified},
        )
        if demo.stage == CLARIFICATION:
            return
        steps.mark(4)
        for answer in answers:
            if answer.point.number in demo.clarified:
                answer.refresh_from_db()
                _answer(answer, council_lead, answer.score, extra=CLARIFIED)
        discussion.send_back_clarification(assessment, by=council_lead)
    if demo.stage == IN_REVIEW:
        return
    steps.mark(2)
    for answer in answers:
        agreed = demo.agreed.get(answer.point.number, answer.score)
        services.save_agreed_point(
            assessment,
            answer.point,
            by=lead_reviewer,
            revision=0,
            score=agreed,
            not_applicable=answer.not_applicable,
            done_well=WHAT_WENT_WELL,
            to_explore=TO_EXPLORE if agreed is not None and agreed < 4 else "",
        )
    review = Review.objects.get(assessment=assessment)
    services.complete_review(
        assessment,
        by=lead_reviewer,
        revision=review.revision,
        summary=demo.summary,
        recommendation=demo.recommendation,
    )
    steps.mark(5)
    review.refresh_from_db()
    services.respond_to_review(
        assessment, by=council_lead, revision=review.revision, response=demo.response
    )


# Every date of an assessment's rows, by model: (model, the path to the assessment's id,
# its date and time columns).
DATED = [
    (Assessment, "pk", ["created_at", "submitted_at"]),
    (StatusChange, "assessment", ["at"]),
    (AssessmentEvent, "assessment", ["created_at"]),
    (PointAssessment, "assessment", ["updated_at"]),
    (Review, "assessment", ["created_at", "completed_at", "council_response_at"]),
    (ReviewerAssignment, "assessment", ["created_at", "confirmed_at", "ended_at"]),
    (ReviewerPoint, "assessment", ["updated_at"]),
    (AgreedPoint, "assessment", ["updated_at"]),
    (PointMessage, "assessment", ["created_at"]),
    (ThreadRead, "assessment", ["read_at"]),
    (ClarificationRound, "assessment", ["requested_at", "answered_at"]),
    (
        Publication,
        "pk",
        ["started_at", "submitted_at", "review_completed_at", "published_at", "withdrawn_at"],
    ),
]


def _backdate(assessment, steps, days_ago):
    """Move a demo assessment's dates into the past: demo data only.

    Every demo assessment is made through the workflow when the demo is loaded, so all
    would otherwise be dated now, within a second of each other, and the trends would
    have one quarter to show. The assessment is made exactly as any other; only then
    are its dates (in its history, status changes, answers, review, discussions and
    publication) moved back, step by step: the last step `days_ago` days before now,
    each earlier one the days its `Steps.mark` gave before the next. So the order of
    everything is kept, and a review takes weeks, not milliseconds. Its review's due
    date follows its start. Nothing outside `load_demo_data` does this."""
    shifts = []  # (made from, moved back by), in the order the steps were made
    back = days_ago - steps.marks[-1][1]  # the last step's wait is not used
    for made_at, days_before_next in reversed(steps.marks):
        back += days_before_next
        shifts.append((made_at, timedelta(days=back)))
    shifts.reverse()
    for model, path, columns in DATED:
        moved = {
            column: Case(
                *(
                    When(**{f"{column}__gte": made_at}, then=F(column) - shift)
                    for made_at, shift in reversed(shifts)
                ),
                default=F(column),
            )
            for column in columns
        }
        model.objects.filter(**{path: assessment.pk}).update(**moved)
    review = Review.objects.filter(assessment=assessment).first()
    if review is not None:
        review.due_on = working_days_after(timezone.localdate(review.created_at))
        review.save(update_fields=["due_on"])


def quieten_emails(*, since):
    """The demo's emails (assessment submitted, reviewer assigned, review completed…) are
    recorded as sent and taken off the task queue: in a service a year old they went long
    ago, and the task worker would otherwise print dozens of them when `make run` first
    starts it. Only emails asked for since `since` (this run of the demo) are touched."""
    quiet = list(
        Notification.objects.filter(
            created_at__gte=since, status=NotificationStatus.PENDING
        ).values_list("pk", flat=True)
    )
    if not quiet:
        return
    queued = DBTaskResult.objects.ready().filter(
        task_path=send_notification.module_path, enqueued_at__gte=since
    )
    ids = set(quiet)
    DBTaskResult.objects.filter(
        pk__in=[
            task.pk
            for task in queued.only("pk", "args_kwargs")
            if task.args_kwargs["args"][0] in ids
        ]
    ).delete()
    Notification.objects.filter(pk__in=quiet).update(
        status=NotificationStatus.SENT, sent_at=F("created_at"), next_attempt_at=None
    )
