"""The assistance chain (一户一条救助链) and duplicate-aid alerts (避免重复救助).

Every verified delivery is an ``AssistanceRecord`` on the household token, so the staff of the
need's region see everything the household got, from whom and when — by token and need code,
never identity. A department handler sees only what the needs of their own department got.

Duplicate aid: when a new need or claim would give a household the same type of help within
``DUPLICATE_AID_WINDOW_DAYS`` (90 by default) beyond what was asked, ``check_duplicate_aid``
alerts the region's caseworkers and ``duplicate_aid_warning`` gives the claimant a warning
that names no one. The rule, for a need N of household H and type T, in N's kind of amount
(money, goods or hours are never added together):

    aid elsewhere  = claims held (active or completed) on H's other needs of type T made within
                     the window, plus verified deliveries within the window on H's other needs
                     of type T that no such claim already counts (claims released after a
                     partial delivery);
    aid here       = the claims held on N, the new claim included;
    alert when       aid elsewhere + aid here > N's requested amount (and aid elsewhere > 0).

Where the calls belong (wired by the lead): ``check_duplicate_aid(need=need, claim=claim)``
inside the claim's transaction right after the claim is saved (claims service), and
``check_duplicate_aid(need=need)`` after intake creates or publishes a need; the claim's
success response and page show ``duplicate_aid_warning(need=need)`` when it is not None.

The reads (selectors) of this area are in this module too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.notifications import notify
from accounts.permissions import CHAIN_ROLES, is_need_caseworker
from accounts.roles import Role
from accounts.scoping import scope_queryset
from accounts.selectors import caseworkers_for
from core.db import convert_value, fixed_query
from core.phrases import Amount, Phrase
from marketplace.claims.models import HOLDING_CLAIM_STATUSES, Claim, ClaimStatus
from marketplace.delivery.models import AssistanceRecord, DuplicateAidAlert
from marketplace.needs.models import Need

ZERO = Decimal("0.00")


def window_days() -> int:
    return getattr(settings, "DUPLICATE_AID_WINDOW_DAYS", 90)


# --- the chain ------------------------------------------------------------------------------


# Scoped by region and, for department handlers, by the need's department (accounts.scoping):
# a handler of 教育 sees the household's education needs, not what 卫健 or 民政 gave it.


def household_chain(*, user, household_token: str) -> QuerySet[AssistanceRecord]:
    """The household's assistance records the user may see (staff of each need's region, and
    department handlers only on their department's needs).

    Newest delivery first. Empty for an empty token and for users without a staff role there.
    """
    if not household_token:
        return AssistanceRecord.objects.none()
    records = AssistanceRecord.objects.filter(household_token=household_token).select_related(
        "need__region", "delivery__claim"
    )
    return scope_queryset(
        records,
        user,
        roles=CHAIN_ROLES,
        region_field="need__region__code",
        department_field="need__department",
    ).order_by("-delivered_on", "-pk")


def household_needs(*, user, household_token: str) -> QuerySet[Need]:
    """The household's needs in the user's scope, newest first (codes and figures only)."""
    if not household_token:
        return Need.objects.none()
    needs = Need.objects.filter(household_token=household_token).select_related("region")
    return scope_queryset(needs, user, roles=CHAIN_ROLES, department_field="department").order_by(
        "-created_at", "-pk"
    )


def chain_need(*, user, code: str) -> Need:
    """The need whose household's chain the user opens; ``Need.DoesNotExist`` outside the
    user's region or, for a department handler, outside their department."""
    needs = scope_queryset(
        Need.objects.select_related("region"), user, roles=CHAIN_ROLES, department_field="department"
    )
    return needs.get(code=code)


# --- duplicate aid --------------------------------------------------------------------------


@dataclass(frozen=True)
class AidElsewhere:
    """What a household got or was promised on its other needs of one type in the window."""

    total: Decimal
    lines: list[Phrase]


