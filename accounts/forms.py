"""Wagtail's user forms with the portal's region scope and department."""

from __future__ import annotations

from django import forms
from wagtail.users.forms import UserCreationForm, UserEditForm

from accounts.services import scope_errors

PORTAL_FIELDS = ("region", "department")


class PortalUserFormMixin(forms.ModelForm):
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
