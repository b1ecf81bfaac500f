"""Self-assessments: a council team scores a service against each point of the Standard.

See docs/decisions/0005-scoring.md for the scale and docs/decisions/0006-assessment-states.md
for how an assessment moves from draft to submitted (and, later, reviewed and published).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from assessments.models.councils import visible_through_membership
from assessments.models.phases import Phase


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for peer review"
    IN_REVIEW = "in_review", "In peer review"
    CLARIFICATION_REQUESTED = "clarification_requested", "Clarification requested"
    REVIEWED = "reviewed", "Peer review complete"
    WITHDRAWN = "withdrawn", "Withdrawn"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Publication withdrawn"


# Submitted and not yet finished: reviewers are (or will be) at work on it.
AWAITING_REVIEW = (Status.SUBMITTED, Status.IN_REVIEW, Status.CLARIFICATION_REQUESTED)
# Published, and possibly withdrawn from publication since: the assessment has a
# `Publication` (docs/decisions/0020-publishing.md).
EVER_PUBLISHED = (Status.PUBLISHED, Status.UNPUBLISHED)


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The assessments, drafts included, `user` may see: agrees with `view_assessment`.

        Their council's members and coordinators see them all; a reviewer sees, besides
        their own council's, the submitted assessments they are a current reviewer of.
        """
        mine = visible_through_membership(self, user, "service__council")
        if not (user.is_authenticated and user.is_active and user.is_peer_reviewer):
            return mine
        reviewing = self.exclude(status=Status.DRAFT).filter(
            assignments__reviewer=user,
            assignments__confirmed_at__isnull=False,
            assignments__ended_at__isnull=True,
        )
        return self.filter(Q(pk__in=mine.values("pk")) | Q(pk__in=reviewing.values("pk")))

    def for_councils_of(self, user):
        """Assessments of the councils `user` is a member of: their own work, which for a
        coordinator is less than what they may see."""
        return self.filter(service__council__memberships__user=user)

    def in_progress(self):
        return self.filter(status=Status.DRAFT)

    def finished(self):
        """Assessments a reassessment may start from: submitted at some point."""
        return self.filter(submitted_at__isnull=False)

    def awaiting_review(self):
        """Submitted and not yet finished (withdrawn, or reviewed): while a service has
        one, no new assessment of it may start."""
        return self.filter(status__in=AWAITING_REVIEW)


class Assessment(models.Model):
    """A council's assessment of one service, at one phase, against one version of the Standard."""

    service = models.ForeignKey(
        "assessments.Service", on_delete=models.PROTECT, related_name="assessments"
    )
    standard = models.ForeignKey(
        "standard.StandardVersion", on_delete=models.PROTECT, related_name="assessments"
    )
    phase = models.CharField(max_length=20, choices=Phase)
    status = models.CharField(max_length=30, choices=Status, default=Status.DRAFT)
    started_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reassessments",
        help_text="The earlier assessment whose evidence this one carried forward.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # When it was first submitted: kept on the row (set by the "submit" transition) because
    # lists sort by it and a reassessment starts from the latest. Everything else about how
    # the assessment moved (who, when, why) is in its status changes.
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="draft"),
                name="one_assessment_in_progress_per_service",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_assessment_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.service} ({self.get_phase_display()}, {self.created_at:%d %B %Y})"

    @property
    def is_draft(self):
        return self.status == Status.DRAFT

    def last_change_to(self, status):
        """The most recent status change into `status`, or None.

        Reads `status_changes` through the prefetch cache when the caller prefetched them.
        """
        changes = [change for change in self.status_changes.all() if change.to_status == status]
        return max(changes, key=lambda change: (change.at, change.pk), default=None)


class StatusChange(models.Model):
    """One move of an assessment from one state to another: append-only.

    Written only by `assessments.services.transitions.change_state`, in the same
    transaction as the move itself. The history page shows these alongside the other
    events; the reason (for a withdrawal, say) is kept here and nowhere else.
    """

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=30, choices=Status)
    to_status = models.CharField(max_length=30, choices=Status)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_status__in=["withdrawn", "unpublished"]) | ~Q(reason=""),
                name="withdrawal_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.from_status} → {self.to_status} ({self.at:%d %B %Y %H:%M})"


class PointAssessmentQuerySet(models.QuerySet):
    def with_point_count(self):
        """Each answer with `point_count`, the number of answers in its assessment (one
        per point of its Standard), in the same query: for "Point 3 of 15" and whether
        there is a next point, on pages that read one answer."""
        count = (
            PointAssessment.objects.filter(assessment=OuterRef("assessment"))
            .order_by()
            .values("assessment")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(point_count=Subquery(count))


class PointAssessment(models.Model):
    """The team's answer for one point: a score or "not applicable", and the evidence.

    `revision` goes up by one on every save. A save says which revision it was
    made from; if someone else saved in between, it is refused rather than
    overwriting their work (see services.save_point).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="points")
    point = models.ForeignKey("standard.Point", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    not_applicable = models.BooleanField(default=False)
    not_applicable_reason = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PointAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["point__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "point"], name="one_answer_per_point"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=5),
                name="score_from_0_to_5",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(score__isnull=True),
                name="not_applicable_has_no_score",
            ),
        ]

    def __str__(self):
        return f"{self.assessment} – point {self.point.number}"


class EvidenceLink(models.Model):
    """A link to evidence for a point: a research report, a performance dashboard, a repository."""

    point_assessment = models.ForeignKey(
        PointAssessment, on_delete=models.CASCADE, related_name="links"
    )
    title = models.CharField(max_length=200)
    url = models.URLField("address", max_length=1000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class EventKind(models.TextChoices):
    CREATED = "created", "Started the assessment"
    REASSESSMENT = "reassessment", "Started the assessment from an earlier one"
    SAVED_POINT = "saved_point", "Saved a point"
    SUBMITTED = "submitted", "Submitted for peer review"
    WITHDRAWN = "withdrawn", "Withdrew the assessment"
    REVIEW_STARTED = "review_started", "Peer review started"
    REVIEWER_ASSIGNED = "reviewer_assigned", "Assigned a reviewer"
    REVIEWER_UNASSIGNED = "reviewer_unassigned", "Unassigned a reviewer"
    REVIEWER_VOLUNTEERED = "reviewer_volunteered", "Offered to review"
    REVIEWER_STEPPED_ASIDE = "reviewer_stepped_aside", "Stepped aside from the review"
    DUE_DATE_CHANGED = "due_date_changed", "Changed the review's due date"
    CLARIFICATION_REQUESTED = "clarification_requested", "Asked the council for clarification"
    CLARIFICATION_ANSWERED = "clarification_answered", "Sent the answers back to the reviewers"
    REVIEW_COMPLETED = "review_completed", "Completed the peer review"
    COUNCIL_RESPONDED = "council_responded", "Responded to the peer review"
    PUBLISHED = "published", "Published the assessment"
    PUBLICATION_WITHDRAWN = "publication_withdrawn", "Withdrew the publication"
    PUBLICATION_CORRECTED = "publication_corrected", "Corrected the publication"


class AssessmentEvent(models.Model):
    """One line of an assessment's history. Written by the workflow functions only; never changed."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind)
    point_number = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # What a save changed, for the history page: see `services.assessments.what_changed`.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%d %B %Y %H:%M})"
