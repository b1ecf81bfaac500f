"""Who may do what: the one place where permissions are decided.

Views ask `request.user.has_perm("assessments.<name>", obj)` (through the
`rules` authentication backend) and refuse with 403 when it is false; templates
only use the same answers to show or hide links. Each permission takes the
object it is about: a council, a service, an assessment, a membership, an
invitation or nothing.

The `view_*` rules decide one object at a time what the `visible_to(user)`
querysets decide for a whole list (tests/test_visibility.py checks that they
agree). Views find the objects in their address through those querysets
(assessments/views/lookups.py): what a person may not see is 404, whether it
exists or not; what they may see but not act on is 403.

Roles:
- council lead: manages their council's members and records signing up
- council contributor: a member of a council, without member management
- reviewer: a peer reviewer (an officer of a council, in one or more peer groups) or an
  independent assessor (no council), flagged by a coordinator; sees and reviews only the
  submitted assessments they are a current reviewer of, never their own council's
- coordinator: runs the scheme (councils, peer groups, people, invitations anywhere)
"""

import rules

from assessments.models import (
    AWAITING_REVIEW,
    EVER_PUBLISHED,
    Membership,
    Review,
    ReviewerAssignment,
    Role,
    Status,
)


@rules.predicate
def is_coordinator(user):
    return bool(user.is_authenticated and user.is_active and user.is_coordinator)


@rules.predicate
def is_peer_reviewer(user):
    return bool(user.is_authenticated and user.is_active and user.is_peer_reviewer)


def _role_in(user, council):
    """The user's role in the council, or None. Cached per request on the user object."""
    return None if council is None else role_in_council(user, council.pk)


def role_in_council(user, council_id):
    """The user's role in the council with this id, or None: one query per request for
    all their councils, cached on the user object, unless the object the page is about
    was read with the person's role in its council (`note_role_in_council`)."""
    if not (user.is_authenticated and user.is_active):
        return None
    # getattr and setattr, not the user's __dict__: a view's request.user is a lazy object
    # that passes both to the user it wraps, which is the one the permission checks get.
    cache = getattr(user, "_council_roles", None)
    if cache is None:
        noted = getattr(user, "_council_roles_noted", {})
        if council_id in noted:
            return noted[council_id]
        cache = dict(Membership.objects.filter(user=user).values_list("council_id", "role"))
        user._council_roles = cache
    return cache.get(council_id)


def note_role_in_council(user, council_id, role):
    """Keep for this request the user's role (or None) in one council, read in the same
    query as an object of that council (`views.lookups.assessment_from_url`), so that
    the page's permission checks about that council need no query of their own."""
    if not (user.is_authenticated and user.is_active):
        return
    noted = getattr(user, "_council_roles_noted", None)
    if noted is None:
        noted = user._council_roles_noted = {}
    noted[council_id] = role


@rules.predicate
def is_member_of(user, council):
    return _role_in(user, council) is not None


@rules.predicate
def is_lead_of(user, council):
    return _role_in(user, council) == Role.LEAD


@rules.predicate
def has_admin_powers(user, person):
    return person is not None and (person.is_superuser or person.is_staff or person.is_coordinator)


# Coordinators change people in the admin (their details, password, whether they may sign
# in), except people who can use the admin themselves: whoever could set their password
# could sign in as them. Those only superusers change (Django lets superusers do anything).
rules.add_perm("assessments.change_person", is_coordinator & ~has_admin_powers)


def _council_of(obj):
    """The council a service, an assessment, a membership or an invitation belongs to."""
    if obj is None:
        return None
    if hasattr(obj, "service"):
        obj = obj.service
    return obj.council


@rules.predicate
def is_member_of_owning_council(user, obj):
    return is_member_of(user, _council_of(obj))


@rules.predicate
def is_lead_of_owning_council(user, obj):
    return is_lead_of(user, _council_of(obj))


# Council members and invitations: who sees them, who invites and removes them.
# (That a council keeps at least one lead is not a question of who: see
# MembershipQuerySet.sole_lead.)
rules.add_perm("assessments.view_members", is_member_of | is_coordinator)  # on a council
rules.add_perm("assessments.view_membership", is_member_of_owning_council | is_coordinator)
rules.add_perm("assessments.invite_member", is_lead_of | is_coordinator)  # on a council
rules.add_perm("assessments.remove_member", is_lead_of_owning_council | is_coordinator)
rules.add_perm("assessments.view_invitation", is_member_of_owning_council | is_coordinator)
rules.add_perm("assessments.cancel_invitation", is_lead_of_owning_council | is_coordinator)
# A new link in place of one waiting or expired: whoever may cancel the old one.
rules.add_perm("assessments.resend_invitation", is_lead_of_owning_council | is_coordinator)

# Signing up to the Standard on the council's behalf.
rules.add_perm("assessments.record_adoption", is_lead_of | is_coordinator)

