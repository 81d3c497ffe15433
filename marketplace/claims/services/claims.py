"""Claims (认领): verified organizations, and volunteers for service needs, take up part of a need.

The invariant: the sum of a need's holding claims (active and completed) never exceeds its
charity target, under any interleaving of requests. ``need_claim`` locks the need row, re-reads
the claimed sum and refuses an amount over the remaining gap; the database backs the lock with
the check constraint ``need_claims_within_target`` and the partial unique indexes that allow one
active claim per organization (or volunteer) per need.

Every service that changes a claim and its need locks the need first, then the claim, then a
transfer request: one order everywhere, so two of them never wait on each other in a cycle.
Each claim holds a lease (``CLAIM_LEASE_DAYS``); the holder renews it, or Celery beat expires it
(``claims_expire_leases``) and the amount is open again.

Errors: ``ClaimRefused`` (a stable ``code``; ``http_status`` 409 for a conflict with the need's
state, 403 for who may claim) and Django's ``ValidationError`` per field for bad input.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import User
from accounts.notifications import notify
from accounts.permissions import holds_office, is_active_member, is_claim_holder
from accounts.roles import OFFICE_HOLDERS
from accounts.selectors import caseworkers_for
from core.formatting import format_need_amount
from marketplace.claims.hooks import claim_made
from marketplace.claims.models import (
    HOLDING_CLAIM_STATUSES,
    OPEN_TRANSFER_STATUSES,
    Claim,
    ClaimStatus,
    ClaimTransition,
    TransferRequest,
    TransferStatus,
)
from marketplace.needs.intake import clean_amount
from marketplace.needs.models import CLAIM_DRIVEN_STATUSES, OPEN_FOR_CLAIMS, AmountKind, Need, NeedStatus
from marketplace.needs.services.feedback import feedback_emit
from marketplace.needs.services.review import identifier_messages
from marketplace.needs.services.status import apply_status
from marketplace.organizations.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organization,
    OrganizationStatus,
    Volunteer,
)
from marketplace.organizations.selectors import organizations_for_claiming, volunteer_for

CENT = Decimal("0.01")
MAX_NOTE = 1000
EXPIRY_CHUNK = 100


def lease_period() -> timedelta:
    return timedelta(days=getattr(settings, "CLAIM_LEASE_DAYS", 14))


# --- the domain error -----------------------------------------------------------------------------


# Deliveries that count as aid given: a claim with any of them is never released.
# The statuses of a delivery (``delivery.models.DeliveryStatus``, an app above this one) that mean
# aid was given: a claim with such a delivery is never released (tests/delivery checks they agree).
DELIVERED = ("reported", "verified")


class ClaimRefused(Exception):
    """A claim (or a move of one) the rules refuse; ``code`` is stable, ``message`` is for people."""

    # Who may act: HTTP 403. Everything else is a conflict with the current state: HTTP 409.
    ELIGIBILITY_CODES = frozenset({"not_eligible", "not_verified"})
    MESSAGES = {
        "over_remaining": gettext_lazy(
            "This is more than what is still open on the need. Claim no more than the remaining gap."
        ),
        "not_open": gettext_lazy("This need is not open for claims."),
        "already_claimed": gettext_lazy("You already hold an active claim on this need."),
        "not_eligible": gettext_lazy(
            "Only active members of a verified organization, or volunteers for service needs, may do this."
        ),
        "not_verified": gettext_lazy("The organization has not been verified yet."),
        "not_active": gettext_lazy("This claim is no longer active."),
        "delivered": gettext_lazy(
            "Deliveries were already reported on this claim: it cannot be withdrawn. Ask the caseworker."
        ),
        "own_claim": gettext_lazy("Your organization already holds this claim."),
        "transfer_open": gettext_lazy("Your organization has already asked for this claim."),
        "not_pending": gettext_lazy("This transfer request has already been answered."),
    }

    def __init__(self, code: str, message: str | None = None):
        self.code = code
        self.message = str(message or self.MESSAGES.get(code, code))
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        return 403 if self.code in self.ELIGIBILITY_CODES else 409


def refusal_for_integrity_error(exc: IntegrityError) -> ClaimRefused:
    """The refusal a database constraint stands for, when the lock alone did not catch it.

    Re-raises ``exc`` when it is not one of the constraints that back the claim rules.
    """
    text = str(exc)
    if "need_claims_within_target" in text:
        return ClaimRefused("over_remaining")
    # PostgreSQL names the partial unique index; SQLite names the columns.
    if "claim_one_active_per" in text or "claims_claim.need_id" in text:
        return ClaimRefused("already_claimed")
    if "transfer_one_open_per_requester" in text or "claims_transferrequest.claim_id" in text:
        return ClaimRefused("transfer_open")
    raise exc


# --- who may claim -------------------------------------------------------------------------------


def claim_resolve_holder(
    *, user, organization_id: int | None = None, as_volunteer: bool = False
) -> tuple[Organization | None, Volunteer | None]:
    """Who claims when ``user`` claims: the organization chosen, their only one, or their volunteer profile.

    Raises ``ValidationError`` (``organization``) for an unknown organization or when the user
    belongs to several verified organizations and chose none; ``ClaimRefused`` when they may not
    claim at all (``not_verified`` when their only organizations are unverified).
    """
    if organization_id is not None:
        organization = Organization.objects.filter(pk=organization_id).first()
        if organization is None:
            raise ValidationError({"organization": [_("Unknown organization.")]})
        return organization, None
    if as_volunteer:
        volunteer = volunteer_for(user=user)
        if volunteer is None:
            raise ClaimRefused("not_eligible", _("You have not registered as a volunteer."))
        return None, volunteer
    organizations = list(organizations_for_claiming(user=user)[:2])
    if len(organizations) == 1:
        return organizations[0], None
    if len(organizations) > 1:
        raise ValidationError(
            {"organization": [_("You belong to several organizations: choose the one that claims.")]}
        )
    volunteer = volunteer_for(user=user)
    if volunteer is not None:
        return None, volunteer
    if Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).exists():
        raise ClaimRefused("not_verified")
    raise ClaimRefused("not_eligible")


def _check_may_claim(
    actor, need: Need, organization: Organization | None, volunteer: Volunteer | None
) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ClaimRefused("not_eligible")
    if holds_office(actor):
        raise ClaimRefused("not_eligible", str(OFFICE_HOLDERS))
    if (organization is None) == (volunteer is None):
        raise ClaimRefused("not_eligible", _("A claim is made by one organization or by one volunteer."))
    if organization is not None:
        if not is_active_member(actor, organization):
            raise ClaimRefused("not_eligible", _("You are not an active member of this organization."))
        if organization.status != OrganizationStatus.VERIFIED:
            raise ClaimRefused("not_verified")
        return
    if volunteer.user_id != actor.pk:
        raise ClaimRefused("not_eligible")
    if need.need_type not in Volunteer.SERVICE_NEED_TYPES or need.amount_kind != AmountKind.HOURS:
        raise ClaimRefused(
            "not_eligible",
            _("Volunteers may claim only service needs (visits and care, counselling), in hours."),
        )


def holder_admins(claim: Claim) -> list[User]:
    """Who answers for a claim's holder: the organization's active administrators (its active
    members when it has no administrator), or the volunteer."""
    if claim.volunteer_id:
        return [claim.volunteer.user]
    return organization_contacts(claim.organization)


def organization_contacts(organization: Organization) -> list[User]:
    active = Membership.objects.filter(organization=organization, status=MembershipStatus.ACTIVE)
    admins = list(
        User.objects.filter(
            pk__in=active.filter(role=MembershipRole.ADMIN).values("user_id"), is_active=True
        ).order_by("pk")
    )
    return admins or list(User.objects.filter(pk__in=active.values("user_id"), is_active=True).order_by("pk"))


# --- input --------------------------------------------------------------------------------------


def clean_note(value: str, *, field: str, required: bool = False) -> str:
    """A free-text note or reason: stored, so it must not identify anyone.

    Raises ``ValidationError`` (``field``) when required and empty, too long, or holding an
    identifier (ID number, phone, address…).
    """
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("Give a reason.")]})
    if len(text) > MAX_NOTE:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": MAX_NOTE}]})
    found = identifier_messages(text, stored_note=True)
    if found:
        raise ValidationError({field: found})
    return text


# --- the need's claimed sum and status ----------------------------------------------------------


def _holding_sum(need: Need) -> Decimal:
    total = Claim.objects.filter(need=need, status__in=HOLDING_CLAIM_STATUSES).aggregate(total=Sum("amount"))[
        "total"
    ]
    return Decimal(total or 0)


def settle_need(need: Need, *, actor=None, note: str = "") -> None:
    """Store the claimed sum of the locked ``need`` and move its status to match.

    Only a published or (partially) claimed need follows its claims; a fulfilled, withdrawn or
    expired need keeps its status. The database refuses a sum over the target.
    """
    need.claimed_amount = _holding_sum(need)
    transition = None
    if need.status in CLAIM_DRIVEN_STATUSES:
        if need.claimed_amount <= 0:
            wanted = NeedStatus.PUBLISHED
        elif need.claimed_amount >= need.target_amount:
            wanted = NeedStatus.CLAIMED
        else:
            wanted = NeedStatus.PARTIALLY_CLAIMED
        if wanted != need.status:
            published_at = need.published_at
            transition = apply_status(need, wanted, actor=actor, note=note)
            # Back to "published" after a release is not a new publication: keep its date.
            need.published_at = published_at or need.published_at
    need.save(update_fields=["claimed_amount", "status", "awaiting_cohort", "hold_reasons", "updated_at"])
    if transition is not None:
        transition.save()


def lock_need(need_id: int) -> Need:
    return Need.objects.select_for_update().get(pk=need_id)


def lock_claim(claim_id: int) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim_id)


def record_transition(claim: Claim, from_status: str, *, actor, note: str = "") -> ClaimTransition:
    return ClaimTransition.objects.create(
        claim=claim, from_status=from_status, to_status=claim.status, actor=actor, note=note
    )


# A claim's status in words; the model's labels are shared msgids ("Active") with other contexts.
CLAIM_STATUS_LABELS = {
    ClaimStatus.ACTIVE: pgettext_lazy("claim status", "Active"),
    ClaimStatus.WITHDRAWN: pgettext_lazy("claim status", "Withdrawn"),
    ClaimStatus.EXPIRED: pgettext_lazy("claim status", "Lease expired"),
    ClaimStatus.TRANSFERRED: pgettext_lazy("claim status", "Transferred"),
    ClaimStatus.COMPLETED: pgettext_lazy("claim status", "Completed"),
}


def claim_status_label(status: str) -> str:
    return str(CLAIM_STATUS_LABELS.get(status, status))


def holder_label(claim: Claim) -> str:
    """How the public sees a claim's holder: the organization's name, or "volunteer" and a masked name."""
    if claim.organization_id:
        return claim.organization.name
    return _("Volunteer %(name)s") % {"name": claim.volunteer.masked_name}


def when_text(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def feedback_payload(claim: Claim, need: Need, **extra) -> dict:
    """What the monitoring platform hears of a claim: amounts, dates and the holder's public name."""
    return {
        "claim_id": claim.pk,
        "holder": claim.organization.name if claim.organization_id else "volunteer",
        "organization_uscc": claim.organization.uscc if claim.organization_id else "",
        "amount": str(claim.amount),
        "amount_kind": need.amount_kind,
        "claim_status": claim.status,
        "claimed_amount": str(need.claimed_amount),
        "remaining_amount": str(need.remaining_amount),
        "need_status": need.status,
        **extra,
    }


