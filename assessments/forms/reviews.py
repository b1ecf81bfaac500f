"""Forms for peer review: a reviewer's score and comments on a point, the lead reviewer's
agreed score, the review's summary and recommendation, and the council's response."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from assessments.forms.accounts import gds_helper
from assessments.forms.assessments import NOT_APPLICABLE, RevisionField
from assessments.models import Recommendation
from assessments.scoring import LEVELS

COMMENT_LIMIT = 10_000  # characters, each of "done well" and "to explore"
SUMMARY_LIMIT = 20_000  # characters
RESPONSE_LIMIT = 20_000  # characters


class ReviewScoreForm(forms.Form):
    """A score (or not applicable) and the two comments: a reviewer's own on a point, or
    the agreed ones the lead reviewer sets. Saving with parts missing is allowed: the
    point stays incomplete until it has a score and at least one comment."""

    answer = forms.ChoiceField(
        choices=[(str(level.score), level.name) for level in LEVELS]
        + [(NOT_APPLICABLE, "Not applicable at this phase")],
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Select a score from 0 to 5, or not applicable at this phase"
        },
    )
    done_well = forms.CharField(
        required=False,
        widget=forms.Textarea,
        max_length=COMMENT_LIMIT,
        error_messages={
            "max_length": f"What the team has done well must be {COMMENT_LIMIT:,} characters "
            "or fewer"
        },
    )
    to_explore = forms.CharField(
        required=False,
        widget=forms.Textarea,
        max_length=COMMENT_LIMIT,
        error_messages={
            "max_length": f"What the team needs to explore must be {COMMENT_LIMIT:,} "
            "characters or fewer"
        },
    )
    revision = RevisionField()

    def clean(self):
        data = super().clean()
        answer = data.get("answer")
        data["not_applicable"] = answer == NOT_APPLICABLE
        data["score"] = int(answer) if answer not in ("", None, NOT_APPLICABLE) else None
        return data


class CompleteReviewForm(forms.Form):
    """The lead reviewer's overall summary and recommendation."""

    summary = forms.CharField(
        label="Overall summary",
        help_text=(
            "What the reviewers found across the Standard: the strengths to keep and what "
            f"the team should work on next. The council will read it. Up to {SUMMARY_LIMIT:,} "
            "characters."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=SUMMARY_LIMIT,
        required=False,
        error_messages={
            "max_length": f"The summary must be {SUMMARY_LIMIT:,} characters or fewer",
        },
    )
    recommendation = forms.ChoiceField(
        label="Recommendation",
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select a recommendation"},
    )
    revision = RevisionField()

    def __init__(self, *args, completing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.completing = completing
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has its own token
        # The page adds the revision and its own two buttons.
        self.helper.layout = Layout(
            Field.textarea("summary", label_size=Size.MEDIUM, label_tag="h2"),
            Field.radios("recommendation", legend_size=Size.MEDIUM, legend_tag="h2"),
        )

    def clean(self):
        data = super().clean()
        # Saving to come back later takes what is there; completing needs both.
        if self.completing:
            if not (data.get("summary") or "").strip() and "summary" not in self.errors:
                self.add_error("summary", "Enter an overall summary")
            if not data.get("recommendation") and "recommendation" not in self.errors:
                self.add_error("recommendation", "Select a recommendation")
        return data


class ResponseForm(forms.Form):
    """The council's response to the completed review, on the record."""

    response = forms.CharField(
        label="Your council's response",
        help_text=(
            "It is kept with the review and shown beside it, and you can change it until "
            f"the results are published. Up to {RESPONSE_LIMIT:,} characters."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=RESPONSE_LIMIT,
        error_messages={
            "required": "Enter your council's response",
            "max_length": f"The response must be {RESPONSE_LIMIT:,} characters or fewer",
        },
    )
    revision = RevisionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("response", label_size=Size.MEDIUM, label_tag="h2"),
            button="Save the response",
        )
