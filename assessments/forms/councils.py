"""Forms for the council directory and for recording that a council has signed up."""

import functools
from datetime import date

from crispy_forms.utils import render_crispy_form
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.safestring import mark_safe

from assessments.models import Nation

# LocalGov Digital launched the Standard on 7 April 2016: no council signed up before.
STANDARD_LAUNCHED_ON = date(2016, 4, 7)


class CouncilFilterForm(forms.Form):
    """The directory's search and filters, read from the query string.

    Values the form does not know (from an old bookmark, or typed into the
    address) are dropped before the form sees them, so the directory always
    shows councils rather than an error.
    """

    STATUSES = [("current", "Current councils"), ("former", "Former councils"), ("all", "All")]

    q = forms.CharField(label="Search by name or code", required=False)
    nation = forms.ChoiceField(label="Nation", required=False)
    region = forms.ChoiceField(label="Region", required=False)
    type = forms.ChoiceField(label="Type", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=STATUSES, widget=forms.RadioSelect
    )
    signed_up = forms.BooleanField(label="Only councils signed up to the Standard", required=False)

    def __init__(self, data, *, regions, types):
        regions, types = tuple(regions), tuple(tuple(pair) for pair in types)
        self._choices_from = (regions, types)
        choices = {
            "nation": [("", "All nations"), *Nation.choices],
            "region": [("", "All regions"), *((region, region) for region in regions)],
            "type": [("", "All types"), *types],
            "status": self.STATUSES,
        }
        super().__init__(self._known_values(data, choices))
        for name in ("nation", "region", "type"):
            self.fields[name].choices = choices[name]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has the <form> and, when it posts, the token
        self.helper.layout = Layout(
            Field.text("q", label_size=Size.SMALL),
            Field.select("nation"),
            Field.select("region"),
            Field.select("type"),
            Field.radios("status", legend_size=Size.SMALL, small=True),
            Field.checkbox("signed_up", small=True),
        )

    @staticmethod
    def _known_values(data, choices):
        known = {"status": "current"}
        # PostgreSQL refuses NUL characters, so they never reach a query.
        if text := " ".join(data.get("q", "").replace("\x00", "").split())[:100]:
            known["q"] = text
        for name, options in choices.items():
            value = data.get(name, "")
            if value and value in dict(options):
                known[name] = value
        if data.get("signed_up") in ("on", "true", "1"):
            known["signed_up"] = "on"
        return known

    def apply(self, councils):
        """`councils` narrowed by the search and the filters."""
        filters = self.cleaned_data
        councils = councils.search(filters.get("q"))
        if filters.get("nation"):
            councils = councils.filter(nation=filters["nation"])
        if filters.get("region"):
            councils = councils.filter(region=filters["region"])
        if filters.get("type"):
            councils = councils.filter(authority_type=filters["type"])
        if filters.get("status", "current") == "current":
            councils = councils.current()
        elif filters.get("status") == "former":
            councils = councils.former()
        if filters.get("signed_up"):
            councils = councils.signatories()
        return councils

    @property
    def in_use(self):
        """The search and filters in use, to carry on to other pages of the results."""
        return dict(self.data)

    def rendered(self):
        """The form's HTML, as `{% crispy form %}` draws it, drawn once per process for each
        set of choices and values (`_rendered_filters`)."""
        regions, types = self._choices_from
        return _rendered_filters(tuple(sorted(self.data.items())), regions, types)


# Drawing the directory's filters with crispy-forms-gds takes a template per field and was
# two fifths of the directory's time. The form has no errors (unknown values are dropped),
# so what it draws depends only on the choices and the values kept: the drawing is kept per
# process under those, for the most recent few hundred searches.
FILTER_DRAWINGS_KEPT = 512


@functools.lru_cache(maxsize=FILTER_DRAWINGS_KEPT)
def _rendered_filters(data, regions, types):
    form = CouncilFilterForm(dict(data), regions=regions, types=types)
    form.is_valid()
    # crispy-forms-gds escapes every value and label it draws, as the template tag does.
    return mark_safe(render_crispy_form(form))


class DateWidget(DateInputWidget):
    """crispy-forms-gds's date input, with numeric keyboards and every box in error marked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for box in self.widgets:
            box.attrs["inputmode"] = "numeric"
        self.boxes_in_error = ()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for index, box in enumerate(context["widget"]["subwidgets"]):
            classes = box["attrs"].get("class", "")
            if index in self.boxes_in_error and "govuk-input--error" not in classes:
                box["attrs"]["class"] = f"{classes} govuk-input--error"
        return context


class DateField(DateInputField):
    """A GOV.UK date input (day, month and year boxes) with GOV.UK error messages.

    `label` is used in the messages ("Date signed up must be a real date").
    crispy-forms-gds links the error summary to a box that has the error on its
    own widget, so each error is put on the first box to correct, and the
    widget marks all the boxes that need correcting.
    """

    widget = DateWidget
    PARTS = ("day", "month", "year")

    def clean(self, value):
        for part in self.fields:
            part.widget.errors = []
        self.widget.boxes_in_error = ()
        texts = [(text or "").strip() for text in (value or ["", "", ""])]
        entered = dict(zip(self.PARTS, texts, strict=True))
        missing = [part for part in self.PARTS if not entered[part]]
        if len(missing) == 3:
            if self.required:
                self._fail(f"Enter the {self.label.lower()}", self.PARTS)
            return None
        if missing:
            self._fail(f"{self.label} must include a {' and '.join(missing)}", missing)
        if not all(entered[part].isdecimal() for part in self.PARTS):
            self._fail(f"{self.label} must be a real date", self.PARTS)
        if len(entered["year"]) != 4:
            self._fail("Year must include 4 numbers", ["year"])
        try:
            value = date(int(entered["year"]), int(entered["month"]), int(entered["day"]))
        except (ValueError, OverflowError):  # a 20-digit day overflows the C integer
            self._fail(f"{self.label} must be a real date", self.PARTS)
        try:
            self.run_validators(value)
        except ValidationError as error:
            self._fail(error.messages[0], self.PARTS)
        return value

    def _fail(self, message, parts):
        boxes = [self.PARTS.index(part) for part in parts]
        self.widget.boxes_in_error = boxes
        self.fields[boxes[0]].widget.errors = [message]
        raise ValidationError(message)


def not_in_the_future(value):
    if value > timezone.localdate():
        raise ValidationError("Date signed up must be today or in the past")


def not_before_the_standard(value):
    if value < STANDARD_LAUNCHED_ON:
        raise ValidationError(
            "Date signed up must be on or after 7 April 2016, when the Standard was launched"
        )


class AdoptionForm(forms.Form):
    """When a council signed up to the Standard, and who sponsors it."""

    adopted_on = DateField(
        label="Date signed up",
        help_text="For example, 7 4 2016",
        validators=[not_in_the_future, not_before_the_standard],
    )
    sponsor_role = forms.CharField(
        label="Senior sponsor's role",
        help_text="For example, Chief Executive or Cabinet Member for Digital. Up to 150 characters.",
        max_length=150,
        error_messages={
            "required": "Enter the senior sponsor's role",
            "max_length": "Senior sponsor's role must be 150 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has the <form> and, when it posts, the token
        self.helper.layout = Layout(
            Field("adopted_on", context={"legend_size": Size.for_legend(Size.MEDIUM)}),
            Field.text("sponsor_role", label_size=Size.MEDIUM),
            Submit("save", "Save"),
        )
