"""Self-assessment: start, answer each point, submit, delete or withdraw."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentEvent,
    EventKind,
    EvidenceLink,
    PointAssessment,
    Service,
    Status,
)
from standard.models import StandardVersion


class EditConflict(Exception):
    """Someone else saved this point after the person opened it. Carries their version."""

    def __init__(self, current):
        super().__init__("The point was changed by someone else.")
        self.current = current


class IncompleteAssessment(Exception):
    """Submission refused: these points are unscored or lack a not-applicable reason."""

    def __init__(self, problems):
        super().__init__("The assessment is not complete.")
        self.problems = problems  # [(point number, short title, what is missing)]


def _record(assessment, kind, by, *, point_number=None, detail=""):

    AssessmentEvent.objects.create(
        assessment=assessment, kind=kind, actor=by, point_number=point_number, detail=detail
    )


def start_assessment(service, *, by, phase, carry_forward=False):
    """Start assessing a service against the current version of the Standard.

    1. Checks that `by` is a member of the service's council and the service is active.
    2. Locks the service, then refuses (ValidationError) if it already has a draft: of two
       people starting at once, the second waits for the first and finds their draft.
       The database also allows only one draft per service.
    3. Creates the assessment and one empty answer per point.
    4. With `carry_forward`, copies the evidence and links (not the scores) of the
       service's last finished assessment, point by point (matched by number), so the team
       edits rather than retypes.
    5. Records the start in the assessment's history.
    """

    if not by.has_perm("assessments.start_assessment", service):
        raise PermissionDenied
    standard = StandardVersion.objects.current()
    previous = None
    if carry_forward:
        previous = service.assessments.finished().order_by("-submitted_at").first()
    with transaction.atomic():
        Service.objects.select_for_update().get(pk=service.pk)
        if service.assessments.filter(status=Status.DRAFT).exists():
            raise ValidationError("This service already has an assessment in progress.")
        assessment = Assessment.objects.create(
            service=service, standard=standard, phase=phase, created_by=by, started_from=previous
        )
        earlier = {}
        if previous is not None:
            earlier = {
                answer.point.number: answer
                for answer in previous.points.select_related("point").prefetch_related("links")
            }
        answers = PointAssessment.objects.bulk_create(
            PointAssessment(
                assessment=assessment,
                point=point,
                evidence=earlier[point.number].evidence if point.number in earlier else "",
            )
            for point in standard.points.order_by("number")
        )
        if earlier:
            EvidenceLink.objects.bulk_create(
                EvidenceLink(
                    point_assessment=answer, title=link.title, url=link.url, position=link.position
                )
                for answer in answers
                if answer.point.number in earlier
                for link in earlier[answer.point.number].links.all()
            )
        if previous is not None:
            _record(
                assessment,
                EventKind.REASSESSMENT,
                by,
                detail=f"Evidence carried forward from the assessment submitted on "
                f"{timezone.localtime(previous.submitted_at):%-d %B %Y}.",
            )
        else:
            _record(assessment, EventKind.CREATED, by)
    return assessment


def save_point(answer, *, by, revision, score, not_applicable, reason, evidence, links):
    """Save the team's answer for one point, unless someone else saved it first.

    1. Checks that `by` may edit the assessment (a member, while it is a draft).
    2. Locks the answer. If its revision is not the one the person started from,
       someone else saved in between: raises EditConflict with their version and
       changes nothing.
    3. Saves the score or "not applicable" and reason, the evidence and the links
       (replacing the old links), bumps the revision, and notes who and when.
    4. Records the save in the history.

    `links` is a list of (title, url) pairs. Returns the saved answer.
    """

    with transaction.atomic():
        answer = (
            PointAssessment.objects.select_for_update(of=("self",))
            .select_related("assessment__service__council", "point", "updated_by")
            .get(pk=answer.pk)
        )
        if not by.has_perm("assessments.edit_assessment", answer.assessment):
            raise PermissionDenied
        if answer.revision != revision:
            raise EditConflict(answer)
        answer.not_applicable = not_applicable
        answer.score = None if not_applicable else score
        answer.not_applicable_reason = reason.strip() if not_applicable else ""
        answer.evidence = evidence.strip()
        answer.revision += 1
        answer.updated_at = timezone.now()
        answer.updated_by = by
        answer.save()
        answer.links.all().delete()
        EvidenceLink.objects.bulk_create(
            EvidenceLink(point_assessment=answer, title=title, url=url, position=position)
            for position, (title, url) in enumerate(links)
        )
        _record(answer.assessment, EventKind.SAVED_POINT, by, point_number=answer.point.number)
    return answer


def incomplete_points(assessment):
    """What stops submission: [(number, short title, what is missing)] in point order."""
    problems = []
    for answer in assessment.points.select_related("point").order_by("point__number"):
        if answer.not_applicable and not answer.not_applicable_reason.strip():
            problems.append(
                (
                    answer.point.number,
                    answer.point.short_title,
                    "give a reason it is not applicable",
                )
            )
        elif not answer.not_applicable and answer.score is None:
            problems.append((answer.point.number, answer.point.short_title, "score this point"))
    return problems


def submit(assessment, *, by):
    """Submit a draft for peer review.

    1. Checks that `by` is a lead of the council and the assessment is a draft.
    2. Locks the assessment, then refuses (IncompleteAssessment, listing the points)
       while any point is unscored or lacks its not-applicable reason.
    3. Marks it submitted, by whom and when, and records it in the history.
    """

    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if not by.has_perm("assessments.submit_assessment", assessment):
            raise PermissionDenied
        problems = incomplete_points(assessment)
        if problems:
            raise IncompleteAssessment(problems)
        assessment.status = Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = by
        assessment.save(update_fields=["status", "submitted_at", "submitted_by"])
        _record(assessment, EventKind.SUBMITTED, by)
    return assessment


def delete_draft(assessment, *, by):
    """Delete a draft that was never submitted (anything submitted can only be withdrawn)."""

    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if not by.has_perm("assessments.delete_assessment", assessment):
            raise PermissionDenied
        assessment.delete()


def withdraw(assessment, *, by, reason):
    """Withdraw a submitted assessment, with a reason that stays on the record."""

    reason = reason.strip()
    if not reason:
        raise ValidationError("Enter why you are withdrawing the assessment")
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if not by.has_perm("assessments.withdraw_assessment", assessment):
            raise PermissionDenied
        assessment.status = Status.WITHDRAWN
        assessment.withdrawn_at = timezone.now()
        assessment.withdrawn_by = by
        assessment.withdrawal_reason = reason
        assessment.save(
            update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason"]
        )
        _record(assessment, EventKind.WITHDRAWN, by, detail=reason)
    return assessment
