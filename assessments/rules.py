"""Who may do what: the one place where permissions are decided.

Views ask `request.user.has_perm("assessments.<name>", obj)` (through the
`rules` authentication backend) and refuse with 403 when it is false; templates
only use the same answers to show or hide links. Each permission takes the
object it is about: a council, a membership or nothing.

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
def is_lead_of_members_council(user, membership):
    return membership is not None and is_lead_of(user, membership.council)


@rules.predicate
def is_not_the_last_lead(user, membership):
    """A council always keeps at least one lead."""
    if membership is None or membership.role != Role.LEAD:
        return True
    return Membership.objects.filter(council_id=membership.council_id, role=Role.LEAD).count() > 1


# Council members: who sees them, who invites and removes them.
rules.add_perm("assessments.view_members", is_member_of | is_coordinator)
rules.add_perm("assessments.invite_member", is_lead_of | is_coordinator)
rules.add_perm(
    "assessments.remove_member",
    (is_lead_of_members_council | is_coordinator) & is_not_the_last_lead,
)

# Signing up to the Standard on the council's behalf.
rules.add_perm("assessments.record_adoption", is_lead_of | is_coordinator)

# Scheme-wide invitations (council leads for any council, peer reviewers).
rules.add_perm("assessments.invite_anyone", is_coordinator)

# The admin, for councils, peer groups and people.
rules.add_perm("assessments.use_admin", is_coordinator)
