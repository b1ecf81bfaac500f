import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from assessments.models.councils import visible_through_membership


class UserQuerySet(models.QuerySet):
    def coordinators(self):
        """Active coordinators: who hears about assessments submitted for review."""
        return self.filter(is_active=True, is_coordinator=True)

    def leads_of(self, council):
        """Active council leads of `council`."""
        return self.filter(
            is_active=True, memberships__council=council, memberships__role=Role.LEAD
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_coordinator", True)
        return self._create_user(email, password, **extra_fields)

    def coordinators(self):
        """The people who run the scheme, for emails about the whole scheme."""
        return self.filter(is_coordinator=True, is_active=True)

    def get_by_natural_key(self, email):
        # Email addresses are matched without regard to case: people type them both ways.
        return self.get(email__iexact=email)


def normalise_email(email):
    """Email addresses are stored in lower case, so each person has one account."""
    return (email or "").strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: council staff, peer reviewers and coordinators.

    People sign in with their email address. Their roles: council lead or
    contributor (through `Membership`, per council), reviewer (a flag and peer
    groups, set by a coordinator: a peer reviewer, or an independent assessor who
    belongs to no council) and coordinator. One person can hold
    several: a council lead can also be a peer reviewer for other councils.
    What each role may do is decided in `assessments.rules`.
    """

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField("full name", max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "may use the admin", default=False, help_text="Coordinators use the admin."
    )
    is_coordinator = models.BooleanField(
        default=False, help_text="Runs the scheme: councils, people and reviewer assignment."
    )
    is_peer_reviewer = models.BooleanField(
        "reviewer",
        default=False,
        help_text="Reviews other councils' assessments: a peer reviewer or an independent assessor.",
    )
    is_independent_assessor = models.BooleanField(
        default=False,
        help_text="A reviewer who belongs to no council, paired with peer reviewers.",
    )
    reviewer_peer_groups = models.ManyToManyField(
        "assessments.PeerGroup",
        blank=True,
        related_name="reviewers",
        help_text="Peer reviewers volunteer for reviews in these groups; coordinators may "
        "assign them anywhere.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="unique_user_email_ci"),
            models.CheckConstraint(
                condition=Q(is_independent_assessor=False) | Q(is_peer_reviewer=True),
                name="independent_assessor_reviews",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    """A person's role in a council."""

    LEAD = "lead", "Council lead"
    CONTRIBUTOR = "contributor", "Contributor"


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The memberships `user` may see: agrees with the `view_membership` rule."""
        return visible_through_membership(self, user, "council")

    def leads(self):
        return self.filter(role=Role.LEAD)

    def sole_lead(self):
        """The only lead among these memberships (a council's, say), or None when there
        are several or none.

        A council keeps at least one lead, so its sole lead cannot be removed: every
        page and workflow function that removes members asks this.
        """
        leads = list(self.leads().order_by("pk")[:2])
        return leads[0] if len(leads) == 1 else None


class Membership(models.Model):
    """A person's place in a council: lead (manages members) or contributor."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    council = models.ForeignKey(
        "assessments.Council", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role)
    created_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["council", "user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "council"], name="one_membership_per_council"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.council.short_name}"


class InvitationRole(models.TextChoices):
    LEAD = "lead", "Council lead"
    CONTRIBUTOR = "contributor", "Contributor"
    REVIEWER = "reviewer", "Peer reviewer"
    ASSESSOR = "assessor", "Independent assessor"


def invitation_lifetime():
    return timedelta(days=settings.INVITATION_DAYS)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The invitations `user` may see: agrees with the `view_invitation` rule.
        Invitations to review belong to no council, so only coordinators see them."""
        return visible_through_membership(self, user, "council")

    def pending(self):
        return self.filter(
            accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
        )

    def unanswered(self):
        """Neither accepted nor cancelled: waiting, or expired without an answer."""
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True)

    def for_token(self, token):
        """The invitation a link's token belongs to. Only the token's hash is stored."""
        return self.get(token_hash=hash_token(token))


class Invitation(models.Model):
    """An emailed, single-use, expiring link that makes someone a member or reviewer.

    The link carries a random token; only its SHA-256 hash is stored, so the
    database alone cannot be used to accept an invitation.
    """

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=InvitationRole)
    council = models.ForeignKey(
        "assessments.Council",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    peer_group = models.ForeignKey(
        "assessments.PeerGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__in=["lead", "contributor"]) & Q(council__isnull=False))
                | (Q(role="reviewer") & Q(peer_group__isnull=False))
                | (Q(role="assessor") & Q(council__isnull=True)),
                name="invitation_has_council_or_group",
            ),
        ]

    def __str__(self):
        return f"{self.email} as {self.get_role_display()}"

    @staticmethod
    def new_token():
        """A fresh random token and its hash: the token goes in the email, the hash in the row."""
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)

    def issue_token(self):
        """Replace the link's token with a new one, keeping only its hash; returns the token.

        The invitation email does this each time it is sent, so that a retried or
        repeated email carries a working link although no token is ever stored.
        """
        token, self.token_hash = self.new_token()
        self.save(update_fields=["token_hash"])
        return token

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return self.accepted_at is None and self.cancelled_at is None and not self.is_expired


class PasswordResetRequest(models.Model):
    """A password reset email sent in the last hour: the count behind the limits on them.

    Kept in the database so that every server process sees the same count (see
    assessments.auth). The email address is kept only as a keyed hash, and rows
    older than an hour are deleted as new ones arrive.
    """

    email_hash = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"Password reset asked for at {self.created_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def hash_email(email):
        return salted_hmac(
            "assessments.PasswordResetRequest", normalise_email(email), algorithm="sha256"
        ).hexdigest()
