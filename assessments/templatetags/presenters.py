"""How assessment states, scores and ratings are shown: words and tag colours in one place."""

from types import SimpleNamespace

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
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


# --- The published record ------------------------------------------------------------

REVIEW_TYPE_TAGS = {
    ReviewType.PEER_REVIEWED: ("Peer reviewed", "govuk-tag--green"),
    ReviewType.SELF_ASSESSED: ("Self-assessed", "govuk-tag--grey"),
}
REVIEW_TYPE_MEANINGS = {
    ReviewType.PEER_REVIEWED: (
        "Reviewers from other councils checked the council's evidence and agreed a score "
        "for each point. The figures that count are the agreed scores."
    ),
    ReviewType.SELF_ASSESSED: (
        "The council published its own scores without a peer review: no other council "
        "has checked them. The figures are the council's own scores."
    ),
}


@register.simple_tag
def review_type_tag(review_type):
    """'Peer reviewed' or 'Self-assessed', as a tag: every publication says which."""
    return _tag(*REVIEW_TYPE_TAGS[ReviewType(review_type)])


@register.filter
def review_type_meaning(review_type):
    """What the review type means for the figures, in one or two sentences."""
    return REVIEW_TYPE_MEANINGS[ReviewType(review_type)]


def published_summary(publication, prefix, points):
    """A publication's figures (`prefix` "self_", "agreed_" or "" for those that count) in
    the shape the summary presenters read (`total_words`, `average_words`, `met_words`,
    `rating_tag`); or a snapshot's `Figures` with prefix "". None for no figures (a
    self-assessment's agreed ones). Published assessments are complete, so every
    applicable point is scored."""
    if publication is None:
        return None
    applicable = getattr(publication, f"{prefix}applicable", None)
    if applicable is None:
        return None
    met = getattr(publication, f"{prefix}met")
    rating = getattr(publication, f"{prefix}rating")
    return SimpleNamespace(
        points=points,
        applicable=applicable,
        scored=applicable,
        total=getattr(publication, f"{prefix}total"),
        maximum=getattr(publication, f"{prefix}maximum"),
        met=met,
        met_share=round(100 * met / applicable) if applicable else None,
        average=getattr(publication, f"{prefix}average"),
        rating=rating or None,
    )


@register.simple_tag
def published_score(score, not_applicable):
    """A published score in words: '3 – Meets the point', or 'Not applicable at this
    phase' (as `score_words` says a live answer)."""
    return score_words(SimpleNamespace(score=score, not_applicable=not_applicable))


@register.simple_tag
def met_tag(point):
    """Whether a published point is met (by the score that counts), as a tag."""
    if point.not_applicable:
        return _tag("Does not apply", "govuk-tag--grey")
    if point.met:
        return _tag("Met", "govuk-tag--green")
    return _tag("Not met", "govuk-tag--red")


@register.simple_tag
def score_change(point, before, since):
    """A point's score that counts against the same point's in an earlier publication:
    '+1 since 12 March 2026', 'No change since 12 March 2026', 'Not applicable then'.
    Empty when there is no earlier publication or the point was not in it."""
    if before is None:
        return ""
    date = dateformat.format(timezone.localtime(since), "j F Y")
    if point.not_applicable and before.not_applicable:
        return f"Not applicable now or on {date}"
    if point.not_applicable:
        return f"Not applicable now; {before.score} on {date}"
    if before.not_applicable or before.score is None:
        return f"Not applicable on {date}"
    difference = (point.score or 0) - before.score
    if difference == 0:
        return f"No change since {date}"
    sign = "+" if difference > 0 else "\N{MINUS SIGN}"
    return f"{sign}{abs(difference)} since {date}"


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