def my_claims_url() -> str:
    return reverse("claims:mine")


def need_url(need: Need) -> str:
    return reverse("needs:detail", args=[need.code])


# --- claiming -----------------------------------------------------------------------------------


def need_claim(
    *,
    need: Need,
    amount: Decimal,
    actor,
    organization: Organization | None = None,
    volunteer: Volunteer | None = None,
    note: str = "",
) -> Claim:
    """Claim ``amount`` (money, goods or hours, rounded to the cent) of ``need``.

    ``actor`` claims for ``organization`` (they must be an active member and it verified) or as
    ``volunteer`` (their own profile; service needs counted in hours only). The need row is
    locked, the claimed sum re-read and the need's status moved; the claim holds a lease of
    ``CLAIM_LEASE_DAYS``. A feedback event, a transition row and notifications to the claimant
    and the county's caseworkers are written in the same transaction.

    Raises ``ValidationError`` (``amount``, ``note``) for bad input and ``ClaimRefused``:
    ``not_eligible``/``not_verified`` (403); ``not_open``, ``already_claimed``,
    ``over_remaining`` (409).
    """
    amount = clean_amount(amount)
    note = clean_note(note, field="note")
    _check_may_claim(actor, need, organization, volunteer)
    try:
        with transaction.atomic():
            locked = lock_need(need.pk)
            if locked.status not in OPEN_FOR_CLAIMS:
                raise ClaimRefused("not_open")
            holder = {"organization": organization} if organization is not None else {"volunteer": volunteer}
            if Claim.objects.filter(need=locked, status=ClaimStatus.ACTIVE, **holder).exists():
                raise ClaimRefused("already_claimed")
            remaining = locked.target_amount - _holding_sum(locked)
            if amount > remaining:
                raise ClaimRefused(
                    "over_remaining",
                    _("Only %(remaining)s is still open on this need; claim no more than that.")
                    % {"remaining": format_need_amount(locked, max(remaining, Decimal(0)))},
                )
            claim = Claim.objects.create(
                need=locked,
                claimant=actor,
                amount=amount,
                note=note,
                lease_expires_at=timezone.now() + lease_period(),
                **holder,
            )
            record_transition(claim, "", actor=actor, note=note)
            settle_need(locked, actor=actor, note=_("Claim by %(holder)s.") % {"holder": holder_label(claim)})
            feedback_emit(
                need=locked,
                kind="claim",
                payload=feedback_payload(claim, locked, lease_expires_at=claim.lease_expires_at.isoformat()),
            )
            _notify_claimed(claim, locked)
            claim_made.call(need=locked, claim=claim)
    except IntegrityError as exc:
        raise refusal_for_integrity_error(exc) from exc
    need.status, need.claimed_amount = locked.status, locked.claimed_amount
    return claim


