"""The forms that file a ticket: the public's (/complaints/new/) and the hotline operators'.

Both check what the ticket cites (a need code, an organization, a publicity list) through the
lower apps' selectors, and the attachments by content (``core.evidence``); the service then
files the ticket. Every message says in Chinese what to fix.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import normalize_email
from cms.selectors import publicity_list
from core.evidence import check_uploads
from core.forms import MultipleFileField
from marketplace.needs.selectors import need_code_exists, region_picker_index
from marketplace.organizations.selectors import organization_exists
from regions.models import Region
from supervision.models import (
    HOTLINE_CHANNELS,
    OBJECTION,
    REFERRAL,
    REPORT,
    Channel,
    ReportSubtype,
    TicketKind,
)
from supervision.selectors import ticket_kind_choices

MAX_CONTENT = 5000
PHONE = re.compile(r"^(?:\+?86)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
NEED_CODE = re.compile(r"^[0-9A-Za-z]{1,12}$")


def county_choices() -> list:
    """The counties grouped by city, as the public needs browser's county picker lists them."""
    index = region_picker_index()
    groups = [("", _("Choose the county, city district or town"))]
    for city_code, city_name in index.cities:
        counties = index.counties.get(city_code, ())
        if counties:
            groups.append((city_name, [(code, name) for code, name in counties]))
    return groups


class TicketForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What is it?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose what kind of matter it is."),
            "invalid_choice": gettext_lazy("Choose what kind of matter it is."),
        },
    )
    subtype = forms.ChoiceField(
        label=gettext_lazy("What is the report about?"),
        choices=[("", "—"), *ReportSubtype.choices],
        required=False,
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("Urgent: someone needs help now (急难)"),
        required=False,
        help_text=gettext_lazy(
            "For help requests and referrals only. The county caseworkers are told at once "
            "and act within 24 hours."
        ),
    )
    region = forms.ChoiceField(
        label=gettext_lazy("Where"),
        error_messages={
            "required": gettext_lazy("Choose a county, city district or town from the list."),
            "invalid_choice": gettext_lazy("Choose a county, city district or town from the list."),
        },
    )
    title = forms.CharField(label=gettext_lazy("Title (optional)"), max_length=100, required=False)
    content = forms.CharField(
        label=gettext_lazy("What happened, or what is needed"),
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Say what happened or what you need.")},
    )
    referred_person = forms.CharField(
        label=gettext_lazy("The person in difficulty (referrals)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Their situation and where to find them. Their name or ID number is not "
            "required. Only the county caseworkers read this."
        ),
    )
    need_code = forms.CharField(label=gettext_lazy("Need code (optional)"), max_length=12, required=False)
    organization = forms.IntegerField(
        label=gettext_lazy("Organization number (optional)"), required=False, min_value=1
    )
    publicity_list = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    files = MultipleFileField(label=gettext_lazy("Photos or PDF documents (optional)"), required=False)
    contact_name = forms.CharField(label=gettext_lazy("Your name (optional)"), max_length=40, required=False)
    contact_phone = forms.CharField(
        label=gettext_lazy("Mobile or phone number"), max_length=20, required=False
    )
    contact_email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    anonymous = forms.BooleanField(
        label=gettext_lazy("Stay anonymous to the public"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Your name never appears on any public page or statistic."),
    )
    confidential = forms.BooleanField(
        label=gettext_lazy("Keep my identity from the unit that handles it"),
        required=False,
        help_text=gettext_lazy("Only the hotline staff and supervisors will know who you are (举报人保护)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = list(ticket_kind_choices())
        self.kinds = {kind.code: kind for kind in kinds}
        self.fields["kind"].choices = [(kind.code, kind.name) for kind in kinds]
        self.fields["region"].choices = county_choices()
        self.objection = None
        self.checked_files = []

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"]
        region = Region.objects.filter(code=code, level="county").first()
        if region is None:
            raise ValidationError(_("Choose a county, city district or town from the list."))
        return region

    def clean_kind(self) -> TicketKind:
        kind = self.kinds.get(self.cleaned_data["kind"])
        if kind is None:
            raise ValidationError(_("Choose what kind of matter it is."))
        return kind

    def clean_need_code(self) -> str:
        code = self.cleaned_data["need_code"].strip().upper()
        if not code:
            return ""
        if not NEED_CODE.fullmatch(code) or not need_code_exists(code=code):
            raise ValidationError(
                _("No need has this code. Copy it from the need's page, or leave it empty.")
            )
        return code

    def clean_organization(self) -> int | None:
        pk = self.cleaned_data["organization"]
        if pk and not organization_exists(pk=pk):
            raise ValidationError(
                _(
                    "No verified organization has this number. Open it from the organization's page, "
                    "or leave it empty."
                )
            )
        return pk

    def clean_publicity_list(self) -> int | None:
        pk = self.cleaned_data["publicity_list"]
        if pk:
            self.objection = publicity_list(pk)
            if self.objection is None:
                raise ValidationError(
                    _(
                        "This publicity list does not exist or is no longer published. Open the "
                        "objection link from the list's page."
                    )
                )
        return pk

    def clean_contact_phone(self) -> str:
        phone = re.sub(r"[\s()]", "", self.cleaned_data["contact_phone"])
        if phone and not PHONE.fullmatch(phone):
            raise ValidationError(
                _("Enter an 11-digit mobile number or a landline with its area code, such as 027-87654321.")
            )
        return phone

    def clean_contact_email(self) -> str:
        email = self.cleaned_data["contact_email"]
        return normalize_email(email) if email else ""

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind is not None:
            if kind.code == REPORT and not cleaned.get("subtype"):
                self.add_error("subtype", _("Choose what the report is about."))
            if cleaned.get("urgent") and not kind.may_be_urgent:
                self.add_error("urgent", _("Only help requests and referrals can be urgent."))
            if kind.code == REFERRAL and not cleaned.get("referred_person", "").strip():
                self.add_error(
                    "referred_person", _("Describe the person's situation and where they can be found.")
                )
            if (
                kind.code == OBJECTION
                and not cleaned.get("publicity_list")
                and "publicity_list" not in self.errors
            ):
                self.add_error(
                    "kind",
                    _("An objection is about a publicity list: open the objection link on the list's page."),
                )
        if cleaned.get("publicity_list") and kind is not None and kind.code != OBJECTION:
            cleaned["publicity_list"] = None
            self.objection = None
        checked, errors = check_uploads(cleaned.get("files"))
        for error in errors:
            self.add_error("files", error)
        self.checked_files = checked
        return cleaned

    def submission(self) -> dict:
        """The keyword arguments of ``services.ticket_submit``."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "region": data["region"],
            "subtype": data.get("subtype") or "",
            "urgent": bool(data.get("urgent")),
            "title": data.get("title", ""),
            "content": data["content"],
            "referred_person": data.get("referred_person", ""),
            "need_code": data.get("need_code", ""),
            "organization_id": data.get("organization"),
            "publicity_list": self.objection,
            "attachments": self.checked_files,
            "contact_name": data.get("contact_name", ""),
            "contact_phone": data.get("contact_phone", ""),
            "contact_email": data.get("contact_email", ""),
            "anonymous": bool(data.get("anonymous")),
            "confidential": bool(data.get("confidential")),
        }


class HotlineTicketForm(TicketForm):
    """The hotline operator types in a call, a letter or a visit."""

    channel = forms.ChoiceField(
        label=gettext_lazy("Received by"),
        choices=[(code, Channel(code).label) for code in HOTLINE_CHANNELS],
        initial=Channel.PHONE,
    )
    call_time = forms.DateTimeField(
        label=gettext_lazy("Call time (or date received)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    field_order = ["channel", "call_time"]

    def clean_call_time(self):
        moment = self.cleaned_data["call_time"]
        if moment and moment > timezone.now() + timedelta(minutes=5):
            raise ValidationError(_("The call time cannot be in the future."))
        return moment

    def submission(self) -> dict:
        values = super().submission()
        values["channel"] = self.cleaned_data["channel"]
        values["call_time"] = self.cleaned_data["call_time"]
        return values
