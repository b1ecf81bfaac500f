"""How assessment states, scores and ratings are shown: words and tag colours in one place."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from assessments import scoring
from assessments.markdown import BARE_LINK, LINK_REL
from assessments.models import Phase, ReviewType, Status

register = template.Library()

STATUS_TAGS = {
    Status.DRAFT: ("Draft", "govuk-tag--yellow"),
    Status.SUBMITTED: ("Submitted for peer review", ""),  # the default tag colour (blue)
    Status.IN_REVIEW: ("In peer review", "govuk-tag--light-blue"),
    Status.CLARIFICATION_REQUESTED: ("Clarification requested", "govuk-tag--orange"),
    Status.REVIEWED: ("Peer review complete", "govuk-tag--green"),
    Status.WITHDRAWN: ("Withdrawn", "govuk-tag--grey"),
    Status.PUBLISHED: ("Published", "govuk-tag--turquoise"),
    Status.UNPUBLISHED: ("Publication withdrawn", "govuk-tag--grey"),
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
def rating_tag(rating, short=False):
    """The rating as a tag; before there is one, why not ("Not rated yet" in tables)."""
    if rating is None:
        return "Not rated yet" if short else "Not rated until every point is completed"
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
def total_words(summary):
    """'50 out of 65 (13 of 15 points apply)': the total is out of the applicable points."""
    words = f"{summary.total} out of {summary.maximum}"
    if summary.applicable < summary.points:
        words += f" ({summary.applicable} of {summary.points} points apply)"
    return words


@register.filter
def average_words(summary):
    """'3.8 out of 5 per applicable point', or while points are still unscored
    '4.5 out of 5, from the 2 points scored so far'."""
    if summary.average is None:
        return "No point scored yet"
    if summary.scored == summary.applicable:
        return f"{summary.average} out of {scoring.MAX_SCORE} per applicable point"
    points = "point" if summary.scored == 1 else "points"
    return (
        f"{summary.average} out of {scoring.MAX_SCORE}, "
        f"from the {summary.scored} {points} scored so far"
    )


@register.filter
def total_and_average(summary):
    """'45 out of 75 (average 3.0)', for tables."""
    words = f"{summary.total} out of {summary.maximum}"
    return words if summary.average is None else f"{words} (average {summary.average})"


@register.filter
def met_short(summary):
    """'12 of 13 (92%)', for tables."""
    if summary.met_share is None:
        return "No point applies"
    return f"{summary.met} of {summary.applicable} ({summary.met_share}%)"


@register.filter
def met_words(summary):
    """'12 of 13 applicable points (92%)'."""
    if summary.met_share is None:
        return "No point applies"
    return f"{summary.met} of {summary.applicable} applicable points ({summary.met_share}%)"


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
            # From check answers, and back to it after saving.
            reverse("assessments:edit_point", args=[council, assessment.pk, number])
            + "?return=check",
            f"Point {number}, {title}: {missing}",
        )
        for number, title, missing in problems
    ]


@register.simple_tag
def evidence_link(link):
    """A team's evidence link. One whose title is its address is marked, so that the print
    stylesheet does not write the address after it a second time."""
    title, url = _get(link, "title"), _get(link, "url")
    classes = f"govuk-link {BARE_LINK}" if title.strip() == url else "govuk-link"
    return format_html('<a class="{}" href="{}" rel="{}">{}</a>', classes, url, LINK_REL, title)


def _get(link, name):
    return link[name] if isinstance(link, dict) else getattr(link, name)


# Peer reviewed and self-assessed publications are told apart wherever they appear.
REVIEW_TYPE_TAGS = {
    ReviewType.PEER_REVIEWED: ("Peer reviewed", "govuk-tag--blue"),
    ReviewType.SELF_ASSESSED: ("Self-assessed", "govuk-tag--yellow"),
}


@register.simple_tag
def review_type_tag(review_type):
    return _tag(*REVIEW_TYPE_TAGS.get(review_type, (review_type, "govuk-tag--grey")))


@register.simple_tag
def published_rating_tag(publication):
    """A publication's rating as a tag; "Not rated" when no point applied."""
    return rating_tag(publication.rating, short=True) if publication.rating else "Not rated"


@register.filter
def published_average(publication):
    """'3.4' (the table's heading says out of 5), or 'None scored' when no point applied."""
    return "None scored" if publication.average is None else str(publication.average)


@register.filter
def published_met(publication):
    """'12 of 14', the points met of the points that applied."""
    return f"{publication.met} of {publication.applicable}"
