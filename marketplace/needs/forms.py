"""Back-office forms: reviewing a held need, source systems, policy overrides, spreadsheet upload.

Forms parse and check input; the writes happen in services (each app's ``services``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.uploads import InMemoryUploadForm
from marketplace.needs.choices import LowIncomeCategory
from marketplace.needs.cleaning import clean_amount
from marketplace.needs.intake import MAX_TEXT
from marketplace.needs.models import PolicyOverride, SourceSystem
from marketplace.needs.policy import (
    BelowProvincialFloor,
    NoRuleSet,
    RegionalOverride,
    rule_set_for,
    validate_override,
)
from marketplace.needs.services.review import MAX_REASON, REASON_FIELD, identifier_messages
from marketplace.needs.spreadsheet import MAX_UPLOAD_BYTES
from regions.models import Region, RegionLevel


class RegionChoiceField(forms.ModelChoiceField):
    """A region picked by its code and name (``420111 洪山区``)."""

    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.code} {obj.name}"


# --- review ------------------------------------------------------------------------------------


class NeedReviewForm(forms.Form):
    """The public title and summary of a held need, as the caseworker approves them."""

    title = forms.CharField(
        label=_("Public title"),
        max_length=MAX_TEXT["title"],
        help_text=_("What charities and the public read. No names, ID numbers, phone numbers or addresses."),
    )
    summary = forms.CharField(
        label=_("Public summary"),
        required=False,
        max_length=MAX_TEXT["description"],
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def _clean_public_text(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        found = identifier_messages(value)
        if found:
            raise ValidationError(found)
        return value

    def clean_title(self) -> str:
        return self._clean_public_text("title")

    def clean_summary(self) -> str:
        return self._clean_public_text("summary")


class NeedRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Recorded with the decision. Do not write names, ID numbers, phone numbers or addresses."
        ),
        error_messages={"required": _("Give the reason for rejecting this need.")},
    )

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise ValidationError(_("Give the reason for rejecting this need."))
        found = identifier_messages(value, stored_in=REASON_FIELD)
        if found:
            raise ValidationError(found)
        return value


# --- source systems ----------------------------------------------------------------------------


class SourceSystemForm(WagtailAdminModelForm):
    """Name, department, scope and webhook of a source system; its key is never a field."""

    region = RegionChoiceField(
        queryset=Region.objects.order_by("code"),
        label=_("Region scope"),
        help_text=_("The system may push needs only for regions inside this one."),
    )
    webhook_url = forms.URLField(
        label=_("Feedback webhook URL"),
        required=False,
        assume_scheme="https",
        help_text=_("Where the portal sends feedback events."),
    )

    class Meta:
        model = SourceSystem
        fields = ["name", "department", "region", "webhook_url", "is_active"]


class SourceSystemCreateForm(SourceSystemForm):
    class Meta(SourceSystemForm.Meta):
        fields = ["name", "department", "region", "webhook_url"]


# --- regional policy overrides -----------------------------------------------------------------


class RatiosField(forms.JSONField):
    default_error_messages = {
        "invalid": _('Write the ratios as JSON, for example {"dibao": "0.80"}.'),
    }


def _ratio(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError
    try:
        ratio = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError from exc
    if not ratio.is_finite() or not 0 <= ratio <= 1 or ratio.as_tuple().exponent < -3:
        raise ValueError
    return ratio


class PolicyOverrideForm(WagtailAdminModelForm):
    """A city's or county's higher ratios: refused below the provincial floor (validate_override)."""

    region = RegionChoiceField(
        queryset=Region.objects.exclude(level=RegionLevel.PROVINCE).order_by("code"),
        label=_("Region"),
        help_text=_("The city or county whose document sets these rules; a city's rules cover its counties."),
    )
    inpatient_ratios = RatiosField(
        label=_("Inpatient ratios"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            'Per low-income category, a fraction from 0 to 1, e.g. {"dibao": "0.80", "near_dibao": "0.65"}. '
            "Categories: extreme_poverty, dibao, relapse_monitoring, near_dibao, rigid_expenditure, "
            "illness_poverty, other."
        ),
    )

    premium_ratios = RatiosField(
        label=_("Insurance premium subsidy ratios"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The share of a person's own premium of basic medical insurance that local assistance pays, "
            "per low-income category, a fraction from 0 to 1, "
            'e.g. {"dibao": "1.00", "near_dibao": "0.50"}. The province pays extreme_poverty in full '
            "and dibao at least 0.90; other categories may be added."
        ),
    )

    class Meta:
        model = PolicyOverride
        fields = [
            "region",
            "label",
            "inpatient_ratios",
            "outpatient_chronic_ratio",
            "premium_ratios",
            "annual_cap",
            "effective_from",
            "effective_to",
        ]

    def clean_inpatient_ratios(self) -> dict[str, str]:
        return self._clean_ratios("inpatient_ratios")

    def clean_premium_ratios(self) -> dict[str, str]:
        return self._clean_ratios("premium_ratios")

    def _clean_ratios(self, name: str) -> dict[str, str]:
        value = self.cleaned_data.get(name)
        if value in (None, "", {}):
            return {}
        if not isinstance(value, dict):
            raise ValidationError(self.fields[name].error_messages["invalid"])
        ratios = {}
        for category, raw in value.items():
            if category not in LowIncomeCategory.values:
                raise ValidationError(
                    _("Unknown category “%(category)s”; use one of: %(codes)s.")
                    % {"category": category, "codes": ", ".join(LowIncomeCategory.values)}
                )
            try:
                ratio = _ratio(raw)
            except ValueError:
                raise ValidationError(
                    _("The ratio for %(category)s must be a number from 0 to 1 with at most three decimals.")
                    % {"category": category}
                ) from None
            ratios[category] = format(ratio.normalize(), "f")
        return ratios

    def clean(self):
        cleaned = super().clean()
        region, start = cleaned.get("region"), cleaned.get("effective_from")
        malformed = self.has_error("inpatient_ratios") or self.has_error("premium_ratios")
        if region is None or start is None or malformed:
            return cleaned
        end = cleaned.get("effective_to")
        if end is not None and end < start:
            self.add_error("effective_to", _("The end date is before the start date."))
            return cleaned
        try:
            rule_set = rule_set_for(start)
        except NoRuleSet as exc:
            self.add_error("effective_from", str(exc))
            return cleaned
        ratios = {key: Decimal(value) for key, value in (cleaned.get("inpatient_ratios") or {}).items()}
        premiums = {key: Decimal(value) for key, value in (cleaned.get("premium_ratios") or {}).items()}
        outpatient = cleaned.get("outpatient_chronic_ratio")
        cap = cleaned.get("annual_cap")
        # Inpatient ratios first, then the outpatient ratio, so each error lands on its field.
        checks = [
            ("inpatient_ratios", {"inpatient_ratios": ratios}),
            ("outpatient_chronic_ratio", {"outpatient_chronic_ratio": outpatient}),
            ("premium_ratios", {"premium_ratios": premiums}),
            ("annual_cap", {"annual_cap": cap}),
        ]
        for field, values in checks:
            try:
                override = RegionalOverride(
                    id=f"{region.code}-form",
                    label=cleaned.get("label") or "-",
                    region_code=region.code,
                    effective_from=start,
                    effective_to=end,
                    **values,
                )
                validate_override(override, rule_set)
            except (BelowProvincialFloor, ValueError, TypeError) as exc:
                self.add_error(field, str(exc))
        clash = PolicyOverride.objects.filter(region=region, effective_from=start)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error(
                "effective_from",
                _("This region already has rules starting on this day; change those instead."),
            )
        return cleaned


# --- spreadsheet import ------------------------------------------------------------------------


class SpreadsheetConfirmForm(forms.Form):
    """The preview page's "import" button: names the previewed file kept on the server."""

    reference = forms.UUIDField(widget=forms.HiddenInput)


class SpreadsheetUploadForm(InMemoryUploadForm):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        help_text=_("Use the template. At most 5 MB and 2,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return upload
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel file ending in .xlsx."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload


class AmountField(forms.DecimalField):
    """An amount read by ``clean_amount`` from the text typed: Django's DecimalField reads
    "١٢٣" as 123 and rounds 0.005. ``min_value`` and ``decimal_places`` stay for the browser's
    own checks. Claims and delivery reports use it."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return clean_amount(value)
        except ValidationError as invalid:
            raise ValidationError(invalid.message_dict["amount"], code="invalid") from None
