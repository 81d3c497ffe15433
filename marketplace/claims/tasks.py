"""Background work of claims: thin beat tasks that call one service each, safe to run twice."""

from __future__ import annotations

from celery import shared_task

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
