"""Lease expiry (认领租约到期): an active claim not renewed in time releases its amount.

The holder renews a lease with ``services.claims.claim_renew``; Celery beat runs
``claims_expire_leases`` (task ``claims.expire_claim_leases``) for the claims nobody renewed.
Locks in the order of ``services.claims``: need, then claim.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.notifications import notify
from core.phrases import Amount, Moment, Phrase
from marketplace.claims.models import Claim, ClaimStatus
from marketplace.claims.services.claims import DELIVERED, claim_release, need_url
from marketplace.needs.models import Need

EXPIRY_CHUNK = 100


def claims_expire_leases(*, now=None) -> int:
    """Expire every active claim whose lease has ended; return how many.

    Needs are taken in chunks of ``EXPIRY_CHUNK``, each locked with ``SKIP LOCKED`` and
    committed on its own: a need another transaction holds (a claim being made) is left for the
    next run. Each expired claim releases its amount, writes a ``claim_released`` feedback event
    and a transition, and tells the claimant. Running it twice changes nothing more.
    """
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            # A claim with deliveries reported or verified has given aid: releasing it would
            # reopen the need for aid already given, and verification is not the claimant's delay.
            due = Claim.objects.filter(status=ClaimStatus.ACTIVE, lease_expires_at__lte=now).exclude(
                deliveries__status__in=DELIVERED
            )
            needs = list(
                Need.objects.select_for_update(skip_locked=True)
                .filter(pk__in=due.values("need_id"))
                .order_by("pk")[:EXPIRY_CHUNK]
            )
            if not needs:
                break
            claims = list(
                Claim.objects.select_for_update()
                .filter(need__in=needs, status=ClaimStatus.ACTIVE, lease_expires_at__lte=now)
                .exclude(deliveries__status__in=DELIVERED)
                .order_by("need_id", "pk")
            )
            by_need = {need.pk: need for need in needs}
            for claim in claims:
                need = by_need[claim.need_id]
                claim.need = need
                claim_release(
                    claim, need, to_status=ClaimStatus.EXPIRED, actor=None, note=_("The lease ended.")
                )
                notify(
                    users=[claim.claimant],
                    subject=Phrase(gettext_noop("Your claim on need %(code)s has expired"), code=need.code),
                    body=Phrase(
                        gettext_noop(
                            "The lease ended on %(lease)s without renewal, so the %(amount)s you claimed "
                            "is open for others again."
                        ),
                        lease=Moment(claim.lease_expires_at),
                        amount=Amount.of(need, claim.amount),
                    ),
                    url=need_url(need),
                )
            expired += len(claims)
        if len(needs) < EXPIRY_CHUNK:
            break
    return expired
