"""Who may act where: every permission predicate of the portal, each with one meaning.

Two kinds of rule live here.

* **Back-office gates** take only the user. They decide whether a page (and its menu item)
  opens at all; the page's selectors then narrow it to the user's region scope
  (``accounts.scoping.scope_queryset``), so a caseworker of another region finds nothing there.
* **Rules on one object** take the user and the object, and decide that one action on it,
  region scope included (``accounts.scoping.user_may_act``).

Every predicate is false for an anonymous or deactivated user. Administrators and superusers
pass every gate and every region-scoped rule, but never a rule of membership (they hold no
claim and belong to no organization: ``holds_office``).

``accounts`` sits below the marketplace apps, so these rules read the objects they are given
(``claim.organization_id``, ``need.region_id``, ``user.memberships``) and never import them.
"""

from __future__ import annotations

from accounts.roles import STAFF_ROLES, Role
from accounts.scoping import user_may_act

# ``organizations.models.MembershipStatus.ACTIVE`` and ``MembershipRole.ADMIN``: that app sits
# above this one (tests/accounts/test_permissions.py checks they agree).
ACTIVE_MEMBERSHIP = "active"
ADMIN_MEMBERSHIP = "admin"
# ``organizations.models.OrganizationStatus.VERIFIED``, for the same reason.
VERIFIED_ORGANIZATION = "verified"
# Whose back-office dashboard lists the queues (needs to review, deliveries to verify, transfers
# to decide), scoped to their region; supervisors also see what waited too long.
QUEUE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)

# Who reads a household's assistance chain and the expired-needs report, in their scope (and,
# for a department handler, their department's needs); the selectors scope with these too.
CHAIN_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.DEPARTMENT_HANDLER)
EXPIRED_REPORT_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.DEPARTMENT_HANDLER)
# Who requests and reads performance-evaluation reports, inside their region scope.
REPORT_ROLES = (Role.SUPERVISOR,)
# Claims whose holder has been to the household (claims.models.ClaimStatus: active, completed).
REPORTING_CLAIM_STATUSES = ("active", "completed")


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _acts_everywhere(user) -> bool:
    return bool(user.is_superuser or user.has_role(Role.ADMINISTRATOR))


# --- who someone is ----------------------------------------------------------------------------


def is_administrator(user) -> bool:
    """An active superuser or platform administrator: the back office's administration pages
    (undelivered feedback, the access log, policy overrides) are theirs."""
    return _active(user) and _acts_everywhere(user)


def holds_office(user) -> bool:
    """Government staff and platform administrators. They review, verify and decide, so they
    never register, join or claim for a charity, nor volunteer: that would be a conflict of
    interest (a caseworker verifying their own delivery)."""
    return bool(
        getattr(user, "is_authenticated", False) and (user.is_superuser or user.has_role(*STAFF_ROLES))
    )


def may_use_back_office(user) -> bool:
    """Staff and administrators: the rule Wagtail applies to every back-office page (the
    ``wagtailadmin.access_admin`` permission, which the staff roles' groups carry). The public
    site links to the back office, and signing in lands there, for them only."""
    return _active(user) and user.has_perm("wagtailadmin.access_admin")


def is_claimant(user) -> bool:
    """An active member of a verified organization, or a registered volunteer: someone who
    claims needs and holds claims (signing in lands them on 我的认领)."""
    if not _active(user) or holds_office(user):
        return False
    return (
        hasattr(user, "volunteer")
        or user.memberships.filter(
            status=ACTIVE_MEMBERSHIP, organization__status=VERIFIED_ORGANIZATION
        ).exists()
    )


def sees_queues(user) -> bool:
    """Caseworkers, supervisors and administrators: their dashboard counts the queues of their
    region (administrators: of the province)."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(*QUEUE_ROLES))


def sees_overdue(user) -> bool:
    """Supervisors and administrators: their dashboard also counts what waited longer than
    ``QUEUE_OVERDUE_DAYS``."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(Role.SUPERVISOR))


def is_active_member(user, organization) -> bool:
    """An active user with an active membership (member or administrator) of ``organization``."""
    if not _active(user):
        return False
    return user.memberships.filter(organization_id=organization.pk, status=ACTIVE_MEMBERSHIP).exists()


