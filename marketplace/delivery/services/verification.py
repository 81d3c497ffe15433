"""Verifying a delivery (核实): the need's caseworker verifies or disputes a reported delivery.

A verified delivery adds to ``need.verified_amount`` and becomes an ``AssistanceRecord`` on the
household token (一户一条救助链); when the verified deliveries of a claim cover its amount the
claim is ``completed`` (it keeps holding its amount); when those of the need cover its target
the need is ``fulfilled``. Lock order, as in the claims service: need, then claim, then
delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.notifications import notify
from accounts.permissions import is_need_caseworker
from core.phrases import Phrase
from marketplace.claims.models import Claim, ClaimStatus
from marketplace.claims.services.status import claim_set_status
from marketplace.delivery.models import AssistanceRecord, Delivery, DeliveryStatus
from marketplace.delivery.services.closing import _all_verified_confirmed, _close
from marketplace.delivery.services.reports import (
    check_delivery_transition,
    claim_delivered_amounts,
    need_department_handlers,
)
from marketplace.needs.models import Need, NeedStatus
from marketplace.needs.services.feedback import feedback_emit
from marketplace.needs.services.status import TRANSITIONS as NEED_TRANSITIONS
from marketplace.needs.services.status import apply_status

MAX_NOTE = 1000


@dataclass(frozen=True)
class _Locked:
    need: Need
    claim: Claim
    delivery: Delivery


def _lock(delivery: Delivery) -> _Locked:
    claim_id, need_id = Claim.objects.filter(pk=delivery.claim_id).values_list("pk", "need_id").get()
    need = Need.objects.select_for_update().get(pk=need_id)
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    return _Locked(need=need, claim=claim, delivery=locked)


def _claimant_side(claim: Claim, delivery: Delivery) -> list[User]:
    return [user for user in {claim.claimant, delivery.reported_by} if user is not None]


def _decision_note(note: str, *, required: bool = False) -> str:
    """The caseworker's note on a decision: stripped, at most ``MAX_NOTE`` characters, and for a
    dispute required (the claimant needs to know what to correct)."""
    note = (note or "").strip()
    if required and not note:
        raise ValidationError(
            {"note": _("Say what is wrong, so the claimant can correct it.")}, code="required"
        )
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": MAX_NOTE}})
    return note


def _check_decider(delivery: Delivery, actor) -> None:
    if not is_need_caseworker(actor, Need.objects.get(claims__deliveries=delivery)):
        raise PermissionDenied(_("Only a caseworker of the need's region may verify its deliveries."))


def delivery_verify(*, delivery: Delivery, actor, note: str = "") -> Delivery:
    """The need's caseworker verifies a reported delivery.

    Adds the amount to ``need.verified_amount``, writes the household's ``AssistanceRecord``
    and a ``verification`` feedback event, completes the claim once its verified deliveries
    cover its amount, and fulfils the need once they cover its target (``fulfilled`` feedback;
    the claimants and the source department's handlers are told). Raises
    ``PermissionDenied`` for anyone but a caseworker of the need's region,
    ``DeliveryTransitionRefused`` when the delivery was already decided, ``ValidationError``
    for a note over ``MAX_NOTE`` characters.
    """
    note = _decision_note(note)
    _check_decider(delivery, actor)
    with transaction.atomic():
        locked = _lock(delivery)
        need, claim, delivery = locked.need, locked.claim, locked.delivery
        check_delivery_transition(delivery.status, DeliveryStatus.VERIFIED)
        now = timezone.now()
        delivery.status = DeliveryStatus.VERIFIED
        delivery.verified_by = actor
        delivery.verified_at = now
        delivery.verification_note = note
        delivery.save(update_fields=["status", "verified_by", "verified_at", "verification_note"])
        need.verified_amount += delivery.amount
        AssistanceRecord.objects.create(
            household_token=need.household_token,
            need=need,
            delivery=delivery,
            need_type=need.need_type,
            amount=delivery.amount,
            amount_kind=need.amount_kind,
            provider=claim.holder_name,
            delivered_on=delivery.delivered_on,
        )
        feedback_emit(
            need=need,
            kind="verification",
            payload={
                "claim_id": claim.pk,
                "delivery_id": delivery.pk,
                "result": DeliveryStatus.VERIFIED.value,
                "amount": str(delivery.amount),
                "delivered_on": delivery.delivered_on.isoformat(),
                "provider": claim.holder_name,
                "verified_amount": str(need.verified_amount),
                "target_amount": str(need.target_amount),
            },
        )
        _complete_claim_if_covered(claim, actor=actor)
        fulfilled = _fulfil_if_covered(need, actor=actor, now=now)
        need.save(
            update_fields=["verified_amount", "status", "awaiting_cohort", "hold_reasons", "updated_at"]
        )
        notify(
            users=_claimant_side(claim, delivery),
            subject=Phrase(gettext_noop("Your delivery on need %(code)s was verified"), code=need.code),
            body=note,
            url=reverse("delivery:deliver", args=[claim.pk]),
        )
        if fulfilled:
            _announce_fulfilled(need)
            if _all_verified_confirmed(need):
                _close(need, note=_("Closed: the platform confirmed receipt of every delivery."))
    return delivery


def delivery_dispute(*, delivery: Delivery, actor, note: str) -> Delivery:
    """The need's caseworker disputes a reported delivery, saying why (``note`` is required).

    The amount no longer counts against the claim, so the claimant can report again with the
    correction. Writes a ``verification`` feedback event and tells the claimant. Raises
    ``PermissionDenied`` like ``delivery_verify``, ``ValidationError`` without a note (or one
    over ``MAX_NOTE`` characters), ``DeliveryTransitionRefused`` when already decided.
    """
    note = _decision_note(note, required=True)
    _check_decider(delivery, actor)
    with transaction.atomic():
        locked = _lock(delivery)
        need, claim, delivery = locked.need, locked.claim, locked.delivery
        check_delivery_transition(delivery.status, DeliveryStatus.DISPUTED)
        delivery.status = DeliveryStatus.DISPUTED
        delivery.verified_by = actor
        delivery.verified_at = timezone.now()
        delivery.verification_note = note
        delivery.save(update_fields=["status", "verified_by", "verified_at", "verification_note"])
        feedback_emit(
            need=need,
            kind="verification",
            payload={
                "claim_id": claim.pk,
                "delivery_id": delivery.pk,
                "result": DeliveryStatus.DISPUTED.value,
                "amount": str(delivery.amount),
                "delivered_on": delivery.delivered_on.isoformat(),
                "provider": claim.holder_name,
                "verified_amount": str(need.verified_amount),
                "target_amount": str(need.target_amount),
            },
        )
        notify(
            users=_claimant_side(claim, delivery),
            subject=Phrase(gettext_noop("Your delivery on need %(code)s was disputed"), code=need.code),
            body=note,
            url=reverse("delivery:deliver", args=[claim.pk]),
        )
    return delivery


def _complete_claim_if_covered(claim: Claim, *, actor) -> bool:
    """``active`` → ``completed`` once verified deliveries cover the claim (it keeps its amount)."""
    if claim.status != ClaimStatus.ACTIVE:
        return False
    _reported, verified = claim_delivered_amounts(claim)
    if verified < claim.amount:
        return False
    claim_set_status(
        claim=claim,
        to_status=ClaimStatus.COMPLETED,
        actor=actor,
        note=_("Completed: verified deliveries cover the claim."),
    )
    return True


def _fulfil_if_covered(need: Need, *, actor, now: datetime) -> bool:
    """Move the (locked) need to ``fulfilled`` when verified deliveries cover its target.

    A need that left the pipeline otherwise (expired, withdrawn) keeps its status: the
    delivery still counts on the household's chain.
    """
    if need.verified_amount < need.target_amount or need.target_amount <= 0:
        return False
    if NeedStatus.FULFILLED not in NEED_TRANSITIONS[need.status]:
        return False
    apply_status(
        need, NeedStatus.FULFILLED, actor=actor, note=_("Fulfilled: verified deliveries cover the target.")
    ).save()
    need.updated_at = now
    feedback_emit(
        need=need,
        kind="fulfilled",
        payload={"verified_amount": str(need.verified_amount), "target_amount": str(need.target_amount)},
    )
    return True


def _announce_fulfilled(need: Need) -> None:
    claimants = User.objects.filter(
        claims__need=need, claims__status__in=[ClaimStatus.ACTIVE, ClaimStatus.COMPLETED]
    ).distinct()
    subject = Phrase(gettext_noop("Need %(code)s is fulfilled"), code=need.code)
    body = Phrase(gettext_noop("Verified deliveries now cover the need's target. Thank you."))
    notify(users=list(claimants), subject=subject, body=body, url=reverse("needs:detail", args=[need.code]))
    notify(users=need_department_handlers(need), subject=subject, body=body)
