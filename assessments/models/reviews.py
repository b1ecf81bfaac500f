"""Peer review: officers of other councils and independent assessors review a submitted
assessment point by point, as critical friends.

How the pieces fit (see docs/decisions/0015-peer-review.md):

- `Review`: one per submitted assessment that has been taken up for review. Its due date,
  and once complete the outcome: the lead reviewer's summary and recommendation, and the
  council's response on the record.
- `ReviewerAssignment`: a reviewer on a review (two or three, one of them the lead). A
  volunteer's assignment waits for a coordinator to confirm it. Assignments are never
  deleted: one that ends (unassigned, or the reviewer stepped aside for a conflict of
  interest) keeps who ended it, when and why.
- `ReviewerPoint`: one reviewer's own score and comments on one point. Private to the
  reviewers until the review is complete.
- `AgreedPoint`: the score and comments the review gives a point, set by the lead
  reviewer after seeing every reviewer's (docs/decisions/0016-agreed-scores.md).
- `PointMessage`: the discussion about one point between the council's members and the
  reviewers. Never public. `ThreadRead` records how far each person has read.
- `ClarificationRound` and `ClarificationQuestion`: the lead reviewer sends the assessment
  back with a question on chosen points; only those points open for the council to change.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Recommendation(models.TextChoices):
    MEETS = "meets", "Meets the Standard"
    MEETS_WITH_ACTIONS = "meets_with_actions", "Meets the Standard, with actions"
    DOES_NOT_MEET = "does_not_meet", "Does not yet meet the Standard"


class Review(models.Model):
    """The peer review of one assessment."""

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="review"
    )
    created_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(help_text="When the reviewers should have completed the review.")
    # Set when the one "review overdue" reminder was asked for: it goes once.
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    recommendation = models.CharField(max_length=30, choices=Recommendation, blank=True)
    # Guards the lead reviewer's summary and recommendation as `PointAssessment.revision`
    # guards a point (docs/decisions/0007-edits-that-cross.md).
    revision = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    council_response = models.TextField(blank=True)
    council_response_at = models.DateTimeField(null=True, blank=True)
    council_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | (~Q(summary="") & ~Q(recommendation="")),
                name="completed_review_has_summary_and_recommendation",
            ),
        ]

    def __str__(self):
        return f"Review of {self.assessment}"

    @property
    def is_complete(self):
        return self.completed_at is not None

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return not self.is_complete and self.due_on < today


class AssignmentEnd(models.TextChoices):
    UNASSIGNED = "unassigned", "Unassigned by a coordinator"
    CONFLICT = "conflict", "Stepped aside: conflict of interest"
    NOT_CONFIRMED = "not_confirmed", "Offer to review not taken up"
    NOT_NEEDED = "not_needed", "Published without peer review"


class AssignmentQuerySet(models.QuerySet):
    def current(self):
        """Confirmed and not ended: the reviewers of the review."""
        return self.filter(confirmed_at__isnull=False, ended_at__isnull=True)

    def offers(self):
        """Volunteers waiting for a coordinator to confirm them."""
        return self.filter(confirmed_at__isnull=True, ended_at__isnull=True)

    def open(self):
        """Not ended: current reviewers and offers."""
        return self.filter(ended_at__isnull=True)


class ReviewerAssignment(models.Model):
    """A reviewer on the review of an assessment."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    is_lead = models.BooleanField("lead reviewer", default=False)
    volunteered = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Null while a volunteer's offer waits for a coordinator.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end = models.CharField(max_length=20, choices=AssignmentEnd, blank=True)
    # Why the reviewer stepped aside: seen by coordinators only.
    conflict_reason = models.TextField(blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-is_lead", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "reviewer"],
                condition=Q(ended_at__isnull=True),
                name="one_open_assignment_per_reviewer",
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(is_lead=True, ended_at__isnull=True),
                name="one_lead_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end="")
                | (Q(ended_at__isnull=False) & ~Q(end="")),
                name="ended_assignment_says_how",
            ),
            models.CheckConstraint(
                condition=~Q(end="conflict") | ~Q(conflict_reason=""),
                name="conflict_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(is_lead=False) | Q(confirmed_at__isnull=False),
                name="lead_reviewer_is_confirmed",
            ),
        ]

    def __str__(self):
        role = "lead reviewer" if self.is_lead else "reviewer"
        return f"{self.reviewer} – {role} of {self.assessment}"

    @property
    def is_current(self):
        return self.confirmed_at is not None and self.ended_at is None