# Scheme-wide invitations (council leads for any council, peer reviewers).
rules.add_perm("assessments.invite_anyone", is_coordinator)

# Emails that could not be sent: seeing them and sending them again.
rules.add_perm("assessments.manage_emails", is_coordinator)

# The admin, for councils, peer groups and people.
rules.add_perm("assessments.use_admin", is_coordinator)


# --- Services and assessments ----------------------------------------------------


@rules.predicate
def is_draft(user, assessment):
    return assessment is not None and assessment.is_draft


@rules.predicate
def was_never_submitted(user, assessment):
    return assessment is not None and assessment.submitted_at is None


@rules.predicate
def is_awaiting_review(user, assessment):
    """Submitted and not finished: in the queue, or with its reviewers or the council."""
    return assessment is not None and assessment.status in AWAITING_REVIEW


@rules.predicate
def is_in_review(user, assessment):
    return assessment is not None and assessment.status == Status.IN_REVIEW


@rules.predicate
def is_being_reviewed(user, assessment):
    """With its reviewers: they score, discuss and may ask for clarification."""
    return assessment is not None and assessment.status in (
        Status.IN_REVIEW,
        Status.CLARIFICATION_REQUESTED,
    )


@rules.predicate
def is_awaiting_clarification(user, assessment):
    return assessment is not None and assessment.status == Status.CLARIFICATION_REQUESTED


@rules.predicate
def is_reviewed(user, assessment):
    return assessment is not None and assessment.status == Status.REVIEWED


@rules.predicate
def has_completed_review(user, assessment):
    """Reviewed, or published (or withdrawn from publication) after a completed review."""
    if assessment is None:
        return False
    if assessment.status == Status.REVIEWED:
        return True
    return (
        assessment.status in EVER_PUBLISHED
        and Review.objects.filter(assessment_id=assessment.pk, completed_at__isnull=False).exists()
    )


@rules.predicate
def is_publishable(user, assessment):
    """Its review complete, or submitted and not yet taken up for review (published then
    as a self-assessment)."""
    return assessment is not None and assessment.status in (Status.REVIEWED, Status.SUBMITTED)


@rules.predicate
def is_published(user, assessment):
    return assessment is not None and assessment.status == Status.PUBLISHED


def _assignment_of(user, assessment):
    """The user's current (confirmed, not ended) assignment to the assessment, or None,
    if they are a peer reviewer. Cached per request on the user object."""
    if not (user.is_authenticated and user.is_active and user.is_peer_reviewer):
        return None
    return current_assignment(user, assessment)


def current_assignment(user, assessment):
    """The user's current (confirmed, not ended) assignment to the assessment, or None,
    whatever their role now."""
    if not user.is_authenticated:
        return None
    return next(
        (a for a in current_assignments(user, assessment) if a.reviewer_id == user.pk), None
    )


def current_assignments(user, assessment):
    """Every current (confirmed, not ended) assignment to the assessment, with its
    reviewer, the lead first (from `assignments_to`: no query of its own)."""
    return [a for a in assignments_to(user, assessment) if a.is_current]


def assignments_to(user, assessment):
    """Every assignment to the assessment, current, offered or ended, with its reviewer,
    the lead first: one query, cached per request on the user object asking, so that a
    page's checks (permissions, the side they speak for in discussions) and its lists of
    reviewers ask once. A review has a handful of reviewers and offers."""
    if not user.is_authenticated or assessment is None or assessment.pk is None:
        return []
    cache = getattr(user, "_assignments", None)
    if cache is None:
        cache = user._assignments = {}
    if assessment.pk not in cache:
        cache[assessment.pk] = list(
            ReviewerAssignment.objects.filter(assessment_id=assessment.pk).select_related(
                "reviewer"
            )
        )
    return cache[assessment.pk]


@rules.predicate
def is_reviewer_of(user, assessment):
    """A current reviewer of the assessment (lead or not)."""
    return _assignment_of(user, assessment) is not None


@rules.predicate
def is_lead_reviewer_of(user, assessment):
    assignment = _assignment_of(user, assessment)
    return assignment is not None and assignment.is_lead


@rules.predicate
def can_review_its_council(user, assessment):
    """Not a member of the assessed council: nobody reviews their own council."""
    return assessment is not None and not is_member_of(user, _council_of(assessment))


@rules.predicate
def reviews_in_its_peer_group(user, assessment):
    return (
        assessment is not None
        and user.is_authenticated
        and user.reviewer_peer_groups.filter(pk=_council_of(assessment).peer_group_id).exists()
    )


@rules.predicate
def service_is_active(user, service):
    return service is not None and service.retired_at is None


@rules.predicate
def has_assessment_awaiting_review(user, service):
    """An assessment of the service is submitted and not yet finished (withdrawn, or
    later reviewed)."""
    return service is not None and service.assessments.awaiting_review().exists()


