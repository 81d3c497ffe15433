"""Delivery (交付), its verification (核实) and the platform's confirmation of receipt.

The claimant reports what was delivered, with evidence checked by content
(``core.evidence``); the need's caseworker verifies or disputes it. A verified delivery
adds to ``need.verified_amount`` and becomes an ``AssistanceRecord`` on the household token
(一户一条救助链); when the verified deliveries of a claim cover its amount the claim is
``completed`` (it keeps holding its amount); when those of the need cover its target the need
is ``fulfilled``.

Delivery statuses, one table (``DELIVERY_TRANSITIONS``)::

    reported → verified | disputed        (the caseworker's one decision)

``disputed`` is final: the claimant corrects it by reporting again (a new delivery, with its
own evidence), which keeps every decision on its own row — ``Delivery`` records who decided,
when and why in ``verified_by``/``verified_at``/``verification_note``, and a second decision
on the same row would overwrite the first. A disputed delivery no longer counts against the
claim, so the corrected report fits.

``fulfilled`` → ``closed``: the need is closed as soon as the monitoring platform has confirmed
receipt of every verified delivery (``POST /api/v1/intake/confirmations/``), or, without that,
``NEED_CLOSE_GRACE_DAYS`` (14 by default) after it was fulfilled, by the daily task
``delivery.close_fulfilled_needs``. The grace period leaves the platform time to confirm
and the public a while to see the need as fulfilled before it is archived.

Lock order, as in the claims service: need, then claim, then delivery.

The reads (selectors) of this area are at the end of this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from accounts.permissions import EXPIRED_REPORT_ROLES, is_claim_holder, is_need_caseworker, may_view_evidence
from accounts.roles import Role
from accounts.scoping import scope_queryset
from accounts.selectors import caseworkers_for
from core.errors import DomainError
from core.evidence import MAX_FILES, CheckedEvidence, EvidenceError, check_evidence, too_large
from core.formatting import format_need_amount
from marketplace.claims.models import Claim, ClaimStatus
from marketplace.claims.services.status import claim_set_status
from marketplace.delivery.models import (
    COUNTED_DELIVERY_STATUSES,
    AssistanceRecord,
    Delivery,
    DeliveryStatus,
    Evidence,
)
from marketplace.needs.intake import clean_amount
from marketplace.needs.models import Need, NeedStatus, NeedTransition, SourceSystem
from marketplace.needs.services.feedback import feedback_emit
from marketplace.needs.services.status import TRANSITIONS as NEED_TRANSITIONS
from marketplace.needs.services.status import apply_status
from marketplace.organizations.models import OrganizationStatus
from privacy.redaction import Kind, detect
from regions.models import covering_codes

DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    DeliveryStatus.REPORTED: frozenset({DeliveryStatus.VERIFIED, DeliveryStatus.DISPUTED}),
    DeliveryStatus.VERIFIED: frozenset(),
    DeliveryStatus.DISPUTED: frozenset(),
}
MAX_DESCRIPTION = 2000
MAX_NOTE = 1000
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


def max_evidence_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)


def close_grace_days() -> int:
    return getattr(settings, "NEED_CLOSE_GRACE_DAYS", 14)


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


def _check_files(files: Iterable) -> tuple[list[CheckedEvidence], list[ValidationError]]:
    files = [file for file in files or [] if file]
    errors: list[ValidationError] = []
    if not files:
        errors.append(
            ValidationError(_("Attach at least one photo or PDF as evidence."), code="evidence_required")
        )
        return [], errors
    if len(files) > MAX_FILES:
        errors.append(
            ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES}, code="too_many_files")
        )
        return [], errors
    limit = max_evidence_bytes()
    checked = []
    for index, file in enumerate(files, start=1):
        label = getattr(file, "name", "") or _("file %(n)d") % {"n": index}
        size = getattr(file, "size", None)
        try:
            if size is not None and size > limit:
                raise too_large(limit)  # refused before reading it
            if hasattr(file, "seek"):
                file.seek(0)
            data = file.read(limit + 1)
            checked.append(check_evidence(data, max_bytes=limit))
        except EvidenceError as refused:
            errors.append(
                ValidationError(
                    _("%(file)s: %(reason)s") % {"file": label, "reason": refused.message},
                    code=refused.code,
                )
            )
    return checked, errors


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
    checked, file_errors = _check_files(files)
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
                subject=_("Delivery to verify on need %(code)s") % {"code": need.code},
                body=_("%(provider)s reported delivering %(amount)s on %(date)s. Please check the evidence.")
                % {
                    "provider": locked.holder_name,
                    "amount": format_need_amount(need, amount),
                    "date": delivered_on.isoformat(),
                },
                url=reverse("delivery_verification:detail", args=[delivery.pk]),
            )
    except BaseException:
        # The row is gone with the transaction; the files must go too.
        for file in stored:
            file.storage.delete(file.name)
        raise
    return delivery


# --- verification ---------------------------------------------------------------------------


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
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": MAX_NOTE}})
    need = Need.objects.get(claims__deliveries=delivery)
    if not is_need_caseworker(actor, need):
        raise PermissionDenied(_("Only a caseworker of the need's region may verify its deliveries."))
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
            subject=_("Your delivery on need %(code)s was verified") % {"code": need.code},
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
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": _("Say what is wrong, so the claimant can correct it.")}, code="required"
        )
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": MAX_NOTE}})
    need = Need.objects.get(claims__deliveries=delivery)
    if not is_need_caseworker(actor, need):
        raise PermissionDenied(_("Only a caseworker of the need's region may verify its deliveries."))
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
            subject=_("Your delivery on need %(code)s was disputed") % {"code": need.code},
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
    subject = _("Need %(code)s is fulfilled") % {"code": need.code}
    body = _("Verified deliveries now cover the need's target. Thank you.")
    notify(users=list(claimants), subject=subject, body=body, url=reverse("needs:detail", args=[need.code]))
    notify(users=need_department_handlers(need), subject=subject, body=body)


# --- the platform's confirmation and closing ------------------------------------------------


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


# --- reads ----------------------------------------------------------------------------------
# Selectors of this area live here (not in marketplace/selectors.py) to keep the area's code in
# the files it owns; they scope once, by region, like the others.


def delivery_queue(*, user, status: str | None = DeliveryStatus.REPORTED) -> QuerySet[Delivery]:
    """Deliveries in the caseworker's scope with ``status`` (any, for None): waiting ones first."""
    deliveries = (
        Delivery.objects.filter(**({"status": status} if status else {}))
        .select_related(
            "claim__need__region",
            "claim__organization",
            "claim__volunteer",
            "reported_by",
            "verified_by",
        )
        .prefetch_related("evidence")
    )
    deliveries = scope_queryset(
        deliveries, user, roles=[Role.CASEWORKER], region_field="claim__need__region__code"
    )
    if status == DeliveryStatus.REPORTED:
        return deliveries.order_by("created_at", "pk")
    return deliveries.order_by("-verified_at", "-pk")


