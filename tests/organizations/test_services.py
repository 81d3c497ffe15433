"""Organizations: registration, verification by the region's caseworkers, the public
directory and its API, membership."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import constants as message_levels
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Notification, User
from accounts.roles import Role
from marketplace.organizations.api import PRIVATE_FIELDS, PUBLIC_FIELDS
from marketplace.organizations.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organization,
    OrganizationStatus,
    OrganizationTransition,
)
from marketplace.organizations.selectors import organization_public_list, organizations_for_claiming
from marketplace.organizations.services.membership import (
    membership_decide,
    membership_invite,
    membership_remove,
    membership_request,
    membership_respond,
)
from marketplace.organizations.services.registration import (
    certificate_check,
    certificate_kind,
    certificate_store,
    uscc_clean,
    uscc_warnings,
)
from marketplace.organizations.services.verification import (
    TRANSITIONS,
    OrganizationTransitionRefused,
    organization_set_status,
)
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.delivery import encoded, jpeg_with_exif, pdf_document
from tests.factories.needs import NeedFactory
from tests.factories.organizations import (
    PDF_BYTES,
    MembershipFactory,
    OrganizationFactory,
    certificate_pdf,
    certificate_png,
    forged_pdf,
    next_uscc,
    uscc_with_check_digit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker():
    return UserFactory(caseworker=True)  # Hongshan district, 420111


@pytest.fixture
def other_caseworker():
    return UserFactory(caseworker=True, region=Region.objects.get(code="420102"))  # Jiang'an district


@pytest.fixture
def registrant():
    return UserFactory()


def registration_data(**overrides) -> dict:
    data = {
        "name": "武汉市洪山区新希望慈善会",
        "kind": "charity",
        "uscc": next_uscc("51420111"),
        "registration_authority": "武汉市洪山区民政局",
        "region": "420111",
        "service_cities": ["420100"],
        "service_counties": "",
        "need_types": ["basic_living", "medical"],
        "contact_name": "李老师",
        "contact_phone": "027-87654321",
        "contact_email": "contact@example.org",
        "description": "为困难家庭提供帮扶。",
        "certificate": certificate_pdf(),
    }
    data.update(overrides)
    return data


def messages_of(response) -> list:
    return list(response.context["messages"]) if response.context else []


# --- the unified social credit code --------------------------------------------------------------


def test_uscc_is_validated_and_compacted():
    code = uscc_with_check_digit("91110000600037341")
    assert code == "91110000600037341L"
    assert uscc_clean(" 9111 0000-6000 37341l ") == code


@pytest.mark.parametrize("value", ["91110000600037341X", "12345", "A1110000600037341L", ""])
def test_an_invalid_uscc_is_refused_with_a_field_error(value):
    with pytest.raises(ValidationError) as refused:
        uscc_clean(value)
    assert refused.value.code == "uscc"


def test_a_charity_code_outside_51_52_53_is_a_warning_not_a_refusal():
    assert uscc_warnings(kind="charity", uscc=uscc_with_check_digit("91420111MJ0000001"))
    for prefix in ("51", "52", "53"):
        assert uscc_warnings(kind="charity", uscc=uscc_with_check_digit(f"{prefix}420111MJ0000001")) == []
    # Only charities are expected to be registered with civil affairs.
    assert uscc_warnings(kind="enterprise", uscc=uscc_with_check_digit("91420111MJ0000001")) == []


def test_the_registration_form_shows_an_invalid_code_on_its_field(client, registrant):
    client.force_login(registrant)
    response = client.post("/organizations/register/", registration_data(uscc="91110000600037341X"))
    assert response.status_code == 200
    assert response.context["form"].has_error("uscc", "uscc")
    assert not Organization.objects.exists()


# --- registration ------------------------------------------------------------------------------


def test_registration_needs_a_login(client):
    response = client.get("/organizations/register/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_registration_creates_a_pending_organization_and_tells_the_regions_caseworkers(
    client, registrant, caseworker, other_caseworker
):
    client.force_login(registrant)
    assert client.get("/organizations/register/").status_code == 200
    data = registration_data(service_counties="江夏区, 420106")
    response = client.post("/organizations/register/", data, follow=True)
    assert response.redirect_chain[-1][0] == "/organizations/mine/"

    organization = Organization.objects.get()
    assert organization.status == OrganizationStatus.PENDING
    assert organization.uscc == data["uscc"]
    assert organization.region_id == "420111"
    # 江夏区 and 武昌区 are inside Wuhan, which is served already.
    assert organization.service_regions == ["420100"]
    [transition] = OrganizationTransition.objects.filter(organization=organization)
    assert (transition.from_status, transition.to_status, transition.actor) == ("", "pending", registrant)
    membership = Membership.objects.get(organization=organization)
    assert (membership.user, membership.role, membership.status) == (registrant, "admin", "active")
    registrant.refresh_from_db()
    assert registrant.has_role(Role.CHARITY_ADMIN)

    notified = Notification.objects.filter(url=f"/admin/organizations/{organization.pk}/")
    assert list(notified.values_list("user", flat=True)) == [caseworker.pk]
    # A charity code starting with 51 raises no warning.
    assert not [m for m in messages_of(response) if m.level == message_levels.WARNING]


def test_a_charity_with_an_unusual_code_is_registered_with_a_warning(client, registrant):
    client.force_login(registrant)
    response = client.post(
        "/organizations/register/", registration_data(uscc=next_uscc("91420111")), follow=True
    )
    assert Organization.objects.get().status == OrganizationStatus.PENDING
    warnings = [m for m in messages_of(response) if m.level == message_levels.WARNING]
    assert len(warnings) == 1
    assert "51" in str(warnings[0])


def test_county_caseworkers_are_told_before_the_city_ones(client, registrant, caseworker):
    city_caseworker = UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420100"))
    client.force_login(registrant)
    client.post("/organizations/register/", registration_data(region="420102"))  # no caseworker there
    organization = Organization.objects.get()
    notified = Notification.objects.filter(url=f"/admin/organizations/{organization.pk}/")
    assert list(notified.values_list("user", flat=True)) == [city_caseworker.pk]


def test_a_registered_code_cannot_be_registered_again(client, registrant):
    existing = OrganizationFactory()
    client.force_login(registrant)
    response = client.post("/organizations/register/", registration_data(uscc=existing.uscc))
    assert response.status_code == 200
    assert response.context["form"].has_error("uscc")
    assert Organization.objects.count() == 1


def test_service_regions_must_be_known(client, registrant):
    client.force_login(registrant)
    response = client.post(
        "/organizations/register/", registration_data(service_cities=[], service_counties="火星区")
    )
    assert response.context["form"].has_error("service_counties")
    response = client.post("/organizations/register/", registration_data(service_cities=["999999"]))
    assert response.context["form"].has_error("service_cities")
    response = client.post("/organizations/register/", registration_data(service_cities=[]))
    assert response.context["form"].has_error("service_cities")
    assert not Organization.objects.exists()


def test_a_certificate_with_a_forged_extension_is_refused(client, registrant):
    client.force_login(registrant)
    response = client.post("/organizations/register/", registration_data(certificate=forged_pdf()))
    assert response.status_code == 200
    assert response.context["form"].has_error("certificate", "certificate_type")
    assert not Organization.objects.exists()


def test_a_certificate_over_5_mb_is_refused(client, registrant):
    big = certificate_pdf()
    big.file.seek(0, 2)
    big.file.write(b"0" * (5 * 1024 * 1024))
    big.size = big.file.tell()
    big.file.seek(0)
    client.force_login(registrant)
    response = client.post("/organizations/register/", registration_data(certificate=big))
    assert response.context["form"].has_error("certificate", "certificate_size")


def test_a_certificate_is_recognised_by_its_content():
    assert certificate_kind(PDF_BYTES[:16]) == "pdf"
    assert certificate_kind(certificate_png().read(16)) == "png"
    assert certificate_kind(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpg"
    assert certificate_kind(b"GIF89a") is None
    assert certificate_kind(b"<html>%PDF-") is None


def test_an_image_certificate_is_stored_privately_by_its_content(client, registrant):
    client.force_login(registrant)
    client.post("/organizations/register/", registration_data(certificate=certificate_png("scan.PDF")))
    organization = Organization.objects.get()
    name = organization.certificate.name
    assert name.startswith("private/certificates/")
    assert name.endswith(".png")  # the content decided, not the name
    assert "scan" not in name
    # Not guessable from the public code, wherever MEDIA_URL happens to be served.
    assert organization.uscc not in name
    assert organization.certificate.storage.exists(name)


# --- verification ------------------------------------------------------------------------------


@pytest.fixture
def pending(registrant):
    organization = OrganizationFactory(admin=registrant)
    organization.certificate = certificate_store(certificate_pdf(), kind="pdf")
    organization.save()
    return organization


def decide(client, organization, action, note=""):
    return client.post(f"/admin/organizations/{organization.pk}/", {"action": action, f"{action}-note": note})


def test_the_regions_caseworker_verifies_and_the_organization_is_told(
    client, caseworker, pending, registrant
):
    client.force_login(caseworker)
    response = client.get("/admin/organizations/")
    assert response.status_code == 200
    assert pending.name in response.content.decode()
    assert client.get(f"/admin/organizations/{pending.pk}/").status_code == 200

    response = decide(client, pending, "verify")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == OrganizationStatus.VERIFIED
    assert pending.verified_at is not None
    transition = pending.transitions.last()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "pending",
        "verified",
        caseworker,
    )
    assert Notification.objects.filter(user=registrant, url="/organizations/mine/").exists()


def test_a_caseworker_of_another_county_cannot_see_or_verify(client, other_caseworker, pending):
    client.force_login(other_caseworker)
    assert pending.name not in client.get("/admin/organizations/?status=all").content.decode()
    assert client.get(f"/admin/organizations/{pending.pk}/").status_code == 404
    assert decide(client, pending, "verify").status_code == 404
    assert client.get(f"/admin/organizations/{pending.pk}/certificate/").status_code == 404
    with pytest.raises(PermissionDenied):
        organization_set_status(organization=pending, to_status="verified", actor=other_caseworker)
    pending.refresh_from_db()
    assert pending.status == OrganizationStatus.PENDING


def test_a_city_caseworker_may_verify_in_the_citys_counties(pending):
    city_caseworker = UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420100"))
    organization_set_status(organization=pending, to_status="verified", actor=city_caseworker)
    assert pending.status == OrganizationStatus.VERIFIED


@pytest.mark.parametrize("who", ["anonymous", "charity_admin", "supervisor"])
def test_others_cannot_use_the_back_office_list(client, who, registrant, pending):
    if who == "charity_admin":
        client.force_login(registrant)
    elif who == "supervisor":
        client.force_login(UserFactory(supervisor=True))
    response = client.get(f"/admin/organizations/{pending.pk}/")
    assert response.status_code in (302, 403)
    response = client.get(f"/admin/organizations/{pending.pk}/certificate/")
    assert response.status_code in (302, 403)


def test_the_certificate_is_served_only_through_the_checked_view(client, caseworker, pending):
    client.force_login(caseworker)
    response = client.get(f"/admin/organizations/{pending.pk}/certificate/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    detail = client.get(f"/admin/organizations/{pending.pk}/").content.decode()
    assert f"/admin/organizations/{pending.pk}/certificate/" in detail
    assert pending.certificate.name not in detail  # the storage path is never shown


@pytest.mark.parametrize("action", ["reject", "suspend"])
def test_reject_and_suspend_need_a_reason(client, caseworker, action):
    organization = OrganizationFactory(verified=action == "suspend")
    before = organization.status
    client.force_login(caseworker)
    response = decide(client, organization, action, note="  ")
    assert response.status_code == 400
    organization.refresh_from_db()
    assert organization.status == before
    with pytest.raises(ValidationError) as refused:
        organization_set_status(
            organization=organization, to_status=StatusFor[action], actor=caseworker, note=""
        )
    assert "note" in refused.value.message_dict

    response = decide(client, organization, action, note="证书与登记信息不符")
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.status == StatusFor[action]
    assert organization.status_reason == "证书与登记信息不符"
    assert organization.transitions.last().note == "证书与登记信息不符"


StatusFor = {"reject": OrganizationStatus.REJECTED, "suspend": OrganizationStatus.SUSPENDED}


@pytest.mark.parametrize(
    ("start", "to_status"),
    [
        ("pending", "suspended"),
        ("rejected", "verified"),
        ("rejected", "pending"),
        ("verified", "rejected"),
        ("verified", "pending"),
        ("suspended", "rejected"),
    ],
)
def test_illegal_moves_are_refused(caseworker, start, to_status):
    organization = OrganizationFactory(status=start)
    assert to_status not in TRANSITIONS[start]
    with pytest.raises(OrganizationTransitionRefused):
        organization_set_status(organization=organization, to_status=to_status, actor=caseworker, note="x")
    organization.refresh_from_db()
    assert organization.status == start
    assert not organization.transitions.exists()


def test_an_illegal_move_from_the_back_office_changes_nothing(client, caseworker, pending):
    client.force_login(caseworker)
    response = decide(client, pending, "suspend", note="x")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == OrganizationStatus.PENDING


def test_a_suspended_organization_can_be_reinstated(caseworker):
    organization = OrganizationFactory(suspended=True)
    organization_set_status(organization=organization, to_status="verified", actor=caseworker, note="已补交")
    organization.refresh_from_db()
    assert organization.status == OrganizationStatus.VERIFIED
    assert organization.status_reason == ""


# --- the public directory ----------------------------------------------------------------------


@pytest.fixture
def directory():
    return {
        "verified": OrganizationFactory(verified=True, name="已认证慈善会", description="公开简介"),
        "pending": OrganizationFactory(name="待审核慈善会"),
        "rejected": OrganizationFactory(rejected=True, name="已驳回慈善会"),
        "suspended": OrganizationFactory(suspended=True, name="已暂停慈善会"),
    }


def test_the_directory_shows_only_verified_organizations(client, directory):
    response = client.get("/organizations/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "已认证慈善会" in page
    assert "武汉市" in page  # service regions by name
    for name in ("待审核慈善会", "已驳回慈善会", "已暂停慈善会"):
        assert name not in page
    assert directory["verified"].uscc not in page
    assert directory["verified"].contact_phone not in page
    assert client.get(f"/organizations/{directory['verified'].pk}/").status_code == 200
    for key in ("pending", "rejected", "suspended"):
        assert client.get(f"/organizations/{directory[key].pk}/").status_code == 404


def test_the_public_signs_in_on_the_public_page_to_ask_to_join(client, directory):
    organization = directory["verified"]
    page = client.get(f"/organizations/{organization.pk}/").content.decode()
    assert f'href="/account/login/?next=/organizations/{organization.pk}/"' in page
    assert "/admin/login/" not in page


def test_the_directory_api_lists_verified_organizations_with_public_fields_only(client, directory):
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["name"] == "已认证慈善会"
    assert set(item) == {
        "id", "name", "kind", "kind_label", "service_regions", "need_types", "description", "verified_at",
    }  # fmt: skip
    assert item["service_regions"] == [{"code": "420100", "name": "武汉市"}]
    assert {need_type["code"] for need_type in item["need_types"]} == {"basic_living", "medical"}
    assert client.get(f"/api/v1/organizations/{directory['verified'].pk}/").status_code == 200
    response = client.get(f"/api/v1/organizations/{directory['pending'].pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_every_organization_field_is_classified_public_or_private():
    fields = {field.name for field in Organization._meta.concrete_fields}
    assert fields == PUBLIC_FIELDS | PRIVATE_FIELDS
    assert not PUBLIC_FIELDS & PRIVATE_FIELDS


def test_the_directory_filters_by_city_and_need_type(client):
    wuhan = OrganizationFactory(
        verified=True, name="武汉助医会", service_regions=["420111"], need_types=["medical"]
    )
    yichang = OrganizationFactory(
        verified=True, name="宜昌助学会", service_regions=["420500"], need_types=["education"]
    )
    province = OrganizationFactory(
        verified=True, name="全省慈善会", service_regions=["420000"], need_types=[]
    )
    assert set(organization_public_list(city="420100")) == {wuhan, province}
    assert set(organization_public_list(city="420500")) == {yichang, province}
    assert set(organization_public_list(need_type="education")) == {yichang, province}
    assert set(organization_public_list(city="420100", need_type="education")) == {province}

    page = client.get("/organizations/", {"city": "420500"}).content.decode()
    assert "宜昌助学会" in page and "武汉助医会" not in page
    data = client.get("/api/v1/organizations/", {"city": "420100", "need_type": "medical"}).json()
    assert {item["name"] for item in data["results"]} == {"武汉助医会", "全省慈善会"}
    response = client.get("/api/v1/organizations/", {"need_type": "nonsense"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_directory_is_paginated(client):
    for number in range(25):
        OrganizationFactory(verified=True, name=f"慈善会{number:02d}")
    first = client.get("/organizations/").content.decode()
    second = client.get("/organizations/", {"page": 2}).content.decode()
    assert "慈善会00" in first and "慈善会24" not in first
    assert "慈善会24" in second


# --- membership ----------------------------------------------------------------------------------


@pytest.fixture
def charity(registrant):
    return OrganizationFactory(verified=True, admin=registrant)


def test_the_admin_invites_and_the_user_accepts(client, charity, registrant):
    invitee = UserFactory(username="xiaoli")
    client.force_login(registrant)
    response = client.post(
        f"/organizations/{charity.pk}/invite/",
        {f"invite-{charity.pk}-username": "xiaoli", f"invite-{charity.pk}-role": "member"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(organization=charity, user=invitee)
    assert (membership.status, membership.invited_by) == (MembershipStatus.INVITED, registrant)
    assert Notification.objects.filter(user=invitee, url="/organizations/mine/").exists()
    assert list(organizations_for_claiming(user=invitee)) == []

    client.force_login(invitee)
    assert charity.name in client.get("/organizations/mine/").content.decode()
    response = client.post(f"/organizations/memberships/{membership.pk}/accept/")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    invitee.refresh_from_db()
    assert invitee.has_role(Role.CHARITY_MEMBER)
    assert list(organizations_for_claiming(user=invitee)) == [charity]


def test_an_invitation_can_be_declined(charity, registrant):
    invitee = UserFactory()
    membership = membership_invite(organization=charity, username=invitee.username, actor=registrant)
    membership_respond(membership=membership, user=invitee, accept=False)
    assert membership.status == MembershipStatus.DECLINED
    with pytest.raises(ValidationError):
        membership_respond(membership=membership, user=invitee, accept=True)


def test_only_the_organizations_admins_invite(client, charity):
    member = MembershipFactory(organization=charity, role=MembershipRole.MEMBER).user
    with pytest.raises(PermissionDenied):
        membership_invite(organization=charity, username=UserFactory().username, actor=member)
    client.force_login(member)
    response = client.post(f"/organizations/{charity.pk}/invite/", {f"invite-{charity.pk}-username": "x"})
    assert response.status_code == 404


def test_inviting_an_unknown_user_or_a_member_is_a_field_error(client, charity, registrant):
    member = MembershipFactory(organization=charity, role=MembershipRole.MEMBER).user
    client.force_login(registrant)
    for username in ("nobody-here", member.username):
        response = client.post(
            f"/organizations/{charity.pk}/invite/",
            {f"invite-{charity.pk}-username": username, f"invite-{charity.pk}-role": "member"},
        )
        assert response.status_code == 400
        [entry] = response.context["administered"]
        assert entry["invite_form"].has_error("username")


def test_a_user_asks_to_join_and_the_admin_approves(client, charity, registrant):
    applicant = UserFactory()
    client.force_login(applicant)
    page = client.get(f"/organizations/{charity.pk}/").content.decode()
    assert f"/organizations/{charity.pk}/join/" in page
    response = client.post(f"/organizations/{charity.pk}/join/")
    assert response.status_code == 302
    membership = Membership.objects.get(organization=charity, user=applicant)
    assert membership.status == MembershipStatus.REQUESTED
    assert Notification.objects.filter(user=registrant, subject__contains=applicant.username).exists()

    # Not the applicant's to approve.
    assert client.post(f"/organizations/memberships/{membership.pk}/approve/").status_code == 404
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REQUESTED

    client.force_login(registrant)
    assert applicant.username in client.get("/organizations/mine/").content.decode()
    assert client.post(f"/organizations/memberships/{membership.pk}/approve/").status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert Notification.objects.filter(user=applicant, url="/organizations/mine/").exists()
    assert list(organizations_for_claiming(user=applicant)) == [charity]


def test_a_request_can_be_declined(charity, registrant):
    applicant = UserFactory()
    membership = membership_request(organization=charity, user=applicant)
    membership_decide(membership=membership, actor=registrant, approve=False)
    assert membership.status == MembershipStatus.DECLINED
    # They may ask again later.
    assert membership_request(organization=charity, user=applicant).status == MembershipStatus.REQUESTED


def test_only_verified_organizations_take_requests(client):
    pending = OrganizationFactory()
    applicant = UserFactory()
    with pytest.raises(ValidationError):
        membership_request(organization=pending, user=applicant)
    client.force_login(applicant)
    assert client.post(f"/organizations/{pending.pk}/join/").status_code == 404


def test_asking_twice_or_as_a_member_is_refused(charity):
    applicant = UserFactory()
    membership_request(organization=charity, user=applicant)
    with pytest.raises(ValidationError) as twice:
        membership_request(organization=charity, user=applicant)
    assert twice.value.code == "already_asked"
    member = MembershipFactory(organization=charity, role=MembershipRole.MEMBER).user
    with pytest.raises(ValidationError):
        membership_request(organization=charity, user=member)


def test_the_admin_removes_a_member_who_loses_the_role(client, charity, registrant):
    membership = membership_invite(organization=charity, username=UserFactory().username, actor=registrant)
    membership_respond(membership=membership, user=membership.user, accept=True)
    member = membership.user
    member.refresh_from_db()
    assert member.has_role(Role.CHARITY_MEMBER)
    client.force_login(registrant)
    assert client.post(f"/organizations/memberships/{membership.pk}/remove/").status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REMOVED
    member = User.objects.get(pk=member.pk)  # role names are cached on an instance
    assert not member.has_role(Role.CHARITY_MEMBER)
    assert list(organizations_for_claiming(user=member)) == []


def test_the_last_admin_cannot_leave(charity, registrant):
    admin_membership = Membership.objects.get(organization=charity, user=registrant)
    with pytest.raises(ValidationError) as refused:
        membership_remove(membership=admin_membership, actor=registrant)
    assert refused.value.code == "last_admin"
    second = membership_invite(
        organization=charity, username=UserFactory().username, actor=registrant, role=MembershipRole.ADMIN
    )
    membership_respond(membership=second, user=second.user, accept=True)
    membership_remove(membership=admin_membership, actor=registrant)
    assert admin_membership.status == MembershipStatus.REMOVED


def test_suspended_organizations_are_not_for_claiming(charity, registrant, caseworker):
    assert list(organizations_for_claiming(user=registrant)) == [charity]
    organization_set_status(organization=charity, to_status="suspended", actor=caseworker, note="年检逾期")
    assert list(organizations_for_claiming(user=registrant)) == []


# --- demo data -----------------------------------------------------------------------------------


def test_demo_organizations_are_idempotent_and_in_every_state():
    from accounts.demo import seed_demo_users
    from marketplace.organizations.demo import seed_demo_organizations
    from marketplace.organizations.selectors import volunteer_for

    seed_demo_users()
    first = seed_demo_organizations()
    assert len(first.organizations) == 4
    assert {organization.status for organization in first.organizations} == {
        "verified",
        "pending",
        "suspended",
    }
    second = seed_demo_organizations()
    assert second.organizations == [] and second.volunteers == []
    assert Organization.objects.count() == 4

    charity_member = User.objects.get(username="charity_member")
    charity_admin = User.objects.get(username="charity_admin")
    [charity] = organizations_for_claiming(user=charity_member)
    assert list(organizations_for_claiming(user=charity_admin)) == [charity]
    assert charity.region_id == "420111"
    volunteer = volunteer_for(user=User.objects.get(username="volunteer"))
    assert volunteer is not None and volunteer.team is not None and volunteer.team.is_verified


def test_a_bad_phone_number_is_a_field_error(client, registrant):
    client.force_login(registrant)
    response = client.post("/organizations/register/", registration_data(contact_phone="abc"))
    assert response.context["form"].has_error("contact_phone", "phone")
    assert not Organization.objects.exists()


# --- no conflict of interest: staff review charities' work, they never take part in it ------------


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_staff_cannot_join_be_invited_or_claim(role):
    from marketplace.claims.errors import ClaimRefused
    from marketplace.claims.services.claims import need_claim

    organization = OrganizationFactory(verified=True)
    admin = MembershipFactory(organization=organization, role=MembershipRole.ADMIN).user
    official = UserFactory(roles=[role], region=Region.objects.get(code="420111"))
    with pytest.raises(ValidationError) as asked:
        membership_request(organization=organization, user=official)
    assert asked.value.code == "office_holder"
    with pytest.raises(ValidationError) as invited:
        membership_invite(organization=organization, username=official.username, actor=admin)
    assert "username" in invited.value.message_dict
    assert not Membership.objects.filter(user=official).exists()
    # Even a membership made behind the services' back does not let them claim.
    MembershipFactory(organization=organization, user=official, role=MembershipRole.ADMIN)
    with pytest.raises(ClaimRefused) as refused:
        need_claim(need=NeedFactory(), actor=official, organization=organization, amount=Decimal("10.00"))
    assert refused.value.code == "not_eligible"
    assert "利益冲突" in str(refused.value.message)  # the reason, in the default language


def test_staff_are_told_why_they_cannot_register(client):
    client.force_login(UserFactory(caseworker=True))
    for url in ("/organizations/register/", "/volunteers/register/"):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == "/account/"
        assert "利益冲突" in response.text or "conflict of interest" in response.text


# --- certificates go through the same check --------------------------------------------------------


def certificate(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_certificate_pdf_with_escaped_javascript_is_refused():
    data = pdf_document(catalog=b"/OpenAction << /S /Java#53cript /J#53 (app.alert(1)) >>")
    with pytest.raises(ValidationError) as refused:
        certificate_check(certificate("登记证书.pdf", data, "application/pdf"))
    assert refused.value.code == "pdf_active_content"


def test_a_certificate_image_bomb_is_refused():
    bomb = encoded(Image.new("L", (7700, 7700), 255), "PNG", optimize=True)
    with pytest.raises(ValidationError) as refused:
        certificate_check(certificate("证书.png", bomb, "image/png"))
    assert refused.value.code == "image_too_large"


@pytest.mark.django_db
def test_a_registered_certificate_photo_is_stored_without_its_exif(client):
    client.force_login(UserFactory())
    photo = certificate("证书.jpg", jpeg_with_exif(), "image/jpeg")
    client.post("/organizations/register/", registration_data(certificate=photo))
    organization = Organization.objects.get()
    with organization.certificate.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"\xff\xd8\xff")
    assert b"Exif" not in content
    assert b"TestCam" not in content