# Whether a need has an open duplicate-aid alert (after every claim: a fixed statement).
OPEN_ALERT_SQL = "SELECT 1 FROM delivery_duplicateaidalert WHERE need_id = %s AND resolved_at IS NULL LIMIT 1"
# The module docstring's rule as one statement: (claims held on the household's other needs of
# the type and kind made within the window, verified deliveries on those needs that no such
# claim counts, the need's holding claims, whether ``claim`` is among them). Fixed text, every
# value a parameter; run by ``core.db.fixed_query`` in every claim. The household's needs drive
# the first sum and each need's claims are found by its key alone (the window and the statuses
# are the aggregate's FILTER, which no index serves): written as a join, or with those
# conditions in WHERE, the planner read every claim when its statistics still said the table was
# small (autovacuum off or not yet round after a burst): 4 ms a claim at 2,000 claims.
AID_TOTALS_SQL = """
SELECT
  (SELECT COALESCE(SUM((SELECT SUM(c.amount) FILTER (WHERE c.status IN (%s, %s) AND c.created_at >= %s)
      FROM claims_claim c WHERE c.need_id = n.id)), 0)
    FROM needs_need n
    WHERE n.household_token = %s AND n.need_type = %s AND n.amount_kind = %s AND n.id <> %s),
  (SELECT COALESCE(SUM(r.amount), 0) FROM delivery_assistancerecord r
    INNER JOIN delivery_delivery d ON d.id = r.delivery_id
    WHERE r.household_token = %s AND r.need_type = %s AND r.amount_kind = %s AND r.delivered_on >= %s
      AND r.need_id <> %s
      AND NOT EXISTS (
        SELECT 1 FROM claims_claim c2 INNER JOIN needs_need n2 ON n2.id = c2.need_id
        WHERE n2.household_token = %s AND n2.need_type = %s AND n2.amount_kind = %s AND n2.id <> %s
          AND c2.status IN (%s, %s) AND c2.created_at >= %s AND c2.id = d.claim_id)),
  (SELECT COALESCE(SUM(amount), 0) FROM claims_claim WHERE need_id = %s AND status IN (%s, %s)),
  (SELECT COUNT(*) FROM claims_claim WHERE need_id = %s AND status IN (%s, %s) AND id = %s)
"""


def _aid_totals(need: Need, claim: Claim | None, *, today: date, days: int) -> tuple[Decimal, Decimal]:
    """(aid elsewhere, aid here) by the module docstring's rule, in one statement."""
    ops = connection.ops
    holding = [status.value for status in HOLDING_CLAIM_STATUSES]
    household = [need.household_token, need.need_type, need.amount_kind, need.pk]
    held_since = [*holding, ops.adapt_datetimefield_value(timezone.now() - timedelta(days=days))]
    since = ops.adapt_datefield_value(today - timedelta(days=days))
    records_of = [need.household_token, need.need_type, need.amount_kind, since, need.pk]
    here_of = [need.pk, *holding]
    ((claims, records, holding_here, counted),) = fixed_query(
        AID_TOTALS_SQL,
        [
            *held_since,
            *household,
            *records_of,
            *household,
            *held_since,
            *here_of,
            *here_of,
            claim.pk if claim is not None else None,
        ],
    )
    here = convert_value(Claim, "amount", holding_here) or ZERO
    if claim is not None and not counted:
        here += claim.amount
    elsewhere = (convert_value(Claim, "amount", claims) or ZERO) + (
        convert_value(AssistanceRecord, "amount", records) or ZERO
    )
    return elsewhere, here


def _aid_elsewhere(need: Need, *, today: date, days: int) -> AidElsewhere:
    since = today - timedelta(days=days)
    start = timezone.now() - timedelta(days=days)
    others = Q(household_token=need.household_token, need_type=need.need_type, amount_kind=need.amount_kind)
    other_needs = Need.objects.filter(others).exclude(pk=need.pk)
    claims = list(
        Claim.objects.filter(
            need__in=other_needs, status__in=HOLDING_CLAIM_STATUSES, created_at__gte=start
        ).select_related("need", "organization", "volunteer")
    )
    counted = {claim.pk for claim in claims}
    records = [
        record
        for record in AssistanceRecord.objects.filter(
            household_token=need.household_token,
            need_type=need.need_type,
            amount_kind=need.amount_kind,
            delivered_on__gte=since,
        )
        .exclude(need=need)
        .select_related("need", "delivery")
        if record.delivery.claim_id not in counted
    ]
    lines = [
        Phrase(
            gettext_noop("Need %(code)s: claim of %(amount)s by %(provider)s (%(status)s), %(date)s"),
            code=claim.need.code,
            amount=Amount.of(claim.need, claim.amount),
            provider=claim.holder_name,
            status=Phrase.of_label(ClaimStatus(claim.status).label),
            date=timezone.localdate(claim.created_at).isoformat(),
        )
        for claim in claims
    ] + [
        Phrase(
            gettext_noop("Need %(code)s: %(amount)s delivered by %(provider)s, verified, %(date)s"),
            code=record.need.code,
            amount=Amount.of(record.need, record.amount),
            provider=record.provider,
            date=record.delivered_on.isoformat(),
        )
        for record in records
    ]
    total = sum((claim.amount for claim in claims), ZERO) + sum((record.amount for record in records), ZERO)
    return AidElsewhere(total=total, lines=lines)


