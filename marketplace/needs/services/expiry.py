"""Expiry (过期): needs whose needed-by date has passed leave the public list and the queue."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.needs.hooks import needs_changed
from marketplace.needs.models import EXPIRABLE_STATUSES, Need, NeedStatus, NeedTransition
from marketplace.needs.services.feedback import feedback_emit
from marketplace.needs.services.status import apply_status

CHUNK_SIZE = 500


def needs_expire(*, today: date | None = None) -> int:
    """Move every pending or published need due before ``today`` to ``expired``; return how many.

    ``today`` defaults to the local date (Asia/Shanghai): a need due today stays open all day.
    Each chunk of ``CHUNK_SIZE`` needs is locked, moved and committed on its own, with one
    transition row per need, so a long run never holds many locks. Rows another transaction
    holds (an intake update, a caseworker's review) are skipped and expire on the next run.
    Running it again changes nothing. Raises nothing of its own: ``apply_status`` cannot
    refuse these moves, since both statuses may expire.
    """
    today = today or timezone.localdate()
    note = _("Expired: the needed-by date has passed.")
    expired = 0
    while True:
        with transaction.atomic():
            needs = list(
                Need.objects.select_for_update(skip_locked=True)
                .filter(status__in=EXPIRABLE_STATUSES, needed_by__lt=today)
                .order_by("pk")[:CHUNK_SIZE]
            )
            if not needs:
                break
            now = timezone.now()
            transitions = []
            for need in needs:
                transitions.append(apply_status(need, NeedStatus.EXPIRED, note=note))
                need.updated_at = now
            Need.objects.bulk_update(
                needs, fields=["status", "awaiting_cohort", "hold_reasons", "updated_at"]
            )
            NeedTransition.objects.bulk_create(transitions)
            needs_changed.call(need_ids=[need.pk for need in needs])
            for need in needs:
                # The platform hears of each expiry once, in the same transaction as the change.
                feedback_emit(
                    need=need,
                    kind="expiry",
                    payload={
                        "needed_by": need.needed_by.isoformat(),
                        "claimed_amount": str(need.claimed_amount),
                        "verified_amount": str(need.verified_amount),
                    },
                )
        expired += len(needs)
        if len(needs) < CHUNK_SIZE:
            break
    return expired
