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
- peer reviewer: a person from any council, in a peer group, flagged by a coordinator
- coordinator: runs the scheme (councils, peer groups, people, invitations anywhere)
"""

import rules

from assessments.models import Membership, Role


@rules.predicate
def is_coordinator(user):
    return bool(user.is_authenticated and user.is_active and user.is_coordinator)


@rules.predicate
def is_peer_reviewer(user):
    return bool(user.is_authenticated and user.is_active and user.is_peer_reviewer)


def _role_in(user, council):
    """The user's role in the council, or None. Cached per request on the user object."""
    if not (user.is_authenticated and user.is_active) or council is None:
        return None
    cache = user.__dict__.setdefault("_council_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("council_id", "role"))
        user.__dict__["_council_roles"] = cache
    return cache.get(council.pk)


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
def is_submitted(user, assessment):
    return assessment is not None and assessment.status == "submitted"


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
rules.add_perm("assessments.view_assessment", is_member_of_owning_council | is_coordinator)
# The list of assessments waiting for peer review across every council (on "Your work").
rules.add_perm("assessments.list_awaiting_review", is_coordinator)
rules.add_perm("assessments.edit_assessment", is_member_of_owning_council & is_draft)
rules.add_perm("assessments.submit_assessment", is_lead_of_owning_council & is_draft)
rules.add_perm(
    "assessments.delete_assessment", is_lead_of_owning_council & is_draft & was_never_submitted
)
rules.add_perm(
    "assessments.withdraw_assessment",
    (is_lead_of_owning_council | is_coordinator) & is_submitted,
)
