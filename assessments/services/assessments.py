"""Self-assessment: start an assessment and answer each point.

Submitting, withdrawing and deleting are transitions: see `transitions.py`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assessments import scoring
from assessments.models import (
    Assessment,
    AssessmentEvent,
    ClarificationQuestion,
    EventKind,
    EvidenceLink,
    PointAssessment,
    Service,
    Status,
)
from assessments.services.conflicts import EditConflict
from standard.models import StandardVersion, guidance_of


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

    1. Checks the `start_assessment` rule: `by` is a member of the service's council, the
       service is active, and no assessment of it is waiting for peer review (one can only
       come to wait through a draft's submission, and step 2 finds drafts under the lock).
    2. Locks the service, then refuses (ValidationError) if it already has a draft: of two
       people starting at once, the second waits for the first and finds their draft.
       The database also allows only one draft per service.
    3. Creates the assessment and one empty answer per point.
    4. With `carry_forward`, copies the evidence, links and not-applicable reasons (not the
       scores, nor whether a point was not applicable) of the service's last finished
       assessment, point by point (matched by number), so the team edits rather than retypes.
    5. Records the start in the assessment's history.
    """

    # The rule says "in use" and "none waiting" too, but a superuser is never asked the
    # rule: the state is checked here as well (below, under the lock, for the waiting one).
    if service.is_retired or not by.has_perm("assessments.start_assessment", service):
        raise PermissionDenied
    standard = StandardVersion.objects.current()
    previous = None
    if carry_forward:
        previous = service.assessments.finished().order_by("-submitted_at").first()
    with transaction.atomic():
        Service.objects.select_for_update().get(pk=service.pk)
        if service.assessments.filter(status=Status.DRAFT).exists():
            raise ValidationError("This service already has an assessment in progress.")
        if service.assessments.awaiting_review().exists():
            raise PermissionDenied("An assessment of this service is waiting for peer review.")
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
                # The reason, not the choice: the team chooses again, as it scores again.
                not_applicable_reason=(
                    earlier[point.number].not_applicable_reason if point.number in earlier else ""
                ),
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


class NotEditable(Exception):
    """The assessment stopped being a draft (it was submitted, say) before this save
    landed. Nothing was saved; carries the assessment as it now is."""

    def __init__(self, assessment):
        super().__init__("The assessment can no longer be edited.")
        self.assessment = assessment


def clarification_points(assessment):
    """The ids of the points asked about in the assessment's open round of clarification
    (none when no round is open): the only points the council may change then."""
    return set(
        ClarificationQuestion.objects.filter(
            round__assessment=assessment, round__answered_at__isnull=True
        ).values_list("point_id", flat=True)
    )


def open_questions(assessment):
    """The open round's questions by point id (none when no round is open): one query,
    for a page that shows the question and asks `may_change_point` with its `asked`."""
    return {
        question.point_id: question
        for question in ClarificationQuestion.objects.filter(
            round__assessment=assessment, round__answered_at__isnull=True
        )
    }


def may_change_point(user, assessment, point_id, *, asked=None):
    """Whether `user` may change the answer to a point now: a member of the council while
    the assessment is a draft, or while clarification is requested on that point.
    `asked` is the ids of the points asked about, if the caller has read them already.

    The state is asked as well as the rules: Django gives an active superuser every
    permission without asking the rules.
    """
    if assessment.is_draft:
        return user.has_perm("assessments.edit_assessment", assessment)
    if assessment.status == Status.CLARIFICATION_REQUESTED:
        if not user.has_perm("assessments.answer_clarification", assessment):
            return False
        return point_id in (clarification_points(assessment) if asked is None else asked)
    return False