def is_organization_admin(user, organization) -> bool:
    """An active user with an active administrator membership of ``organization``."""
    if not _active(user):
        return False
    return user.memberships.filter(
        organization_id=organization.pk, status=ACTIVE_MEMBERSHIP, role=ADMIN_MEMBERSHIP
    ).exists()


def is_claim_holder(user, claim) -> bool:
    """Who holds ``claim``: an active member of the claiming organization, or the volunteer who
    claimed. The holder renews, withdraws and answers transfer requests for the claim, reports
    its deliveries and sees their evidence."""
    return _active(user) and _holds(user, claim, _member_of(user))


def may_report_situation(user, claim) -> bool:
    """The holder of an active or completed claim has met the household, and reports a change
    in its situation (seed 三(三)) to the need's caseworkers."""
    return claim.status in REPORTING_CLAIM_STATUSES and is_claim_holder(user, claim)


def claims_held_by(user, claims) -> set[int]:
    """The pks of those of ``claims`` that ``user`` holds (``is_claim_holder``), with one query
    however many claims a page lists."""
    if not _active(user):
        return set()
    organizations = _member_of(user)
    return {claim.pk for claim in claims if _holds(user, claim, organizations)}


def _member_of(user) -> set[int]:
    return set(user.memberships.filter(status=ACTIVE_MEMBERSHIP).values_list("organization_id", flat=True))


def _holds(user, claim, organizations: set[int]) -> bool:
    if claim.volunteer_id:
        return claim.volunteer.user_id == user.pk
    return claim.organization_id in organizations


def is_need_caseworker(user, need) -> bool:
    """The need's caseworker: a caseworker whose region scope covers the need's county (its
    county's, its city's or the province's), or an administrator. They review the need, verify
    or dispute its deliveries, resolve its duplicate-aid alerts and decide escalated transfers
    of its claims."""
    return user_may_act(user, region_code=need.region_id, roles=[Role.CASEWORKER])


# --- rules on one object -----------------------------------------------------------------------


def may_verify_organization(user, organization) -> bool:
    """A caseworker whose region scope holds the organization's registered region (or an
    administrator) verifies, rejects, suspends and reinstates the organization."""
    return user_may_act(user, region_code=organization.region_id, roles=[Role.CASEWORKER])


def may_view_evidence(user, evidence) -> bool:
    """The evidence of a delivery: the holder of its claim and the caseworkers of its need."""
    claim = evidence.delivery.claim
    return is_claim_holder(user, claim) or is_need_caseworker(user, claim.need)


# --- back-office gates (the pages' selectors then scope to the user's region) -------------------


def may_review_needs(user) -> bool:
    """Caseworkers (in any region) and administrators open the needs' review queue and the
    spreadsheet import; each need is then reviewed under ``is_need_caseworker``."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(Role.CASEWORKER))


def may_review_organizations(user) -> bool:
    """Caseworkers (in any region) and administrators open the organizations' pages (the
    verification queue, an organization's record and certificate); each organization is then
    verified, rejected, suspended or reinstated under ``may_verify_organization``."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(Role.CASEWORKER))


def may_verify_deliveries(user) -> bool:
    """Caseworkers (in any region) and administrators open the delivery queue and the
    duplicate-aid alerts; each delivery or alert is then decided under ``is_need_caseworker``."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(Role.CASEWORKER))


def may_decide_transfers(user) -> bool:
    """Caseworkers (in any region) and administrators open the escalated transfers; each one is
    then decided under ``is_need_caseworker`` of the claim's need."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(Role.CASEWORKER))


