"""factory_boy factories for assessments, their answers, evidence links and history.

They need the Standard loaded: use the `standard` fixture in tests that call them.
"""

import factory
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentEvent,
    EventKind,
    EvidenceLink,
    PointAssessment,
)
from standard.models import StandardVersion
from tests.factories import UserFactory
from tests.factories_services import ServiceFactory


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A draft assessment of a service against the current Standard, with no answers yet."""

    class Meta:
        model = Assessment

    service = factory.SubFactory(ServiceFactory)
    standard = factory.LazyFunction(lambda: StandardVersion.objects.current())
    phase = factory.LazyAttribute(lambda o: o.service.phase)
    created_by = None


class PointAssessmentFactory(factory.django.DjangoModelFactory):
    """An answer for the first point of the assessment that has none yet (or the point given)."""

    class Meta:
        model = PointAssessment

    assessment = factory.SubFactory(AssessmentFactory)
    point = factory.LazyAttribute(
        lambda o: o.assessment.standard.points.exclude(
            pk__in=o.assessment.points.values("point")
        ).first()
    )


class EvidenceLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceLink

    point_assessment = factory.SubFactory(PointAssessmentFactory)
    title = factory.Sequence(lambda n: f"Research report {n}")
    url = factory.Sequence(lambda n: f"https://example.com/evidence/{n}")
    position = factory.Sequence(lambda n: n)


class AssessmentEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentEvent

    assessment = factory.SubFactory(AssessmentFactory)
    kind = EventKind.CREATED
    actor = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)


def make_assessment(service, by=None):
    """A draft assessment of `service` at its phase, with an empty answer for every point."""
    assessment = AssessmentFactory(service=service, created_by=by)
    PointAssessment.objects.bulk_create(
        PointAssessment(assessment=assessment, point=point)
        for point in assessment.standard.points.all()
    )
    return assessment
