"""Claims (认领): verified organizations, and volunteers for service needs, take up part of a need.

The invariant: the sum of a need's holding claims (active and completed) never exceeds its
charity target, under any interleaving of requests. ``need_claim`` locks the need row, re-reads
the claimed sum and refuses an amount over the remaining gap; the database backs the lock with
the check constraint ``need_claims_within_target`` and the partial unique indexes that allow one
active claim per organization (or volunteer) per need.

Every service that changes a claim and its need locks the need first, then the claim, then a
transfer request: one order everywhere, so two of them never wait on each other in a cycle.
Each claim holds a lease (``CLAIM_LEASE_DAYS``); the holder renews it, or Celery beat expires it
(``services.leases.claims_expire_leases``) and the amount is open again. A claim's status moves
only through ``services.status.claim_set_status`` (the table ``CLAIM_TRANSITIONS``), which
records each move. The reads are in ``claims.selectors``.

Errors (``claims.errors``): ``ClaimRefused`` (a ``core.errors.DomainError`` with a stable
``code``; ``http_status`` 409 for a conflict with the need's state, 403 for who may claim),
``ClaimTransitionRefused`` for a move the table does not allow, and Django's ``ValidationError``
per field for bad input.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.notifications import Message, notify, notify_each
from accounts.permissions import holds_office, is_active_member, is_claim_holder
from accounts.roles import OFFICE_HOLDERS
from accounts.selectors import caseworkers_for
from core.db import (
    Pending,
    convert_value,
    fixed_query,
    instance_from,
    row_get,
    row_insert,
    row_update,
    select_list,
)
from core.formatting import format_need_amount
from core.phrases import Amount, Moment, Phrase
from core.queue import enqueue
from marketplace.claims.errors import ClaimRefused, refusal_for_integrity_error
from marketplace.claims.hooks import claim_made
from marketplace.claims.models import (
    CLAIM_STATUS_LABELS,
    HOLDING_CLAIM_STATUSES,
    OPEN_TRANSFER_STATUSES,
    Claim,
    ClaimStatus,
    TransferRequest,
    TransferStatus,
)
from marketplace.claims.services.status import claim_record_made, claim_set_status, transfer_set_status
from marketplace.needs.cleaning import clean_amount
from marketplace.needs.models import CLAIM_DRIVEN_STATUSES, OPEN_FOR_CLAIMS, AmountKind, Need, NeedStatus
from marketplace.needs.services.feedback import feedback_emit
from marketplace.needs.services.review import NOTE_FIELD, REASON_FIELD, identifier_messages
from marketplace.needs.services.status import apply_status
from marketplace.organizations.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organization,
    OrganizationStatus,
    Volunteer,
)
from marketplace.organizations.selectors import organizations_for_claiming_first, volunteer_for

CENT = Decimal("0.01")
# The sweep leaves a claim's announcement this long to its own message before sending another.
ANNOUNCE_SWEEP_AFTER = timedelta(minutes=1)
MAX_NOTE = 1000


def lease_period() -> timedelta:
    return timedelta(days=getattr(settings, "CLAIM_LEASE_DAYS", 14))


# Deliveries that count as aid given: a claim with any of them is never released.
# The statuses of a delivery (``delivery.models.DeliveryStatus``, an app above this one) that mean
# aid was given: a claim with such a delivery is never released (tests/delivery checks they agree).
DELIVERED = ("reported", "verified")


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
    organizations = organizations_for_claiming_first(user=user)
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
        # Read through the actor's active membership a moment ago (claim_resolve_holder), or asked now.
        if getattr(organization, "active_member_id", None) != actor.pk and not is_active_member(
            actor, organization
        ):
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


def clean_note(value: str, *, field: str, required: bool = False, by_claimant: bool = True) -> str:
    """A free-text note or reason: stored, so it must not identify anyone.

    Raises ``ValidationError`` (``field``, "note" or "reason") when required and empty, too long,
    or holding an identifier (ID number, phone, address…); the message names the field as its
    form labels it and, for a claimant (``by_claimant``), says why even their own phone number
    is refused.
    """
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("Give a reason.")]})
    if len(text) > MAX_NOTE:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": MAX_NOTE}]})
    label = NOTE_FIELD if field == "note" else REASON_FIELD
    found = identifier_messages(text, stored_in=label, contact_hint=by_claimant)
    if found:
        raise ValidationError({field: found})
    return text


# --- the need's claimed sum and status ----------------------------------------------------------


def _holding_sum(need: Need) -> Decimal:
    total = Claim.objects.filter(need=need, status__in=HOLDING_CLAIM_STATUSES).aggregate(total=Sum("amount"))[
        "total"
    ]
    return Decimal(total or 0)


SETTLED_FIELDS = ("claimed_amount", "status", "awaiting_cohort", "hold_reasons", "updated_at")


def settle_need(need: Need, *, actor=None, note: str = "", claimed: Decimal | None = None) -> None:
    """Store the claimed sum of the locked ``need`` and move its status to match.

    ``claimed``: the sum when the caller has just read it under the same lock (else it is
    read). Only a published or (partially) claimed need follows its claims; a fulfilled,
    withdrawn or expired need keeps its status. The database refuses a sum over the target.
    """
    need.claimed_amount = _holding_sum(need) if claimed is None else claimed
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
    # Fixed statements (core.db): this runs in every claim, release and hand-over.
    row_update(need, SETTLED_FIELDS)
    if transition is not None:
        row_insert(transition)


# What a claim reads of its need under the lock: whatever a claim, the source system or a
# caseworker may have changed since the need was read for the request.
CLAIM_LOCK_FIELDS = (
    "status", "target_amount", "claimed_amount", "published_at", "awaiting_cohort", "hold_reasons",
    "amount_kind", "need_type", "requested_amount", "household_token", "region_id", "source_system_id",
)  # fmt: skip
# The holding sum of a need and whether a holder (organization or volunteer) has an active claim
# on it, in one fixed statement (core.db.fixed_query).
HOLDING_SQL = (
    "SELECT SUM(amount), SUM(CASE WHEN status = %s AND {holder}_id = %s THEN 1 ELSE 0 END) "
    "FROM claims_claim WHERE need_id = %s AND status IN (%s, %s)"
)


def lock_need_for_claim(need: Need) -> Need:
    """A copy of ``need`` locked ``FOR UPDATE``, with ``CLAIM_LOCK_FIELDS`` read under the
    lock (one fixed statement). Raises ``Need.DoesNotExist`` when the need is gone."""
    row = row_get(Need, need.pk, CLAIM_LOCK_FIELDS, lock=True)
    if row is None:
        raise Need.DoesNotExist
    locked = copy.copy(need)
    locked.__dict__.update(row)
    return locked


def holding_and_mine(need: Need, *, organization: Organization | None, volunteer: Volunteer | None):
    """(the need's holding sum, whether the holder already has an active claim on it)."""
    if organization is not None:
        holder, holder_id = "organization", organization.pk
    else:
        holder, holder_id = "volunteer", volunteer.pk
    ((held, mine),) = fixed_query(
        HOLDING_SQL.format(holder=holder),
        [ClaimStatus.ACTIVE.value, holder_id, need.pk, *(status.value for status in HOLDING_CLAIM_STATUSES)],
    )
    return convert_value(Claim, "amount", held) or Decimal(0), bool(mine)


def lock_need(need_id: int) -> Need:
    return Need.objects.select_for_update().get(pk=need_id)


def lock_claim(claim_id: int) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim_id)


