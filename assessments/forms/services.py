"""The form for adding and changing one of a council's digital services."""

import copy

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fieldset, Fluid, Size
from django import forms

from assessments.forms.accounts import gds_helper
from assessments.forms.assessments import RevisionField
from assessments.forms.reveals import RadiosWithReveals, Reveal
from assessments.models import Phase, Product, Service, Sourcing

# The value of the "Not listed" option in the product list.
NOT_LISTED = "not-listed"

PHASE_HINTS = {
    Phase.DISCOVERY: "Finding out what users need and whether to build anything",
    Phase.ALPHA: "Trying out different solutions with users",
    Phase.BETA: "Running the service with real users while it is improved",
    Phase.LIVE: "The service is running and being improved",
}

SELECT_SOURCING = "Select whether the service was built in house or bought from a supplier"

CHOOSE_A_PRODUCT = "Choose the product, or choose Not listed and enter the supplier and product"

CONFLICT = (
    "Someone else changed this service while you were editing it. "
    "Check their changes below, then save again."
)


def service_in_use_named(council, name, *, other_than=None):
    """The council's service in use called `name` (in any case), other than `other_than`.

    A council's services in use have different names; retired ones may share them.
    """
    services = Service.objects.for_council(council).active().filter(name__iexact=name)
    if other_than is not None:
        services = services.exclude(pk=other_than.pk)
    return services.first()


def product_label(product):
    return f"{product.supplier.name} – {product.name}"


