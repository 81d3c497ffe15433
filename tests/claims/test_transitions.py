"""The claim and transfer state machines: one table each, every move checked and recorded once."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.errors import DomainError
from marketplace.claims.errors import ClaimTransitionRefused, TransferTransitionRefused
from marketplace.claims.models import (
    CLAIM_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    Claim,
    ClaimStatus,
    ClaimTransition,
    TransferRequest,
    TransferStatus,
    TransferTransition,
)
from marketplace.claims.services.claims import claim_renew, claim_withdraw, need_claim
from marketplace.claims.services.leases import claims_expire_leases
from marketplace.claims.services.status import (
    check_claim_transition,
    check_transfer_transition,
    claim_set_status,
    transfer_set_status,
)
from marketplace.claims.services.transfers import (
    transfer_accept,
    transfer_decide,
    transfer_decline,
    transfer_request,
    transfers_escalate,
)
from marketplace.delivery.services.reports import delivery_report
from marketplace.delivery.services.verification import delivery_verify
from marketplace.organizations.models import MembershipRole
from tests.factories.accounts import UserFactory
from tests.factories.delivery import png_bytes, upload
from tests.factories.needs import IntakeNeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

CLAIM_MOVES = {(a, b) for a, targets in CLAIM_TRANSITIONS.items() for b in targets}
TRANSFER_MOVES = {(a, b) for a, targets in TRANSFER_TRANSITIONS.items() for b in targets}
ILLEGAL_CLAIM_MOVES = sorted(set(itertools.product(ClaimStatus.values, repeat=2)) - CLAIM_MOVES)
ILLEGAL_TRANSFER_MOVES = sorted(set(itertools.product(TransferStatus.values, repeat=2)) - TRANSFER_MOVES)


def test_every_status_has_a_row_in_its_table():
    assert set(CLAIM_TRANSITIONS) == set(ClaimStatus.values)
    assert set(TRANSFER_TRANSITIONS) == set(TransferStatus.values)


# --- the raising checks (no database) ------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL_CLAIM_MOVES)
def test_every_illegal_claim_move_raises(from_status, to_status):
    with pytest.raises(ClaimTransitionRefused) as refused:
        check_claim_transition(from_status, to_status)
    assert isinstance(refused.value, DomainError)
    assert refused.value.http_status == 409
    assert refused.value.code == "illegal_claim_transition"


@pytest.mark.parametrize(("from_status", "to_status"), sorted(CLAIM_MOVES))
def test_every_legal_claim_move_passes(from_status, to_status):
    check_claim_transition(from_status, to_status)


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL_TRANSFER_MOVES)
def test_every_illegal_transfer_move_raises(from_status, to_status):
    with pytest.raises(TransferTransitionRefused) as refused:
        check_transfer_transition(from_status, to_status)
    assert refused.value.http_status == 409
    assert refused.value.code == "illegal_transfer_transition"


@pytest.mark.parametrize(("from_status", "to_status"), sorted(TRANSFER_MOVES))
def test_every_legal_transfer_move_passes(from_status, to_status):
    check_transfer_transition(from_status, to_status)


def test_the_refusal_says_the_move_in_chinese():
    with translation.override("zh-hans"), pytest.raises(ClaimTransitionRefused) as refused:
        check_claim_transition(ClaimStatus.WITHDRAWN, ClaimStatus.ACTIVE)
    assert refused.value.message == "认领不能从“已撤回”变为“认领中”。"
    with translation.override("zh-hans"), pytest.raises(TransferTransitionRefused) as refused:
        check_transfer_transition(TransferStatus.DECLINED, TransferStatus.ACCEPTED)
    assert refused.value.message == "转让申请不能从“已拒绝”变为“已同意”。"


# --- the moves on rows ----------------------------------------------------------------------------


@pytest.fixture
def need(db):
    return IntakeNeedFactory(source_system=SourceSystemFactory(), target="1000.00")


@pytest.fixture
def holder(db):
    return OrganizationFactory(name="洪山区阳光公益慈善会", verified=True, need_types=[])


@pytest.fixture
def holder_admin(holder):
    return MembershipFactory(
        organization=holder, role=MembershipRole.ADMIN, user__username="holder_admin"
    ).user


@pytest.fixture
def requester(db):
    return OrganizationFactory(name="武昌区暖心志愿服务队", verified=True, need_types=[])


@pytest.fixture
def requester_admin(requester):
    return MembershipFactory(
        organization=requester, role=MembershipRole.ADMIN, user__username="requester_admin"
    ).user


@pytest.fixture
def third(db):
    return OrganizationFactory(name="江岸区邻里互助会", verified=True, need_types=[])


@pytest.fixture
def third_admin(third):
    return MembershipFactory(organization=third, role=MembershipRole.ADMIN, user__username="third_admin").user


@pytest.fixture
def caseworker(db):
    return UserFactory(username="hongshan_caseworker", caseworker=True)


def claim_by(need, organization, actor, amount="100.00") -> Claim:
    return need_claim(need=need, amount=Decimal(amount), actor=actor, organization=organization)


def ask(claim, organization, actor) -> TransferRequest:
    return transfer_request(claim=claim, organization=organization, actor=actor, reason="我们离得更近")


def escalate_all() -> None:
    transfers_escalate(now=timezone.now() + timedelta(days=4))


@pytest.mark.django_db
def test_an_illegal_move_on_a_row_changes_nothing_and_records_nothing(need, holder, holder_admin):
    claim = claim_by(need, holder, holder_admin)
    claim_withdraw(claim=claim, actor=holder_admin, reason="计划有变")
    claim.refresh_from_db()
    rows = ClaimTransition.objects.filter(claim=claim).count()
    with pytest.raises(ClaimTransitionRefused):
        claim_set_status(claim=claim, to_status=ClaimStatus.COMPLETED, actor=holder_admin)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    assert ClaimTransition.objects.filter(claim=claim).count() == rows


@pytest.mark.django_db
def test_an_answered_transfer_cannot_be_answered_again(
    need, holder, holder_admin, requester, requester_admin
):
    transfer = ask(claim_by(need, holder, holder_admin), requester, requester_admin)
    transfer_decline(transfer=transfer, actor=holder_admin, note="我们正在帮扶")
    transfer.refresh_from_db()
    with pytest.raises(TransferTransitionRefused):
        transfer_set_status(transfer=transfer, to_status=TransferStatus.ACCEPTED, actor=holder_admin)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    assert transfer.decision_note == "我们正在帮扶"
    assert list(transfer.transitions.values_list("from_status", "to_status")) == [
        ("", TransferStatus.PENDING),
        (TransferStatus.PENDING, TransferStatus.DECLINED),
    ]


@pytest.mark.django_db
def test_a_withdrawal_is_recorded_once_with_who_and_why(need, holder, holder_admin):
    claim = claim_by(need, holder, holder_admin)
    claim_withdraw(claim=claim, actor=holder_admin, reason="计划有变")
    moves = list(
        ClaimTransition.objects.filter(claim=claim).values_list("from_status", "to_status", "actor", "note")
    )
    assert moves == [
        ("", ClaimStatus.ACTIVE, holder_admin.pk, ""),
        (ClaimStatus.ACTIVE, ClaimStatus.WITHDRAWN, holder_admin.pk, "计划有变"),
    ]


@pytest.mark.django_db
def test_an_escalation_and_the_caseworker_decision_are_recorded(
    need, holder, holder_admin, requester, requester_admin, caseworker
):
    transfer = ask(claim_by(need, holder, holder_admin), requester, requester_admin)
    escalate_all()
    transfer_decide(transfer=transfer, actor=caseworker, grant=False, note="原认领方已在帮扶")
    moves = list(transfer.transitions.values_list("from_status", "to_status", "actor"))
    assert moves == [
        ("", TransferStatus.PENDING, requester_admin.pk),
        (TransferStatus.PENDING, TransferStatus.ESCALATED, None),
        (TransferStatus.ESCALATED, TransferStatus.REFUSED, caseworker.pk),
    ]
    transfer.refresh_from_db()
    assert (transfer.decided_by, transfer.decision_note) == (caseworker, "原认领方已在帮扶")


@pytest.mark.django_db
def test_the_tables_match_what_the_services_do(
    need, holder, holder_admin, requester, requester_admin, third, third_admin, caseworker
):
    """Every service that moves a claim or a request, run once: together they make every move of
    the tables and no other, and each claim's and request's rows chain from its first status to
    its current one, one row per move."""
    # made, renewed, declined, accepted (the claim transferred, a rival request cancelled)
    first = claim_by(need, holder, holder_admin)
    claim_renew(claim=first, actor=holder_admin)
    transfer_decline(transfer=ask(first, requester, requester_admin), actor=holder_admin)
    rival = ask(first, third, third_admin)
    taken_over = transfer_accept(transfer=ask(first, requester, requester_admin), actor=holder_admin)
    rival.refresh_from_db()
    assert rival.status == TransferStatus.CANCELLED

    # escalated, then refused; escalated again, then granted
    second = claim_by(need, holder, holder_admin)
    refused = ask(second, third, third_admin)
    escalate_all()
    transfer_decide(transfer=refused, actor=caseworker, grant=False, note="原认领方已在帮扶")
    granted = ask(second, third, third_admin)
    escalate_all()
    transfer_decide(transfer=granted, actor=caseworker, grant=True)
    third_claim = Claim.objects.get(need=need, organization=third, status=ClaimStatus.ACTIVE)

    # withdrawn with an escalated request open (cancelled with it)
    ask(third_claim, holder, holder_admin)
    escalate_all()
    claim_withdraw(claim=third_claim, actor=third_admin, reason="人手不足")

    # expired (the taken-over claim too)
    claim_by(need, holder, holder_admin)
    assert claims_expire_leases(now=timezone.now() + timedelta(days=60)) == 2
    taken_over.refresh_from_db()
    assert taken_over.status == ClaimStatus.EXPIRED

    # completed by verified deliveries
    last = claim_by(need, holder, holder_admin, amount="200.00")
    delivery = delivery_report(
        claim=last,
        actor=holder_admin,
        amount=Decimal("200.00"),
        delivered_on=timezone.localdate(),
        description="已送达学习用品，附签收单。",
        files=[upload("签收单.png", png_bytes(), "image/png")],
    )
    delivery_verify(delivery=delivery, actor=caseworker)
    last.refresh_from_db()
    assert last.status == ClaimStatus.COMPLETED

    claim_rows = ClaimTransition.objects.exclude(from_status="")
    transfer_rows = TransferTransition.objects.exclude(from_status="")
    assert set(claim_rows.values_list("from_status", "to_status")) == CLAIM_MOVES
    assert set(transfer_rows.values_list("from_status", "to_status")) == TRANSFER_MOVES

    for claim in Claim.objects.all():
        rows = list(claim.transitions.order_by("pk").values_list("from_status", "to_status"))
        assert rows[0] == ("", ClaimStatus.ACTIVE)
        assert all(rows[i][1] == rows[i + 1][0] for i in range(len(rows) - 1)), rows
        assert rows[-1][1] == claim.status
    for transfer in TransferRequest.objects.all():
        rows = list(transfer.transitions.order_by("pk").values_list("from_status", "to_status"))
        assert rows[0] == ("", TransferStatus.PENDING)
        assert all(rows[i][1] == rows[i + 1][0] for i in range(len(rows) - 1)), rows
        assert rows[-1][1] == transfer.status