def claim_status_label(status: str) -> str:
    return str(CLAIM_STATUS_LABELS.get(status, status))


def holder_phrase(claim: Claim) -> Phrase | str:
    """How the public sees a claim's holder: the organization's name, or "volunteer" and a masked
    name (a phrase, worded in the reader's language)."""
    if claim.organization_id:
        return claim.organization.name
    return Phrase(gettext_noop("Volunteer %(name)s"), name=claim.volunteer.masked_name)


def holder_label(claim: Claim) -> str:
    """``holder_phrase`` in the active language."""
    return str(holder_phrase(claim))


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


def claim_actions_url(claim: Claim) -> str:
    """Where the holder finds what to do next on ``claim``: its card in 我的认领 (report the
    delivery, renew, withdraw, answer a transfer)."""
    return f"{my_claims_url()}#claim-{claim.pk}"


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
    ``volunteer`` (their own profile; service needs counted in hours only). An amount that
    ``need`` as the caller read it refuses (not open, more than was open) is refused without a
    lock; otherwise the need row is locked, the claimed sum re-read and the need's status moved;
    the claim holds a lease of ``CLAIM_LEASE_DAYS``. A feedback event (the outbox row) and a
    transition row are written in the same transaction; the notifications to the claimant and
    the county's caseworkers (``claim_announce``) and the event's delivery follow as tasks once
    it has committed.

    Raises ``ValidationError`` (``amount``, ``note``) for bad input and ``ClaimRefused``:
    ``not_eligible``/``not_verified`` (403); ``not_open``, ``already_claimed``,
    ``over_remaining`` (409).
    """
    amount = clean_amount(amount)
    note = clean_note(note, field="note")
    _check_may_claim(actor, need, organization, volunteer)
    # The need as the caller read it in this request was the need at that moment: a claim it
    # refuses is refused at that moment, with no lock taken (half the claims under a rush).
    _check_open_for(need, amount, held=need.claimed_amount)
    try:
        with transaction.atomic():
            locked = lock_need_for_claim(need)
            if locked.status not in OPEN_FOR_CLAIMS:
                raise ClaimRefused("not_open")
            held, mine = holding_and_mine(locked, organization=organization, volunteer=volunteer)
            if mine:
                raise ClaimRefused("already_claimed")
            _check_open_for(locked, amount, held=held)
            claim = Claim(
                need=locked,
                organization=organization,
                volunteer=volunteer,
                claimant=actor,
                amount=amount,
                note=note,
                lease_expires_at=timezone.now() + lease_period(),
                announce_pending=True,
            )
            row_insert(claim)
            claim_record_made(claim=claim, actor=actor, note=note)
            settle_need(
                locked,
                actor=actor,
                note=_("Claim by %(holder)s.") % {"holder": holder_label(claim)},
                claimed=held + amount,
            )
            feedback_emit(
                need=locked,
                kind="claim",
                payload=feedback_payload(claim, locked, lease_expires_at=claim.lease_expires_at.isoformat()),
            )
            # The claimant's warning reads the alert this writes, so it stays in the transaction.
            claim_made.call(need=locked, claim=claim)
            # robust: a broker that is down does not undo the claim; the sweep announces it.
            transaction.on_commit(lambda: _enqueue_announcement(claim), robust=True)
    except IntegrityError as exc:
        raise refusal_for_integrity_error(exc) from exc
    need.status, need.claimed_amount = locked.status, locked.claimed_amount
    return claim


def _check_open_for(need: Need, amount: Decimal, *, held: Decimal) -> None:
    """Refuse ``amount`` on ``need`` when the need takes no claims or ``held`` leaves less open."""
    if need.status not in OPEN_FOR_CLAIMS:
        raise ClaimRefused("not_open")
    remaining = need.target_amount - held
    if amount > remaining:
        raise ClaimRefused(
            "over_remaining",
            _("Only %(remaining)s is still open on this need; claim no more than that.")
            % {"remaining": format_need_amount(need, max(remaining, Decimal(0)))},
        )


def _enqueue_announcement(claim: Claim) -> None:
    from marketplace.claims.tasks import announce_claim

    # In-process (no broker), the claim, its need and its holder are still in memory.
    enqueue(announce_claim, claim.pk, in_process=lambda: claim_announce(claim=claim))


def claim_announce(*, claim_id: int | None = None, claim: Claim | None = None) -> bool:
    """Tell the claimant and the need's caseworkers of a new claim, once; return whether it did.

    Runs after the claim committed (the task ``claims.announce_claim``, with ``claim_id``; or,
    with no broker, in the request, with the ``claim`` it made and its need as they were once
    committed), so the claim request holds the need's lock only for what the invariant needs.
    The claim's ``announce_pending`` flag is the outbox: cleared by the statement that writes
    the notifications, which writes nothing once it is clear (``core.db.rows_insert``), so two
    workers, or a run twice, tell no one twice. The messages are in the portal's default
    language, as every background one.
    """
    if claim is None:
        claim = _claim_to_announce(claim_id)
        if claim is None:
            return False
    with translation.override(settings.LANGUAGE_CODE):
        _notify_claimed(claim, claim.need)
    return not claim.announce_pending


# What the announcement names besides the claim and its need: the holder's public name.
HOLDER_NAMES = {Organization: ("id", "name"), Volunteer: ("id", "masked_name")}


def _claim_to_announce(claim_id: int) -> Claim | None:
    """The claim ``claim_id`` if its announcement is pending, with its need, its claimant and
    its holder's public name: one fixed statement (``core.db``), as each claim asks it once."""
    alias = router.db_for_write(Claim)
    rows = fixed_query(_announce_sql(alias), [claim_id, True], using=alias)
    if not rows:
        return None
    row, models = list(rows[0]), [(Claim, None), (Need, None), (User, None), *HOLDER_NAMES.items()]
    found = []
    for model, fields in models:
        width = len(fields) if fields else len(model._meta.concrete_fields)
        values, row = row[:width], row[width:]
        found.append(None if values[0] is None else instance_from(model, values, fields=fields, using=alias))
    claim, need, claimant, organization, volunteer = found
    claim.need, claim.claimant, claim.organization, claim.volunteer = need, claimant, organization, volunteer
    return claim