def _notify_claimed(claim: Claim, need: Need) -> None:
    values = {
        "code": need.code,
        "amount": format_need_amount(need, claim.amount),
        "holder": holder_label(claim),
    }
    notify(
        users=[claim.claimant],
        subject=_("You claimed %(amount)s of need %(code)s") % values,
        body=_(
            "Your claim holds until %(lease)s. Renew it before then, or the amount is released for others."
        )
        % {"lease": when_text(claim.lease_expires_at)},
        url=my_claims_url(),
    )
    notify(
        users=caseworkers_for(need.region_id),
        subject=_("%(holder)s claimed %(amount)s of need %(code)s") % values,
        body=_("Still open on the need: %(remaining)s.")
        % {"remaining": format_need_amount(need, need.remaining_amount)},
        url=need_url(need),
    )


def claim_renew(*, claim: Claim, actor) -> Claim:
    """Extend the lease of an active claim to a full lease period from now.

    Raises ``ClaimRefused``: ``not_eligible``/``not_verified`` (403) unless ``actor`` holds
    the claim for a verified organization (or is its volunteer), ``not_active`` (409).
    """
    if not is_claim_holder(actor, claim):
        raise ClaimRefused("not_eligible")
    if claim.organization_id and claim.organization.status != OrganizationStatus.VERIFIED:
        raise ClaimRefused("not_verified")
    with transaction.atomic():
        locked = lock_claim(claim.pk)
        if locked.status != ClaimStatus.ACTIVE:
            raise ClaimRefused("not_active")
        locked.lease_expires_at = timezone.now() + lease_period()
        locked.save(update_fields=["lease_expires_at", "updated_at"])
        record_transition(
            locked,
            ClaimStatus.ACTIVE,
            actor=actor,
            note=_("Lease renewed until %(lease)s.") % {"lease": when_text(locked.lease_expires_at)},
        )
    return locked


