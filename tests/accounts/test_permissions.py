"""accounts.permissions: each predicate's one meaning, for the people it names and no others."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import permissions
from accounts.permissions import (
    holds_office,
    is_active_member,
    is_administrator,
    is_claim_holder,
    is_need_caseworker,
    is_organization_admin,
    may_decide_transfers,
    may_handle_situation_reports,
    may_review_needs,
    may_review_organizations,
    may_see_chain,
    may_see_expired_needs,
    may_verify_deliveries,
    may_verify_organization,
)
from accounts.roles import Role
from marketplace.organizations.models import MembershipRole, MembershipStatus
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

HONGSHAN, JIANGAN, WUHAN, YICHANG = "420111", "420102", "420100", "420500"
CASEWORK_GATES = (
    may_review_needs,
    may_review_organizations,
    may_verify_deliveries,
    may_decide_transfers,
    may_handle_situation_reports,
    may_handle_situation_reports,
)
READING_GATES = (may_see_chain, may_see_expired_needs)


def staff(role: str, code: str | None = None, **extra):
    return UserFactory(roles=[role], region=Region.objects.get(code=code) if code else None, **extra)


def test_membership_values_agree_with_the_organizations_app():
    assert permissions.ACTIVE_MEMBERSHIP == MembershipStatus.ACTIVE
    assert permissions.ADMIN_MEMBERSHIP == MembershipRole.ADMIN


# --- back-office gates ------------------------------------------------------------------------


@pytest.mark.parametrize("gate", CASEWORK_GATES)
def test_caseworker_gates_admit_caseworkers_and_administrators_only(gate):
    assert gate(staff(Role.CASEWORKER, HONGSHAN))
    assert gate(staff(Role.ADMINISTRATOR))
    assert gate(UserFactory(is_superuser=True))
    for role, code in [
        (Role.SUPERVISOR, WUHAN),
        (Role.DEPARTMENT_HANDLER, WUHAN),
        (Role.HOTLINE_OPERATOR, WUHAN),
        (Role.CHARITY_ADMIN, None),
        (Role.VOLUNTEER, None),
    ]:
        assert not gate(staff(role, code)), role
    assert not gate(AnonymousUser())
    assert not gate(staff(Role.CASEWORKER, HONGSHAN, is_active=False))


@pytest.mark.parametrize("gate", READING_GATES)
def test_the_chain_and_the_expired_report_are_read_by_those_who_decide_and_oversee(gate):
    for role, code in [
        (Role.CASEWORKER, HONGSHAN),
        (Role.SUPERVISOR, WUHAN),
        (Role.DEPARTMENT_HANDLER, WUHAN),
        (Role.ADMINISTRATOR, None),
    ]:
        assert gate(staff(role, code)), role
    for role, code in [(Role.HOTLINE_OPERATOR, WUHAN), (Role.CHARITY_MEMBER, None)]:
        assert not gate(staff(role, code)), role
    assert not gate(AnonymousUser())
    assert not gate(staff(Role.SUPERVISOR, WUHAN, is_active=False))


def test_only_active_administrators_are_administrators():
    assert is_administrator(staff(Role.ADMINISTRATOR))
    assert is_administrator(UserFactory(is_superuser=True))
    assert not is_administrator(staff(Role.ADMINISTRATOR, is_active=False))
    assert not is_administrator(staff(Role.SUPERVISOR, WUHAN))
    assert not is_administrator(AnonymousUser())


def test_office_holders_are_staff_and_administrators():
    for role, code in [(Role.CASEWORKER, HONGSHAN), (Role.SUPERVISOR, WUHAN), (Role.ADMINISTRATOR, None)]:
        assert holds_office(staff(role, code)), role
    assert holds_office(UserFactory(is_superuser=True))
    assert not holds_office(UserFactory(roles=[Role.CHARITY_ADMIN]))
    assert not holds_office(AnonymousUser())


# --- region-scoped rules ------------------------------------------------------------------------


def test_the_need_caseworker_works_in_a_region_that_covers_the_need():
    need = SimpleNamespace(region_id=HONGSHAN)
    assert is_need_caseworker(staff(Role.CASEWORKER, HONGSHAN), need)
    assert is_need_caseworker(staff(Role.CASEWORKER, WUHAN), need)  # the city's
    assert is_need_caseworker(staff(Role.CASEWORKER, "420000"), need)  # the province's
    assert is_need_caseworker(staff(Role.ADMINISTRATOR), need)
    assert not is_need_caseworker(staff(Role.CASEWORKER, JIANGAN), need)  # a neighbouring county
    assert not is_need_caseworker(staff(Role.CASEWORKER, YICHANG), need)
    assert not is_need_caseworker(staff(Role.SUPERVISOR, WUHAN), need)  # oversees, does not decide
    assert not is_need_caseworker(staff(Role.CASEWORKER, HONGSHAN, is_active=False), need)


def test_organizations_are_verified_by_caseworkers_of_their_registered_region():
    organization = OrganizationFactory()  # registered in Hongshan
    assert may_verify_organization(staff(Role.CASEWORKER, HONGSHAN), organization)
    assert may_verify_organization(staff(Role.CASEWORKER, WUHAN), organization)
    assert may_verify_organization(staff(Role.ADMINISTRATOR), organization)
    assert not may_verify_organization(staff(Role.CASEWORKER, JIANGAN), organization)
    assert not may_verify_organization(staff(Role.SUPERVISOR, WUHAN), organization)
    assert not may_verify_organization(AnonymousUser(), organization)


# --- membership rules ---------------------------------------------------------------------------


def test_active_members_and_administrators_of_the_organization():
    organization = OrganizationFactory(verified=True)
    admin = MembershipFactory(organization=organization, role=MembershipRole.ADMIN).user
    member = MembershipFactory(organization=organization).user
    invited = MembershipFactory(organization=organization, status=MembershipStatus.INVITED).user
    removed = MembershipFactory(organization=organization, status=MembershipStatus.REMOVED).user
    elsewhere = MembershipFactory(role=MembershipRole.ADMIN).user

    assert is_active_member(admin, organization) and is_organization_admin(admin, organization)
    assert is_active_member(member, organization) and not is_organization_admin(member, organization)
    for outsider in (invited, removed, elsewhere, AnonymousUser(), staff(Role.ADMINISTRATOR)):
        assert not is_active_member(outsider, organization)
        assert not is_organization_admin(outsider, organization)
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    assert not is_active_member(admin, organization) and not is_organization_admin(admin, organization)


def test_a_claim_is_held_by_its_organizations_active_members_or_by_its_volunteer():
    organization = OrganizationFactory(verified=True)
    member = MembershipFactory(organization=organization).user
    other = MembershipFactory(organization=OrganizationFactory(verified=True)).user
    claim = SimpleNamespace(organization_id=organization.pk, volunteer_id=None, volunteer=None)
    assert is_claim_holder(member, claim)
    assert not is_claim_holder(other, claim)
    assert not is_claim_holder(staff(Role.ADMINISTRATOR), claim)  # administrators hold no claims
    assert not is_claim_holder(AnonymousUser(), claim)

    volunteer_user = UserFactory(roles=[Role.VOLUNTEER])
    by_volunteer = SimpleNamespace(
        organization_id=None, volunteer_id=1, volunteer=SimpleNamespace(user_id=volunteer_user.pk)
    )
    assert is_claim_holder(volunteer_user, by_volunteer)
    assert not is_claim_holder(member, by_volunteer)


def test_no_permission_predicate_is_left_outside_accounts_permissions():
    """Every public ``may_*``/``is_*`` permission rule lives in accounts.permissions."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    stray = []
    for app in ("accounts", "marketplace", "core", "supervision", "cms", "search"):
        for path in (root / app).rglob("*.py"):
            if path.name == "permissions.py" and path.parent.name == "accounts":
                continue
            for match in re.finditer(r"^def ((?:user_)?(?:may|is)_\w+)\(user", path.read_text(), re.M):
                stray.append(f"{path.relative_to(root)}: {match.group(1)}")
    assert stray == []
