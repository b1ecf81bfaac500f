"""The Local Government Digital Service Standard: its versions and their points.

This app knows the Standard and nothing about councils. Each assessment records
the version it was made against, and each version keeps its own points, so a
later version of the Standard can be added (and made current) without changing
what assessments against version 1.0 said.
"""

from django.db import models
from django.db.models import Q


class StandardVersionQuerySet(models.QuerySet):
    def current(self):
        """The version new assessments are made against."""
        return self.get(is_current=True)


class StandardVersion(models.Model):
    slug = models.SlugField(unique=True, help_text="For example lgdss-1-0.")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=20)
    version = models.CharField(max_length=20)
    summary = models.TextField(blank=True)
    published_on = models.DateField()
    publisher = models.CharField(max_length=200)
    source_url = models.URLField()
    licence_name = models.CharField(max_length=200)
    licence_url = models.URLField()
    is_current = models.BooleanField(
        default=False, help_text="New assessments are made against the current version."
    )

    objects = StandardVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="one_current_standard_version",
            ),
            models.UniqueConstraint(fields=["name", "version"], name="unique_standard_version"),
        ]

    def __str__(self):
        return f"{self.name} {self.version}"


# Our guidance for a point: about 5 KB of text each, shown only on the point's own pages
# (the Standard's and the assessment's). Pages that list points by number and title leave
# it in the database: `Point.objects.without_guidance()`, or `guidance_of("point")` to
# defer it through a relation.
GUIDANCE_FIELDS = (
    "purpose",
    "how_to_meet",
    "evidence",
    "questions",
    "discovery",
    "alpha",
    "beta",
    "live",
)


def guidance_of(relation):
    """The guidance fields of the point at `relation`, for `.defer()` with `select_related`."""
    return [f"{relation}__{name}" for name in GUIDANCE_FIELDS]


class PointQuerySet(models.QuerySet):
    def current(self):
        return self.filter(version__is_current=True)

    def without_guidance(self):
        """Number, titles and statement, without the guidance (read if asked for, a query
        a point: so only where no point's guidance is shown)."""
        return self.defer(*GUIDANCE_FIELDS)


class Point(models.Model):
    """One point of a version of the Standard, with our guidance for it.

    The statement is the Standard's own words. The guidance fields are ours:
    paragraphs are separated by blank lines; `evidence` and `questions` hold one
    item per line.
    """

    version = models.ForeignKey(StandardVersion, on_delete=models.PROTECT, related_name="points")
    number = models.PositiveSmallIntegerField()
    short_title = models.CharField(max_length=80)
    statement = models.TextField()
    purpose = models.TextField("why it matters", blank=True)
    how_to_meet = models.TextField("how to meet it", blank=True)
    evidence = models.TextField("evidence a reviewer would expect", blank=True)
    questions = models.TextField("questions a reviewer may ask", blank=True)
    discovery = models.TextField("expected at discovery", blank=True)
    alpha = models.TextField("expected at alpha", blank=True)
    beta = models.TextField("expected at beta", blank=True)
    live = models.TextField("expected at live", blank=True)

    objects = PointQuerySet.as_manager()

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="unique_point_number"),
            models.UniqueConstraint(fields=["version", "short_title"], name="unique_point_title"),
            models.CheckConstraint(condition=Q(number__gte=1), name="point_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.short_title}"

    @property
    def evidence_items(self):
        return [line.strip() for line in self.evidence.splitlines() if line.strip()]

    @property
    def question_items(self):
        return [line.strip() for line in self.questions.splitlines() if line.strip()]

    @property
    def phase_expectations(self):
        """(phase name, what is expected) in the order a service moves through them."""
        return [
            ("Discovery", self.discovery),
            ("Alpha", self.alpha),
            ("Beta", self.beta),
            ("Live", self.live),
        ]
