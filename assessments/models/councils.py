from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Upper
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.urls import reverse


class PeerGroup(models.Model):
    """A regional group of councils whose officers review each other's services.

    LocalGov Digital ran such groups from 2016 (London, Midlands, South, South West,
    Yorkshire and Humber). Every council belongs to one; coordinators edit them.
    """

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Nation(models.TextChoices):
    ENGLAND = "England"
    NORTHERN_IRELAND = "Northern Ireland"
    SCOTLAND = "Scotland"
    WALES = "Wales"


def visible_through_membership(queryset, user, council_path):
    """The rows of `queryset` that `user` may see, where `council_path` leads from a row to
    the council it belongs to ("" for councils themselves).

    Coordinators see every council's rows; a council's members see its rows (drafts,
    members and invitations included); anyone else sees none, peer reviewers included
    for now. This is what the `view_*` rules in assessments.rules decide one object at
    a time; tests/test_visibility.py checks that the two agree.
    """
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    # Django gives active superusers every permission, so they see everything too.
    if user.is_coordinator or user.is_superuser:
        return queryset.all()
    # One membership per person and council, so the join cannot repeat a row.
    prefix = f"{council_path}__" if council_path else ""
    return queryset.filter(**{f"{prefix}memberships__user": user})


class CouncilQuerySet(models.QuerySet):
    def private_pages_visible_to(self, user):
        """Councils whose private pages (members, invitations, services, assessments)
        `user` may see. Agrees with the `view_members` and `view_services` rules; every
        council's public page is seen by everyone."""
        return visible_through_membership(self, user, "")

    def current(self):
        return self.filter(is_current=True)

    def former(self):
        return self.filter(is_current=False)

    def signatories(self):
        """Councils that have recorded signing up to the Standard."""
        return self.filter(adopted_on__isnull=False)

    def search(self, text):
        """Councils whose names or code contain `text` (case-insensitive)."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(official_name__icontains=text) | Q(short_name__icontains=text) | Q(code__iexact=text)
        )


class Council(models.Model):
    """A UK local authority, current or former.

    Reference facts come from mySociety's "UK Local Authority Names and Codes"
    (MIT licence) through `manage.py import_councils`. Abolished councils stay,
    marked former, so that their history remains readable.
    """

    code = models.CharField(
        "code",
        max_length=5,
        unique=True,
        help_text="From the local authority register: three letters for councils (COV), "
        "up to five for combined authorities (WMCA) and former Northern Irish districts (NIR-A).",
    )
    official_name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=120)
    gss_code = models.CharField("GSS code", max_length=9, blank=True)
    nation = models.CharField(max_length=20, choices=Nation)
    region = models.CharField(max_length=40)
    authority_type = models.CharField("type code", max_length=5)
    authority_type_name = models.CharField("type", max_length=60)
    population = models.PositiveIntegerField(null=True, blank=True)
    is_current = models.BooleanField("current", default=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    replaced_by = models.ManyToManyField(
        "self", symmetrical=False, related_name="replaced", blank=True
    )
    peer_group = models.ForeignKey(PeerGroup, on_delete=models.PROTECT, related_name="councils")

    # Signing up to the Standard, recorded by the council's lead.
    adopted_on = models.DateField("signed up to the Standard on", null=True, blank=True)
    adoption_sponsor_role = models.CharField("senior sponsor's role", max_length=150, blank=True)
    adoption_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adoption_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = CouncilQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(GreaterThanOrEqual(Length("code"), 3), Exact(F("code"), Upper("code"))),
                name="council_code_upper_case",
            ),
            models.CheckConstraint(
                condition=Q(adopted_on__isnull=True, adoption_sponsor_role="")
                | (Q(adopted_on__isnull=False) & ~Q(adoption_sponsor_role="")),
                name="council_adoption_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["nation", "region"]),
            models.Index(fields=["authority_type"]),
        ]

    def __str__(self):
        return self.official_name

    def get_absolute_url(self):
        return reverse("assessments:council_detail", args=[self])

    @property
    def has_signed_up(self):
        return self.adopted_on is not None
