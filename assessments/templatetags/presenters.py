"""How assessment states, scores and ratings are shown: words and tag colours in one place."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from assessments import scoring
from assessments.models import Phase, Status

register = template.Library()

STATUS_TAGS = {
    Status.DRAFT: ("Draft", "govuk-tag--yellow"),
    Status.SUBMITTED: ("Submitted for peer review", ""),  # the default tag colour (blue)
    Status.WITHDRAWN: ("Withdrawn", "govuk-tag--grey"),
}
RATING_TAGS = {
    scoring.Rating.GREEN: ("Green", "govuk-tag--green"),
    scoring.Rating.AMBER: ("Amber", "govuk-tag--orange"),
    scoring.Rating.RED: ("Red", "govuk-tag--red"),
}
# As GOV.UK's task list markup has them: blue tags for what is left to do.
TASK_TAGS = {
    scoring.TaskStatus.NOT_STARTED: "govuk-tag--blue",
    scoring.TaskStatus.INCOMPLETE: "govuk-tag--blue",
}


def _tag(label, colour):
    classes = f"govuk-tag {colour}" if colour else "govuk-tag"
    return format_html('<strong class="{}">{}</strong>', classes, label)


@register.simple_tag
def status_tag(status):
    return _tag(*STATUS_TAGS.get(status, (status, "govuk-tag--grey")))


@register.simple_tag
def rating_tag(rating):
    if rating is None:
        return "Not rated until every point is completed"
    return _tag(*RATING_TAGS[scoring.Rating(rating)])


@register.simple_tag
def task_status(status, element_id):
    """The status cell of the task list: completed is plain text, others are tags.
    `element_id` is the id the task's link names in its aria-describedby."""
    if status == scoring.TaskStatus.COMPLETED:
        return format_html(
            '<div class="govuk-task-list__status" id="{}">{}</div>', element_id, status
        )
    return format_html(
        '<div class="govuk-task-list__status" id="{}">{}</div>',
        element_id,
        _tag(status, TASK_TAGS[status]),
    )


@register.filter
def score_words(answer):
    """'3 – Meets the point', 'Not applicable at this phase', or 'Not scored'."""
    if answer.not_applicable:
        return "Not applicable at this phase"
    if answer.score is None:
        return "Not scored"
    return f"{answer.score} – {scoring.LEVEL_BY_SCORE[answer.score].name}"


PHASE_COLOURS = {
    Phase.DISCOVERY: "govuk-tag--grey",
    Phase.ALPHA: "govuk-tag--purple",
    Phase.BETA: "",  # the default tag colour (blue)
    Phase.LIVE: "govuk-tag--green",
}


@register.simple_tag
def phase_tag(phase):
    return _tag(Phase(phase).label, PHASE_COLOURS.get(phase, ""))


@register.simple_tag
def problem_links(assessment, problems):
    """What stops submission as (address, message) pairs, each linking to the point:
    "Point 4, Iterate and improve regularly: score this point"."""
    council = assessment.service.council
    return [
        (
            reverse("assessments:edit_point", args=[council, assessment.pk, number]),
            f"Point {number}, {title}: {missing}",
        )
        for number, title, missing in problems
    ]
