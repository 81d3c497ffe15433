"""The moves of a claim and of a transfer request: check the table, change, record.

Each status is changed in one place: ``claim_set_status`` for a claim (``CLAIM_TRANSITIONS``),
``transfer_set_status`` for a transfer request (``TRANSFER_TRANSITIONS``); every service that
moves one (withdrawal, lease expiry, hand-over, delivery completing a claim) calls them, and each
move writes one transition row (who, from, to, why). A new claim or request records its first
row through ``claim_record_made`` / ``transfer_record_made``.

The caller holds the row locks, taken in the one order of ``services.claims`` (need → claim →
transfer request): these functions lock nothing themselves, so they never take a lock out of
that order.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from core.db import row_insert
from marketplace.claims.errors import ClaimTransitionRefused, TransferTransitionRefused
from marketplace.claims.models import (
    CLAIM_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    Claim,
    ClaimTransition,
    TransferRequest,
    TransferStatus,
    TransferTransition,
)

# The answers to a request: they say who decided, when and why on the request itself.
DECIDED_TRANSFER_STATUSES = frozenset(
    {
        TransferStatus.ACCEPTED,
        TransferStatus.DECLINED,
        TransferStatus.GRANTED,
        TransferStatus.REFUSED,
        TransferStatus.CANCELLED,
    }
)


def check_claim_transition(from_status: str, to_status: str) -> None:
    """Raise ``ClaimTransitionRefused`` unless ``CLAIM_TRANSITIONS`` allows the move."""
    if to_status not in CLAIM_TRANSITIONS[from_status]:
        raise ClaimTransitionRefused(from_status, to_status)


def check_transfer_transition(from_status: str, to_status: str) -> None:
    """Raise ``TransferTransitionRefused`` unless ``TRANSFER_TRANSITIONS`` allows the move."""
    if to_status not in TRANSFER_TRANSITIONS[from_status]:
        raise TransferTransitionRefused(from_status, to_status)


def claim_record_made(*, claim: Claim, actor: User | None, note: str = "") -> ClaimTransition:
    """The first row of a claim just made (blank → active); a fixed statement (``core.db``): it
    runs in every claim request."""
    transition = ClaimTransition(claim=claim, from_status="", to_status=claim.status, actor=actor, note=note)
    row_insert(transition)
    return transition


def claim_set_status(*, claim: Claim, to_status: str, actor: User | None, note: str = "") -> ClaimTransition:
    """Move the locked ``claim`` to ``to_status`` and record the move.

    Raises ``ClaimTransitionRefused`` when ``CLAIM_TRANSITIONS`` does not allow it (nothing is
    changed then). active → active saves nothing but the row: a renewed lease, saved by the caller.
    """
    from_status = claim.status
    check_claim_transition(from_status, to_status)
    if to_status != from_status:
        claim.status = to_status
        claim.save(update_fields=["status", "updated_at"])
    return ClaimTransition.objects.create(
        claim=claim, from_status=from_status, to_status=to_status, actor=actor, note=note
    )


def transfer_record_made(
    *, transfer: TransferRequest, actor: User | None, note: str = ""
) -> TransferTransition:
    """The first row of a transfer request just made (blank → pending)."""
    return TransferTransition.objects.create(
        transfer=transfer, from_status="", to_status=transfer.status, actor=actor, note=note
    )


def transfer_set_status(
    *, transfer: TransferRequest, to_status: str, actor: User | None, note: str = ""
) -> TransferTransition:
    """Move the locked ``transfer`` to ``to_status`` and record the move.

    An answer (accepted, declined, granted, refused, cancelled) also stores who decided, when and
    the note on the request. Raises ``TransferTransitionRefused`` when ``TRANSFER_TRANSITIONS``
    does not allow the move (nothing is changed then).
    """
    from_status = transfer.status
    check_transfer_transition(from_status, to_status)
    transfer.status = to_status
    fields = ["status"]
    if to_status in DECIDED_TRANSFER_STATUSES:
        transfer.decided_by = actor
        transfer.decided_at = timezone.now()
        transfer.decision_note = note
        fields += ["decided_by", "decided_at", "decision_note"]
    transfer.save(update_fields=fields)
    return TransferTransition.objects.create(
        transfer=transfer, from_status=from_status, to_status=to_status, actor=actor, note=note
    )
