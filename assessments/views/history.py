"""An assessment's history: who did what, and when, newest first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments.scoring import LEVEL_BY_SCORE
from assessments.views.lookups import assessment_from_url
from lgdss.templatetags.site import govuk_datetime as when

EVENTS_PER_PAGE = 100


def who(user):
    return user.get_full_name() if user else "Someone who has left"


def point(number, point_titles):
    """ "Point 4: Iterate and improve regularly", for an event about one point."""
    if number is None:
        return ""
    title = point_titles.get(number)
    return f"Point {number}: {title}" if title else f"Point {number}"


def answer_words(answer):
    """A score, "n/a" or None from the history, as words."""
    if answer is None:
        return "no answer"
    if answer == "n/a":
        return "not applicable"
    return f"{answer} – {LEVEL_BY_SCORE[answer].name}"


def changes(recorded):
    """What a save changed (see services.assessments.what_changed), one sentence each."""
    lines = []
    if "replaced" in recorded:
        lines.append(f"Replaced {recorded['replaced'] or 'someone'}'s version")
    if "answer" in recorded:
        old, new = recorded["answer"]
        lines.append(f"Score changed from {answer_words(old)} to {answer_words(new)}")
    if "reason" in recorded:
        lines.append(f"Reason it is not applicable: {recorded['reason']}")
    if "evidence" in recorded:
        lines.append(f"Evidence {recorded['evidence']}")
    lines += [f"Link added: {title} ({url})" for title, url in recorded.get("links_added", [])]
    lines += [f"Link removed: {title} ({url})" for title, url in recorded.get("links_removed", [])]
    return lines


@login_required
@require_safe
def assessment_history(request, code, pk):
    """Every event of the assessment, 100 to a page.

    Members of the council and coordinators see it. The number of queries does not
    grow with the number of events: the points' titles come from one query, and
    each event's person is joined to it.
    """
    assessment = assessment_from_url(request, code, pk, "assessments.view_assessment")
    point_titles = dict(assessment.standard.points.order_by().values_list("number", "short_title"))
    events = assessment.events.select_related("actor").order_by("-created_at", "-pk")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "at": event.created_at,
            "when": when(event.created_at),
            "who": who(event.actor),
            "what": event.get_kind_display(),
            "point": point(event.point_number, point_titles),
            "detail": event.detail,
            "changes": changes(event.changes),
        }
        for event in page
    ]
    return render(
        request,
        "assessments/assessments/history.html",
        {
            "assessment": assessment,
            "council": assessment.service.council,
            "page": page,
            "params": {},  # nothing to keep in the page links
            "rows": rows,
        },
    )
