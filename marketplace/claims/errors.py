"""The refusals of claims and transfers, each a ``core.errors.DomainError``.

``ClaimRefused`` is a rule saying no to what someone asked (its ``code`` names the rule);
``ClaimTransitionRefused`` and ``TransferTransitionRefused`` are a move the status tables
(``models.CLAIM_TRANSITIONS``, ``models.TRANSFER_TRANSITIONS``) do not allow: the services check
the rule first with a friendlier refusal, so these are the table's second line.
"""

from __future__ import annotations

from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from marketplace.claims.models import CLAIM_STATUS_LABELS, TransferStatus


class ClaimRefused(DomainError):
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
        super().__init__(message or self.MESSAGES.get(code, code), code=code)

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


class ClaimTransitionRefused(DomainError):
    """A move of a claim that ``CLAIM_TRANSITIONS`` does not allow (HTTP 409)."""

    code = "illegal_claim_transition"

    def __init__(self, from_status: str, to_status: str):
        self.from_status, self.to_status = from_status, to_status
        super().__init__(
            _("A claim cannot go from “%(from)s” to “%(to)s”.")
            % {"from": CLAIM_STATUS_LABELS[from_status], "to": CLAIM_STATUS_LABELS[to_status]}
        )


class TransferTransitionRefused(DomainError):
    """A move of a transfer request that ``TRANSFER_TRANSITIONS`` does not allow (HTTP 409)."""

    code = "illegal_transfer_transition"

    def __init__(self, from_status: str, to_status: str):
        self.from_status, self.to_status = from_status, to_status
        super().__init__(
            _("A transfer request cannot go from “%(from)s” to “%(to)s”.")
            % {"from": TransferStatus(from_status).label, "to": TransferStatus(to_status).label}
        )
