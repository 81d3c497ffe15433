"""The public site's sections (its navigation and the home page's cards), and the views that are
not Wagtail pages: the text-size preference and the error pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.http import safe_next

TEXT_SIZE_COOKIE = "text_size"
TEXT_SIZE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class Section:
    """One entry of the public site's navigation and of the home page's cards."""

    key: str
    path: str  # the public address, a contract in DESIGN.md §3, so links survive re-routing
    title: str | Promise
    summary: str | Promise  # one line on the home page card


SECTIONS: tuple[Section, ...] = (
    Section(
        key="needs",
        path="/needs/",
        title=_("Assistance needs"),
        summary=_(
            "Verified needs, with personal details removed, that charities and volunteers can take on."
        ),
    ),
    Section(
        key="organizations",
        path="/organizations/",
        title=_("Charities"),
        summary=_("Verified charities, foundations and volunteer teams; register yours to take on needs."),
    ),
    Section(
        key="notices",
        path="/notices/",
        title=_("Notices"),
        summary=_("Policy documents, explanations of policy, and public lists of assistance recipients."),
    ),
    Section(
        key="complaint-new",
        path="/complaints/new/",
        title=_("Complaints and suggestions"),
        summary=_("Report a problem with social assistance or make a suggestion online."),
    ),
    Section(
        key="complaint-track",
        path="/complaints/track/",
        title=_("Track a complaint"),
        summary=_("See how your complaint is being handled, using its reference number."),
    ),
    Section(
        key="search",
        path="/search/",
        title=_("Search"),
        summary=_("Search needs, notices and policy documents."),
    ),
    Section(
        key="stats",
        path="/stats/",
        title=_("Statistics"),
        summary=_("Summary figures on needs and on the help given."),
    ),
)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


@require_POST
def set_text_size(request: HttpRequest) -> HttpResponse:
    """Remember the reader's text size (large or normal) for a year, then go back.

    A plain form post, so it works without JavaScript. ``next`` must point at this site: anything
    else sends the reader to the home page instead (no open redirect).
    """
    size = "large" if request.POST.get("text_size") == "large" else "normal"
    response = HttpResponseRedirect(safe_next(request, "/"))
    response.set_cookie(
        TEXT_SIZE_COOKIE,
        size,
        max_age=TEXT_SIZE_COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Render 500.html without the request: no context processor, session or database may be
    needed to tell the reader that something went wrong."""
    context = {"portal_name": settings.PORTAL_NAME, "service_hotline": settings.SERVICE_HOTLINE}
    try:
        body = loader.get_template("500.html").render(context)
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        body = "<h1>Server Error (500)</h1>"
    return HttpResponseServerError(body)
