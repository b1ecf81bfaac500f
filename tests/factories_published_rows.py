"""Publications built directly, for tests that need many of them or exact figures (query
counts, averages, sorting). Tests of what publishing does publish through the workflow
(`services.publish`) instead: see tests/factories_publications.py.

They need the Standard loaded: use the `standard` fixture in tests that call them.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F
from django.utils import timezone

from assessments import scoring
from assessments.models import Publication, PublicRecord, PublishedPoint, ReviewType, Status
from tests.factories_assessments import AssessmentFactory
from tests.factories_services import ServiceFactory


def publish_directly(
    council,
    *,
    name="Report a missed bin",
    phase="beta",
    review_type=ReviewType.SELF_ASSESSED,
    scores=(3,) * 15,
    days_ago=0,
    product=None,
    service=None,
    withdrawn=False,
):
    """A publication of a new assessment of a service of `council` with `scores` (one per
    point, None for not applicable) as the scores that count, and its figures worked out
    as `scoring` does. The council's own scores are the same."""
    service = service or ServiceFactory(
        council=council, name=name, product=product, sourcing="bought" if product else "in_house"
    )
    at = timezone.now() - timedelta(days=days_ago)
    status = Status.UNPUBLISHED if withdrawn else Status.PUBLISHED
    assessment = AssessmentFactory(service=service, phase=phase, status=status, submitted_at=at)
    standard = assessment.standard
    points = list(standard.points.order_by("number"))
    applicable = [score for score in scores if score is not None]
    total = sum(applicable)
    figures = {
        "total": total,
        "maximum": 5 * len(applicable),
        "met": sum(1 for score in applicable if scoring.is_met(score)),
        "applicable": len(applicable),
        "average": (Decimal(total) / len(applicable)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if applicable
        else None,
        "rating": str(scoring.rate(applicable) or ""),
    }
    peer = review_type == ReviewType.PEER_REVIEWED
    publication = Publication.objects.create(
        assessment=assessment,
        council=council,
        service=service,
        standard=standard,
        product=product,
        council_code=council.code,
        council_name=council.official_name,
        gss_code=council.gss_code,
        nation=council.nation,
        region=council.region,
        authority_type=council.authority_type,
        authority_type_name=council.authority_type_name,
        peer_group_name=council.peer_group.name,
        peer_group_slug=council.peer_group.slug,
        service_name=service.name,
        sourcing=service.sourcing,
        product_name=product.name if product else "",
        supplier_name=product.supplier.name if product else "",
        phase=phase,
        standard_name=standard.name,
        standard_version=standard.version,
        review_type=review_type,
        started_at=at,
        submitted_at=at,
        reviewer_councils=["Birmingham City Council"] if peer else [],
        review_completed_at=at if peer else None,
        **{f"self_{key}": value for key, value in figures.items()},
        **{
            f"agreed_{key}": (value if peer else (None if key != "rating" else ""))
            for key, value in figures.items()
        },
        **figures,
        published_at=at,
        withdrawn_at=timezone.now() if withdrawn else None,
        withdrawn_reason="Published by mistake." if withdrawn else "",
    )
    PublishedPoint.objects.bulk_create(
        PublishedPoint(
            publication=publication,
            number=point.number,
            short_title=point.short_title,
            statement=point.statement,
            self_score=score,
            self_not_applicable=score is None,
            evidence="What the team did.",
            score=score,
            not_applicable=score is None,
            met=score is not None and scoring.is_met(score),
        )
        for point, score in zip(points, scores, strict=True)
    )
    # A change to the public record, as the workflow counts one, so that cached public
    # pages (assessments/publishing/caching.py) show the publication.
    PublicRecord.objects.get_or_create(pk=1)
    PublicRecord.objects.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now())
    return publication