class ServiceForm(forms.ModelForm):
    """A service's details. `service` is the one being changed, or None for a new one.

    Built from the Service model, with the wording of this form. `values()` gives
    what services.create_service and services.update_service take; the form never
    saves the service itself. When changing a service, the hidden `revision` carries
    the service's revision when the form was opened, so that services.update_service
    can refuse to overwrite someone else's later changes.
    """

    # Not the model's choice of Product rows: the list ends with "Not listed", for a
    # product to suggest below. So it is not one of the model fields (see clean_product).
    product = forms.ChoiceField(
        label="Product",
        help_text="If it is not in the list, choose Not listed and enter the supplier and product below",
        required=False,
        error_messages={"invalid_choice": "Choose a product from the list"},
    )
    revision = RevisionField()

    # In the order of the page, for the error summary.
    field_order = ["name", "description", "url", "phase", "owner", "sourcing", "product"]

    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "url",
            "phase",
            "owner",
            "sourcing",
            "suggested_supplier",
            "suggested_product",
        ]
        labels = {
            "name": "Service name",
            "description": "Description (optional)",
            "url": "Web address (optional)",
            "owner": "Service owner (optional)",
            "sourcing": "Built in house or bought",
            "suggested_supplier": "Supplier name",
            "suggested_product": "Product name",
        }
        # The limits are the model's; the description's is said by its character count.
        help_texts = {
            "name": "For example, Report a missed bin collection. Up to 150 characters.",
            "description": "What the service lets people do",
            "url": "Where people start using the service. Up to 500 characters.",
            "owner": "The person responsible for the service day to day, for example Head of Waste Services. Up to 150 characters.",
            "suggested_supplier": "Only if the product is not listed. Up to 150 characters.",
            "suggested_product": "Only if the product is not listed. Up to 150 characters.",
        }
        widgets = {
            # A text input typed as "url" (crispy-forms-gds styles text inputs, not URLInput).
            "url": forms.TextInput(attrs={"input_type": "url", "spellcheck": "false"}),
            "phase": forms.RadioSelect,
            "sourcing": forms.RadioSelect,
        }
        error_messages = {
            "name": {
                "required": "Enter the service name",
                "max_length": "Service name must be 150 characters or fewer",
            },
            "description": {"max_length": "Description must be 2,000 characters or fewer"},
            "url": {
                "invalid": (
                    "Enter a web address in the correct format, like https://www.coventry.gov.uk/bins"
                ),
                "max_length": "Web address must be 500 characters or fewer",
            },
            "phase": {
                "required": "Select the phase the service is in",
                "invalid_choice": "Select the phase the service is in",
            },
            "owner": {"max_length": "Service owner must be 150 characters or fewer"},
            "sourcing": {"required": SELECT_SOURCING, "invalid_choice": SELECT_SOURCING},
            "suggested_supplier": {"max_length": "Supplier name must be 150 characters or fewer"},
            "suggested_product": {"max_length": "Product name must be 150 characters or fewer"},
        }

    def __init__(self, *args, council, service=None, **kwargs):
        self.council = council
        self.service = service
        if service is None:
            instance = Service(council=council)
            # GOV.UK radios start with none chosen, whatever the model's default.
            kwargs.setdefault("initial", {"sourcing": None})
        else:
            # A copy: validating the form writes what was typed onto its instance, and
            # the page still shows the service as saved (its name in the heading).
            instance = copy.copy(service)
            kwargs.setdefault("initial", self.initial_for(service))
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["phase"].choices = [
            Choice(value, label, hint=PHASE_HINTS[value]) for value, label in Phase.choices
        ]
        self.products = {
            str(product.pk): product
            for product in Product.objects.select_related("supplier").order_by(
                "supplier__name", "name"
            )
        }
        self.fields["product"].choices = [
            ("", "Choose a product"),
            *((pk, product_label(product)) for pk, product in self.products.items()),
            (NOT_LISTED, "Not listed"),
        ]
        if service is None:
            del self.fields["revision"]
        self.helper = gds_helper(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.textarea("description", rows=4, max_characters=2000),
            Field.text("url"),
            Field.radios("phase"),
            Field.text("owner", field_width=Fluid.TWO_THIRDS),
            # The product questions appear under "Bought from a supplier" when it is chosen
            # (all of them without JavaScript).
            RadiosWithReveals(
                "sourcing",
                Reveal(
                    "bought",
                    [Sourcing.BOUGHT],
                    Fieldset(
                        Field.select("product"),
                        Field.text("suggested_supplier", field_width=Fluid.TWO_THIRDS),
                        Field.text("suggested_product", field_width=Fluid.TWO_THIRDS),
                        legend="If it was bought from a supplier",
                        legend_size=Size.SMALL,
                    ),
                ),
            ),
            *(["revision"] if service is not None else []),
            button="Save service" if service is None else "Save changes",
        )
        self.helper.disable_csrf = True  # the template has the <form> and the token

    @staticmethod
    def initial_for(service):
        """The fields that are not the model's own: the rest come from the service."""
        if service.product_id:
            product = str(service.product_id)
        elif service.suggested_supplier or service.suggested_product:
            product = NOT_LISTED
        else:
            product = ""
        return {"product": product, "revision": service.revision}

    def clean_name(self):
        name = self.cleaned_data["name"]
        if same := self.same_name(name):
            raise forms.ValidationError(self.same_name_message(same))
        return name

    def same_name(self, name):
        """The council's service in use with this name (in any case), other than this one."""
        return service_in_use_named(self.council, name, other_than=self.service)

    def same_name_message(self, other):
        return f"{self.council.short_name} already has a service called {other.name}"

    def full_clean(self):
        super().full_clean()
        if self._errors and "product" in self._errors:
            # crispy-forms-gds marks a select in error with the text input's class only.
            self.fields["product"].widget.attrs["class"] = "govuk-select--error"

    def clean_description(self):
        # Browsers send new lines as CRLF; store them as the rest of the database does.
        return self.cleaned_data["description"].replace("\r\n", "\n")

    def clean_product(self):
        value = self.cleaned_data["product"]
        return self.products.get(value, value or None)

    def clean(self):
        data = super().clean()
        if data.get("sourcing") != Sourcing.BOUGHT:
            return data
        product = data.get("product")
        if product is None and "product" not in self.errors:
            self.add_error("product", CHOOSE_A_PRODUCT)
        elif product == NOT_LISTED:
            if not data.get("suggested_supplier") and "suggested_supplier" not in self.errors:
                self.add_error("suggested_supplier", "Enter the name of the supplier")
            if not data.get("suggested_product") and "suggested_product" not in self.errors:
                self.add_error("suggested_product", "Enter the name of the product")
        return data

    def product_dropped(self):
        """The product that saving will remove or leave out, as words, or None.

        An in-house service keeps no product (services.digital_services), so whatever was
        entered for one, or is saved, goes. Hidden fields are still sent, so what was typed
        is named first; otherwise what is saved. The page says so after the save, rather
        than losing it silently.
        """
        data = self.cleaned_data
        if data.get("sourcing") == Sourcing.BOUGHT:
            return None
        product = data.get("product")
        if isinstance(product, Product):
            return product_label(product)
        typed = [data.get("suggested_supplier"), data.get("suggested_product")]
        if any(typed):
            return " – ".join(filter(None, typed)) + " (not listed)"
        saved = self.service
        if saved is not None and saved.product_id:
            return product_label(saved.product)
        if saved is not None and (saved.suggested_supplier or saved.suggested_product):
            words = filter(None, [saved.suggested_supplier, saved.suggested_product])
            return " – ".join(words) + " (not listed)"
        return None

    def values(self):
        """The service's details, as services.create_service and update_service take them."""
        data = self.cleaned_data
        product = data["product"]
        return {
            "name": data["name"],
            "description": data["description"],
            "url": data["url"],
            "phase": data["phase"],
            "owner": data["owner"],
            "sourcing": data["sourcing"],
            "product": product if isinstance(product, Product) else None,
            "suggested_supplier": data["suggested_supplier"],
            "suggested_product": data["suggested_product"],
        }
