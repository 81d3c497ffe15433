"""The search parameters (``/search/`` and ``GET /api/v1/search/``), validated once for both."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from search.backends import FACETS, SearchQuery

MAX_QUERY_LENGTH = 100
MAX_PAGE = 50

KIND_CHOICES = [
    ("", _("All")),
    ("need", _("Assistance needs")),
    ("notice", _("Notices")),
    ("organization", _("Organizations")),
]
SORT_CHOICES = [("relevance", _("Best match")), ("newest", _("Newest first"))]


class TextField(forms.CharField):
    """Free text; a NUL character (which no document holds) is dropped rather than refused."""

    def to_python(self, value):
        return super().to_python(value.replace("\x00", "") if isinstance(value, str) else value)


class SearchForm(forms.Form):
    q = TextField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": _("Keep the search under 100 characters.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=KIND_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Unknown kind “%(value)s”; use need, notice or organization.")},
    )
    region = forms.CharField(
        label=_("Region"),
        required=False,
        validators=[RegexValidator(r"^42\d{4}$", _("Use a six-digit Hubei region code such as 420100."))],
    )
    need_type = TextField(label=_("Need type"), required=False, max_length=40)
    notice_type = TextField(label=_("Notice type"), required=False, max_length=40)
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("Use a year such as 2026."),
            "min_value": _("Use a year such as 2026."),
            "max_value": _("Use a year such as 2026."),
        },
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Unknown sort “%(value)s”; use relevance or newest.")},
    )
    page = forms.IntegerField(
        label=_("Page"),
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": _("The page must be a whole number from 1 to 50."),
            "min_value": _("The page must be a whole number from 1 to 50."),
            "max_value": _("The page must be a whole number from 1 to 50."),
        },
    )

    def search_query(self) -> SearchQuery:
        data = self.cleaned_data
        filters = tuple((name, str(data[name])) for name in FACETS if data.get(name) not in (None, ""))
        text = " ".join((data.get("q") or "").split())
        return SearchQuery(
            text=text,
            kind=data.get("kind") or "",
            filters=filters,
            sort=data.get("sort") or ("relevance" if text else "newest"),
            page=data.get("page") or 1,
        )
