"""Delivery reports (交付): the claimant reports what was delivered, with evidence.

Evidence is checked by content (``core.evidence``); the need's caseworker then verifies or
disputes the report (``verification``). Delivery statuses, one table (``DELIVERY_TRANSITIONS``)::

    reported → verified | disputed        (the caseworker's one decision)

``disputed`` is final: the claimant corrects it by reporting again (a new delivery, with its
own evidence), which keeps every decision on its own row — ``Delivery`` records who decided,
when and why in ``verified_by``/``verified_at``/``verification_note``, and a second decision
on the same row would overwrite the first. A disputed delivery no longer counts against the
claim, so the corrected report fits.

This module also holds what the other delivery services share: the table and its errors, the
source department's handlers to tell, and the delivered amounts of a claim. Lock order, as in
the claims service: need, then claim, then delivery.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.notifications import notify
from accounts.permissions import is_claim_holder
from accounts.roles import Role
from accounts.selectors import caseworkers_for
from core.errors import DomainError
from core.evidence import check_uploads
from core.formatting import format_need_amount
from core.phrases import Amount, Phrase
from marketplace.claims.models import Claim, ClaimStatus
from marketplace.delivery.models import COUNTED_DELIVERY_STATUSES, Delivery, DeliveryStatus, Evidence
from marketplace.needs.cleaning import clean_amount
from marketplace.needs.models import Need
from marketplace.needs.services.feedback import feedback_emit
from marketplace.organizations.models import OrganizationStatus
from privacy.redaction import Kind, detect
from regions.models import covering_codes

DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    DeliveryStatus.REPORTED: frozenset({DeliveryStatus.VERIFIED, DeliveryStatus.DISPUTED}),
    DeliveryStatus.VERIFIED: frozenset(),
    DeliveryStatus.DISPUTED: frozenset(),
}
MAX_DESCRIPTION = 2000
# What a claimant's description must not carry: identifiers of anyone.
DESCRIPTION_IDENTIFIERS = frozenset({Kind.ID_NUMBER, Kind.MOBILE, Kind.LANDLINE, Kind.BANK_CARD, Kind.EMAIL})
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class DeliveryTransitionRefused(DomainError):
    """The delivery has already been decided (verified or disputed); HTTP 409."""

    code = "illegal_delivery_transition"

    def __init__(self, from_status: str, to_status: str):
        self.from_status, self.to_status = from_status, to_status
        super().__init__(
            _("This delivery is already “%(from)s” and cannot become “%(to)s”.")
            % {"from": DeliveryStatus(from_status).label, "to": DeliveryStatus(to_status).label}
        )


class DeliveryConflict(DomainError):
    """The claim can take no delivery report now (it is no longer active); HTTP 409."""

    code = "conflict"


def check_delivery_transition(from_status: str, to_status: str) -> None:
    """Raise ``DeliveryTransitionRefused`` unless the table allows the move."""
    if to_status not in DELIVERY_TRANSITIONS[from_status]:
        raise DeliveryTransitionRefused(from_status, to_status)


# --- who ------------------------------------------------------------------------------------


def need_department_handlers(need: Need) -> list[User]:
    """The source department's handlers whose scope covers the need."""
    return list(
        User.objects.filter(
            is_active=True,
            groups__name=Role.DEPARTMENT_HANDLER,
            department=need.department,
            region_id__in=covering_codes(need.region_id),
        ).distinct()
    )


# --- amounts --------------------------------------------------------------------------------


def claim_delivered_amounts(claim: Claim) -> tuple[Decimal, Decimal]:
    """(reported and not yet decided, verified) sums of the claim's deliveries."""
    sums = {
        row["status"]: row["total"]
        for row in claim.deliveries.filter(status__in=COUNTED_DELIVERY_STATUSES)
        .values("status")
        .annotate(total=Sum("amount"))
    }
    return sums.get(DeliveryStatus.REPORTED, ZERO), sums.get(DeliveryStatus.VERIFIED, ZERO)


def claim_undelivered_amount(claim: Claim) -> Decimal:
    """What the claimant may still report: the claim minus its reported and verified deliveries."""
    reported, verified = claim_delivered_amounts(claim)
    return max(claim.amount - reported - verified, ZERO)


# --- report ---------------------------------------------------------------------------------


