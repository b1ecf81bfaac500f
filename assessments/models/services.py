from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from assessments.models.assessments import Assessment
from assessments.models.councils import visible_through_membership
from assessments.models.phases import Phase


class Supplier(models.Model):
    """A company whose products councils buy to run services. Curated by coordinators."""

    name = models.CharField(max_length=150, unique=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Product(models.Model):
    """A supplier's product, for example a waste management system. Curated by coordinators."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    # The product's public address, /products/<slug>/: made from the supplier and the name
    # when the product is first saved (`unique_slug`), and kept when either is renamed, so
    # that links to the page keep working.
    slug = models.SlugField(
        max_length=320,
        unique=True,
        blank=True,
        help_text="The end of the product's public address. Leave it blank to make it "
        "from the supplier's name and the product's.",
    )

    class Meta:
        ordering = ["supplier__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "name"], name="unique_product_per_supplier")
        ]

    def __str__(self):
        return f"{self.supplier.name} {self.name}"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                type(self).objects.exclude(pk=self.pk), self.supplier.name, self.name
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("assessments:product_detail", args=[self.slug])


def unique_slug(products, supplier_name, name):
    """ "example-civic-software-ltd-parking-permits-online", or the same with "-2", "-3"…
    if `products` (the other products) already have it: two suppliers' names can slugify
    alike ("A.B. Ltd" and "AB Ltd"). Used by `Product.save` and the migration that gave
    existing products their slugs."""
    base = slugify(f"{supplier_name} {name}")[:300].strip("-") or "product"
    taken = set(products.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


class Sourcing(models.TextChoices):
    IN_HOUSE = "in_house", "Built in house"
    BOUGHT = "bought", "Bought from a supplier"


class ServiceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The services `user` may see: agrees with the `view_service` rule."""
        return visible_through_membership(self, user, "council")

    def for_council(self, council):
        return self.filter(council=council)

    def active(self):
        return self.filter(retired_at__isnull=True)

    def with_assessment_states(self):
        """Annotated, in the same query, with the latest assessment submitted (its pk,
        status and date: `submitted_pk`, `submitted_status`, `submitted_at`) and the one
        in progress (`draft_pk`, `draft_started_at`), each None if there is none.

        Kept apart because a reassessment in progress would otherwise hide the
        results the council last submitted."""
        mine = Assessment.objects.filter(service=OuterRef("pk"))
        latest = mine.finished().order_by("-submitted_at", "-pk")
        draft = mine.in_progress()
        return self.annotate(
            submitted_pk=Subquery(latest.values("pk")[:1]),
            submitted_status=Subquery(latest.values("status")[:1]),
            submitted_at=Subquery(latest.values("submitted_at")[:1]),
            draft_pk=Subquery(draft.values("pk")[:1]),
            draft_started_at=Subquery(draft.values("created_at")[:1]),
        )


class Service(models.Model):
    """One of a council's digital services, for example "Report a missed bin collection".

    `revision` goes up by one on every change (details, retiring, bringing back). A
    change says which revision it was made from; if someone else saved in between, it
    is refused rather than overwriting their work (see services.update_service).
    """

    council = models.ForeignKey(
        "assessments.Council", on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=150)
    # Forms (the council's and the admin's) keep it to 2,000 characters; the database does not.
    description = models.TextField(blank=True, max_length=2000)
    url = models.URLField("web address", blank=True, max_length=500)
    phase = models.CharField(max_length=20, choices=Phase)
    owner = models.CharField(
        "service owner", max_length=150, blank=True, help_text="The person who runs it day to day."
    )
    sourcing = models.CharField(max_length=20, choices=Sourcing, default=Sourcing.IN_HOUSE)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="services"
    )
    # "Not listed": the council names a product for coordinators to add to the list.
    suggested_supplier = models.CharField(max_length=150, blank=True)
    suggested_product = models.CharField(max_length=150, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"],
                condition=Q(retired_at__isnull=True),
                name="unique_active_service_name_per_council",
            ),
            models.CheckConstraint(
                condition=Q(sourcing="in_house", product__isnull=True, suggested_product="")
                | Q(sourcing="bought"),
                name="in_house_service_has_no_product",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessments:service_detail", args=[self.council, self.pk])

    @property
    def is_retired(self):
        return self.retired_at is not None
