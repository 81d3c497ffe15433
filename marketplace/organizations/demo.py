"""Demo organizations and a volunteer for `make run`, made through the real services.

Run after ``accounts.demo.seed_demo_users``: the demo users ``charity_admin`` and
``charity_member`` run the verified Wuhan charity, ``volunteer`` is a registered volunteer in
the verified volunteer team, and the demo ``caseworker`` (洪山区) has a pending organization to
verify and a suspended one to reinstate. Every code and ID number is synthetic but valid.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw
from stdnum.cn.uscc import calc_check_digit

from accounts.models import User
from accounts.permissions import may_verify_organization
from marketplace.needs.choices import NeedType
from marketplace.organizations.models import (
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    OrganizationTransition,
    Volunteer,
)
from marketplace.organizations.services.membership import (
    membership_decide,
    membership_invite,
    membership_respond,
)
from marketplace.organizations.services.registration import certificate_store, organization_register
from marketplace.organizations.services.verification import organization_set_status
from marketplace.organizations.services.volunteers import volunteer_register
from privacy.identity import make_id_number


def make_uscc(first17: str) -> str:
    """A valid unified social credit code: 17 characters and their check character."""
    return first17 + calc_check_digit(first17)


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    name: str
    kind: str
    uscc: str
    authority: str
    region: str
    service_regions: list[str]
    need_types: list[str]
    description: str
    status: str
    reason: str = ""


DEMO_ORGANIZATIONS = [
    DemoOrganization(
        key="charity",
        name="武汉市洪山区阳光公益慈善会",
        kind=OrganizationKind.CHARITY,
        uscc=make_uscc("51420111MJ4201001"),
        authority="武汉市洪山区民政局",
        region="420111",
        service_regions=["420100"],
        need_types=[NeedType.BASIC_LIVING, NeedType.MEDICAL, NeedType.EDUCATION, NeedType.EMERGENCY],
        description="扎根洪山区十余年，为困难家庭提供生活物资、医疗费用和助学帮扶，覆盖武汉全市。",
        status=OrganizationStatus.VERIFIED,
    ),
    DemoOrganization(
        key="team",
        name="武昌区暖心志愿服务队",
        kind=OrganizationKind.VOLUNTEER_TEAM,
        uscc=make_uscc("52420106MJ4201002"),
        authority="武汉市武昌区民政局",
        region="420106",
        service_regions=["420106", "420111"],
        need_types=[NeedType.CARE_SERVICE, NeedType.COUNSELLING],
        description="由社区志愿者组成，为独居老人、残疾人提供探访照料和心理疏导服务。",
        status=OrganizationStatus.VERIFIED,
    ),
    DemoOrganization(
        key="pending",
        name="武汉洪山助学圆梦基金会",
        kind=OrganizationKind.FOUNDATION,
        uscc=make_uscc("53420111MJ4201003"),
        authority="武汉市洪山区民政局",
        region="420111",
        service_regions=["420111"],
        need_types=[NeedType.EDUCATION],
        description="资助困难家庭学生完成学业。",
        status=OrganizationStatus.PENDING,
    ),
    DemoOrganization(
        key="suspended",
        name="洪山区康乐社会工作服务中心",
        kind=OrganizationKind.SOCIAL_ORGANIZATION,
        uscc=make_uscc("52420111MJ4201004"),
        authority="武汉市洪山区民政局",
        region="420111",
        service_regions=["420111"],
        need_types=[NeedType.CARE_SERVICE, NeedType.DISABILITY],
        description="为残疾人和困难老人提供专业社会工作服务。",
        status=OrganizationStatus.SUSPENDED,
        reason="年度检查材料逾期未报送，暂停资格，补交后恢复。",
    ),
]

DEMO_VOLUNTEER_NAME = "林晓雯"  # a made-up name for a made-up person
DEMO_VOLUNTEER_ID = {"region_code": "420106", "birth_date": date(1992, 3, 14), "sequence": 57, "female": True}


@dataclass
class DemoOrganizationsResult:
    """What ``seed_demo_organizations`` made on this run (existing rows are left as they are)."""

    organizations: list[Organization] = field(default_factory=list)
    volunteers: list[Volunteer] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)


def demo_certificate(organization_name: str, uscc: str) -> SimpleUploadedFile:
    """A PNG that says it is a synthetic demo certificate (ASCII: Pillow's default font)."""
    image = Image.new("RGB", (720, 480), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 707, 467), outline=(179, 38, 30), width=6)
    draw.text((48, 60), "DEMO CERTIFICATE - SYNTHETIC, NOT A REAL DOCUMENT", fill=(11, 61, 110))
    draw.text((48, 120), f"Unified social credit code: {uscc}", fill=(27, 31, 36))
    draw.text((48, 160), f"Organization no. {uscc[8:17]}", fill=(27, 31, 36))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("certificate.png", buffer.getvalue(), content_type="image/png")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _move_to(organization: Organization, spec: DemoOrganization, caseworker: User | None) -> None:
    verifies = caseworker is not None and may_verify_organization(caseworker, organization)
    actor = caseworker if verifies else None
    if spec.status in (OrganizationStatus.VERIFIED, OrganizationStatus.SUSPENDED):
        organization_set_status(
            organization=organization,
            to_status=OrganizationStatus.VERIFIED,
            actor=actor,
            note="资料核对无误。",
        )
    if spec.status == OrganizationStatus.SUSPENDED:
        organization_set_status(
            organization=organization, to_status=OrganizationStatus.SUSPENDED, actor=actor, note=spec.reason
        )


