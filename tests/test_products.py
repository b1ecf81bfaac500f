"""Suppliers' products on the public record: /products/, a product's page and its CSV.

The figures are checked by hand and against a recomputation from the open data; only
public publications count; the query count does not grow with the data; products get a
unique slug, in the admin, in code and in the migration that gave existing ones theirs.
"""

import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.forms import modelform_factory
from django.test.utils import CaptureQueriesContext

from assessments.models import Product, ReviewType, Supplier
from tests.factories_published_rows import publish_directly
from tests.factories_services import ProductFactory
from tests.test_public_results import page_text
from tests.xss import executable_markup


@pytest.fixture
def parking(db):
    return ProductFactory(supplier__name="Example Civic Software Ltd", name="Parking Permits")


@pytest.fixture
def record(standard, coventry, leeds, parking):
    """On Parking Permits: Coventry peer reviewed (point 1 scored 5, the rest 3: average
    3.1) and Leeds self-assessed (point 1 not applicable, the rest 2: average 2.0); a
    Leeds one withdrawn (every point 5). Not on it: Coventry, every point 4. Two more
    products: one never used, one whose only publication was withdrawn."""
    gone = ProductFactory(supplier__name="Gone Ltd", name="Old Forms")
    ProductFactory(supplier__name="Nobody Ltd", name="Unused")
    return {
        "coventry": publish_directly(
            coventry,
            name="Apply for a parking permit",
            product=parking,
            review_type=ReviewType.PEER_REVIEWED,
            scores=(5,) + (3,) * 14,
            days_ago=2,
        ),
        "leeds": publish_directly(
            leeds,
            name="Residents' parking",
            product=parking,
            scores=(None,) + (2,) * 14,
            days_ago=1,
        ),
        "withdrawn": publish_directly(
            leeds, name="Visitor permits", product=parking, scores=(5,) * 15, withdrawn=True
        ),
        "gone": publish_directly(coventry, name="Forms", product=gone, withdrawn=True),
        "other": publish_directly(coventry, name="Report a missed bin", scores=(4,) * 15),
    }


def test_the_list_shows_products_with_a_public_assessment_and_counts_the_rest(
    client, record, parking
):
    response = client.get("/products/")
    assert response.status_code == 200
    [listed] = response.context["products"]
    assert listed == parking
    assert (listed.published, listed.councils, listed.peer_reviewed, listed.self_assessed) == (
        2,
        2,
        1,
        1,
    )
    # The mean of 3.1 and 2.0, rounded half up; the withdrawn one (5.0) not counted.
    assert listed.average_score == Decimal("2.6")
    text = page_text(response)
    assert (
        "Parking Permits Example Civic Software Ltd 2 (1 peer reviewed, 1 self-assessed) 2 2.6"
        in text
    )
    assert "2 other products are on our list without a published assessment" in text
    assert "Old Forms" not in text
    assert "Unused" not in text


def test_a_products_page_lists_its_public_assessments_and_compares_each_point(
    client, record, parking
):
    response = client.get(f"/products/{parking.slug}/")
    assert response.status_code == 200
    assert parking.slug == "example-civic-software-ltd-parking-permits"
    assert response.context["publications"] == [record["leeds"], record["coventry"]]
    rows = {row.label.split(".")[0]: row for row in response.context["chart"].rows}
    # Point 1: only Coventry's applies (5); all: Coventry's 5 and the other 4.
    assert rows["1"].values == (Decimal("5.0"), Decimal("4.5"))
    assert rows["1"].note == "1 of this product's, 2 in all"
    # Point 2: (3 + 2) / 2 and (3 + 2 + 4) / 3.
    assert rows["2"].values == (Decimal("2.5"), Decimal("3.0"))
    assert rows["2"].note == "2 of this product's, 3 in all"
    text = page_text(response)
    assert (
        "This product: 2 assessments: 1 peer reviewed (agreed scores), 1 self-assessed "
        "(the council's own scores), from 2 councils." in text
    )
    assert "All published assessments: 3 assessments: 1 peer reviewed" in text
    assert "Standard version 1.0." in text
    assert "Points that do not apply to a service are left out" in text
    assert "Visitor permits" not in text  # withdrawn
    assert record["coventry"].get_absolute_url() in response.text
    assert 'class="app-chart__svg"' in response.text


def test_the_points_download_has_the_same_figures(client, record, parking):
    response = client.get(f"/products/{parking.slug}/points.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "point_number",
        "point_title",
        "product_average",
        "product_assessments_scored",
        "all_average",
        "all_assessments_scored",
    ]
    assert rows[1][0] == "1"
    assert rows[1][2:] == ["5.0", "1", "4.5", "2"]
    assert rows[2][2:] == ["2.5", "2", "3.0", "3"]
    assert len(rows) == 16


def test_a_product_with_nothing_public_or_an_unknown_slug_is_not_found(client, record):
    gone = Product.objects.get(name="Old Forms")
    unused = Product.objects.get(name="Unused")
    for slug in (gone.slug, unused.slug, "no-such-product"):
        assert client.get(f"/products/{slug}/").status_code == 404
        assert client.get(f"/products/{slug}/points.csv").status_code == 404