@lru_cache(maxsize=4)
def _announce_sql(alias: str) -> str:
    connection = connections[alias]
    qn = connection.ops.quote_name
    claim, need, user, organization, volunteer = (
        qn(model._meta.db_table) for model in (Claim, Need, User, Organization, Volunteer)
    )
    select = ", ".join(
        [
            select_list(Claim, "c", using=alias),
            select_list(Need, "n", using=alias),
            select_list(User, "u", using=alias),
            select_list(Organization, "o", fields=HOLDER_NAMES[Organization], using=alias),
            select_list(Volunteer, "v", fields=HOLDER_NAMES[Volunteer], using=alias),
        ]
    )
    return (
        f"SELECT {select} FROM {claim} c JOIN {need} n ON n.id = c.need_id "  # noqa: S608 - names from the models' meta, values bound
        f"JOIN {user} u ON u.id = c.claimant_id LEFT JOIN {organization} o ON o.id = c.organization_id "
        f"LEFT JOIN {volunteer} v ON v.id = c.volunteer_id WHERE c.id = %s AND c.announce_pending = %s"
    )


def claims_announce_pending(*, send, older_than: timedelta = ANNOUNCE_SWEEP_AFTER, limit: int = 500) -> int:
    """Hand ``send`` the claims whose announcement is still pending ``older_than`` after they
    were made (a lost message, a broker that was down); return how many (beat, every minute)."""
    due = timezone.now() - older_than
    pending = list(
        Claim.objects.filter(announce_pending=True, created_at__lte=due)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for claim_id in pending:
        send(claim_id)
    return len(pending)


def _notify_claimed(claim: Claim, need: Need) -> None:
    values = {"code": need.code, "amount": Amount.of(need, claim.amount), "holder": holder_phrase(claim)}
    claimant = Message(
        users=[claim.claimant],
        subject=Phrase(gettext_noop("You claimed %(amount)s of need %(code)s"), **values),
        body=[
            Phrase(
                gettext_noop(
                    "Your claim holds until %(lease)s. Renew it before then, or the amount is released "
                    "for others."
                ),
                lease=Moment(claim.lease_expires_at),
            ),
            Phrase(
                gettext_noop(
                    "Once you have delivered, report the delivery with photos from this claim in My claims."
                )
            ),
        ],
        url=claim_actions_url(claim),
    )
    caseworkers = Message(
        users=caseworkers_for(need.region_id),
        subject=Phrase(gettext_noop("%(holder)s claimed %(amount)s of need %(code)s"), **values),
        body=Phrase(
            gettext_noop("Still open on the need: %(remaining)s."),
            remaining=Amount.of(need, need.remaining_amount),
        ),
        url=need_url(need),
    )
    # One statement for both, which clears the flag: written once.
    notify_each([claimant, caseworkers], clearing=Pending(claim, "announce_pending"))


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
        claim_set_status(
            claim=locked,
            to_status=ClaimStatus.ACTIVE,
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
        claim_release(locked, need, to_status=ClaimStatus.WITHDRAWN, actor=actor, note=reason)
        values = {
            "code": need.code,
            "amount": Amount.of(need, locked.amount),
            "holder": holder_phrase(locked),
        }
        notify(
            users=caseworkers_for(need.region_id),
            subject=Phrase(
                gettext_noop("%(holder)s withdrew its claim of %(amount)s on need %(code)s"), **values
            ),
            body=Phrase(gettext_noop("Reason: %(reason)s"), reason=reason),
            url=need_url(need),
        )
        if locked.claimant_id != actor.pk:
            notify(
                users=[locked.claimant],
                subject=Phrase(gettext_noop("Your claim on need %(code)s was withdrawn"), code=need.code),
                body=Phrase(gettext_noop("Reason: %(reason)s"), reason=reason),
                url=my_claims_url(),
            )
    return locked


def claim_release(claim: Claim, need: Need, *, to_status: str, actor, note: str) -> None:
    """End a locked active claim (withdrawn or expired): its amount is open again, its open
    transfer requests are cancelled, and the platform hears of it."""
    claim_set_status(claim=claim, to_status=to_status, actor=actor, note=note)
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
        transfer_set_status(transfer=request, to_status=TransferStatus.CANCELLED, actor=None, note=note)
        notify(
            users=[request.requester],
            subject=Phrase(
                gettext_noop("Your transfer request on need %(code)s was cancelled"), code=claim.need.code
            ),
            body=note,
            url=my_claims_url(),
        )