class ReviewerPoint(models.Model):
    """One reviewer's score and comments on one point: private to the reviewers until the
    review is complete."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="reviewer_points"
    )
    point = models.ForeignKey("standard.Point", on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    not_applicable = models.BooleanField(default=False)
    done_well = models.TextField("what the team has done well", blank=True)
    to_explore = models.TextField("what the team needs to explore", blank=True)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["point__number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "point", "reviewer"], name="one_score_per_reviewer_and_point"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=5),
                name="reviewer_score_from_0_to_5",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(score__isnull=True),
                name="reviewer_not_applicable_has_no_score",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} on point {self.point.number} of {self.assessment}"


class AgreedPoint(models.Model):
    """The review's score and comments on one point, set by the lead reviewer."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="agreed_points"
    )
    point = models.ForeignKey("standard.Point", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    not_applicable = models.BooleanField(default=False)
    done_well = models.TextField("what the team has done well", blank=True)
    to_explore = models.TextField("what the team needs to explore", blank=True)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["point__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "point"], name="one_agreed_score_per_point"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=5),
                name="agreed_score_from_0_to_5",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(score__isnull=True),
                name="agreed_not_applicable_has_no_score",
            ),
        ]

    def __str__(self):
        return f"Agreed score for point {self.point.number} of {self.assessment}"

    @property
    def is_set(self):
        return self.not_applicable or self.score is not None


class Side(models.TextChoices):
    COUNCIL = "council", "Council"
    REVIEWERS = "reviewers", "Reviewers"


class PointMessage(models.Model):
    """A message in the discussion about one point of an assessment. Never public, never
    changed once written."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="messages"
    )
    point = models.ForeignKey("standard.Point", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Which side wrote it, fixed when written (a person's roles may change later).
    side = models.CharField(max_length=20, choices=Side)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["assessment", "point", "created_at"])]

    def __str__(self):
        return f"Message on point {self.point.number} of {self.assessment}"


class ThreadRead(models.Model):
    """When a person last read the discussion of a point: newer messages from the other
    side are flagged to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="+"
    )
    point = models.ForeignKey("standard.Point", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "assessment", "point"], name="one_read_mark_per_thread"
            ),
        ]

    def __str__(self):
        return f"{self.user} read point {self.point_id} of {self.assessment_id} at {self.read_at}"


class ClarificationRound(models.Model):
    """The lead reviewer sent the assessment back with questions; the council answered
    (`answered_at`) by sending it back to the reviewers."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="clarification_rounds"
    )
    number = models.PositiveSmallIntegerField()
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "number"], name="clarification_rounds_numbered"
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(answered_at__isnull=True),
                name="one_open_clarification_round",
            ),
        ]

    def __str__(self):
        return f"Clarification round {self.number} of {self.assessment}"

    @property
    def is_open(self):
        return self.answered_at is None


class ClarificationQuestion(models.Model):
    """A question on one point in a round: the point is open for the council to change."""

    round = models.ForeignKey(
        ClarificationRound, on_delete=models.CASCADE, related_name="questions"
    )
    point = models.ForeignKey("standard.Point", on_delete=models.PROTECT, related_name="+")
    question = models.TextField()

    class Meta:
        ordering = ["point__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "point"], name="one_question_per_point_and_round"
            ),
        ]

    def __str__(self):
        return f"Question on point {self.point.number} ({self.round})"
