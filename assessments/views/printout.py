"""An assessment made for paper: printed, or saved as a PDF, for a meeting.

The page says what it is (council, service, phase, status, dates, the Standard's
version) and gives the results and every answer. It needs no JavaScript: people print
it with the browser's Print command, and `static/js/print.js` adds a button for it.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from assessments.views.assessments import _answers, _summary
from assessments.views.lookups import assessment_from_url


@login_required
@require_safe
def print_assessment(request, code, pk):
    assessment = assessment_from_url(request, code, pk)
    answers = _answers(assessment)
    return render(
        request,
        "assessments/assessments/print.html",
        {
            "assessment": assessment,
            "service": assessment.service,
            "council": assessment.service.council,
            "answers": answers,
            "summary": _summary(answers),
            "status_changes": assessment.status_changes.select_related("by"),
            "printed_at": timezone.now(),
        },
    )
