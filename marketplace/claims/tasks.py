"""Background work of claims: thin tasks that call one service each, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core.queue import enqueue
from marketplace.claims.services.claims import claim_announce, claims_announce_pending
from marketplace.claims.services.leases import claims_expire_leases
from marketplace.claims.services.transfers import transfers_escalate


@shared_task(name="claims.expire_claim_leases")
def expire_claim_leases() -> int:
    """Expire the claims whose lease has ended, releasing their amounts (beat: hourly)."""
    return claims_expire_leases()


@shared_task(name="claims.escalate_transfers")
def escalate_transfers() -> int:
    """Hand unanswered transfer requests to the caseworkers (beat: hourly)."""
    return transfers_escalate()


@shared_task(name="claims.announce_claim", acks_late=True)
def announce_claim(claim_id: int) -> bool:
    """Notify the claimant and the caseworkers of a committed claim (enqueued on commit); once."""
    return claim_announce(claim_id=claim_id)


@shared_task(name="claims.announce_pending_claims")
def announce_pending_claims() -> int:
    """Enqueue the announcements a lost message or a broker outage left (beat, every minute)."""
    return claims_announce_pending(send=lambda claim_id: enqueue(announce_claim, claim_id))
