"""The public record: what a council published, frozen as it was when published.

How the pieces fit (see docs/decisions/0020-publishing.md):

- `Publication`: one per published assessment, sharing its primary key, so the public
  address `/assessments/<id>/` and the open data's "assessment id" are the assessment's.
  Everything the public sees is copied onto it when it is published, by one pure function
  (`assessments.publishing.snapshot`): the council's and service's names and facts, the
  phase, the Standard's version, who reviewed it, and the figures. Later edits to the
  assessment, the Standard, the council or the service do not reach it.
- `PublishedPoint`: one per point: the Standard's wording, the council's score and
  evidence, the review's agreed score and comments, and the score that counts.
- `Correction`: a coordinator's change to a published text, with the reason, shown on the
  report.

Public pages, downloads, the API and the feed read these tables only, never the live
assessment, and list only `Publication.objects.public()` (not withdrawn).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class ReviewType(models.TextChoices):
    PEER_REVIEWED = "peer_reviewed", "Peer reviewed"
    SELF_ASSESSED = "self_assessed", "Self-assessed"


class PublicationQuerySet(models.QuerySet):
    def public(self):
        """Published and not withdrawn: what every list, figure, download, API response
        and feed is made from. A withdrawn publication is seen only at its own address."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self):
        return self.filter(withdrawn_at__isnull=False)


class Publication(models.Model):
    assessment = models.OneToOneField(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="publication",
    )
    # Kept to find a council's and a service's publications; what is shown is the copy.
    council = models.ForeignKey(
        "assessments.Council", on_delete=models.PROTECT, related_name="publications"
    )
    service = models.ForeignKey(
        "assessments.Service", on_delete=models.PROTECT, related_name="publications"
    )
    standard = models.ForeignKey(
        "standard.StandardVersion", on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "assessments.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications",
    )

    # The council, as it was.
    council_code = models.CharField(max_length=5)
    council_name = models.CharField(max_length=120)
    gss_code = models.CharField("GSS code", max_length=9, blank=True)
    nation = models.CharField(max_length=20)
    region = models.CharField(max_length=40)
    authority_type = models.CharField("type code", max_length=5)
    authority_type_name = models.CharField("type", max_length=60)
    peer_group_name = models.CharField(max_length=100)
    peer_group_slug = models.SlugField(max_length=100)

    # The service, as it was.
    service_name = models.CharField(max_length=150)
    service_description = models.TextField(blank=True)
    service_url = models.URLField(max_length=500, blank=True)
    sourcing = models.CharField(max_length=20)
    product_name = models.CharField(max_length=150, blank=True)
    supplier_name = models.CharField(max_length=150, blank=True)

    # The assessment.
    phase = models.CharField(max_length=20)
    standard_name = models.CharField(max_length=200)
    standard_version = models.CharField(max_length=20)
    review_type = models.CharField(max_length=20, choices=ReviewType)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField()

    # The peer review (blank for a self-assessment). Reviewers are named by their
    # council (or "Independent assessor"), never by name.
    reviewer_councils = models.JSONField(default=list, blank=True)
    review_completed_at = models.DateTimeField(null=True, blank=True)
    recommendation = models.CharField(max_length=30, blank=True)
    recommendation_label = models.CharField(max_length=60, blank=True)
    review_summary = models.TextField(blank=True)
    council_response = models.TextField(blank=True)

    # The figures (scoring.summarise): the council's own, the review's, and the ones that
    # count (the review's when peer reviewed, the council's otherwise).
    self_total = models.PositiveSmallIntegerField()
    self_maximum = models.PositiveSmallIntegerField()
    self_met = models.PositiveSmallIntegerField()
    self_applicable = models.PositiveSmallIntegerField()
    self_average = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    self_rating = models.CharField(max_length=10, blank=True)
    agreed_total = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_maximum = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_met = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_applicable = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_average = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    agreed_rating = models.CharField(max_length=10, blank=True)
    total = models.PositiveSmallIntegerField()
    maximum = models.PositiveSmallIntegerField()
    met = models.PositiveSmallIntegerField()
    applicable = models.PositiveSmallIntegerField()
    average = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    rating = models.CharField(max_length=10, blank=True)

    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="withdrawn_publication_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(review_type="self_assessed", agreed_total__isnull=True)
                | Q(review_type="peer_reviewed", agreed_total__isnull=False),
                name="agreed_figures_only_when_peer_reviewed",
            ),
        ]
        indexes = [
            models.Index(fields=["withdrawn_at", "-published_at"]),
            models.Index(fields=["nation", "region"]),
            models.Index(fields=["service", "-published_at"]),
        ]

    def __str__(self):
        return f"{self.service_name}, {self.council_name} ({self.published_at:%d %B %Y})"

    def get_absolute_url(self):
        return reverse("assessments:published_assessment", args=[self.pk])

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None

    @property
    def is_peer_reviewed(self):
        return self.review_type == ReviewType.PEER_REVIEWED


class PublishedPoint(models.Model):
    """One point of a publication, frozen: the Standard's words and every score and text."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="points")
    number = models.PositiveSmallIntegerField()
    short_title = models.CharField(max_length=80)
    statement = models.TextField()

    # The council's answer.
    self_score = models.PositiveSmallIntegerField(null=True, blank=True)
    self_not_applicable = models.BooleanField(default=False)
    not_applicable_reason = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)  # [{"title": …, "url": …}, …]

    # The review's (blank for a self-assessment).
    agreed_score = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_not_applicable = models.BooleanField(default=False)
    done_well = models.TextField(blank=True)
    to_explore = models.TextField(blank=True)

    # What counts: the agreed answer when peer reviewed, the council's otherwise.
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    met = models.BooleanField(default=False)

    class Meta:
        ordering = ["publication", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "number"], name="one_published_answer_per_point"
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(score__isnull=True, met=False),
                name="published_not_applicable_has_no_score",
            ),
        ]
        indexes = [models.Index(fields=["number", "met", "not_applicable"])]

    def __str__(self):
        return f"Point {self.number} of {self.publication}"


class CorrectableField(models.TextChoices):
    EVIDENCE = "evidence", "The council's evidence"
    NOT_APPLICABLE_REASON = "not_applicable_reason", "Why the point does not apply"
    DONE_WELL = "done_well", "What the team has done well"
    TO_EXPLORE = "to_explore", "What the team needs to explore"


class Correction(models.Model):
    """A coordinator's correction of a published text (a name given by mistake, say),
    with the reason, shown on the report. The text as published is kept here."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="corrections"
    )
    point_number = models.PositiveSmallIntegerField()
    field = models.CharField(max_length=30, choices=CorrectableField)
    old_text = models.TextField(blank=True)
    new_text = models.TextField(blank=True)
    reason = models.TextField()
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["made_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
        ]

    def __str__(self):
        return f"Correction to point {self.point_number} of {self.publication}"


class PublicRecord(models.Model):
    """One row: how many times the public record has changed, and when it last did.

    Publishing, withdrawing a publication and correcting one add one to `version` in the
    same transaction (`assessments.publishing.records`). Public pages and downloads use
    it as their `ETag` and `Last-Modified`, and in their cache keys, so every app server
    sees a change at once, whatever cache it uses, and nothing needs to be cleared.
    """

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="public_record_is_one_row"),
        ]

    def __str__(self):
        return f"Public record, version {self.version}"

    @classmethod
    def current(cls):
        """The version and time of the last change (version 0, no time, before any)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