def save_point(
    answer, *, by, revision, score, not_applicable, reason, evidence, links, replacing=False
):
    """Save the team's answer for one point, unless someone else saved it first.

    1. Locks the assessment, then the answer: a save and a transition (submit, say) of
       the same assessment happen one after the other, so no save lands in an
       assessment that is no longer a draft.
    2. Checks that `by` may change this point (`may_change_point`: a member, while the
       assessment is a draft or the point is asked about in an open round of
       clarification): anyone who may see the assessment gets NotEditable once it is no
       longer a draft (submitted meanwhile, or this point not asked about), anyone else
       PermissionDenied. Nothing is saved.
    3. If the answer's revision is not the one the person started from, someone else
       saved in between: raises EditConflict with their version and changes nothing.
       `replacing` says the person has seen that other version and saves over it.
    4. Saves the score or "not applicable" and reason, the evidence and the links
       (replacing the old links), bumps the revision, and notes who and when.
    5. Records in the history what changed (`what_changed`). A save that changes
       nothing writes nothing.

    `links` is a list of (title, url) pairs. Returns the saved answer.
    """

    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("service__council")
            .get(pk=answer.assessment_id)
        )
        if not may_change_point(by, assessment, answer.point_id):
            if by.has_perm("assessments.view_assessment", assessment) and not assessment.is_draft:
                raise NotEditable(assessment)
            raise PermissionDenied
        answer = (
            PointAssessment.objects.select_for_update(of=("self",))
            .select_related("point", "updated_by")
            .get(pk=answer.pk)
        )
        if answer.revision != revision:
            raise EditConflict(answer)

        before = _answer_state(answer, [(link.title, link.url) for link in answer.links.all()])
        replaced = answer.updated_by if replacing and answer.updated_by_id != by.pk else None
        answer.not_applicable = not_applicable
        answer.score = None if not_applicable else score
        answer.not_applicable_reason = reason.strip() if not_applicable else ""
        answer.evidence = evidence.strip()
        changes = what_changed(before, _answer_state(answer, links))
        if not changes:
            return answer
        if replaced is not None:
            changes["replaced"] = replaced.get_full_name()
        answer.revision += 1
        answer.updated_at = timezone.now()
        answer.updated_by = by
        answer.save()
        answer.links.all().delete()
        EvidenceLink.objects.bulk_create(
            EvidenceLink(point_assessment=answer, title=title, url=url, position=position)
            for position, (title, url) in enumerate(links)
        )
        AssessmentEvent.objects.create(
            assessment=assessment,
            kind=EventKind.SAVED_POINT,
            actor=by,
            point_number=answer.point.number,
            changes=changes,
        )
    return answer


def _answer_state(answer, links):
    return {
        "score": answer.score,
        "not_applicable": answer.not_applicable,
        "reason": answer.not_applicable_reason,
        "evidence": answer.evidence,
        "links": [list(link) for link in links],
    }


def what_changed(before, after):
    """What a save changed, as the history shows it (empty when nothing did).

    - "answer": [old, new], each a score 0–5, "n/a" or None (not answered)
    - "reason": the new not-applicable reason, when it changed
    - "evidence": "added", "changed" or "removed"
    - "links_added" / "links_removed": [[title, address], ...]
    """

    def answer(state):
        return "n/a" if state["not_applicable"] else state["score"]

    changes = {}
    if answer(before) != answer(after):
        changes["answer"] = [answer(before), answer(after)]
    if after["not_applicable"] and before["reason"] != after["reason"]:
        changes["reason"] = after["reason"]
    if before["evidence"] != after["evidence"]:
        if not before["evidence"]:
            changes["evidence"] = "added"
        elif not after["evidence"]:
            changes["evidence"] = "removed"
        else:
            changes["evidence"] = "changed"
    old_links, new_links = before["links"], after["links"]
    if added := [link for link in new_links if link not in old_links]:
        changes["links_added"] = added
    if removed := [link for link in old_links if link not in new_links]:
        changes["links_removed"] = removed
    return changes


def incomplete_points(assessment):
    """What stops submission: [(number, short title, what is missing)] in point order,
    by the rule in `scoring.missing`."""
    answers = (
        assessment.points.select_related("point")
        .defer(*guidance_of("point"))
        .annotate(link_count=Count("links"))
        .order_by("point__number")
    )
    return [
        (answer.point.number, answer.point.short_title, problem)
        for answer in answers
        if (problem := scoring.missing(answer, answer.link_count))
    ]
