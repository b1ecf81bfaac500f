"""Peer review between the council and its reviewers: the discussion on each point, and
rounds of clarification.

- A discussion thread per point (`PointMessage`): written by the council's members and the
  current reviewers while the assessment is with the reviewers; each message keeps the
  side it was written from. `ThreadRead` records how far each person has read, so that
  messages from the other side are flagged as new (`unread_points`).
- New messages are emailed to the other side, at most once an hour per person and
  assessment (`THREAD_EMAIL_INTERVAL`).
- The lead reviewer asks for clarification on chosen points (`request_clarification`);
  only those points open for the council to change (`services.assessments.may_change_point`);
  a council lead sends the answers back (`send_back_clarification`).

See docs/decisions/0015-peer-review.md and 0018-discussion-and-clarification.md.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from assessments import rules
from assessments.models import (
    Assessment,
    AssessmentEvent,
    ClarificationQuestion,
    ClarificationRound,
    EventKind,
    Notification,
    PointAssessment,
    PointMessage,
    ReviewerAssignment,
    Role,
    Side,
    Status,
    ThreadRead,
    User,
)
from assessments.notifications import notify
from assessments.services.transitions import AlreadyDone, NotAllowedNow, change_state
from standard.models import guidance_of

MESSAGE_LIMIT = 5_000  # characters in one message
QUESTION_LIMIT = 2_000  # characters in one question
# A person hears by email about new messages on an assessment at most this often; the
# "New messages" tags show the rest.
THREAD_EMAIL_INTERVAL = timedelta(hours=1)
BEING_REVIEWED = (Status.IN_REVIEW, Status.CLARIFICATION_REQUESTED)


def side_of(user, assessment):
    """The side `user` speaks for in the assessment's discussions: the council (a member
    of it), the reviewers (a current reviewer), or None (a coordinator, who only reads).
    Nobody is both: a member of the council is never its reviewer (`be_reviewer`)."""
    if not (user.is_authenticated and user.is_active):
        return None
    # The page's permission checks have usually asked both already (cached on the user).
    if rules.role_in_council(user, assessment.service.council_id) is not None:
        return Side.COUNCIL
    if rules.current_assignment(user, assessment) is not None:
        return Side.REVIEWERS
    return None


def thread(assessment, number):
    """The messages about point `number`, oldest first, with their authors: one query."""
    return list(
        PointMessage.objects.filter(assessment=assessment, point__number=number)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def lead_reviewers(assessment):
    """The ids of everyone who has been the lead reviewer of the assessment: a message of
    theirs says "Lead reviewer" even after they stopped being one."""
    return set(
        ReviewerAssignment.objects.filter(assessment=assessment, is_lead=True).values_list(
            "reviewer_id", flat=True
        )
    )


def unread_points(user, assessment):
    """The numbers of the points whose discussion has a message from the other side that
    `user` has not read (newer than their read mark, or with no mark at all).

    The same few queries whatever the number of points and messages: the person's side
    (one for a member, two for a reviewer), then the messages against their read marks.
    Coordinators (no side) have nothing unread.
    """
    side = side_of(user, assessment)
    if side is None:
        return set()
    read_at = ThreadRead.objects.filter(
        user=user, assessment=assessment, point=OuterRef("point")
    ).values("read_at")[:1]
    return set(
        PointMessage.objects.filter(assessment=assessment)
        .exclude(side=side)
        .annotate(read_at=Subquery(read_at))
        .filter(Q(read_at__isnull=True) | Q(created_at__gt=F("read_at")))
        .values_list("point__number", flat=True)
        .distinct()
    )


def read_mark(user, assessment, point):
    """When `user` last read the thread of `point` (None if never)."""
    if not user.is_authenticated:
        return None
    return (
        ThreadRead.objects.filter(user=user, assessment=assessment, point=point)
        .values_list("read_at", flat=True)
        .first()
    )


def mark_read(assessment, point, messages, *, by):
    """Note that `by` has read the thread of `point` up to the newest of `messages` (the
    ones they were shown).

    The mark is that message's time, not now: a message written while the page was being
    built, and so not shown, is newer than the mark and stays new. The mark only moves
    forward, and nothing is written when there is nothing new (coordinators, who have no
    side, are not tracked).
    """
    if not messages or side_of(by, assessment) is None:
        return
    newest = max(message.created_at for message in messages)
    mark, created = ThreadRead.objects.get_or_create(
        user=by, assessment=assessment, point=point, defaults={"read_at": newest}
    )
    if not created and mark.read_at < newest:
        ThreadRead.objects.filter(pk=mark.pk, read_at__lt=newest).update(read_at=newest)


def post_message(assessment, number, *, by, body):
    """Add `by`'s message to the discussion of point `number`, and tell the other side.

    1. Locks the assessment: posting and a change of state happen one after the other,
       and two messages on the same assessment are posted one at a time, so that the
       hourly limit on emails below holds when two people post at once.
    2. Checks the `discuss_point` rule and, for superusers too, that the assessment is
       with its reviewers and that `by` speaks for a side (PermissionDenied otherwise).
    3. Refuses an empty message (ValidationError). Saves it with the side fixed now.
    4. Marks the thread read by its author up to their own message.
    5. Emails the other side (`_thread_recipients`), skipping anyone who was emailed
       about a message of this assessment in the last hour.
    """
    body = body.strip()
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if not by.has_perm("assessments.discuss_point", assessment):
            raise PermissionDenied
        side = side_of(by, assessment)
        if assessment.status not in BEING_REVIEWED or side is None:
            raise PermissionDenied
        if not body:
            raise ValidationError("Enter your message")
        answer = PointAssessment.objects.select_related("point").get(
            assessment=assessment, point__number=number
        )
        message = PointMessage.objects.create(
            assessment=assessment, point=answer.point, author=by, side=side, body=body
        )
        mark_read(assessment, answer.point, [message], by=by)
        recipients = [
            person for person in _thread_recipients(assessment, answer, side) if person.pk != by.pk
        ]
        notify("thread_message", message, _not_emailed_lately(assessment, recipients))
    return message


def _thread_recipients(assessment, answer, side):
    """Who hears of a new message: for the council's, the current reviewers; for a
    reviewer's, the council's leads, the point's last editor and every member of the
    council who wrote in the thread (each while still an active member)."""
    if side == Side.COUNCIL:
        return list(
            User.objects.filter(
                is_active=True,
                review_assignments__in=ReviewerAssignment.objects.current().filter(
                    assessment=assessment
                ),
            )
        )
    council = assessment.service.council
    writers = PointMessage.objects.filter(
        assessment=assessment, point=answer.point, side=Side.COUNCIL
    ).values("author")
    return list(
        User.objects.filter(is_active=True, memberships__council=council)
        .filter(Q(memberships__role=Role.LEAD) | Q(pk=answer.updated_by_id) | Q(pk__in=writers))
        .distinct()
    )


def _not_emailed_lately(assessment, recipients):
    """`recipients` less those emailed about any message of the assessment within the
    last `THREAD_EMAIL_INTERVAL` (the caller holds the assessment's lock, so two posts
    cannot both find nobody emailed)."""
    recently = set(
        Notification.objects.filter(
            kind="thread_message",
            about_type=ContentType.objects.get_for_model(PointMessage),
            about_id__in=PointMessage.objects.filter(assessment=assessment).values("pk"),
            created_at__gte=timezone.now() - THREAD_EMAIL_INTERVAL,
        ).values_list("recipient_id", flat=True)
    )
    return [person for person in recipients if person.pk not in recently]


# --- Clarification ------------------------------------------------------------------


def open_round(assessment):
    """The round of clarification waiting for the council's answers, or None, with its
    questions and their points (without the guidance): one query, for the questions with
    their round (a round is never sent without a question)."""
    questions = list(
        ClarificationQuestion.objects.filter(
            round__assessment=assessment, round__answered_at__isnull=True
        )
        .select_related("round", "point")
        .defer(*guidance_of("point"))
    )
    if not questions:
        return None
    clarification = questions[0].round
    for question in questions:
        question.round = clarification
    # As prefetch_related leaves them (without its second query): `questions.all()`
    # gives these.
    kept = clarification.questions.all()
    kept._result_cache, kept._prefetch_done = questions, True
    clarification._prefetched_objects_cache = {"questions": kept}
    return clarification


def latest_round(assessment):
    return assessment.clarification_rounds.order_by("-number").first()


def request_clarification(assessment, *, by, questions):
    """The lead reviewer sends the assessment back to the council with a question on each
    chosen point. `questions` maps point numbers to the question.

    In one transaction:
    1. Locks the assessment. A repeated request (it is already waiting for the council)
       raises AlreadyDone; any state but "in review" NotAllowedNow; without the
       `lead_review` rule, PermissionDenied (the transition checks both again).
    2. Refuses (ValidationError) no points, an empty question or a point the Standard
       does not have.
    3. Creates the round, numbered after the last, and its questions.
    4. Makes the `request_clarification` transition, which records the status change
       and emails the council (`clarification_requested`, about the round), and writes
       the questions into that history event.
    """
    questions = {number: text.strip() for number, text in questions.items()}
    if not questions or not all(questions.values()):
        raise ValidationError("Choose at least one point and ask a question on each")
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if assessment.status == Status.CLARIFICATION_REQUESTED:
            raise AlreadyDone(assessment)
        if assessment.status != Status.IN_REVIEW:
            raise NotAllowedNow(assessment)
        if not by.has_perm("assessments.lead_review", assessment):
            raise PermissionDenied
        points = {
            point.number: point
            for point in assessment.standard.points.filter(number__in=questions.keys())
        }
        if set(points) != set(questions):
            raise ValidationError("There is no such point")
        last = assessment.clarification_rounds.order_by("-number").first()
        clarification = ClarificationRound.objects.create(
            assessment=assessment, number=(last.number + 1) if last else 1, requested_by=by
        )
        ClarificationQuestion.objects.bulk_create(
            ClarificationQuestion(round=clarification, point=points[number], question=text)
            for number, text in sorted(questions.items())
        )
        assessment = change_state(assessment, "request_clarification", by=by)
        _describe_event(
            assessment,
            EventKind.CLARIFICATION_REQUESTED,
            f"Round {clarification.number}.\n"
            + "\n".join(f"Point {number}: {text}" for number, text in sorted(questions.items())),
        )
    return clarification


def send_back_clarification(assessment, *, by):
    """A council lead sends the answers back to the reviewers.

    In one transaction:
    1. Locks the assessment; AlreadyDone if it is back with the reviewers already (a
       double click), NotAllowedNow in any other state but "clarification requested",
       PermissionDenied without the `send_back_clarification` rule.
    2. Closes the open round (who answered, when).
    3. Makes the `send_back_clarification` transition, which records the status change
       and emails the reviewers (`clarification_answered`, about the round).
    """
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("service__council")
            .get(pk=assessment.pk)
        )
        if assessment.status == Status.IN_REVIEW:
            raise AlreadyDone(assessment)
        if assessment.status != Status.CLARIFICATION_REQUESTED:
            raise NotAllowedNow(assessment)
        if not by.has_perm("assessments.send_back_clarification", assessment):
            raise PermissionDenied
        clarification = ClarificationRound.objects.select_for_update().get(
            assessment=assessment, answered_at__isnull=True
        )
        clarification.answered_at = timezone.now()
        clarification.answered_by = by
        clarification.save(update_fields=["answered_at", "answered_by"])
        assessment = change_state(assessment, "send_back_clarification", by=by)
        _describe_event(
            assessment,
            EventKind.CLARIFICATION_ANSWERED,
            f"Round {clarification.number} answered.",
        )
    return clarification


def _describe_event(assessment, kind, detail):
    """Put `detail` on the history event the transition just wrote (same time, same kind)."""
    AssessmentEvent.objects.filter(
        assessment=assessment, kind=kind, created_at=assessment.status_change.at
    ).update(detail=detail)
