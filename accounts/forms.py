"""Wagtail's user forms with the portal's region scope and department."""

from __future__ import annotations

from django import forms
from wagtail.users.forms import UserCreationForm, UserEditForm

from accounts.models import EMAIL_TAKEN, normalize_email
from accounts.services import scope_errors
from accounts.verification import email_taken

PORTAL_FIELDS = ("region", "department")


class PortalUserFormMixin(forms.ModelForm):
    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data.get("email") or "")
        if email_taken(email, exclude_pk=self.instance.pk):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def save(self, commit=True):
        # A new address is not verified, whoever typed it: its owner must follow the link.
        if "email" in self.changed_data and self.instance.email_verified_at is not None:
            self.instance.email_verified_at = None
        return super().save(commit=commit)

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups") or []
        errors = scope_errors(
            roles={group.name for group in groups},
            region=cleaned.get("region"),
            department=cleaned.get("department") or "",
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned


class PortalUserCreationForm(PortalUserFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (*UserCreationForm.Meta.fields, *PORTAL_FIELDS)


class PortalUserEditForm(PortalUserFormMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (*UserEditForm.Meta.fields, *PORTAL_FIELDS)
