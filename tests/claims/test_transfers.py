"""Transfers of claims: request, the holder's answer, and the caseworker's decision after 72 hours."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import Notification
from accounts.roles import Role
from marketplace.claims.errors import ClaimRefused
from marketplace.claims.models import Claim, ClaimStatus, TransferRequest, TransferStatus
from marketplace.claims.services.claims import claim_withdraw, need_claim
from marketplace.claims.services.leases import claims_expire_leases
from marketplace.claims.services.transfers import (
    transfer_accept,
    transfer_decide,
    transfer_request,
    transfers_escalate,
)
from marketplace.needs.models import FeedbackEvent, NeedStatus
from marketplace.organizations.models import MembershipRole, OrganizationStatus
from tests.factories.accounts import UserFactory
from tests.factories.needs import IntakeNeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def need():
    return IntakeNeedFactory(source_system=SourceSystemFactory(region_code="420000"), target="1000.00")


@pytest.fixture
def holder():
    return OrganizationFactory(verified=True, need_types=[], name="洪山区阳光公益慈善会")


@pytest.fixture
def holder_admin(holder):
    return MembershipFactory(
        organization=holder, role=MembershipRole.ADMIN, user__username="holder_admin"
    ).user


@pytest.fixture
def holder_member(holder):
    return MembershipFactory(
        organization=holder, user__username="holder_member", role=MembershipRole.MEMBER
    ).user


@pytest.fixture
def requester():
    return OrganizationFactory(verified=True, need_types=[], name="武昌区暖心志愿服务队")


@pytest.fixture
def requester_member(requester):
    return MembershipFactory(
        organization=requester, user__username="requester_member", role=MembershipRole.MEMBER
    ).user


@pytest.fixture
def claim(need, holder, holder_member):
    return need_claim(need=need, amount=Decimal("600.00"), actor=holder_member, organization=holder)


@pytest.fixture
def caseworker():
    return UserFactory(username="hongshan_caseworker", caseworker=True)


def ask(claim, requester, requester_member, reason="我们就在该社区，可以每周上门") -> TransferRequest:
    return transfer_request(claim=claim, organization=requester, actor=requester_member, reason=reason)


# --- asking --------------------------------------------------------------------------------------


def test_another_verified_organization_asks_through_the_api(
    client, claim, requester, requester_member, holder_admin
):
    client.force_login(requester_member)
    response = client.post(
        f"/api/v1/claims/{claim.pk}/transfers/",
        {"reason": "我们离得更近"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["requested_by"] == {"id": requester.pk, "name": requester.name}
    transfer = TransferRequest.objects.get()
    assert timedelta(hours=71, minutes=59) < transfer.answer_due_at - timezone.now() <= timedelta(hours=72)
    assert Notification.objects.filter(user=holder_admin).exists()
    assert Notification.objects.filter(user=requester_member).exists()
    assert FeedbackEvent.objects.filter(kind="transfer", payload__event="requested").exists()

    again = client.post(
        f"/api/v1/claims/{claim.pk}/transfers/", {"reason": "再问一次"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["reason"] == "transfer_open"


def test_who_may_not_ask(claim, holder, holder_member, requester, requester_member):
    with pytest.raises(ClaimRefused) as refused:
        ask(claim, holder, holder_member)
    assert refused.value.code == "own_claim"
    with pytest.raises(ClaimRefused) as refused:
        ask(claim, requester, UserFactory(username="outsider"))
    assert refused.value.code == "not_eligible"
    pending = OrganizationFactory(need_types=[], status=OrganizationStatus.PENDING)
    with pytest.raises(ClaimRefused) as refused:
        ask(claim, pending, MembershipFactory(organization=pending, role=MembershipRole.MEMBER).user)
    assert refused.value.code == "not_verified"
    with pytest.raises(ValidationError):
        ask(claim, requester, requester_member, reason=" ")


def test_an_organization_with_its_own_claim_on_the_need_may_not_ask(claim, need, requester, requester_member):
    need_claim(need=need, amount=Decimal("10"), actor=requester_member, organization=requester)
    with pytest.raises(ClaimRefused) as refused:
        ask(claim, requester, requester_member)
    assert refused.value.code == "already_claimed"


# --- the holder answers --------------------------------------------------------------------------


def test_accepting_hands_the_claim_over_with_the_amount_kept_allocated(
    client, need, claim, holder_admin, requester, requester_member, caseworker
):
    transfer = ask(claim, requester, requester_member)
    client.force_login(holder_admin)
    response = client.post(f"/api/v1/transfers/{transfer.pk}/accept/", **EN)
    assert response.status_code == 200, response.content

    claim.refresh_from_db()
    new = Claim.objects.get(pk=response.json()["id"])
    assert claim.status == ClaimStatus.TRANSFERRED
    assert (new.status, new.organization, new.claimant, new.amount, new.transferred_from) == (
        ClaimStatus.ACTIVE,
        requester,
        requester_member,
        Decimal("600.00"),
        claim,
    )
    assert new.lease_expires_at > claim.lease_expires_at - timedelta(seconds=5)
    need.refresh_from_db()
    assert (need.status, need.claimed_amount) == (NeedStatus.PARTIALLY_CLAIMED, Decimal("600.00"))
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (TransferStatus.ACCEPTED, holder_admin)
    assert FeedbackEvent.objects.filter(kind="transfer", payload__event="accepted").exists()
    assert Notification.objects.filter(user=requester_member, subject__contains=need.code).count() >= 2
    with translation.override("en"):  # stored in Chinese, read in the reader's language
        assert any("handed" in note.subject_text for note in Notification.objects.filter(user=caseworker))


def test_only_the_holders_administrators_answer(
    client, claim, holder_admin, holder_member, requester, requester_member
):
    transfer = ask(claim, requester, requester_member)
    for user in (holder_member, requester_member):
        client.force_login(user)
        response = client.post(f"/api/v1/transfers/{transfer.pk}/accept/")
        assert response.status_code == 403
        assert response.json()["reason"] == "not_eligible"
    client.logout()
    assert client.post(f"/api/v1/transfers/{transfer.pk}/accept/").status_code == 401


def test_declining_keeps_the_claim(client, claim, holder_admin, requester, requester_member):
    transfer = ask(claim, requester, requester_member)
    client.force_login(holder_admin)
    response = client.post(
        f"/api/v1/transfers/{transfer.pk}/decline/", {"note": "物资已在途"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACTIVE
    assert Notification.objects.filter(user=requester_member, body__contains="物资已在途").exists()
    again = client.post(f"/api/v1/transfers/{transfer.pk}/accept/")
    assert again.status_code == 409 and again.json()["reason"] == "not_pending"


def test_a_released_claim_cancels_its_open_requests(claim, holder_member, requester, requester_member):
    transfer = ask(claim, requester, requester_member)
    with translation.override("en"):
        claim_withdraw(claim=claim, actor=holder_member, reason="计划变更")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    with translation.override("en"):
        assert any(
            "was cancelled" in note.subject_text
            for note in Notification.objects.filter(user=requester_member)
        )


def test_the_holders_answer_page_accepts(client, claim, holder_admin, requester, requester_member):
    transfer = ask(claim, requester, requester_member)
    client.force_login(holder_admin)
    page = client.get("/claims/mine/", **EN).content.decode()
    assert "Transfer requests to answer" in page and requester.name in page
    response = client.post(f"/transfers/{transfer.pk}/accept/", **EN)
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED


def test_asking_from_the_need_page(client, need, claim, requester, requester_member):
    client.force_login(requester_member)
    page = client.get(f"/needs/{need.code}/", **EN).content.decode()
    assert "Ask a holder to hand over its claim" in page
    response = client.post(
        f"/needs/{need.code}/transfer/",
        {"claim": str(claim.pk), "organization": str(requester.pk), "reason": "就近服务"},
        **EN,
    )
    assert response.status_code == 302
    assert TransferRequest.objects.get().requested_by == requester


# --- 72 hours without an answer ------------------------------------------------------------------


def test_after_72_hours_the_request_goes_to_the_caseworker(
    claim, holder_admin, requester, requester_member, caseworker
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        transfer = ask(claim, requester, requester_member)
    with time_machine.travel(start + timedelta(hours=71, minutes=59), tick=False):
        assert transfers_escalate() == 0
    with time_machine.travel(start + timedelta(hours=72, minutes=1), tick=False):
        assert transfers_escalate() == 1
        assert transfers_escalate() == 0  # idempotent
        with pytest.raises(ClaimRefused) as refused:
            transfer_accept(transfer=transfer, actor=holder_admin)
        assert refused.value.code == "not_pending"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ESCALATED
    assert Notification.objects.filter(user=caseworker, subject__contains=claim.need.code).exists()
    assert FeedbackEvent.objects.filter(kind="transfer", payload__event="escalated").exists()


@pytest.fixture
def escalated(claim, requester, requester_member):
    transfer = ask(claim, requester, requester_member)
    with time_machine.travel(timezone.now() + timedelta(hours=73), tick=False):
        transfers_escalate()
    transfer.refresh_from_db()
    return transfer


def test_the_caseworker_grants(escalated, caseworker, requester):
    transfer_decide(transfer=escalated, actor=caseworker, grant=True, note="")
    escalated.refresh_from_db()
    assert (escalated.status, escalated.decided_by) == (TransferStatus.GRANTED, caseworker)
    new = Claim.objects.get(status=ClaimStatus.ACTIVE)
    assert new.organization == requester and new.transferred_from == escalated.claim


def test_the_caseworker_refuses_with_a_note(escalated, caseworker, holder_admin):
    with pytest.raises(ValidationError):
        transfer_decide(transfer=escalated, actor=caseworker, grant=False, note="")
    transfer_decide(transfer=escalated, actor=caseworker, grant=False, note="原认领方已在服务")
    escalated.refresh_from_db()
    assert escalated.status == TransferStatus.REFUSED
    assert Claim.objects.get(status=ClaimStatus.ACTIVE) == escalated.claim
    assert Notification.objects.filter(user=holder_admin, body__contains="原认领方已在服务").exists()


def test_caseworkers_outside_the_county_may_not_decide(escalated):
    outside = UserFactory(username="wuchang", roles=[Role.CASEWORKER], region_id="420106")
    supervisor = UserFactory(supervisor=True)
    for user in (outside, supervisor):
        with pytest.raises(PermissionDenied):
            transfer_decide(transfer=escalated, actor=user, grant=True)
    city_caseworker = UserFactory(username="wuhan", roles=[Role.CASEWORKER], region_id="420100")
    transfer_decide(transfer=escalated, actor=city_caseworker, grant=True)


def test_the_back_office_lists_and_decides_within_scope(client, escalated, caseworker, requester):
    outside = UserFactory(username="wuchang", roles=[Role.CASEWORKER], region_id="420106")
    client.force_login(outside)
    listing = client.get("/admin/claim-transfers/")
    assert listing.status_code == 200
    assert escalated.claim.need.code not in listing.content.decode()
    assert client.get(f"/admin/claim-transfers/{escalated.pk}/").status_code == 404

    client.force_login(caseworker)
    listing = client.get("/admin/claim-transfers/")
    assert escalated.claim.need.code in listing.content.decode()
    response = client.post(f"/admin/claim-transfers/{escalated.pk}/", {"action": "grant", "note": ""})
    assert response.status_code == 302
    escalated.refresh_from_db()
    assert escalated.status == TransferStatus.GRANTED

    client.force_login(UserFactory(username="member_only", roles=[Role.CHARITY_MEMBER]))
    assert client.get("/admin/claim-transfers/").status_code in (302, 403)


def test_an_expired_claim_cancels_an_escalated_request(claim, escalated):
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        assert claims_expire_leases() == 1
    escalated.refresh_from_db()
    assert escalated.status == TransferStatus.CANCELLED