def _create(spec: DemoOrganization, admin: User | None) -> Organization:
    certificate = demo_certificate(spec.name, spec.uscc)
    if admin is not None:
        return organization_register(
            user=admin,
            name=spec.name,
            kind=spec.kind,
            uscc=spec.uscc,
            registration_authority=spec.authority,
            region_code=spec.region,
            service_regions=spec.service_regions,
            need_types=spec.need_types,
            contact_name="王老师",
            contact_phone="027-87654321",
            contact_email="contact@demo.invalid",
            description=spec.description,
            certificate=certificate,
        ).organization
    # An organization whose administrator is not one of the demo users.
    organization = Organization(
        name=spec.name,
        kind=spec.kind,
        uscc=spec.uscc,
        registration_authority=spec.authority,
        region_id=spec.region,
        service_regions=spec.service_regions,
        need_types=spec.need_types,
        contact_name="张老师",
        contact_phone="027-88886666",
        description=spec.description,
    )
    organization.certificate = certificate_store(certificate, kind="png")
    organization.save()
    OrganizationTransition.objects.create(
        organization=organization, from_status="", to_status=OrganizationStatus.PENDING, note="演示数据"
    )
    return organization


@transaction.atomic
def seed_demo_organizations() -> DemoOrganizationsResult:
    """Create the demo organizations, memberships and volunteer; idempotent."""
    made = DemoOrganizationsResult()
    charity_admin, charity_member = _user("charity_admin"), _user("charity_member")
    caseworker, administrator, volunteer_user = _user("caseworker"), _user("admin"), _user("volunteer")
    organizations: dict[str, Organization] = {}
    for spec in DEMO_ORGANIZATIONS:
        organization = Organization.objects.filter(uscc=spec.uscc).first()
        if organization is None:
            organization = _create(spec, charity_admin if spec.key == "charity" else None)
            _move_to(organization, spec, caseworker)
            organization.refresh_from_db()
            made.organizations.append(organization)
        organizations[spec.key] = organization

    charity = organizations["charity"]
    if (
        charity_admin is not None
        and charity_member is not None
        and not Membership.objects.filter(organization=charity, user=charity_member).exists()
    ):
        invitation = membership_invite(
            organization=charity, username=charity_member.username, actor=charity_admin
        )
        made.memberships.append(membership_respond(membership=invitation, user=charity_member, accept=True))

    team = organizations["team"]
    if volunteer_user is not None and not Volunteer.objects.filter(user=volunteer_user).exists():
        volunteer = volunteer_register(
            user=volunteer_user,
            real_name=DEMO_VOLUNTEER_NAME,
            id_number=make_id_number(**DEMO_VOLUNTEER_ID),
            need_types=[NeedType.CARE_SERVICE, NeedType.COUNSELLING],
            team=team if team.status == OrganizationStatus.VERIFIED else None,
        )
        request = Membership.objects.filter(
            organization=team, user=volunteer_user, status=MembershipStatus.REQUESTED
        ).first()
        if request is not None and administrator is not None:
            # The team's administrator is not a demo user; the portal's administrator accepts.
            made.memberships.append(membership_decide(membership=request, actor=administrator, approve=True))
        volunteer.refresh_from_db()
        made.volunteers.append(volunteer)
    return made
