"""Forms for assigning reviewers: the queue's filters, adding a reviewer, the due date,
and a reviewer stepping aside."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from crispy_forms_gds.layout import Field, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.forms.accounts import gds_helper
from assessments.forms.councils import DateField
from assessments.models import PeerGroup, Phase, ReviewerAssignment, User

REASON_LIMIT = 2000


class QueueFilterForm(forms.Form):
    """The review queue's filters, read from the query string. Unknown values are dropped,
    as in the council directory, so the queue always shows assessments, never an error."""

    SHOW = [
        ("", "All waiting"),
        ("needs_reviewers", "Needs reviewers or a lead"),
        ("in_review", "In review"),
        ("clarification", "Waiting for the council"),
        ("overdue", "Overdue"),
    ]

    show = forms.ChoiceField(label="Show", required=False, choices=SHOW, widget=forms.RadioSelect)
    peer_group = forms.ChoiceField(label="Peer group", required=False)
    phase = forms.ChoiceField(label="Phase", required=False)

    def __init__(self, data):
        groups = PeerGroup.objects.order_by("name").values_list("slug", "name")
        choices = {
            "show": self.SHOW,
            "peer_group": [("", "All peer groups"), *groups],
            "phase": [("", "All phases"), *Phase.choices],
        }
        known = {
            name: data.get(name)
            for name, options in choices.items()
            if data.get(name) and data.get(name) in dict(options)
        }
        super().__init__(known)
        self.fields["peer_group"].choices = choices["peer_group"]
        self.fields["phase"].choices = choices["phase"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.radios("show", legend_size=Size.SMALL, small=True),
            Field.select("peer_group"),
            Field.select("phase"),
        )

    @property
    def in_use(self):
        """The filters in use, to carry on to other pages of the queue."""
        return dict(self.data)


def reviewer_label(person):
    """How a reviewer is named in the list to choose from: who they are and where from."""
    if person.is_independent_assessor:
        return f"{person} – independent assessor"
    councils = ", ".join(m.council.short_name for m in person.memberships.all())
    groups = ", ".join(group.name for group in person.reviewer_peer_groups.all())
    where = "; ".join(part for part in (councils, groups) if part)
    return f"{person} – peer reviewer{f' ({where})' if where else ''}"


class AddReviewerForm(forms.Form):
    """A coordinator chooses a reviewer to add, and whether they lead.

    Only active reviewers who are not members of the assessed council and not already
    on the review are offered; anything else posted is refused as not a choice (and
    the workflow function refuses a conflict of interest again, whatever is posted).
    """

    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        queryset=User.objects.none(),
        empty_label="Choose a reviewer",
        error_messages={
            "required": "Choose a reviewer",
            "invalid_choice": "Choose a reviewer from the list",
        },
    )
    lead = forms.BooleanField(label="Make them the lead reviewer", required=False)

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        on_review = ReviewerAssignment.objects.open().filter(assessment=assessment)
        self.fields["reviewer"].queryset = (
            User.objects.filter(is_active=True, is_peer_reviewer=True)
            .exclude(memberships__council_id=assessment.service.council_id)
            .exclude(pk__in=on_review.filter(confirmed_at__isnull=False).values("reviewer"))
            .prefetch_related("reviewer_peer_groups", "memberships__council")
            .order_by("full_name", "email")
        )
        self.fields["reviewer"].label_from_instance = reviewer_label
        self.helper = gds_helper(
            Field.select("reviewer"),
            Field.checkbox("lead", small=True),
            button="Add reviewer",
        )


def today_or_later(value):
    if value < timezone.localdate():
        raise ValidationError("Due date must be today or in the future")


class DueDateForm(forms.Form):
    """The review's new due date, and the date the coordinator saw (`was`), so that two
    coordinators changing it at once never silently overwrite each other."""

    was = forms.DateField(widget=forms.HiddenInput, required=False)
    due_on = DateField(
        label="Due date",
        help_text="For example, 27 3 2027",
        validators=[today_or_later],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            "was",
            Field("due_on", context={"legend_size": Size.for_legend(Size.MEDIUM)}),
            button="Change due date",
        )


class StepAsideForm(forms.Form):
    reason = forms.CharField(
        label="What is your conflict of interest?",
        help_text=(
            "For example, you used to work for this council, or your team built this "
            f"service. Only coordinators see this. Up to {REASON_LIMIT:,} characters."
        ),
        widget=forms.Textarea,
        max_length=REASON_LIMIT,
        error_messages={
            "required": "Enter why you are stepping aside",
            "max_length": f"The reason must be {REASON_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("reason", label_size=Size.MEDIUM, label_tag="h2"),
            button="Step aside",
        )
