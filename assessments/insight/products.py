"""The figures of suppliers' products: how the services built on each one score.

Councils buy the same products from a few suppliers; where a product falls short across
councils is shared evidence for their talks with the supplier. Everything here is read
from the public record (`Publication.objects.public()` and its points), by the product a
publication was frozen with (`Publication.product`), never from live services.

What counts, as everywhere on the public record: each publication's scores that count
(agreed when peer reviewed, the council's own when self-assessed); points that do not
apply are left out of every average. Averages are rounded to one place, half up, as an
assessment's own average is (`scoring.Summary.average`).

Each function issues a fixed number of queries, whatever the number of products,
publications or points: the list one, a product's points one.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Min, Q

from assessments.insight.charts import BarChart, Row
from assessments.models import Product, PublishedPoint, ReviewType
from assessments.publishing.caching import kept_for_record


def rounded(value):
    """An average to one decimal place, half up; None stays None."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def product_rows():
    """(products with a public publication, how many products have none), in one query.

    Each product listed carries `published` (its public publications), `councils` (how
    many councils published them), `peer_reviewed`, `self_assessed` and `average_score`
    (the mean of those publications' averages)."""
    public = Q(publications__withdrawn_at__isnull=True)
    products = list(
        Product.objects.select_related("supplier")
        .annotate(
            published=Count("publications", filter=public),
            councils=Count("publications__council", filter=public, distinct=True),
            peer_reviewed=Count(
                "publications",
                filter=public & Q(publications__review_type=ReviewType.PEER_REVIEWED),
            ),
            self_assessed=Count(
                "publications",
                filter=public & Q(publications__review_type=ReviewType.SELF_ASSESSED),
            ),
            mean_average=Avg("publications__average", filter=public),
        )
        .order_by("name", "supplier__name", "pk")
    )
    listed = [product for product in products if product.published]
    for product in listed:
        product.average_score = rounded(product.mean_average)
    return listed, len(products) - len(listed)


@dataclass(frozen=True)
class PointFigures:
    """One point: the product's average and how many of its assessments it applied to,
    beside the same for every public publication."""

    number: int
    title: str
    product_average: Decimal | None
    product_scored: int
    all_average: Decimal | None
    all_scored: int

    @property
    def label(self):
        return f"{self.number}. {self.title}"


def point_figures(product):
    """Every point's average over the product's public publications and over all public
    publications, points not applicable left out. The product's points in one query
    (by its publications); every publication's are kept under the record's version
    (`kept_for_record`), so that a scan of every published point is made once per change
    of the record, not on every request."""
    public_points = PublishedPoint.objects.filter(
        publication__withdrawn_at__isnull=True, not_applicable=False
    )
    everyone = kept_for_record(
        "point-averages",
        lambda: list(
            public_points.values("number")
            .annotate(title=Min("short_title"), average=Avg("score"), scored=Count("pk"))
            .order_by("number")
        ),
    )
    mine = {
        row["number"]: row
        for row in public_points.filter(publication__product=product)
        .values("number")
        .annotate(average=Avg("score"), scored=Count("pk"))
        .order_by()
    }
    return [
        PointFigures(
            number=row["number"],
            title=row["title"],
            product_average=rounded(mine.get(row["number"], {}).get("average")),
            product_scored=mine.get(row["number"], {}).get("scored", 0),
            all_average=rounded(row["average"]),
            all_scored=row["scored"],
        )
        for row in everyone
    ]


def points_chart(product, points, product_figures, all_figures):
    """The product's average on each point beside every public publication's."""
    name = str(product)
    return BarChart(
        id="product-points",
        title=f"Average score on each point: {name} against all published assessments",
        description=(
            f"For each point of the Standard, the average score of the {product_figures.count} "
            f"published {_assessments(product_figures.count)} of services built on {name}, "
            f"beside the average of all {all_figures.count} published "
            f"{_assessments(all_figures.count)}, out of 5. Points that do not apply are left "
            "out."
        ),
        series=(name, "All published assessments"),
        rows=[
            Row(
                point.label,
                (point.product_average, point.all_average),
                note=f"{point.product_scored} of this product's, {point.all_scored} in all",
            )
            for point in points
        ],
        maximum=5,
        unit="out of 5",
        row_header="Point",
        notes_header="Assessments the point applied to",
    )


def _assessments(count):
    return "assessment" if count == 1 else "assessments"


POINT_CSV_COLUMNS = [
    "point_number",
    "point_title",
    "product_average",
    "product_assessments_scored",
    "all_average",
    "all_assessments_scored",
]


def point_csv_rows(points):
    """The rows of the product's points download, in `POINT_CSV_COLUMNS` order."""
    for point in points:
        yield [
            point.number,
            point.title,
            "" if point.product_average is None else point.product_average,
            point.product_scored,
            "" if point.all_average is None else point.all_average,
            point.all_scored,
        ]
