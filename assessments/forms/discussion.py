"""Forms for peer review's discussion on each point and requests for clarification."""

from crispy_forms_gds.layout import Field, Size
from django import forms

from assessments.forms.accounts import gds_helper
from assessments.services.discussion import MESSAGE_LIMIT, QUESTION_LIMIT


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Add a message",
        help_text=(
            "Seen by the council's members and the reviewers, never published. "
            f"Plain text, up to {MESSAGE_LIMIT:,} characters."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MESSAGE_LIMIT,
        error_messages={
            "required": "Enter your message",
            "max_length": f"The message must be {MESSAGE_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("body", label_size=Size.MEDIUM, label_tag="h2"),
            button="Send message",
        )


class ClarificationForm(forms.Form):
    """A checkbox per point and a question for each. Every question box is shown (so the
    form works without JavaScript); a question is needed for each point chosen, and only
    for those."""

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = list(points)
        for point in self.points:
            self.fields[f"ask_{point.number}"] = forms.BooleanField(
                label=f"{point.number}. {point.short_title}", required=False
            )
            self.fields[f"question_{point.number}"] = forms.CharField(
                label=f"Your question on point {point.number}",
                required=False,
                max_length=QUESTION_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": f"The question must be {QUESTION_LIMIT:,} characters or fewer"
                },
            )

    def rows(self):
        """(point, checkbox, question) for the template, in point order."""
        return [
            (point, self[f"ask_{point.number}"], self[f"question_{point.number}"])
            for point in self.points
        ]

    def clean(self):
        data = super().clean()
        chosen = [point for point in self.points if data.get(f"ask_{point.number}")]
        if not chosen:
            self.add_error(f"ask_{self.points[0].number}", "Select at least one point to ask about")
        for point in chosen:
            name = f"question_{point.number}"
            if name in data and not data[name].strip():
                self.add_error(name, f"Enter your question on point {point.number}")
        data["questions"] = {
            point.number: data.get(f"question_{point.number}", "") for point in chosen
        }
        return data
