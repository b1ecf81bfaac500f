"""Forms for starting an assessment and answering each point."""

from crispy_forms_gds.layout import Field, Size
from django import forms

from assessments.forms.accounts import gds_helper
from assessments.models import Phase
from assessments.scoring import LEVELS

NOT_APPLICABLE = "na"
# The limits, stated in the hints on the point page.
EVIDENCE_LIMIT = 20_000  # characters
REASON_LIMIT = 2_000  # characters
LINK_LIMIT = 50  # links per point
LINK_TITLE_LIMIT = 200  # characters, as EvidenceLink.title
LINK_ADDRESS_LIMIT = 1_000  # characters, as EvidenceLink.url
WITHDRAWAL_LIMIT = 2_000  # characters
URL_ERROR = "Enter a web address in the correct format, like https://www.example.com/report"


class RevisionField(forms.Field):
    """The hidden revision a form was opened at (see services.conflicts).

    Anything but a number is not from our page: it is read as None, which matches no
    revision, so the person is shown what is saved now and checks before saving again.
    Refusing it instead would put the error on a hidden field, which the page cannot show.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        try:
            return int(value)
        except (TypeError, ValueError):  # not a number, or more digits than int() reads
            return None


class StartAssessmentForm(forms.Form):
    phase = forms.ChoiceField(
        label="Which phase is the service in?",
        choices=Phase.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the phase the service is in"},
    )
    start_from = forms.ChoiceField(
        label="How do you want to start?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you want to start"},
    )

    def __init__(self, *args, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        layout = [Field.radios("phase", legend_size=Size.MEDIUM, legend_tag="h2")]
        if previous is None:
            del self.fields["start_from"]
        else:
            submitted = previous.submitted_at
            self.fields["start_from"].choices = [
                (
                    "previous",
                    f"Carry forward the evidence and links from the assessment submitted on "
                    f"{submitted:%-d %B %Y} (you score every point again)",
                ),
                ("blank", "Start with blank answers"),
            ]
            layout.append(Field.radios("start_from", legend_size=Size.MEDIUM, legend_tag="h2"))
        self.helper = gds_helper(*layout, button="Start assessment")


class PointForm(forms.Form):
    """The answer for one point. Saving without a score is allowed: the point stays in progress."""

    answer = forms.ChoiceField(
        choices=[(str(level.score), level.name) for level in LEVELS]
        + [(NOT_APPLICABLE, "Not applicable at this phase")],
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Select a score from 0 to 5, or not applicable at this phase"
        },
    )
    not_applicable_reason = forms.CharField(
        label="Why does this point not apply at this phase?",
        required=False,
        widget=forms.Textarea,
        max_length=REASON_LIMIT,
        error_messages={
            "max_length": f"The reason must be {REASON_LIMIT:,} characters or fewer",
        },
    )
    evidence = forms.CharField(
        required=False,
        widget=forms.Textarea,
        max_length=EVIDENCE_LIMIT,
        error_messages={"max_length": f"Evidence must be {EVIDENCE_LIMIT:,} characters or fewer"},
    )
    revision = RevisionField()
    # Set after an edit conflict: the person has seen the other version and saves over it.
    replacing = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        answer = data.get("answer")
        data["not_applicable"] = answer == NOT_APPLICABLE
        data["score"] = int(answer) if answer not in ("", None, NOT_APPLICABLE) else None
        if not data["not_applicable"]:
            data["not_applicable_reason"] = ""
        return data


class LinkForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=LINK_TITLE_LIMIT,
        required=False,
        error_messages={
            "max_length": f"The title must be {LINK_TITLE_LIMIT:,} characters or fewer"
        },
    )
    url = forms.URLField(
        label="Address",
        max_length=LINK_ADDRESS_LIMIT,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": URL_ERROR,
            "max_length": f"The address must be {LINK_ADDRESS_LIMIT:,} characters or fewer",
        },
    )

    def clean(self):
        data = super().clean()
        title, url = data.get("title", "").strip(), data.get("url", "")
        if title and not url and "url" not in self.errors:
            self.add_error("url", "Enter the address of the link")
        if url and not title and "title" not in self.errors:
            self.add_error("title", "Enter a title for the link")
        return data


class BaseLinkFormSet(forms.BaseFormSet):
    item_name = "Link"  # in the error summary: "Link 2: Enter the address of the link"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "too_many_forms": f"You can add up to {LINK_LIMIT} links",
        }


# Posting more rows than the limit is refused with that message, not silently cut.
LinkFormSet = forms.formset_factory(
    LinkForm,
    formset=BaseLinkFormSet,
    extra=0,
    max_num=LINK_LIMIT,
    validate_max=True,
    absolute_max=LINK_LIMIT + 1,
)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing this assessment?",
        help_text=(
            f"This reason stays on the assessment's record. Up to {WITHDRAWAL_LIMIT:,} characters."
        ),
        widget=forms.Textarea,
        max_length=WITHDRAWAL_LIMIT,
        error_messages={
            "required": "Enter why you are withdrawing the assessment",
            "max_length": f"The reason must be {WITHDRAWAL_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("reason", label_size=Size.MEDIUM, label_tag="h2"),
            button="Withdraw assessment",
        )