# A council's services and their assessments (drafts included) are seen by its members
# and by coordinators; they are worked on by its members only.
# Django gives an active superuser every permission without asking these rules, so the
# state in them (a draft, a service in use) is checked again where it matters: by the
# workflow functions and the views that offer the change.
rules.add_perm("assessments.view_services", is_member_of | is_coordinator)  # on a council
rules.add_perm("assessments.add_service", is_member_of)  # on a council
rules.add_perm("assessments.view_service", is_member_of_owning_council | is_coordinator)
rules.add_perm("assessments.change_service", is_member_of_owning_council)
# Assessing a service at all; starting one now also needs no assessment of it waiting for
# peer review: a second would be reviewed against evidence that has moved on.
rules.add_perm(
    "assessments.assess_service", is_member_of_owning_council & service_is_active
)  # on a service
rules.add_perm(
    "assessments.start_assessment",
    is_member_of_owning_council & service_is_active & ~has_assessment_awaiting_review,
)  # on a service
rules.add_perm(
    "assessments.view_assessment",
    is_member_of_owning_council | is_coordinator | (is_reviewer_of & ~is_draft),
)
# The list of assessments waiting for peer review across every council (on "Your work").
rules.add_perm("assessments.list_awaiting_review", is_coordinator)
rules.add_perm("assessments.edit_assessment", is_member_of_owning_council & is_draft)
rules.add_perm("assessments.submit_assessment", is_lead_of_owning_council & is_draft)
rules.add_perm(
    "assessments.delete_assessment", is_lead_of_owning_council & is_draft & was_never_submitted
)
rules.add_perm(
    "assessments.withdraw_assessment",
    (is_lead_of_owning_council | is_coordinator) & is_awaiting_review,
)


# --- Peer review ----------------------------------------------------------------
# See docs/decisions/0015-peer-review.md. As above, a superuser is never asked these
# rules: the workflow functions check the state (and the conflict of interest) again.

# The queue of submissions and assigning reviewers: coordinators, while the assessment
# waits for review or is being reviewed.
rules.add_perm("assessments.view_review_queue", is_coordinator)
rules.add_perm("assessments.assign_reviewers", is_coordinator & is_awaiting_review)
# Becoming a reviewer of an assessment (checked for the reviewer, whoever assigns them):
# a reviewer who is not a member of the assessed council.
rules.add_perm("assessments.be_reviewer", is_peer_reviewer & can_review_its_council)
# Offering to review: a peer reviewer in the council's peer group, while it waits.
rules.add_perm(
    "assessments.volunteer_to_review",
    is_peer_reviewer & can_review_its_council & reviews_in_its_peer_group & is_awaiting_review,
)
# Stepping aside (declaring a conflict of interest): a current reviewer, before the end.
rules.add_perm("assessments.step_aside", is_reviewer_of & is_awaiting_review)
# Scoring and commenting on each point: the current reviewers, while it is with them.
rules.add_perm("assessments.review_assessment", is_reviewer_of & is_being_reviewed)
# The reviewers' own scores and comments: private to them until the review is complete,
# then seen by whoever sees the assessment.
rules.add_perm(
    "assessments.view_reviewer_scores",
    is_reviewer_of | ((is_member_of_owning_council | is_coordinator) & has_completed_review),
)
# Asking for clarification, setting the agreed scores, completing: the lead reviewer.
rules.add_perm("assessments.lead_review", is_lead_reviewer_of & is_in_review)
# The council answers a request for clarification: members change the points asked
# about; a lead sends the answers back.
rules.add_perm(
    "assessments.answer_clarification", is_member_of_owning_council & is_awaiting_clarification
)
rules.add_perm(
    "assessments.send_back_clarification", is_lead_of_owning_council & is_awaiting_clarification
)
# The discussion on each point, between the council's members and the current reviewers
# (never public): read while they may see it, written while it is being reviewed.
rules.add_perm(
    "assessments.view_discussion",
    (is_member_of_owning_council | is_reviewer_of | is_coordinator) & ~is_draft,
)
rules.add_perm(
    "assessments.discuss_point",
    (is_member_of_owning_council | is_reviewer_of) & is_being_reviewed,
)
# The council's response to the completed review, on the record: a lead.
rules.add_perm("assessments.respond_to_review", is_lead_of_owning_council & is_reviewed)


# --- Publishing ---------------------------------------------------------------------
# See docs/decisions/0020-publishing.md. Everyone reads publications; a council's lead
# publishes and withdraws; a coordinator withdraws and corrects.
rules.add_perm("assessments.publish_assessment", is_lead_of_owning_council & is_publishable)
rules.add_perm(
    "assessments.withdraw_publication",
    (is_lead_of_owning_council | is_coordinator) & is_published,
)
rules.add_perm("assessments.correct_publication", is_coordinator & is_published)
