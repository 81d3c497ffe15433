"""Delivery, verification, the platform's confirmation, closing, and the expiry report."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import Notification
from accounts.roles import Role
from marketplace.claims.models import ClaimStatus, ClaimTransition
from marketplace.delivery.models import AssistanceRecord, Delivery, DeliveryStatus
from marketplace.delivery.selectors import expired_needs_report
from marketplace.delivery.services.closing import needs_close_fulfilled
from marketplace.delivery.services.reports import (
    DeliveryConflict,
    DeliveryTransitionRefused,
    claim_undelivered_amount,
    delivery_report,
)
from marketplace.delivery.services.verification import delivery_dispute, delivery_verify
from marketplace.delivery.tasks import close_fulfilled_needs
from marketplace.needs.models import FeedbackEvent, NeedStatus, NeedTransition
from marketplace.organizations.models import MembershipRole, OrganizationStatus
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import pdf_bytes, png_bytes, upload
from tests.factories.needs import NeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    system = SourceSystemFactory(region_code="420100")
    key = system.api_key
    system.api_key = key
    return system


@pytest.fixture
def need(source):
    return NeedFactory(source_system=source, target_amount="1000.00", department="health")


@pytest.fixture
def organization():
    return OrganizationFactory(verified=True, need_types=[], name="武汉爱心慈善会")


@pytest.fixture
def member(organization):
    return MembershipFactory(organization=organization, role=MembershipRole.ADMIN).user


@pytest.fixture
def claim(need, organization, member):
    return ClaimFactory(need=need, organization=organization, claimant=member, amount="1000.00")


@pytest.fixture
def caseworker():
    return UserFactory(caseworker=True)  # Hongshan district, 420111


@pytest.fixture
def other_caseworker():
    return UserFactory(caseworker=True, region=Region.objects.get(code="420102"))


def report(claim, actor=None, amount="1000.00", files=None, **overrides):
    values = {
        "claim": claim,
        "actor": actor or claim.claimant,
        "amount": amount,
        "delivered_on": timezone.localdate(),
        "description": "已送达药品和营养品，附签收单。",
        "files": files if files is not None else [upload("签收单.png", png_bytes(), "image/png")],
    }
    values.update(overrides)
    return delivery_report(**values)


def kinds(need):
    return list(FeedbackEvent.objects.filter(need=need).order_by("pk").values_list("kind", flat=True))


# --- report → verify → chain, claim completed, need fulfilled --------------------------------------


def test_report_then_verify_completes_the_claim_and_fulfils_the_need(need, claim, member, caseworker):
    handler = UserFactory(roles=[Role.DEPARTMENT_HANDLER], region=Region.objects.get(code="420100"))
    handler.department = "health"
    handler.save()
    other_department = UserFactory(roles=[Role.DEPARTMENT_HANDLER], region=Region.objects.get(code="420100"))
    other_department.department = "education"
    other_department.save()

    delivery = report(claim, member)
    assert delivery.status == DeliveryStatus.REPORTED
    assert kinds(need) == ["delivery"]
    assert Notification.objects.filter(user=caseworker, url=f"/admin/deliveries/{delivery.pk}/").exists()

    delivery_verify(delivery=delivery, actor=caseworker, note="电话回访已确认")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.VERIFIED
    assert delivery.verified_by == caseworker
    need.refresh_from_db()
    assert need.verified_amount == Decimal("1000.00")
    assert need.status == NeedStatus.FULFILLED
    record = AssistanceRecord.objects.get(delivery=delivery)
    assert record.household_token == need.household_token
    assert (record.need_type, record.amount, record.amount_kind) == ("medical", Decimal("1000.00"), "money")
    assert record.provider == "武汉爱心慈善会"
    assert record.delivered_on == delivery.delivered_on
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED
    assert ClaimTransition.objects.filter(
        claim=claim, to_status=ClaimStatus.COMPLETED, actor=caseworker
    ).exists()
    need.refresh_from_db()
    assert need.claimed_amount == Decimal("1000.00")  # a completed claim keeps holding its amount
    assert NeedTransition.objects.filter(need=need, to_status=NeedStatus.FULFILLED).exists()
    assert kinds(need) == ["delivery", "verification", "fulfilled"]
    verification = FeedbackEvent.objects.get(need=need, kind="verification")
    assert verification.payload["result"] == "verified"
    assert verification.payload["source_ref"] == need.source_ref
    assert (
        Notification.objects.filter(user=member, subject__contains=need.code).count() == 2
    )  # verified, fulfilled
    assert Notification.objects.filter(user=handler, subject__contains=need.code).exists()
    assert not Notification.objects.filter(user=other_department).exists()


def test_partial_deliveries_add_up(need, organization, member, caseworker):
    first = ClaimFactory(need=need, organization=organization, claimant=member, amount="600.00")
    second = ClaimFactory(need=need, amount="400.00")
    need.refresh_from_db()
    assert need.status == NeedStatus.CLAIMED

    one = report(first, amount="250.00")
    two = report(first, amount="350.00")
    assert claim_undelivered_amount(first) == Decimal("0")
    delivery_verify(delivery=one, actor=caseworker)
    first.refresh_from_db()
    assert first.status == ClaimStatus.ACTIVE
    delivery_verify(delivery=two, actor=caseworker)
    first.refresh_from_db()
    need.refresh_from_db()
    assert first.status == ClaimStatus.COMPLETED
    assert need.verified_amount == Decimal("600.00")
    assert need.status == NeedStatus.CLAIMED

    delivery_verify(delivery=report(second, amount="400.00"), actor=caseworker)
    need.refresh_from_db()
    assert need.status == NeedStatus.FULFILLED
    assert AssistanceRecord.objects.filter(need=need).count() == 3


def test_a_volunteer_reports_service_hours(source, caseworker):
    need = NeedFactory(source_system=source, need_type="care_service", amount_kind="hours", target_amount="8")
    volunteer = VolunteerFactory()
    claim = ClaimFactory(need=need, volunteer=volunteer, amount="8")
    delivery = report(claim, volunteer.user, amount="8")
    delivery_verify(delivery=delivery, actor=caseworker)
    record = AssistanceRecord.objects.get(delivery=delivery)
    assert record.amount_kind == "hours"
    assert record.provider == "林**"


# --- what a report may say -------------------------------------------------------------------------


def test_the_amount_cannot_exceed_what_is_left_undelivered(claim):
    report(claim, amount="700.00")
    with pytest.raises(ValidationError) as refused:
        report(claim, amount="300.01")
    assert "amount" in refused.value.error_dict
    report(claim, amount="300.00")


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.001", "١٢٣", "１２３", "1_000", "NaN", "Infinity"])
def test_the_amount_must_be_positive_with_two_decimals(claim, amount):
    with pytest.raises(ValidationError) as refused:
        report(claim, amount=amount)
    assert "amount" in refused.value.error_dict


def test_the_date_cannot_be_in_the_future_or_before_the_claim(claim):
    with pytest.raises(ValidationError) as refused:
        report(claim, delivered_on=timezone.localdate() + timedelta(days=1))
    assert "delivered_on" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        report(claim, delivered_on=timezone.localdate() - timedelta(days=3))
    assert "delivered_on" in refused.value.error_dict


def test_the_description_must_not_carry_phone_or_id_numbers(claim):
    with pytest.raises(ValidationError) as refused:
        report(claim, description="已送达，户主电话13812345678")
    assert "description" in refused.value.error_dict
    with pytest.raises(ValidationError):
        report(claim, description="   ")


def test_only_the_claimants_side_may_report(claim, caseworker):
    outsider = MembershipFactory(
        organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.ADMIN
    ).user
    for actor in (outsider, caseworker):
        with pytest.raises(PermissionDenied):
            report(claim, actor)


def test_a_suspended_organization_cannot_report(claim, organization):
    organization.status = OrganizationStatus.SUSPENDED
    organization.save()
    claim.refresh_from_db()
    with pytest.raises(PermissionDenied):
        report(claim)


def test_a_claim_that_is_no_longer_active_takes_no_report(claim):
    claim.status = ClaimStatus.WITHDRAWN
    claim.save()
    with pytest.raises(DeliveryConflict):
        report(claim)
    assert not Delivery.objects.exists()


# --- verification: who, and the status table -------------------------------------------------------


def test_a_caseworker_of_another_region_cannot_verify_or_dispute(claim, other_caseworker):
    delivery = report(claim)
    with pytest.raises(PermissionDenied):
        delivery_verify(delivery=delivery, actor=other_caseworker)
    with pytest.raises(PermissionDenied):
        delivery_dispute(delivery=delivery, actor=other_caseworker, note="不对")
    with pytest.raises(PermissionDenied):
        delivery_verify(delivery=delivery, actor=claim.claimant)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REPORTED


def test_a_city_supervisor_is_not_a_caseworker(claim):
    supervisor = UserFactory(supervisor=True)
    with pytest.raises(PermissionDenied):
        delivery_verify(delivery=report(claim), actor=supervisor)


def test_a_dispute_needs_a_note_and_frees_the_amount_for_a_corrected_report(need, claim, member, caseworker):
    delivery = report(claim)
    with pytest.raises(ValidationError) as refused:
        delivery_dispute(delivery=delivery, actor=caseworker, note="  ")
    assert "note" in refused.value.error_dict
    delivery_dispute(delivery=delivery, actor=caseworker, note="签收单看不清，请重新上传。")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DISPUTED
    assert delivery.verification_note == "签收单看不清，请重新上传。"
    assert FeedbackEvent.objects.get(need=need, kind="verification").payload["result"] == "disputed"
    assert Notification.objects.filter(user=member, body="签收单看不清，请重新上传。").exists()
    assert not AssistanceRecord.objects.exists()

    # disputed is final: the claimant reports again
    with pytest.raises(DeliveryTransitionRefused):
        delivery_verify(delivery=delivery, actor=caseworker)
    assert claim_undelivered_amount(claim) == Decimal("1000.00")
    corrected = report(claim)
    delivery_verify(delivery=corrected, actor=caseworker)
    with pytest.raises(DeliveryTransitionRefused):
        delivery_verify(delivery=corrected, actor=caseworker)
    need.refresh_from_db()
    assert need.verified_amount == Decimal("1000.00")  # counted once


# --- closing ---------------------------------------------------------------------------------------


def test_a_fulfilled_need_closes_after_the_grace_period(need, claim, caseworker, settings):
    settings.NEED_CLOSE_GRACE_DAYS = 14
    delivery_verify(delivery=report(claim), actor=caseworker)
    assert needs_close_fulfilled() == 0
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert close_fulfilled_needs.delay().get() == 1
        assert needs_close_fulfilled() == 0
    need.refresh_from_db()
    assert need.status == NeedStatus.CLOSED


# --- the platform's confirmation -------------------------------------------------------------------


def confirm(client, key, body):
    return client.post(
        "/api/v1/intake/confirmations/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )


def test_the_platform_confirms_receipt_idempotently_and_the_need_closes(
    client, source, need, claim, caseworker
):
    delivery = report(claim)
    delivery_verify(delivery=delivery, actor=caseworker)
    body = {"source_ref": need.source_ref, "claim_id": claim.pk}

    first = confirm(client, source.api_key, body)
    assert first.status_code == 200, first.content
    assert first.json()["newly_confirmed"] == 1
    assert first.json()["need_status"] == NeedStatus.CLOSED
    delivery.refresh_from_db()
    confirmed_at = delivery.platform_confirmed_at
    assert confirmed_at is not None

    again = confirm(client, source.api_key, body)
    assert again.status_code == 200
    assert again.json()["newly_confirmed"] == 0
    assert again.json()["deliveries"] == first.json()["deliveries"]
    delivery.refresh_from_db()
    assert delivery.platform_confirmed_at == confirmed_at


def test_confirming_a_reported_delivery_before_verification(client, source, need, claim, caseworker):
    delivery = report(claim)
    response = confirm(client, source.api_key, {"source_ref": need.source_ref, "claim_id": claim.pk})
    assert response.status_code == 200
    assert response.json()["need_status"] == NeedStatus.CLAIMED
    delivery_verify(delivery=delivery, actor=caseworker)
    need.refresh_from_db()
    assert need.status == NeedStatus.CLOSED  # fulfilled, and every verified delivery already confirmed


def test_confirmation_needs_the_source_systems_key(client, need, claim):
    report(claim)
    response = confirm(client, "hb_wrong_key", {"source_ref": need.source_ref, "claim_id": claim.pk})
    assert response.status_code == 401
    response = client.post(
        "/api/v1/intake/confirmations/",
        {"source_ref": need.source_ref, "claim_id": claim.pk},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)


def test_another_source_systems_need_is_not_found(client, need, claim):
    report(claim)
    _other = SourceSystemFactory(region_code="420100")
    other_key = _other.api_key
    response = confirm(client, other_key, {"source_ref": need.source_ref, "claim_id": claim.pk})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Delivery.objects.filter(platform_confirmed_at__isnull=False).exists()


def test_a_claim_on_another_need_is_not_found(client, source, need, claim):
    other_need = NeedFactory(source_system=source)
    other_claim = ClaimFactory(need=other_need)
    report(other_claim)
    response = confirm(client, source.api_key, {"source_ref": need.source_ref, "claim_id": other_claim.pk})
    assert response.status_code == 404


def test_confirmation_without_a_delivery_is_a_conflict_and_bad_bodies_are_refused(
    client, source, need, claim
):
    response = confirm(client, source.api_key, {"source_ref": need.source_ref, "claim_id": claim.pk})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    response = confirm(client, source.api_key, {"source_ref": need.source_ref, "claim_id": "x"})
    assert response.status_code == 400
    assert "claim_id" in response.json()["errors"]


# --- the page and the API --------------------------------------------------------------------------


def test_the_deliver_page_reports_a_delivery(client, need, claim, member):
    client.force_login(member)
    page = client.get(f"/claims/{claim.pk}/deliver/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    response = client.post(
        f"/claims/{claim.pk}/deliver/",
        {
            "amount": "400",
            "delivered_on": timezone.localdate().isoformat(),
            "description": "送去药品",
            "files": [
                upload("a.png", png_bytes(), "image/png"),
                upload("b.pdf", pdf_bytes(), "application/pdf"),
            ],
        },
    )
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.amount == Decimal("400.00")
    assert delivery.evidence.count() == 2
    page = client.get(f"/claims/{claim.pk}/deliver/")
    assert f"/evidence/{delivery.evidence.first().pk}/" in page.text


def test_the_deliver_page_shows_errors_for_a_forged_file(client, claim, member):
    client.force_login(member)
    with translation.override("en"):
        response = client.post(
            f"/claims/{claim.pk}/deliver/",
            {
                "amount": "400",
                "delivered_on": timezone.localdate().isoformat(),
                "description": "送去药品",
                "files": [upload("photo.jpg", b"<html>not a photo</html>", "image/jpeg")],
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert "Only photos (JPEG, PNG, WebP) and PDF documents are accepted." in response.text
    assert not Delivery.objects.exists()


def test_the_deliver_page_is_for_the_claimants_side_only(client, claim, caseworker):
    assert client.get(f"/claims/{claim.pk}/deliver/").status_code == 302
    client.force_login(
        MembershipFactory(
            organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.ADMIN
        ).user
    )
    assert client.get(f"/claims/{claim.pk}/deliver/").status_code == 404
    client.force_login(caseworker)
    assert client.get(f"/claims/{claim.pk}/deliver/").status_code == 404


def test_the_api_reports_a_delivery(client, claim, member):
    client.force_login(member)
    response = client.post(
        f"/api/v1/claims/{claim.pk}/deliveries/",
        {
            "amount": "300.00",
            "delivered_on": timezone.localdate().isoformat(),
            "description": "送去药品",
            "files": [upload("a.webp", png_bytes(), "image/webp")],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "reported"
    assert body["amount"] == "300.00"
    [evidence] = body["evidence"]
    assert evidence["content_type"] == "image/png"
    assert evidence["url"] == f"/evidence/{evidence['id']}/"
    listing = client.get(f"/api/v1/claims/{claim.pk}/deliveries/")
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()] == [body["id"]]


def test_the_api_refuses_forged_files_outsiders_and_inactive_claims(client, claim, member):
    data = {"amount": "300.00", "delivered_on": timezone.localdate().isoformat(), "description": "送去药品"}
    assert client.post(f"/api/v1/claims/{claim.pk}/deliveries/", data).status_code == 401  # anonymous
    client.force_login(
        MembershipFactory(
            organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.ADMIN
        ).user
    )
    assert client.post(f"/api/v1/claims/{claim.pk}/deliveries/", data).status_code == 404
    client.force_login(member)
    forged = client.post(
        f"/api/v1/claims/{claim.pk}/deliveries/",
        {**data, "files": [upload("x.pdf", b"PK\x03\x04zip", "application/pdf")]},
    )
    assert forged.status_code == 400
    assert forged.json()["code"] == "invalid"
    assert "files" in forged.json()["errors"]
    claim.status = ClaimStatus.EXPIRED
    claim.save()
    conflict = client.post(
        f"/api/v1/claims/{claim.pk}/deliveries/",
        {**data, "files": [upload("a.png", png_bytes(), "image/png")]},
    )
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "conflict"


# --- the evidence view -----------------------------------------------------------------------------


@pytest.fixture
def photo_and_pdf(claim):
    delivery = report(
        claim,
        files=[upload("a.png", png_bytes(), "image/png"), upload("b.pdf", pdf_bytes(), "application/pdf")],
    )
    photo = delivery.evidence.get(content_type="image/png")
    pdf = delivery.evidence.get(content_type="application/pdf")
    return photo, pdf


def test_evidence_is_served_to_the_claimants_members_and_the_needs_caseworker(
    client, organization, member, caseworker, photo_and_pdf
):
    photo, pdf = photo_and_pdf
    colleague = MembershipFactory(organization=organization, role=MembershipRole.ADMIN).user
    for user in (member, colleague, caseworker):
        client.force_login(user)
        response = client.get(f"/evidence/{photo.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "attachment" not in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        download = client.get(f"/evidence/{pdf.pk}/")
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment")
        assert download["X-Content-Type-Options"] == "nosniff"


def test_evidence_is_hidden_from_everyone_else(client, caseworker, other_caseworker, photo_and_pdf):
    photo, _pdf = photo_and_pdf
    response = client.get(f"/evidence/{photo.pk}/")
    assert response.status_code == 302  # anonymous: to the login page
    assert "login" in response["Location"]
    for user in (
        MembershipFactory(
            organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.ADMIN
        ).user,
        other_caseworker,
        UserFactory(supervisor=True),
        UserFactory(roles=[Role.VOLUNTEER]),
    ):
        client.force_login(user)
        assert client.get(f"/evidence/{photo.pk}/").status_code == 404


def test_evidence_is_not_under_a_public_media_url(photo_and_pdf):
    photo, _pdf = photo_and_pdf
    assert photo.file.name.startswith("private/")


# --- the back office -------------------------------------------------------------------------------


def test_the_queue_lists_reported_deliveries_in_scope_with_evidence_links(
    client, source, claim, caseworker, other_caseworker, photo_and_pdf
):
    photo, _pdf = photo_and_pdf
    elsewhere = ClaimFactory(need=NeedFactory(source_system=source, region="420102"))
    theirs = report(elsewhere)
    client.force_login(caseworker)
    response = client.get("/admin/deliveries/")
    assert response.status_code == 200
    assert claim.need.code in response.text
    assert f"/evidence/{photo.pk}/" in response.text
    assert elsewhere.need.code not in response.text
    assert client.get(f"/admin/deliveries/{theirs.pk}/").status_code == 404
    response = client.post(f"/admin/deliveries/{theirs.pk}/", {"action": "verify"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == DeliveryStatus.REPORTED


def test_the_queue_verifies_and_disputes(client, claim, caseworker, photo_and_pdf):
    photo, _pdf = photo_and_pdf
    delivery = photo.delivery
    client.force_login(caseworker)
    detail = client.get(f"/admin/deliveries/{delivery.pk}/")
    assert detail.status_code == 200
    assert f"/admin/assistance-chain/need/{claim.need.code}/" in detail.text
    with translation.override("en"):
        empty = client.post(f"/admin/deliveries/{delivery.pk}/", {"action": "dispute", "note": ""})
    assert empty.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REPORTED
    response = client.post(f"/admin/deliveries/{delivery.pk}/", {"action": "verify", "note": ""})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.VERIFIED
    history = client.get("/admin/deliveries/?status=verified")
    assert claim.need.code in history.text


def test_the_queue_is_for_caseworkers(client, member, claim, photo_and_pdf):
    # Wagtail turns a refusal into a redirect to the admin home (or its login page).
    for user in (member, UserFactory(supervisor=True)):
        client.force_login(user)
        response = client.get("/admin/deliveries/")
        assert response.status_code in (302, 403)
        assert claim.need.code not in response.text


# --- the expiry report -----------------------------------------------------------------------------


def expire(need, claimed="0", verified="0"):
    need.claimed_amount = Decimal(claimed)
    need.verified_amount = Decimal(verified)
    NeedTransition.objects.create(need=need, from_status=need.status, to_status=NeedStatus.EXPIRED)
    need.status = NeedStatus.EXPIRED
    need.save()
    return need


def test_the_expiry_report_lists_expired_needs_in_scope_with_their_gap(
    client, source, caseworker, other_caseworker
):
    mine = expire(
        NeedFactory(source_system=source, target_amount="900.00"), claimed="300.00", verified="200.00"
    )
    theirs = expire(NeedFactory(source_system=source, region="420102"))
    NeedFactory(source_system=source)  # still open

    since = timezone.localdate() - timedelta(days=7)
    [row] = expired_needs_report(user=caseworker, since=since)
    assert row == mine
    assert row.gap == Decimal("700.00")
    assert [need.code for need in expired_needs_report(user=other_caseworker, since=since)] == [theirs.code]
    assert not expired_needs_report(user=caseworker, since=timezone.localdate() + timedelta(days=1)).exists()

    client.force_login(caseworker)
    page = client.get("/admin/expired-needs/")
    assert page.status_code == 200
    assert mine.code in page.text
    assert theirs.code not in page.text
    download = client.get(f"/admin/expired-needs/?since={since.isoformat()}&format=csv")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(StringIO(download.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][0] == mine.code
    assert rows[1][10] == "700.00"
    assert mine.household_token not in download.content.decode("utf-8-sig")


def test_the_expiry_report_for_department_handlers_is_their_departments(source):
    health = expire(NeedFactory(source_system=source, department="health"))
    expire(NeedFactory(source_system=source, department="education"))
    handler = UserFactory(roles=[Role.DEPARTMENT_HANDLER], region=Region.objects.get(code="420100"))
    handler.department = "health"
    handler.save()
    since = timezone.localdate() - timedelta(days=1)
    assert [need.code for need in expired_needs_report(user=handler, since=since)] == [health.code]
    assert not expired_needs_report(
        user=MembershipFactory(
            organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.ADMIN
        ).user,
        since=since,
    ).exists()


# --- demo data -------------------------------------------------------------------------------------


def test_the_demo_deliveries_are_seeded_once(source, caseworker):
    from marketplace.delivery.demo import seed_demo_deliveries

    claims = [ClaimFactory(need=NeedFactory(source_system=source, target_amount="500.00")) for _ in range(6)]
    outcomes = seed_demo_deliveries()
    assert outcomes == {"verified": 3, "disputed": 1, "reported": 2}
    assert AssistanceRecord.objects.count() == 3
    assert seed_demo_deliveries() == outcomes
    assert Delivery.objects.count() == 6
    assert {claim.deliveries.count() for claim in claims} == {1}


# --- concurrency (PostgreSQL, real transactions) ---------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_reports_never_exceed_the_claim_and_concurrent_verifications_count_once():
    import threading

    from django.db import connection

    organization = OrganizationFactory(verified=True, need_types=[])
    members = [MembershipFactory(organization=organization, role=MembershipRole.ADMIN).user for _ in range(8)]
    claim = ClaimFactory(
        need=NeedFactory(target_amount="1000.00"), organization=organization, claimant=members[0]
    )
    caseworkers = [UserFactory(caseworker=True) for _ in range(4)]
    barrier = threading.Barrier(len(members))
    outcomes: list[str] = []

    def run(work) -> None:
        try:
            barrier.wait(timeout=60)
            outcomes.append(work())
        except (ValidationError, DeliveryTransitionRefused) as refused:
            outcomes.append(type(refused).__name__)
        finally:
            connection.close()

    def together(works):
        nonlocal barrier
        barrier = threading.Barrier(len(works))
        outcomes.clear()
        threads = [threading.Thread(target=run, args=(work,)) for work in works]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return sorted(outcomes)

    reports = together(
        [lambda member=member: report(claim, member, amount="400.00") and "ok" for member in members]
    )
    assert reports.count("ok") == 2  # 2 × 400 fit in 1,000; a third would not
    assert reports.count("ValidationError") == len(members) - 2
    delivery = Delivery.objects.filter(claim=claim).first()
    verifications = together(
        [lambda user=user: delivery_verify(delivery=delivery, actor=user) and "ok" for user in caseworkers]
    )
    assert verifications.count("ok") == 1
    claim.need.refresh_from_db()
    assert claim.need.verified_amount == Decimal("400.00")
    assert AssistanceRecord.objects.filter(delivery=delivery).count() == 1


@pytest.mark.parametrize("amount", ["١٢٣", "0.005"])
def test_the_report_form_and_api_refuse_other_digits_and_part_fen(client, claim, member, amount):
    """Django's and DRF's decimal fields read "١٢٣" as 123 and round 0.005 up to a fen."""
    client.force_login(member)
    data = {"amount": amount, "delivered_on": timezone.localdate().isoformat(), "description": "送去药品"}
    data["files"] = [upload("a.png", png_bytes(), "image/png")]
    api = client.post(f"/api/v1/claims/{claim.pk}/deliveries/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert api.status_code == 400
    assert "amount" in api.json()["errors"]
    data["files"] = [upload("a.png", png_bytes(), "image/png")]
    page = client.post(f"/claims/{claim.pk}/deliver/", data)
    assert page.status_code == 200
    assert page.context["form"].errors["amount"]
    assert not claim.deliveries.exists()