def claim_withdraw(*, claim: Claim, actor, reason: str) -> Claim:
    """The holder gives up an active claim, with a reason; its amount is open again.

    Raises ``ValidationError`` (``reason``) for a missing reason or one that identifies
    someone, ``ClaimRefused``: ``not_eligible`` (403), ``not_active`` (409).
    """
    reason = clean_note(reason, field="reason", required=True)
    if not is_claim_holder(actor, claim):
        raise ClaimRefused("not_eligible")
    with transaction.atomic():
        need = lock_need(claim.need_id)
        locked = lock_claim(claim.pk)
        if locked.status != ClaimStatus.ACTIVE:
            raise ClaimRefused("not_active")
        if locked.deliveries.filter(status__in=DELIVERED).exists():
            # Releasing it would reopen the need for aid already given.
            raise ClaimRefused("delivered")
        locked.need = need
        _release(locked, need, to_status=ClaimStatus.WITHDRAWN, actor=actor, note=reason)
        values = {
            "code": need.code,
            "amount": format_need_amount(need, locked.amount),
            "holder": holder_label(locked),
        }
        notify(
            users=caseworkers_for(need.region_id),
            subject=_("%(holder)s withdrew its claim of %(amount)s on need %(code)s") % values,
            body=_("Reason: %(reason)s") % {"reason": reason},
            url=need_url(need),
        )
        if locked.claimant_id != actor.pk:
            notify(
                users=[locked.claimant],
                subject=_("Your claim on need %(code)s was withdrawn") % values,
                body=_("Reason: %(reason)s") % {"reason": reason},
                url=my_claims_url(),
            )
    return locked


