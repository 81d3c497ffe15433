"""Every move of a membership is checked against its table and recorded with who made it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from marketplace.organizations.models import MembershipRole, MembershipStatus, MembershipTransition
from marketplace.organizations.services.membership import (
    MEMBERSHIP_TRANSITIONS,
    membership_decide,
    membership_invite,
    membership_remove,
    membership_request,
    membership_respond,
)
from tests.factories.accounts import UserFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def charity():
    return OrganizationFactory(verified=True)


@pytest.fixture
def admin(charity):
    return MembershipFactory(organization=charity, role=MembershipRole.ADMIN).user


def moves(membership) -> list[tuple[str, str, str]]:
    return [
        (row.from_status, row.to_status, row.actor.username)
        for row in MembershipTransition.objects.filter(membership=membership)
    ]


def test_an_invitation_accepted_then_left_is_three_recorded_moves(charity, admin):
    person = UserFactory(roles=[Role.CHARITY_MEMBER])
    membership = membership_invite(organization=charity, username=person.username, actor=admin)
    membership_respond(membership=membership, user=person, accept=True)
    membership_remove(membership=membership, actor=admin)

    assert moves(membership) == [
        ("", MembershipStatus.INVITED, admin.username),
        (MembershipStatus.INVITED, MembershipStatus.ACTIVE, person.username),
        (MembershipStatus.ACTIVE, MembershipStatus.REMOVED, admin.username),
    ]


def test_a_request_declined_then_asked_again_is_recorded_with_who_decided(charity, admin):
    person = UserFactory(roles=[Role.CHARITY_MEMBER])
    membership = membership_request(organization=charity, user=person)
    membership_decide(membership=membership, actor=admin, approve=False)
    membership_request(organization=charity, user=person)

    assert moves(membership) == [
        ("", MembershipStatus.REQUESTED, person.username),
        (MembershipStatus.REQUESTED, MembershipStatus.DECLINED, admin.username),
        (MembershipStatus.DECLINED, MembershipStatus.REQUESTED, person.username),
    ]


def test_a_refused_move_changes_and_records_nothing(charity, admin):
    person = UserFactory(roles=[Role.CHARITY_MEMBER])
    membership = membership_invite(organization=charity, username=person.username, actor=admin)
    membership_respond(membership=membership, user=person, accept=False)
    recorded = moves(membership)
    assert MembershipStatus.ACTIVE not in MEMBERSHIP_TRANSITIONS[MembershipStatus.DECLINED]

    with pytest.raises(ValidationError):
        membership_respond(membership=membership, user=person, accept=True)

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.DECLINED
    assert moves(membership) == recorded


def test_the_founder_of_a_registered_organization_has_a_first_move(client):
    from tests.organizations.test_services import registration_data

    founder = UserFactory()
    client.force_login(founder)
    client.post("/organizations/register/", registration_data())

    (row,) = MembershipTransition.objects.filter(membership__user=founder)
    assert (row.from_status, row.to_status, row.actor) == ("", MembershipStatus.ACTIVE, founder)
