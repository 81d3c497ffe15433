"""Forms of matching: they parse and check input in the reader's words; services write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.matching.models import OfferKind, StatutoryProgramme
from marketplace.needs.choices import LowIncomeCategory, NeedType
from marketplace.organizations.forms import PortalFormMixin, registration_region_choices
from regions.models import code_prefix

MONEY = {"max_digits": 12, "decimal_places": 2}
# ISO dates: a browser's date input shows nothing for a localized value (2026年12月3日).
DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class OfferForm(PortalFormMixin, forms.Form):
    organization = forms.ChoiceField(label=_("Organization"))
    kind = forms.ChoiceField(label=_("Kind of offer"), choices=OfferKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.CharField(label=_("Unit of the goods"), max_length=20, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        min_value=Decimal("0.01"),
        help_text=_("CNY for funds, the number of units, hours or places otherwise."),
        **MONEY,
    )
    need_types = forms.MultipleChoiceField(
        label=_("Need types served"), choices=NeedType.choices, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("Low-income categories served"),
        choices=LowIncomeCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every category."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions served"),
        help_text=_("The province, cities or counties; hold Ctrl to choose several."),
    )
    available_from = forms.DateField(label=_("Available from"), widget=DATE_WIDGET)
    available_until = forms.DateField(label=_("Available until"), widget=DATE_WIDGET)
    max_per_need = forms.DecimalField(
        label=_("Most per need"), required=False, min_value=Decimal("0.01"), **MONEY
    )
    max_per_household = forms.DecimalField(
        label=_("Most per household"), required=False, min_value=Decimal("0.01"), **MONEY
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(org.pk), org.name) for org in organizations]
        self.fields["regions"].choices = registration_region_choices()
        if not self.is_bound:
            self.initial.setdefault("available_from", timezone.localdate())

    def cleaned_offer(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("organization")
        data["region_prefixes"] = sorted({code_prefix(code) for code in data.pop("regions")})
        return data


class AvailabilityForm(PortalFormMixin, forms.Form):
    hours_per_week = forms.IntegerField(label=_("Hours per week"), min_value=1, max_value=80)
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)
    need_types = forms.MultipleChoiceField(
        label=_("Services offered"),
        choices=[(code, NeedType(code).label) for code in (NeedType.CARE_SERVICE, NeedType.COUNSELLING)],
        widget=forms.CheckboxSelectMultiple,
    )
    regions = forms.MultipleChoiceField(label=_("Regions served"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = registration_region_choices()

    def cleaned_availability(self) -> dict:
        data = dict(self.cleaned_data)
        data["region_prefixes"] = sorted({code_prefix(code) for code in data.pop("regions")})
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ProjectForm(PortalFormMixin, forms.Form):
    organization = forms.ChoiceField(label=_("Organization"))
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    need_type = forms.ChoiceField(label=_("Need type"), choices=NeedType.choices)
    region = forms.ChoiceField(label=_("Region"))
    target = forms.DecimalField(label=_("Target (CNY)"), min_value=Decimal("1"), **MONEY)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_WIDGET)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(org.pk), org.name) for org in organizations]
        self.fields["region"].choices = registration_region_choices()


class PledgeForm(PortalFormMixin, forms.Form):
    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=Decimal("1"), **MONEY)
    anonymous = forms.BooleanField(
        label=_("Anonymous to the public"), required=False, initial=True,
        help_text=_("The organization still sees who pledged, to confirm receipt."),
    )  # fmt: skip


class RegionChoiceForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = registration_region_choices()


class StatutoryProgrammeForm(forms.ModelForm):
    class Meta:
        model = StatutoryProgramme
        fields = ["region", "need_type", "name", "department", "notes"]
