"""The admin for suppliers, products and councils' services.

Coordinators curate the shared list of suppliers and products that councils
choose from. When a council chooses "Not listed" it suggests a supplier and
product: the "Suggested a product" filter on services finds those, so a
coordinator can add the product to the list and choose it for the service.
"""

from django.contrib import admin
from django.db.models import Count, F, Q

from assessments.admin_permissions import CoordinatorPermissions
from assessments.models import Product, Service, Supplier


@admin.register(Supplier)
class SupplierAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["name", "website", "product_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="Products", ordering="product_count")
    def product_count(self, supplier):
        return supplier.product_count


@admin.register(Product)
class ProductAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["name", "supplier", "service_count"]
    list_filter = ["supplier"]
    list_select_related = ["supplier"]
    search_fields = ["name", "supplier__name"]
    autocomplete_fields = ["supplier"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(service_count=Count("services"))

    @admin.display(description="Services using it", ordering="service_count")
    def service_count(self, product):
        return product.service_count


class RetiredFilter(admin.SimpleListFilter):
    title = "retired"
    parameter_name = "retired"

    def lookups(self, request, model_admin):
        return [("no", "In use"), ("yes", "Retired")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(retired_at__isnull=False)
        if self.value() == "no":
            return queryset.active()
        return queryset


class SuggestedProductFilter(admin.SimpleListFilter):
    """Services whose council chose "Not listed": products to consider adding to the list."""

    title = "suggested a product"
    parameter_name = "suggested"

    def lookups(self, request, model_admin):
        return [("yes", "Suggested a product not in the list")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(product__isnull=True).exclude(
                Q(suggested_supplier="") & Q(suggested_product="")
            )
        return queryset


@admin.register(Service)
class ServiceAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = [
        "name",
        "council",
        "phase",
        "sourcing",
        "product",
        "suggested_supplier",
        "suggested_product",
        "retired_at",
    ]
    list_filter = ["phase", "sourcing", RetiredFilter, SuggestedProductFilter]
    list_select_related = ["council", "product__supplier"]
    search_fields = [
        "name",
        "council__short_name",
        "council__official_name",
        "suggested_supplier",
        "suggested_product",
    ]
    autocomplete_fields = ["council", "product"]
    # Retiring is done on the service's page, by the council, through services.retire_service.
    readonly_fields = ["retired_at", "revision", "created_at", "created_by", "updated_at"]
    fieldsets = [
        (None, {"fields": ["council", "name", "description", "url", "phase", "owner"]}),
        (
            "Built in house or bought",
            {
                "fields": ["sourcing", "product", "suggested_supplier", "suggested_product"],
                "description": (
                    "When the council suggested a product, add it to the list of products, "
                    "then choose it here and clear the suggestion."
                ),
            },
        ),
        (
            "Status",
            {"fields": ["retired_at", "revision", "created_at", "created_by", "updated_at"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            # A change here moves the revision too, so a council member's edit form
            # opened before it is refused rather than saved over it.
            obj.revision = F("revision") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["revision"])
