"""Organizations, memberships, volunteers, certificates and valid codes for tests.

Written with the ORM directly: the organizations' own services (registration, verification,
membership, volunteer registration) are tested in ``tests/organizations``.
"""

from __future__ import annotations

import io
import itertools

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from stdnum.cn.uscc import calc_check_digit

from accounts.roles import Role
from marketplace.organizations.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Volunteer,
)
from regions.models import Region
from tests.factories.accounts import UserFactory

_codes = itertools.count(1)

# A small but well-formed PDF: what a real certificate starts with.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def uscc_with_check_digit(first17: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return first17 + calc_check_digit(first17)


def next_uscc(prefix: str = "51420111") -> str:
    """A fresh valid code: ``prefix`` (8 digits: authority, type, region) and a serial."""
    return uscc_with_check_digit(f"{prefix}MJ{next(_codes):07d}")


def certificate_pdf(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def certificate_png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def forged_pdf(name: str = "certificate.pdf") -> SimpleUploadedFile:
    """A text file that only claims, by its name and content type, to be a PDF."""
    return SimpleUploadedFile(name, b"just some text, not a PDF\n" * 10, content_type="application/pdf")


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An organization in Hongshan district, ``pending``, serving basic living and medical needs;
    traits ``verified``, ``suspended``, ``rejected`` and ``team`` (a volunteer team);
    ``admin=user`` makes ``user`` its active administrator (with the role). An organization that
    claims any need serves every type: ``need_types=[]``."""

    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试慈善会{n}")
    kind = OrganizationKind.CHARITY
    uscc = factory.LazyFunction(next_uscc)
    registration_authority = "武汉市洪山区民政局"
    region = factory.LazyFunction(lambda: Region.objects.get(code="420111"))
    service_regions = factory.LazyFunction(lambda: ["420100"])
    need_types = factory.LazyFunction(lambda: ["basic_living", "medical"])
    contact_name = "王老师"
    contact_phone = "027-87654321"
    description = "为困难家庭提供帮扶。"
    status = OrganizationStatus.PENDING

    class Params:
        verified = factory.Trait(
            status=OrganizationStatus.VERIFIED, verified_at=factory.LazyFunction(timezone.now)
        )
        suspended = factory.Trait(
            status=OrganizationStatus.SUSPENDED,
            verified_at=factory.LazyFunction(timezone.now),
            status_reason="年检逾期",
        )
        rejected = factory.Trait(status=OrganizationStatus.REJECTED, status_reason="材料不符")
        team = factory.Trait(
            kind=OrganizationKind.VOLUNTEER_TEAM,
            need_types=factory.LazyFunction(lambda: ["care_service", "counselling"]),
            name=factory.Sequence(lambda n: f"测试志愿服务队{n}"),
        )

    @factory.post_generation
    def admin(self, create, extracted, **kwargs):
        if create and extracted is not None:
            MembershipFactory(organization=self, user=extracted, role=MembershipRole.ADMIN)
            extracted.groups.add(Group.objects.get(name=Role.CHARITY_ADMIN))
            extracted.__dict__.pop("_role_names", None)


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active membership; the user, unless given, is a new user with the charity-member role.

    ``MembershipFactory(organization=org, role=MembershipRole.ADMIN).user`` is a member who may act
    for ``org``; give the role at the call site, since what a member may do depends on it.
    """

    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.CHARITY_MEMBER])
    role = MembershipRole.MEMBER
    status = MembershipStatus.ACTIVE


class VolunteerFactory(factory.django.DjangoModelFactory):
    """A registered volunteer (real name and ID number as registration stores them, with their
    masked forms); the user, unless given, is a new user with the volunteer role."""

    class Meta:
        model = Volunteer

    user = factory.SubFactory(UserFactory, roles=[Role.VOLUNTEER])
    real_name = "林晓雯"
    id_number = "420106199203140572"
    masked_name = "林**"
    masked_id_number = "4201**********0572"
    id_token = factory.Sequence(lambda n: f"vol-{n}")
    need_types = factory.LazyFunction(lambda: ["care_service"])
