"""How assessment states, scores and ratings are shown: words and tag colours in one place."""

from django import template
from django.utils.html import format_html

from assessments import scoring
from assessments.models import Status

register = template.Library()

STATUS_TAGS = {
    Status.DRAFT: ("Draft", "govuk-tag--yellow"),
    Status.SUBMITTED: ("Submitted for peer review", "govuk-tag--turquoise"),
    Status.WITHDRAWN: ("Withdrawn", "govuk-tag--grey"),
}
RATING_TAGS = {
    scoring.Rating.GREEN: ("Green", "govuk-tag--green"),
    scoring.Rating.AMBER: ("Amber", "govuk-tag--orange"),
    scoring.Rating.RED: ("Red", "govuk-tag--red"),
}
TASK_TAGS = {
    scoring.TaskStatus.NOT_STARTED: "govuk-tag--grey",
    scoring.TaskStatus.IN_PROGRESS: "govuk-tag--yellow",
}


@register.simple_tag
def status_tag(status):
    label, colour = STATUS_TAGS.get(status, (status, "govuk-tag--grey"))
    return format_html('<strong class="govuk-tag {}">{}</strong>', colour, label)


@register.simple_tag
def rating_tag(rating):
    if rating is None:
        return "Not rated until every point is completed"
    label, colour = RATING_TAGS[scoring.Rating(rating)]
    return format_html('<strong class="govuk-tag {}">{}</strong>', colour, label)


@register.simple_tag
def task_status(status, element_id):
    """The status cell of the task list: completed is plain text, others are tags."""
    if status == scoring.TaskStatus.COMPLETED:
        return format_html(
            '<div class="govuk-task-list__status" id="{}">{}</div>', element_id, status
        )
    return format_html(
        '<div class="govuk-task-list__status" id="{}"><strong class="govuk-tag {}">{}</strong></div>',
        element_id,
        TASK_TAGS[status],
        status,
    )


@register.filter
def score_words(answer):
    """'3 – Meets the point', 'Not applicable at this phase', or 'Not scored'."""
    if answer.not_applicable:
        return "Not applicable at this phase"
    if answer.score is None:
        return "Not scored"
    return f"{answer.score} – {scoring.LEVEL_BY_SCORE[answer.score].name}"
