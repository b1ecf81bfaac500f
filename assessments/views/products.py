"""Suppliers' products on the public record: the list, and each product's page and
download. Figures come from `assessments.insight.products`; everything read is public
(`Publication.objects.public()`), and each page issues a fixed number of queries.

The pages are named by the product's slug, which a coordinator may change in the admin
outside the public record, so they are cached with `changes_outside_record=True`.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from assessments.insight import products as insight
from assessments.insight.downloads import csv_download
from assessments.models import Product, Publication
from assessments.publishing.caching import public_record_download, public_record_page
from assessments.publishing.filters import figures


@require_safe
@public_record_page(changes_outside_record=True)
def product_list(request):
    """Every product that services with a public assessment are built on. One query."""
    listed, unpublished = insight.product_rows()
    return render(
        request,
        "assessments/products/list.html",
        {
            "products": listed,
            "unpublished": unpublished,
            "crumbs": [("Home", reverse("home"))],
        },
    )


def _published_product(slug):
    """The product at `slug`, if a public publication is of a service built on it;
    otherwise 404, as for a service with nothing public."""
    product = get_object_or_404(Product.objects.select_related("supplier"), slug=slug)
    publications = list(
        Publication.objects.public().filter(product=product).order_by("-published_at", "-pk")
    )
    if not publications:
        raise Http404("No public assessment of a service built on this product.")
    return product, publications


@require_safe
@public_record_page(changes_outside_record=True)
def product_detail(request, slug):
    """A product's published assessments across councils and its average on each point
    against all published assessments. Five queries, whatever the data, and one
    more when the national averages are not yet kept (`insight.point_figures`)."""
    product, publications = _published_product(slug)
    mine = figures(Publication.objects.public().filter(product=product))
    everyone = figures(Publication.objects.public())
    points = insight.point_figures(product)
    return render(
        request,
        "assessments/products/detail.html",
        {
            "product": product,
            "publications": publications,
            "figures": mine,
            "all_figures": everyone,
            "versions": sorted({p.standard_version for p in publications}),
            "chart": insight.points_chart(product, points, mine, everyone),
            "crumbs": [
                ("Home", reverse("home")),
                ("Products", reverse("assessments:product_list")),
            ],
        },
    )


@require_safe
@public_record_download
def product_points_csv(request, slug):
    """The product's point figures beside all published assessments', as CSV."""
    product, _ = _published_product(slug)
    return csv_download(
        f"lgdss-product-{product.slug}-points.csv",
        insight.POINT_CSV_COLUMNS,
        insight.point_csv_rows(insight.point_figures(product)),
    )
