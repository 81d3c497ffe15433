"""Forms of organizations and volunteers: they parse and check input; services write."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.needs.choices import NeedType
from marketplace.organizations.models import (
    MembershipRole,
    MembershipStatus,
    OrganizationKind,
    OrganizationStatus,
    Volunteer,
)
from marketplace.organizations.selectors import PROVINCE_CODE, volunteer_teams
from marketplace.organizations.services.registration import (
    CERTIFICATE_MAX_BYTES,
    certificate_check,
    contact_phone_clean,
    uscc_clean,
)
from marketplace.organizations.services.verification import MAX_REASON
from regions.models import Region

_SEPARATORS = re.compile(r"[\s,，、;；]+")
# The models' labels share msgids with other words ("Administrator" is also the portal's
# administrator role, "Active" a source system's switch): pages say them with a context.
ROLE_LABELS = {
    MembershipRole.ADMIN: pgettext_lazy("organization role", "Administrator"),
    MembershipRole.MEMBER: pgettext_lazy("organization role", "Member"),
}
MEMBERSHIP_STATUS_LABELS = {
    MembershipStatus.INVITED: pgettext_lazy("membership status", "Invited"),
    MembershipStatus.REQUESTED: pgettext_lazy("membership status", "Asked to join"),
    MembershipStatus.ACTIVE: pgettext_lazy("membership status", "Member"),
    MembershipStatus.DECLINED: pgettext_lazy("membership status", "Declined"),
    MembershipStatus.REMOVED: pgettext_lazy("membership status", "Ended"),
}


def with_labels(memberships) -> list:
    """The memberships as a list, each with ``role_label`` and ``status_label``."""
    memberships = list(memberships)
    for membership in memberships:
        membership.role_label = ROLE_LABELS.get(membership.role, membership.role)
        membership.status_label = MEMBERSHIP_STATUS_LABELS.get(membership.status, membership.status)
    return memberships


SERVICE_TYPE_CHOICES = [(code, NeedType(code).label) for code in Volunteer.SERVICE_NEED_TYPES]


def city_choices() -> list[tuple[str, str]]:
    """The 17 city-level units, by code."""
    return [(region.code, region.name) for region in Region.objects.city_level().order_by("code")]


def registration_region_choices() -> list:
    """Where an organization can be registered: the province, then each city-level unit with
    its counties (a directly administered unit is its own group)."""
    regions = list(Region.objects.exclude(code=PROVINCE_CODE).order_by("code"))
    province = Region.objects.filter(code=PROVINCE_CODE).first()
    groups: list = []
    if province is not None:
        groups.append((province.code, _("%(name)s (provincial level)") % {"name": province.name}))
    by_city: dict[str, list] = {}
    cities = [region for region in regions if region.is_city_level]
    for city in cities:
        by_city[city.code] = [(city.code, _("%(name)s (city level)") % {"name": city.name})]
    for region in regions:
        if region.is_city_level or region.parent_id not in by_city:
            continue
        by_city[region.parent_id].append((region.code, region.name))
    for city in cities:
        options = by_city[city.code]
        if city.directly_administered:
            options = [(city.code, city.name)]
        groups.append((city.name, options))
    return groups


class PortalFormMixin:
    """Marks invalid fields for assistive technology (``aria-invalid``)."""

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            field, auto_id = self.fields[name], self[name].auto_id
            field.widget.attrs["aria-invalid"] = "true"
            if not self[name].use_fieldset:
                described = [f"{auto_id}_errors", *([f"{auto_id}_helptext"] if field.help_text else [])]
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def full_clean(self):
        super().full_clean()
        self.mark_invalid()


class OrganizationRegistrationForm(PortalFormMixin, forms.Form):
    name = forms.CharField(label=_("Registered name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Type of organization"), choices=[("", _("Choose a type")), *OrganizationKind.choices]
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_(
            "18 characters, as on the registration certificate. A charity registered with civil "
            "affairs usually has a code starting with 51, 52 or 53."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    registration_authority = forms.CharField(
        label=_("Registration authority"),
        max_length=200,
        help_text=_("For example: the civil affairs bureau of Hongshan district, Wuhan."),
    )
    region = forms.ChoiceField(
        label=_("Registered in"),
        help_text=_("Caseworkers of this region verify the organization."),
    )
    service_cities = forms.MultipleChoiceField(
        label=_("Cities served"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick the whole province, or the cities and prefectures where you help; or name counties "
            "below. At least one region."
        ),
    )
    service_counties = forms.CharField(
        label=_("Counties and districts served"),
        required=False,
        max_length=1000,
        help_text=_(
            "Only if you serve part of a city: county or district names or codes, separated by "
            "commas (for example: 洪山区, 420106)."
        ),
    )
    need_types = forms.MultipleChoiceField(
        label=_("Kinds of need you help with"),
        choices=NeedType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the kinds of need the organization helps with.")},
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    description = forms.CharField(
        label=_("About the organization"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown in the public directory once the organization is verified."),
    )
    certificate = forms.FileField(
        label=_("Registration certificate"),
        help_text=_("A PDF file or a photo (PNG or JPEG) of at most %(size)d MB. Only caseworkers see it."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Choose a region")), *registration_region_choices()]
        province = Region.objects.filter(code=PROVINCE_CODE).first()
        cities = city_choices()
        if province is not None:
            cities = [(province.code, _("The whole province")), *cities]
        self.fields["service_cities"].choices = cities
        # Optional alone, but one of it and the counties is needed: not marked "(optional)".
        self.fields["service_cities"].hide_optional = True
        certificate = self.fields["certificate"]
        certificate.help_text = certificate.help_text % {"size": CERTIFICATE_MAX_BYTES // (1024 * 1024)}

    def clean_uscc(self) -> str:
        return uscc_clean(self.cleaned_data["uscc"])

    def clean_contact_phone(self) -> str:
        return contact_phone_clean(self.cleaned_data["contact_phone"])

    def clean_certificate(self):
        upload = self.cleaned_data["certificate"]
        certificate_check(upload)
        return upload

    def clean_service_counties(self) -> list[str]:
        codes, unknown = [], []
        for token in _SEPARATORS.split(self.cleaned_data.get("service_counties") or ""):
            if not token:
                continue
            if token.isdigit() and len(token) == 6:
                codes.append(token)
                continue
            matches = list(Region.objects.county_level().filter(name=token).values_list("code", flat=True))
            if len(matches) == 1:
                codes.append(matches[0])
            else:
                unknown.append(token)
        if unknown:
            raise ValidationError(
                _("Not a county or district of Hubei (or a name shared by several; give its code): %(names)s")
                % {"names": "、".join(unknown)}
            )
        return codes

    def clean(self):
        data = super().clean()
        regions = [*data.get("service_cities", []), *data.get("service_counties", [])]
        if not regions and "service_counties" not in self.errors:
            self.add_error("service_cities", _("Choose at least one region the organization serves."))
        data["service_regions"] = regions
        return data


class DirectoryFilterForm(forms.Form):
    city = forms.ChoiceField(label=_("City or prefecture"), required=False)
    need_type = forms.ChoiceField(
        label=_("Kind of need"), required=False, choices=[("", _("All kinds")), *NeedType.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", _("All cities")), *city_choices()]


class InviteForm(PortalFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Username of the person to invite"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=list(ROLE_LABELS.items()), initial=MembershipRole.MEMBER
    )


class StatusChangeForm(forms.Form):
    """A caseworker's decision on an organization; the service checks the move and the reason."""

    ACTIONS = {
        "verify": OrganizationStatus.VERIFIED,
        "reject": OrganizationStatus.REJECTED,
        "suspend": OrganizationStatus.SUSPENDED,
        "reinstate": OrganizationStatus.VERIFIED,
    }
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or suspend: the organization reads it."),
    )


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes the submitted value back into the page."""

    def format_value(self, value):
        return None


class VolunteerRegistrationForm(PortalFormMixin, forms.Form):
    real_name = forms.CharField(
        label=_("Real name"),
        max_length=30,
        help_text=_("As on your ID card. Stored encrypted; shown only as your surname and asterisks."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("ID card number"),
        max_length=30,
        help_text=_("18 characters. Stored encrypted; shown only as its first and last two characters."),
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    need_types = forms.MultipleChoiceField(
        label=_("Services you offer"),
        choices=SERVICE_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the services you offer: visits and care, counselling or both.")
        },
    )
    team = forms.ModelChoiceField(
        label=_("Volunteer team"),
        queryset=None,
        required=False,
        empty_label=_("No team"),
        help_text=_("Choosing a team asks to join it; its administrator decides."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the portal keeps my real name and ID number, encrypted, to verify that "
            "each volunteer is a real, single person."
        ),
        error_messages={"required": _("Your consent is needed to register as a volunteer.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = volunteer_teams()


class VolunteerProfileForm(PortalFormMixin, forms.Form):
    need_types = forms.MultipleChoiceField(
        label=_("Services you offer"),
        choices=SERVICE_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the services you offer: visits and care, counselling or both.")
        },
    )
    team = forms.ModelChoiceField(
        label=_("Volunteer team"),
        queryset=None,
        required=False,
        empty_label=_("No team"),
        help_text=_("Choosing another team asks to join it; its administrator decides."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = volunteer_teams()


def add_service_errors(
    form: forms.Form, exc: ValidationError, *, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ``ValidationError`` on the form: on its fields where they exist."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = aliases.get(name, name)
        form.add_error(target if target in form.fields else None, errors)
    if isinstance(form, PortalFormMixin):
        form.mark_invalid()
