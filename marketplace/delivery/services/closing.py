"""The platform's confirmation of receipt and the closing of fulfilled needs.

``fulfilled`` → ``closed``: the need is closed as soon as the monitoring platform has confirmed
receipt of every verified delivery (``POST /api/v1/intake/confirmations/``), or, without that,
``NEED_CLOSE_GRACE_DAYS`` (14 by default) after it was fulfilled, by the daily task
``delivery.close_fulfilled_needs``. The grace period leaves the platform time to confirm
and the public a while to see the need as fulfilled before it is archived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.claims.models import Claim
from marketplace.delivery.models import COUNTED_DELIVERY_STATUSES, Delivery, DeliveryStatus
from marketplace.delivery.services.reports import DeliveryConflict
from marketplace.needs.models import Need, NeedStatus, NeedTransition, SourceSystem
from marketplace.needs.services.status import apply_status


def close_grace_days() -> int:
    return getattr(settings, "NEED_CLOSE_GRACE_DAYS", 14)


@dataclass(frozen=True)
class Confirmation:
    need: Need
    claim: Claim
    deliveries: list[Delivery]
    newly_confirmed: int


def delivery_confirm_receipt(*, claim: Claim, source_system: SourceSystem) -> Confirmation:
    """The monitoring platform confirms the household received what ``claim`` delivered.

    Sets ``platform_confirmed_at`` on the claim's reported and verified deliveries that have
    none yet; confirming again changes nothing. A fulfilled need whose verified deliveries are
    all confirmed is closed. Raises ``PermissionDenied`` for a need of another source system,
    ``DeliveryConflict`` when the claim has no reported or verified delivery.
    """
    if claim.need.source_system_id != source_system.pk:
        raise PermissionDenied(_("This need was not pushed by your system."))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=claim.need_id)
        deliveries = list(
            Delivery.objects.select_for_update()
            .filter(claim_id=claim.pk, status__in=COUNTED_DELIVERY_STATUSES)
            .order_by("created_at", "pk")
        )
        if not deliveries:
            raise DeliveryConflict(
                _("No delivery has been reported on this claim yet."), code="nothing_reported"
            )
        now = timezone.now()
        fresh = [delivery for delivery in deliveries if delivery.platform_confirmed_at is None]
        for delivery in fresh:
            delivery.platform_confirmed_at = now
        Delivery.objects.bulk_update(fresh, ["platform_confirmed_at"])
        if need.status == NeedStatus.FULFILLED and _all_verified_confirmed(need):
            _close(need, note=_("Closed: the platform confirmed receipt of every delivery."))
    return Confirmation(need=need, claim=claim, deliveries=deliveries, newly_confirmed=len(fresh))


def _all_verified_confirmed(need: Need) -> bool:
    return not Delivery.objects.filter(
        claim__need=need, status=DeliveryStatus.VERIFIED, platform_confirmed_at__isnull=True
    ).exists()


def _close(need: Need, *, note: str) -> None:
    """``fulfilled`` → ``closed`` on a need the caller has locked."""
    apply_status(need, NeedStatus.CLOSED, note=note).save()
    need.save(update_fields=["status", "awaiting_cohort", "hold_reasons", "updated_at"])


def needs_close_fulfilled(*, now: datetime | None = None) -> int:
    """Close the needs fulfilled more than ``NEED_CLOSE_GRACE_DAYS`` ago; return how many.

    Each need is locked and closed in its own transaction; one another transaction holds is
    skipped and closed on the next run. Running it again changes nothing.
    """
    cutoff = (now or timezone.now()) - timedelta(days=close_grace_days())
    fulfilled_at = (
        NeedTransition.objects.filter(need=OuterRef("pk"), to_status=NeedStatus.FULFILLED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    due = list(
        Need.objects.filter(status=NeedStatus.FULFILLED)
        .annotate(fulfilled_at=Subquery(fulfilled_at))
        .filter(fulfilled_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    closed = 0
    note = _("Closed: %(days)d days after it was fulfilled.") % {"days": close_grace_days()}
    for pk in due:
        with transaction.atomic():
            need = (
                Need.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=NeedStatus.FULFILLED)
                .first()
            )
            if need is None:
                continue
            _close(need, note=note)
            closed += 1
    return closed
