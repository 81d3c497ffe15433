"""The need's status pipeline: one table of moves, one service that performs each move."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from core.errors import DomainError
from marketplace.needs.models import Need, NeedStatus, NeedTransition, SourceSystem

TRANSITIONS: dict[str, frozenset[str]] = {
    NeedStatus.PENDING_REVIEW: frozenset(
        {NeedStatus.PUBLISHED, NeedStatus.REJECTED, NeedStatus.WITHDRAWN, NeedStatus.EXPIRED}
    ),
    NeedStatus.PUBLISHED: frozenset(
        {
            NeedStatus.PENDING_REVIEW,
            NeedStatus.PARTIALLY_CLAIMED,
            NeedStatus.CLAIMED,
            NeedStatus.WITHDRAWN,
            NeedStatus.EXPIRED,
        }
    ),
    NeedStatus.PARTIALLY_CLAIMED: frozenset(
        {
            NeedStatus.PUBLISHED,
            NeedStatus.CLAIMED,
            NeedStatus.FULFILLED,
            NeedStatus.WITHDRAWN,
            NeedStatus.EXPIRED,
        }
    ),
    NeedStatus.CLAIMED: frozenset(
        {NeedStatus.PUBLISHED, NeedStatus.PARTIALLY_CLAIMED, NeedStatus.FULFILLED, NeedStatus.WITHDRAWN}
    ),
    NeedStatus.FULFILLED: frozenset({NeedStatus.CLOSED}),
    NeedStatus.CLOSED: frozenset(),
    NeedStatus.REJECTED: frozenset(),
    NeedStatus.WITHDRAWN: frozenset(),
    NeedStatus.EXPIRED: frozenset(),
}


class NeedTransitionRefused(DomainError):
    """A move of a need that ``TRANSITIONS`` does not allow (HTTP 409)."""

    code = "illegal_need_transition"

    def __init__(self, from_status: str, to_status: str):
        self.from_status, self.to_status = from_status, to_status
        super().__init__(
            _("A need cannot go from “%(from)s” to “%(to)s”.")
            % {"from": NeedStatus(from_status).label, "to": NeedStatus(to_status).label}
        )


def check_transition(from_status: str, to_status: str) -> None:
    """Raise ``NeedTransitionRefused`` unless the table allows the move."""
    if to_status not in TRANSITIONS[from_status]:
        raise NeedTransitionRefused(from_status, to_status)


def apply_status(
    need: Need, to_status: str, *, actor=None, source_system: SourceSystem | None = None, note: str = ""
) -> NeedTransition:
    """Change ``need.status`` in memory and return the unsaved transition row.

    For callers that save in bulk (intake); the caller holds the locks. Raises
    ``NeedTransitionRefused``.
    """
    check_transition(need.status, to_status)
    transition = NeedTransition(
        need=need,
        from_status=need.status,
        to_status=to_status,
        actor=actor,
        source_system=source_system,
        note=note,
    )
    need.status = to_status
    if to_status != NeedStatus.PENDING_REVIEW:
        need.awaiting_cohort = False
        need.hold_reasons = []
    if to_status == NeedStatus.PUBLISHED:
        need.published_at = timezone.now()
    return transition


@transaction.atomic
def need_set_status(
    *, need: Need, to_status: str, actor=None, source_system: SourceSystem | None = None, note: str = ""
) -> Need:
    """Move one need to ``to_status`` under a row lock, recording the transition.

    Raises ``NeedTransitionRefused`` when the table does not allow the move.
    """
    locked = Need.objects.select_for_update().get(pk=need.pk)
    transition = apply_status(locked, to_status, actor=actor, source_system=source_system, note=note)
    locked.save()
    transition.save()
    return locked


def need_withdraw(
    *, need: Need, actor=None, source_system: SourceSystem | None = None, note: str = ""
) -> Need:
    """Withdraw a need (the source system or a caseworker); withdrawing twice changes nothing.

    Raises ``NeedTransitionRefused`` for a need that is already closed otherwise (rejected, expired).
    """
    if need.status == NeedStatus.WITHDRAWN:
        return need
    return need_set_status(
        need=need, to_status=NeedStatus.WITHDRAWN, actor=actor, source_system=source_system, note=note
    )


# --- spreadsheet imports (表格导入) ------------------------------------------------------------

SPREADSHEET_SOURCE_PREFIX = "表格导入·"


def spreadsheet_source_system(*, user) -> SourceSystem:
    """The source system a user's spreadsheet imports go through, created on first use.

    One per region (the user's scope; the province for an administrator without one), named
    ``表格导入·<region> (<code>)``; its API key is discarded, since nothing pushes with it.
    Raises ``PermissionDenied`` for a user who is not a caseworker there, or when an
    administrator has switched the region's imports off (the system is inactive).
    """
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import IntegrityError

    from accounts.models import Department
    from accounts.roles import Role
    from accounts.scoping import user_may_act
    from marketplace.needs.services.sources import source_system_create
    from regions.models import Region

    region = user.region if getattr(user, "region_id", None) else Region.objects.get(code="420000")
    if not user_may_act(user, region_code=region.code, roles=[Role.CASEWORKER]):
        raise PermissionDenied(_("Only caseworkers may import needs."))
    name = f"{SPREADSHEET_SOURCE_PREFIX}{region.name}（{region.code}）"
    system = SourceSystem.objects.filter(name=name).first()
    if system is None:
        try:
            with transaction.atomic():
                system, _key = source_system_create(
                    name=name, department=Department.CIVIL_AFFAIRS, region_code=region.code
                )
        except (ValidationError, IntegrityError):  # created meanwhile by a concurrent first import
            system = SourceSystem.objects.get(name=name)
    if not system.is_active:
        raise PermissionDenied(_("Spreadsheet imports for this region are switched off."))
    return system


@sensitive_variables()
def needs_import(*, user, records: list, dry_run: bool, today=None) -> list:
    """Import spreadsheet rows (intake records) through intake, as ``user``.

    With ``dry_run`` the very same intake runs inside a transaction that is rolled back, so the
    preview validates exactly as the import will (duplicates and versions included) and writes
    nothing. Returns intake's ``RecordResult`` list, one per record, in order; the transitions
    of an import record ``user`` as their actor. Raises ``PermissionDenied`` like
    ``spreadsheet_source_system``.
    """
    from marketplace.needs.services.intake import needs_intake

    system = spreadsheet_source_system(user=user)
    with transaction.atomic():
        before = NeedTransition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        results = needs_intake(source_system=system, records=records, today=today)
        if dry_run:
            transaction.set_rollback(True)
        else:
            codes = [result.need_code for result in results if result.need_code]
            NeedTransition.objects.filter(
                pk__gt=before, source_system=system, actor__isnull=True, need__code__in=codes
            ).update(actor=user)
    return results
