"""Your work: where a signed-in person lands.

The drafts their councils have in progress and the assessments they have submitted,
each with where it has got to; for coordinators, what waits for peer review across the
scheme. The number of queries does not grow with the number of assessments.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments import scoring
from assessments.models import Assessment


def _with_summaries(assessments):
    """The assessments (with their answers prefetched), each given its `summary` and the
    time its answers were last saved (`last_saved`, None if never)."""
    assessments = list(assessments)
    for assessment in assessments:
        answers = assessment.points.all()
        assessment.summary = scoring.summarise(answers)
        assessment.last_saved = max((a.updated_at for a in answers if a.updated_at), default=None)
    return assessments


@login_required
@require_safe
def your_work(request):
    user = request.user
    visible = Assessment.objects.visible_to(user).select_related("service__council")
    memberships = list(user.memberships.select_related("council").order_by("council__short_name"))
    drafts, submitted = [], []
    if memberships:
        theirs = visible.for_councils_of(user).prefetch_related("points")
        drafts = _with_summaries(theirs.in_progress().order_by("-created_at", "-pk"))
        submitted = _with_summaries(theirs.finished().order_by("-submitted_at", "-pk"))
    waiting = None
    if user.has_perm("assessments.list_awaiting_review"):
        waiting = list(visible.awaiting_review().order_by("submitted_at", "pk"))
    return render(
        request,
        "assessments/work/your_work.html",
        {
            "memberships": memberships,
            "drafts": drafts,
            "submitted": submitted,
            "waiting": waiting,
        },
    )