def claim_for_reporter(*, user, pk: int) -> Claim:
    """The claim ``user`` may report deliveries on; ``Claim.DoesNotExist`` for any other."""
    claim = Claim.objects.select_related("need", "organization", "volunteer").get(pk=pk)
    if not is_claim_holder(user, claim):
        raise Claim.DoesNotExist
    return claim


def claim_deliveries(*, claim: Claim) -> QuerySet[Delivery]:
    return claim.deliveries.prefetch_related("evidence").order_by("-created_at", "-pk")


def evidence_for_user(*, user, pk: int) -> Evidence:
    """One evidence file ``user`` may see; ``Evidence.DoesNotExist`` for any other."""
    evidence = Evidence.objects.select_related(
        "delivery__claim__need", "delivery__claim__volunteer", "delivery__claim__organization"
    ).get(pk=pk)
    if not may_view_evidence(user, evidence):
        raise Evidence.DoesNotExist
    return evidence


def expired_needs_report(*, user, since: date) -> QuerySet[Need]:
    """Needs that expired on or after ``since`` in the user's scope, newest first.

    Each carries ``expired_at`` (when it expired) and ``gap`` (target minus verified
    deliveries: what the household did not get). Department handlers see their department's.
    """
    expired_at = (
        NeedTransition.objects.filter(need=OuterRef("pk"), to_status=NeedStatus.EXPIRED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    needs = (
        Need.objects.filter(status=NeedStatus.EXPIRED)
        .select_related("region")
        .annotate(
            expired_at=Subquery(expired_at),
            gap=ExpressionWrapper(
                F("target_amount") - F("verified_amount"),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .filter(expired_at__gte=start)
    )
    needs = scope_queryset(needs, user, roles=EXPIRED_REPORT_ROLES, department_field="department")
    return needs.order_by("-expired_at", "-pk")
