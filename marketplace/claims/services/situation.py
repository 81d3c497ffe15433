"""Household situation reports (家庭状况变化, seed 三(三)): the holder of a claim has been to the
household and saw its situation change, or a new difficulty.

A report is one row, a feedback event ``situation_change`` to the need's source system (the
monitoring platform re-assesses the household there) and a task for the need's caseworkers,
who mark it handled with what they did. Neither carries identity: the text is checked like
every stored note, and the event names the household only by its token.

Errors: ``PermissionDenied`` for someone who does not hold the claim (or an ended claim that
never reached the household), ``ValidationError`` per field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.notifications import notify
from accounts.permissions import is_need_caseworker, may_report_situation
from accounts.selectors import caseworkers_for
from core.phrases import Phrase
from marketplace.claims.models import (
    Claim,
    SituationChange,
    SituationReport,
    SituationReportStatus,
)
from marketplace.claims.services.claims import clean_note, holder_phrase
from marketplace.needs.services.feedback import feedback_emit


def situation_report(*, claim: Claim, actor, change: str, details: str) -> SituationReport:
    """Record what the holder saw, tell the need's caseworkers and the monitoring platform."""
    if not may_report_situation(actor, claim):
        raise PermissionDenied(_("Only the holder of this claim can report on the household."))
    if change not in SituationChange.values:
        raise ValidationError({"change": [_("Choose what changed.")]})
    details = clean_note(details, field="details", required=True)
    need = claim.need
    with transaction.atomic():
        report = SituationReport.objects.create(
            claim=claim, change=change, details=details, reported_by=actor
        )
        feedback_emit(
            need=need,
            kind="situation_change",
            payload={
                "report_id": report.pk,
                "claim_id": claim.pk,
                "household_token": need.household_token,
                "change": change,
                "details": details,
                "reported_by": claim.organization.name if claim.organization_id else "volunteer",
                "reported_at": report.reported_at.isoformat(),
            },
        )
        notify(
            users=caseworkers_for(need.region_id),
            subject=Phrase(
                gettext_noop("A claim holder reports a change in the household of need %(code)s"),
                code=need.code,
            ),
            body=Phrase(
                gettext_noop("%(holder)s reports: %(details)s"), holder=holder_phrase(claim), details=details
            ),
            url=reverse("claims_situations:detail", args=[report.pk]),
        )
    return report


def situation_handle(*, report: SituationReport, actor, outcome: str) -> SituationReport:
    """The caseworker says what was done (re-assessed, referred, no change needed) and closes it."""
    if not is_need_caseworker(actor, report.claim.need):
        raise PermissionDenied
    outcome = clean_note(outcome, field="outcome", required=True)
    with transaction.atomic():
        locked = SituationReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != SituationReportStatus.OPEN:
            raise ValidationError({"outcome": [_("This report was already handled.")]})
        locked.status = SituationReportStatus.HANDLED
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.outcome = outcome
        locked.save(update_fields=["status", "handled_by", "handled_at", "outcome"])
    return locked
