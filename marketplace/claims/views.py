"""Pages of claims: the claim panel of a need's page, its actions, and "my claims".

Views parse the form, call one service and redirect with a message; refusals are shown in the
user's language. Every action is a POST from a logged-in user; the services decide who may act.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import REPORTING_CLAIM_STATUSES, claims_held_by, may_report_situation
from core.errors import redirect_on_refusal
from core.http import safe_next
from marketplace.claims.errors import ClaimRefused
from marketplace.claims.hooks import claim_warnings
from marketplace.claims.models import (
    HOLDING_CLAIM_STATUSES,
    OPEN_TRANSFER_STATUSES,
    Claim,
    ClaimStatus,
    SituationChange,
    TransferRequest,
)
from marketplace.claims.next_actions import claims_next_actions
from marketplace.claims.selectors import (
    claims_of_user,
    claims_public_history,
    situation_reports_of_claim,
    transfers_requested_by_user,
    transfers_to_answer,
)
from marketplace.claims.services.claims import (
    MAX_NOTE,
    claim_renew,
    claim_resolve_holder,
    claim_status_label,
    claim_withdraw,
    holder_label,
    need_claim,
    when_text,
)
from marketplace.claims.services.situation import situation_report
from marketplace.claims.services.transfers import transfer_accept, transfer_decline, transfer_request
from marketplace.needs.forms import AmountField
from marketplace.needs.models import OPEN_FOR_CLAIMS, AmountKind, Need, NeedStatus
from marketplace.needs.selectors import need_public_get
from marketplace.needs.views import render_need_detail
from marketplace.organizations.models import Organization, Volunteer
from marketplace.organizations.selectors import organizations_for_claiming, volunteer_for

AS_VOLUNTEER = "volunteer"
# "My claims" flags an active claim whose lease ends within this time.
RENEW_SOON = timedelta(days=3)

# --- forms --------------------------------------------------------------------------------------


class ClaimForm(forms.Form):
    """How much to claim, and for whom when the user may claim for several."""

    amount = AmountField(label=gettext_lazy("Amount to claim"), min_value=Decimal("0.01"), decimal_places=2)
    holder = forms.ChoiceField(label=gettext_lazy("Claim for"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Note for the caseworker (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Never write the household's name, ID number, phone or address."),
    )

    def __init__(self, *args, organizations=(), volunteer: Volunteer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(organization.pk), organization.name) for organization in organizations]
        if volunteer is not None:
            choices.append(
                (AS_VOLUNTEER, _("yourself, as a volunteer (%(name)s)") % {"name": volunteer.masked_name})
            )
        self.fields["holder"].choices = choices
        self.fields["holder"].required = len(choices) > 1
        if len(choices) <= 1:
            self.fields["holder"].widget = forms.HiddenInput()
            self.initial.setdefault("holder", choices[0][0] if choices else "")
        self.show_holder = len(choices) > 1


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(forms.Form):
    claim = forms.ChoiceField(label=gettext_lazy("Claim to take over"))
    organization = forms.ChoiceField(label=gettext_lazy("For organization"))
    reason = forms.CharField(
        label=gettext_lazy("Why your organization should take it over"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- the need's page ----------------------------------------------------------------------------


def _history(need: Need) -> list[dict]:
    return [
        {
            "claim": claim,
            "holder": holder_label(claim),
            "amount": claim.amount,
            "date": claim.created_at,
            "status": claim.status,
            "status_label": claim_status_label(claim.status),
            "active": claim.status == ClaimStatus.ACTIVE,
            # Its amount no longer counts here (a transferred amount counts on the new claim).
            "released": claim.status not in HOLDING_CLAIM_STATUSES,
        }
        for claim in claims_public_history(need=need)
    ]


def _claimant_volunteer(user, need: Need) -> Volunteer | None:
    if need.need_type in Volunteer.SERVICE_NEED_TYPES and need.amount_kind == AmountKind.HOURS:
        return volunteer_for(user=user)
    return None


def _not_eligible_reason(user) -> str:
    """Why a signed-in user gets no claim form, in words that tell them what would help."""
    if volunteer_for(user=user) is not None:
        # A registered volunteer was told to register as one (issue 11): say the rule instead.
        return _(
            "Volunteers claim only service needs counted in hours (visits and care, counselling). "
            "This need is claimed by verified organizations: join one to help with it."
        )
    return _(
        "To claim, be an active member of a verified organization, or register as a volunteer for "
        "service needs."
    )


def claim_panel_context(request, need: Need, *, form: ClaimForm | None = None) -> dict:
    """What the claim panel shows: the gap and its progress, the history, and what this user may do."""
    target, claimed = need.target_amount, need.claimed_amount
    history = _history(need)
    context = {
        "target": target,
        "claimed": claimed,
        "remaining": need.remaining_amount,
        "percent": int(claimed * 100 / target) if target else 0,
        "history": history,
        "open_for_claims": need.status in OPEN_FOR_CLAIMS and need.remaining_amount > 0,
        "fulfilled": need.status in (NeedStatus.FULFILLED, NeedStatus.CLOSED),
        "next_url": f"{request.path}#claims",
        "lease_days": _lease_days(),
        "answer_hours": getattr(settings, "TRANSFER_ANSWER_HOURS", 72),
    }
    user = request.user
    if not user.is_authenticated:
        next_url = f"{reverse('needs:detail', args=[need.code])}#claims"
        context["login_url"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}"
        return context
    organizations = list(organizations_for_claiming(user=user))
    volunteer = _claimant_volunteer(user, need)
    # Who holds the active claims (their next actions) and the completed ones (the holder has
    # been to the household and may report on it): one membership read for both.
    held = claims_held_by(
        user, [row["claim"] for row in history if row["status"] in REPORTING_CLAIM_STATUSES]
    )
    actions = claims_next_actions(
        user=user, claims=[row["claim"] for row in history if row["active"]], held=held
    )
    mine = [{**row, "actions": actions[row["claim"].pk]} for row in history if row["claim"].pk in actions]
    context["my_completed_claims"] = [
        row for row in history if row["status"] == ClaimStatus.COMPLETED and row["claim"].pk in held
    ]
    holding = {row["claim"].organization_id for row in mine if row["claim"].organization_id}
    claim_for = [organization for organization in organizations if organization.pk not in holding]
    if volunteer is not None and any(row["claim"].volunteer_id == volunteer.pk for row in mine):
        volunteer = None
    context["my_claims"] = mine
    context["my_requests"] = [
        {"transfer": transfer, "holder": holder_label(transfer.claim)}
        for transfer in transfers_requested_by_user(user=user).filter(
            claim__need=need, status__in=OPEN_TRANSFER_STATUSES
        )
    ]
    context["eligible"] = bool(claim_for or volunteer)
    if not context["eligible"]:
        context["not_eligible"] = _not_eligible_reason(user)
    if context["open_for_claims"] and context["eligible"]:
        context["claim_form"] = form or ClaimForm(
            organizations=claim_for, volunteer=volunteer, initial={"amount": need.remaining_amount}
        )
    others = [
        row
        for row in history
        if row["active"] and row["claim"].pk not in actions and row["claim"].organization_id not in holding
    ]
    if others and claim_for:
        transfer_form = TransferForm()
        transfer_form.fields["claim"].choices = [
            (str(row["claim"].pk), f"{row['holder']} · {row['amount']}") for row in others
        ]
        transfer_form.fields["organization"].choices = [(str(org.pk), org.name) for org in claim_for]
        context["transfer_form"] = transfer_form
    return context


def claim_panel(request, need: Need, *, form: ClaimForm | None = None) -> tuple[str, dict]:
    """The need page's claim panel (``needs.hooks.need_page_panels``, connected in ``apps``)."""
    return "claims/includes/claim_panel.html", {"claims": claim_panel_context(request, need, form=form)}


