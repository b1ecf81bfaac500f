"""An assessment's history: who did what, and when, newest first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments.models import EVER_PUBLISHED, EventKind, Publication
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


def publishing_lines(event, publication, corrections):
    """What a publishing event adds to its row: the review type it was published as, that
    a withdrawal's reason is public, and which text a correction changed, from what to
    what (the correction written with the event, at the same moment)."""
    if publication is None:
        return []
    if event.kind == EventKind.PUBLISHED:
        return [f"Published as {publication.get_review_type_display().lower()}"]
    if event.kind == EventKind.PUBLICATION_WITHDRAWN:
        return ["The reason below is shown on the public report"]
    if event.kind == EventKind.PUBLICATION_CORRECTED:
        correction = corrections.get((event.point_number, event.created_at))
        if correction is None:
            return []
        return [
            f"Corrected {correction.get_field_display().lower()}",
            f"Published text: {correction.old_text or '(none)'}",
            f"Corrected text: {correction.new_text or '(none)'}",
            "The reason below is shown on the public report",
        ]
    return []


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
    # Publishing events are told with the publication and its corrections: two queries.
    publication = corrections = None
    if assessment.status in EVER_PUBLISHED:
        publication = Publication.objects.filter(pk=assessment.pk).first()
        corrections = (
            {(c.point_number, c.made_at): c for c in publication.corrections.all()}
            if publication
            else {}
        )
    rows = [
        {
            "at": event.created_at,
            "when": when(event.created_at),
            "who": who(event.actor),
            "what": event.get_kind_display(),
            "point": point(event.point_number, point_titles),
            "detail": event.detail,
            "changes": changes(event.changes) + publishing_lines(event, publication, corrections),
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
            "publication": publication,
        },
    )