def delivery_report(
    *,
    claim: Claim,
    actor,
    amount,
    delivered_on: date,
    description: str,
    files: Iterable,
) -> Delivery:
    """Report a delivery on ``claim`` with evidence files; the need's caseworkers are told.

    ``files`` are file objects (uploads): 1 to ``MAX_FILES`` photos (JPEG, PNG, WebP) or PDFs,
    each at most ``EVIDENCE_MAX_BYTES``, recognised by content; images are stored re-encoded,
    without metadata. Raises ``PermissionDenied`` unless ``actor`` is an active member of the
    claiming (verified) organization or the volunteer; ``ValidationError`` (per field:
    ``amount``, ``delivered_on``, ``description``, ``files``) for an amount not above zero or
    above what the claim has left undelivered, a date in the future or before the claim, a
    description that is empty or carries ID numbers, phone or bank card numbers, or refused
    files; ``DeliveryConflict`` when the claim is no longer active.
    """
    if not is_claim_holder(actor, claim):
        raise PermissionDenied(_("Only the claimant's organization or volunteer may report its delivery."))
    if claim.organization_id and claim.organization.status != OrganizationStatus.VERIFIED:
        raise PermissionDenied(_("Your organization is not verified, so it cannot report deliveries."))

    errors: dict[str, list] = {}
    try:
        amount = clean_amount(amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    today = timezone.localdate()
    if not isinstance(delivered_on, date):
        errors["delivered_on"] = [_("Enter a date.")]
    elif delivered_on > today:
        errors["delivered_on"] = [_("The delivery date cannot be in the future.")]
    elif delivered_on < timezone.localdate(claim.created_at):
        errors["delivered_on"] = [_("The delivery date cannot be before the claim was made.")]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Describe what was delivered.")]
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = [_("At most %(n)d characters.") % {"n": MAX_DESCRIPTION}]
    elif any(hit.kind in DESCRIPTION_IDENTIFIERS for hit in detect(description)):
        errors["description"] = [
            _(
                "Leave out ID numbers, phone numbers, bank card numbers and e-mail addresses: "
                "the household is known to the caseworker already."
            )
        ]
    checked, file_errors = check_uploads(
        files, missing=_("Attach at least one photo or PDF as evidence."), missing_code="evidence_required"
    )
    if file_errors:
        errors["files"] = file_errors
    if errors:
        raise ValidationError(errors)

    stored: list = []
    try:
        with transaction.atomic():
            locked = Claim.objects.select_for_update().get(pk=claim.pk)
            if locked.status != ClaimStatus.ACTIVE:
                raise DeliveryConflict(
                    _("This claim is “%(status)s”; only active claims take delivery reports.")
                    % {"status": ClaimStatus(locked.status).label},
                    code="claim_not_active",
                )
            undelivered = claim_undelivered_amount(locked)
            if amount > undelivered:
                raise ValidationError(
                    {
                        "amount": _(
                            "At most %(left)s is left to report on this claim "
                            "(reported deliveries waiting for verification count)."
                        )
                        % {"left": format_need_amount(claim.need, undelivered)}
                    },
                    code="over_claim",
                )
            delivery = Delivery.objects.create(
                claim=locked,
                amount=amount,
                delivered_on=delivered_on,
                description=description,
                reported_by=actor,
            )
            for item in checked:
                evidence = Evidence(
                    delivery=delivery,
                    content_type=item.content_type,
                    extension=item.extension,
                    size=item.size,
                    sha256=item.sha256,
                    uploaded_by=actor,
                )
                # The name is chosen by ``evidence_path``: random, under private/evidence/.
                evidence.file.save(f"evidence.{item.extension}", ContentFile(item.content), save=False)
                stored.append(evidence.file)
                evidence.save()
            need = locked.need
            feedback_emit(
                need=need,
                kind="delivery",
                payload={
                    "claim_id": locked.pk,
                    "delivery_id": delivery.pk,
                    "provider": locked.holder_name,
                    "amount": str(amount),
                    "amount_kind": need.amount_kind,
                    "unit": need.unit,
                    "delivered_on": delivered_on.isoformat(),
                    "evidence_count": len(checked),
                    "status": delivery.status,
                },
            )
            notify(
                users=caseworkers_for(need.region_id),
                subject=Phrase(gettext_noop("Delivery to verify on need %(code)s"), code=need.code),
                body=Phrase(
                    gettext_noop(
                        "%(provider)s reported delivering %(amount)s on %(date)s. Please check the evidence."
                    ),
                    provider=locked.holder_name,
                    amount=Amount.of(need, amount),
                    date=delivered_on.isoformat(),
                ),
                url=reverse("delivery_verification:detail", args=[delivery.pk]),
            )
    except BaseException:
        # The row is gone with the transaction; the files must go too.
        for file in stored:
            file.storage.delete(file.name)
        raise
    return delivery