def _public_need_or_404(code: str) -> Need:
    try:
        return need_public_get(code=code)
    except Need.DoesNotExist:
        raise Http404 from None


@require_POST
def need_claim_view(request, code: str):
    need = _public_need_or_404(code)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("needs:detail", args=[need.code]))
    organizations = list(organizations_for_claiming(user=request.user))
    form = ClaimForm(
        request.POST, organizations=organizations, volunteer=_claimant_volunteer(request.user, need)
    )
    if not form.is_valid():
        return render_need_detail(request, need, form=form, status=400)
    holder = form.cleaned_data["holder"]
    try:
        organization, volunteer = claim_resolve_holder(
            user=request.user,
            organization_id=int(holder) if holder and holder != AS_VOLUNTEER else None,
            as_volunteer=holder == AS_VOLUNTEER,
        )
        need_claim(
            need=need,
            amount=form.cleaned_data["amount"],
            actor=request.user,
            organization=organization,
            volunteer=volunteer,
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return render_need_detail(request, need, form=form, status=400)
    except ClaimRefused as exc:
        # Caught here, not by ``redirect_on_refusal``: the form is shown again with the refusal
        # beside the amount it is about.
        form.add_error("amount" if exc.code == "over_remaining" else None, exc.message)
        need.refresh_from_db()
        return render_need_detail(request, need, form=form, status=exc.http_status)
    messages.success(request, _("Your claim is registered. Thank you!"))
    for warning in filter(None, claim_warnings.call(need=need)):
        messages.warning(request, warning)
    return redirect(f"{reverse('needs:detail', args=[need.code])}#claims")


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _back(request, default: str):
    return redirect(safe_next(request, default))


def _claim_or_404(pk: int) -> Claim:
    return get_object_or_404(Claim.objects.select_related("need", "organization", "volunteer"), pk=pk)


def _report(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _need_page(request, code: str) -> str:
    return reverse("needs:detail", args=[code])


@login_required
@require_POST
@redirect_on_refusal("claims:mine")
def claim_renew_view(request, pk: int):
    claim = _claim_or_404(pk)
    claim = claim_renew(claim=claim, actor=request.user)
    # A renewal holds the claim for a full lease from now (not from its old end), so the
    # message names the new end rather than a number of days "more".
    messages.success(
        request,
        _("The claim is renewed; it now holds until %(lease)s.")
        % {"lease": when_text(claim.lease_expires_at)},
    )
    return _back(request, reverse("claims:mine"))


def _lease_days() -> int:
    return getattr(settings, "CLAIM_LEASE_DAYS", 14)


@login_required
@require_POST
@redirect_on_refusal("claims:mine")
def claim_withdraw_view(request, pk: int):
    claim = _claim_or_404(pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for withdrawing the claim."))
        return _back(request, reverse("claims:mine"))
    try:
        claim_withdraw(claim=claim, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("The claim is withdrawn; its amount is open for others again."))
    return _back(request, reverse("claims:mine"))


@login_required
@require_POST
@redirect_on_refusal(_need_page)
def claim_transfer_view(request, code: str):
    need = _public_need_or_404(code)
    form = TransferForm(request.POST)
    form.fields["claim"].choices = [(str(pk), pk) for pk in need.claims.values_list("pk", flat=True)]
    form.fields["organization"].choices = [
        (str(org.pk), org.name) for org in organizations_for_claiming(user=request.user)
    ]
    if not form.is_valid():
        messages.error(request, _("Choose a claim and your organization, and give a reason."))
        return _back(request, reverse("needs:detail", args=[need.code]))
    try:
        transfer_request(
            claim=_claim_or_404(int(form.cleaned_data["claim"])),
            organization=get_object_or_404(Organization, pk=int(form.cleaned_data["organization"])),
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Your request was sent to the claim's holder."))
    return _back(request, reverse("needs:detail", args=[need.code]))


def _transfer_or_404(pk: int) -> TransferRequest:
    return get_object_or_404(TransferRequest.objects.select_related("claim__need", "requested_by"), pk=pk)


@login_required
@require_POST
@redirect_on_refusal("claims:mine")
def transfer_accept_view(request, pk: int):
    transfer_accept(transfer=_transfer_or_404(pk), actor=request.user)
    messages.success(request, _("The claim was handed over."))
    return _back(request, reverse("claims:mine"))


@login_required
@require_POST
@redirect_on_refusal("claims:mine")
def transfer_decline_view(request, pk: int):
    try:
        transfer_decline(transfer=_transfer_or_404(pk), actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("You kept the claim; the requester is told."))
    return _back(request, reverse("claims:mine"))


# --- my claims ----------------------------------------------------------------------------------


@login_required
def my_claims(request):
    """The claims of the user's organizations (and their own as a volunteer), and the transfer
    requests they answer or made."""
    user = request.user
    claims = list(claims_of_user(user=user)[:200])
    soon = timezone.now() + RENEW_SOON
    # Who holds the active claims (their next actions) and the completed ones (the holder has
    # been to the household and may report on it): one membership read for both.
    held = claims_held_by(user, [claim for claim in claims if claim.status in REPORTING_CLAIM_STATUSES])
    actions = claims_next_actions(user=user, claims=claims, held=held)
    reportable = {claim.pk for claim in claims if claim.status == ClaimStatus.COMPLETED and claim.pk in held}
    rows = [
        {
            "claim": claim,
            "holder": holder_label(claim),
            "actions": actions.get(claim.pk),
            "status_label": claim_status_label(claim.status),
            "report_situation": claim.pk in reportable,
            "expires_soon": claim.pk in actions
            and not actions[claim.pk].aid_given
            and claim.lease_expires_at <= soon,
        }
        for claim in claims
    ]
    context = {
        "active": [row for row in rows if row["claim"].status == ClaimStatus.ACTIVE],
        "ended": [row for row in rows if row["claim"].status != ClaimStatus.ACTIVE],
        "to_answer": list(transfers_to_answer(user=user)),
        "requested": list(transfers_requested_by_user(user=user)[:50]),
        "lease_days": _lease_days(),
    }
    return render(request, "claims/mine.html", context)


# --- household situation reports ----------------------------------------------------------------


class SituationReportForm(forms.Form):
    change = forms.ChoiceField(
        label=gettext_lazy("What changed"), choices=SituationChange.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=gettext_lazy("What you saw"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Describe the change (e.g. the father was hospitalised in March; the child starts school "
            "in September). Never write anyone's name, ID number, phone or address: the caseworker "
            "knows the household."
        ),
    )


@login_required
def claim_situation_view(request, pk: int):
    """The holder of a claim reports a change in the household's situation (seed 三(三))."""
    claim = _claim_or_404(pk)
    if not may_report_situation(request.user, claim):
        raise PermissionDenied
    form = SituationReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            situation_report(
                claim=claim,
                actor=request.user,
                change=form.cleaned_data["change"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you. The caseworkers of the household's county will follow up, and the "
                    "change is passed on to the monitoring platform."
                ),
            )
            return redirect("claims:mine")
    context = {
        "claim": claim,
        "need": claim.need,
        "holder": holder_label(claim),
        "form": form,
        "reports": list(situation_reports_of_claim(claim=claim)[:20]),
    }
    return render(request, "claims/situation.html", context, status=400 if form.errors else 200)