def may_handle_situation_reports(user) -> bool:
    """Caseworkers (in any region) and administrators open the household situation reports;
    each one is then handled under ``is_need_caseworker`` of the claim's need."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(Role.CASEWORKER))


def may_see_chain(user) -> bool:
    """Caseworkers, supervisors and department handlers (in their scope; handlers only their
    department's needs) and administrators read a household's assistance chain."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(*CHAIN_ROLES))


def may_see_expired_needs(user) -> bool:
    """Caseworkers, supervisors and department handlers (in their scope; handlers only their
    department's needs) and administrators read the report of needs that expired with a gap."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(*EXPIRED_REPORT_ROLES))


def may_use_reports(user) -> bool:
    """Supervisors (for reports whose scope lies inside their region, ``user_may_act`` with
    ``REPORT_ROLES``) and administrators request, list and download performance reports."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(*REPORT_ROLES))


# --- tickets (supervision) ---------------------------------------------------------------------

# Who takes tickets in (accepts, refuses, assigns, merges) and who handles them in a unit.
TICKET_INTAKE_ROLES = (Role.HOTLINE_OPERATOR, Role.CASEWORKER, Role.SUPERVISOR)
TICKET_HANDLER_ROLES = (Role.DEPARTMENT_HANDLER, Role.CASEWORKER)
TICKET_ROLES = (*TICKET_INTAKE_ROLES, Role.DEPARTMENT_HANDLER)


def may_handle_tickets(user) -> bool:
    """Hotline operators, caseworkers, department handlers, supervisors (in any region) and
    administrators open the tickets' queue; each ticket is then acted on under
    ``ticket_roles``."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(*TICKET_ROLES))


def may_take_calls(user) -> bool:
    """Hotline operators, caseworkers, supervisors and administrators type in a ticket received
    by phone, letter or at the counter (the ticket's region must lie in their scope)."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(*TICKET_INTAKE_ROLES))


def ticket_roles(user, ticket) -> frozenset[str]:
    """The roles in which ``user`` acts on ``ticket`` (``supervision.models.TICKET_ACTIONS``
    names them): the intake roles and supervisors where the ticket's region lies in their scope;
    the handler roles where its handling unit's region does and, for a department handler, the
    department is theirs. An administrator acts as "administrator" (every staff action of the
    table); anyone else, none."""
    if not _active(user):
        return frozenset()
    if _acts_everywhere(user):
        return frozenset({"administrator"})
    roles: set[str] = set()
    for role in TICKET_INTAKE_ROLES:
        if user.has_role(role) and user_may_act(user, region_code=ticket.region_id, roles=[role]):
            roles.add(role)
    if ticket.unit_region_id and ticket.department:
        for role in TICKET_HANDLER_ROLES:
            if role == Role.CASEWORKER and ticket.department != "civil_affairs":
                continue
            if user.has_role(role) and user_may_act(
                user, region_code=ticket.unit_region_id, roles=[role], department=ticket.department
            ):
                roles.add(role)
    return frozenset(roles)


def may_see_ticket_complainant(user, ticket) -> bool:
    """Who sees the complainant's (masked) name and contact, and may reveal them: anyone acting
    on the ticket, except that a confidential ticket hides them from the handling unit (only
    intake staff and supervisors of its region see them then)."""
    roles = ticket_roles(user, ticket)
    if not ticket.confidential:
        return bool(roles)
    return bool(roles & {Role.HOTLINE_OPERATOR, Role.SUPERVISOR, "administrator"}) or (
        Role.CASEWORKER in roles
        and user_may_act(user, region_code=ticket.region_id, roles=[Role.CASEWORKER])
        and ticket.department != "civil_affairs"
    )


def may_see_referred_person(user, ticket) -> bool:
    """The person a referral is about is seen only by the caseworkers of the ticket's county
    (a caseworker whose scope is exactly that county) and administrators."""
    if not _active(user):
        return False
    if _acts_everywhere(user):
        return True
    return user.has_role(Role.CASEWORKER) and user.region_id == ticket.region_id


def may_allocate(user) -> bool:
    """Caseworkers (in any region) and administrators open matching's back office: allocation
    proposals for a region in their scope and the offers ranked for one of their needs."""
    return _active(user) and (_acts_everywhere(user) or user.has_role(Role.CASEWORKER))


def may_allocate_in(user, region_code: str) -> bool:
    """Caseworkers whose scope holds ``region_code`` (and administrators) propose an allocation
    there and send its invitations."""
    return user_may_act(user, region_code=region_code, roles=[Role.CASEWORKER])


def may_edit_statutory_programmes(user) -> bool:
    """The civil affairs department keeps the statutory programmes table: caseworkers (民政经办)
    and civil-affairs handlers, for regions in their scope, and administrators."""
    if not _active(user):
        return False
    if _acts_everywhere(user) or user.has_role(Role.CASEWORKER):
        return True
    return user.has_role(Role.DEPARTMENT_HANDLER) and user.department == "civil_affairs"
