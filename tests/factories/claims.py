"""Organizations, members, volunteers and published needs for the claim tests.

Organizations and memberships are made with the ORM directly (their own services are tested
elsewhere); needs go through intake, as production makes them.
"""

from __future__ import annotations

import itertools
import random
import uuid
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from django.test import override_settings
from stdnum.cn.uscc import calc_check_digit

from accounts.models import User
from accounts.roles import Role
from marketplace.needs.demo import synthetic_record
from marketplace.needs.models import Need, NeedStatus, SourceSystem
from marketplace.needs.services.intake import needs_intake
from marketplace.organizations.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Volunteer,
)
from tests.factories.accounts import UserFactory
from tests.factories.marketplace import SourceSystemFactory

_numbers = itertools.count(1)


def make_uscc() -> str:
    first17 = f"5142011100{next(_numbers):07d}"
    return first17 + calc_check_digit(first17)


def make_organization(
    *,
    name: str | None = None,
    status: str = OrganizationStatus.VERIFIED,
    region_code: str = "420111",
    kind: str = OrganizationKind.CHARITY,
) -> Organization:
    number = next(_numbers)
    return Organization.objects.create(
        name=name or f"测试慈善会{number}",
        kind=kind,
        uscc=make_uscc(),
        registration_authority="武汉市洪山区民政局",
        region_id=region_code,
        service_regions=[region_code],
        contact_name="王老师",
        contact_phone="027-87654321",
        status=status,
    )


def make_member(
    organization: Organization,
    *,
    user: User | None = None,
    role: str = MembershipRole.MEMBER,
    status: str = MembershipStatus.ACTIVE,
    username: str | None = None,
) -> User:
    user = user or UserFactory(username=username or f"member{next(_numbers)}", roles=[Role.CHARITY_MEMBER])
    Membership.objects.create(organization=organization, user=user, role=role, status=status)
    return user


def make_volunteer(*, user: User | None = None) -> Volunteer:
    user = user or UserFactory(username=f"volunteer{next(_numbers)}")
    user.groups.add(Group.objects.get(name=Role.VOLUNTEER))
    return Volunteer.objects.create(
        user=user,
        real_name="林晓雯",
        id_number="420106199203140572",
        masked_name="林**",
        masked_id_number="4201**********0572",
        id_token=uuid.uuid4().hex,
    )


def make_source() -> SourceSystem:
    system, _key = SourceSystemFactory.create(region_code="420000")
    return system


def published_need(
    *,
    source: SourceSystem | None = None,
    target: str = "1000.00",
    need_type: str = "education",
    county: str = "420111",
    seed: int | None = None,
) -> Need:
    """A published need whose charity target is ``target`` (hours for service needs)."""
    source = source or make_source()
    number = next(_numbers)
    record = synthetic_record(
        random.Random(seed if seed is not None else number),
        source_ref=f"CLAIM-{number}",
        county_code=county,
        today=date.today(),
        need_type=need_type,
    )
    record.pop("medical", None)
    if need_type in Volunteer.SERVICE_NEED_TYPES:
        record["requested_amount"] = {"hours": target}
    else:
        record["requested_amount"] = target
    with override_settings(K_ANONYMITY_K=1):
        [result] = needs_intake(source_system=source, records=[record])
    need = Need.objects.get(code=result.need_code)
    assert need.status == NeedStatus.PUBLISHED, need.hold_reasons
    assert need.target_amount == Decimal(target)
    return need