def test_the_figures_match_a_recomputation_from_the_open_data(client, record, parking):
    """The product's average on each point, and every publication's, worked out from the
    two open data files alone."""
    assessments = list(csv.DictReader(_download(client, "/data/assessments.csv")))
    points = list(csv.DictReader(_download(client, "/data/point-scores.csv")))
    of_product = {
        row["assessment_id"]
        for row in assessments
        if (row["product"], row["supplier"]) == (parking.name, parking.supplier.name)
    }
    scores = defaultdict(lambda: {"product": [], "all": []})
    for row in points:
        if row["not_applicable"] == "true":
            continue
        number = int(row["point_number"])
        scores[number]["all"].append(int(row["score"]))
        if row["assessment_id"] in of_product:
            scores[number]["product"].append(int(row["score"]))

    page = client.get(f"/products/{parking.slug}/").context["chart"].rows
    for row in page:
        number = int(row.label.split(".")[0])
        assert row.values == (_mean(scores[number]["product"]), _mean(scores[number]["all"]))
    averages = [
        Decimal(row["average"]) for row in assessments if row["assessment_id"] in of_product
    ]
    listed = client.get("/products/").context["products"][0]
    assert listed.average_score == _mean(averages)
    assert listed.published == len(of_product)


def _download(client, address):
    return io.StringIO(b"".join(client.get(address).streaming_content).decode())


def _mean(values):
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["list", "detail", "csv"])
def test_query_counts_do_not_grow_with_the_number_published(
    client, standard, coventry, leeds, parking, page
):
    address = {
        "list": "/products/",
        "detail": f"/products/{parking.slug}/",
        "csv": f"/products/{parking.slug}/points.csv",
    }[page]
    publish_directly(coventry, product=parking, review_type=ReviewType.PEER_REVIEWED)
    with_one = _queries(client, address)
    for number in range(10):
        product = parking if number % 2 else ProductFactory()
        publish_directly(
            leeds if number % 3 else coventry,
            name=f"Service {number}",
            product=product,
            review_type=ReviewType.PEER_REVIEWED if number % 4 else ReviewType.SELF_ASSESSED,
            scores=tuple(None if n == number % 15 else (n + number) % 6 for n in range(15)),
        )
    publish_directly(coventry, name="Gone", product=parking, withdrawn=True)
    with_many = _queries(client, address)
    assert with_one == with_many


def test_the_product_pages_are_cached_until_the_record_changes(client, record, parking):
    address = f"/products/{parking.slug}/"
    first = client.get(address)
    again = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert ">Renew a permit</a>" not in first.text
    publish_directly(record["other"].council, name="Renew a permit", product=parking)
    fresh = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert ">Renew a permit</a>" in fresh.text
    assert ">Renew a permit</a>" in client.get(address).text  # stored, and the same


# --- Slugs ------------------------------------------------------------------------------


def test_a_new_product_gets_a_slug_from_its_supplier_and_name_unique_on_clashes(db):
    first = Product.objects.create(
        supplier=Supplier.objects.create(name="A.B. Ltd"), name="Forms & Payments"
    )
    clash = Product.objects.create(
        supplier=Supplier.objects.create(name="AB Ltd"), name="Forms Payments"
    )
    third = Product.objects.create(
        supplier=Supplier.objects.create(name="AB-Ltd"), name="Forms Payments"
    )
    assert first.slug == "ab-ltd-forms-payments"
    assert clash.slug == "ab-ltd-forms-payments-2"
    assert third.slug == "ab-ltd-forms-payments-3"
    # Renaming keeps the address, so links to the page keep working.
    first.name = "Forms"
    first.save()
    first.refresh_from_db()
    assert first.slug == "ab-ltd-forms-payments"
    assert first.get_absolute_url() == "/products/ab-ltd-forms-payments/"


def test_a_product_added_with_no_slug_gets_one(db):
    """As in the admin (whose form has every field): the slug may be left blank."""
    supplier = Supplier.objects.create(name="Example Civic Software Ltd")
    form = modelform_factory(Product, fields="__all__")(
        {"supplier": supplier.pk, "name": "Parking Permits Online", "slug": ""}
    )
    assert form.is_valid(), form.errors
    assert form.save().slug == "example-civic-software-ltd-parking-permits-online"
    taken = modelform_factory(Product, fields="__all__")(
        {
            "supplier": supplier.pk,
            "name": "Other",
            "slug": "example-civic-software-ltd-parking-permits-online",
        }
    )
    assert not taken.is_valid()
    assert Product.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_products_unique_slugs():
    executor = MigrationExecutor(connection)
    executor.migrate([("assessments", "0009_publishing")])
    old = executor.loader.project_state([("assessments", "0009_publishing")]).apps
    OldSupplier = old.get_model("assessments", "Supplier")
    OldProduct = old.get_model("assessments", "Product")
    first = OldProduct.objects.create(
        supplier=OldSupplier.objects.create(name="A.B. Ltd"), name="Forms"
    )
    second = OldProduct.objects.create(
        supplier=OldSupplier.objects.create(name="AB Ltd"), name="Forms"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("assessments", "0010_product_slug")])
    new = executor.loader.project_state([("assessments", "0010_product_slug")]).apps
    NewProduct = new.get_model("assessments", "Product")
    assert NewProduct.objects.get(pk=first.pk).slug == "ab-ltd-forms"
    assert NewProduct.objects.get(pk=second.pk).slug == "ab-ltd-forms-2"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_hostile_names_are_shown_as_text(client, standard, coventry):
    """A product, supplier and service named with markup: shown escaped, nothing runs,
    in the chart's SVG as much as in the tables."""
    payload = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    product = ProductFactory(supplier__name=f"Evil {payload}", name=f"Forms {payload}")
    publication = publish_directly(coventry, name=f"Pay {payload}", product=product)
    for address in (
        "/products/",
        f"/products/{product.slug}/",
        f"/services/{publication.service_id}/",
    ):
        response = client.get(address)
        assert response.status_code == 200
        assert executable_markup(response.text) == []
        assert "&lt;script&gt;" in response.text
