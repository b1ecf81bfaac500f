"""Published demo assessments for `make run` and `make dev` (the `load_demo_data` command),
so that every public page (the home page, the results, council pages, reports, the open
data, the API and the feed) has something real to show.

Each is made through the workflow a council and its reviewers follow, by the demo people:
the council's lead adds the service, answers every point (`save_point`) and submits; for a
peer review the coordinator assigns the reviewers (`assign`), the reviewers score, the lead
reviewer agrees each point and completes the review, and the council responds; then the
lead publishes, peer reviewed or self-assessed, and one publication is withdrawn with its
reason. Nothing is written round the workflow, so the demo shows what the service makes.
Their emails are queued like any others, for the task worker.

Safe to run again: each demo assessment is made once (a demo service with as many
assessments as the demo gives it is left as it is).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F
from django.utils.text import slugify

from assessments import services
from assessments.models import (
    Council,
    PointAssessment,
    Product,
    Publication,
    Recommendation,
    Review,
    Service,
    Sourcing,
    User,
)
from assessments.services import reviewers

COORDINATOR = "coordinator@lgdss.example"
PEER_REVIEWER = "reviewer@birmingham.example"
ASSESSOR = "assessor@lgdss.example"

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


@dataclass
class Demo:
    """One demo assessment: the council's answers (a score, or None for not applicable),
    and for a peer review the agreed scores that differ from them."""

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
    # Published this many days before the demo is loaded (see `_backdate`), so that the
    # trends by quarter and a service's scores over time have more than one date to show.
    days_ago: int = 0


DEMOS = [
    Demo(
        "COV",
        "lead@coventry.example",
        "Report a missed bin collection",
        "Tell us when your bin was not collected on the day it was due.",
        "beta",
        [3, 2, 2, 3, 3, 4, 1, 2, None, 3, 3, 2, 1, 2, 2],
        days_ago=365,
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
    ),
    Demo(
        "LDS",
        "lead@leeds.example",
        "Report a pothole",
        "Tell us about a pothole or other damage to a road or pavement.",
        "beta",
        [4, 3, 3, 4, 3, 3, 3, 3, 3, 4, 4, 3, 3, 3, 3],
    ),
    Demo(
        "GLG",
        "lead@glasgow.example",
        "Book a bulky uplift",
        "Book a collection of large household items such as furniture.",
        "live",
        [3, 3, 2, 2, 3, 3, 2, 3, 3, 3, 2, 2, 3, 2, 3],
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
]


def load(stdout=None):
    """Make the demo publications that do not exist yet. Returns how many were made."""
    made = 0
    for position, demo in enumerate(DEMOS):
        council = Council.objects.get(code=demo.council)
        lead = User.objects.get(email=demo.lead)
        service = Service.objects.filter(council=council, name=demo.service).first()
        # The how-many-th demo assessment of its service this is: made already if the
        # service has that many assessments.
        earlier = sum(
            (other.council, other.service) == (demo.council, demo.service)
            for other in DEMOS[:position]
        )
        if service is not None and service.assessments.count() > earlier:
            continue
        service = service or _add_service(council, lead, demo)
        _publish(service, lead, demo)
        made += 1
    if stdout is not None and made:
        stdout.write(f"Published {made} demo assessments.")
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


def _publish(service, lead, demo):
    assessment = services.start_assessment(
        service, by=lead, phase=demo.phase, carry_forward=service.assessments.exists()
    )
    answers = assessment.points.select_related("point").order_by("point__number")
    for answer, score in zip(answers, demo.scores, strict=True):
        number = answer.point.number
        services.save_point(
            answer,
            by=lead,
            revision=answer.revision,
            score=score,
            not_applicable=score is None,
            reason=NOT_APPLICABLE_REASON.get(number, "It does not apply to this service.")
            if score is None
            else "",
            evidence=EVIDENCE[number] if score is not None else "",
            links=LINKS.get(number, []) if score is not None else [],
        )
    services.submit(assessment, by=lead)
    if demo.peer_review:
        _review(assessment, lead, demo)
    services.publish(assessment, by=lead)
    if demo.days_ago:
        _backdate(assessment, demo.days_ago)
    if demo.withdrawn_because:
        services.withdraw_publication(assessment, by=lead, reason=demo.withdrawn_because)


def _backdate(assessment, days):
    """Move a demo publication's dates `days` into the past: demo data only.

    Every demo assessment is published through the workflow when the demo is loaded, so
    all would otherwise be dated today, and the trends would have one quarter to show.
    The publication is made exactly as any other; only its frozen dates (started,
    submitted, reviewed, published) are then shifted back together, keeping their order.
    Nothing outside `load_demo_data` does this."""
    shift = timedelta(days=days)
    Publication.objects.filter(pk=assessment.pk).update(
        started_at=F("started_at") - shift,
        submitted_at=F("submitted_at") - shift,
        review_completed_at=F("review_completed_at") - shift,
        published_at=F("published_at") - shift,
    )


def _review(assessment, council_lead, demo):
    coordinator = User.objects.get(email=COORDINATOR)
    lead_reviewer = User.objects.get(email=ASSESSOR)
    reviewer = User.objects.get(email=PEER_REVIEWER)
    reviewers.assign(assessment, lead_reviewer, by=coordinator, lead=True)
    reviewers.assign(assessment, reviewer, by=coordinator)
    answers = PointAssessment.objects.filter(assessment=assessment).select_related("point")
    for answer in answers.order_by("point__number"):
        number = answer.point.number
        agreed = demo.agreed.get(number, answer.score)
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
    review.refresh_from_db()
    services.respond_to_review(
        assessment, by=council_lead, revision=review.revision, response=demo.response
    )
