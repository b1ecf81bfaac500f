"""Forms for publishing: confirming a publication, withdrawing one with a public reason,
and a coordinator's correction of a published text (docs/decisions/0020-publishing.md)."""

from crispy_forms_gds.layout import Field, Size
from django import forms

from assessments.forms.accounts import gds_helper
from assessments.forms.assessments import EVIDENCE_LIMIT, WITHDRAWAL_LIMIT
from assessments.models import CorrectableField

CORRECTION_REASON_LIMIT = 2_000  # characters


class PublishForm(forms.Form):
    """The confirmation's one hidden field: a fingerprint of what the page showed.

    If what would be published has changed since the page was drawn (the council's
    response rewritten in another tab, the service renamed), publishing is refused and
    the page is shown again, so that what is published is what the lead saw."""

    shown = forms.CharField(widget=forms.HiddenInput, required=False)


class WithdrawPublicationForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing this publication?",
        help_text=(
            "This reason is public: it is shown at the top of the report, which stays at its "
            f"address. Up to {WITHDRAWAL_LIMIT:,} characters."
        ),
        widget=forms.Textarea,
        max_length=WITHDRAWAL_LIMIT,
        error_messages={
            "required": "Enter why you are withdrawing the publication",
            "max_length": f"The reason must be {WITHDRAWAL_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("reason", label_size=Size.MEDIUM, label_tag="h2"),
            button="Withdraw the publication",
        )


def _point_choices(points):
    return [(str(point.number), f"{point.number}. {point.short_title}") for point in points]


# The reviewers' texts, which a self-assessment does not have.
REVIEW_FIELDS = (CorrectableField.DONE_WELL, CorrectableField.TO_EXPLORE)


def field_choices(peer_reviewed):
    return [
        (value, label)
        for value, label in CorrectableField.choices
        if peer_reviewed or value not in REVIEW_FIELDS
    ]


def correctable(point, field, *, peer_reviewed):
    """Whether the published point has the text `field` to correct: a reason it does not
    apply only if the council said so, the reviewers' comments only if peer reviewed."""
    if field in REVIEW_FIELDS:
        return peer_reviewed
    if field == CorrectableField.NOT_APPLICABLE_REASON:
        return point.self_not_applicable
    return True


class ChooseCorrectionForm(forms.Form):
    """The correction's first step, sent with GET: which point, and which of its texts."""

    point = forms.TypedChoiceField(
        label="Which point?",
        coerce=int,
        error_messages={
            "required": "Select the point to correct",
            "invalid_choice": "Select the point to correct",
        },
    )
    field = forms.ChoiceField(
        label="Which text?",
        choices=CorrectableField.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the text to correct",
            "invalid_choice": "Select the text to correct",
        },
    )

    def __init__(self, *args, points=(), peer_reviewed=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = {point.number: point for point in points}
        self.peer_reviewed = peer_reviewed
        self.fields["point"].choices = [("", "Select a point"), *_point_choices(points)]
        self.fields["field"].choices = field_choices(peer_reviewed)
        self.helper = gds_helper(
            Field.select("point"),
            Field.radios("field", legend_size=Size.SMALL),
            button="Continue",
        )

    def clean(self):
        data = super().clean()
        point = self.points.get(data.get("point"))
        field = data.get("field")
        if point and field and not correctable(point, field, peer_reviewed=self.peer_reviewed):
            self.add_error(
                "field",
                f"Point {point.number} applies, so it has no reason it does not apply: "
                "select another text",
            )
        return data


class CorrectionForm(forms.Form):
    """The correction itself: the corrected text and the public reason. The point and the
    field come from the first step, carried as hidden fields."""

    point = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    field = forms.ChoiceField(choices=CorrectableField.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Corrected text",
        help_text=(
            "The text as it will be published from now on. The text it replaces is kept and "
            f"shown with the correction. Up to {EVIDENCE_LIMIT:,} characters."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=EVIDENCE_LIMIT,
        required=False,
        strip=False,
        error_messages={
            "max_length": f"The corrected text must be {EVIDENCE_LIMIT:,} characters or fewer",
        },
    )
    reason = forms.CharField(
        label="Why is it corrected?",
        help_text=(
            "This reason is public: it is shown with the correction on the report. "
            f"Up to {CORRECTION_REASON_LIMIT:,} characters."
        ),
        widget=forms.Textarea,
        max_length=CORRECTION_REASON_LIMIT,
        error_messages={
            "required": "Enter why the text is corrected",
            "max_length": f"The reason must be {CORRECTION_REASON_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = _point_choices(points)
        self.helper = gds_helper(
            "point",
            "field",
            Field.textarea("text", label_size=Size.SMALL),
            Field.textarea("reason", label_size=Size.SMALL),
            button="Correct the publication",
        )
