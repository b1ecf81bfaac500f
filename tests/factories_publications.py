"""A public record for tests of the open data, the API and the feed: assessments
published through the workflow (peer reviewed and self-assessed) and one withdrawn.

They need the Standard and the conftest's people: call them from fixtures that use
`standard`, `coventry_lead`, `leeds_lead`, `peer_reviewer`, `coordinator`.
"""

from types import SimpleNamespace

from assessments import services
from assessments.models import PointAssessment
from tests.factories_reviews import begin_review, complete, submitted_assessment

WITHDRAWN_REASON = "Published before the team had checked it."


def peer_reviewed(council, lead, *, reviewer, coordinator, name, evidence=None):
    """An assessment of a new service named `name`, peer reviewed and published."""
    assessment = submitted_assessment(council, lead, name=name)
    if evidence:
        PointAssessment.objects.filter(assessment=assessment, point__number=1).update(
            evidence=evidence
        )
    begin_review(assessment, coordinator=coordinator, lead=reviewer)
    complete(assessment, reviewer)
    services.publish(assessment, by=lead)
    return assessment


def self_assessed(council, lead, *, name, score=2, evidence=None):
    """An assessment of a new service named `name`, published without a review."""
    assessment = submitted_assessment(council, lead, name=name, score=score)
    if evidence:
        PointAssessment.objects.filter(assessment=assessment, point__number=1).update(
            evidence=evidence
        )
    services.publish(assessment, by=lead)
    return assessment


def withdrawn(council, lead, *, name, evidence=None, reason=WITHDRAWN_REASON):
    """An assessment published as a self-assessment, then withdrawn with `reason`."""
    assessment = self_assessed(council, lead, name=name, evidence=evidence)
    services.withdraw_publication(assessment, by=lead, reason=reason)
    return assessment


def public_record(*, coventry, leeds, coventry_lead, leeds_lead, peer_reviewer, coordinator):
    """Coventry's peer-reviewed publication, Leeds's self-assessment, and Coventry's
    withdrawn one."""
    return SimpleNamespace(
        peer=peer_reviewed(
            coventry,
            coventry_lead,
            reviewer=peer_reviewer,
            coordinator=coordinator,
            name="Find a recycling centre",
            evidence='=HYPERLINK("https://example.com")',
        ),
        self=self_assessed(leeds, leeds_lead, name="Pay council tax"),
        withdrawn=withdrawn(
            coventry, coventry_lead, name="Find a school bus", evidence="Withdrawn evidence."
        ),
    )
