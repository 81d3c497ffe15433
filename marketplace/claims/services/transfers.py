"""Transfers (转让): another verified organization asks a claim's holder to hand the claim over.

The holder's administrators accept or decline within ``TRANSFER_ANSWER_HOURS`` (72 by
default); after that ``transfers_escalate`` (Celery beat) hands the request to the caseworkers
of the need's county, who grant or refuse it in the back office. Accepting (or granting) ends
the holder's claim as ``transferred`` and opens a new active claim for the requester with the
same amount and a fresh lease, in one transaction under the need's lock: the amount stays
allocated throughout, so no third party can claim it in between.

Locks are taken in the order need → claim → transfer request, as in ``services.claims``. Every
move of a request goes through ``services.status.transfer_set_status`` (the table
``TRANSFER_TRANSITIONS``) and is recorded as a ``TransferTransition``; the claim handed over
moves through ``claim_set_status``.
Errors: ``ClaimRefused`` (see ``claims.errors``), ``TransferTransitionRefused`` for a move the
table does not allow, ``ValidationError`` per field, and ``PermissionDenied`` for a caseworker
outside the need's region.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.notifications import notify
from accounts.permissions import is_active_member, is_need_caseworker
from accounts.selectors import caseworkers_for
from core.phrases import Amount, Moment, Part, Phrase
from marketplace.claims.errors import ClaimRefused, refusal_for_integrity_error
from marketplace.claims.models import (
    OPEN_TRANSFER_STATUSES,
    Claim,
    ClaimStatus,
    TransferRequest,
    TransferStatus,
)
from marketplace.claims.services.claims import (
    cancel_open_transfers,
    clean_note,
    feedback_payload,
    holder_admins,
    holder_phrase,
    lease_period,
    lock_claim,
    lock_need,
    my_claims_url,
    organization_contacts,
    settle_need,
    when_text,
)
from marketplace.claims.services.status import (
    claim_record_made,
    claim_set_status,
    transfer_record_made,
    transfer_set_status,
)
from marketplace.needs.models import Need
from marketplace.needs.services.feedback import feedback_emit
from marketplace.organizations.models import Organization, OrganizationStatus

ESCALATION_CHUNK = 200


def answer_period() -> timedelta:
    return timedelta(hours=getattr(settings, "TRANSFER_ANSWER_HOURS", 72))


def _transfer_payload(transfer: TransferRequest, claim: Claim, need: Need, event: str, **extra) -> dict:
    return feedback_payload(
        claim,
        need,
        event=event,
        transfer_id=transfer.pk,
        transfer_status=transfer.status,
        requested_by=transfer.requested_by.name,
        requested_by_uscc=transfer.requested_by.uscc,
        **extra,
    )


def _values(transfer: TransferRequest, claim: Claim, need: Need) -> dict:
    return {
        "code": need.code,
        "requester": transfer.requested_by.name,
        "holder": holder_phrase(claim),
        "amount": Amount.of(need, claim.amount),
    }


def transfer_request(*, claim: Claim, organization: Organization, actor, reason: str) -> TransferRequest:
    """``organization`` asks the holder of an active ``claim`` to hand it over, with a reason.

    The holder's administrators are asked to answer within ``TRANSFER_ANSWER_HOURS``. Raises
    ``ValidationError`` (``reason``), ``ClaimRefused``: ``not_eligible``/``not_verified``
    (403) unless ``actor`` is an active member of the verified ``organization``; ``own_claim``,
    ``not_active``, ``already_claimed`` (the organization holds its own claim on the need) and
    ``transfer_open`` (it already asked) (409).
    """
    reason = clean_note(reason, field="reason", required=True)
    if not is_active_member(actor, organization):
        raise ClaimRefused("not_eligible", _("You are not an active member of this organization."))
    if organization.status != OrganizationStatus.VERIFIED:
        raise ClaimRefused("not_verified")
    if claim.organization_id == organization.pk:
        raise ClaimRefused("own_claim")
    try:
        with transaction.atomic():
            need = lock_need(claim.need_id)
            locked = lock_claim(claim.pk)
            locked.need = need
            if locked.status != ClaimStatus.ACTIVE:
                raise ClaimRefused("not_active")
            if Claim.objects.filter(need=need, organization=organization, status=ClaimStatus.ACTIVE).exists():
                raise ClaimRefused("already_claimed")
            if TransferRequest.objects.filter(
                claim=locked,
                requested_by=organization,
                status__in=OPEN_TRANSFER_STATUSES,
            ).exists():
                raise ClaimRefused("transfer_open")
            transfer = TransferRequest.objects.create(
                claim=locked,
                requested_by=organization,
                requester=actor,
                reason=reason,
                answer_due_at=timezone.now() + answer_period(),
            )
            transfer_record_made(transfer=transfer, actor=actor, note=reason)
            feedback_emit(
                need=need, kind="transfer", payload=_transfer_payload(transfer, locked, need, "requested")
            )
            values = _values(transfer, locked, need)
            due = Moment(transfer.answer_due_at)
            _notify(
                holder_admins(locked),
                Phrase(
                    gettext_noop("%(requester)s asks you to hand over your claim on need %(code)s"), **values
                ),
                [
                    Phrase(gettext_noop("Reason: %(reason)s"), reason=reason),
                    Phrase(
                        gettext_noop(
                            "Please accept or decline by %(due)s; after that the caseworker decides."
                        ),
                        due=due,
                    ),
                ],
                url=f"{my_claims_url()}#transfer-{transfer.pk}",
            )
            _notify(
                organization_contacts(organization),
                Phrase(
                    gettext_noop(
                        "Your organization asked %(holder)s to hand over its claim on need %(code)s"
                    ),
                    **values,
                ),
                Phrase(gettext_noop("The holder has until %(due)s to answer."), due=due),
            )
    except IntegrityError as exc:
        raise refusal_for_integrity_error(exc) from exc
    return transfer


def transfer_accept(*, transfer: TransferRequest, actor) -> Claim:
    """The holder's administrator hands the claim over; returns the requester's new claim.

    Raises ``ClaimRefused``: ``not_eligible`` (403) unless ``actor`` answers for the holder,
    ``not_pending`` (already answered or escalated), ``not_active``, ``already_claimed`` (409),
    ``not_verified`` (403) when the requesting organization lost its verification.
    """
    if actor not in holder_admins(transfer.claim):
        raise ClaimRefused("not_eligible", _("Only the administrators of the claim's holder may answer."))
    return _hand_over(
        transfer, actor=actor, allowed_from=TransferStatus.PENDING, to_status=TransferStatus.ACCEPTED
    )


def transfer_decline(*, transfer: TransferRequest, actor, note: str = "") -> TransferRequest:
    """The holder's administrator keeps the claim. Raises ``ValidationError`` (``note``) and
    ``ClaimRefused``: ``not_eligible`` (403), ``not_pending`` (409)."""
    note = clean_note(note, field="note")
    if actor not in holder_admins(transfer.claim):
        raise ClaimRefused("not_eligible", _("Only the administrators of the claim's holder may answer."))
    return _turn_down(
        transfer,
        actor=actor,
        allowed_from=TransferStatus.PENDING,
        to_status=TransferStatus.DECLINED,
        note=note,
    )


def transfer_decide(*, transfer: TransferRequest, actor, grant: bool, note: str = "") -> TransferRequest:
    """A caseworker of the need's county decides an escalated request: grant or refuse.

    Refusing needs a note. Raises ``PermissionDenied`` outside the caseworker's region,
    ``ValidationError`` (``note``), ``ClaimRefused``: ``not_pending`` (not escalated),
    ``not_active``, ``already_claimed`` (409), ``not_verified`` (403).
    """
    note = clean_note(note, field="note", required=not grant, by_claimant=False)
    if not is_need_caseworker(actor, transfer.claim.need):
        raise PermissionDenied(_("You may not decide transfers of this region."))
    if grant:
        _hand_over(
            transfer,
            actor=actor,
            allowed_from=TransferStatus.ESCALATED,
            to_status=TransferStatus.GRANTED,
            note=note,
        )
        transfer.refresh_from_db()
        return transfer
    return _turn_down(
        transfer,
        actor=actor,
        allowed_from=TransferStatus.ESCALATED,
        to_status=TransferStatus.REFUSED,
        note=note,
    )


def _lock_transfer(transfer: TransferRequest) -> tuple[Need, Claim, TransferRequest]:
    need = lock_need(transfer.claim.need_id)
    claim = lock_claim(transfer.claim_id)
    claim.need = need
    locked = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    locked.claim = claim
    return need, claim, locked


def _hand_over(
    transfer: TransferRequest, *, actor, allowed_from: str, to_status: str, note: str = ""
) -> Claim:
    try:
        with transaction.atomic():
            need, claim, locked = _lock_transfer(transfer)
            if locked.status != allowed_from:
                raise ClaimRefused("not_pending")
            if claim.status != ClaimStatus.ACTIVE:
                raise ClaimRefused("not_active")
            requester = locked.requested_by
            if requester.status != OrganizationStatus.VERIFIED:
                raise ClaimRefused("not_verified")
            if Claim.objects.filter(need=need, organization=requester, status=ClaimStatus.ACTIVE).exists():
                raise ClaimRefused("already_claimed")
            values = _values(locked, claim, need)
            claim_set_status(
                claim=claim,
                to_status=ClaimStatus.TRANSFERRED,
                actor=actor,
                note=_("Handed over to %(requester)s.") % values + (f" {note}" if note else ""),
            )
            new_claim = Claim.objects.create(
                need=need,
                organization=requester,
                claimant=locked.requester,
                amount=claim.amount,
                lease_expires_at=timezone.now() + lease_period(),
                transferred_from=claim,
                note=locked.reason,
            )
            claim_record_made(claim=new_claim, actor=actor, note=_("Taken over from %(holder)s.") % values)
            # The sum is unchanged; settling keeps the stored figure honest all the same.
            settle_need(need, actor=actor)
            transfer_set_status(transfer=locked, to_status=to_status, actor=actor, note=note)
            cancel_open_transfers(
                claim, note=_("The claim was handed over to another organization."), exclude=locked
            )
            feedback_emit(
                need=need,
                kind="transfer",
                payload=_transfer_payload(locked, claim, need, to_status, new_claim_id=new_claim.pk),
            )
            if to_status == TransferStatus.GRANTED:
                subject = Phrase(
                    gettext_noop("The caseworker handed the claim on need %(code)s to %(requester)s"),
                    **values,
                )
            else:
                subject = Phrase(
                    gettext_noop("%(holder)s handed its claim on need %(code)s to %(requester)s"), **values
                )
            body = Phrase(
                gettext_noop("The new claim holds %(amount)s until %(lease)s."),
                amount=values["amount"],
                lease=Moment(new_claim.lease_expires_at),
            )
            _notify(
                holder_admins(claim) + organization_contacts(requester) + [locked.requester], subject, body
            )
            if to_status == TransferStatus.ACCEPTED:
                _notify(caseworkers_for(need.region_id), subject, body)
    except IntegrityError as exc:
        raise refusal_for_integrity_error(exc) from exc
    return new_claim


def _turn_down(
    transfer: TransferRequest, *, actor, allowed_from: str, to_status: str, note: str
) -> TransferRequest:
    with transaction.atomic():
        need, claim, locked = _lock_transfer(transfer)
        if locked.status != allowed_from:
            raise ClaimRefused("not_pending")
        transfer_set_status(transfer=locked, to_status=to_status, actor=actor, note=note)
        feedback_emit(need=need, kind="transfer", payload=_transfer_payload(locked, claim, need, to_status))
        values = _values(locked, claim, need)
        if to_status == TransferStatus.REFUSED:
            subject = Phrase(
                gettext_noop("The caseworker refused to hand the claim on need %(code)s to %(requester)s"),
                **values,
            )
        else:
            subject = Phrase(
                gettext_noop("%(holder)s declined to hand over its claim on need %(code)s"), **values
            )
        body = Phrase(gettext_noop("Note: %(note)s"), note=note) if note else ""
        _notify([*organization_contacts(locked.requested_by), locked.requester], subject, body)
        if to_status == TransferStatus.REFUSED:
            _notify(holder_admins(claim), subject, body)
    return locked


def transfers_escalate(*, now=None) -> int:
    """Hand every request unanswered past its due time to the need's caseworkers; return how many.

    The needs of due requests are locked in chunks with ``SKIP LOCKED`` (a need whose request is
    being answered right now is left for the next run: the answer wins) and each chunk commits
    on its own. Running it twice changes nothing.
    """
    now = now or timezone.now()
    escalated = 0
    while True:
        with transaction.atomic():
            due = TransferRequest.objects.filter(status=TransferStatus.PENDING, answer_due_at__lte=now)
            # The needs first, as every other service locks them: the feedback row written below
            # references the need, and must not wait on a hand-over that holds it.
            needs = list(
                Need.objects.select_for_update(skip_locked=True)
                .filter(pk__in=due.values("claim__need_id"))
                .order_by("pk")[:ESCALATION_CHUNK]
            )
            if not needs:
                break
            by_need = {need.pk: need for need in needs}
            transfers = list(
                due.select_for_update(of=("self",))
                .filter(claim__need_id__in=list(by_need))
                .select_related("claim", "requested_by")
                .order_by("answer_due_at", "pk")
            )
            for transfer in transfers:
                transfer_set_status(
                    transfer=transfer,
                    to_status=TransferStatus.ESCALATED,
                    actor=None,
                    note=_("Not answered by %(due)s.") % {"due": when_text(transfer.answer_due_at)},
                )
                claim = transfer.claim
                need = by_need[claim.need_id]
                claim.need = need
                feedback_emit(
                    need=need, kind="transfer", payload=_transfer_payload(transfer, claim, need, "escalated")
                )
                values = _values(transfer, claim, need)
                _notify(
                    caseworkers_for(need.region_id),
                    Phrase(
                        gettext_noop(
                            "Decide a transfer on need %(code)s: %(requester)s asks for the claim of "
                            "%(holder)s"
                        ),
                        **values,
                    ),
                    Phrase(
                        gettext_noop(
                            "The holder did not answer within %(hours)d hours. Reason given: %(reason)s"
                        ),
                        hours=int(answer_period().total_seconds() // 3600),
                        reason=transfer.reason,
                    ),
                    url=reverse("claims_transfers:index"),
                )
                _notify(
                    holder_admins(claim) + organization_contacts(transfer.requested_by),
                    Phrase(
                        gettext_noop("The transfer request on need %(code)s went to the caseworker"), **values
                    ),
                    Phrase(gettext_noop("It was not answered in time; the county caseworker will decide.")),
                )
            escalated += len(transfers)
        if len(needs) < ESCALATION_CHUNK:
            break
    return escalated


def _notify(users, subject: Part, body: Part | list[Part], *, url: str = "") -> None:
    notify(users=users, subject=subject, body=body, url=url or my_claims_url())