def check_duplicate_aid(
    *, need: Need, claim: Claim | None = None, today: date | None = None
) -> DuplicateAidAlert | None:
    """Alert the region's caseworkers when ``need`` (with ``claim``) would give duplicate aid.

    Returns the alert, or None when the household's aid stays within what was asked (see the
    module's docstring for the rule). An open alert for the same need and claim is returned
    again instead of a second one. Raises nothing of its own.
    """
    if not need.household_token:
        return None
    days = window_days()
    today = today or timezone.localdate()
    # The rule's sums in one fixed statement; what the alert says is read only for an alert.
    elsewhere_total, here = _aid_totals(need, claim, today=today, days=days)
    if elsewhere_total <= 0 or elsewhere_total + here <= need.requested_amount:
        return None
    elsewhere = _aid_elsewhere(need, today=today, days=days)
    with transaction.atomic():
        existing = DuplicateAidAlert.objects.filter(need=need, claim=claim, resolved_at__isnull=True).first()
        if existing is not None:
            return existing
        parts = [
            Phrase(
                gettext_noop(
                    "Within %(days)d days the household had or was promised %(elsewhere)s of the same "
                    "type on other needs; this need asks for %(requested)s and its claims give %(here)s."
                ),
                days=days,
                elsewhere=elsewhere.total,
                requested=need.requested_amount,
                here=here,
            ),
            *elsewhere.lines,
        ]
        # The alert's record is kept in the portal's language; the notification in the reader's.
        with translation.override(settings.LANGUAGE_CODE):
            detail = "\n".join(str(part) for part in parts)
        alert = DuplicateAidAlert.objects.create(
            household_token=need.household_token,
            need=need,
            claim=claim,
            need_type=need.need_type,
            window_days=days,
            detail=detail,
        )
        notify(
            users=caseworkers_for(need.region_id),
            subject=Phrase(gettext_noop("Possible duplicate aid on need %(code)s"), code=need.code),
            body=parts,
            url=reverse("delivery_duplicates:index"),
        )
    return alert


def duplicate_aid_warning(*, need: Need) -> str | None:
    """The claimant's warning while an alert on ``need`` is open; it names no one."""
    if not fixed_query(OPEN_ALERT_SQL, [need.pk]):
        return None
    return _(
        "This household has received the same kind of help in the last %(days)d days. "
        "Please check with the caseworker before delivering."
    ) % {"days": window_days()}


def duplicate_alerts(*, user, resolved: bool = False) -> QuerySet[DuplicateAidAlert]:
    """Alerts on needs in the caseworker's scope: open ones (or resolved ones), newest first."""
    alerts = DuplicateAidAlert.objects.filter(resolved_at__isnull=not resolved).select_related(
        "need__region", "claim__organization", "claim__volunteer", "resolved_by"
    )
    return scope_queryset(alerts, user, roles=[Role.CASEWORKER], region_field="need__region__code").order_by(
        "-created_at", "-pk"
    )


def duplicate_alert_resolve(*, alert: DuplicateAidAlert, actor) -> DuplicateAidAlert:
    """A caseworker of the need's region marks the alert as dealt with; twice changes nothing.

    Raises ``PermissionDenied`` for anyone else.
    """
    if not is_need_caseworker(actor, alert.need):
        raise PermissionDenied(_("Only a caseworker of the need's region may resolve this alert."))
    with transaction.atomic():
        locked = DuplicateAidAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.resolved_at is None:
            locked.resolved_by = actor
            locked.resolved_at = timezone.now()
            locked.save(update_fields=["resolved_by", "resolved_at"])
    return locked


def check_duplicate_aid_of_intake(*, needs: list[Need], today: date) -> None:
    """Run the duplicate-aid check for the needs of an intake batch whose household already had
    help of the same type in the window: two queries for the batch, the full check only for
    those (``needs.hooks.needs_received``, connected in ``apps``)."""
    if not needs:
        return
    since = today - timedelta(days=window_days())
    tokens = {need.household_token for need in needs}
    seen = set(
        AssistanceRecord.objects.filter(household_token__in=tokens, delivered_on__gte=since).values_list(
            "household_token", "need_type"
        )
    )
    seen |= set(
        Claim.objects.filter(
            need__household_token__in=tokens, status__in=HOLDING_CLAIM_STATUSES, created_at__date__gte=since
        ).values_list("need__household_token", "need__need_type")
    )
    for need in needs:
        if (need.household_token, need.need_type) in seen:
            check_duplicate_aid(need=need, today=today)
