"""The need's status pipeline: one table of moves, one service that performs each move."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
