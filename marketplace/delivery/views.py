"""Pages of delivery: the claimant's delivery report, and the permission-checked evidence files."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from core.evidence import MAX_FILES, max_evidence_bytes
from core.formatting import format_need_amount
from core.forms import MultipleFileField
from marketplace.claims.models import Claim
from marketplace.claims.next_actions import NextStep
from marketplace.delivery.models import DeliveryStatus, Evidence
from marketplace.delivery.selectors import (
    claim_deliveries,
    claim_for_reporter,
    claims_delivery_sums,
    evidence_for_user,
)
from marketplace.delivery.services.chain import duplicate_aid_warning
from marketplace.delivery.services.reports import (
    MAX_DESCRIPTION,
    DeliveryConflict,
    claim_delivered_amounts,
    delivery_report,
)
from marketplace.needs.forms import AmountField
from marketplace.organizations.models import OrganizationStatus
from privacy.access import record_read
from privacy.models import SensitiveKind


class DeliveryReportForm(forms.Form):
    amount = AmountField(
        label=gettext_lazy("Amount delivered"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0.01"}),
    )
    delivered_on = forms.DateField(
        label=gettext_lazy("Delivered on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    description = forms.CharField(
        label=gettext_lazy("What was delivered"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "For example: what was handed over or which services were given, and how. "
            "Leave out names, ID numbers and phone numbers."
        ),
    )
    files = MultipleFileField(label=gettext_lazy("Evidence"), required=False)


@never_cache
@login_required
def claim_deliver(request, pk: int):
    try:
        claim = claim_for_reporter(user=request.user, pk=pk)
    except Claim.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        form = DeliveryReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                delivery_report(
                    claim=claim,
                    actor=request.user,
                    amount=data["amount"],
                    delivered_on=data["delivered_on"],
                    description=data["description"],
                    files=data["files"],
                )
            except ValidationError as refused:
                form.add_error(None, refused)
            except (DeliveryConflict, PermissionDenied) as refused:
                # Caught here, not by ``core.errors.redirect_on_refusal``: the report form is
                # shown again, with what was typed, and the refusal above it.
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request, _("Your delivery report was sent. The caseworker will check it and verify it.")
                )
                return redirect("delivery:deliver", pk=claim.pk)
    else:
        form = DeliveryReportForm(initial={"delivered_on": timezone.localdate()})
    reported, verified = claim_delivered_amounts(claim)
    undelivered = max(claim.amount - reported - verified, Decimal("0.00"))
    return render(
        request,
        "delivery/deliver.html",
        {
            "claim": claim,
            "need": claim.need,
            "form": form,
            "reported": reported,
            "verified": verified,
            "undelivered": undelivered,
            "can_report": claim.status == "active" and undelivered > 0,
            "deliveries": claim_deliveries(claim=claim),
            "warning": duplicate_aid_warning(need=claim.need),
            "max_files": MAX_FILES,
            "max_mb": f"{max_evidence_bytes() / (1024 * 1024):g}",
        },
    )


def claims_delivery_steps(*, user, claims) -> dict[int, NextStep]:
    """Delivery's next step on each active claim its holder looks at (``claims.hooks.claim_next_steps``,
    connected in ``apps``; the claims app passes only claims ``user`` holds).

    The link to report a delivery is offered only where ``delivery_report`` would take one: some
    of the claim is left to report and its organization is verified. A report waiting for
    verification, a verified part or a disputed report is said in words, with the link to the
    reports where there is one to see.
    """
    sums = claims_delivery_sums(claims=claims)
    steps = {}
    for claim in claims:
        totals = sums.get(claim.pk, {})
        reported = totals.get(DeliveryStatus.REPORTED, Decimal("0.00"))
        verified = totals.get(DeliveryStatus.VERIFIED, Decimal("0.00"))
        left = claim.amount - reported - verified
        may_report = left > 0 and (
            not claim.organization_id or claim.organization.status == OrganizationStatus.VERIFIED
        )
        state = []
        if verified:
            state.append(
                _("%(amount)s verified as delivered.") % {"amount": format_need_amount(claim.need, verified)}
            )
        if reported:
            state.append(
                _("A delivery of %(amount)s is reported and waits for the caseworker's verification.")
                % {"amount": format_need_amount(claim.need, reported)}
            )
        elif DeliveryStatus.DISPUTED in totals and may_report:
            state.append(_("The caseworker disputed the delivery report: read the note and report it again."))
        if may_report:
            label = _("Report a delivery")
        elif totals:
            label = _("See the delivery reports")
        else:
            label = ""
        url = reverse("delivery:deliver", args=[claim.pk]) if label else ""
        if state or url:
            steps[claim.pk] = NextStep(state=" ".join(state), url=url, label=label)
    return steps


@never_cache
@login_required
def evidence_download(request, pk: int):
    """One evidence file, to the claimant's side and the need's caseworkers only (else 404).

    Images are shown inline; PDFs are always downloaded (they are not rewritten, see
    ``core.evidence``). ``nosniff`` and a sandboxing CSP keep the browser from treating
    the bytes as anything but what the content check found.
    """
    try:
        evidence = evidence_for_user(user=request.user, pk=pk)
    except Evidence.DoesNotExist:
        raise Http404 from None
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record_read(request, kind=SensitiveKind.EVIDENCE, reference=f"evidence {evidence.pk}")
    is_pdf = evidence.content_type == "application/pdf"
    response = FileResponse(
        handle,
        content_type=evidence.content_type,
        as_attachment=is_pdf,
        filename=f"evidence-{evidence.pk}.{evidence.extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