def _release(claim: Claim, need: Need, *, to_status: str, actor, note: str) -> None:
    """End a locked active claim (withdrawn or expired): its amount is open again, its open
    transfer requests are cancelled, and the platform hears of it."""
    from_status = claim.status
    claim.status = to_status
    claim.save(update_fields=["status", "updated_at"])
    record_transition(claim, from_status, actor=actor, note=note)
    settle_need(
        need,
        actor=actor,
        note=_("Claim by %(holder)s released (%(status)s).")
        % {"holder": holder_label(claim), "status": claim_status_label(to_status)},
    )
    cancel_open_transfers(claim, note=_("The claim was released."))
    feedback_emit(
        need=need,
        kind="claim_released",
        payload=feedback_payload(
            claim, need, reason="lease_expired" if to_status == ClaimStatus.EXPIRED else "withdrawn"
        ),
    )


def cancel_open_transfers(claim: Claim, *, note: str, exclude: TransferRequest | None = None) -> None:
    """Cancel the open transfer requests of a claim that is no longer active; tell the requesters."""
    requests = TransferRequest.objects.select_for_update().filter(
        claim=claim, status__in=OPEN_TRANSFER_STATUSES
    )
    if exclude is not None:
        requests = requests.exclude(pk=exclude.pk)
    for request in requests.order_by("pk"):
        request.status = TransferStatus.CANCELLED
        request.decided_at = timezone.now()
        request.decision_note = note
        request.save(update_fields=["status", "decided_at", "decision_note"])
        notify(
            users=[request.requester],
            subject=_("Your transfer request on need %(code)s was cancelled") % {"code": claim.need.code},
            body=note,
            url=my_claims_url(),
        )


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
                _release(claim, need, to_status=ClaimStatus.EXPIRED, actor=None, note=_("The lease ended."))
                notify(
                    users=[claim.claimant],
                    subject=_("Your claim on need %(code)s has expired") % {"code": need.code},
                    body=_(
                        "The lease ended on %(lease)s without renewal, so the %(amount)s you claimed "
                        "is open for others again."
                    )
                    % {
                        "lease": when_text(claim.lease_expires_at),
                        "amount": format_need_amount(need, claim.amount),
                    },
                    url=need_url(need),
                )
            expired += len(claims)
        if len(needs) < EXPIRY_CHUNK:
            break
    return expired


# --- reads --------------------------------------------------------------------------------------


def claims_public_history(*, need: Need) -> QuerySet[Claim]:
    """Every claim on a need, oldest first, for the public history (holder, amount, date, status)."""
    return (
        Claim.objects.filter(need=need)
        .select_related("organization", "volunteer")
        .order_by("created_at", "pk")
    )


def claims_of_user(*, user) -> QuerySet[Claim]:
    """Claims held by the user's organizations (active memberships) or by them as a volunteer,
    newest first."""
    if not getattr(user, "is_authenticated", False):
        return Claim.objects.none()
    organizations = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
        "organization_id"
    )
    return (
        Claim.objects.filter(Q(organization_id__in=organizations) | Q(volunteer__user=user))
        .select_related("need", "organization", "volunteer")
        .order_by("-created_at", "-pk")
    )


def transfers_to_answer(*, user) -> QuerySet[TransferRequest]:
    """Pending transfer requests on claims the user answers for (administrator or volunteer)."""
    if not getattr(user, "is_authenticated", False):
        return TransferRequest.objects.none()
    admin_of = Membership.objects.filter(
        user=user, status=MembershipStatus.ACTIVE, role=MembershipRole.ADMIN
    ).values("organization_id")
    return (
        TransferRequest.objects.filter(status=TransferStatus.PENDING)
        .filter(Q(claim__organization_id__in=admin_of) | Q(claim__volunteer__user=user))
        .select_related("claim__need", "claim__organization", "requested_by")
        .order_by("answer_due_at", "pk")
    )


def transfers_requested_by_user(*, user) -> QuerySet[TransferRequest]:
    """Transfer requests made by the user's organizations, newest first."""
    if not getattr(user, "is_authenticated", False):
        return TransferRequest.objects.none()
    organizations = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values(
        "organization_id"
    )
    return (
        TransferRequest.objects.filter(requested_by_id__in=organizations)
        .select_related("claim__need", "claim__organization", "claim__volunteer", "requested_by")
        .order_by("-created_at", "-pk")
    )
